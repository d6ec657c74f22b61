/**
 * What an acceptance grants, stored with the decision: a monthly amount (in cents, so no rounding ever
 * moves it) and the date the right starts. Both optional: some aids have no amount, or the institution
 * sets it later. The person reads them on the kiosk with the decision.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0014_decision_terms';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // one column per statement: SQLite's ALTER TABLE adds one at a time
  await db.schema.alterTable('applications').addColumn('decision_amount_cents', 'integer').execute();
  await db.schema.alterTable('applications').addColumn('decision_start_date', 'text').execute();
}
