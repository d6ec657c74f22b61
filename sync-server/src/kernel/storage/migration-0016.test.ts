/**
 * Migration 0016 on a database that already has console accounts and live sessions (SQLite rebuilds
 * `staff_accounts` to let `institution_id` be null): the accounts and their sessions are kept, become
 * `institution` accounts, and the constraints hold on both engines — an institution account needs its
 * institution, a structure admin its structure and no institution; a profile's level and suspension
 * are checked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshEnv, migrateBefore } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { openDatabase } from './database.ts';
import type { Storage } from './database.ts';
import { migrateToLatest, MIGRATIONS } from './migrate.ts';

describe.each(DIALECTS)('migration 0016 on %s', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    await migrateBefore(storage, '0016');
    await storage.db.insertInto('institutions').values({ id: 'caf', kind: 'caf', name: 'CAF', address: '', city: '', postcode: '', lat: null, lon: null }).execute();
    await storage.db.insertInto('staff_accounts').values({ id: 'acc-1', login: 'caf-chef', display_name: 'Claire', institution_id: 'caf', password_hash: 'scrypt$x', created_at: at, disabled_at: null }).execute();
    await storage.db.insertInto('console_sessions').values({ token_hash: 'h1', account_id: 'acc-1', csrf_token: 'c', created_at: at, expires_at: '2099-01-01T00:00:00.000Z' }).execute();
    // 0016 and whatever came after it
    expect(await migrateToLatest(storage.db, storage.dialect)).toEqual(MIGRATIONS.filter((m) => m.name >= '0016').map((m) => m.name));
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('keeps the accounts and their sessions, as institution accounts', async () => {
    expect(await storage.db.selectFrom('staff_accounts').selectAll().execute()).toEqual([
      { id: 'acc-1', login: 'caf-chef', display_name: 'Claire', institution_id: 'caf', password_hash: 'scrypt$x', created_at: at, disabled_at: null, role: 'institution', structure_id: null },
    ]);
    expect(await storage.db.selectFrom('console_sessions').select(['token_hash', 'account_id']).execute()).toEqual([{ token_hash: 'h1', account_id: 'acc-1' }]);
  });

  it('checks who an account belongs to, and the sessions’ foreign key still holds', async () => {
    await storage.db.insertInto('structures').values({ id: 's1', kind: 'cms', name: 'CMS', address: null, created_at: at, disabled_at: null }).execute();
    const account = (o: { role: 'institution' | 'structure-admin'; institution_id: string | null; structure_id: string | null }) =>
      storage.db.insertInto('staff_accounts').values({ id: randomUUID(), login: `l-${randomUUID().slice(0, 8)}`, display_name: 'X', password_hash: 'h', created_at: at, disabled_at: null, ...o }).execute();
    await expect(account({ role: 'structure-admin', institution_id: null, structure_id: 's1' })).resolves.toBeDefined();
    await expect(account({ role: 'structure-admin', institution_id: 'caf', structure_id: 's1' })).rejects.toThrow();
    await expect(account({ role: 'structure-admin', institution_id: null, structure_id: null })).rejects.toThrow();
    await expect(account({ role: 'institution', institution_id: null, structure_id: null })).rejects.toThrow();
    await expect(account({ role: 'structure-admin', institution_id: null, structure_id: 'nowhere' })).rejects.toThrow();
    await expect(
      storage.db.insertInto('console_sessions').values({ token_hash: 'h2', account_id: 'nobody', csrf_token: 'c', created_at: at, expires_at: at }).execute(),
    ).rejects.toThrow();
  });

  it('checks an agent profile’s level and suspension', async () => {
    await storage.db.insertInto('persons').values({ id: 'p1', identifier: 'FAC-TEST', first_name: 'A', last_name: 'B', birth_date: '1980-01-01', role: 'agent', created_at: at }).execute();
    const profile = (o: Record<string, string | null>) =>
      storage.db
        .insertInto('agent_profiles')
        .values({ person_id: 'p1', structure_id: 's1', level: 'accueil', suspended_at: null, suspended_reason: null, last_active_at: null, created_at: at, updated_at: at, ...o } as never)
        .execute();
    await expect(profile({ level: 'chef' })).rejects.toThrow();
    await expect(profile({ suspended_at: at, suspended_reason: null })).rejects.toThrow();
    await expect(profile({ suspended_reason: 'bored', suspended_at: at })).rejects.toThrow();
    await expect(profile({})).resolves.toBeDefined();
  });
});
