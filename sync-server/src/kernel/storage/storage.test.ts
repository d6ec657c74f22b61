import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, entryHash, GENESIS_HASH, verifyAuditChain } from '../audit.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { isDatabaseEmpty, readSeedFile, SeedFile, seedDatabase } from '../../edge/seed.ts';
import { countRows, DIALECTS, freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { openDatabase } from './database.ts';
import type { Storage } from './database.ts';
import { migrateToLatest, MIGRATIONS } from './migrate.ts';

describe.each(DIALECTS)('storage on %s', (dialect) => {
  let env: TestEnv;
  let storage: Storage;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('migrates an empty database to the latest schema, then has nothing left to do', async () => {
    expect(await migrateToLatest(storage.db, storage.dialect)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await migrateToLatest(storage.db, storage.dialect)).toEqual([]);
    const tables = (await storage.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        'applied_mutations',
        'audit_journal',
        'blobs',
        'cards',
        'document_versions',
        'documents',
        'institutions',
        'kiosks',
        'persons',
      ]),
    );
  });

  it('seeds the demo data once: a second run inserts nothing', async () => {
    expect(await isDatabaseEmpty(storage.db)).toBe(true);
    const seed = await readSeedFile(SEED_PATH);
    expect(await seedDatabase(storage.db, seed)).toEqual({ persons: 4, cards: 4, institutions: 6, kiosks: 1, consoleAccounts: 10, structures: 1, agents: 1 });
    expect(await seedDatabase(storage.db, seed)).toEqual({ persons: 0, cards: 0, institutions: 0, kiosks: 0, consoleAccounts: 0, structures: 0, agents: 0 });
    expect(await countRows(storage.db, 'persons')).toBe(4);
    expect(await isDatabaseEmpty(storage.db)).toBe(false);
    const kiosk = await storage.db.selectFrom('kiosks').selectAll().executeTakeFirstOrThrow();
    expect(kiosk.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(kiosk.token_hash).not.toContain('demo-kiosk-token');
    expect(kiosk.last_seq).toBe(0);
  });

  it('refuses a seed file that does not match its schema', () => {
    const bad = SeedFile.safeParse({ persons: [{ identifier: 'FAC-K7QM-3XD2-9HRX', firstName: 'A', lastName: 'B', birthDate: '2001-01-01', role: 'beneficiary' }], institutions: [], kiosks: [] });
    expect(bad.success).toBe(false);
  });

  it('chains audit entries and verifies the chain', async () => {
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: true, entries: 0 });
    for (let i = 0; i < 3; i++) {
      await storage.db.transaction().execute((trx) =>
        appendAudit(trx, storage.dialect, {
          actor: { kind: 'staff', id: 'test' },
          action: 'document.read',
          subjectPersonId: null,
          documentId: null,
          ground: 'staff-administration',
          detail: { i, note: 'é' },
        }),
      );
    }
    const rows = await storage.db.selectFrom('audit_journal').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(await verifyAuditChain(storage.db, 2)).toEqual({ ok: true, entries: 3 });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storage.db.transaction().execute((trx) =>
          appendAudit(trx, storage.dialect, {
            actor: { kind: 'system', id: 'test' },
            action: 'test.concurrent',
            subjectPersonId: null,
            documentId: null,
            ground: 'none',
            detail: { i },
          }),
        ),
      ),
    );
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: true, entries: 23 });
  });

  it('rejects UPDATE, DELETE (and TRUNCATE in PostgreSQL) on the journal at the database level', async () => {
    await expect(sql`UPDATE audit_journal SET action = 'forged' WHERE seq = 1`.execute(storage.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_journal WHERE seq = 2`.execute(storage.db)).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') await expect(sql`TRUNCATE audit_journal`.execute(storage.db)).rejects.toThrow(/append-only/);
    expect(await countRows(storage.db, 'audit_journal')).toBe(23);
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: true, entries: 23 });
  });

  it('detects a forged entry inserted with a bad hash, and one with a good hash but wrong link', async () => {
    const last = await storage.db.selectFrom('audit_journal').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const forged = {
      seq: last.seq + 1,
      at: new Date().toISOString(),
      actor_kind: 'staff',
      actor_id: 'intruder',
      action: 'document.read',
      subject_person_id: null,
      document_id: null,
      ground: 'staff-administration',
      detail: canonicalJson({}),
    };
    await sql`INSERT INTO audit_journal (seq, at, actor_kind, actor_id, action, subject_person_id, document_id, ground, detail, prev_hash, hash)
      VALUES (${forged.seq}, ${forged.at}, ${forged.actor_kind}, ${forged.actor_id}, ${forged.action}, NULL, NULL, ${forged.ground}, ${forged.detail}, ${last.hash}, ${'f'.repeat(64)})`.execute(storage.db);
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: false, seq: forged.seq, reason: 'hash' });
  });
});

describe.each(DIALECTS)('audit chain on %s: a correctly hashed entry that skips the link', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('reports prev_hash when an entry is rehashed over the wrong predecessor', async () => {
    await storage.db.transaction().execute((trx) =>
      appendAudit(trx, storage.dialect, { actor: { kind: 'system', id: 't' }, action: 'a', subjectPersonId: null, documentId: null, ground: 'none', detail: {} }),
    );
    const body = { seq: 2, at: new Date().toISOString(), actor_kind: 'system', actor_id: 't', action: 'b', subject_person_id: null, document_id: null, ground: 'none', detail: '{}' };
    // hashed consistently, but chained to the genesis instead of entry 1: as if entry 1 had been inserted later
    await storage.db.insertInto('audit_journal').values({ ...body, prev_hash: GENESIS_HASH, hash: entryHash(GENESIS_HASH, body) }).execute();
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: false, seq: 2, reason: 'prev_hash' });
  });
});
