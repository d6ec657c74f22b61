/**
 * The office a request was sent to. Until now a request went to « the » institution of its aid's kind,
 * which was right while the platform knew one office a kind; with the public directory it knows every
 * CAF of France, and a request must reach the one that serves the person, and be seen by that office
 * only. Set when the person signs (the manifest names it). Null: a request sent before this column, or
 * not sent yet; such a request is seen, as before, by every office of its kind — except that one whose
 * thread already names an office is given that office here.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0024_application_office';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('applications').addColumn('institution_id', 'text', (c) => c.references('institutions.id')).execute();
  await db.schema.createIndex('applications_institution').on('applications').columns(['institution_id', 'state']).execute();
  await sql`update applications set institution_id = (select min(t.institution_id) from threads t where t.application_id = applications.id) where submitted_at is not null and exists (select 1 from threads t where t.application_id = applications.id)`.execute(db);
}
