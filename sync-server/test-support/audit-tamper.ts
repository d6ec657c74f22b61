/**
 * Tests only: what an attacker with write access to the database does to the audit journal so that the
 * chain alone still verifies — drop the append-only triggers, delete an entry, renumber and rehash every
 * later one, put the triggers back — and a plain truncation of its end.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { entryHash, GENESIS_HASH } from '../src/kernel/audit.ts';
import type { Dialect } from '../src/kernel/storage/database.ts';
import type { Database } from '../src/kernel/storage/schema.ts';

async function dropTriggers(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`DROP TRIGGER audit_journal_no_update`.execute(db);
    await sql`DROP TRIGGER audit_journal_no_delete`.execute(db);
  } else {
    await sql`DROP TRIGGER audit_journal_no_change ON audit_journal`.execute(db);
    await sql`DROP TRIGGER audit_journal_no_truncate ON audit_journal`.execute(db);
  }
}

/** The triggers as migration 0001 made them. */
async function restoreTriggers(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql.raw(`CREATE TRIGGER audit_journal_no_${op.toLowerCase()} BEFORE ${op} ON audit_journal BEGIN SELECT RAISE(ABORT, 'audit_journal is append-only'); END`).execute(db);
    }
  } else {
    await sql`CREATE TRIGGER audit_journal_no_change BEFORE UPDATE OR DELETE ON audit_journal FOR EACH ROW EXECUTE FUNCTION audit_journal_append_only()`.execute(db);
    await sql`CREATE TRIGGER audit_journal_no_truncate BEFORE TRUNCATE ON audit_journal FOR EACH STATEMENT EXECUTE FUNCTION audit_journal_append_only()`.execute(db);
  }
}

/**
 * Deletes entry `seq`, renumbers and rehashes every later entry, so that the chain verifies again; in one
 * transaction, as a careful attacker would (nobody sees it half done).
 */
export async function rewriteWithout(db: Kysely<Database>, dialect: Dialect, seq: number): Promise<void> {
  await db.transaction().execute((trx) => rewrite(trx, dialect, seq));
}

async function rewrite(db: Kysely<Database>, dialect: Dialect, seq: number): Promise<void> {
  await dropTriggers(db, dialect);
  await db.deleteFrom('audit_journal').where('seq', '=', seq).execute();
  const before = await db.selectFrom('audit_journal').select('hash').where('seq', '=', seq - 1).executeTakeFirst();
  let prevHash = before?.hash ?? GENESIS_HASH;
  const later = await db.selectFrom('audit_journal').selectAll().where('seq', '>', seq).orderBy('seq').execute();
  for (const row of later) {
    const body = { ...row, seq: row.seq - 1 };
    const { hash: _h, prev_hash: _p, ...hashed } = body;
    const hash = entryHash(prevHash, hashed);
    await db.updateTable('audit_journal').set({ seq: row.seq - 1, prev_hash: prevHash, hash }).where('seq', '=', row.seq).execute();
    prevHash = hash;
  }
  await restoreTriggers(db, dialect);
}

/** Deletes every entry after `seq` (the chain of what remains still verifies). */
export async function truncateAfter(db: Kysely<Database>, dialect: Dialect, seq: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await dropTriggers(trx, dialect);
    await trx.deleteFrom('audit_journal').where('seq', '>', seq).execute();
    await restoreTriggers(trx, dialect);
  });
}
