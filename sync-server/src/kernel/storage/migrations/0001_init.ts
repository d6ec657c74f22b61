/**
 * First schema: persons, cards, institutions, kiosks, sync bookkeeping, blobs, vault documents and the
 * append-only audit journal. Written with Kysely's schema builder so both dialects share it; the only
 * dialect-specific parts are the triggers that make audit_journal append-only.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0001_init';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('persons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identifier', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('beneficiary', 'agent')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cards')
    .addColumn('serial', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'blocked', 'revoked')`))
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cards_person_id').on('cards').column('person_id').execute();

  await db.schema
    .createTable('institutions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('postcode', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .execute();

  await db.schema
    .createTable('kiosks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('institution_id', 'text', (c) => c.references('institutions.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('applied_mutations')
    .addColumn('kiosk_id', 'text', (c) => c.notNull().references('kiosks.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('applied_mutations_pk', ['kiosk_id', 'seq'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('vault', 'text', (c) => c.notNull().check(sql`vault in ('personal', 'institutional')`))
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('institution_id', 'text', (c) => c.references('institutions.id'))
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('documents_owner').on('documents').column('owner_person_id').execute();

  await db.schema
    .createTable('document_versions')
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('ocr_text', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('captured_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('source_kiosk_id', 'text')
    .addColumn('source_mutation_id', 'text')
    .addPrimaryKeyConstraint('document_versions_pk', ['document_id', 'version'])
    .execute();
  await db.schema.createIndex('document_versions_blob').on('document_versions').column('blob_sha256').execute();

  await db.schema
    .createTable('audit_journal')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_person_id', 'text')
    .addColumn('document_id', 'text')
    .addColumn('ground', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('audit_journal_subject').on('audit_journal').columns(['subject_person_id', 'seq']).execute();

  await appendOnlyTriggers(db, dialect);
}

/** The journal is append-only at the database level too: UPDATE and DELETE (and TRUNCATE) are rejected. */
async function appendOnlyTriggers(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `CREATE TRIGGER audit_journal_no_${op.toLowerCase()} BEFORE ${op} ON audit_journal
           BEGIN SELECT RAISE(ABORT, 'audit_journal is append-only'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql`
    CREATE FUNCTION audit_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_journal is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_journal_no_change BEFORE UPDATE OR DELETE ON audit_journal
    FOR EACH ROW EXECUTE FUNCTION audit_journal_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER audit_journal_no_truncate BEFORE TRUNCATE ON audit_journal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_journal_append_only()`.execute(db);
}
