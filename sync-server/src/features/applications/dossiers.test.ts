/**
 * Dossiers on SQLite and PostgreSQL: the checklist assessed from the vault (auto-match of the newest
 * valid paper, `other` papers only by the person's choice, expired and too old, bundles with shared
 * pieces once, pieces asked again), filing (bundle, linked aid bringing its parent), the re-evaluation
 * when a paper arrives through a real deposit mutation (the sync engine) or an institution's issue — up
 * to the automatic sending — the signed sending with real P-256 signatures (and everything it must
 * refuse without storing anything), the procuration ground, and linked aids after the parent's decision.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dossier, MANIFEST_TTL_MS, Manifest } from '../../../protocol/applications.ts';
import type { FilingSituation, SubmissionGround, SubmissionMode } from '../../../protocol/applications.ts';
import type { DocType } from '../../../protocol/common.ts';
import { loadCatalogue } from '../aids/index.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';
import { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { initCa } from '../cards/index.ts';
import type { LoadedCa } from '../cards/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { issueInstitutionalDocument } from '../institutions/index.ts';
import { readSeedFile, seedDatabase } from '../../edge/seed.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import type { Database, VaultKind } from '../../kernel/storage/schema.ts';
import { SyncEngine } from '../sync/index.ts';
import { addKiosk, countRows, DIALECTS, depositMutation, freshEnv, SEED_PATH, STAFF_TOKEN } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';
import { addPerson, certify, signManifest } from '../../../test-support/test-cards.ts';
import type { TestCard, TestPerson } from '../../../test-support/test-cards.ts';
import { proveWith } from '../../../test-support/test-ca.ts';
import { fireEvent, queue } from './applications.ts';
import { applicationDetail } from './processing.ts';
import type { ApplicationActor } from './applications.ts';
import { adaptChecklist, applicantOf, choosePiece, createDossier, listDossiers, viewDossier, writeToInstitution } from './dossiers.ts';
import type { Applicant } from './dossiers.ts';
import { ARRIVAL_DAYS, requestedSince } from './pieces.ts';
import type { AssessedPiece } from './pieces.ts';
import { prepareSubmission, submitSigned } from './submission.ts';
import type { SubmissionDeps } from './submission.ts';

const HOSTED: FilingSituation = { housing: 'hosted', activity: ['inactive'], nationality: 'french', children: false, couple: false };
const TENANT_SALARIED: FilingSituation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };
const CAF: ApplicationActor = { kind: 'institution', id: 'staff-caf-1' };
const MDPH: ApplicationActor = { kind: 'institution', id: 'staff-mdph-1' };
const RECEIPT = /^FAC-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$/;

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const dateDaysAgo = (days: number) => isoDaysAgo(days).slice(0, 10);
const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');
/** an institution's PDF is opened in a PDF thread before it is stored */
const pdfPool = new PdfPool({ size: 1 });
afterAll(() => pdfPool.close());

