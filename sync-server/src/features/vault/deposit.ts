/**
 * Applying `vault.document.deposit`: a person deposits a scanned paper into their personal vault from a
 * kiosk, on the ground of their own card (or an agent's with the person's, or an agent's alone on the person's
 * procuration), each card having signed the act; an agent's deposit is marked with who they are (« Déposé par »). Runs inside the sync transaction of the mutation, so the
 * document, its version and the audit entry commit together with the kiosk's lastSeq, or not at all.
 */
import type { Transaction } from 'kysely';
import type { DocumentDeposit } from '../../../protocol/mutations.ts';
import type { ProtocolError } from '../../../protocol/socket.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { BlobRow, Database } from '../../kernel/storage/schema.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { DOC_TYPE_TITLE } from '../../../protocol/vault.ts';
import type { WriteProofCheck } from '../cards/index.ts';
import { decideOnGround, depositedByOf, resolveGround } from './grounds.ts';
import { indexDocument } from './vault-index.ts';
import { VAULT_WRITE_ANSWER } from '../../kernel/words/sync.ts';

export interface DepositContext {
  trx: Transaction<Database>;
  dialect: Dialect;
  kioskId: string;
  mutationId: string;
  now: string;
  /** the mutation's blobs, already checked present by the sync engine */
  blobs: ReadonlyMap<string, BlobRow>;
  /** what the cards of the mutation's ground proved (cards/write-proof.ts) */
  proof: WriteProofCheck;
  /** the pinned platform CA (DER): a procuration's signatures are checked against it; null: none loaded */
  caCertificate: Uint8Array | null;
}

/** `personId`: the person whose vault received the paper */
export type DepositOutcome = { ok: true; documentId: string; version: number; personId: string } | { ok: false; error: ProtocolError };

const refuse = (code: ProtocolError['code'], message: string): DepositOutcome => ({ ok: false, error: { code, message } });

/** NUL cannot be stored in PostgreSQL text: dropped (it never carries meaning in what OCR read). */
function withoutNul(payload: DocumentDeposit['payload']): DocumentDeposit['payload'] {
  const clean = (s: string) => s.replaceAll(String.fromCharCode(0), '');
  return {
    ...payload,
    ocrText: clean(payload.ocrText),
    fields: Object.fromEntries(Object.entries(payload.fields).map(([k, f]) => [k, { ...f, value: clean(f.value) }])),
  };
}

export async function applyDocumentDeposit(ctx: DepositContext, raw: DocumentDeposit['payload']): Promise<DepositOutcome> {
  const { trx, dialect } = ctx;
  const payload = withoutNul(raw);
  const owner = await trx.selectFrom('persons').select(['id', 'identifier']).where('identifier', '=', payload.owner).executeTakeFirst();
  if (!owner) return refuse('unknown', VAULT_WRITE_ANSWER.ownerUnknown);

  const who = await resolveGround(trx, payload.ground, { proof: ctx.proof, caCertificate: ctx.caCertificate, now: ctx.now });

  let existingQuery = trx.selectFrom('documents').selectAll().where('id', '=', payload.documentId);
  // two kiosks adding versions to one document at once must not compute the same version number
  if (dialect === 'postgres') existingQuery = existingQuery.forUpdate();
  const existing = await existingQuery.executeTakeFirst();
  if (existing && existing.owner_person_id !== owner.id) {
    return refuse('forbidden', VAULT_WRITE_ANSWER.otherVault);
  }

  const decision = decideOnGround(who, 'document.deposit', owner.id, { vault: existing?.vault ?? 'personal', docType: payload.docType });
  if (!decision.allow) {
    return refuse('forbidden', who.groundName === 'procuration' ? VAULT_WRITE_ANSWER.depositRefusedOnProcuration(decision.reason) : VAULT_WRITE_ANSWER.depositRefused(decision.reason));
  }

  const blob = ctx.blobs.get(payload.file.sha256);
  if (!blob) return refuse('blob_missing', VAULT_WRITE_ANSWER.fileNotReceived);
  if (blob.size !== payload.file.size || blob.mime !== payload.file.mime) {
    return refuse('blob_mismatch', VAULT_WRITE_ANSWER.fileMismatch);
  }
  if (payload.thumbnail) {
    const thumb = ctx.blobs.get(payload.thumbnail.sha256);
    if (!thumb) return refuse('blob_missing', VAULT_WRITE_ANSWER.previewNotReceived);
    if (thumb.size !== payload.thumbnail.size || thumb.mime !== payload.thumbnail.mime) {
      return refuse('blob_mismatch', VAULT_WRITE_ANSWER.previewMismatch);
    }
  }
  const title = DOC_TYPE_TITLE[payload.docType];

  const version = existing ? existing.current_version + 1 : 1;
  if (existing) {
    await trx
      .updateTable('documents')
      .set({
        current_version: version,
        doc_type: payload.docType,
        title,
        issued_on: payload.issuedOn ?? null,
        expires_on: payload.expiresOn ?? null,
        updated_at: ctx.now,
      })
      .where('id', '=', payload.documentId)
      .execute();
  } else {
    await trx
      .insertInto('documents')
      .values({
        id: payload.documentId,
        owner_person_id: owner.id,
        vault: 'personal',
        doc_type: payload.docType,
        institution_id: null,
        current_version: 1,
        title,
        issued_on: payload.issuedOn ?? null,
        expires_on: payload.expiresOn ?? null,
        created_at: ctx.now,
        updated_at: ctx.now,
      })
      .execute();
  }
  await trx
    .insertInto('document_versions')
    .values({
      document_id: payload.documentId,
      version,
      fields: canonicalJson(payload.fields),
      ocr_text: payload.ocrText,
      blob_sha256: payload.file.sha256,
      captured_at: payload.capturedAt,
      created_at: ctx.now,
      source_kiosk_id: ctx.kioskId,
      source_mutation_id: ctx.mutationId,
      thumbnail_sha256: payload.thumbnail?.sha256 ?? null,
      pages: payload.pages ?? 1,
      holder_answer: payload.holderAnswer ? canonicalJson(payload.holderAnswer) : null,
      deposited_by: await depositedByOf(trx, who),
    })
    .execute();
  await indexDocument(trx, dialect, {
    id: payload.documentId,
    ownerPersonId: owner.id,
    vault: 'personal',
    docType: payload.docType,
    title,
    fields: payload.fields,
    ocrText: payload.ocrText,
  });
  // field values are personal data: the journal records that a deposit happened, not what it says
  await appendAudit(trx, dialect, {
    actor: { kind: 'person', id: who.actorIdentifier },
    action: 'document.deposit',
    subjectPersonId: owner.id,
    documentId: payload.documentId,
    ground: who.groundName,
    detail: {
      ...who.detail,
      kioskId: ctx.kioskId,
      mutationId: ctx.mutationId,
      docType: payload.docType,
      version,
      sha256: payload.file.sha256,
    },
    at: ctx.now,
  });
  return { ok: true, documentId: payload.documentId, version, personId: owner.id };
}
