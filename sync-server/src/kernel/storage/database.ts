/** Opens the database named by the configuration: SQLite (embedded default) or PostgreSQL. */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Which database to open; the edge reads it from the environment and passes it in. */
export const DatabaseConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite'), file: z.string().min(1) }),
  z.object({ kind: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\//) }),
]);
export type DatabaseConfig = z.infer<typeof DatabaseConfig>;

export interface Storage {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Durability barrier: once it resolves, every transaction committed before the call survives a power
   * cut. The sync engine calls it once per batch, before acknowledging to the kiosk (which then purges).
   */
  makeDurable(): Promise<void>;
}

/**
 * SQLite runs in WAL mode with synchronous=NORMAL: commits are atomic and survive a crash of the
 * process, and the WAL is fsynced by `makeDurable` once per acknowledged batch instead of once per
 * transaction (an fsync per mutation would cap ingest at a few hundred mutations per second).
 * A checkpoint syncs the database file itself, so data already moved out of the WAL is durable too.
 */
async function fsyncIfExists(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Kysely prepares every statement anew; the sync engine runs the same dozen statements per mutation, so
 * prepared statements are kept (bounded). Safe because Kysely's SQLite driver runs one query at a time
 * on its single connection; streamed queries (`iterate`) get a statement of their own.
 */
function withStatementCache(sqlite: SQLite.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SqliteStatement {
      const hit = cache.get(text);
      if (hit) return hit;
      const stmt = sqlite.prepare(text);
      const shared: SqliteStatement = {
        reader: stmt.reader,
        all: (params) => stmt.all(...params),
        run: (params) => stmt.run(...params),
        iterate: (params) => sqlite.prepare(text).iterate(...params),
      };
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(text, shared);
      return shared;
    },
  };
}

export function openDatabase(config: DatabaseConfig): Storage {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 10 });
    // An idle client's error (e.g. the server restarted) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      dialect: 'postgres',
      // PostgreSQL's commit is durable already (synchronous_commit)
      makeDurable: async () => {},
    };
  }
  mkdirSync(dirname(config.file), { recursive: true });
  const sqlite = new SQLite(config.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }),
    dialect: 'sqlite',
    makeDurable: () => fsyncIfExists(`${config.file}-wal`),
  };
}

/** True when the database answers a trivial query (the health check). */
export async function databaseAnswers(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
