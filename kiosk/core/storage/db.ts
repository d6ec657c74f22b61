/**
 * The kiosk's local SQLite database (better-sqlite3, WAL): the outbox and the per-session cache only
 * (DESIGN.md §6: data on the kiosk is minimal, and sealed). Migrations are numbered and applied in order.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { KeyProvider } from './keys.ts';
import { migrations as allMigrations } from './migrations.ts';
import type { Migration } from './migrations.ts';
import { privateFile } from './private-files.ts';

export type { Db };

/**
 * Opens (creating it 0600) the kiosk database. With the key provider, every migration is applied; without
 * it, those that seal rows wait for the outbox, which has the key.
 */
export function openKioskDb(file: string, keys?: KeyProvider): Db {
  // SQLite gives the -wal and -shm files the database file's mode: the database is made private first
  for (const f of [file, `${file}-wal`, `${file}-shm`]) privateFile(f, { create: f === file });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // what is deleted (acknowledged rows, a purged session) is overwritten, not left in free pages;
  // temporary tables and sorts stay in memory, never in a file of their own
  db.pragma('secure_delete = ON');
  db.pragma('temp_store = MEMORY');
  migrate(db, keys);
  return db;
}

export function migrate(db: Db, keys?: KeyProvider, list: readonly Migration[] = allMigrations): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((r) => (r as { version: number }).version),
  );
  let applied = 0;
  for (const m of list) {
    if (done.has(m.version)) continue;
    if (m.withKey && !keys) break;
    const key = m.withKey && keys ? keys.dataKey() : null;
    db.transaction(() => {
      db.exec(m.sql);
      if (m.withKey && key) {
        m.withKey(db, key);
        db.prepare("INSERT INTO meta (key, value) VALUES ('scrub_pending', '1') ON CONFLICT(key) DO UPDATE SET value = '1'").run();
      }
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    })();
    applied++;
  }
  scrubIfPending(db);
  return applied;
}

/**
 * After clear rows were sealed, their old bytes may still sit in free pages and unused cell space of the
 * database file (written before secure_delete was on), and in old frames of the write-ahead log: the
 * file is rebuilt and the log emptied. The mark is set in the sealing migration's own transaction and
 * cleared only once this is done, so a kill in between is finished at the next start.
 */
function scrubIfPending(db: Db): void {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta || !db.prepare("SELECT 1 FROM meta WHERE key = 'scrub_pending'").get()) return;
  db.exec('VACUUM');
  db.prepare("DELETE FROM meta WHERE key = 'scrub_pending'").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
}
