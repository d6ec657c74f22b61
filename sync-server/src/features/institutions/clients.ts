/**
 * An institution's own systems as OAuth 2.0 clients (RFC 6749 §4.4, client credentials): one client per
 * system, created, listed, rotated and revoked by staff (the staff CLI), each act journaled. The secret
 * is shown once and only its SHA-256 is stored — 256 random bits, so a slow password hash would add
 * nothing. A client trades its secret (HTTP Basic, `client_secret_basic`) for a bearer token that lives
 * ten minutes, stored as a hash too: a leaked token is worth little and a revocation takes effect at once
 * (every use joins the client and reads `revoked_at`).
 *
 * Rotation keeps the former secret working for a grace period (24 h by default), so the institution's IT
 * can install the new one without a cut; `--grace-hours 0` ends it at once, for a secret known to leak.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { sameSecret, tokenHash } from '../../kernel/secrets.ts';

export const DEPOSIT_SCOPE = 'deposits:write';
export const TOKEN_TTL_S = 600;
export const DEFAULT_GRACE_HOURS = 24;
export const MAX_GRACE_HOURS = 168;

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

function randomWord(n: number): string {
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => BASE32[b % 32]).join('');
}

/** `fis_` marks our secrets, so secret scanners (and people) recognize one pasted where it should not be. */
function newSecret(): string {
  return `fis_${randomBytes(32).toString('base64url')}`;
}

export interface ClientRow {
  id: string;
  institutionId: string;
  name: string;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type ClientError = { ok: false; code: 'unknown-institution' | 'unknown-client' | 'revoked' | 'invalid' };

export type StaffActor = { kind: 'staff'; id: string };

export async function createClient(
  db: Kysely<Database>,
  dialect: Dialect,
  o: { institutionId: string; name: string },
  actor: StaffActor,
): Promise<{ ok: true; id: string; secret: string; institutionName: string } | ClientError> {
  const name = o.name.trim();
  if (name.length === 0 || name.length > 120) return { ok: false, code: 'invalid' };
  const institution = await db.selectFrom('institutions').select(['id', 'name']).where('id', '=', o.institutionId).executeTakeFirst();
  if (!institution) return { ok: false, code: 'unknown-institution' };
  // readable in logs and the CLI's list: the institution, then random letters
  const id = `${institution.id.slice(0, 40)}-${randomWord(10)}`;
  const secret = newSecret();
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('institution_clients')
      .values({ id, institution_id: institution.id, name, secret_hash: tokenHash(secret), previous_secret_hash: null, previous_secret_until: null, scopes: DEPOSIT_SCOPE, created_at: now, rotated_at: null, revoked_at: null, last_used_at: null })
      .execute();
    await appendAudit(trx, dialect, { actor, action: 'institution-client.create', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { clientId: id, institutionId: institution.id, name, scopes: DEPOSIT_SCOPE } });
  });
  return { ok: true, id, secret, institutionName: institution.name };
}

export async function listClients(db: Kysely<Database>, institutionId?: string): Promise<ClientRow[]> {
  let q = db.selectFrom('institution_clients').selectAll().orderBy('institution_id').orderBy('created_at');
  if (institutionId !== undefined) q = q.where('institution_id', '=', institutionId);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, institutionId: r.institution_id, name: r.name, createdAt: r.created_at, rotatedAt: r.rotated_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at }));
}

export async function rotateClientSecret(
  db: Kysely<Database>,
  dialect: Dialect,
  o: { id: string; graceHours?: number },
  actor: StaffActor,
): Promise<{ ok: true; secret: string; previousUntil: string | null } | ClientError> {
  const grace = o.graceHours ?? DEFAULT_GRACE_HOURS;
  if (!Number.isFinite(grace) || grace < 0 || grace > MAX_GRACE_HOURS) return { ok: false, code: 'invalid' };
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('institution_clients').select(['id', 'institution_id', 'secret_hash', 'revoked_at']).where('id', '=', o.id).executeTakeFirst();
    if (!row) return { ok: false as const, code: 'unknown-client' as const };
    if (row.revoked_at !== null) return { ok: false as const, code: 'revoked' as const };
    const now = new Date();
    const previousUntil = grace > 0 ? new Date(now.getTime() + grace * 3_600_000).toISOString() : null;
    const secret = newSecret();
    await trx
      .updateTable('institution_clients')
      .set({ secret_hash: tokenHash(secret), previous_secret_hash: previousUntil ? row.secret_hash : null, previous_secret_until: previousUntil, rotated_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(trx, dialect, { actor, action: 'institution-client.rotate', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { clientId: row.id, institutionId: row.institution_id, previousUntil } });
    return { ok: true as const, secret, previousUntil };
  });
}

