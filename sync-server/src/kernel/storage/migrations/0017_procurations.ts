/**
 * The procuration numérique: what a person signed with their card (the canonical text, both signatures
 * and the certificates they were checked against), so it can be checked again on every use. The scope
 * is kept as canonical JSON beside the text (the access policy reads it on each request, the text stays
 * what was signed). A procuration ends by itself at `until_day`; `revoked_*` say who ended it sooner:
 * the person, their agent's structure, or a renewal (`renews` names the one it replaced).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0017_procurations';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('procurations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('agent_person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('structure_id', 'text', (c) => c.notNull())
    /** canonical JSON of the ProcurationText the person's card signed */
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('person_signature', 'text', (c) => c.notNull())
    .addColumn('agent_signature', 'text', (c) => c.notNull())
    .addColumn('person_certificate', 'text', (c) => c.notNull())
    .addColumn('agent_certificate', 'text', (c) => c.notNull())
    .addColumn('person_card_serial', 'text', (c) => c.notNull())
    .addColumn('agent_card_serial', 'text', (c) => c.notNull())
    .addColumn('from_day', 'text', (c) => c.notNull())
    .addColumn('until_day', 'text', (c) => c.notNull())
    /** canonical JSON: { aids, categories, actions } as signed */
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kiosk_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text', (c) => c.check(sql`revoked_by in ('person', 'structure', 'renewed')`))
    .addColumn('revoked_reason', 'text')
    .addColumn('renews', 'text', (c) => c.references('procurations.id'))
    .execute();
  await db.schema.createIndex('procurations_person_idx').on('procurations').columns(['person_id', 'until_day']).execute();
  await db.schema.createIndex('procurations_agent_idx').on('procurations').columns(['agent_person_id', 'until_day']).execute();
  await db.schema.createIndex('procurations_structure_idx').on('procurations').columns(['structure_id']).execute();
}
