/**
 * Filing aid requests (issue #7): a dossier groups the applications filed together (one aid, a bundle,
 * or a linked aid with the one it waits for), holds the situation the checklist came from, the pieces
 * given once for all its applications, and the signed manifest of its submission. Notices tell the
 * person, at their next login, that a status changed. Threads get the application they are about.
 * Staff accounts of the processing console (a head of service belongs to one institution) and their
 * browser sessions.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0007_dossiers';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('dossiers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    /** canonical JSON of the filing situation (protocol/applications.ts FilingSituation) */
    .addColumn('situation', 'text', (c) => c.notNull())
    .addColumn('catalogue_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    /** the kiosk it was last worked on from: where status pushes go */
    .addColumn('kiosk_id', 'text')
    .addColumn('mode', 'text', (c) => c.check(sql`mode in ('manual', 'automatic')`))
    /** canonical JSON of the submission ground (beneficiary signature / procuration) */
    .addColumn('ground', 'text')
    /** the signed manifest: canonical JSON, exactly as verified */
    .addColumn('manifest', 'text')
    /** raw r||s, base64url, over SHA-256 of manifestBytes */
    .addColumn('signature', 'text')
    .addColumn('signer_card_serial', 'text')
    .addColumn('signer_identifier', 'text')
    .addColumn('signed_at', 'text')
    .addColumn('submitted_at', 'text')
    /** printed on the receipt: FAC-YYYY-XXXXXXXX */
    .addColumn('receipt_number', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('dossiers_person_idx').on('dossiers').columns(['person_id', 'updated_at']).execute();

  await db.schema.alterTable('applications').addColumn('dossier_id', 'text', (c) => c.references('dossiers.id')).execute();
  /** a linked aid: the application whose decision it waits for */
  await db.schema.alterTable('applications').addColumn('waits_for', 'text').execute();
  await db.schema.createIndex('applications_dossier_idx').on('applications').column('dossier_id').execute();

  await db.schema
    .createTable('dossier_pieces')
    .addColumn('dossier_id', 'text', (c) => c.notNull().references('dossiers.id'))
    /** a checklist item id of the catalogue */
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text')
    .addColumn('version', 'integer')
    .addColumn('blob_sha256', 'text')
    /** auto: matched from the vault; person: chosen on screen */
    .addColumn('chosen_by', 'text', (c) => c.check(sql`chosen_by in ('auto', 'person')`))
    .addColumn('attached_at', 'text')
    /** the institution asked for this piece again (a new one), with its words */
    .addColumn('requested_at', 'text')
    .addColumn('request_message', 'text')
    .addPrimaryKeyConstraint('dossier_pieces_pk', ['dossier_id', 'item_id'])
    .execute();

  await db.schema
    .createTable('application_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('dossier_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text')
    .execute();
  await db.schema.createIndex('application_notices_person_idx').on('application_notices').columns(['person_id', 'seen_at']).execute();

  await db.schema.alterTable('threads').addColumn('application_id', 'text').execute();
  await db.schema.createIndex('threads_application_idx').on('threads').column('application_id').execute();
  /** when the person last read the thread (unread counts on the kiosk) */
  await db.schema.alterTable('threads').addColumn('person_read_at', 'text').execute();

  await db.schema
    .createTable('staff_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    /** scrypt$N$r$p$salt$hash (base64url) */
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();
  await db.schema
    .createTable('console_sessions')
    /** SHA-256 of the cookie's token: a stolen database does not give live sessions */
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('staff_accounts.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
