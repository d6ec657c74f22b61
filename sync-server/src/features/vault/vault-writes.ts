/**
 * Vault writes other than deposits, applied inside the sync transaction of their mutation:
 * deleting a document (every version; the journal keeps that it happened), and sending a document to an
 * institution (a platform message with a copy of the version sent attached).
 */
import type { DocumentDelete, DocumentSend } from '../../../protocol/mutations.ts';
import type { ProtocolError } from '../../../protocol/socket.ts';
import type { DepositContext } from './deposit.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { decideOnGround, resolveGround } from './grounds.ts';
import { unindexDocument } from './vault-index.ts';
import { VAULT_WRITE_ANSWER } from '../../kernel/words/sync.ts';

/** `changedVaultOf`: the person whose vault lost a paper (a delete that removed one) */
export type WriteOutcome = { ok: true; changedVaultOf?: string } | { ok: false; error: ProtocolError };
type Ctx = Omit<DepositContext, 'blobs'>;

const refuse = (code: ProtocolError['code'], message: string): WriteOutcome => ({ ok: false, error: { code, message } });

async function ownedDocument(ctx: Ctx, owner: string, documentId: string) {
  const person = await ctx.trx.selectFrom('persons').select(['id', 'identifier']).where('identifier', '=', owner).executeTakeFirst();
  if (!person) return null;
  const doc = await ctx.trx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  return { person, doc: doc && doc.owner_person_id === person.id ? doc : null };
}

export async function applyDocumentDelete(ctx: Ctx, p: DocumentDelete['payload']): Promise<WriteOutcome> {
  const found = await ownedDocument(ctx, p.owner, p.documentId);
  if (!found) return refuse('unknown', VAULT_WRITE_ANSWER.ownerUnknown);
  if (!found.doc) {
    // already gone (deleted from another kiosk): nothing to do, and nothing to say twice
    return { ok: true };
  }
  const who = await resolveGround(ctx.trx, p.ground, { proof: ctx.proof, caCertificate: ctx.caCertificate, now: ctx.now });
  const decision = decideOnGround(who, 'document.delete', found.person.id, { vault: found.doc.vault, docType: found.doc.doc_type });
  if (!decision.allow) {
    return refuse('forbidden', who.groundName === 'procuration' ? VAULT_WRITE_ANSWER.deleteRefusedOnProcuration(decision.reason) : VAULT_WRITE_ANSWER.deleteRefused(decision.reason));
  }
  await ctx.trx.deleteFrom('document_versions').where('document_id', '=', p.documentId).execute();
  await ctx.trx.deleteFrom('documents').where('id', '=', p.documentId).execute();
  await unindexDocument(ctx.trx, ctx.dialect, p.documentId);
  await appendAudit(ctx.trx, ctx.dialect, {
    actor: { kind: 'person', id: who.actorIdentifier },
    action: 'document.delete',
    subjectPersonId: found.person.id,
    documentId: p.documentId,
    ground: who.groundName,
    detail: { ...who.detail, kioskId: ctx.kioskId, mutationId: ctx.mutationId, docType: found.doc.doc_type, title: found.doc.title },
    at: ctx.now,
  });
  return { ok: true, changedVaultOf: found.person.id };
}

export async function applyDocumentSend(ctx: Ctx, p: DocumentSend['payload']): Promise<WriteOutcome> {
  const found = await ownedDocument(ctx, p.owner, p.documentId);
  if (!found) return refuse('unknown', VAULT_WRITE_ANSWER.ownerUnknown);
  if (!found.doc) return refuse('unknown', VAULT_WRITE_ANSWER.documentGone);
  const institution = await ctx.trx.selectFrom('institutions').select(['id', 'name']).where('id', '=', p.institutionId).executeTakeFirst();
  if (!institution) return refuse('unknown', VAULT_WRITE_ANSWER.institutionUnknown);
  const who = await resolveGround(ctx.trx, p.ground, { proof: ctx.proof, caCertificate: ctx.caCertificate, now: ctx.now });
  const decision = decideOnGround(who, 'document.send', found.person.id, { vault: found.doc.vault, docType: found.doc.doc_type });
  if (!decision.allow) {
    return refuse('forbidden', who.groundName === 'procuration' ? VAULT_WRITE_ANSWER.sendRefusedOnProcuration(decision.reason) : VAULT_WRITE_ANSWER.sendRefused(decision.reason));
  }
  const already = await ctx.trx.selectFrom('messages').select('id').where('id', '=', p.messageId).executeTakeFirst();
  if (already) return { ok: true };
  const version = await ctx.trx
    .selectFrom('document_versions')
    .select(['version', 'blob_sha256'])
    .where('document_id', '=', p.documentId)
    .where('version', '=', found.doc.current_version)
    .executeTakeFirstOrThrow();
  const threadId = p.messageId; // one thread per sending: its first message shares its id
  await ctx.trx
    .insertInto('threads')
    .values({ id: threadId, person_id: found.person.id, institution_id: institution.id, subject: found.doc.title, created_at: ctx.now, updated_at: ctx.now })
    .execute();
  await ctx.trx
    .insertInto('messages')
    .values({
      id: p.messageId,
      thread_id: threadId,
      author_kind: who.groundName === 'own-card' ? 'person' : 'agent',
      author_id: who.actorIdentifier,
      body: p.note,
      created_at: ctx.now,
    })
    .execute();
  await ctx.trx
    .insertInto('message_attachments')
    .values({
      message_id: p.messageId,
      document_id: p.documentId,
      version: version.version,
      doc_type: found.doc.doc_type,
      title: found.doc.title,
      blob_sha256: version.blob_sha256,
    })
    .execute();
  await appendAudit(ctx.trx, ctx.dialect, {
    actor: { kind: 'person', id: who.actorIdentifier },
    action: 'document.send',
    subjectPersonId: found.person.id,
    documentId: p.documentId,
    ground: who.groundName,
    detail: { ...who.detail, kioskId: ctx.kioskId, mutationId: ctx.mutationId, institutionId: institution.id, version: String(version.version) },
    at: ctx.now,
  });
  return { ok: true };
}