describe.each(DIALECTS)('dossiers (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let db: Kysely<Database>;
  let catalogue: AidCatalogue;
  let ca: LoadedCa;
  let engine: SyncEngine;
  let kiosk: TestKiosk;
  let seq = 0;
  let blobDir: string;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    db = storage.db;
    await migrateToLatest(db, dialect);
    await seedDatabase(db, await readSeedFile(SEED_PATH));
    catalogue = await loadCatalogue();
    ca = await initCa(env.config.dataDir);
    engine = new SyncEngine({ db, dialect, makeDurable: async () => {}, log: silent, caCertificate: () => ca.certificate });
    kiosk = await addKiosk(db);
    blobDir = mkdtempSync(join(tmpdir(), 'fac-dossier-blobs-'));
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });

  const subs = (now?: () => Date): SubmissionDeps => ({ db, dialect, ca: () => ca, catalogue, ...(now ? { now } : {}) });

  /** The person alone at the kiosk (own card), or with an agent (consent). */
  const alone = (p: TestPerson): Applicant =>
    applicantOf({ id: randomUUID(), kioskId: kiosk.kioskId, personId: p.id, identifier: p.identifier, firstName: p.firstName, cardSerial: p.card, role: p.role, consent: null, expiresAt: Date.now() + 60_000 });
  const session = (p: TestPerson) => ({ id: randomUUID(), kioskId: kiosk.kioskId, personId: p.id, identifier: p.identifier, firstName: p.firstName, cardSerial: p.card, role: p.role, consent: null, expiresAt: Date.now() + 60_000 });
  const withAgent = (p: TestPerson, agent: TestPerson): Applicant =>
    applicantOf({
      id: randomUUID(),
      kioskId: kiosk.kioskId,
      personId: p.id,
      identifier: p.identifier,
      firstName: p.firstName,
      cardSerial: p.card,
      role: p.role,
      consent: { agentPersonId: agent.id, agentIdentifier: agent.identifier, agentCardSerial: agent.card },
      expiresAt: Date.now() + 60_000,
    });

  /** A paper straight into the vault tables (the assessment reads only those). */
  async function putDoc(
    p: TestPerson,
    o: { docType: DocType; vault?: VaultKind; issuedOn?: string | null; expiresOn?: string | null; capturedAt?: string; id?: string },
  ): Promise<string> {
    const id = o.id ?? randomUUID();
    const sha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
    const now = new Date().toISOString();
    await db.insertInto('blobs').values({ sha256, size: 10, mime: 'image/png', created_at: now, uploaded_by: null, referenced_at: now }).execute();
    await db
      .insertInto('documents')
      .values({ id, owner_person_id: p.id, vault: o.vault ?? 'personal', doc_type: o.docType, institution_id: null, current_version: 1, created_at: now, updated_at: now, title: `Papier ${o.docType}`, issued_on: o.issuedOn ?? null, expires_on: o.expiresOn ?? null })
      .execute();
    await db
      .insertInto('document_versions')
      .values({ document_id: id, version: 1, fields: '{}', ocr_text: '', blob_sha256: sha256, captured_at: o.capturedAt ?? now, created_at: now, source_kiosk_id: null, source_mutation_id: null })
      .execute();
    return id;
  }

  /** Each person's card, certified once: it signs the person's deposits as the card does at the box. */
  const cards = new Map<string, TestCard>();
  async function cardOf(p: TestPerson): Promise<TestCard> {
    let c = cards.get(p.card);
    if (!c) cards.set(p.card, (c = await certify(ca, p)));
    return c;
  }

  /** A deposit from the kiosk, through the sync engine (uploaded blob row, then the mutation). */
  async function deposit(p: TestPerson, o: { docType: DocType; documentId?: string; issuedOn?: string }) {
    const blob = randomBytes(64);
    const sha256 = createHash('sha256').update(blob).digest('hex');
    await db.insertInto('blobs').values({ sha256, size: blob.length, mime: 'image/png', created_at: new Date().toISOString(), uploaded_by: kiosk.kioskId, referenced_at: null }).execute();
    const m = depositMutation({
      kioskId: kiosk.kioskId,
      seq: ++seq,
      blob,
      owner: p.identifier,
      cardSerial: p.card,
      signers: [await cardOf(p)],
      docType: o.docType,
      ...(o.issuedOn ? { issuedOn: o.issuedOn } : {}),
      ...(o.documentId ? { documentId: o.documentId } : {}),
    });
    const ack = await engine.apply(kiosk.kioskId, [m]);
    expect(ack, 'deposit applied').toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    return m.payload.documentId;
  }

  async function file(a: Applicant, aidIds: string[], situation: FilingSituation = HOSTED): Promise<string> {
    const r = await createDossier(db, dialect, { applicant: a, aidIds, situation, catalogue });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.dossierId;
  }

  async function view(a: Applicant, dossierId: string): Promise<Dossier> {
    const r = await viewDossier(db, dialect, a, dossierId, catalogue);
    if (!r.ok) throw new Error(r.error.message);
    return Dossier.parse(r.value);
  }
  const statuses = (d: Dossier) => Object.fromEntries(d.checklist.map((c) => [c.itemId, c.status]));
  const states = (d: Dossier) => Object.fromEntries(d.aids.map((x) => [x.aidId, x.state]));

  /** Prepares, signs with `card` (its signature key), submits. */
  async function signAndSubmit(a: Applicant, dossierId: string, card: TestCard, o: { mode?: SubmissionMode; ground?: SubmissionGround } = {}) {
    const prepared = await prepareSubmission(subs(), a, { dossierId, mode: o.mode ?? 'manual', ground: o.ground ?? { kind: 'beneficiary-signature' } });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const manifest = Manifest.parse(prepared.value);
    return submitSigned(subs(), a, { dossierId, manifest, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, manifest) });
  }

  /** A person with a valid identity paper and a RIB: prime d'activité complete at once (hosted, inactive). */
  async function readyPerson() {
    const p = await addPerson(db);
    await putDoc(p, { docType: 'identity-card', expiresOn: '2031-01-01' });
    const rib = await putDoc(p, { docType: 'rib' });
    return { p, a: alone(p), rib, card: await certify(ca, p) };
  }

  it('assesses from the vault: the newest valid paper, personal or institutional; expired and too old said so; `other` never guessed', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    await putDoc(p, { docType: 'identity-card', expiresOn: '2020-01-01' });
    const passport = await putDoc(p, { docType: 'passport', vault: 'institutional', expiresOn: '2033-06-30' });
    await putDoc(p, { docType: 'rib', capturedAt: isoDaysAgo(400) });
    const newerRib = await putDoc(p, { docType: 'rib', capturedAt: isoDaysAgo(3) });
    await putDoc(p, { docType: 'proof-of-address', issuedOn: dateDaysAgo(150) });
    await putDoc(p, { docType: 'other' });

    const energy = await view(a, await file(a, ['cheque-energie']));
    expect(statuses(energy)).toEqual({ identite: 'present', 'avis-impot': 'absent', 'facture-energie': 'too-old' });
    expect(energy.checklist.find((c) => c.itemId === 'identite')?.document?.id).toBe(passport);
    expect(energy.checklist.find((c) => c.itemId === 'facture-energie')).toMatchObject({ maxAgeMonths: 3, issuerKind: 'fournisseur', document: null });
    expect(states(energy)).toEqual({ 'cheque-energie': 'collecting-pieces' });
    expect(energy.canSubmit).toBe(false);

    const prime = await view(a, await file(a, ['prime-activite']));
    expect(statuses(prime)).toEqual({ identite: 'present', rib: 'present' });
    expect(prime.checklist.find((c) => c.itemId === 'rib')?.document?.id).toBe(newerRib);
    // complete at creation: ready by the server's check, and the person may send it
    expect(states(prime)).toEqual({ 'prime-activite': 'ready' });
    expect(prime.canSubmit).toBe(true);
    expect(prime.history.map((h) => h.text)).toEqual(['La demande est commencée.', 'La liste des papiers à donner est prête.', 'Tous les papiers sont là.']);

    // the RSA of a hosted person asks for an attestation d'hébergement: a paper filed as `other` is never taken for it
    const rsa = await view(a, await file(a, ['rsa']));
    expect(statuses(rsa)).toMatchObject({ 'attestation-hebergement': 'absent' });

    // only an expired identity card: said so
    const q = await addPerson(db);
    await putDoc(q, { docType: 'identity-card', expiresOn: '2021-03-01' });
    expect(statuses(await view(alone(q), await file(alone(q), ['prime-activite'])))).toEqual({ identite: 'expired', rib: 'absent' });
  });

  it('files a bundle: each shared piece once, with the aids that ask for it, and the strictest age', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    const id = await file(a, ['css', 'rsa'], TENANT_SALARIED);
    const d = await view(a, id);
    expect(d.aids.map((x) => [x.aidId, x.state, x.institutionName])).toEqual([
      ['rsa', 'collecting-pieces', 'la CAF'],
      ['css', 'collecting-pieces', 'l’Assurance maladie'],
    ]);
    expect(d.checklist.map((c) => [c.itemId, c.forAids, c.maxAgeMonths])).toEqual([
      ['identite', ['rsa', 'css'], null],
      ['rib', ['rsa'], null],
      ['bulletins-salaire', ['rsa', 'css'], 3],
      ['quittance-loyer', ['rsa'], 3],
      ['attestation-assurance-maladie', ['css'], 3],
      ['avis-impot', ['css'], 16],
    ]);
    expect(await db.selectFrom('dossier_pieces').select('item_id').where('dossier_id', '=', id).execute()).toHaveLength(6);

    // what cannot be filed together, twice, or at all
    const refused = async (aidIds: string[]) => {
      const r = await createDossier(db, dialect, { applicant: alone(await addPerson(db)), aidIds, situation: HOSTED, catalogue });
      return r.ok ? null : r.error;
    };
    expect(await refused(['rsa', 'aah'])).toMatchObject({ code: 'invalid', message: 'Ces aides ne se demandent pas ensemble. Faites une demande pour chacune.' });
    expect(await refused(['rsa', 'rsa'])).toMatchObject({ code: 'invalid' });
    expect(await refused(['aide-imaginaire'])).toMatchObject({ code: 'unknown' });
    const again = await createDossier(db, dialect, { applicant: a, aidIds: ['rsa'], situation: HOSTED, catalogue });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('warns, from the age on the day of the request, that a 17-year-old is below the RSA’s and the prime d’activité’s age; filing still possible', async () => {
    const p = await addPerson(db);
    const at = '2026-06-01T10:00:00.000Z';
    await db.updateTable('persons').set({ birth_date: '2009-03-14' }).where('id', '=', p.id).execute();
    const warningsOf = async (aidIds: string[]) => {
      const r = await createDossier(db, dialect, { applicant: alone(p), aidIds, situation: { ...HOSTED, activity: ['salaried'] }, catalogue, at });
      if (!r.ok) throw new Error(r.error.message);
      const view = await viewDossier(db, dialect, alone(p), r.value.dossierId, catalogue);
      if (!view.ok) throw new Error(view.error.message);
      // the wire schema carries them to the kiosk
      return Object.fromEntries(Dossier.parse(view.value).aids.map((a) => [a.aidId, a.warnings.map((w) => w.text)]));
    };
    const rsa = await warningsOf(['rsa', 'css']);
    expect(rsa.rsa).toEqual([expect.stringMatching(/^Vous avez 17 ans\. Le RSA est pour les personnes de 25 ans ou plus\./)]);
    expect(rsa.css).toEqual([]);
    expect((await warningsOf(['prime-activite']))['prime-activite']).toEqual(['Vous avez 17 ans. La prime d’activité est pour les personnes de 18 ans ou plus.']);
    // a grown-up with the same situation: no warning
    const q = await addPerson(db);
    const r2 = await createDossier(db, dialect, { applicant: alone(q), aidIds: ['rsa'], situation: HOSTED, catalogue, at });
    if (!r2.ok) throw new Error(r2.error.message);
    const v2 = await viewDossier(db, dialect, alone(q), r2.value.dossierId, catalogue);
    expect(v2.ok && v2.value.aids[0]!.warnings).toEqual([]);
  });

  it('files a linked aid with the aid it waits for, or waits for the one the person already has', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    const d = await view(a, await file(a, ['aah']));
    expect(d.aids.map((x) => x.aidId)).toEqual(['demande-mdph', 'aah']);
    const apps = await db.selectFrom('applications').selectAll().where('dossier_id', '=', d.dossierId).execute();
    const mdph = apps.find((x) => x.aid_id === 'demande-mdph')!;
    expect(apps.find((x) => x.aid_id === 'aah')?.waits_for).toBe(mdph.id);
    expect(mdph.waits_for).toBeNull();
    expect(d.aids.find((x) => x.aidId === 'aah')?.waitsFor).toBe('La CAF verse l’AAH seulement après la décision de la MDPH sur votre handicap.');

    // the PCH later: the undecided MDPH request is reused, not filed twice
    const later = await view(a, await file(a, ['pch']));
    expect(later.aids.map((x) => x.aidId)).toEqual(['pch']);
    expect((await db.selectFrom('applications').select('waits_for').where('dossier_id', '=', later.dossierId).executeTakeFirstOrThrow()).waits_for).toBe(mdph.id);

    // several linked aids with their parent, or together after it
    const q = await addPerson(db);
    const both = await db
      .selectFrom('applications')
      .select(['aid_id', 'waits_for', 'id'])
      .where('dossier_id', '=', await file(alone(q), ['aah', 'cmi']))
      .execute();
    const parent = both.find((x) => x.aid_id === 'demande-mdph');
    expect(both.map((x) => x.aid_id).sort()).toEqual(['aah', 'cmi', 'demande-mdph']);
    expect(both.filter((x) => x.aid_id !== 'demande-mdph').map((x) => x.waits_for)).toEqual([parent?.id, parent?.id]);
    const r = await createDossier(db, dialect, { applicant: alone(await addPerson(db)), aidIds: ['demande-mdph', 'pch'], situation: HOSTED, catalogue });
    expect(r.ok).toBe(true);
  });

  it('takes the paper the person chooses; an id still on its way is `arriving`; someone else’s paper is never attached', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    const other = await addPerson(db);
    const form = await putDoc(p, { docType: 'other' });
    const rib = await putDoc(p, { docType: 'rib' });
    const notMine = await putDoc(other, { docType: 'other' });
    const id = await file(a, ['demande-mdph']);
    expect(statuses(await view(a, id))).toEqual({ 'formulaire-mdph': 'absent', 'certificat-medical-mdph': 'absent', identite: 'absent', 'attestation-hebergement': 'absent' });

    const choose = (itemId: string, documentId: string) => choosePiece(db, dialect, a, { dossierId: id, itemId, documentId, catalogue });
    expect(await choose('formulaire-mdph', form)).toEqual({ ok: true, value: null });
    expect(await choose('certificat-medical-mdph', notMine)).toEqual({ ok: false, error: { code: 'unknown', message: 'Ce document n’est pas dans votre coffre.' } });
    expect(await choose('identite', rib)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await choose('nope', form)).toMatchObject({ ok: false, error: { code: 'unknown' } });

    // scanned on the kiosk, still in its outbox: arriving, then attached when its deposit is applied
    const scanned = randomUUID();
    const stranger = randomUUID();
    expect(await choose('certificat-medical-mdph', scanned)).toMatchObject({ ok: true });
    expect(await choose('attestation-hebergement', stranger)).toMatchObject({ ok: true });
    let d = await view(a, id);
    expect(statuses(d)).toMatchObject({ 'formulaire-mdph': 'present', 'certificat-medical-mdph': 'arriving', 'attestation-hebergement': 'arriving' });
    expect(d.checklist.find((c) => c.itemId === 'formulaire-mdph')?.document?.id).toBe(form);

    await deposit(p, { docType: 'other', documentId: scanned });
    // a paper with the chosen id arrives in someone else's vault: dropped, not attached
    await deposit(other, { docType: 'other', documentId: stranger });
    d = await view(a, id);
    expect(statuses(d)).toMatchObject({ 'certificat-medical-mdph': 'present', 'attestation-hebergement': 'absent' });
    const rows = await db.selectFrom('dossier_pieces').selectAll().where('dossier_id', '=', id).execute();
    expect(rows.find((r) => r.item_id === 'certificat-medical-mdph')).toMatchObject({ document_id: scanned, version: 1, chosen_by: 'person' });
    expect(rows.find((r) => r.item_id === 'attestation-hebergement')).toMatchObject({ document_id: null, chosen_by: null });
    expect(await db.selectFrom('audit_journal').select('action').where('action', '=', 'application.piece.choose').where('subject_person_id', '=', p.id).execute()).toHaveLength(3);
  });

  it('a request that cannot be re-assessed (a damaged row) never holds back the papers of the batch: kept, and said in the log', async () => {
    const { p, a } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    await db.updateTable('dossiers').set({ situation: '{"housing":' }).where('id', '=', id).execute();
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }) as unknown as FastifyBaseLogger;
    const logged = new SyncEngine({ db, dialect, makeDurable: async () => {}, log, caCertificate: () => ca.certificate });
    const blob = randomBytes(64);
    const sha256 = createHash('sha256').update(blob).digest('hex');
    await db.insertInto('blobs').values({ sha256, size: blob.length, mime: 'image/png', created_at: new Date().toISOString(), uploaded_by: kiosk.kioskId, referenced_at: null }).execute();
    const m = depositMutation({ kioskId: kiosk.kioskId, seq: ++seq, blob, owner: p.identifier, cardSerial: p.card, signers: [await cardOf(p)], docType: 'payslip' });
    expect(await logged.apply(kiosk.kioskId, [m])).toMatchObject({ ok: true, lastSeq: seq, results: [{ status: 'applied' }] });
    expect(await db.selectFrom('documents').select('doc_type').where('id', '=', m.payload.documentId).executeTakeFirst()).toEqual({ doc_type: 'payslip' });
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['aid requests could not be re-assessed after a vault change; the papers are kept']);
    // nothing of the person's identity in that line, only ids
    expect(lines.join('')).not.toContain(p.identifier);
  });

  it('pushes status changes to the kiosk where the person last opened their aid space', async () => {
    const { a, card } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    expect(await signAndSubmit(a, id, card)).toMatchObject({ ok: true, value: { state: 'submitted' } });
    // the person logs in at another kiosk and opens "Mes aides" there
    const other = await addKiosk(db);
    const there: Applicant = { ...a, kioskId: other.kioskId };
    expect((await listDossiers(db, there, catalogue)).dossiers.map((d) => d.dossierId)).toEqual([id]);
    const app = await db.selectFrom('applications').select('id').where('dossier_id', '=', id).executeTakeFirstOrThrow();
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'take-up', actor: CAF })).toMatchObject({ ok: true });
    const pushes = await db.selectFrom('kiosk_pushes').select(['kiosk_id', 'kind', 'body']).where('kind', '=', 'application-status').where('body', 'like', `%${app.id}%`).execute();
    expect(pushes.map((x) => [x.kiosk_id, JSON.parse(x.body ?? '{}').status])).toEqual([[other.kioskId, 'in-review']]);
  });

  it('a paper chosen on the kiosk that has not arrived after a week is `not-arrived`; if it comes after all, it is attached', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    const id = await file(a, ['demande-mdph']);
    const lost = randomUUID();
    expect(await choosePiece(db, dialect, a, { dossierId: id, itemId: 'certificat-medical-mdph', documentId: lost, catalogue })).toMatchObject({ ok: true });
    const row = () => db.selectFrom('dossier_pieces').select(['document_id', 'chosen_by', 'chosen_at']).where('dossier_id', '=', id).where('item_id', '=', 'certificat-medical-mdph').executeTakeFirstOrThrow();
    expect((await row()).chosen_at).not.toBeNull();
    const chosenDaysAgo = (days: number) =>
      db.updateTable('dossier_pieces').set({ chosen_at: new Date(Date.now() - days * 86_400_000).toISOString() }).where('dossier_id', '=', id).where('item_id', '=', 'certificat-medical-mdph').execute();
    await chosenDaysAgo(ARRIVAL_DAYS - 1);
    expect(statuses(await view(a, id))['certificat-medical-mdph']).toBe('arriving');
    await chosenDaysAgo(ARRIVAL_DAYS);
    const d = await view(a, id);
    expect(statuses(d)['certificat-medical-mdph']).toBe('not-arrived');
    expect(d.canSubmit).toBe(false);
    // the choice is kept: re-assessing (another paper arrives) does not drop it
    await deposit(p, { docType: 'rib' });
    expect(await row()).toMatchObject({ document_id: lost, chosen_by: 'person' });
    // the kiosk comes back online at last and delivers it
    await deposit(p, { docType: 'other', documentId: lost });
    expect(statuses(await view(a, id))['certificat-medical-mdph']).toBe('present');
  });

  it('sends by itself when the last piece arrives through a deposit mutation, on the manifest signed for automatic sending', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    const card = await certify(ca, p);
    await putDoc(p, { docType: 'passport', expiresOn: '2032-01-01' });
    const id = await file(a, ['prime-activite']);
    // manual sending needs every piece
    expect(await prepareSubmission(subs(), a, { dossierId: id, mode: 'manual', ground: { kind: 'beneficiary-signature' } })).toMatchObject({ ok: false, error: { code: 'incomplete' } });
    const prepared = await prepareSubmission(subs(), a, { dossierId: id, mode: 'automatic', ground: { kind: 'beneficiary-signature' } });
    expect(prepared.ok && prepared.value.pieces.map((x) => [x.itemId, x.documentId === null])).toEqual([
      ['identite', false],
      ['rib', true],
    ]);
    const signed = await signAndSubmit(a, id, card, { mode: 'automatic' });
    expect(signed).toMatchObject({ ok: true, value: { state: 'waiting-for-pieces', receiptNumber: expect.stringMatching(RECEIPT) as unknown } });
    let d = await view(a, id);
    expect(d).toMatchObject({ mode: 'automatic', submittedAt: null, canSubmit: false });
    expect(d.signedAt).not.toBeNull();
    expect(states(d)).toEqual({ 'prime-activite': 'collecting-pieces' });

    const pushesBefore = await countRows(db, 'kiosk_pushes');
    const rib = await deposit(p, { docType: 'rib' });
    d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'submitted' });
    expect(d.submittedAt).not.toBeNull();
    expect(d.history.map((h) => h.text).slice(-2)).toEqual([
      'Tous les papiers sont là.',
      'Le dernier papier est arrivé : la demande est envoyée à la CAF, comme vous l’avez signé.',
    ]);
    const transitions = await db
      .selectFrom('application_transitions')
      .innerJoin('applications', 'applications.id', 'application_transitions.application_id')
      .select(['application_transitions.event', 'application_transitions.actor_kind'])
      .where('applications.dossier_id', '=', id)
      .orderBy('application_transitions.seq')
      .execute();
    expect(transitions.at(-1)).toEqual({ event: 'submit', actor_kind: 'system' });
    expect(await db.selectFrom('dossier_pieces').select(['document_id', 'version']).where('dossier_id', '=', id).where('item_id', '=', 'rib').executeTakeFirst()).toEqual({ document_id: rib, version: 1 });
    // the person is told, at the kiosk the dossier was signed on
    expect(await db.selectFrom('application_notices').select(['state']).where('dossier_id', '=', id).execute()).toEqual([{ state: 'submitted' }]);
    expect(await countRows(db, 'kiosk_pushes')).toBe(pushesBefore + 1);
    expect(await db.selectFrom('kiosk_pushes').select(['kiosk_id', 'kind']).orderBy('created_at', 'desc').executeTakeFirst()).toEqual({ kiosk_id: kiosk.kioskId, kind: 'application-status' });
  });

  it('sends by itself when an institution puts the last paper in the vault', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    await putDoc(p, { docType: 'identity-card', expiresOn: '2031-01-01' });
    await putDoc(p, { docType: 'proof-of-address', issuedOn: dateDaysAgo(10) });
    const id = await file(a, ['cheque-energie']);
    expect(await signAndSubmit(a, id, await certify(ca, p), { mode: 'automatic' })).toMatchObject({ ok: true, value: { state: 'waiting-for-pieces' } });
    const issued = await issueInstitutionalDocument({ db, dialect, blobStore: new LocalBlobStore(blobDir), pdf: pdfPool }, { kind: 'staff', id: STAFF_TOKEN.slice(0, 8) }, p.identifier, {
      institutionId: 'sip',
      docType: 'tax-notice',
      fields: {},
      text: '',
      issuedOn: dateDaysAgo(30),
      mime: 'application/pdf',
      content: TINY_PDF,
    });
    expect(issued).toMatchObject({ ok: true });
    const d = await view(a, id);
    expect(states(d)).toEqual({ 'cheque-energie': 'submitted' });
    expect(d.checklist.find((c) => c.itemId === 'avis-impot')).toMatchObject({ status: 'present', document: { id: issued.ok ? issued.documentId : '' } });
  });

  it('a RIB forged by a kiosk without the person’s card never answers the institution’s request', async () => {
    const { p, a, rib, card } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    expect(await signAndSubmit(a, id, card)).toMatchObject({ ok: true, value: { state: 'submitted' } });
    const app = await db.selectFrom('applications').select('id').where('dossier_id', '=', id).executeTakeFirstOrThrow();
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'take-up', actor: CAF })).toMatchObject({ ok: true });
    await db.updateTable('dossier_pieces').set({ requested_at: new Date().toISOString(), request_message: 'RIB illisible.' }).where('dossier_id', '=', id).where('item_id', '=', 'rib').execute();
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'request-information', actor: CAF, message: 'Merci de redonner votre RIB.' })).toMatchObject({ ok: true });

    // a stolen tablet (or its device key) names the person's card, but only another card can sign for it
    const thief = await addPerson(db, { firstName: 'Marc', lastName: 'Voleur' });
    const forged = async (signers: readonly TestCard[], o: { kioskId?: string } = {}) => {
      const blob = randomBytes(64);
      const sha256 = createHash('sha256').update(blob).digest('hex');
      await db.insertInto('blobs').values({ sha256, size: blob.length, mime: 'image/png', created_at: new Date().toISOString(), uploaded_by: kiosk.kioskId, referenced_at: null }).execute();
      return depositMutation({ kioskId: o.kioskId ?? kiosk.kioskId, seq: ++seq, blob, owner: p.identifier, cardSerial: p.card, signers, documentId: rib });
    };
    const attempts = [
      // the thief's own card, named as the person's
      await forged([{ ...(await cardOf(thief)), serial: p.card }]),
      // the person's genuine certificate (read off the card once), with a signature by another key
      await forged([{ ...(await cardOf(p)), authKey: (await cardOf(thief)).authKey }]),
      // a genuine signature of the person's card, made for another kiosk
      await forged([await cardOf(p)], { kioskId: 'borne-autre-mairie' }),
    ];
    for (const m of attempts) {
      const ack = await engine.apply(kiosk.kioskId, [m]);
      expect(ack).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: expect.stringContaining('card_not_present') } }] });
    }
    // a genuine signature over another paper, put on this one
    const genuine = await forged([await cardOf(p)]);
    const other = await forged([await cardOf(p)]);
    expect(await engine.apply(kiosk.kioskId, [{ ...other, seq: genuine.seq, proof: genuine.proof }])).toMatchObject({ ok: true, results: [{ status: 'refused' }] });
    seq = genuine.seq; // the refused one used it; `other` was never sent

    const d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'information-requested' });
    expect(d.checklist.find((c) => c.itemId === 'rib')).toMatchObject({ status: 'absent', requestedByInstitution: true });
    expect((await db.selectFrom('documents').select('current_version').where('id', '=', rib).executeTakeFirstOrThrow()).current_version).toBe(1);
    // the person can see that a tablet tried: every attempt is in their journal
    const tried = await db.selectFrom('audit_journal').select('detail').where('action', '=', 'mutation.refused').where('subject_person_id', '=', p.id).execute();
    expect(tried).toHaveLength(4);

    // with the person's card at the box, the paper answers the request
    await deposit(p, { docType: 'rib', documentId: rib });
    expect(states(await view(a, id))).toEqual({ 'prime-activite': 'in-processing' });
    const journaled = await db.selectFrom('audit_journal').select('detail').where('action', '=', 'document.deposit').where('document_id', '=', rib).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(journaled.detail)).toMatchObject({ cardSerial: p.card, proof: expect.stringMatching(/^card-signature:[0-9a-f]{64}$/) });
  });

  it('a piece asked again takes only a newer version; when it arrives the information is provided by the server', async () => {
    const { p, a, rib, card } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    expect(await signAndSubmit(a, id, card)).toMatchObject({ ok: true, value: { state: 'submitted' } });
    const app = await db.selectFrom('applications').select('id').where('dossier_id', '=', id).executeTakeFirstOrThrow();
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'take-up', actor: CAF })).toMatchObject({ ok: true });
    // the console asks for the RIB again (a newer one)
    await db.updateTable('dossier_pieces').set({ requested_at: new Date().toISOString(), request_message: 'Ce RIB est à un autre nom.' }).where('dossier_id', '=', id).where('item_id', '=', 'rib').execute();
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'request-information', actor: CAF, message: 'Merci de donner un RIB à votre nom.' })).toMatchObject({ ok: true });
    let d = await view(a, id);
    expect(d.checklist.find((c) => c.itemId === 'rib')).toMatchObject({ status: 'absent', requestedByInstitution: true });
    expect(d.checklist.find((c) => c.itemId === 'identite')).toMatchObject({ status: 'present', requestedByInstitution: false });
    // what was sent stays linked for the institution, which reads the paper it asked about, until a newer one comes
    const sent = await db.selectFrom('dossier_pieces').select(['document_id', 'version', 'blob_sha256']).where('dossier_id', '=', id).where('item_id', '=', 'rib').executeTakeFirstOrThrow();
    expect(sent).toMatchObject({ document_id: rib, version: 1 });
    expect(sent.blob_sha256).not.toBeNull();
    // the paper it had is not the answer; nor are the items that were not asked again
    expect(await choosePiece(db, dialect, a, { dossierId: id, itemId: 'rib', documentId: rib, catalogue })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await choosePiece(db, dialect, a, { dossierId: id, itemId: 'identite', documentId: rib, catalogue })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // writing does not answer while the paper is missing
    expect(await writeToInstitution(db, dialect, a, { dossierId: id, body: 'Je le scanne demain.', catalogue })).toMatchObject({ ok: true });
    expect(states(await view(a, id))).toEqual({ 'prime-activite': 'information-requested' });

    // a new version of the same paper, deposited from the kiosk
    await deposit(p, { docType: 'rib', documentId: rib });
    d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'in-processing' });
    expect(d.checklist.find((c) => c.itemId === 'rib')).toMatchObject({ status: 'present', document: { id: rib, version: 2 } });
    expect(await db.selectFrom('dossier_pieces').select(['document_id', 'version']).where('dossier_id', '=', id).where('item_id', '=', 'rib').executeTakeFirstOrThrow()).toEqual({ document_id: rib, version: 2 });
    expect(d.history.at(-1)?.text).toBe('Les papiers demandés sont arrivés.');
    expect(d.messages.map((m) => [m.author, m.authorName, m.body])).toEqual([['person', 'Vous', 'Je le scanne demain.']]);

    // a question without a paper: the person's answer is the information
    expect(await fireEvent(db, dialect, { applicationId: app.id, event: 'request-information', actor: CAF, message: 'Depuis quand êtes-vous hébergé ?' })).toMatchObject({ ok: true });
    expect(await writeToInstitution(db, dialect, a, { dossierId: id, body: 'Depuis mars.', catalogue })).toMatchObject({ ok: true });
    d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'in-processing' });
    expect(d.history.at(-1)?.text).toBe('Vous avez répondu.');
  });

  it('goes back to collecting when an attached paper is deleted from the vault (delete mutation)', async () => {
    const { p, a, rib } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    expect(states(await view(a, id))).toEqual({ 'prime-activite': 'ready' });
    const body = { type: 'vault.document.delete' as const, payload: { documentId: rib, owner: p.identifier, ground: { kind: 'own-card' as const, cardSerial: p.card } } };
    const id2 = randomUUID();
    const ack = await engine.apply(kiosk.kioskId, [
      { seq: ++seq, id: id2, createdAt: new Date().toISOString(), blobs: [], proof: proveWith(kiosk.kioskId, { id: id2, blobs: [], ...body }, [await cardOf(p)]), ...body },
    ]);
    expect(ack).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    // moved in the delete's own transaction, before anyone looks
    expect(await db.selectFrom('applications').select('state').where('dossier_id', '=', id).executeTakeFirstOrThrow()).toEqual({ state: 'collecting-pieces' });
    const d = await view(a, id);
    expect(d.checklist.find((c) => c.itemId === 'rib')).toMatchObject({ status: 'absent', document: null });
    expect(d.history.at(-1)?.text).toBe('Il manque de nouveau un papier.');
  });

  it('moves the request in the commit of the batch that brought its last paper, even when a later mutation of the batch is refused', async () => {
    const p = await addPerson(db);
    const a = alone(p);
    await putDoc(p, { docType: 'passport', expiresOn: '2032-01-01' });
    const id = await file(a, ['prime-activite']);
    expect(await signAndSubmit(a, id, await certify(ca, p), { mode: 'automatic' })).toMatchObject({ ok: true, value: { state: 'waiting-for-pieces' } });
    const historyBefore = (await view(a, id)).history.length;
    // three papers of the person (the RIB among them), then one for a vault nobody holds: refused
    const uploaded = async (owner: string, docType: DocType) => {
      const blob = randomBytes(64);
      const sha256 = createHash('sha256').update(blob).digest('hex');
      await db.insertInto('blobs').values({ sha256, size: blob.length, mime: 'image/png', created_at: new Date().toISOString(), uploaded_by: kiosk.kioskId, referenced_at: null }).execute();
      return depositMutation({ kioskId: kiosk.kioskId, seq: ++seq, blob, owner, cardSerial: p.card, signers: [await cardOf(p)], docType });
    };
    const batch = [];
    for (const docType of ['payslip', 'rib', 'proof-of-address'] as const) batch.push(await uploaded(p.identifier, docType));
    batch.push(await uploaded('PERSONNE-INCONNUE', 'rib'));
    const ack = await engine.apply(kiosk.kioskId, batch);
    // the last one is refused for good: its seq is used up, the kiosk goes on
    expect(ack).toMatchObject({ ok: true, lastSeq: seq });
    expect(ack.results?.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'refused']);
    const d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'submitted' });
    // the papers before the refused mutation are kept, and so is what they did to the request
    expect(d.history.slice(historyBefore).map((h) => h.text)).toEqual([
      'Tous les papiers sont là.',
      'Le dernier papier est arrivé : la demande est envoyée à la CAF, comme vous l’avez signé.',
    ]);
  });

  it('sends on a real card signature; refuses a tampered or stale manifest, another card, a blocked card, another person’s card — storing nothing', async () => {
    const { p, a, card } = await readyPerson();
    const id = await file(a, ['prime-activite']);
    const prepared = await prepareSubmission(subs(), a, { dossierId: id, mode: 'manual', ground: { kind: 'beneficiary-signature' } });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const manifest = Manifest.parse(prepared.value);
    expect(manifest).toMatchObject({ context: 'FACILITATEUR-DEMANDE-V1', dossierId: id, person: p.identifier, kioskId: kiosk.kioskId, mode: 'manual', catalogueVersion: catalogue.version });

    const snapshot = async () => ({
      dossier: await db.selectFrom('dossiers').select(['signed_at', 'manifest', 'signature', 'receipt_number', 'submitted_at', 'mode']).where('id', '=', id).executeTakeFirstOrThrow(),
      transitions: await countRows(db, 'application_transitions'),
      signedEntries: (await db.selectFrom('audit_journal').select('seq').where('action', '=', 'application.signed').execute()).length,
    });
    const before = await snapshot();
    expect(before.dossier.signed_at).toBeNull();
    const submit = (m: Manifest, c: TestCard, signature = signManifest(c.signKey, m), deps = subs()) =>
      submitSigned(deps, a, { dossierId: id, manifest: m, certificate: c.certificate, cardSerial: c.serial, signature });

    // the manifest changed after the card signed it
    const tampered: Manifest = { ...manifest, pieces: manifest.pieces.map((x) => (x.itemId === 'rib' ? { ...x, version: 7 } : x)) };
    expect(await submit(tampered, card, signManifest(card.signKey, manifest))).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/^Signature refusée/) as unknown } });
    // changed, then signed as changed: the card signed something the server would not build
    expect(await submit(tampered, card)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/ne correspond plus/) as unknown } });
    expect(await submit({ ...manifest, kioskId: 'une-autre-borne' }, card)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await submit({ ...manifest, aids: [] as unknown as Manifest['aids'] }, card)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // signed by another card than the one whose certificate is shown
    const otherKey = await certify(ca, p);
    expect(await submit(manifest, card, signManifest(otherKey.signKey, manifest))).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/^Signature refusée/) as unknown } });
    // signed with the authentication key instead of the signature key
    expect(await submit(manifest, card, signManifest(card.authKey, manifest))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // another person's own, valid card
    const q = await addPerson(db);
    expect(await submit(manifest, await certify(ca, q))).toEqual({ ok: false, error: { code: 'forbidden', message: 'Cette carte n’est pas celle de la personne qui fait la demande.' } });
    // a certificate naming a card the platform does not know
    expect(await submit(manifest, await certify(ca, p, { serial: 'FFFFFFF0' }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // stale, or from the future
    const later = () => new Date(Date.parse(manifest.preparedAt) + MANIFEST_TTL_MS + 1000);
    expect(await submit(manifest, card, undefined, subs(later))).toMatchObject({ ok: false, error: { code: 'expired' } });
    const earlier = () => new Date(Date.parse(manifest.preparedAt) - 5 * 60_000);
    expect(await submit(manifest, card, undefined, subs(earlier))).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // the card blocked (lost) since
    await db.updateTable('cards').set({ status: 'blocked' }).where('serial', '=', p.card).execute();
    expect(await submit(manifest, card)).toEqual({ ok: false, error: { code: 'forbidden', message: 'Carte refusée : elle est bloquée ou remplacée.' } });
    await db.updateTable('cards').set({ status: 'active' }).where('serial', '=', p.card).execute();
    expect(await snapshot()).toEqual(before);

    // the real thing
    const ok = await submit(manifest, card);
    expect(ok).toMatchObject({ ok: true, value: { state: 'submitted', receiptNumber: expect.stringMatching(RECEIPT) as unknown } });
    const row = await db.selectFrom('dossiers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ mode: 'manual', ground: '{"kind":"beneficiary-signature"}', signer_card_serial: p.card, signer_identifier: p.identifier, kiosk_id: kiosk.kioskId });
    expect(Manifest.parse(JSON.parse(row.manifest!))).toEqual(manifest);
    expect(row.submitted_at).not.toBeNull();
    const d = await view(a, id);
    expect(states(d)).toEqual({ 'prime-activite': 'submitted' });
    const entry = await db.selectFrom('audit_journal').selectAll().where('action', '=', 'application.signed').where('subject_person_id', '=', p.id).executeTakeFirstOrThrow();
    expect(entry.ground).toBe('beneficiary-signature');
    expect(JSON.parse(entry.detail)).toMatchObject({ dossierId: id, mode: 'manual', manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, cardSerial: p.card });
    // once signed, not twice
    expect(await submit(manifest, card)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('with the person present, she signs herself: a procuration ground is refused there, and one not opened in the session', async () => {
    const { p, card } = await readyPerson();
    const agent = await addPerson(db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre' });
    const agentCard = await certify(ca, agent);
    const helped = withAgent(p, agent);
    const ground: SubmissionGround = { kind: 'procuration', procurationId: randomUUID() };
    const id = await file(helped, ['prime-activite']);
    // neither the person alone nor with an agent at her side sends on a procuration
    for (const a of [alone(p), helped]) {
      expect(await prepareSubmission(subs(), a, { dossierId: id, mode: 'manual', ground })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/c’est elle qui signe/) } });
    }
    await expect(signAndSubmit(helped, id, agentCard, { ground })).rejects.toThrow(/c’est elle qui signe/);
    // an agent alone on a procuration that is not the one of the session: refused before anything is signed
    const onAnother = applicantOf({ ...session(p), procuration: { id: randomUUID(), agentPersonId: agent.id, agentIdentifier: agent.identifier, agentCardSerial: agent.card } });
    expect(await prepareSubmission(subs(), onAnother, { dossierId: id, mode: 'manual', ground })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/pas sur une autre/) } });
    // nor on the person's own signature: she is not there
    expect(await prepareSubmission(subs(), onAnother, { dossierId: id, mode: 'manual', ground: { kind: 'beneficiary-signature' } })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/n’est pas là/) } });
    // with her card, she signs it
    expect(await signAndSubmit(helped, id, card)).toMatchObject({ ok: true, value: { state: 'submitted' } });
  });

  it('an agent adapts the list: a piece not needed (with its reason) completes the request, a piece added is asked and filled from the vault, either taken back; the signed manifest carries them', async () => {
    const p = await addPerson(db);
    await putDoc(p, { docType: 'identity-card', expiresOn: '2031-01-01' });
    const agent = await addPerson(db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre' });
    const helped = withAgent(p, agent);
    const id = await file(helped, ['prime-activite']);
    const before = await view(helped, id);
    const rib = before.checklist.find((c) => c.docTypes.includes('rib'))!;
    expect(rib.status).toBe('absent');
    expect(before.canSubmit).toBe(false);
    const adapt = (a: Applicant, change: Parameters<typeof adaptChecklist>[3]['change']) => adaptChecklist(db, dialect, a, { dossierId: id, change, catalogue, structure: 'CMS du centre-ville' });

    // the person alone does not change the list; a reason is needed (the socket's schema asks 5 characters: checked there)
    expect(await adapt(alone(p), { kind: 'not-needed', itemId: rib.itemId, reason: 'Pas de compte bancaire' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await adapt(helped, { kind: 'not-needed', itemId: 'pas-dans-la-liste', reason: 'Pas de compte bancaire' })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    const marked = await adapt(helped, { kind: 'not-needed', itemId: rib.itemId, reason: 'Pas de compte bancaire : versement sur un compte Nickel demandé à part' });
    expect(marked).toEqual({ ok: true, value: { itemId: rib.itemId } });
    expect(await adapt(helped, { kind: 'not-needed', itemId: rib.itemId, reason: 'Encore une fois' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    let d = await view(helped, id);
    const ribNow = d.checklist.find((c) => c.itemId === rib.itemId)!;
    expect(ribNow).toMatchObject({ status: 'not-needed', adjustment: { kind: 'not-needed', reason: 'Pas de compte bancaire : versement sur un compte Nickel demandé à part', by: 'Sophie Lefèvre, CMS du centre-ville' } });
    expect(d.canSubmit).toBe(true);
    expect(states(d)).toEqual({ 'prime-activite': 'ready' });

    // a piece added for this case: asked (the request waits for it again), then filled by a paper of the vault
    const added = await adapt(helped, { kind: 'add', label: 'Attestation d’hébergement', docTypes: ['proof-of-address'], issuer: 'hebergeant', reason: 'Hébergée chez sa sœur depuis mars' });
    if (!added.ok) throw new Error(added.error.message);
    expect(added.value.itemId).toMatch(/^ajout-[0-9a-f]{8}$/);
    d = await view(helped, id);
    expect(d.checklist.find((c) => c.itemId === added.value.itemId)).toMatchObject({ label: 'Attestation d’hébergement', status: 'absent', issuerKind: 'hebergeant', adjustment: { kind: 'added', by: 'Sophie Lefèvre, CMS du centre-ville' } });
    expect(d.canSubmit).toBe(false);
    expect(await adapt(helped, { kind: 'add', label: 'Un papier', docTypes: ['other'], issuer: 'nulle-part', reason: 'Pour voir' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // an added piece is taken back, not marked not needed
    expect(await adapt(helped, { kind: 'not-needed', itemId: added.value.itemId, reason: 'Finalement non' })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    await putDoc(p, { docType: 'proof-of-address', issuedOn: dateDaysAgo(10) });
    d = await view(helped, id);
    expect(statuses(d)[added.value.itemId]).toBe('present');
    expect(d.canSubmit).toBe(true);

    // taken back: gone from the list; the RIB's « not needed » taken back too, then given again
    expect(await adapt(helped, { kind: 'undo', itemId: added.value.itemId })).toMatchObject({ ok: true });
    expect((await view(helped, id)).checklist.some((c) => c.itemId === added.value.itemId)).toBe(false);
    expect(await adapt(helped, { kind: 'undo', itemId: added.value.itemId })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    expect(await adapt(helped, { kind: 'undo', itemId: rib.itemId })).toMatchObject({ ok: true });
    expect(statuses(await view(helped, id))[rib.itemId]).toBe('absent');
    await adapt(helped, { kind: 'not-needed', itemId: rib.itemId, reason: 'Pas de compte bancaire' });
    const again = await adapt(helped, { kind: 'add', label: 'Attestation d’hébergement', docTypes: ['proof-of-address'], issuer: 'hebergeant', reason: 'Hébergée chez sa sœur' });
    if (!again.ok) throw new Error(again.error.message);

    // the person signs: what they sign says the RIB is not needed, why and who said so; then the list is fixed
    const r = await signAndSubmit(alone(p), id, await certify(ca, p));
    expect(r).toMatchObject({ ok: true, value: { state: 'submitted' } });
    const row = await db.selectFrom('dossiers').select('manifest').where('id', '=', id).executeTakeFirstOrThrow();
    const signed = Manifest.parse(JSON.parse(row.manifest!));
    expect(signed.pieces.find((x) => x.itemId === rib.itemId)).toEqual({ itemId: rib.itemId, documentId: null, version: null, sha256: null, adjustment: { kind: 'not-needed', reason: 'Pas de compte bancaire', by: 'Sophie Lefèvre, CMS du centre-ville' } });
    expect(await adapt(helped, { kind: 'undo', itemId: rib.itemId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(statuses(await view(alone(p), id))[rib.itemId]).toBe('not-needed');
    expect(signed.pieces.find((x) => x.itemId === again.value.itemId)).toMatchObject({ documentId: expect.any(String), adjustment: { kind: 'added', reason: 'Hébergée chez sa sœur' } });

    // the CAF reads both with the request: the added paper (and may open it), the RIB not needed and why
    const app = await db.selectFrom('applications').selectAll().where('dossier_id', '=', id).executeTakeFirstOrThrow();
    const detail = await applicationDetail(db, catalogue, { id: app.institution_id ?? 'caf', kind: 'caf' }, app);
    expect(detail.pieces.find((x) => x.itemId === rib.itemId)).toMatchObject({ hasFile: false, adjustment: { kind: 'not-needed', reason: 'Pas de compte bancaire', by: 'Sophie Lefèvre, CMS du centre-ville' } });
    expect(detail.pieces.find((x) => x.itemId === again.value.itemId)).toMatchObject({ label: 'Attestation d’hébergement', hasFile: true, adjustment: { kind: 'added', by: 'Sophie Lefèvre, CMS du centre-ville' } });

    // journaled for the person, as the agent's act with them present
    const acts = await db.selectFrom('audit_journal').selectAll().where('action', '=', 'application.checklist.adapt').where('subject_person_id', '=', p.id).execute();
    expect(acts).toHaveLength(6);
    expect(acts.every((e) => e.actor_id === agent.identifier && e.ground === 'present-beneficiary')).toBe(true);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('a linked aid enters its queue once the parent is accepted, and is closed by the server when the parent is refused', async () => {
    const sendLinked = async () => {
      const p = await addPerson(db);
      const a = alone(p);
      for (const t of ['other', 'other', 'identity-card'] as const) await putDoc(p, { docType: t, expiresOn: t === 'identity-card' ? '2031-01-01' : null });
      await putDoc(p, { docType: 'rib' });
      await putDoc(p, { docType: 'tax-notice', issuedOn: dateDaysAgo(60), vault: 'institutional' });
      const id = await file(a, ['aah']);
      const others = await db.selectFrom('documents').select('id').where('owner_person_id', '=', p.id).where('doc_type', '=', 'other').execute();
      const hosting = await putDoc(p, { docType: 'other' });
      for (const [itemId, documentId] of [['formulaire-mdph', others[0]!.id], ['certificat-medical-mdph', others[1]!.id], ['attestation-hebergement', hosting]] as const) {
        expect(await choosePiece(db, dialect, a, { dossierId: id, itemId, documentId, catalogue })).toMatchObject({ ok: true });
      }
      expect(await signAndSubmit(a, id, await certify(ca, p))).toMatchObject({ ok: true, value: { state: 'submitted' } });
      const apps = await db.selectFrom('applications').select(['id', 'aid_id']).where('dossier_id', '=', id).execute();
      return { a, id, mdph: apps.find((x) => x.aid_id === 'demande-mdph')!.id, aah: apps.find((x) => x.aid_id === 'aah')!.id };
    };
    const inQueue = async (appId: string) => (await queue(db, { aidIds: ['aah'], states: ['submitted'], limit: 1000 })).some((x) => x.id === appId);

    const refused = await sendLinked();
    const accepted = await sendLinked();
    expect(await inQueue(refused.aah)).toBe(false);
    expect(await inQueue(accepted.aah)).toBe(false);
    expect((await queue(db, { aidIds: ['demande-mdph'], states: ['submitted'], limit: 1000 })).map((x) => x.id)).toEqual(expect.arrayContaining([refused.mdph, accepted.mdph]));

    for (const x of [refused, accepted]) expect(await fireEvent(db, dialect, { applicationId: x.mdph, event: 'take-up', actor: MDPH })).toMatchObject({ ok: true });
    expect(await fireEvent(db, dialect, { applicationId: accepted.mdph, event: 'accept', actor: MDPH })).toMatchObject({ ok: true });
    expect(await inQueue(accepted.aah)).toBe(true);
    expect(states(await view(accepted.a, accepted.id))).toEqual({ 'demande-mdph': 'accepted', aah: 'submitted' });
    expect((await view(accepted.a, accepted.id)).aids.find((x) => x.aidId === 'aah')?.waitsFor).toBeNull();
    // closed after its acceptance: still counts as accepted
    expect(await fireEvent(db, dialect, { applicationId: accepted.mdph, event: 'close', actor: MDPH })).toMatchObject({ ok: true });
    expect(await inQueue(accepted.aah)).toBe(true);

    expect(await fireEvent(db, dialect, { applicationId: refused.mdph, event: 'refuse', actor: MDPH, message: 'le taux d’incapacité est inférieur à 50 %' })).toMatchObject({ ok: true });
    const d = await view(refused.a, refused.id);
    expect(states(d)).toEqual({ 'demande-mdph': 'refused', aah: 'closed' });
    expect(d.history.at(-1)).toMatchObject({ aidName: 'Allocation aux adultes handicapés (AAH)', state: 'closed', text: 'La MDPH a refusé la demande : le taux d’incapacité est inférieur à 50 %' });
    const notices = await db.selectFrom('application_notices').select(['application_id', 'state', 'message']).where('dossier_id', '=', refused.id).orderBy('created_at').execute();
    expect(notices.filter((n) => n.application_id === refused.aah).map((n) => [n.state, n.message])).toEqual([['closed', 'La MDPH a refusé la demande : le taux d’incapacité est inférieur à 50 %']]);
    const closedBy = await db.selectFrom('application_transitions').select(['actor_kind', 'event']).where('application_id', '=', refused.aah).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(closedBy).toEqual({ actor_kind: 'system', event: 'close' });

    // the person withdraws the MDPH request alone (before its decision): the AAH waiting for it is closed, saying why
    const withdrawn = await sendLinked();
    expect(await fireEvent(db, dialect, { applicationId: withdrawn.mdph, event: 'withdraw', actor: withdrawn.a.actor })).toMatchObject({ ok: true });
    const w = await view(withdrawn.a, withdrawn.id);
    expect(states(w)).toEqual({ 'demande-mdph': 'closed', aah: 'closed' });
    expect(w.history.at(-1)).toMatchObject({ aidName: 'Allocation aux adultes handicapés (AAH)', state: 'closed', text: 'La demande à la MDPH a été retirée. Cette aide ne peut pas avancer sans elle.' });
    // a decided parent closed afterwards moves nothing (the accepted one above): only undecided ones count
    expect(states(await view(accepted.a, accepted.id))).toEqual({ 'demande-mdph': 'closed', aah: 'submitted' });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

describe('pieces asked again', () => {
  const piece = (itemId: string, aids: string[], requestedAt: string | null, status: AssessedPiece['status']): AssessedPiece => ({
    item: { id: itemId, label: itemId, inLetter: itemId, docTypes: ['rib'], issuer: 'banque' },
    adjustment: null,
    aids,
    status,
    document: null,
    arrivingId: null,
    chosenBy: null,
    requestedAt,
    requestMessage: null,
    frozen: false,
  });
  it('counts, per aid, the requests made since information was last provided', () => {
    const assessed = [piece('rib', ['rsa'], '2026-05-02T10:00:00.000Z', 'present'), piece('avis-impot', ['css'], '2026-05-02T10:00:00.000Z', 'absent'), piece('identite', ['rsa', 'css'], '2026-04-01T00:00:00.000Z', 'absent')];
    expect(requestedSince(assessed, '2026-05-01T00:00:00.000Z', 'rsa')).toEqual({ requested: 1, missing: 0 });
    expect(requestedSince(assessed, '2026-05-01T00:00:00.000Z', 'css')).toEqual({ requested: 1, missing: 1 });
    expect(requestedSince(assessed, '2026-03-01T00:00:00.000Z', 'rsa')).toEqual({ requested: 2, missing: 1 });
    expect(requestedSince(assessed, '2026-05-01T00:00:00.000Z', 'aah')).toEqual({ requested: 0, missing: 0 });
  });
});
