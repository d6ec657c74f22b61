/**
 * The vault grows up: document titles and paper dates (for expiry), previews and page counts per version,
 * full-text search (SQLite FTS5 / PostgreSQL tsvector), and platform messages to institutions (a
 * document sent with a note; the negotiation threads of issue #7 build on these tables).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0004_vault';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('documents').addColumn('title', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('documents').addColumn('issued_on', 'text').execute();
  await db.schema.alterTable('documents').addColumn('expires_on', 'text').execute();
  await db.schema.alterTable('document_versions').addColumn('thumbnail_sha256', 'text').execute();
  await db.schema.alterTable('document_versions').addColumn('pages', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.createIndex('documents_owner_idx').on('documents').columns(['owner_person_id', 'updated_at']).execute();

  if (dialect === 'sqlite') {
    // owner is indexed too, so a search is `owner:… AND (terms)` inside the FTS index itself
    await sql`CREATE VIRTUAL TABLE documents_fts USING fts5(document_id UNINDEXED, owner, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
  } else {
    await sql`ALTER TABLE documents ADD COLUMN search tsvector`.execute(db);
    await sql`CREATE INDEX documents_search_idx ON documents USING gin (search)`.execute(db);
  }

  await db.schema
    .createTable('threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('threads_person_idx').on('threads').columns(['person_id', 'updated_at']).execute();
  await db.schema.createIndex('threads_institution_idx').on('threads').columns(['institution_id', 'updated_at']).execute();
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id'))
    .addColumn('author_kind', 'text', (c) => c.notNull().check(sql`author_kind in ('person', 'agent', 'institution')`))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_thread_idx').on('messages').columns(['thread_id', 'created_at']).execute();
  await db.schema
    .createTable('message_attachments')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    /** a copy of the version sent: the message keeps it even if the person later deletes the document */
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_attachments_pk', ['message_id', 'document_id'])
    .execute();
}
