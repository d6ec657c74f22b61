/**
 * For the console's tests only (unit and end-to-end): a dossier filed and sent, written straight into
 * the database the way the filing flow leaves it (documents in the personal vault with their bytes in
 * the blob store, the dossier with its signature fields, applications moved to `submitted` through the
 * state machine, the pieces attached), so the console can be tested without the kiosk.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomPng } from './png.ts';
import type { Kysely } from 'kysely';
import { MANIFEST_CONTEXT } from '../protocol/applications.ts';
import type { FilingSituation } from '../protocol/applications.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';
import type { DocType } from '../protocol/common.ts';
import { fireEventIn, insertApplication } from '../src/features/applications/index.ts';
import type { BlobStore } from '../src/kernel/blobs/blob-store.ts';
import type { Dialect } from '../src/kernel/storage/database.ts';
import type { Database } from '../src/kernel/storage/schema.ts';

export const DEFAULT_SITUATION: FilingSituation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };

export interface FixturePiece {
  itemId: string;
  title: string;
  docType: DocType;
  mime: 'image/png' | 'image/jpeg' | 'application/pdf';
  bytes: Buffer;
  /** the fields read on it, as the kiosk's capture stores them (name → value) */
  fields?: Record<string, string>;
}

export interface FiledDossier {
  dossierId: string;
  /** application id by aid id */
  applications: Record<string, string>;
  /** document id and blob by checklist item id */
  documents: Record<string, { documentId: string; sha256: string }>;
}

export function piece(itemId: string, title: string, docType: DocType, fields?: Record<string, string>): FixturePiece {
  return { itemId, title, docType, mime: 'image/png', bytes: randomPng(24, 16), ...(fields ? { fields } : {}) };
}

async function putBlob(blobStore: BlobStore, bytes: Buffer): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dir = mkdtempSync(join(tmpdir(), 'fac-console-fixture-'));
  try {
    const file = join(dir, 'file');
    writeFileSync(file, bytes);
    const r = await blobStore.putFile(sha256, file);
    if (!r.ok) throw new Error('blob hash mismatch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return sha256;
}

/**
 * Files a dossier for a person: `aids` in order, `waitsFor` maps a linked aid to the aid of the same
 * dossier it waits for. With `submit` (default), every application goes draft → … → submitted, at
 * `submittedAt` (default now), as the kiosk's filing would leave them.
 */
export async function fileDossier(
  deps: { db: Kysely<Database>; dialect: Dialect; blobStore: BlobStore },
  o: {
    personIdentifier: string;
    aids: string[];
    waitsFor?: Record<string, string>;
    situation?: FilingSituation;
    pieces: FixturePiece[];
    submit?: boolean;
    submittedAt?: string;
    kioskId?: string | null;
    /** the office the requests were sent to, as the signing names it (default: none, as before offices were named) */
    office?: string;
  },
): Promise<FiledDossier> {
  const { db, dialect, blobStore } = deps;
  const person = await db.selectFrom('persons').select(['id', 'identifier']).where('identifier', '=', o.personIdentifier).executeTakeFirstOrThrow();
  const card = await db.selectFrom('cards').select('serial').where('person_id', '=', person.id).executeTakeFirst();
  const at = o.submittedAt ?? new Date().toISOString();
  const documents: FiledDossier['documents'] = {};
  const blobs: Record<string, string> = {};
  for (const p of o.pieces) blobs[p.itemId] = await putBlob(blobStore, p.bytes);

  const dossierId = randomUUID();
  const applications: Record<string, string> = {};
  await db.transaction().execute(async (trx) => {
    for (const p of o.pieces) {
      const sha256 = blobs[p.itemId]!;
      const documentId = randomUUID();
      await trx
        .insertInto('blobs')
        .values({ sha256, size: p.bytes.length, mime: p.mime, created_at: at, uploaded_by: null, referenced_at: at })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      await trx
        .insertInto('documents')
        .values({ id: documentId, owner_person_id: person.id, vault: 'personal', doc_type: p.docType, institution_id: null, current_version: 1, title: p.title, created_at: at, updated_at: at })
        .execute();
      await trx
        .insertInto('document_versions')
        .values({
          document_id: documentId,
          version: 1,
          fields: canonicalJson(Object.fromEntries(Object.entries(p.fields ?? {}).map(([k, value]) => [k, { value, confidence: 0.9, confirmed: true }]))),
          ocr_text: '', blob_sha256: sha256, captured_at: at, created_at: at, source_kiosk_id: null, source_mutation_id: null })
        .execute();
      documents[p.itemId] = { documentId, sha256 };
    }
    const situation = o.situation ?? DEFAULT_SITUATION;
    const submitted = o.submit !== false;
    const manifest = canonicalJson({
      context: MANIFEST_CONTEXT,
      dossierId,
      person: person.identifier,
      pieces: o.pieces.map((p) => ({ itemId: p.itemId, documentId: documents[p.itemId]!.documentId, version: 1, sha256: blobs[p.itemId]! })),
      situation: { ...situation },
    });
    await trx
      .insertInto('dossiers')
      .values({
        id: dossierId,
        person_id: person.id,
        situation: canonicalJson({ ...situation }),
        catalogue_version: 1,
        created_at: at,
        updated_at: at,
        kiosk_id: o.kioskId ?? null,
        mode: submitted ? 'manual' : null,
        ground: submitted ? canonicalJson({ kind: 'beneficiary-signature' }) : null,
        manifest: submitted ? manifest : null,
        signature: submitted ? randomBytes(64).toString('base64url') : null,
        signer_card_serial: submitted ? (card?.serial ?? null) : null,
        signer_identifier: submitted ? person.identifier : null,
        signed_at: submitted ? at : null,
        submitted_at: submitted ? at : null,
        receipt_number: submitted ? `FAC-${at.slice(0, 4)}-${randomBytes(4).toString('hex').toUpperCase()}` : null,
      })
      .execute();
    const applicant = { kind: 'applicant', id: person.identifier } as const;
    for (const aidId of o.aids) {
      const parent = o.waitsFor?.[aidId];
      const a = await insertApplication(trx, dialect, {
        personId: person.id,
        aidId,
        actor: applicant,
        dossierId,
        ...(parent ? { waitsFor: applications[parent]! } : {}),
        at,
      });
      applications[aidId] = a.id;
      if (o.office !== undefined) await trx.updateTable('applications').set({ institution_id: o.office }).where('id', '=', a.id).execute();
    }
    for (const p of o.pieces) {
      await trx
        .insertInto('dossier_pieces')
        .values({ dossier_id: dossierId, item_id: p.itemId, document_id: documents[p.itemId]!.documentId, version: 1, blob_sha256: blobs[p.itemId]!, chosen_by: 'auto', attached_at: at, requested_at: null, request_message: null })
        .execute();
    }
    if (submitted) {
      for (const id of Object.values(applications)) {
        for (const [event, actor] of [
          ['start-collecting', applicant],
          ['all-pieces-present', { kind: 'system', id: 'pieces-check' }],
          ['submit', applicant],
        ] as const) {
          const r = await fireEventIn(trx, dialect, { applicationId: id, event, actor, at });
          if (!r.ok) throw new Error(`fixture: ${event} refused (${r.reason})`);
        }
      }
    }
  });
  return { dossierId, applications, documents };
}
