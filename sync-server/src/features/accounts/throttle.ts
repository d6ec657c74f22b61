/**
 * Failed console logins, per login and address, kept in the database so that every server instance
 * counts the same ones and a restart forgets none: after `max` failures within `windowMs`, further
 * attempts are refused until the oldest of them leaves the window, even with the right password.
 * A success forgets the failures of its login and address; rows older than the window go at the garbage
 * collection (`purgeLoginFailures`), and are never counted meanwhile.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../kernel/storage/schema.ts';

export const LOGIN_FAILURES_MAX = 5;
export const LOGIN_FAILURES_WINDOW_MS = 15 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

export class LoginThrottle {
  constructor(
    private readonly db: Kysely<Database>,
    readonly max = LOGIN_FAILURES_MAX,
    readonly windowMs = LOGIN_FAILURES_WINDOW_MS,
  ) {}

  private static key(login: string, address: string) {
    return { login: login.toLowerCase(), address };
  }

  /** null when an attempt may be made; else the milliseconds until the next one may. */
  async blockedFor(login: string, address: string, now = Date.now()): Promise<number | null> {
    const k = LoginThrottle.key(login, address);
    const recent = await this.db
      .selectFrom('console_login_failures')
      .select('at')
      .where('login', '=', k.login)
      .where('address', '=', k.address)
      .where('at', '>', iso(now - this.windowMs))
      .orderBy('at', 'desc')
      .limit(this.max)
      .execute();
    if (recent.length < this.max) return null;
    // the max-th newest failure: once it leaves the window, fewer than max remain
    return Date.parse(recent[this.max - 1]!.at) + this.windowMs - now;
  }

  async fail(login: string, address: string, now = Date.now()): Promise<void> {
    await this.db.insertInto('console_login_failures').values({ id: randomUUID(), ...LoginThrottle.key(login, address), at: iso(now) }).execute();
  }

  async succeed(login: string, address: string): Promise<void> {
    const k = LoginThrottle.key(login, address);
    await this.db.deleteFrom('console_login_failures').where('login', '=', k.login).where('address', '=', k.address).execute();
  }
}

/** Forgets failures that no longer count (older than the window); returns how many rows went. */
export async function purgeLoginFailures(db: Kysely<Database>, now = Date.now(), windowMs = LOGIN_FAILURES_WINDOW_MS): Promise<number> {
  const r = await db.deleteFrom('console_login_failures').where('at', '<=', iso(now - windowMs)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
