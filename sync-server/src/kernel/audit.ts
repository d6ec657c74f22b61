/**
 * The audit journal (DESIGN.md §6): append-only and hash-chained. Each entry's hash is
 * SHA-256(prev_hash + canonical JSON of the entry), so removing, reordering or editing any entry breaks
 * every later hash. The database rejects UPDATE and DELETE on the table (triggers, migration 0001).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Dialect } from './storage/database.ts';
import type { AuditRow, Database } from './storage/schema.ts';
import { canonicalJson } from '../../protocol/canonical-json.ts';
import type { Json } from '../../protocol/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** An arbitrary constant naming the PostgreSQL advisory lock that serializes journal appends. */
const AUDIT_LOCK_KEY = 7_390_001;

export type ActorKind = 'person' | 'staff' | 'system';

export interface AuditEntryInput {
  actor: { kind: ActorKind; id: string };
  action: string;
  subjectPersonId: string | null;
  documentId: string | null;
  /** the access ground the action was allowed on (own-card, staff-administration, …) */
  ground: string;
  detail: { [key: string]: Json | undefined };
  /** defaults to now; tests pass a fixed time */
  at?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { kind: string; id: string };
  action: string;
  subjectPersonId: string | null;
  documentId: string | null;
  ground: string;
  detail: Json;
  prevHash: string;
  hash: string;
}

function hashedForm(row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return canonicalJson({
    seq: row.seq,
    at: row.at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    subjectPersonId: row.subject_person_id,
    documentId: row.document_id,
    ground: row.ground,
    detail: JSON.parse(row.detail) as Json,
  });
}

export function entryHash(prevHash: string, row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return createHash('sha256').update(prevHash).update(hashedForm(row)).digest('hex');
}

/**
 * Appends an entry inside the caller's transaction, so the entry commits or rolls back with the action
 * it records. Appends are serialized so the chain stays linear: an advisory lock in PostgreSQL; SQLite
 * transactions are serialized already (one writer).
 */
export async function appendAudit(trx: Transaction<Database>, dialect: Dialect, input: AuditEntryInput): Promise<AuditEntry> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx
    .selectFrom('audit_journal')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const body = {
    seq: (last?.seq ?? 0) + 1,
    at: input.at ?? new Date().toISOString(),
    actor_kind: input.actor.kind,
    actor_id: input.actor.id,
    action: input.action,
    subject_person_id: input.subjectPersonId,
    document_id: input.documentId,
    ground: input.ground,
    detail: canonicalJson(input.detail),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row: AuditRow = { ...body, prev_hash: prevHash, hash: entryHash(prevHash, body) };
  await trx.insertInto('audit_journal').values(row).execute();
  return toEntry(row);
}

export function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    subjectPersonId: row.subject_person_id,
    documentId: row.document_id,
    ground: row.ground,
    detail: JSON.parse(row.detail) as Json,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export type ChainCheck =
  | { ok: true; entries: number }
  | { ok: false; seq: number; reason: 'sequence' | 'prev_hash' | 'hash' | 'detail' };

const JsonText = z.string().refine((s) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
});

/** Walks the whole journal in order and reports the first entry that breaks the chain. */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 1000): Promise<ChainCheck> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastSeen: number | null = null;
  for (;;) {
    let q = db.selectFrom('audit_journal').selectAll().orderBy('seq').limit(pageSize);
    // the first page has no lower bound, so a forged row with seq ≤ 0 is seen too
    if (lastSeen !== null) q = q.where('seq', '>', lastSeen);
    const page = await q.execute();
    for (const row of page) {
      if (row.seq !== expectedSeq) return { ok: false, seq: row.seq, reason: 'sequence' };
      if (row.prev_hash !== prevHash) return { ok: false, seq: row.seq, reason: 'prev_hash' };
      if (!JsonText.safeParse(row.detail).success) return { ok: false, seq: row.seq, reason: 'detail' };
      const { hash, prev_hash: _p, ...body } = row;
      if (entryHash(prevHash, body) !== hash) return { ok: false, seq: row.seq, reason: 'hash' };
      prevHash = hash;
      lastSeen = row.seq;
      expectedSeq++;
      count++;
    }
    if (page.length < pageSize) return { ok: true, entries: count };
  }
}
