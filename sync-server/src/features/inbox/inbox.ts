/**
 * An institution's inbox: what persons, and agents for them, sent to the institution from a kiosk's vault
 * (threads without an application), read and answered in the console. Unread markers are per member of
 * staff (`inbox_reads`); an item may be assigned to one account of the institution; a reply is a message
 * of the institution in the thread, which the person reads at the kiosk (`repliesForPerson`).
 *
 * Who sees what is the access policy's (`inboxItemVisible`, `staffMay`, the `institution-inbox` ground
 * for a paper's bytes); every reading of a thread, every reply, every assignment and every paper opened is
 * journaled on the person, on `institution-inbox`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { StaffRole } from '../../kernel/storage/schema.ts';
import { decide, inboxItemVisible, staffMay } from '../../kernel/access-policy.ts';
import type { DenyReason } from '../../kernel/access-policy.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { safeFilename } from '../applications/index.ts';

export const INBOX_GROUND = 'institution-inbox';
/** a reply's length, as a request's thread allows */
export const MAX_REPLY_CHARS = 4000;

/** The member of staff looking: their account, institution and role, as the session read them now. */
export interface InboxViewer {
  accountId: string;
  institutionId: string;
  role: Exclude<StaffRole, 'structure-admin'>;
}

export type InboxFilter = 'mine' | 'unassigned' | 'all';

export interface InboxRow {
  threadId: string;
  subject: string;
  personName: string;
  /** the agent who sent it for the person (null: the person themself) */
  agentName: string | null;
  /** the last message of the person or agent */
  receivedAt: string;
  attachments: number;
  assignedTo: { accountId: string; name: string } | null;
  unread: boolean;
  answered: boolean;
}

export interface InboxAttachment {
  documentId: string;
  title: string;
  docType: string;
  version: number;
  mime: string | null;
}

export interface InboxMessage {
  id: string;
  authorKind: 'person' | 'agent' | 'institution';
  authorName: string;
  body: string;
  at: string;
  attachments: InboxAttachment[];
}

export interface InboxThread {
  threadId: string;
  subject: string;
  personName: string;
  personIdentifier: string;
  createdAt: string;
  assignedTo: { accountId: string; name: string } | null;
  messages: InboxMessage[];
}

type Db = Kysely<Database> | Transaction<Database>;

function inboxThreads(db: Db, institutionId: string) {
  return db.selectFrom('threads').where('threads.institution_id', '=', institutionId).where('threads.application_id', 'is', null);
}

/** The inbox of the viewer's institution, newest first, as far as their role sees it. */
export async function listInbox(db: Kysely<Database>, viewer: InboxViewer, filter: InboxFilter, limit = 200): Promise<InboxRow[]> {
  if (!staffMay(viewer.role, 'inbox.read')) return [];
  let q = inboxThreads(db, viewer.institutionId)
    .innerJoin('persons', 'persons.id', 'threads.person_id')
    .leftJoin('staff_accounts as assignee', 'assignee.id', 'threads.assigned_to')
    .leftJoin('inbox_reads', (j) => j.onRef('inbox_reads.thread_id', '=', 'threads.id').on('inbox_reads.account_id', '=', viewer.accountId))
    .select((eb) => [
      'threads.id',
      'threads.subject',
      'threads.assigned_to',
      'persons.first_name',
      'persons.last_name',
      'assignee.display_name as assignee_name',
      'inbox_reads.read_at',
      eb.selectFrom('messages').select((m) => m.fn.max('messages.created_at').as('x')).whereRef('messages.thread_id', '=', 'threads.id').where('messages.author_kind', '!=', 'institution').as('received_at'),
      eb.selectFrom('messages').select((m) => m.fn.countAll<number>().as('x')).whereRef('messages.thread_id', '=', 'threads.id').where('messages.author_kind', '=', 'institution').as('replies'),
      eb
        .selectFrom('message_attachments')
        .innerJoin('messages', 'messages.id', 'message_attachments.message_id')
        .select((m) => m.fn.countAll<number>().as('x'))
        .whereRef('messages.thread_id', '=', 'threads.id')
        .as('attachments'),
      eb.selectFrom('messages').select((m) => m.fn.max('messages.author_id').as('x')).whereRef('messages.thread_id', '=', 'threads.id').where('messages.author_kind', '=', 'agent').as('agent_identifier'),
    ]);
  if (filter === 'mine') q = q.where('threads.assigned_to', '=', viewer.accountId);
  else if (filter === 'unassigned') q = q.where('threads.assigned_to', 'is', null);
  else if (!staffMay(viewer.role, 'inbox.assign')) q = q.where((eb) => eb.or([eb('threads.assigned_to', 'is', null), eb('threads.assigned_to', '=', viewer.accountId)]));
  const rows = await q.orderBy('threads.updated_at', 'desc').orderBy('threads.id').limit(limit).execute();
  const agentIds = [...new Set(rows.flatMap((r) => (r.agent_identifier ? [r.agent_identifier] : [])))];
  const agents = agentIds.length ? await db.selectFrom('persons').select(['identifier', 'first_name', 'last_name']).where('identifier', 'in', agentIds).execute() : [];
  const agentName = new Map(agents.map((a) => [a.identifier, `${a.first_name} ${a.last_name}`]));
  return rows
    .filter((r) => inboxItemVisible(viewer.role, viewer.accountId, r.assigned_to))
    .map((r) => {
      const receivedAt = r.received_at ?? '';
      return {
        threadId: r.id,
        subject: r.subject,
        personName: `${r.first_name} ${r.last_name}`,
        agentName: r.agent_identifier ? (agentName.get(r.agent_identifier) ?? null) : null,
        receivedAt,
        attachments: Number(r.attachments ?? 0),
        assignedTo: r.assigned_to ? { accountId: r.assigned_to, name: r.assignee_name ?? '' } : null,
        unread: r.read_at === null || r.read_at < receivedAt,
        answered: Number(r.replies ?? 0) > 0,
      };
    })
    .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
}

