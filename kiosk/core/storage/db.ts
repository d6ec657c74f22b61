/**
 * The kiosk's local SQLite database (better-sqlite3, WAL): the outbox and the per-session cache only
 * (DESIGN.md §6: data on the kiosk is minimal). Migrations are numbered and applied in order.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { migrations } from './migrations.ts';

export type { Db };

export function openKioskDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((r) => (r as { version: number }).version),
  );
  let applied = 0;
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    })();
    applied++;
  }
  return applied;
}
