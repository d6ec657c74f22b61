/**
 * A search within a scope (an agent's level: no health papers, not the institutional vault…) is
 * narrowed by the index itself: each paper's index entry gets tokens for its kind, its vault and the
 * competence levels that may see it (vault-index.ts `scopeTokens`; the matrix of protocol/agents.ts as it
 * is today is written out here, as a migration never changes afterwards — a test checks they agree).
 * PostgreSQL also gets the papers by date, newest first, for words found in many of them.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0019_search_scope_tokens';

/** The scope tokens of a paper, from its `doc_type` and `vault` columns (SQL, the same in both engines). */
export const SCOPE_TOKENS_SQL = sql<string>`'qqk' || replace(doc_type, '-', '') || ' qqv' || vault
  || CASE WHEN vault = 'personal' AND doc_type NOT IN ('rib', 'health-insurance') THEN ' qqlaccueil' ELSE '' END
  || CASE WHEN doc_type <> 'health-insurance' THEN ' qqlaccompagnement' ELSE '' END
  || ' qqltravailsocial'`;

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`
      UPDATE documents_fts SET owner = owner || ' ' || (SELECT ${SCOPE_TOKENS_SQL} FROM documents WHERE documents.id = documents_fts.document_id)
      WHERE document_id IN (SELECT id FROM documents)`.execute(db);
  } else {
    await sql`UPDATE documents SET search = search || to_tsvector('simple', ${SCOPE_TOKENS_SQL}) WHERE search IS NOT NULL`.execute(db);
    await sql`CREATE INDEX documents_newest ON documents (updated_at DESC, id DESC)`.execute(db);
  }
}
