/**
 * The queue of server → kiosk pushes (`kiosk_pushes`): what is waiting for which kiosk, what was sent,
 * what was acknowledged. Features queue pushes here inside their own transactions (a status change
 * and its push commit together); the edge's delivery service (edge/socket/pushes.ts) reads the queue,
 * sends over the socket and records each outcome.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../protocol/canonical-json.ts';
import type { Json } from '../../protocol/canonical-json.ts';
import { PushMessage } from '../../protocol/socket.ts';
import type { ProtocolError } from '../../protocol/socket.ts';
import type { Database } from './storage/schema.ts';

export type PushOutcome =
  | { status: 'acked' }
  /** the kiosk answered { ok: false } */
  | { status: 'refused'; error: ProtocolError }
  /** the kiosk's answer does not match PushAck: not recorded as acknowledged */
  | { status: 'invalid-ack'; error: ProtocolError }
  | { status: 'timeout' }
  | { status: 'disconnected' };

/** Kinds delivered once each, in order (versioned kinds — revocations, config — keep only the newest). */
export type QueuedKind = 'admin-command' | 'application-status';
export const QUEUED_KINDS: readonly QueuedKind[] = ['admin-command', 'application-status'];
export type VersionedKind = 'revocations' | 'config';

/** Records a queued push (admin command, application status) for one kiosk; returns its id. */
export async function insertQueuedPush(db: Kysely<Database>, kioskId: string, kind: QueuedKind, body: Json): Promise<string> {
  const parsed = PushMessage.parse({ id: randomUUID(), kind, body });
  await db
    .insertInto('kiosk_pushes')
    .values({
      push_id: parsed.id,
      kiosk_id: kioskId,
      kind,
      version: 0,
      created_at: new Date().toISOString(),
      sent_at: null,
      acked_at: null,
      last_error: null,
      body: canonicalJson(body),
    })
    .execute();
  return parsed.id;
}

/** Records a pending push of a new version of a versioned kind (the body is read when it is sent). */
export async function insertVersionedPush(db: Kysely<Database>, kioskId: string, kind: VersionedKind, version: number): Promise<string> {
  const pushId = randomUUID();
  await db
    .insertInto('kiosk_pushes')
    .values({ push_id: pushId, kiosk_id: kioskId, kind, version, created_at: new Date().toISOString(), sent_at: null, acked_at: null, last_error: null })
    .execute();
  return pushId;
}

/** The id of the unacknowledged push of this version to this kiosk, created once. */
export async function pushIdFor(db: Kysely<Database>, kioskId: string, kind: VersionedKind, version: number): Promise<string> {
  const pending = await db
    .selectFrom('kiosk_pushes')
    .select('push_id')
    .where('kiosk_id', '=', kioskId)
    .where('kind', '=', kind)
    .where('version', '=', version)
    .where('acked_at', 'is', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return pending ? pending.push_id : insertVersionedPush(db, kioskId, kind, version);
}

/** Every unacknowledged push of this kind up to this version counts as delivered (the kiosk holds it, or a newer one). */
export async function ackVersionsUpTo(db: Kysely<Database>, kioskId: string, kind: VersionedKind, version: number): Promise<void> {
  await db
    .updateTable('kiosk_pushes')
    .set({ acked_at: new Date().toISOString(), outcome: 'acked', last_error: null })
    .where('kiosk_id', '=', kioskId)
    .where('kind', '=', kind)
    .where('version', '<=', version)
    .where('acked_at', 'is', null)
    .execute();
}

/** The kiosks with pushes recorded since `since` and never sent (queued by another process). */
export async function kiosksWithUnsentPushes(db: Kysely<Database>, since: string): Promise<string[]> {
  const rows = await db
    .selectFrom('kiosk_pushes')
    .select('kiosk_id')
    .distinct()
    .where('sent_at', 'is', null)
    .where('acked_at', 'is', null)
    .where('created_at', '>', since)
    .execute();
  return rows.map((r) => r.kiosk_id);
}

/** The next queued pushes of a kiosk, oldest first, not yet acknowledged nor refused. */
export async function nextQueuedPushes(db: Kysely<Database>, kioskId: string, limit: number): Promise<{ push_id: string; kind: string; body: string | null }[]> {
  return db
    .selectFrom('kiosk_pushes')
    .select(['push_id', 'kind', 'body'])
    .where('kiosk_id', '=', kioskId)
    .where('acked_at', 'is', null)
    .where('outcome', 'is', null)
    .where('kind', 'in', QUEUED_KINDS)
    .orderBy('created_at')
    .orderBy('push_id')
    .limit(limit)
    .execute();
}

/** One more attempt is on its way. */
export async function markSent(db: Kysely<Database>, pushId: string): Promise<void> {
  await db
    .updateTable('kiosk_pushes')
    .set((eb) => ({ sent_at: new Date().toISOString(), attempts: eb('attempts', '+', 1) }))
    .where('push_id', '=', pushId)
    .execute();
}

/** `final`: a refusal closes the push (queued kinds); otherwise it stays pending for the next hello. */
export async function recordOutcome(db: Kysely<Database>, pushId: string, outcome: PushOutcome, final: boolean): Promise<void> {
  const now = new Date().toISOString();
  const q = db.updateTable('kiosk_pushes').where('push_id', '=', pushId);
  if (outcome.status === 'acked') await q.set({ acked_at: now, outcome: 'acked', last_error: null }).execute();
  else {
    const error = outcome.status === 'refused' || outcome.status === 'invalid-ack' ? `${outcome.status}: ${outcome.error.code}: ${outcome.error.message}` : outcome.status;
    await q.set({ last_error: error.slice(0, 500), ...(final && outcome.status === 'refused' ? { outcome: 'refused' as const } : {}) }).execute();
  }
}
