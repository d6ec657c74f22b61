/**
 * The signed revocation list on the server: every blocked or revoked card, one row per published
 * version in `revocation_lists`. `publishRevocationList` signs a new version only when the set of
 * revoked cards changed, so calling it again (at start, after each block) is harmless; publications are
 * serialized (an advisory lock in PostgreSQL, the single writer in SQLite) so versions never collide
 * between server instances or the staff CLI.
 *
 * The signer is the server's revocation-signing key (revocation-key.ts), whose certificate each list
 * carries, or the CA key on an issuance station. With `whenSignerChanged` (the server at start) the
 * current list is signed again, as a new version, when another key signed the latest one: after a
 * rotation kiosks move to the new key at once, instead of keeping a list signed by the old one until
 * the next card is blocked.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { RevocationList, revocationSigningPayload } from '../../../protocol/revocation.ts';
import type { RevokedCard, UnsignedRevocationList } from '../../../protocol/revocation.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { CaError } from './ca-store.ts';
import type { RevocationSigner } from './revocation-key.ts';

/** An arbitrary constant naming the PostgreSQL advisory lock that serializes publications. */
const PUBLISH_LOCK_KEY = 7_390_002;

/** The cards that must be refused: blocked or revoked, by serial. */
export async function revokedCards(db: Kysely<Database>): Promise<RevokedCard[]> {
  const rows = await db
    .selectFrom('cards')
    .select(['serial', 'revocation_reason', 'revoked_at', 'issued_at'])
    .where('status', 'in', ['blocked', 'revoked'])
    .orderBy('serial')
    .execute();
  // cards blocked before revocations were recorded (seeded as blocked) still get a reason and a date
  return rows.map((r) => ({ cardSerial: r.serial, reason: r.revocation_reason ?? 'other', at: r.revoked_at ?? r.issued_at }));
}

/** The latest published list, or null when none was published yet. */
export async function latestRevocationList(db: Kysely<Database>): Promise<RevocationList | null> {
  const row = await db.selectFrom('revocation_lists').select('body').orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row) return null;
  return RevocationList.parse(JSON.parse(row.body));
}

export async function latestRevocationVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('revocation_lists').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  return Number(row?.v ?? 0);
}

/**
 * Signs a list with `signer`, adding its certificate. Refuses (CaError) a list dated outside the
 * signer's validity: kiosks would refuse it.
 */
export async function signRevocationList(signer: RevocationSigner, body: UnsignedRevocationList): Promise<RevocationList> {
  const issuedAt = Date.parse(body.issuedAt);
  if (issuedAt > signer.notAfter.getTime()) throw new CaError('expired', `the revocation-signing key expired on ${signer.notAfter.toISOString()}: issue a new one (npm run staff -- ca revocation-key issue)`);
  if (issuedAt < signer.notBefore.getTime()) throw new CaError('not-yet-valid', `the revocation-signing key is valid from ${signer.notBefore.toISOString()}`);
  const unsigned: UnsignedRevocationList = {
    version: body.version,
    issuedAt: body.issuedAt,
    revoked: body.revoked,
    ...(signer.certificate ? { signerCertificate: Buffer.from(signer.certificate).toString('base64url') } : {}),
  };
  const signature = Buffer.from(await signer.sign(revocationSigningPayload(unsigned))).toString('base64url');
  return RevocationList.parse({ ...unsigned, signature });
}

/**
 * Publishes a new signed version when the revoked cards differ from the latest list (or none exists);
 * returns the current list and whether it is new.
 */
export async function publishRevocationList(
  db: Kysely<Database>,
  dialect: Dialect,
  signer: RevocationSigner,
  opts: { now?: Date; whenSignerChanged?: boolean } = {},
): Promise<{ list: RevocationList; published: boolean }> {
  const now = opts.now ?? new Date();
  const ours = signer.certificate ? Buffer.from(signer.certificate).toString('base64url') : undefined;
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK_KEY})`.execute(trx);
    const revoked = await revokedCards(trx);
    const latest = await latestRevocationList(trx);
    const sameCards = latest !== null && canonicalJson(latest.revoked) === canonicalJson(revoked);
    const sameSigner = latest !== null && latest.signerCertificate === ours;
    if (latest && sameCards && (sameSigner || !opts.whenSignerChanged)) return { list: latest, published: false };
    const list = await signRevocationList(signer, { version: (latest?.version ?? 0) + 1, issuedAt: now.toISOString(), revoked });
    await trx.insertInto('revocation_lists').values({ version: list.version, issued_at: list.issuedAt, body: canonicalJson(list) }).execute();
    return { list, published: true };
  });
}
