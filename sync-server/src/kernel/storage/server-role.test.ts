/**
 * PostgreSQL: the server's own role, owner of nothing (sync-server/README.md). The owner migrates and runs
 * `npm run staff -- db grant --role NAME`; connected as that role, the server reads and appends to the
 * audit journal, but cannot drop or disable its triggers, delete, change or truncate its entries, nor
 * change the schema — and the server runs as it, journaling and verifying.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { appendAudit } from '../audit.ts';
import { openDatabase } from './database.ts';
import type { Storage } from './database.ts';
import { startServer } from '../../edge/server.ts';
import { CAMILLE, STAFF_TOKEN } from '../../../test-support/test-env.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: inject('postgresUrl') });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

describe('the server role on PostgreSQL', () => {
  let cli: StaffCliEnv;
  let app: Storage;
  let appUrl: string;
  const role = `fac_app_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    // migrated and seeded by the owner (here the test server's superuser)
    cli = await staffCliEnv('postgres');
    await admin(`CREATE ROLE ${role} LOGIN`);
    if (cli.env.config.database.kind !== 'postgres') throw new Error('postgres only');
    const url = new URL(cli.env.config.database.url);
    url.username = role;
    appUrl = url.toString();
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await app?.db.destroy();
    await cli?.close();
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('grants the server role its rights with the staff command, and refuses a superuser or an unknown role', async () => {
    expect(await cli.run('db', 'grant', '--role', role)).toBe(0);
    expect(cli.out.join('\n')).toMatch(/Lecture et ajout seuls \/ append-only \.+ audit_journal/);
    expect(await cli.run('db', 'grant', '--role', 'postgres')).toBe(1);
    expect(cli.err.join('\n')).toContain('superuser');
    expect(await cli.run('db', 'grant', '--role', 'nobody_here')).toBe(1);
    expect(cli.err.join('\n')).toContain('no role nobody_here');
    expect(await cli.run('db', 'grant', '--role', 'Robert"; DROP TABLE persons; --')).toBe(1);
    expect(await cli.storage.db.selectFrom('persons').select('id').execute()).not.toHaveLength(0);
  });

  it('lets the server role append to the journal and read it, and nothing else there: no trigger dropped or disabled, no delete, update or truncate, no DDL', async () => {
    app = openDatabase({ kind: 'postgres', url: appUrl });
    const entry = await app.db.transaction().execute((trx) =>
      appendAudit(trx, 'postgres', { actor: { kind: 'system', id: 'test' }, action: 'test.entry', subjectPersonId: null, documentId: null, ground: 'test', detail: {} }),
    );
    expect(await app.db.selectFrom('audit_journal').select('seq').where('seq', '=', entry.seq).execute()).toHaveLength(1);
    const refused: Array<[string, RegExp]> = [
      ['DROP TRIGGER audit_journal_no_change ON audit_journal', /must be owner/],
      ['DROP TRIGGER audit_journal_no_truncate ON audit_journal', /must be owner/],
      ['ALTER TABLE audit_journal DISABLE TRIGGER audit_journal_no_change', /must be owner/],
      ['ALTER TABLE audit_journal DISABLE TRIGGER ALL', /must be owner/],
      ['DROP FUNCTION audit_journal_append_only()', /must be owner/],
      ['DELETE FROM audit_journal', /permission denied/],
      [`UPDATE audit_journal SET action = 'x' WHERE seq = ${entry.seq}`, /permission denied/],
      ['TRUNCATE audit_journal', /permission denied/],
      ['DROP TABLE audit_journal', /must be owner/],
      ['ALTER TABLE audit_journal RENAME TO journal_old', /must be owner/],
      ['CREATE TABLE audit_journal_copy (seq integer)', /permission denied/],
      ['SET session_replication_role = replica', /permission denied/],
    ];
    for (const [statement, why] of refused) await expect(sql.raw(statement).execute(app.db), statement).rejects.toThrow(why);
    // the entry is still there, as written
    expect(await app.db.selectFrom('audit_journal').select(['seq', 'hash']).where('seq', '=', entry.seq).execute()).toEqual([{ seq: entry.seq, hash: entry.hash }]);
    // ordinary tables: the server's usual reads and writes
    await app.db.insertInto('console_login_failures').values({ id: 'x', login: 'l', address: 'a', at: new Date().toISOString() }).execute();
    await app.db.deleteFrom('console_login_failures').where('id', '=', 'x').execute();
  });

  it('runs the server as that role: it starts with nothing to migrate, journals, checkpoints and verifies', async () => {
    const server = await startServer({ ...cli.env.config, database: { kind: 'postgres', url: appUrl }, seedPath: null }, { logger: false });
    try {
      const res = await fetch(`${server.url}/api/staff/persons/${CAMILLE.identifier}/documents`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await server.db.selectFrom('audit_journal').select('seq').where('action', '=', 'vault.list').execute()).toHaveLength(1);
      expect((await server.audit.verifyNow()).verification).toMatchObject({ ok: true, problems: [] });
    } finally {
      await server.close();
    }
  });
});
