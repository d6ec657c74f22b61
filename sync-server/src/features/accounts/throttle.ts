/**
 * Failed console logins, kept in the database so that every server instance counts the same ones and a
 * restart forgets none. An attempt first **reserves a failure slot** — one row, inserted only while the
 * login and address have fewer than `max` failures in the window and the address fewer than
 * `maxPerAddress` (whatever the logins) — and only then may the password be checked. The slot is released
 * when the password was right (with the earlier failures of that login and address) and kept as the
 * failure otherwise. Counting before checking is what makes a burst of simultaneous guesses cost at most
 * `max` password checks: checking first and counting after let every guess of the burst through.
 *
 * The reservation is one conditional INSERT: atomic on SQLite (a writing statement holds the write lock
 * from its start, across processes too) and, on PostgreSQL, run under a transaction-scoped advisory lock
 * on the address, so two server instances cannot both see four failures and both insert the fifth.
 * Rows older than the window go at the garbage collection (`purgeLoginFailures`); a slot left by a crash
 * mid-check counts as a failure until then, which errs on the safe side.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export const LOGIN_FAILURES_MAX = 5;
/** An office behind one address (NAT) has several heads of service; a guesser trying many logins does not get 5 each. */
export const ADDRESS_FAILURES_MAX = 20;
export const LOGIN_FAILURES_WINDOW_MS = 15 * 60_000;

/** An arbitrary constant naming the PostgreSQL advisory locks of login reservations (the second key is the address's hash). */
const LOGIN_LOCK_CLASS = 7_390_002;

const iso = (ms: number) => new Date(ms).toISOString();

export type Reservation =
  | { ok: true; slot: string }
  /** `scope`: which limit was reached; `waitMs`: until an attempt may be made again */
  | { ok: false; scope: 'login' | 'address'; waitMs: number };

export interface ThrottleLimits {
  max?: number;
  maxPerAddress?: number;
  windowMs?: number;
}

export class LoginThrottle {
  readonly max: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    limits: ThrottleLimits = {},
  ) {
    this.max = limits.max ?? LOGIN_FAILURES_MAX;
    this.maxPerAddress = limits.maxPerAddress ?? ADDRESS_FAILURES_MAX;
    this.windowMs = limits.windowMs ?? LOGIN_FAILURES_WINDOW_MS;
  }

  private static key(login: string, address: string) {
    return { login: login.toLowerCase(), address };
  }

  /**
   * Reserves a failure slot for one attempt, or says which limit stops it and for how long. Nothing but
   * a reserved slot allows a password check.
   */
  async reserve(login: string, address: string, now = Date.now()): Promise<Reservation> {
    const k = LoginThrottle.key(login, address);
    const slot = randomUUID();
    const since = iso(now - this.windowMs);
    const insert = (db: Kysely<Database>) => sql`
        INSERT INTO console_login_failures (id, login, address, at)
        SELECT ${slot}, ${k.login}, ${k.address}, ${iso(now)}
        WHERE (SELECT count(*) FROM console_login_failures WHERE login = ${k.login} AND address = ${k.address} AND at > ${since}) < ${this.max}
          AND (SELECT count(*) FROM console_login_failures WHERE address = ${k.address} AND at > ${since}) < ${this.maxPerAddress}`.execute(db);
    // SQLite: the statement alone (autocommit) holds the write lock while it runs, no longer; an explicit
    // transaction would hold it across awaits and make a second connection wait on a blocked thread
    const r =
      this.dialect === 'postgres'
        ? await this.db.transaction().execute(async (trx) => {
            await sql`SELECT pg_advisory_xact_lock(${LOGIN_LOCK_CLASS}, hashtext(${k.address}))`.execute(trx);
            return insert(trx);
          })
        : await insert(this.db);
    const inserted = Number(r.numAffectedRows ?? 0n);
    if (inserted === 1) return { ok: true, slot };
    // refused: how long until the limit that stops it has room again (read after the fact; only a hint)
    const byLogin = await this.waitFor(since, this.max, now, k.login, k.address);
    if (byLogin !== null) return { ok: false, scope: 'login', waitMs: byLogin };
    return { ok: false, scope: 'address', waitMs: (await this.waitFor(since, this.maxPerAddress, now, null, k.address)) ?? 1000 };
  }

  /** Milliseconds until fewer than `max` rows of this key remain in the window; null when fewer already. */
  private async waitFor(since: string, max: number, now: number, login: string | null, address: string): Promise<number | null> {
    let q = this.db.selectFrom('console_login_failures').select('at').where('address', '=', address).where('at', '>', since);
    if (login !== null) q = q.where('login', '=', login);
    const recent = await q.orderBy('at', 'desc').limit(max).execute();
    if (recent.length < max) return null;
    // the max-th newest failure: once it leaves the window, fewer than max remain
    return Math.max(1, Date.parse(recent[max - 1]!.at) + this.windowMs - now);
  }

  /** The password was right: the slot and the earlier failures of this login and address are forgotten. */
  async succeed(login: string, address: string): Promise<void> {
    const k = LoginThrottle.key(login, address);
    await this.db.deleteFrom('console_login_failures').where('login', '=', k.login).where('address', '=', k.address).execute();
  }

  /**
   * The attempt ended without any password check (the check was never run): its slot goes, so that
   * only checked passwords count. A slot whose password was wrong is simply kept.
   */
  async release(slot: string): Promise<void> {
    await this.db.deleteFrom('console_login_failures').where('id', '=', slot).execute();
  }
}

/** Forgets failures that no longer count (older than the window); returns how many rows went. */
export async function purgeLoginFailures(db: Kysely<Database>, now = Date.now(), windowMs = LOGIN_FAILURES_WINDOW_MS): Promise<number> {
  const r = await db.deleteFrom('console_login_failures').where('at', '<=', iso(now - windowMs)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
