/**
 * The console's login under attack, through the real HTTP server (startServer, fetch), on SQLite and on
 * PostgreSQL — there with two server instances on one database, the burst split between them:
 *  - a burst of simultaneous guesses costs at most the throttle's 5 password checks, and the right
 *    password sent in the burst does not get in once the limit is reached;
 *  - one address is limited across logins;
 *  - the password checks running at once are capped: beyond the cap an attempt is answered 503 at once,
 *    without a scrypt and without counting as a failure.
 * Password checks are counted where scrypt runs (passwords.ts), never timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetScryptPeak, scryptStats } from '../../features/accounts/index.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';

const DEMO_PASSWORD = 'demo-console-1234';

interface LoginForm {
  cookie: string;
  csrf: string;
}

async function loginForm(server: RunningServer): Promise<LoginForm> {
  const res = await fetch(`${server.url}/console/connexion`);
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  if (!csrf) throw new Error('no csrf field in the login page');
  return { cookie, csrf };
}

/** POSTs the login form as a client at `client` (X-Forwarded-For, believed from the loopback proxy). */
async function postLogin(server: RunningServer, f: LoginForm, login: string, password: string, client: string): Promise<{ status: number; body: string; retryAfter: string | null }> {
  const res = await fetch(`${server.url}/console/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie, 'x-forwarded-for': client },
    body: new URLSearchParams({ csrf: f.csrf, login, password }).toString(),
  });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe.each(DIALECTS)('console login under attack (%s)', (dialect) => {
  let env: TestEnv;
  let dirB: string | null = null;
  /** the instances the attempts are spread over: one on SQLite, two on one PostgreSQL */
  const instances: RunningServer[] = [];
  let capped: RunningServer;
  let cappedEnv: TestEnv;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    // behind a proxy on the loopback: X-Forwarded-For gives each test its own client addresses
    const config = { ...env.config, trustProxy: ['127.0.0.1'] };
    // a cap far above the throttle's limit, so the burst meets the throttle and not the cap
    instances.push(await startServer(config, { logger: false, passwordChecks: 64 }));
    if (dialect === 'postgres') {
      dirB = mkdtempSync(join(tmpdir(), 'fac-login-b-'));
      instances.push(await startServer({ ...config, dataDir: dirB, seedPath: null }, { logger: false, passwordChecks: 64 }));
    }
    // its own database: two SQLite connections of one process would wait on each other's writes
    cappedEnv = await freshEnv(dialect);
    capped = await startServer({ ...cappedEnv.config, trustProxy: ['127.0.0.1'] }, { logger: false, passwordChecks: 2 });
  });
  afterAll(async () => {
    for (const s of instances) await s.close();
    await capped?.close();
    await cappedEnv?.cleanup();
    if (dirB) rmSync(dirB, { recursive: true, force: true });
    await env?.cleanup();
  });

  const on = (i: number) => instances[i % instances.length]!;

  /** Login forms fetched beforehand, so the POSTs themselves leave at once. */
  async function forms(n: number): Promise<LoginForm[]> {
    const out: LoginForm[] = [];
    for (let i = 0; i < n; i++) out.push(await loginForm(on(i)));
    return out;
  }

  it('lets a burst of 40 wrong passwords and the right one check at most 5 passwords; past the limit the right one is refused', async () => {
    const client = '198.51.100.10';
    const f = await forms(41);
    const started = scryptStats().started;
    // all at once, the right password last, spread over the instances
    const burst = await Promise.all(f.map((form, i) => postLogin(on(i), form, 'caf-chef', i === 40 ? DEMO_PASSWORD : `mauvais-${i}-motdepasse`, client)));
    const statuses = burst.map((r) => r.status);
    const t = tally(statuses);
    const checked = scryptStats().started - started;
    // every password checked answered 401 or 303; no more than the throttle's 5 were checked
    expect(checked).toBe((t[401] ?? 0) + (t[303] ?? 0));
    expect(checked).toBeLessThanOrEqual(5);
    expect(t[429]).toBeGreaterThanOrEqual(36);
    expect(Object.keys(t).every((s) => ['303', '401', '429'].includes(s)), JSON.stringify(t)).toBe(true);
    // the right password got in only if it was one of the 5 attempts checked
    if (statuses[40] === 303) expect(t[401] ?? 0).toBeLessThanOrEqual(4);
    for (const r of burst.filter((x) => x.status === 429)) {
      expect(r.body).toMatch(/Trop d’essais de connexion\. Attendez (15 minutes|1[0-5] minutes) avant de réessayer\./);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }

    // the same from a client whose burst holds only wrong guesses: exactly 5 checked, then the right
    // password is refused on every instance, without a check
    const other = '198.51.100.11';
    const g = await forms(40 + instances.length);
    const before = scryptStats().started;
    const wrong = await Promise.all(g.slice(0, 40).map((form, i) => postLogin(on(i), form, 'caf-chef', `mauvais-${i}-motdepasse`, other)));
    expect(tally(wrong.map((r) => r.status))).toEqual({ 401: 5, 429: 35 });
    expect(scryptStats().started - before).toBe(5);
    for (let i = 0; i < instances.length; i++) expect((await postLogin(on(i), g[40 + i]!, 'caf-chef', DEMO_PASSWORD, other)).status).toBe(429);
    expect(scryptStats().started - before).toBe(5);
    // another client is not concerned
    expect((await postLogin(on(0), await loginForm(on(0)), 'caf-chef', DEMO_PASSWORD, '198.51.100.12')).status).toBe(303);
  });

  it('limits one address across logins: after 20 failures on any logins, even a right password waits', async () => {
    const client = '198.51.100.20';
    for (let i = 0; i < 20; i++) {
      // four tries each on five logins, none reaching the per-login limit
      const r = await postLogin(on(i), await loginForm(on(i)), `essai-${i % 5}`, 'mauvais-motdepasse', client);
      expect(r.status, `attempt ${i}`).toBe(401);
    }
    const refused = await postLogin(on(0), await loginForm(on(0)), 'mdph-chef', DEMO_PASSWORD, client);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Trop d’essais de connexion.');
    expect((await postLogin(on(0), await loginForm(on(0)), 'mdph-chef', DEMO_PASSWORD, '198.51.100.21')).status).toBe(303);
  });

  it('caps the password checks running at once: beyond 2, answered 503 in French at once, nothing checked nor counted', async () => {
    const n = 30;
    const f: LoginForm[] = [];
    for (let i = 0; i < n; i++) f.push(await loginForm(capped));
    resetScryptPeak();
    const started = scryptStats().started;
    // each attempt from its own client, so the throttle stops none of them
    const clients = Array.from({ length: n }, (_, i) => `203.0.113.${i + 1}`);
    const res = await Promise.all(f.map((form, i) => postLogin(capped, form, 'caf-chef', `mauvais-${i}-motdepasse`, clients[i]!)));
    const t = tally(res.map((r) => r.status));
    expect(scryptStats().peak).toBeLessThanOrEqual(2);
    expect(scryptStats().started - started).toBe(t[401]);
    expect(t[503], JSON.stringify(t)).toBeGreaterThan(0);
    expect((t[401] ?? 0) + (t[503] ?? 0)).toBe(n);
    for (const r of res.filter((x) => x.status === 503)) {
      expect(r.body).toContain('Trop de connexions en même temps sur le serveur. Réessayez dans quelques secondes.');
      expect(r.retryAfter).toBe('5');
    }
    // only the checked attempts left a failure behind
    const failures = await capped.db.selectFrom('console_login_failures').select('address').where('address', 'in', clients).execute();
    expect(failures).toHaveLength(t[401]!);
  });
});
