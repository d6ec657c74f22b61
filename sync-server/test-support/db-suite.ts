/**
 * Test support: the life of a feature test suite on one engine — a fresh database and data folder,
 * migrated and seeded with the demo seed, and the platform CA. The suite's own variables are set through
 * `ready` once it is all up, so the tests read them as before; the database is closed after the suite.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { initCa } from '../src/features/cards/index.ts';
import type { LoadedCa } from '../src/features/cards/index.ts';
import { readSeedFile, seedDatabase } from '../src/edge/seed.ts';
import { openDatabase } from '../src/kernel/storage/database.ts';
import type { Storage } from '../src/kernel/storage/database.ts';
import { migrateToLatest } from '../src/kernel/storage/migrate.ts';
import type { Database } from '../src/kernel/storage/schema.ts';
import { freshEnv, SEED_PATH } from './test-env.ts';
import type { TestEnv } from './test-env.ts';

export interface SeededDatabase {
  env: TestEnv;
  db: Kysely<Database>;
  ca: LoadedCa;
}

export function seededDatabaseSuite(dialect: 'sqlite' | 'postgres', ready: (s: SeededDatabase) => void): void {
  let env: TestEnv | undefined;
  let storage: Storage | undefined;
  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    ready({ env, db: storage.db, ca: await initCa(env.config.dataDir) });
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });
}
