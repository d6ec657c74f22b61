/**
 * Kiosk authentication (DESIGN.md §6): a kiosk proves it holds its enrolled device key by signing a
 * one-time server challenge — at each socket.io connection, and to obtain a short-lived session token
 * for HTTP (blob uploads). Nothing long-lived and shared crosses the wire; a revoked kiosk is refused
 * everywhere at once (its tokens are checked against the kiosk row at every request).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { kioskAuthPayload } from '../../../protocol/socket.ts';
import type { AuthPurpose, KioskAuth, KioskHandshake } from '../../../protocol/socket.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Challenges } from './challenges.ts';
import { parseDevicePublicKey, verifyDeviceSignature } from './device-keys.ts';
import { tokenHash } from '../../kernel/secrets.ts';

/** Lifetime of a session token (server time); the kiosk asks for a new one before it runs out. */
export const SESSION_TTL_MS = 15 * 60_000;

export type KioskCheck = { ok: true; kioskId: string; publicKey: string } | { ok: false; reason: 'unauthorized' | 'revoked' };

const UNAUTHORIZED = { ok: false, reason: 'unauthorized' } as const;

/**
 * Checks a signed challenge: issued by us to this kiosk and fresh, signed with the kiosk's enrolled key
 * for this purpose, never used before. A revoked kiosk that signs correctly learns that it is revoked;
 * anything else only learns `unauthorized`.
 */
export async function verifySignedChallenge(
  db: Kysely<Database>,
  challenges: Challenges,
  h: KioskHandshake,
  purpose: AuthPurpose,
): Promise<KioskCheck> {
  const check = challenges.check(h.kioskId, h.challenge);
  if (!check.ok) return UNAUTHORIZED;
  const row = await db.selectFrom('kiosks').select(['public_key', 'revoked_at']).where('id', '=', h.kioskId).executeTakeFirst();
  if (!row || row.public_key === null) return UNAUTHORIZED;
  const key = parseDevicePublicKey(row.public_key);
  if (!key || !verifyDeviceSignature(key, kioskAuthPayload(h.kioskId, h.challenge, purpose), h.signature)) return UNAUTHORIZED;
  if (!(await challenges.consume(h.kioskId, check))) return UNAUTHORIZED; // replayed
  if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
  return { ok: true, kioskId: h.kioskId, publicKey: row.public_key };
}

/** A fresh session token for HTTP requests, stored hashed. */
export async function issueSessionToken(
  db: Kysely<Database>,
  kiosk: { kioskId: string; publicKey: string },
  now: number = Date.now(),
): Promise<{ token: string; expiresInS: number }> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('kiosk_sessions')
    .values({
      token_hash: tokenHash(token),
      kiosk_id: kiosk.kioskId,
      public_key: kiosk.publicKey,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + SESSION_TTL_MS).toISOString(),
    })
    .execute();
  return { token, expiresInS: SESSION_TTL_MS / 1000 };
}

/** Checks HTTP credentials: a live session token of this kiosk, issued to its current key, kiosk not revoked. */
export async function verifyKioskToken(db: Kysely<Database>, auth: KioskAuth, now: number = Date.now()): Promise<'ok' | 'unauthorized' | 'revoked'> {
  const row = await db
    .selectFrom('kiosk_sessions as s')
    .innerJoin('kiosks as k', 'k.id', 's.kiosk_id')
    .select(['s.kiosk_id', 's.expires_at', 's.public_key', 'k.public_key as current_key', 'k.revoked_at'])
    .where('s.token_hash', '=', tokenHash(auth.token))
    .executeTakeFirst();
  if (!row || row.kiosk_id !== auth.kioskId || row.expires_at <= new Date(now).toISOString() || row.current_key !== row.public_key) {
    return 'unauthorized';
  }
  return row.revoked_at === null ? 'ok' : 'revoked';
}

export async function purgeExpiredSessions(db: Kysely<Database>, now: number = Date.now()): Promise<number> {
  const r = await db.deleteFrom('kiosk_sessions').where('expires_at', '<', new Date(now).toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
