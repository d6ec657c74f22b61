/**
 * When the person chose the paper of a dossier's item: a paper chosen on a kiosk that has not reached the
 * server after some days is shown as "not arrived" (the kiosk may be broken), instead of "on its way"
 * for ever. The choice itself stays: if the paper arrives later, it is attached.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0009_piece_chosen_at';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('dossier_pieces').addColumn('chosen_at', 'text').execute();
}
