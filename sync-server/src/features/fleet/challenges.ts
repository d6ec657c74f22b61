/**
 * One-time challenges a kiosk signs to authenticate (socket handshake, session token).
 *
 * A challenge is stateless until used: 16 random bytes, the server's time, and a MAC binding both to
 * the kiosk id, under a key every server instance shares (stored in `server_secrets`). Issuing one costs
 * no database write, so asking for challenges cannot fill the database; a challenge is recorded only
 * once a valid signature over it has been seen, and a second use is refused (replay). Only server time
 * is involved: a kiosk whose clock is wrong by days authenticates all the same.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { loadServerSecret } from '../../kernel/secrets.ts';
import type { Database } from '../../kernel/storage/schema.ts';

/** How long a challenge may be answered. */
export const CHALLENGE_TTL_MS = 60_000;
/** Server instances' clocks may differ a little: a challenge "from the future" by this much is fine. */
const INSTANCE_SKEW_MS = 30_000;
const NONCE_BYTES = 16;
const MAC_BYTES = 16;

export type ChallengeCheck = { ok: true; nonce: string; expiresAt: string } | { ok: false };

export class Challenges {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  static async open(db: Kysely<Database>): Promise<Challenges> {
    return new Challenges(db, await loadServerSecret(db, 'kiosk-challenge-mac'));
  }

  private mac(kioskId: string, nonce: Buffer, time: Buffer): Buffer {
    return createHmac('sha256', this.key).update('fac-challenge/v1\0').update(kioskId).update('\0').update(nonce).update(time).digest().subarray(0, MAC_BYTES);
  }

  issue(kioskId: string): { challenge: string; expiresInS: number } {
    const nonce = randomBytes(NONCE_BYTES);
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(this.now()));
    const challenge = Buffer.concat([nonce, time, this.mac(kioskId, nonce, time)]).toString('base64url');
    return { challenge, expiresInS: CHALLENGE_TTL_MS / 1000 };
  }

  /** Is this a challenge we issued, to this kiosk, still fresh? (No database access.) */
  check(kioskId: string, challenge: string): ChallengeCheck {
    const raw = Buffer.from(challenge, 'base64url');
    if (raw.length !== NONCE_BYTES + 8 + MAC_BYTES || raw.toString('base64url') !== challenge) return { ok: false };
    const nonce = raw.subarray(0, NONCE_BYTES);
    const time = raw.subarray(NONCE_BYTES, NONCE_BYTES + 8);
    if (!timingSafeEqual(raw.subarray(NONCE_BYTES + 8), this.mac(kioskId, nonce, time))) return { ok: false };
    const issuedAt = Number(time.readBigUInt64BE());
    const age = this.now() - issuedAt;
    if (age > CHALLENGE_TTL_MS || age < -INSTANCE_SKEW_MS) return { ok: false };
    return { ok: true, nonce: nonce.toString('hex'), expiresAt: new Date(issuedAt + CHALLENGE_TTL_MS + INSTANCE_SKEW_MS).toISOString() };
  }

  /** Records a challenge as used; false if it was used already. Call it only after its signature verified. */
  async consume(kioskId: string, check: Extract<ChallengeCheck, { ok: true }>): Promise<boolean> {
    const r = await this.db
      .insertInto('kiosk_auth_nonces')
      .values({ nonce: check.nonce, kiosk_id: kioskId, expires_at: check.expiresAt })
      .onConflict((oc) => oc.column('nonce').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}

/** Used challenges can go once they could no longer be answered anyway (the blob GC's clean-up). */
export async function purgeExpiredNonces(db: Kysely<Database>, now: number = Date.now()): Promise<number> {
  const r = await db.deleteFrom('kiosk_auth_nonces').where('expires_at', '<', new Date(now).toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
