/**
 * The dossier and its receipt on paper, for the person at the kiosk (the layout is dossier-pdf.ts).
 * Every paper put into the dossier PDF is a read of a vault document: it asks the access policy for the
 * session, and is journaled like any other read.
 *
 * The pièces' files are made ready here (images re-encoded by sharp, off the event loop: print-file.ts)
 * and the PDF is laid out in a PDF pool thread under time and memory limits; a dossier the pool had to
 * stop is answered with a typed French error ('unprintable'), and nothing is journaled for it.
 */
import { officesOf } from './offices.ts';
import type { Kysely } from 'kysely';
import { SubmissionGround } from '../../../protocol/applications.ts';
import { signedManifest, situationOf } from './pieces.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { readBlob } from '../../kernel/blobs/blob-store.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { check } from '../vault/index.ts';
import type { PersonSession } from '../vault/index.ts';
import { procurationNames } from '../procurations/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { DOSSIER_PDF_JOB, RECEIPT_PDF_JOB } from './dossier-pdf.ts';
import type { DossierPdfInput, ReceiptInput } from './dossier-pdf.ts';
import { printFailureWords, printFile } from '../../kernel/files/print-file.ts';
import { PdfJobError } from '../../kernel/files/pdf-pool.ts';
import type { PdfJob, PdfPool } from '../../kernel/files/pdf-pool.ts';
import { reevaluatedOwn, refuse } from './dossiers.ts';
import type { Outcome, Reevaluation } from './dossiers.ts';
import { manifestSha256 } from './submission.ts';
import { aidInstitutionName, aidName, APPLICATION_ANSWER } from '../../kernel/words/applications.ts';

export interface PrintoutDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  catalogue: AidCatalogue;
  pdf: PdfPool;
}

/** A dossier's pièces opens in a second or two; the kiosk waits 30 s for it. */
export const DOSSIER_PDF_TIMEOUT_MS = 25_000;
export const RECEIPT_PDF_TIMEOUT_MS = 8_000;

/** The dossier's input with the pièces' stored bytes (and their SHA-256, to reuse a print rendition). */
export type DossierPrintInput = Omit<DossierPdfInput, 'pieces'> & {
  pieces: (Omit<DossierPdfInput['pieces'][number], 'document'> & {
    document: { title: string; version: number; bytes: Uint8Array; sha256?: string } | null;
  })[];
};

async function inPool<I>(pool: PdfPool, job: PdfJob<I>, input: I, timeoutMs: number, what: 'paper' | 'dossier'): Promise<Outcome<Uint8Array>> {
  try {
    const bytes = await pool.run(job, input, { timeoutMs });
    if (!(bytes instanceof Uint8Array)) throw new PdfJobError('failed', 'the PDF job gave no bytes');
    return { ok: true, value: bytes };
  } catch (err) {
    return refuse('unprintable', printFailureWords(err, what));
  }
}

/** The dossier PDF: its pièces made ready for paper, then laid out in the pool. */
export async function printDossier(pool: PdfPool, input: DossierPrintInput): Promise<Outcome<Uint8Array>> {
  const pieces: DossierPdfInput['pieces'] = await Promise.all(
    input.pieces.map(async (p) => {
      const d = p.document;
      return { ...p, document: d ? { title: d.title, version: d.version, file: await printFile(d.bytes, d.sha256) } : null };
    }),
  );
  return inPool(pool, DOSSIER_PDF_JOB, { ...input, pieces }, DOSSIER_PDF_TIMEOUT_MS, 'dossier');
}

export function printReceipt(pool: PdfPool, input: ReceiptInput): Promise<Outcome<Uint8Array>> {
  return inPool(pool, RECEIPT_PDF_JOB, input, RECEIPT_PDF_TIMEOUT_MS, 'dossier');
}

/** The session's dossier, assessed again (a Refusal, NO_DOSSIER, when it is not theirs). */
const current = (deps: PrintoutDeps, s: PersonSession, dossierId: string) => reevaluatedOwn(deps.db, deps.dialect, s.personId, dossierId, deps.catalogue);

async function personOf(db: Kysely<Database>, personId: string) {
  return db.selectFrom('persons').select(['first_name', 'last_name', 'identifier', 'birth_date']).where('id', '=', personId).executeTakeFirstOrThrow();
}

/** Each aid, with the office it was sent to by name (« CAF du Rhône »), else the kind as people say it (« la CAF »). */
async function aidsOf(deps: PrintoutDeps, r: Reevaluation) {
  const offices = await officesOf(deps.db, deps.catalogue, r.apps, null, { route: false });
  return r.apps.map((a) => ({ aidName: aidName(deps.catalogue, a.aid_id), institutionName: offices.get(a.id)?.name ?? aidInstitutionName(deps.catalogue, a.aid_id), state: a.state }));
}

