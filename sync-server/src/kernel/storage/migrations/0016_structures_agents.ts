/**
 * Structures (a CMS, a CCAS, a France Services, an association) and their agents' profiles: the
 * competence level their admin gave them, and whether they are suspended (inactive too long, or by
 * the admin). Console accounts gain a role: an institution's head of service as before, or the admin of
 * one structure — so a structure admin's account has no institution, and `institution_id` becomes
 * nullable. SQLite cannot drop a NOT NULL, so there the table is rebuilt the way SQLite documents it
 * (foreign keys off, new table, copy, drop, rename, check, on again), in one transaction.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0016_structures_agents';

const KINDS = sql`('cms', 'ccas', 'france-services', 'association')`;
const LEVELS = sql`('accueil', 'accompagnement', 'travail-social')`;

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('structures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ${KINDS}`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** a disabled structure's agents may no longer act */
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('agent_profiles')
    .addColumn('person_id', 'text', (c) => c.primaryKey().references('persons.id'))
    .addColumn('structure_id', 'text', (c) => c.notNull().references('structures.id'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ${LEVELS}`))
    .addColumn('suspended_at', 'text')
    .addColumn('suspended_reason', 'text', (c) => c.check(sql`suspended_reason is null or suspended_reason in ('inactive', 'admin')`))
    /** the last kiosk session the agent's card opened (null: never yet) */
    .addColumn('last_active_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('agent_profiles_suspension', sql`(suspended_at is null) = (suspended_reason is null)`)
    .execute();
  await db.schema.createIndex('agent_profiles_structure_idx').on('agent_profiles').column('structure_id').execute();

  const roleCheck = sql`(role = 'institution' and institution_id is not null and structure_id is null) or (role = 'structure-admin' and structure_id is not null and institution_id is null)`;
  if (dialect === 'postgres') {
    await sql`alter table staff_accounts alter column institution_id drop not null`.execute(db);
    await db.schema.alterTable('staff_accounts').addColumn('role', 'text', (c) => c.notNull().defaultTo('institution').check(sql`role in ('institution', 'structure-admin')`)).execute();
    await db.schema.alterTable('staff_accounts').addColumn('structure_id', 'text', (c) => c.references('structures.id')).execute();
    await sql`alter table staff_accounts add constraint staff_accounts_role_owner check (${roleCheck})`.execute(db);
    return;
  }

  // SQLite: the migrator runs its migrations outside a transaction there, so this one holds its own
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
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('institution').check(sql`role in ('institution', 'structure-admin')`))
        .addColumn('structure_id', 'text', (c) => c.references('structures.id'))
        .addCheckConstraint('staff_accounts_role_owner', roleCheck)
        .execute();
      await sql`insert into staff_accounts_new (id, login, display_name, institution_id, password_hash, created_at, disabled_at, role, structure_id)
        select id, login, display_name, institution_id, password_hash, created_at, disabled_at, 'institution', null from staff_accounts`.execute(db);
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
