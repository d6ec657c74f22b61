/**
 * Migration 0021 on a database that already has console accounts of both kinds, live sessions and a
 * thread (SQLite rebuilds `staff_accounts` again to widen the role's check): the accounts keep their roles
 * and sessions, the new roles are accepted with their institution only, an unknown role is refused, and a
 * thread's assignee and an account's reading must name a real account — on both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshEnv, migrateBefore } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { openDatabase } from './database.ts';
import type { Storage } from './database.ts';
import { migrateToLatest, MIGRATIONS } from './migrate.ts';
import type { StaffRole } from './schema.ts';

describe.each(DIALECTS)('migration 0021 on %s', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    await migrateBefore(storage, '0021');
    await storage.db.insertInto('institutions').values({ id: 'caf', kind: 'caf', name: 'CAF', address: '', city: '', postcode: '', lat: null, lon: null }).execute();
    await storage.db.insertInto('structures').values({ id: 's1', kind: 'cms', name: 'CMS', address: null, created_at: at, disabled_at: null }).execute();
    await storage.db.insertInto('staff_accounts').values({ id: 'acc-1', login: 'caf-chef', display_name: 'Claire', institution_id: 'caf', password_hash: 'scrypt$x', created_at: at, disabled_at: null, role: 'institution', structure_id: null }).execute();
    await storage.db.insertInto('staff_accounts').values({ id: 'acc-2', login: 'cms-admin', display_name: 'Nadia', institution_id: null, password_hash: 'scrypt$y', created_at: at, disabled_at: at, role: 'structure-admin', structure_id: 's1' }).execute();
    await storage.db.insertInto('console_sessions').values({ token_hash: 'h1', account_id: 'acc-1', csrf_token: 'c', created_at: at, expires_at: '2099-01-01T00:00:00.000Z' }).execute();
    await storage.db.insertInto('persons').values({ id: 'p1', identifier: 'FAC-TEST', first_name: 'A', last_name: 'B', birth_date: '1980-01-01', role: 'beneficiary', created_at: at }).execute();
    await storage.db.insertInto('threads').values({ id: 't1', person_id: 'p1', institution_id: 'caf', subject: 'RIB', created_at: at, updated_at: at }).execute();
    expect(await migrateToLatest(storage.db, storage.dialect)).toEqual(MIGRATIONS.filter((m) => m.name >= '0021').map((m) => m.name));
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('keeps the accounts, their roles and sessions, and the threads (unassigned, read by no one)', async () => {
    expect(await storage.db.selectFrom('staff_accounts').select(['id', 'login', 'role', 'institution_id', 'structure_id', 'disabled_at', 'password_hash']).orderBy('id').execute()).toEqual([
      { id: 'acc-1', login: 'caf-chef', role: 'institution', institution_id: 'caf', structure_id: null, disabled_at: null, password_hash: 'scrypt$x' },
      { id: 'acc-2', login: 'cms-admin', role: 'structure-admin', institution_id: null, structure_id: 's1', disabled_at: at, password_hash: 'scrypt$y' },
    ]);
    expect(await storage.db.selectFrom('console_sessions').select(['token_hash', 'account_id']).execute()).toEqual([{ token_hash: 'h1', account_id: 'acc-1' }]);
    expect(await storage.db.selectFrom('threads').select(['id', 'assigned_to', 'assigned_at']).execute()).toEqual([{ id: 't1', assigned_to: null, assigned_at: null }]);
    expect(await storage.db.selectFrom('inbox_reads').selectAll().execute()).toEqual([]);
  });

  it('accepts the new roles with an institution only, refuses an unknown one', async () => {
    const account = (role: string, o: { institution_id: string | null; structure_id: string | null }) =>
      storage.db.insertInto('staff_accounts').values({ id: randomUUID(), login: `l-${randomUUID().slice(0, 8)}`, display_name: 'X', password_hash: 'h', created_at: at, disabled_at: null, role: role as StaffRole, ...o }).execute();
    for (const role of ['instructor', 'depositor', 'institution-admin']) {
      await expect(account(role, { institution_id: 'caf', structure_id: null }), role).resolves.toBeDefined();
      await expect(account(role, { institution_id: null, structure_id: null }), role).rejects.toThrow();
      await expect(account(role, { institution_id: null, structure_id: 's1' }), role).rejects.toThrow();
    }
    await expect(account('boss', { institution_id: 'caf', structure_id: null })).rejects.toThrow();
    await expect(account('structure-admin', { institution_id: 'caf', structure_id: 's1' })).rejects.toThrow();
  });

  it('holds a thread’s assignee and an account’s reading to real rows, one reading per account and thread', async () => {
    await expect(storage.db.updateTable('threads').set({ assigned_to: 'nobody' }).where('id', '=', 't1').execute()).rejects.toThrow();
    await storage.db.updateTable('threads').set({ assigned_to: 'acc-1', assigned_at: at }).where('id', '=', 't1').execute();
    await expect(storage.db.insertInto('inbox_reads').values({ thread_id: 't1', account_id: 'nobody', read_at: at }).execute()).rejects.toThrow();
    await storage.db.insertInto('inbox_reads').values({ thread_id: 't1', account_id: 'acc-1', read_at: at }).execute();
    await expect(storage.db.insertInto('inbox_reads').values({ thread_id: 't1', account_id: 'acc-1', read_at: at }).execute()).rejects.toThrow();
  });
});