/** How many items of the inbox are unread for this viewer (the menu says it). */
export async function unreadCount(db: Kysely<Database>, viewer: InboxViewer): Promise<number> {
  return (await listInbox(db, viewer, 'all')).filter((r) => r.unread).length;
}

/** The thread, when it is an inbox thread of the viewer's institution their role may see; else null. */
async function visibleThread(db: Db, viewer: InboxViewer, threadId: string) {
  if (!staffMay(viewer.role, 'inbox.read')) return null;
  const row = await inboxThreads(db, viewer.institutionId)
    .innerJoin('persons', 'persons.id', 'threads.person_id')
    .leftJoin('staff_accounts as assignee', 'assignee.id', 'threads.assigned_to')
    .select(['threads.id', 'threads.subject', 'threads.person_id', 'threads.created_at', 'threads.assigned_to', 'persons.first_name', 'persons.last_name', 'persons.identifier', 'assignee.display_name as assignee_name'])
    .where('threads.id', '=', threadId)
    .executeTakeFirst();
  if (!row || !inboxItemVisible(viewer.role, viewer.accountId, row.assigned_to)) return null;
  return row;
}

async function markRead(trx: Transaction<Database>, accountId: string, threadId: string, at: string): Promise<void> {
  await trx
    .insertInto('inbox_reads')
    .values({ thread_id: threadId, account_id: accountId, read_at: at })
    .onConflict((oc) => oc.columns(['thread_id', 'account_id']).doUpdateSet({ read_at: at }))
    .execute();
}

/**
 * One thread, its messages oldest first with their papers; reading it marks it read for this viewer
 * and is journaled on the person (`inbox.thread.read`). Null: not there, or not the viewer's to see.
 */
