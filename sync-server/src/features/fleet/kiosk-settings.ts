/**
 * A kiosk's record as the rest of the server needs it: whether it is in service, and the settings staff
 * set for it (display name, inactivity delays). A change of settings is a new version with a pending
 * `config` push in the same transaction, so every server instance, and the staff CLI's changes, reach
 * the kiosk.
 */
import type { Kysely, Transaction } from 'kysely';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import type { Json } from '../../../protocol/canonical-json.ts';
import { KioskSettings } from '../../../protocol/socket.ts';
import { insertVersionedPush } from '../../kernel/push-queue.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

/** `unknown` when no such kiosk was ever enrolled or created. */
export async function kioskStatus(db: Kysely<Database>, kioskId: string): Promise<'active' | 'revoked' | 'unknown'> {
  const row = await db.selectFrom('kiosks').select('revoked_at').where('id', '=', kioskId).executeTakeFirst();
  if (!row) return 'unknown';
  return row.revoked_at === null ? 'active' : 'revoked';
}

/** Every revoked kiosk (the sockets poll it to drop a kiosk revoked by another process). */
export async function revokedKioskIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('kiosks').select('id').where('revoked_at', 'is not', null).execute();
  return rows.map((r) => r.id);
}

/** The kiosk's current settings and their version; settings unreadable in the database count as none. */
export async function readKioskSettings(db: Kysely<Database>, kioskId: string): Promise<{ version: number; settings: KioskSettings } | null> {
  const row = await db.selectFrom('kiosks').select(['settings', 'settings_version']).where('id', '=', kioskId).executeTakeFirst();
  if (!row) return null;
  const settings = KioskSettings.safeParse(JSON.parse(row.settings));
  return { version: row.settings_version, settings: settings.success ? settings.data : {} };
}

/**
 * Where a kiosk stands, as its copy of the directory is cut: the office it was enrolled in
 * (`institution_id`, null for none) and the area staff set in its settings, if any. Null for no such kiosk.
 */
export async function kioskPlace(db: Kysely<Database> | Transaction<Database>, kioskId: string): Promise<{ institutionId: string | null; directoryArea: string[] | null } | null> {
  const row = await db.selectFrom('kiosks').select(['institution_id', 'settings']).where('id', '=', kioskId).executeTakeFirst();
  if (!row) return null;
  const settings = KioskSettings.safeParse(JSON.parse(row.settings));
  return { institutionId: row.institution_id, directoryArea: settings.success ? (settings.data.directoryArea ?? null) : null };
}

/** Writes a kiosk's settings as a new version with its pending push. Null when the kiosk does not exist. */
export async function writeKioskSettings(db: Kysely<Database>, dialect: Dialect, kioskId: string, settings: KioskSettings): Promise<number | null> {
  const text = canonicalJson(settings as Json);
  return db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('kiosks').select(['settings_version']).where('id', '=', kioskId);
    if (dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return null;
    const version = row.settings_version + 1;
    await trx.updateTable('kiosks').set({ settings: text, settings_version: version }).where('id', '=', kioskId).execute();
    await insertVersionedPush(trx, kioskId, 'config', version);
    return version;
  });
}

/** Demo and test data: kiosks created with a token (its SHA-256 only), those missing; counts what was inserted. */
export async function seedKiosks(db: Kysely<Database>, kiosks: readonly { id: string; name: string; institutionId: string | null; tokenHash: string }[]): Promise<number> {
  let n = 0;
  for (const k of kiosks) {
    const r = await db
      .insertInto('kiosks')
      .values({ id: k.id, name: k.name, institution_id: k.institutionId, token_hash: k.tokenHash, revoked_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

/** Kiosks not revoked that still carry one of these token hashes (a seed's published tokens, checked in production). */
export async function activeKiosksWithTokenHashes(db: Kysely<Database>, tokenHashes: readonly string[]): Promise<string[]> {
  if (tokenHashes.length === 0) return [];
  const rows = await db.selectFrom('kiosks').select('id').where('token_hash', 'in', [...tokenHashes]).where('revoked_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.id);
}

export async function anyKiosk(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('kiosks').select('id').limit(1).executeTakeFirst()) !== undefined;
}
