/**
 * A mutation the server will never apply (no proof that the card was there, a blocked card, an owner it
 * does not know) uses up its seq as `refused`, with the reason: the kiosk's later mutations go through
 * instead of waiting for ever behind it, and the same answer is given if the kiosk asks again.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0010_refused_mutations';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('applied_mutations').addColumn('outcome', 'text', (c) => c.notNull().defaultTo('applied')).execute();
  await db.schema.alterTable('applied_mutations').addColumn('error', 'text').execute();
}
