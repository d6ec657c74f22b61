/**
 * Who deposited a version for the person, when it was an agent (with the person present, or alone on
 * their procuration): the person's vault says « Déposé par Sophie Lefèvre (CCAS de Lyon 3e) ». Kept
 * with the version as it was then (canonical JSON: agentIdentifier, name, structureId, structure,
 * ground, procurationId when there was one), so a later change of name or structure does not rewrite
 * who put the paper there. Null: the person themself, or an institution.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0020_deposited_by';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('document_versions').addColumn('deposited_by', 'text').execute();
}
