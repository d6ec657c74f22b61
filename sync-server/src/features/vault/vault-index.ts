/**
 * Full-text search of a person's vault: SQLite FTS5 (diacritics folded) or PostgreSQL tsvector
 * ('french' configuration). The index row of a document is rewritten in the same transaction as the
 * document, so search never shows what the vault does not hold.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { DOC_TYPE_TITLE, ISSUER_OF, ISSUER_TITLE } from '../../../protocol/vault.ts';
import type { DocType } from '../../../protocol/common.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export interface IndexedDocument {
  id: string;
  ownerPersonId: string;
  docType: DocType;
  title: string;
  fields: Record<string, { value: string }>;
  ocrText: string;
}

/** What a document is found by: its kind, who issued it, its title, the values read, its text. */
export function searchBody(d: IndexedDocument): string {
  return [
    DOC_TYPE_TITLE[d.docType],
    ISSUER_TITLE[ISSUER_OF[d.docType]],
    d.title,
    ...Object.values(d.fields).map((f) => f.value),
    d.ocrText,
  ]
    .join('\n')
    .slice(0, 60_000);
}

export async function indexDocument(trx: Transaction<Database>, dialect: Dialect, d: IndexedDocument): Promise<void> {
  const body = searchBody(d);
  if (dialect === 'sqlite') {
    await sql`DELETE FROM documents_fts WHERE document_id = ${d.id}`.execute(trx);
    await sql`INSERT INTO documents_fts (document_id, owner, body) VALUES (${d.id}, ${ownerToken(d.ownerPersonId)}, ${body})`.execute(trx);
  } else {
    await sql`UPDATE documents SET search = to_tsvector('french', ${foldAccents(body)}) WHERE id = ${d.id}`.execute(trx);
  }
}

export async function unindexDocument(trx: Transaction<Database>, dialect: Dialect, documentId: string): Promise<void> {
  if (dialect === 'sqlite') await sql`DELETE FROM documents_fts WHERE document_id = ${documentId}`.execute(trx);
  // PostgreSQL: the tsvector goes with the row
}

/**
 * PostgreSQL's 'french' configuration keeps accents, so "echeancier" would not find "Échéancier" (FTS5
 * folds them with remove_diacritics): both the text and the query are folded here, as people type on
 * the on-screen keyboard without accents.
 */
export function foldAccents(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '');
}

/** FTS5 tokenises the owner column: keep it one token of letters and digits. */
export function ownerToken(personId: string): string {
  return `p${personId.replace(/[^0-9a-zA-Z]/g, '')}`;
}

/** Words of a query, folded to what both engines accept: letters and digits only, each a prefix. */
export function queryTerms(query: string): string[] {
  return query
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, 8)
    .map((t) => t.toLowerCase());
}

export interface SearchHit {
  documentId: string;
  snippet: string;
}

export async function searchDocuments(db: Kysely<Database>, dialect: Dialect, ownerPersonId: string, query: string, limit = 20): Promise<SearchHit[]> {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  if (dialect === 'sqlite') {
    // a word of up to 8 letters may be the start of one (the prefix indexes of 0005 make that cheap);
    // a longer one was typed whole. Newest first: bm25 ranking would read every vault's matches.
    const match = `owner:${ownerToken(ownerPersonId)} AND ${terms.map((t) => (t.length <= 8 ? `body:"${t}"*` : `body:"${t}"`)).join(' AND ')}`;
    const r = await sql<{ document_id: string; snippet: string }>`
      SELECT document_id, snippet(documents_fts, 2, '[', ']', '…', 8) AS snippet
      FROM documents_fts WHERE documents_fts MATCH ${match} ORDER BY rowid DESC LIMIT ${limit}`.execute(db);
    return r.rows.map((x) => ({ documentId: x.document_id, snippet: x.snippet }));
  }
  const tsquery = terms.map((t) => `${foldAccents(t).replace(/'/g, '')}:*`).join(' & ');
  const r = await sql<{ id: string }>`
    SELECT id FROM documents
    WHERE owner_person_id = ${ownerPersonId} AND search @@ to_tsquery('french', ${tsquery})
    ORDER BY ts_rank(search, to_tsquery('french', ${tsquery})) DESC LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({ documentId: x.id, snippet: '' }));
}
