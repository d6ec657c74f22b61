/**
 * An agent adapts a request's list of papers to the person's case: a piece the catalogue does not ask
 * for but this case needs (added), or one it asks for that this case does not need (not needed), each
 * with the reason, who did it and for which structure. Withdrawn rather than deleted: the institution
 * and the person can always see what was changed, by whom and why.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0018_checklist_adjustments';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('checklist_adjustments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    /** the catalogue item marked not needed, or the id given to the added piece */
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('added', 'not-needed')`))
    /** an added piece: what to bring, the paper kinds it accepts (JSON array), who issues it */
    .addColumn('label', 'text')
    .addColumn('doc_types', 'text')
    .addColumn('issuer', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('author_person_id', 'text', (c) => c.notNull().references('persons.id'))
    /** the author's structure as it was named then (agents change structure) */
    .addColumn('author_structure', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_by', 'text')
    .execute();
  await db.schema.createIndex('checklist_adjustments_dossier').on('checklist_adjustments').columns(['dossier_id', 'item_id']).execute();
}
