/**
 * What the fault tests share: a new kiosk's one-time enrollment code, what the server holds from one
 * kiosk, and the check that every queued mutation arrived exactly once (applied once each, in seq
 * order, each making one document version).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import type { Dialect } from '../../sync-server/src/kernel/storage/database.ts';
import type { Database } from '../../sync-server/src/kernel/storage/schema.ts';
import { CAMILLE } from '../../sync-server/test-support/test-env.ts';

/** Whose documents the fault tests deposit (the seed's Camille, on her own card). */
export const WHO = { owner: CAMILLE.identifier, cardSerial: CAMILLE.card };
const ACTOR = { kind: 'staff', id: 'fault-test' } as const;

/** A kiosk staff just declared, and its one-time enrollment code. */
export async function newKioskCode(db: Kysely<Database>, dialect: Dialect): Promise<{ kioskId: string; code: string }> {
  const e = await createEnrollment(db, dialect, { kioskId: `borne-${randomBytes(4).toString('hex')}`, name: 'Borne des tests de pannes', actor: ACTOR });
  return { kioskId: e.kioskId, code: e.code };
}

/** What the server holds from a kiosk: its position, the mutations applied, the document versions made. */
export async function serverHolds(db: Kysely<Database>, kioskId: string) {
  const kiosk = await db.selectFrom('kiosks').select('last_seq').where('id', '=', kioskId).executeTakeFirstOrThrow();
  const applied = await db.selectFrom('applied_mutations').select(['seq', 'id']).where('kiosk_id', '=', kioskId).orderBy('seq').execute();
  const versions = await db.selectFrom('document_versions').select(['document_id', 'source_mutation_id']).where('source_kiosk_id', '=', kioskId).execute();
  return { lastSeq: kiosk.last_seq, applied, versions };
}

export type ServerHolds = Awaited<ReturnType<typeof serverHolds>>;

/** Exactly once: every queued mutation applied once, in seq order, each making one document version. */
export function expectExactlyOnce(held: ServerHolds, queued: { ids: readonly string[]; documentIds: readonly string[] }): void {
  expect(held.applied.map((a) => a.seq)).toEqual(queued.ids.map((_, i) => i + 1));
  expect(held.applied.map((a) => a.id)).toEqual(queued.ids);
  expect(held.versions).toHaveLength(queued.ids.length);
  expect(new Set(held.versions.map((v) => v.document_id))).toEqual(new Set(queued.documentIds));
  expect(new Set(held.versions.map((v) => v.source_mutation_id))).toEqual(new Set(queued.ids));
  expect(held.lastSeq).toBe(queued.ids.length);
}
