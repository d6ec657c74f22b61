/**
 * A search within a scope (an agent's level: no health papers, not the institutional vault…) is
 * narrowed by the index itself: each paper's index entry gets a token for its kind and one for its vault
 * (vault-index.ts `kindToken`, `vaultToken`; the same spelling is kept here, as a migration never changes
 * afterwards). PostgreSQL also gets the papers by date, newest first, for words found in many of them.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0019_search_scope_tokens';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`
      UPDATE documents_fts SET owner = owner
        || ' qqk' || (SELECT replace(d.doc_type, '-', '') FROM documents d WHERE d.id = documents_fts.document_id)
        || ' qqv' || (SELECT d.vault FROM documents d WHERE d.id = documents_fts.document_id)
      WHERE document_id IN (SELECT id FROM documents)`.execute(db);
  } else {
    await sql`
      UPDATE documents SET search = search || to_tsvector('simple', 'qqk' || replace(doc_type, '-', '') || ' qqv' || vault)
      WHERE search IS NOT NULL`.execute(db);
    await sql`CREATE INDEX documents_newest ON documents (updated_at DESC, id DESC)`.execute(db);
  }
}
