/**
 * The aid space on the server (issue #7), on SQLite: what a person waits for on the kiosk.
 *  - the dossier screen: its checklist filled from a vault of 300 papers (a bundle RSA + CSS);
 *  - the re-evaluation that every deposit now runs for the person's open dossiers (3 of them);
 *  - a signed sending: prepare the manifest, then check the card certificate and its PSO:CDS
 *    signature, record and send (the card's own signing time is in the card bench);
 *  - the dossier PDF with four scanned pages, and the receipt, the real way: the scans re-encoded by sharp
 *    for paper, the PDF laid out in the warm PDF pool (a worker thread); a dossier printed again reuses
 *    its scans' renditions (kept by blob SHA-256).
 * No budget is set for these in DESIGN.md §8; they are reported.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import { Manifest } from '../sync-server/protocol/applications.ts';
import type { FilingSituation } from '../sync-server/protocol/applications.ts';
import type { DocType } from '../sync-server/protocol/common.ts';
import { loadCatalogue } from '../sync-server/src/features/aids/index.ts';
import { DOCUMENT_PDF_JOB } from '../sync-server/src/features/vault/index.ts';
import { DOSSIER_PDF_JOB, printDossier, printReceipt } from '../sync-server/src/features/applications/index.ts';
import type { DossierPrintInput } from '../sync-server/src/features/applications/index.ts';
import { PdfPool } from '../sync-server/src/kernel/files/pdf-pool.ts';
import { applicantOf, createDossier, reevaluatePerson, viewDossier } from '../sync-server/src/features/applications/index.ts';
import type { Applicant } from '../sync-server/src/features/applications/index.ts';
import { prepareSubmission, submitSigned } from '../sync-server/src/features/applications/index.ts';
import { initCa } from '../sync-server/src/features/cards/index.ts';
import { readSeedFile, seedDatabase } from '../sync-server/src/edge/seed.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import type { Database } from '../sync-server/src/kernel/storage/schema.ts';
import { addPerson, certify, signManifest } from '../sync-server/test-support/test-cards.ts';
import type { TestPerson } from '../sync-server/test-support/test-cards.ts';
import { SEED_PATH } from '../sync-server/test-support/test-env.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

const KIOSK = 'borne-cms-centre-1';
const SALARIED_TENANT: FilingSituation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };
const VAULT_KINDS: DocType[] = ['rib', 'payslip', 'tax-notice', 'caf-certificate', 'proof-of-address', 'health-insurance', 'other', 'identity-card'];

async function putDoc(db: Kysely<Database>, p: TestPerson, docType: DocType, daysAgo: number): Promise<void> {
  const id = randomUUID();
  const sha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
  const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  await db.insertInto('blobs').values({ sha256, size: 10, mime: 'image/png', created_at: at, uploaded_by: null, referenced_at: at }).execute();
  await db
    .insertInto('documents')
    .values({ id, owner_person_id: p.id, vault: 'personal', doc_type: docType, institution_id: null, current_version: 1, created_at: at, updated_at: at, title: `Papier ${docType}`, issued_on: at.slice(0, 10), expires_on: docType === 'identity-card' ? '2031-01-01' : null })
    .execute();
  await db
    .insertInto('document_versions')
    .values({ document_id: id, version: 1, fields: '{}', ocr_text: '', blob_sha256: sha256, captured_at: at, created_at: at, source_kiosk_id: null, source_mutation_id: null })
    .execute();
}

const applicant = (p: TestPerson): Applicant =>
  applicantOf({ id: randomUUID(), kioskId: KIOSK, personId: p.id, identifier: p.identifier, firstName: p.firstName, cardSerial: p.card, role: p.role, consent: null, expiresAt: Date.now() + 3_600_000 });

async function timed(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    await fn(i);
    if (i >= 2) out.push(performance.now() - t0); // two warm-up rounds
  }
  return out;
}

export async function benchAids(runs = 40): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-bench-aids-'));
  const storage = openDatabase({ kind: 'sqlite', file: join(dir, 'server.db') });
  const { db } = storage;
  try {
    await migrateToLatest(db, 'sqlite');
    await seedDatabase(db, await readSeedFile(SEED_PATH));
    const catalogue = await loadCatalogue();
    const ca = await initCa(dir);
    const deps = { db, dialect: 'sqlite' as const, ca: () => ca, catalogue };

    // one person with a full vault and three open dossiers
    const p = await addPerson(db);
    for (let i = 0; i < 300; i++) await putDoc(db, p, VAULT_KINDS[i % VAULT_KINDS.length]!, (i * 7) % 400);
    const a = applicant(p);
    const dossiers: string[] = [];
    for (const aidIds of [['rsa', 'css'], ['aides-logement'], ['cheque-energie']]) {
      const r = await createDossier(db, 'sqlite', { applicant: a, aidIds, situation: SALARIED_TENANT, catalogue });
      if (!r.ok) throw new Error(r.error.message);
      dossiers.push(r.value.dossierId);
    }
    const view = await timed(runs, async () => {
      const r = await viewDossier(db, 'sqlite', a, dossiers[0]!, catalogue);
      if (!r.ok) throw new Error(r.error.message);
    });
    const reevaluate = await timed(runs, () => db.transaction().execute((trx) => reevaluatePerson(trx, 'sqlite', p.id, { catalogue })));

    // signed sendings: a fresh person each time (one request per aid and person)
    const prepare: number[] = [];
    const submit: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const q = await addPerson(db);
      for (const t of ['identity-card', 'rib', 'payslip'] as const) await putDoc(db, q, t, 5);
      const card = await certify(ca, q);
      const b = applicant(q);
      const r = await createDossier(db, 'sqlite', { applicant: b, aidIds: ['prime-activite'], situation: SALARIED_TENANT, catalogue });
      if (!r.ok) throw new Error(r.error.message);
      const t0 = performance.now();
      const prepared = await prepareSubmission(deps, b, { dossierId: r.value.dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' } });
      const t1 = performance.now();
      if (!prepared.ok) throw new Error(prepared.error.message);
      const manifest = Manifest.parse(prepared.value);
      const signature = signManifest(card.signKey, manifest);
      const t2 = performance.now();
      const sent = await submitSigned(deps, b, { dossierId: r.value.dossierId, manifest, certificate: card.certificate, cardSerial: card.serial, signature });
      const t3 = performance.now();
      if (!sent.ok) throw new Error(sent.error.message);
      if (i >= 2) {
        prepare.push(t1 - t0);
        submit.push(t3 - t2);
      }
    }

    // the dossier PDF with four scanned A4 pages (JPEG, 1240 × 1754), and the receipt
    const scan = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#f4f1ea' } })
      .composite([{ input: Buffer.from('<svg width="1240" height="1754"><text x="100" y="200" font-size="60">RELEVE D IDENTITE BANCAIRE</text></svg>'), top: 0, left: 0 }])
      .jpeg({ quality: 80 })
      .toBuffer();
    const dossier = (pieces: DossierPrintInput['pieces']): DossierPrintInput => ({
      receiptNumber: 'FAC-2026-ABCD1234',
      person: { firstName: 'Léa', lastName: 'Roux', identifier: p.identifier, birthDate: '1990-05-17' },
      situation: SALARIED_TENANT,
      aids: [{ aidName: 'Prime d’activité', institutionName: 'la CAF', state: 'submitted' }],
      pieces,
      signature: { mode: 'manual', ground: { kind: 'beneficiary-signature' }, signerName: 'Léa Roux', signerIdentifier: p.identifier, cardSerial: p.card, signedAt: new Date().toISOString(), manifestSha256: 'ab'.repeat(32), signature: 'x'.repeat(86) },
      submittedAt: new Date().toISOString(),
      generatedAt: new Date().toISOString(),
    });
    const LABELS = ['Carte d’identité', 'RIB', 'Bulletin de salaire', 'Quittance de loyer'];
    const pool = new PdfPool({ preload: [DOCUMENT_PDF_JOB.module, DOSSIER_PDF_JOB.module] });
    await pool.warmUp();
    const printed = async (input: DossierPrintInput) => {
      const r = await printDossier(pool, input);
      if (!r.ok) throw new Error(r.error.message);
    };
    let pdf: number[];
    let again: number[];
    let receipt: number[];
    try {
      // first print: four different scans (their renditions not known yet)
      pdf = await timed(Math.max(10, Math.round(runs / 4)), async (i) => {
        const scans = LABELS.map((_, j) => Buffer.concat([scan, Buffer.from(`${i}-${j}`)])); // trailing bytes: each scan its own
        await printed(dossier(LABELS.map((label, j) => ({ label, status: 'present' as const, document: { title: label, version: 1, bytes: new Uint8Array(scans[j]!) } }))));
      });
      // the same dossier printed again: its scans are stored blobs, their renditions kept by SHA-256
      const stored = LABELS.map((label, j) => ({ label, status: 'present' as const, document: { title: label, version: 1, bytes: new Uint8Array(scan), sha256: `${'0'.repeat(63)}${j}` } }));
      again = await timed(Math.max(10, Math.round(runs / 4)), () => printed(dossier(stored)));
      receipt = await timed(runs, async () => {
        const r = await printReceipt(pool, {
          receiptNumber: 'FAC-2026-ABCD1234',
          person: { firstName: 'Léa', lastName: 'Roux', identifier: p.identifier },
          aids: [{ aidName: 'Prime d’activité', institutionName: 'la CAF' }],
          mode: 'manual',
          signedAt: new Date().toISOString(),
          submittedAt: new Date().toISOString(),
          piecesGiven: 3,
          piecesMissing: 0,
          manifestSha256: 'ab'.repeat(32),
        });
        if (!r.ok) throw new Error(r.error.message);
      });
    } finally {
      await pool.close();
    }
    return [
      summarize('aid request: the dossier screen, checklist filled from a 300-paper vault (RSA + CSS bundle, SQLite)', view, {
        notes: ['viewDossier: re-assessment of every piece, history, thread, in one transaction'],
      }),
      summarize('aid request: re-evaluation a deposit adds (3 open dossiers, 300 papers)', reevaluate, {
        notes: ['reevaluatePerson in its own transaction; a deposit runs it inside the deposit’s transaction'],
      }),
      summarize('aid request: manifest prepared by the server', prepare),
      summarize('aid request: signed sending checked and recorded (certificate, PSO:CDS signature, transitions, journal)', submit, {
        notes: ['the card’s own signing time is “PIN typed again → request manifest signed by the card” in the card bench'],
      }),
      summarize('aid request: dossier PDF with 4 scanned A4 pages (JPEG)', pdf, {
        notes: ['first print: each scan re-encoded by sharp for paper (≤ 2480 px, JPEG), the PDF laid out in a warm PDF pool thread (input copied there, bytes transferred back)'],
      }),
      summarize('aid request: the same dossier PDF printed again (scans’ renditions kept)', again),
      summarize('aid request: receipt PDF', receipt, { notes: ['laid out in the warm PDF pool thread'] }),
    ];
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
