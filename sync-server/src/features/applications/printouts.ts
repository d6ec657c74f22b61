/**
 * The dossier and its receipt on paper, for the person at the kiosk (the layout is dossier-pdf.ts).
 * Every paper put into the dossier PDF is a read of a vault document: it asks the access policy for the
 * session, and is journaled like any other read.
 */
import type { Kysely } from 'kysely';
import { SubmissionGround } from '../../../protocol/applications.ts';
import { signedManifest, situationOf } from './pieces.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { readBlob } from '../../kernel/blobs/blob-store.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { check } from '../vault/index.ts';
import type { PersonSession } from '../vault/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { dossierPdf, receiptPdf } from './dossier-pdf.ts';
import type { DossierPdfInput } from './dossier-pdf.ts';
import { reevaluatedOwn, refuse } from './dossiers.ts';
import type { Outcome, Reevaluation } from './dossiers.ts';
import { manifestSha256 } from './submission.ts';
import { aidInstitutionName, aidName } from './words.ts';

export interface PrintoutDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  catalogue: AidCatalogue;
}

/** The session's dossier, assessed again (a Refusal, NO_DOSSIER, when it is not theirs). */
const current = (deps: PrintoutDeps, s: PersonSession, dossierId: string) => reevaluatedOwn(deps.db, deps.dialect, s.personId, dossierId, deps.catalogue);

async function personOf(db: Kysely<Database>, personId: string) {
  return db.selectFrom('persons').select(['first_name', 'last_name', 'identifier', 'birth_date']).where('id', '=', personId).executeTakeFirstOrThrow();
}

function aidsOf(catalogue: AidCatalogue, r: Reevaluation) {
  return r.apps.map((a) => ({ aidName: aidName(catalogue, a.aid_id), institutionName: aidInstitutionName(catalogue, a.aid_id), state: a.state }));
}

/** The whole dossier: what was declared, the pieces themselves, the signature. */
export async function dossierPdfFor(deps: PrintoutDeps, s: PersonSession, dossierId: string): Promise<Outcome<Uint8Array>> {
  const c = await current(deps, s, dossierId);
  if (!c.ok) return c;
  const r = c.value;
  const person = await personOf(deps.db, r.dossier.person_id);
  const vault = { db: deps.db, dialect: deps.dialect };
  const read: { documentId: string; version: number }[] = [];
  let journal: { actorId: string; groundName: string } | null = null;
  const pieces: DossierPdfInput['pieces'] = [];
  for (const a of r.assessed) {
    let document: DossierPdfInput['pieces'][number]['document'] = null;
    if (a.status === 'present' && a.document) {
      const c = await check(vault, s, 'document.read', { vault: a.document.vault, doc_type: a.document.docType });
      if (c.decision.allow) {
        // what the bytes are is read from the bytes themselves (dossier-pdf.ts)
        const bytes = await readBlob(deps.blobStore, a.document.sha256).catch(() => null);
        if (bytes) {
          document = { title: a.document.title, version: a.document.version, bytes: new Uint8Array(bytes) };
          read.push({ documentId: a.document.id, version: a.document.version });
          journal = { actorId: c.actorId, groundName: c.groundName };
        }
      }
    }
    pieces.push({ label: a.item.label, status: a.status, document });
  }

  const manifest = signedManifest(r.dossier);
  let signature: DossierPdfInput['signature'] = null;
  if (r.dossier.signed_at && manifest && r.dossier.signature && r.dossier.signer_identifier && r.dossier.signer_card_serial) {
    const signer = await deps.db.selectFrom('persons').select(['first_name', 'last_name']).where('identifier', '=', r.dossier.signer_identifier).executeTakeFirst();
    signature = {
      mode: manifest.mode,
      ground: SubmissionGround.parse(JSON.parse(r.dossier.ground ?? 'null')),
      signerName: signer ? `${signer.first_name} ${signer.last_name}` : r.dossier.signer_identifier,
      signerIdentifier: r.dossier.signer_identifier,
      cardSerial: r.dossier.signer_card_serial,
      signedAt: r.dossier.signed_at,
      manifestSha256: manifestSha256(manifest),
      signature: r.dossier.signature,
    };
  }

  const pdf = await dossierPdf({
    receiptNumber: r.dossier.receipt_number,
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier, birthDate: person.birth_date },
    situation: situationOf(r.dossier),
    aids: aidsOf(deps.catalogue, r),
    pieces,
    signature,
    submittedAt: r.dossier.submitted_at,
    generatedAt: new Date().toISOString(),
  });
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
          detail: { kioskId: s.kioskId, cardSerial: s.cardSerial, purpose: 'dossier-pdf', dossierId, version: d.version },
        });
      }
    });
  }
  return { ok: true, value: pdf };
}

/** The receipt (récépissé de dépôt), once the dossier is signed. */
export async function receiptPdfFor(deps: PrintoutDeps, s: PersonSession, dossierId: string): Promise<Outcome<Uint8Array>> {
  const c = await current(deps, s, dossierId);
  if (!c.ok) return c;
  const r = c.value;
  const manifest = signedManifest(r.dossier);
  if (!r.dossier.receipt_number || !r.dossier.signed_at || !manifest) return refuse('conflict', 'Le récépissé existe quand la demande est signée.');
  const person = await personOf(deps.db, r.dossier.person_id);
  const given = r.assessed.filter((a) => a.status === 'present').length;
  const pdf = await receiptPdf({
    receiptNumber: r.dossier.receipt_number,
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier },
    aids: aidsOf(deps.catalogue, r).map(({ aidName, institutionName: name }) => ({ aidName, institutionName: name })),
    mode: manifest.mode,
    signedAt: r.dossier.signed_at,
    submittedAt: r.dossier.submitted_at,
    piecesGiven: given,
    piecesMissing: r.assessed.length - given,
    manifestSha256: manifestSha256(manifest),
  });
  return { ok: true, value: pdf };
}
