/**
 * Aid applications (issue #7): one row per application with its current state and dates, and the
 * history of its transitions (one row per event, numbered per application). The states are listed
 * here as they are today (a migration is frozen; a later state is a later migration).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0006_applications';

const STATES = sql`('draft', 'collecting-pieces', 'ready', 'submitted', 'in-processing', 'information-requested', 'accepted', 'refused', 'closed')`;

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('aid_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ${STATES}`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_reason', 'text')
    .execute();
  await db.schema.createIndex('applications_person_idx').on('applications').columns(['person_id', 'updated_at']).execute();
  // the institutions' queues: applications of some aids in some states, oldest first
  await db.schema.createIndex('applications_queue_idx').on('applications').columns(['aid_id', 'state', 'updated_at']).execute();

  await db.schema
    .createTable('application_transitions')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
    /** 1, 2, … per application, in the order the transitions happened */
    .addColumn('seq', 'integer', (c) => c.notNull())
    /** null for the creation (event 'create') */
    .addColumn('from_state', 'text', (c) => c.check(sql`from_state in ${STATES}`))
    .addColumn('to_state', 'text', (c) => c.notNull().check(sql`to_state in ${STATES}`))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('applicant', 'institution', 'system')`))
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('application_transitions_pk', ['application_id', 'seq'])
    .execute();
}
