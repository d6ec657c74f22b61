/** Kiosk credentials (socket handshake and blob uploads): known kiosk, not revoked, right token. */
import type { Kysely } from 'kysely';
import type { KioskAuth } from '../../protocol/socket.ts';
import type { Database } from '../storage/schema.ts';
import { tokenHash, tokenMatchesHash } from './secrets.ts';

// compared against when the kiosk is unknown, so that an unknown id costs the same as a wrong token
const DUMMY_HASH = tokenHash('no-such-kiosk');

export async function verifyKiosk(db: Kysely<Database>, auth: KioskAuth): Promise<boolean> {
  const row = await db
    .selectFrom('kiosks')
    .select(['token_hash', 'revoked_at'])
    .where('id', '=', auth.kioskId)
    .executeTakeFirst();
  const matches = tokenMatchesHash(auth.token, row?.token_hash ?? DUMMY_HASH);
  return row !== undefined && row.revoked_at === null && matches;
}
