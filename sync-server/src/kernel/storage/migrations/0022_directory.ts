/**
 * The real directory of institutions: what the public « Annuaire de l'administration » (or staff, for a
 * local entry) says of an office beyond its address — phone, e-mail, website, opening periods (canonical
 * JSON of OpeningSlot[]), a note on the hours, the communes it serves (canonical JSON of INSEE codes, and
 * one row a commune in `institution_communes` so a search by commune is an index lookup) — and where the
 * entry comes from (`source`: 'annuaire' entries are replaced by the next import, 'local' ones only by
 * staff; the seed's entries are local). `annuaire_modified` keeps the annuaire's own date of the entry.
 * An office removed from the directory keeps its row (`removed_at`): papers, messages and requests name it.
 *
 * `directory_changes` is the change log kiosks follow: one row an entry added, changed or removed, its
 * `seq` given in commit order (writers hold a lock), so a kiosk's cursor is the last seq it has seen.
 * Old rows are pruned; a cursor older than the oldest row left gets the whole directory again.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0022_directory';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('institutions').addColumn('phone', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('email', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('website', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('hours', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('hours_note', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('communes', 'text').execute();
  await db.schema
    .alterTable('institutions')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('local').check(sql`source in ('annuaire', 'local')`))
    .execute();
  await db.schema.alterTable('institutions').addColumn('annuaire_modified', 'text').execute();
  await db.schema.alterTable('institutions').addColumn('updated_at', 'text').execute();
  // an office gone from the directory keeps its row: papers, messages and requests still name it
  await db.schema.alterTable('institutions').addColumn('removed_at', 'text').execute();

  await db.schema
    .createTable('institution_communes')
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id').onDelete('cascade'))
    .addColumn('commune', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('institution_communes_pk', ['institution_id', 'commune'])
    .execute();
  await db.schema.createIndex('institution_communes_commune_idx').on('institution_communes').columns(['commune']).execute();
  await db.schema.createIndex('institutions_postcode_idx').on('institutions').columns(['postcode']).execute();

  await db.schema
    .createTable('directory_changes')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('institution_id', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull().check(sql`change in ('upsert', 'remove')`))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_changes_institution_idx').on('directory_changes').columns(['institution_id']).execute();
}
