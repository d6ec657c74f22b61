/**
 * The console's login throttle, on both engines: a failure slot is reserved before any password check,
 * atomically, so two server instances (two throttles on two connections to one database) racing with
 * many attempts at once grant no more slots than the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { countRows, DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { LoginThrottle, purgeLoginFailures } from './throttle.ts';

const WINDOW = 15 * 60_000;

describe.each(DIALECTS)('login throttle (%s)', (dialect) => {
  let env: TestEnv;
  let a: Storage;
  let b: Storage;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    a = openDatabase(env.config.database);
    await migrateToLatest(a.db, a.dialect);
    b = openDatabase(env.config.database);
  });
  afterAll(async () => {
    await a?.db.destroy();
    await b?.db.destroy();
    await env?.cleanup();
  });

  it('grants 5 slots per login and address in 15 minutes, then refuses until the oldest leaves the window', async () => {
    const t = new LoginThrottle(a.db, a.dialect);
    const t0 = Date.parse('2026-11-28T10:00:00Z');
    for (let i = 0; i < 5; i++) expect(await t.reserve(i % 2 ? 'CAF-Chef' : 'caf-chef', '10.0.0.1', t0 + i * 1000)).toMatchObject({ ok: true });
    expect(await t.reserve('caf-chef', '10.0.0.1', t0 + 5000)).toEqual({ ok: false, scope: 'login', waitMs: WINDOW - 5000 });
    expect(await t.reserve('caf-chef', '10.0.0.2', t0 + 5000)).toMatchObject({ ok: true });
    expect(await t.reserve('mdph-chef', '10.0.0.1', t0 + 5000)).toMatchObject({ ok: true });
    // the first failure leaves the window: four remain, one more slot is granted, then none again
    expect(await t.reserve('caf-chef', '10.0.0.1', t0 + WINDOW + 1)).toMatchObject({ ok: true });
    expect(await t.reserve('caf-chef', '10.0.0.1', t0 + WINDOW + 3)).toEqual({ ok: false, scope: 'login', waitMs: 1000 + WINDOW - (WINDOW + 3) });
  });

  it('limits one address across logins: the 21st slot of an address is refused whatever the login', async () => {
    const t = new LoginThrottle(a.db, a.dialect);
    const t0 = Date.parse('2026-11-28T10:30:00Z');
    for (let i = 0; i < 20; i++) expect(await t.reserve(`login-${i}`, '10.9.9.9', t0 + i), `slot ${i}`).toMatchObject({ ok: true });
    const refused = await t.reserve('caf-chef', '10.9.9.9', t0 + 100);
    expect(refused).toEqual({ ok: false, scope: 'address', waitMs: WINDOW - 100 });
    // another address is not concerned
    expect(await t.reserve('caf-chef', '10.9.9.8', t0 + 100)).toMatchObject({ ok: true });
  });

  it('grants exactly 5 slots to 40 simultaneous attempts split over two instances', async () => {
    const t0 = Date.now();
    const onA = new LoginThrottle(a.db, a.dialect);
    const onB = new LoginThrottle(b.db, b.dialect);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? onA : onB).reserve('mdph-chef', '10.0.0.7', t0)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.scope === 'login')).toHaveLength(35);
    const rows = await a.db.selectFrom('console_login_failures').select('id').where('login', '=', 'mdph-chef').where('address', '=', '10.0.0.7').execute();
    expect(rows).toHaveLength(5);
    // a new process: a new throttle on a new connection sees them too
    const c = openDatabase(env.config.database);
    try {
      expect(await new LoginThrottle(c.db, c.dialect).reserve('mdph-chef', '10.0.0.7', t0 + 1)).toMatchObject({ ok: false, scope: 'login' });
    } finally {
      await c.db.destroy();
    }
  });

  it('forgets the slots of a login and address after a success, releases an unchecked slot; old rows are purged', async () => {
    const t = new LoginThrottle(a.db, a.dialect, { max: 2, windowMs: 60_000 });
    const t0 = Date.parse('2026-11-28T12:00:00Z');
    expect(await t.reserve('a', 'ip', t0)).toMatchObject({ ok: true });
    const second = await t.reserve('a', 'ip', t0 + 1);
    expect(await t.reserve('a', 'ip', t0 + 2)).toMatchObject({ ok: false });
    // a slot whose password was never checked goes back
    if (!second.ok) throw new Error('second slot refused');
    await t.release(second.slot);
    expect(await t.reserve('a', 'ip', t0 + 3)).toMatchObject({ ok: true });
    await t.succeed('a', 'ip');
    expect(await t.reserve('a', 'ip', t0 + 4)).toMatchObject({ ok: true });
    expect(await t.reserve('a', 'other-ip', t0 + 5)).toMatchObject({ ok: true });
    const before = await countRows(a.db, 'console_login_failures');
    expect(before).toBeGreaterThan(0);
    expect(await purgeLoginFailures(a.db, Date.now() + 2 * WINDOW, WINDOW)).toBe(before);
    expect(await countRows(a.db, 'console_login_failures')).toBe(0);
  });
});