export async function openThread(db: Kysely<Database>, dialect: Dialect, viewer: InboxViewer, threadId: string): Promise<InboxThread | null> {
  return db.transaction().execute(async (trx) => {
    const t = await visibleThread(trx, viewer, threadId);
    if (!t) return null;
    const messages = await trx.selectFrom('messages').selectAll().where('thread_id', '=', threadId).orderBy('created_at').orderBy('id').execute();
    const ids = messages.map((m) => m.id);
    const attachments = ids.length
      ? await trx
          .selectFrom('message_attachments')
          .leftJoin('blobs', 'blobs.sha256', 'message_attachments.blob_sha256')
          .select(['message_attachments.message_id', 'message_attachments.document_id', 'message_attachments.title', 'message_attachments.doc_type', 'message_attachments.version', 'blobs.mime'])
          .where('message_attachments.message_id', 'in', ids)
          .orderBy('message_attachments.title')
          .execute()
      : [];
    const identifiers = [...new Set(messages.filter((m) => m.author_kind !== 'institution').map((m) => m.author_id))];
    const people = identifiers.length ? await trx.selectFrom('persons').select(['identifier', 'first_name', 'last_name']).where('identifier', 'in', identifiers).execute() : [];
    const staffIds = [...new Set(messages.filter((m) => m.author_kind === 'institution').map((m) => m.author_id))];
    const staff = staffIds.length ? await trx.selectFrom('staff_accounts').select(['id', 'display_name']).where('id', 'in', staffIds).execute() : [];
    const nameOf = new Map<string, string>([...people.map((p) => [p.identifier, `${p.first_name} ${p.last_name}`] as const), ...staff.map((s) => [s.id, s.display_name] as const)]);
    const at = new Date().toISOString();
    await markRead(trx, viewer.accountId, threadId, at);
    await appendAudit(trx, dialect, {
      actor: { kind: 'staff', id: viewer.accountId },
      action: 'inbox.thread.read',
      subjectPersonId: t.person_id,
      documentId: null,
      ground: INBOX_GROUND,
      detail: { threadId, institutionId: viewer.institutionId, messages: String(messages.length) },
      at,
    });
    return {
      threadId: t.id,
      subject: t.subject,
      personName: `${t.first_name} ${t.last_name}`,
      personIdentifier: t.identifier,
      createdAt: t.created_at,
      assignedTo: t.assigned_to ? { accountId: t.assigned_to, name: t.assignee_name ?? '' } : null,
      messages: messages.map((m) => ({
        id: m.id,
        authorKind: m.author_kind,
        authorName: nameOf.get(m.author_id) ?? '',
        body: m.body,
        at: m.created_at,
        attachments: attachments
          .filter((a) => a.message_id === m.id)
          .map((a) => ({ documentId: a.document_id, title: a.title, docType: a.doc_type, version: a.version, mime: a.mime ?? null })),
      })),
    };
  });
}

/** The institution's accounts an item may be assigned to: active, and whose role reads the inbox. */
export async function assignableAccounts(db: Kysely<Database>, institutionId: string): Promise<{ accountId: string; name: string }[]> {
  const rows = await db
    .selectFrom('staff_accounts')
    .select(['id', 'display_name', 'role'])
    .where('institution_id', '=', institutionId)
    .where('disabled_at', 'is', null)
    .orderBy('display_name')
    .execute();
  return rows.filter((r) => r.role !== 'structure-admin' && staffMay(r.role, 'inbox.read')).map((r) => ({ accountId: r.id, name: r.display_name }));
}

export type AssignOutcome = { ok: true; changed: boolean } | { ok: false; code: 'unknown' | 'forbidden' | 'bad-assignee' };

/**
 * Assigns an item (to an account, or to no one: `null`). A head of service hands out any item to any
 * account that reads the inbox; an instructor may only take an unassigned item for themself.
 * Journaled `inbox.assign`.
 */
export async function assignThread(db: Kysely<Database>, dialect: Dialect, viewer: InboxViewer, threadId: string, assignee: string | null): Promise<AssignOutcome> {
  return db.transaction().execute(async (trx): Promise<AssignOutcome> => {
    const t = await visibleThread(trx, viewer, threadId);
    if (!t) return { ok: false, code: 'unknown' };
    const handsOut = staffMay(viewer.role, 'inbox.assign');
    const takes = staffMay(viewer.role, 'inbox.take') && t.assigned_to === null && assignee === viewer.accountId;
    if (!handsOut && !takes) return { ok: false, code: 'forbidden' };
    if (assignee !== null && !(await assignableAccounts(trx as unknown as Kysely<Database>, viewer.institutionId)).some((a) => a.accountId === assignee)) return { ok: false, code: 'bad-assignee' };
    if (t.assigned_to === assignee) return { ok: true, changed: false };
    const at = new Date().toISOString();
    await trx.updateTable('threads').set({ assigned_to: assignee, assigned_at: assignee === null ? null : at }).where('id', '=', threadId).execute();
    await appendAudit(trx, dialect, {
      actor: { kind: 'staff', id: viewer.accountId },
      action: 'inbox.assign',
      subjectPersonId: t.person_id,
      documentId: null,
      ground: INBOX_GROUND,
      detail: { threadId, institutionId: viewer.institutionId, from: t.assigned_to ?? '', to: assignee ?? '' },
      at,
    });
    return { ok: true, changed: true };
  });
}

