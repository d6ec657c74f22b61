/**
 * The console's login throttle also counts the failures of one address across logins (a guesser trying
 * many logins from one place): an index to count them without scanning every failure.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0011_login_failures_by_address';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('console_login_failures_address_idx').on('console_login_failures').columns(['address', 'at']).execute();
}
