/**
 * PostgreSQL: the role the server connects as, when it is not the tables' owner (sync-server/README.md,
 * "A server role without DDL rights"). The owner runs the migrations and then grants this role what the
 * server does with each table — reading and writing rows — and nothing of what an owner may do: no
 * DROP, ALTER (so no dropping or disabling the journal's triggers), TRUNCATE or CREATE. On the append-only
 * tables (the audit journal) the role may only read and append: with the server's credentials, nobody
 * can delete, change or rewrite an entry, even before the triggers are consulted.
 *
 * Run again after each migration (new tables), by `npm run staff -- db grant --role NAME` as the owner.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Tables the server only reads and appends to. */
export const APPEND_ONLY_TABLES: readonly string[] = ['audit_journal'];
/** The migrator's bookkeeping: the server only reads it (to see that nothing is pending). */
const MIGRATION_TABLES: readonly string[] = ['kysely_migration', 'kysely_migration_lock'];

export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class ServerRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerRoleError';
  }
}

export interface RoleGrants {
  /** tables granted SELECT, INSERT, UPDATE, DELETE */
  readWrite: string[];
  /** tables granted SELECT, INSERT only */
  appendOnly: string[];
  /** tables granted SELECT only */
  readOnly: string[];
}

/** Grants `role` the server's rights on every table of the current schema (PostgreSQL, run as the owner). */
export async function grantServerRole(db: Kysely<Database>, role: string): Promise<RoleGrants> {
  if (!ROLE_NAME.test(role)) throw new ServerRoleError(`not a role name: ${role} (lower-case letters, digits, _)`);
  const exists = await sql<{ rolname: string; rolsuper: boolean }>`SELECT rolname, rolsuper FROM pg_roles WHERE rolname = ${role}`.execute(db);
  const found = exists.rows[0];
  if (!found) throw new ServerRoleError(`no role ${role}: create it first (CREATE ROLE ${role} LOGIN PASSWORD '…')`);
  if (found.rolsuper) throw new ServerRoleError(`${role} is a superuser: the server role must not be one`);
  const owner = await sql<{ is_owner: boolean }>`SELECT bool_or(tableowner = ${role}) AS is_owner FROM pg_tables WHERE schemaname = current_schema()`.execute(db);
  if (owner.rows[0]?.is_owner) throw new ServerRoleError(`${role} owns tables of this database: the server role must own none`);
  const tables = (await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`.execute(db)).rows.map((r) => r.tablename);
  const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]!.s;
  const grants: RoleGrants = { readWrite: [], appendOnly: [], readOnly: [] };
  const r = sql.id(role);
  await db.transaction().execute(async (trx) => {
    await sql`GRANT USAGE ON SCHEMA ${sql.id(schema)} TO ${r}`.execute(trx);
    for (const t of tables) {
      const id = sql.id(t);
      // from a clean slate each time, so a table that became append-only loses its old rights
      await sql`REVOKE ALL ON TABLE ${id} FROM ${r}`.execute(trx);
      if (APPEND_ONLY_TABLES.includes(t)) {
        await sql`GRANT SELECT, INSERT ON TABLE ${id} TO ${r}`.execute(trx);
        grants.appendOnly.push(t);
      } else if (MIGRATION_TABLES.includes(t)) {
        await sql`GRANT SELECT ON TABLE ${id} TO ${r}`.execute(trx);
        grants.readOnly.push(t);
      } else {
        await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${id} TO ${r}`.execute(trx);
        grants.readWrite.push(t);
      }
    }
    await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${sql.id(schema)} TO ${r}`.execute(trx);
  });
  return grants;
}