export type ReplyOutcome = { ok: true; messageId: string } | { ok: false; code: 'unknown' | 'empty' | 'too-long' };

/** Cleans a text typed in a form: NUL characters out, ends trimmed, line ends as \n. */
export function cleanText(body: string): string {
  return body.replaceAll('\u0000', '').replace(/\r\n?/g, '\n').trim();
}

/**
 * The institution's answer in the thread: the person reads it at the kiosk, with the paper it is about,
 * who answered and when. Journaled `inbox.reply` (the text stays in the message, not in the journal).
 */
export async function replyInThread(db: Kysely<Database>, dialect: Dialect, viewer: InboxViewer, threadId: string, body: string): Promise<ReplyOutcome> {
  const text = cleanText(body);
  if (text === '') return { ok: false, code: 'empty' };
  if (text.length > MAX_REPLY_CHARS) return { ok: false, code: 'too-long' };
  return db.transaction().execute(async (trx): Promise<ReplyOutcome> => {
    const t = await visibleThread(trx, viewer, threadId);
    if (!t) return { ok: false, code: 'unknown' };
    const at = new Date().toISOString();
    const id = randomUUID();
    await trx.insertInto('messages').values({ id, thread_id: threadId, author_kind: 'institution', author_id: viewer.accountId, body: text, created_at: at }).execute();
    await trx.updateTable('threads').set({ updated_at: at }).where('id', '=', threadId).execute();
    await markRead(trx, viewer.accountId, threadId, at);
    await appendAudit(trx, dialect, {
      actor: { kind: 'staff', id: viewer.accountId },
      action: 'inbox.reply',
      subjectPersonId: t.person_id,
      documentId: null,
      ground: INBOX_GROUND,
      detail: { threadId, messageId: id, institutionId: viewer.institutionId, chars: String(text.length) },
      at,
    });
    return { ok: true, messageId: id };
  });
}

export interface InboxFile {
  sha256: string;
  mime: string;
  size: number;
  title: string;
  /** ASCII, safe in a Content-Disposition header */
  filename: string;
}

export type InboxFileOutcome = { ok: true; file: InboxFile } | { ok: false; code: 'unknown' } | { ok: false; code: 'forbidden'; reason: DenyReason };

/**
 * The bytes of a paper sent in a thread, as they were sent (the version copied with the message): through
 * the access policy (ground `institution-inbox`, facts read fresh) and into the journal the person reads
 * (`document.file.read`). Bytes that are gone are not journaled as read.
 */
export async function readInboxAttachment(
  deps: { db: Kysely<Database>; dialect: Dialect; blobStore: BlobStore },
  viewer: InboxViewer,
  threadId: string,
  messageId: string,
  documentId: string,
): Promise<InboxFileOutcome> {
  const { db } = deps;
  const t = await visibleThread(db, viewer, threadId);
  if (!t) return { ok: false, code: 'unknown' };
  const a = await db
    .selectFrom('message_attachments')
    .innerJoin('messages', 'messages.id', 'message_attachments.message_id')
    .innerJoin('blobs', 'blobs.sha256', 'message_attachments.blob_sha256')
    .select(['message_attachments.document_id', 'message_attachments.version', 'message_attachments.title', 'message_attachments.doc_type', 'blobs.sha256', 'blobs.mime', 'blobs.size', 'messages.author_kind'])
    .where('messages.thread_id', '=', threadId)
    .where('message_attachments.message_id', '=', messageId)
    .where('message_attachments.document_id', '=', documentId)
    .executeTakeFirst();
  if (!a) return { ok: false, code: 'unknown' };
  if ((await deps.blobStore.size(a.sha256)) === null) return { ok: false, code: 'unknown' };
  return db.transaction().execute(async (trx): Promise<InboxFileOutcome> => {
    const account = await trx.selectFrom('staff_accounts').select(['id', 'institution_id', 'role', 'disabled_at']).where('id', '=', viewer.accountId).executeTakeFirst();
    // who sent this document to which institution, in threads outside requests (the staff's own replies aside)
    const sentTo = await trx
      .selectFrom('message_attachments')
      .innerJoin('messages', 'messages.id', 'message_attachments.message_id')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select(['threads.person_id', 'threads.institution_id'])
      .where('message_attachments.document_id', '=', documentId)
      .where('threads.application_id', 'is', null)
      .where('messages.author_kind', 'in', ['person', 'agent'])
      .execute();
    const decision = decide({
      actor: { kind: 'staff', id: viewer.accountId },
      action: 'document.read',
      subject: { personId: t.person_id },
      // the class of the paper as it was sent: the copy is what is read
      documentClass: { vault: 'personal', docType: a.doc_type },
      ground: {
        kind: 'institution-inbox',
        account:
          account && account.institution_id !== null
            ? { id: account.id, institutionId: account.institution_id, role: account.role, active: account.disabled_at === null }
            : null,
        sentTo: sentTo.map((s) => ({ personId: s.person_id, institutionId: s.institution_id })),
      },
    });
    if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    await appendAudit(trx, deps.dialect, {
      actor: { kind: 'staff', id: viewer.accountId },
      action: 'document.file.read',
      subjectPersonId: t.person_id,
      documentId,
      ground: INBOX_GROUND,
      detail: { threadId, messageId, version: a.version, sha256: a.sha256, institutionId: viewer.institutionId },
    });
    return { ok: true, file: { sha256: a.sha256, mime: a.mime, size: a.size, title: a.title, filename: safeFilename(a.title, a.mime) } };
  });
}

