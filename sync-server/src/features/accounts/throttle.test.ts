/**
 * The console's login throttle, on both engines: failures counted in the database, so two server
 * instances (two throttles on two connections to one database) see the same ones.
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

  it('blocks after 5 failures in 15 minutes, per login and address, until the oldest leaves the window', async () => {
    const t = new LoginThrottle(a.db);
    const t0 = Date.parse('2026-11-28T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      expect(await t.blockedFor('caf-chef', '10.0.0.1', t0 + i * 1000)).toBeNull();
      await t.fail('CAF-Chef', '10.0.0.1', t0 + i * 1000);
    }
    expect(await t.blockedFor('caf-chef', '10.0.0.1', t0 + 5000)).toBe(WINDOW - 5000);
    expect(await t.blockedFor('caf-chef', '10.0.0.2', t0 + 5000)).toBeNull();
    expect(await t.blockedFor('mdph-chef', '10.0.0.1', t0 + 5000)).toBeNull();
    // the first failure leaves the window: four remain, one more try is allowed
    expect(await t.blockedFor('caf-chef', '10.0.0.1', t0 + WINDOW + 1)).toBeNull();
    // a sixth failure within the window of the second one: blocked until the second leaves it
    await t.fail('caf-chef', '10.0.0.1', t0 + WINDOW + 2);
    expect(await t.blockedFor('caf-chef', '10.0.0.1', t0 + WINDOW + 3)).toBe(1000 + WINDOW - (WINDOW + 3));
  });

  it('counts the failures made through another instance, and survives a restart', async () => {
    const t0 = Date.parse('2026-11-28T11:00:00Z');
    const onA = new LoginThrottle(a.db);
    const onB = new LoginThrottle(b.db);
    for (let i = 0; i < 3; i++) await onA.fail('mdph-chef', '10.0.0.7', t0 + i);
    for (let i = 0; i < 2; i++) await onB.fail('mdph-chef', '10.0.0.7', t0 + 10 + i);
    expect(await onA.blockedFor('mdph-chef', '10.0.0.7', t0 + 20)).not.toBeNull();
    expect(await onB.blockedFor('mdph-chef', '10.0.0.7', t0 + 20)).not.toBeNull();
    // a new process: a new throttle on a new connection
    const c = openDatabase(env.config.database);
    try {
      expect(await new LoginThrottle(c.db).blockedFor('mdph-chef', '10.0.0.7', t0 + 20)).not.toBeNull();
    } finally {
      await c.db.destroy();
    }
  });

  it('forgets the failures of a login and address after a success; old rows are purged', async () => {
    const t = new LoginThrottle(a.db, 2, 60_000);
    const t0 = Date.parse('2026-11-28T12:00:00Z');
    await t.fail('a', 'ip', t0);
    await t.fail('a', 'ip', t0 + 1);
    await t.fail('a', 'other-ip', t0 + 2);
    expect(await t.blockedFor('a', 'ip', t0 + 3)).not.toBeNull();
    await t.succeed('a', 'ip');
    expect(await t.blockedFor('a', 'ip', t0 + 4)).toBeNull();
    // the other address still has its failure until the purge
    const before = await countRows(a.db, 'console_login_failures');
    expect(before).toBeGreaterThan(0);
    expect(await purgeLoginFailures(a.db, Date.parse('2026-11-28T14:00:00Z'), WINDOW)).toBe(before);
    expect(await countRows(a.db, 'console_login_failures')).toBe(0);
  });
});