export async function revokeClient(
  db: Kysely<Database>,
  dialect: Dialect,
  id: string,
  actor: StaffActor,
): Promise<{ ok: true; changed: boolean; revokedAt: string } | ClientError> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('institution_clients').select(['id', 'institution_id', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return { ok: false as const, code: 'unknown-client' as const };
    if (row.revoked_at !== null) return { ok: true as const, changed: false, revokedAt: row.revoked_at };
    const now = new Date().toISOString();
    await trx.updateTable('institution_clients').set({ revoked_at: now, previous_secret_hash: null, previous_secret_until: null }).where('id', '=', id).execute();
    // its tokens go too; the check at each use would refuse them anyway
    await trx.deleteFrom('institution_tokens').where('client_id', '=', id).execute();
    await appendAudit(trx, dialect, { actor, action: 'institution-client.revoke', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { clientId: id, institutionId: row.institution_id } });
    return { ok: true as const, changed: true, revokedAt: now };
  });
}

export type TokenGrant = { ok: true; accessToken: string; expiresIn: number; scope: string } | { ok: false; error: 'invalid_client' | 'invalid_scope' };

/**
 * The token endpoint's work: the client's credentials checked (constant time, current or former secret
 * within its grace), the scope asked for within the client's (none asked: all of them), a token issued.
 */
export async function grantToken(db: Kysely<Database>, o: { clientId: string; secret: string; scope: string | null }, now = new Date()): Promise<TokenGrant> {
  const row = await db.selectFrom('institution_clients').selectAll().where('id', '=', o.clientId).executeTakeFirst();
  // the same work whether or not the client exists, so timing says nothing of which ids exist
  const current = sameSecret(tokenHash(o.secret), row?.secret_hash ?? '0'.repeat(64));
  const former = row?.previous_secret_hash != null && row.previous_secret_until !== null && row.previous_secret_until > now.toISOString() && sameSecret(tokenHash(o.secret), row.previous_secret_hash);
  if (!row || row.revoked_at !== null || !(current || former)) return { ok: false, error: 'invalid_client' };
  const allowed = row.scopes.split(' ').filter((s) => s !== '');
  const asked = o.scope === null ? allowed : o.scope.split(' ').filter((s) => s !== '');
  if (asked.length === 0 || !asked.every((s) => allowed.includes(s))) return { ok: false, error: 'invalid_scope' };
  const accessToken = randomBytes(32).toString('base64url');
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    // a client's spent tokens go as it asks for new ones: the table holds live tokens only, give or take
    await trx.deleteFrom('institution_tokens').where('client_id', '=', row.id).where('expires_at', '<=', at).execute();
    await trx
      .insertInto('institution_tokens')
      .values({ token_hash: tokenHash(accessToken), client_id: row.id, scope: [...new Set(asked)].join(' '), created_at: at, expires_at: new Date(now.getTime() + TOKEN_TTL_S * 1000).toISOString() })
      .execute();
    await trx.updateTable('institution_clients').set({ last_used_at: at }).where('id', '=', row.id).execute();
  });
  return { ok: true, accessToken, expiresIn: TOKEN_TTL_S, scope: [...new Set(asked)].join(' ') };
}

export interface TokenHolder {
  clientId: string;
  clientName: string;
  institutionId: string;
  institutionKind: string;
  scopes: readonly string[];
}

/** The client behind a bearer token, when the token is live and its client not revoked. */
export async function clientOfToken(db: Kysely<Database>, token: string, now = new Date()): Promise<TokenHolder | null> {
  const row = await db
    .selectFrom('institution_tokens')
    .innerJoin('institution_clients', 'institution_clients.id', 'institution_tokens.client_id')
    .innerJoin('institutions', 'institutions.id', 'institution_clients.institution_id')
    .select(['institution_clients.id', 'institution_clients.name', 'institution_clients.revoked_at', 'institution_tokens.scope', 'institution_tokens.expires_at', 'institutions.id as institution_id', 'institutions.kind'])
    .where('institution_tokens.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= now.toISOString()) return null;
  return { clientId: row.id, clientName: row.name, institutionId: row.institution_id, institutionKind: row.kind, scopes: row.scope.split(' ') };
}

/** The client as the access policy sees it now (for the ground of a deposit). */
export async function clientFacts(db: Kysely<Database>, clientId: string): Promise<{ id: string; institutionId: string; active: boolean } | null> {
  const row = await db.selectFrom('institution_clients').select(['id', 'institution_id', 'revoked_at']).where('id', '=', clientId).executeTakeFirst();
  return row ? { id: row.id, institutionId: row.institution_id, active: row.revoked_at === null } : null;
}

/**
 * Expired bearer tokens, dropped by the server's housekeeping: a client's own spent tokens also go when it
 * asks for a new one, but a system that stopped asking would leave its last ones. Counts rows deleted.
 */
export async function purgeExpiredInstitutionTokens(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom('institution_tokens').where('expires_at', '<=', new Date(now).toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
