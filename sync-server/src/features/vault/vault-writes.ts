/**
 * Vault writes other than deposits, applied inside the sync transaction of their mutation:
 * deleting a document (every version; the journal keeps that it happened), and sending papers to an
 * institution (one platform message with a copy of each paper's version sent attached).
 */
import { officesWithReaders } from '../accounts/index.ts';
import { papersOfSending } from '../../../protocol/mutations.ts';
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

/**
 * Sends papers of a vault to an institution as one message: a thread, its first message, and a copy of
 * each paper's current version. Every paper is checked by the access policy on the mutation's ground
 * before anything is written; one that may not go (not in this vault, deleted since, outside what the
 * ground allows) refuses the whole sending, so an institution never gets half of what the person chose.
 * Each paper sent is journaled on its own, as a one-paper sending always was.
 */
export async function applyDocumentSend(ctx: Ctx, p: DocumentSend['payload']): Promise<WriteOutcome> {
  const ids = papersOfSending(p);
  // the protocol's schema refuses it already; a second copy of a paper would break the attachments' key
  if (new Set(ids).size !== ids.length) return refuse('forbidden', VAULT_WRITE_ANSWER.paperTwice);
  const person = await ctx.trx.selectFrom('persons').select(['id', 'identifier']).where('identifier', '=', p.owner).executeTakeFirst();
  if (!person) return refuse('unknown', VAULT_WRITE_ANSWER.ownerUnknown);
  const rows = await ctx.trx.selectFrom('documents').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.filter((d) => d.owner_person_id === person.id).map((d) => [d.id, d] as const));
  const docs: (typeof rows)[number][] = [];
  for (const [i, id] of ids.entries()) {
    const doc = byId.get(id);
    if (!doc) return refuse('unknown', ids.length === 1 ? VAULT_WRITE_ANSWER.documentGone : VAULT_WRITE_ANSWER.paperGone(i + 1, ids.length));
    docs.push(doc);
  }
  const institution = await ctx.trx.selectFrom('institutions').select(['id', 'name']).where('id', '=', p.institutionId).executeTakeFirst();
  if (!institution) return refuse('unknown', VAULT_WRITE_ANSWER.institutionUnknown);
  // nobody there reads what persons send: refused, so that no one believes the office has the papers
  if ((await officesWithReaders(ctx.trx, [institution.id])).length === 0) return refuse('forbidden', VAULT_WRITE_ANSWER.institutionNotReading);
  const who = await resolveGround(ctx.trx, p.ground, { proof: ctx.proof, caCertificate: ctx.caCertificate, now: ctx.now });
  for (const [i, doc] of docs.entries()) {
    const decision = decideOnGround(who, 'document.send', person.id, { vault: doc.vault, docType: doc.doc_type });
    if (decision.allow) continue;
    const reason = ids.length === 1 ? decision.reason : VAULT_WRITE_ANSWER.paperReason(i + 1, ids.length, decision.reason);
    return refuse('forbidden', who.groundName === 'procuration' ? VAULT_WRITE_ANSWER.sendRefusedOnProcuration(reason) : VAULT_WRITE_ANSWER.sendRefused(reason));
  }
  const already = await ctx.trx.selectFrom('messages').select('id').where('id', '=', p.messageId).executeTakeFirst();
  if (already) return { ok: true };
  const versions = await ctx.trx.selectFrom('document_versions').select(['document_id', 'version', 'blob_sha256']).where('document_id', 'in', ids).execute();
  const currentOf = (doc: (typeof docs)[number]) => {
    const v = versions.find((r) => r.document_id === doc.id && r.version === doc.current_version);
    if (!v) throw new Error(`document ${doc.id} has no current version`);
    return v;
  };
  const first = docs[0]!;
  const threadId = p.messageId; // one thread per sending: its first message shares its id
  await ctx.trx
    .insertInto('threads')
    // the subject is the first paper's title: the one the person started from; the inbox counts the others
    .values({ id: threadId, person_id: person.id, institution_id: institution.id, subject: first.title, created_at: ctx.now, updated_at: ctx.now })
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
    .values(docs.map((doc) => ({ message_id: p.messageId, document_id: doc.id, version: currentOf(doc).version, doc_type: doc.doc_type, title: doc.title, blob_sha256: currentOf(doc).blob_sha256 })))
    .execute();
  for (const doc of docs) {
    await appendAudit(ctx.trx, ctx.dialect, {
      actor: { kind: 'person', id: who.actorIdentifier },
      action: 'document.send',
      subjectPersonId: person.id,
      documentId: doc.id,
      ground: who.groundName,
      detail: {
        ...who.detail,
        kioskId: ctx.kioskId,
        mutationId: ctx.mutationId,
        institutionId: institution.id,
        version: String(currentOf(doc).version),
        messageId: p.messageId,
        papers: String(docs.length),
      },
      at: ctx.now,
    });
  }
  return { ok: true };
}
