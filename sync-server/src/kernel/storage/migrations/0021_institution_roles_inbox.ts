/**
 * Institutions as parties: an institution's accounts get a role, and its inbox gets assignment and read
 * state. Roles of an institution's account: `institution` (the head of service — the stored value kept
 * from migration 0016, so every account and query from before reads the same), `instructor`,
 * `depositor`, `institution-admin`; a structure's admin stays `structure-admin`. An inbox thread (one
 * without an application) may be assigned to one account of its institution; each account's last
 * reading of a thread is kept in `inbox_reads`, so « non lu » is per member of staff.
 *
 * The role's check constraints of 0016 are replaced: on PostgreSQL by name; SQLite cannot alter a check,
 * so there the table is rebuilt as 0016 did (foreign keys off, new table, copy, drop, rename, check, on
 * again), in one transaction.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0021_institution_roles_inbox';

const ROLES = sql`('institution', 'instructor', 'depositor', 'institution-admin', 'structure-admin')`;
const OWNER = sql`(role in ('institution', 'instructor', 'depositor', 'institution-admin') and institution_id is not null and structure_id is null) or (role = 'structure-admin' and structure_id is not null and institution_id is null)`;

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    // 0016 declared the role's check on its column: PostgreSQL named it <table>_<column>_check
    await sql`alter table staff_accounts drop constraint staff_accounts_role_check`.execute(db);
    await sql`alter table staff_accounts add constraint staff_accounts_role_check check (role in ${ROLES})`.execute(db);
    await sql`alter table staff_accounts drop constraint staff_accounts_role_owner`.execute(db);
    await sql`alter table staff_accounts add constraint staff_accounts_role_owner check (${OWNER})`.execute(db);
  } else {
    await rebuildSqliteAccounts(db);
  }
  await db.schema.createIndex('staff_accounts_institution_idx').on('staff_accounts').columns(['institution_id', 'role']).execute();

  await db.schema.alterTable('threads').addColumn('assigned_to', 'text', (c) => c.references('staff_accounts.id')).execute();
  await db.schema.alterTable('threads').addColumn('assigned_at', 'text').execute();

  await db.schema
    .createTable('inbox_reads')
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('staff_accounts.id'))
    /** the last time this account opened the thread: messages after it are unread for them */
    .addColumn('read_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbox_reads_pk', ['thread_id', 'account_id'])
    .execute();
}

async function rebuildSqliteAccounts(db: Kysely<unknown>): Promise<void> {
  // the migrator runs SQLite's migrations outside a transaction, so this one holds its own
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin`.execute(db);
    try {
      await db.schema
        .createTable('staff_accounts_new')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('institution_id', 'text', (c) => c.references('institutions.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('institution').check(sql`role in ${ROLES}`))
        .addColumn('structure_id', 'text', (c) => c.references('structures.id'))
        .addCheckConstraint('staff_accounts_role_owner', OWNER)
        .execute();
      await sql`insert into staff_accounts_new (id, login, display_name, institution_id, password_hash, created_at, disabled_at, role, structure_id)
        select id, login, display_name, institution_id, password_hash, created_at, disabled_at, role, structure_id from staff_accounts`.execute(db);
      await sql`drop table staff_accounts`.execute(db);
      await sql`alter table staff_accounts_new rename to staff_accounts`.execute(db);
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error(`staff_accounts rebuild broke ${broken.rows.length} foreign key(s)`);
      await sql`commit`.execute(db);
    } catch (e) {
      await sql`rollback`.execute(db);
      throw e;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
