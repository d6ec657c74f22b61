/**
 * The person's answer when a paper did not seem to be in their name (« c'est le mien », « c'est
 * quelqu'un de mon foyer : mon conjoint »), kept with the version it was given for. Whether the paper
 * names the holder is not stored: the server works it out from the fields and the person each time it
 * shows the paper, so no tablet can claim it.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0015_holder_answer';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('document_versions').addColumn('holder_answer', 'text').execute();
}