// ---------------------------------------------------------------------------------------------------
// The person's side: the institutions' answers to what they sent, read at the kiosk

export interface PersonReply {
  /** the reply's message id */
  id: string;
  threadId: string;
  /** the paper (or papers) the sending was about: the thread's subject, the first paper's title */
  paperTitle: string;
  /** how many other papers the sending carried with the first */
  otherPapers: number;
  institutionId: string;
  institutionName: string;
  /** who answered, as they signed in the console */
  authorName: string;
  body: string;
  at: string;
  /** when the person's thread was last marked read before this reply: null, unread */
  seen: boolean;
}

/**
 * The institutions' replies to the papers this person sent (newest first, the last `limit`), each with
 * whether the person saw it already (the thread's `person_read_at`).
 */
export async function repliesForPerson(db: Kysely<Database>, personId: string, limit = 50): Promise<PersonReply[]> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .innerJoin('institutions', 'institutions.id', 'threads.institution_id')
    .leftJoin('staff_accounts', 'staff_accounts.id', 'messages.author_id')
    .select((eb) => [
      'messages.id',
      'messages.thread_id',
      'messages.body',
      'messages.created_at',
      'threads.subject',
      'threads.person_read_at',
      'institutions.id as institution_id',
      'institutions.name as institution_name',
      'staff_accounts.display_name',
      // the papers the person (or an agent for them) sent in the thread, the first one being its subject
      eb
        .selectFrom('message_attachments')
        .innerJoin('messages as sent', 'sent.id', 'message_attachments.message_id')
        .select((m) => m.fn.countAll<number>().as('x'))
        .whereRef('sent.thread_id', '=', 'threads.id')
        .where('sent.author_kind', '!=', 'institution')
        .as('papers'),
    ])
    .where('threads.person_id', '=', personId)
    .where('threads.application_id', 'is', null)
    .where('messages.author_kind', '=', 'institution')
    .orderBy('messages.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    paperTitle: r.subject,
    otherPapers: Math.max(0, Number(r.papers ?? 0) - 1),
    institutionId: r.institution_id,
    institutionName: r.institution_name,
    authorName: r.display_name ?? '',
    body: r.body,
    at: r.created_at,
    seen: r.person_read_at !== null && r.person_read_at >= r.created_at,
  }));
}

/** The person saw these replies at the kiosk: their threads are read up to now. Returns how many threads. */
export async function markRepliesSeen(db: Kysely<Database>, personId: string, replyIds: readonly string[], now = new Date()): Promise<number> {
  if (replyIds.length === 0) return 0;
  const threads = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .select('threads.id')
    .where('messages.id', 'in', [...replyIds])
    .where('threads.person_id', '=', personId)
    .where('threads.application_id', 'is', null)
    .execute();
  const ids = [...new Set(threads.map((t) => t.id))];
  if (ids.length === 0) return 0;
  await db.updateTable('threads').set({ person_read_at: now.toISOString() }).where('id', 'in', ids).execute();
  return ids.length;
}
