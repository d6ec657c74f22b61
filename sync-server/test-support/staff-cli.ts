/**
 * Tests only: the staff CLI run in-process against a fresh, migrated and seeded database (SQLite or
 * PostgreSQL), its output captured. The CLI finds the database from the environment, so the variables it
 * reads are set for the run and put back as they were afterwards.
 */
import { vi } from 'vitest';
import { main } from '../src/edge/staff/cli.ts';
import { readSeedFile, seedDatabase } from '../src/edge/seed.ts';
import { openDatabase } from '../src/kernel/storage/database.ts';
import type { Dialect, Storage } from '../src/kernel/storage/database.ts';
import { migrateToLatest } from '../src/kernel/storage/migrate.ts';
import { freshEnv, SEED_PATH } from './test-env.ts';
import type { TestEnv } from './test-env.ts';

export interface StaffCliEnv {
  env: TestEnv;
  storage: Storage;
  /** what the last run printed, line by line */
  out: string[];
  err: string[];
  /** runs `npm run staff -- …argv` on this database; resolves with its exit code */
  run(...argv: string[]): Promise<number>;
  close(): Promise<void>;
}

/** `alsoRestore`: other variables a test sets (e.g. FAC_CONSOLE_PASSWORD), put back at close. */
export async function staffCliEnv(dialect: Dialect, alsoRestore: readonly string[] = []): Promise<StaffCliEnv> {
  const names = ['DATABASE_URL', 'FAC_DATA_DIR', ...alsoRestore];
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  const env = await freshEnv(dialect, false);
  const storage = openDatabase(env.config.database);
  await migrateToLatest(storage.db, storage.dialect);
  await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  delete process.env.FAC_DATA_DIR;
  if (env.config.database.kind === 'postgres') process.env.DATABASE_URL = env.config.database.url;
  else delete process.env.DATABASE_URL;
  const self: StaffCliEnv = {
    env,
    storage,
    out: [],
    err: [],
    async run(...argv) {
      self.out = [];
      self.err = [];
      vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void self.out.push(a.join(' ')));
      vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void self.err.push(a.join(' ')));
      // commands that print JSON write it straight to stdout
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        self.out.push(String(chunk));
        return true;
      });
      try {
        return await main([...argv, '--data', env.config.dataDir]);
      } finally {
        write.mockRestore();
      }
    },
    async close() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await storage.db.destroy();
      await env.cleanup();
    },
  };
  return self;
}
