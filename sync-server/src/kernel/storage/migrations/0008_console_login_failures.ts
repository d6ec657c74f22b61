/**
 * Failed logins of the processing console, in the database: every server instance counts the same
 * failures (the throttle in memory gave each instance of a scale-out its own five tries), and a restart
 * does not forget them.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0008_console_login_failures';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('console_login_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** the login as typed, lower-cased (an unknown login is counted too) */
    .addColumn('login', 'text', (c) => c.notNull())
    /** the client's address as the server sees it */
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_login_failures_key_idx').on('console_login_failures').columns(['login', 'address', 'at']).execute();
  await db.schema.createIndex('console_login_failures_at_idx').on('console_login_failures').column('at').execute();
}