/** The whole dossier: what was declared, the pieces themselves, the signature. */
export async function dossierPdfFor(deps: PrintoutDeps, s: PersonSession, dossierId: string): Promise<Outcome<Uint8Array>> {
  const c = await current(deps, s, dossierId);
  if (!c.ok) return c;
  const r = c.value;
  const person = await personOf(deps.db, r.dossier.person_id);
  const vault = { db: deps.db, dialect: deps.dialect };
  const read: { documentId: string; version: number }[] = [];
  let journal: { actorId: string; groundName: string; structureId: string | null } | null = null;
  const pieces: DossierPrintInput['pieces'] = [];
  for (const a of r.assessed) {
    let document: DossierPrintInput['pieces'][number]['document'] = null;
    if (a.status === 'present' && a.document) {
      const c = await check(vault, s, 'document.read', { vault: a.document.vault, doc_type: a.document.docType });
      if (c.decision.allow) {
        // what the bytes are is read from the bytes themselves (print-file.ts)
        const bytes = await readBlob(deps.blobStore, a.document.sha256).catch(() => null);
        if (bytes) {
          document = { title: a.document.title, version: a.document.version, bytes: new Uint8Array(bytes), sha256: a.document.sha256 };
          read.push({ documentId: a.document.id, version: a.document.version });
          journal = { actorId: c.actorId, groundName: c.groundName, structureId: c.agent?.structureId ?? null };
        }
      }
    }
    pieces.push({ label: a.item.label, status: a.status, document });
  }

  const manifest = signedManifest(r.dossier);
  let signature: DossierPdfInput['signature'] = null;
  if (r.dossier.signed_at && manifest && r.dossier.signature && r.dossier.signer_identifier && r.dossier.signer_card_serial) {
    const signer = await deps.db.selectFrom('persons').select(['first_name', 'last_name']).where('identifier', '=', r.dossier.signer_identifier).executeTakeFirst();
    const ground = SubmissionGround.parse(JSON.parse(r.dossier.ground ?? 'null'));
    signature = {
      mode: manifest.mode,
      ground,
      onProcuration: ground.kind === 'procuration' ? await procurationNames(deps, ground.procurationId) : null,
      signerName: signer ? `${signer.first_name} ${signer.last_name}` : r.dossier.signer_identifier,
      signerIdentifier: r.dossier.signer_identifier,
      cardSerial: r.dossier.signer_card_serial,
      signedAt: r.dossier.signed_at,
      manifestSha256: manifestSha256(manifest),
      signature: r.dossier.signature,
    };
  }

  const pdf = await printDossier(deps.pdf, {
    receiptNumber: r.dossier.receipt_number,
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier, birthDate: person.birth_date },
    situation: situationOf(r.dossier),
    aids: await aidsOf(deps, r),
    pieces,
    signature,
    submittedAt: r.dossier.submitted_at,
    generatedAt: new Date().toISOString(),
  });
  if (!pdf.ok) return pdf;
  if (read.length > 0 && journal) {
    const j = journal;
    await deps.db.transaction().execute(async (trx) => {
      for (const d of read) {
        await appendAudit(trx, deps.dialect, {
          actor: { kind: 'person', id: j.actorId },
          action: 'document.read',
          subjectPersonId: s.personId,
          documentId: d.documentId,
          ground: j.groundName,
          detail: { kioskId: s.kioskId, cardSerial: s.cardSerial, ...(j.structureId ? { structureId: j.structureId } : {}), purpose: 'dossier-pdf', dossierId, version: d.version },
        });
      }
    });
  }
  return pdf;
}

/** The receipt (récépissé de dépôt), once the dossier is signed. */
export async function receiptPdfFor(deps: PrintoutDeps, s: PersonSession, dossierId: string): Promise<Outcome<Uint8Array>> {
  const c = await current(deps, s, dossierId);
  if (!c.ok) return c;
  const r = c.value;
  const manifest = signedManifest(r.dossier);
  if (!r.dossier.receipt_number || !r.dossier.signed_at || !manifest) return refuse('conflict', APPLICATION_ANSWER.receiptAfterSigning);
  const person = await personOf(deps.db, r.dossier.person_id);
  const given = r.assessed.filter((a) => a.status === 'present').length;
  return printReceipt(deps.pdf, {
    receiptNumber: r.dossier.receipt_number,
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier },
    aids: (await aidsOf(deps, r)).map(({ aidName, institutionName: name }) => ({ aidName, institutionName: name })),
    mode: manifest.mode,
    signedAt: r.dossier.signed_at,
    submittedAt: r.dossier.submitted_at,
    piecesGiven: given,
    piecesMissing: r.assessed.length - given,
    manifestSha256: manifestSha256(manifest),
    sentBy: manifest.ground.kind === 'procuration' ? await procurationNames(deps, manifest.ground.procurationId) : null,
  });
}
