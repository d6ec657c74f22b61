/**
 * Console sessions: a random token in a cookie (HttpOnly, SameSite=Strict, Path=/console, Secure over
 * https); the database keeps only its SHA-256, so a copy of the database gives no live session. Each
 * session has its own CSRF token, put in every form and checked on every POST. A session ends 8 hours
 * after login whatever happens (no sliding expiry), at logout, or when the account is disabled.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sameSecret, tokenHash } from '../../kernel/secrets.ts';
import type { Database, StaffRole } from '../../kernel/storage/schema.ts';

export const SESSION_COOKIE = 'fac_console';
/** before login: a double-submit token for the login form (its own cookie, on the login path only) */
export const LOGIN_COOKIE = 'fac_console_login';
export const SESSION_TTL_MS = 8 * 3_600_000;
export const LOGIN_FORM_TTL_S = 3600;

/** An institution's account (any of its four roles; what each may do: kernel/access-policy.ts STAFF_ACTS). */
export interface ConsoleAccount {
  id: string;
  login: string;
  displayName: string;
  role: Exclude<StaffRole, 'structure-admin'>;
  institutionId: string;
  institutionName: string;
  institutionKind: string;
}

export interface ConsoleSession {
  tokenHash: string;
  csrf: string;
  expiresAt: string;
  account: ConsoleAccount;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export function isToken(v: string | undefined): v is string {
  return v !== undefined && TOKEN.test(v);
}

export async function createSession(db: Kysely<Database>, accountId: string, now = new Date()): Promise<{ token: string; expiresAt: string }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  await db
    .insertInto('console_sessions')
    .values({ token_hash: tokenHash(token), account_id: accountId, csrf_token: newToken(), created_at: now.toISOString(), expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** Sessions that ended by themselves (the garbage collection); returns how many rows went. */
export async function purgeExpiredConsoleSessions(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom('console_sessions').where('expires_at', '<', new Date(now).toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** An expired session, or one of a disabled account, is deleted: says which (null while it lives). */
async function endIfOver(db: Kysely<Database>, hash: string, row: { expires_at: string; disabled_at: string | null }, now: Date): Promise<'expired' | 'disabled' | null> {
  const expired = row.expires_at <= now.toISOString();
  if (!expired && row.disabled_at === null) return null;
  await deleteSession(db, hash);
  return expired ? 'expired' : 'disabled';
}

export type SessionLookup = { ok: true; session: ConsoleSession } | { ok: false; reason: 'none' | 'expired' | 'disabled' };

/**
 * The live session of this cookie token when it is an institution's account (any role: the pages check
 * what the role may do); an expired one, or one of a disabled account, is deleted.
 */
export async function findSession(db: Kysely<Database>, token: string | undefined, now = new Date()): Promise<SessionLookup> {
  if (!isToken(token)) return { ok: false, reason: 'none' };
  const hash = tokenHash(token);
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('staff_accounts', 'staff_accounts.id', 'console_sessions.account_id')
    .innerJoin('institutions', 'institutions.id', 'staff_accounts.institution_id')
    .select([
      'console_sessions.token_hash',
      'console_sessions.csrf_token',
      'console_sessions.expires_at',
      'staff_accounts.id as account_id',
      'staff_accounts.login',
      'staff_accounts.display_name',
      'staff_accounts.disabled_at',
      'staff_accounts.role',
      'institutions.id as institution_id',
      'institutions.name as institution_name',
      'institutions.kind as institution_kind',
    ])
    .where('console_sessions.token_hash', '=', hash)
    .where('staff_accounts.role', '!=', 'structure-admin')
    .executeTakeFirst();
  if (!row || row.role === 'structure-admin') return { ok: false, reason: 'none' };
  const over = await endIfOver(db, hash, row, now);
  if (over) return { ok: false, reason: over };
  return {
    ok: true,
    session: {
      tokenHash: row.token_hash,
      csrf: row.csrf_token,
      expiresAt: row.expires_at,
      account: {
        id: row.account_id,
        login: row.login,
        displayName: row.display_name,
        role: row.role,
        institutionId: row.institution_id,
        institutionName: row.institution_name,
        institutionKind: row.institution_kind,
      },
    },
  };
}

/** A structure admin's account: their one structure (they manage its agents, and see no one's papers). */
export interface StructureAdminAccount {
  id: string;
  login: string;
  displayName: string;
  structureId: string;
  structureName: string;
}

export interface StructureAdminSession {
  tokenHash: string;
  csrf: string;
  expiresAt: string;
  account: StructureAdminAccount;
}

export type StructureSessionLookup = { ok: true; session: StructureAdminSession } | { ok: false; reason: 'none' | 'expired' | 'disabled' };

/**
 * The live session of this cookie token when it is a structure admin's (`findSession` gives only an
 * institution's head of service's: each kind of account reaches its own pages only). Ends like the others.
 */
export async function findStructureSession(db: Kysely<Database>, token: string | undefined, now = new Date()): Promise<StructureSessionLookup> {
  if (!isToken(token)) return { ok: false, reason: 'none' };
  const hash = tokenHash(token);
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('staff_accounts', 'staff_accounts.id', 'console_sessions.account_id')
    .innerJoin('structures', 'structures.id', 'staff_accounts.structure_id')
    .select([
      'console_sessions.token_hash',
      'console_sessions.csrf_token',
      'console_sessions.expires_at',
      'staff_accounts.id as account_id',
      'staff_accounts.login',
      'staff_accounts.display_name',
      'staff_accounts.disabled_at',
      'structures.id as structure_id',
      'structures.name as structure_name',
    ])
    .where('console_sessions.token_hash', '=', hash)
    .where('staff_accounts.role', '=', 'structure-admin')
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'none' };
  const over = await endIfOver(db, hash, row, now);
  if (over) return { ok: false, reason: over };
  return {
    ok: true,
    session: {
      tokenHash: row.token_hash,
      csrf: row.csrf_token,
      expiresAt: row.expires_at,
      account: { id: row.account_id, login: row.login, displayName: row.display_name, structureId: row.structure_id, structureName: row.structure_name },
    },
  };
}

export async function deleteSession(db: Kysely<Database>, hash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', hash).execute();
}

export function csrfMatches(given: unknown, expected: string): boolean {
  return typeof given === 'string' && given.length > 0 && given.length <= 128 && sameSecret(given, expected);
}

/** `name=value` pairs of a Cookie header (the first value of a name wins). */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export function cookie(name: string, value: string, o: { path: string; maxAgeS: number; secure: boolean }): string {
  return [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${o.maxAgeS}`, 'HttpOnly', 'SameSite=Strict', ...(o.secure ? ['Secure'] : [])].join('; ');
}
