/**
 * Which structure added a local entry of the directory from the console (a CMS adding the France Services
 * down the street): its admin may change or remove that entry, and no other structure's. Null: added by
 * the platform's staff (command line, staff API) or the seed, changed only by them.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0025_local_entry_owner';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('institutions').addColumn('added_by_structure', 'text', (c) => c.references('structures.id')).execute();
}
