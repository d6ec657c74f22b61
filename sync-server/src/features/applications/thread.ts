/**
 * The negotiation thread of an application: the applicant (or the agent helping them) and the
 * institution that processes it write to each other. One thread per application, created with its
 * first message; the institution is the office the request was sent to, else (a request sent before
 * offices were named) the one of the staff member who wrote first, or else the first office of the kind
 * that handles the aid. What the institution writes is also a notice for the
 * person (next login) and a push to the dossier's kiosk. Every message is journaled (its presence, not its text:
 * the journal is not the place for free text about a person).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../../kernel/audit.ts';
import { notifyPerson } from './applications.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { threadSubject } from '../../kernel/words/applications.ts';

export type MessageAuthor =
  | { kind: 'person'; id: string }
  | { kind: 'agent'; id: string }
  | { kind: 'institution'; id: string; institutionId: string };

export interface ApplicationMessage {
  id: string;
  applicationId: string;
  authorKind: MessageAuthor['kind'];
  authorId: string;
  body: string;
  createdAt: string;
  institutionId: string;
}

export const MAX_MESSAGE_CHARS = 2000;

export type PostOutcome = { ok: true; message: ApplicationMessage } | { ok: false; reason: 'unknown-application' | 'empty' | 'too-long' | 'no-institution' };

/** Adds a message to the application's thread inside the caller's transaction. */
export async function postMessageIn(
  trx: Transaction<Database>,
  dialect: Dialect,
  input: {
    applicationId: string;
    author: MessageAuthor;
    body: string;
    handlingInstitutionKind: string;
    at?: string | undefined;
    /** journaled on this ground rather than the author's usual one (an agent alone, on the person's procuration) */
    journal?: { ground: string; detail: Record<string, string> } | undefined;
  },
): Promise<PostOutcome> {
  const body = input.body.replaceAll(String.fromCharCode(0), '').trim();
  if (body === '') return { ok: false, reason: 'empty' };
  if (body.length > MAX_MESSAGE_CHARS) return { ok: false, reason: 'too-long' };
  const app = await trx.selectFrom('applications').select(['id', 'person_id', 'aid_id', 'state', 'dossier_id', 'institution_id']).where('id', '=', input.applicationId).executeTakeFirst();
  if (!app) return { ok: false, reason: 'unknown-application' };
  const at = input.at ?? new Date().toISOString();
  let thread = await trx.selectFrom('threads').select(['id', 'institution_id']).where('application_id', '=', app.id).executeTakeFirst();
  if (!thread) {
    let institutionId = app.institution_id ?? (input.author.kind === 'institution' ? input.author.institutionId : null);
    if (!institutionId) {
      const inst = await trx.selectFrom('institutions').select('id').where('kind', '=', input.handlingInstitutionKind).orderBy('id').executeTakeFirst();
      institutionId = inst?.id ?? null;
    }
    if (!institutionId) return { ok: false, reason: 'no-institution' };
    thread = { id: randomUUID(), institution_id: institutionId };
    await trx
      .insertInto('threads')
      .values({ id: thread.id, person_id: app.person_id, institution_id: institutionId, subject: threadSubject(app.aid_id), created_at: at, updated_at: at, application_id: app.id })
      .execute();
  }
  const id = randomUUID();
  await trx.insertInto('messages').values({ id, thread_id: thread.id, author_kind: input.author.kind, author_id: input.author.id, body, created_at: at }).execute();
  const threadUpdate: { updated_at: string; person_read_at?: string } = { updated_at: at };
  // what the person writes, they have read
  if (input.author.kind !== 'institution') threadUpdate.person_read_at = at;
  await trx.updateTable('threads').set(threadUpdate).where('id', '=', thread.id).execute();
  await appendAudit(trx, dialect, {
    actor: { kind: input.author.kind === 'institution' ? 'staff' : 'person', id: input.author.id },
    action: 'application.message',
    subjectPersonId: app.person_id,
    documentId: null,
    ground: input.journal?.ground ?? (input.author.kind === 'institution' ? 'institution-processing' : 'applicant'),
    detail: { ...input.journal?.detail, applicationId: app.id, messageId: id },
    at,
  });
  // the institution wrote: the person is told at their next login, and live on the kiosk of the dossier
  if (input.author.kind === 'institution' && app.dossier_id) {
    await notifyPerson(trx, { personId: app.person_id, dossierId: app.dossier_id, applicationId: app.id, state: app.state, message: body, at });
  }
  return {
    ok: true,
    message: { id, applicationId: app.id, authorKind: input.author.kind, authorId: input.author.id, body, createdAt: at, institutionId: thread.institution_id },
  };
}

export function postMessage(
  db: Kysely<Database>,
  dialect: Dialect,
  input: Parameters<typeof postMessageIn>[2],
): Promise<PostOutcome> {
  return db.transaction().execute((trx) => postMessageIn(trx, dialect, input));
}

/** The messages of these applications' threads, oldest first, with the institution's name. */
export async function messagesOf(db: Kysely<Database>, applicationIds: readonly string[]): Promise<(ApplicationMessage & { institutionName: string })[]> {
  if (applicationIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .innerJoin('institutions', 'institutions.id', 'threads.institution_id')
    .select([
      'messages.id',
      'threads.application_id',
      'messages.author_kind',
      'messages.author_id',
      'messages.body',
      'messages.created_at',
      'threads.institution_id',
      'institutions.name as institution_name',
    ])
    .where('threads.application_id', 'in', [...applicationIds])
    .orderBy('messages.created_at')
    .orderBy('messages.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id ?? '',
    authorKind: r.author_kind,
    authorId: r.author_id,
    body: r.body,
    createdAt: r.created_at,
    institutionId: r.institution_id,
    institutionName: r.institution_name,
  }));
}

/** Institution messages the person has not read yet, per application. */
export async function unreadCounts(db: Kysely<Database>, personId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .select(['threads.application_id', 'messages.created_at', 'threads.person_read_at'])
    .where('threads.person_id', '=', personId)
    .where('threads.application_id', 'is not', null)
    .where('messages.author_kind', '=', 'institution')
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.person_read_at !== null && r.created_at <= r.person_read_at) continue;
    const key = r.application_id ?? '';
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** The person read the threads of these applications (the dossier screen was shown). */
export async function markThreadsRead(db: Kysely<Database>, applicationIds: readonly string[], at = new Date().toISOString()): Promise<void> {
  if (applicationIds.length === 0) return;
  await db.updateTable('threads').set({ person_read_at: at }).where('application_id', 'in', [...applicationIds]).execute();
}
