/**
 * Full-text search of a person's vault: SQLite FTS5 (diacritics folded) or PostgreSQL tsvector
 * ('french' configuration). The index row of a document is rewritten in the same transaction as the
 * document, so search never shows what the vault does not hold.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { DOC_TYPE_TITLE, ISSUER_OF, ISSUER_TITLE } from '../../../protocol/vault.ts';
import type { DocType } from '../../../protocol/common.ts';
import { CATEGORY_OF, COMPETENCE, CompetenceLevel } from '../../../protocol/agents.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export interface IndexedDocument {
  id: string;
  ownerPersonId: string;
  vault: 'personal' | 'institutional';
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

/**
 * Tokens that say what a paper is and where it is filed, indexed with it so that a search within a scope
 * (an agent's level: no health papers, say) is narrowed by the index itself, not by reading every match.
 * Letters only, and a prefix no French word has.
 */
export function kindToken(docType: DocType): string {
  return `qqk${docType.replace(/[^a-z]/g, '')}`;
}
export function vaultToken(vault: 'personal' | 'institutional'): string {
  return `qqv${vault}`;
}

/**
 * One token per competence level that may see this paper (protocol/agents.ts): a level's search is then one
 * word ANDed to the query, which PostgreSQL's index answers by skipping, where an OR of every kind allowed
 * would merge lists as long as the whole table. A change of the matrix is a migration that re-indexes.
 */
export function levelTokens(docType: DocType, vault: 'personal' | 'institutional'): string[] {
  return CompetenceLevel.options.filter((l) => COMPETENCE[l].vaults.includes(vault) && COMPETENCE[l].categories.includes(CATEGORY_OF[docType])).map(levelToken);
}
export function levelToken(level: CompetenceLevel): string {
  return `qql${level.replace(/[^a-z]/g, '')}`;
}

/** The scope tokens of a paper: its kind, its vault, the levels that may see it. */
export function scopeTokens(d: Pick<IndexedDocument, 'docType' | 'vault'>): string {
  return [kindToken(d.docType), vaultToken(d.vault), ...levelTokens(d.docType, d.vault)].join(' ');
}

/** The indexed column that holds the owner and the scope tokens (SQLite). */
export function scopeColumn(d: Pick<IndexedDocument, 'ownerPersonId' | 'docType' | 'vault'>): string {
  return `${ownerToken(d.ownerPersonId)} ${scopeTokens(d)}`;
}

export async function indexDocument(trx: Transaction<Database>, dialect: Dialect, d: IndexedDocument): Promise<void> {
  const body = searchBody(d);
  if (dialect === 'sqlite') {
    await sql`DELETE FROM documents_fts WHERE document_id = ${d.id}`.execute(trx);
    await sql`INSERT INTO documents_fts (document_id, owner, body) VALUES (${d.id}, ${scopeColumn(d)}, ${body})`.execute(trx);
  } else {
    await sql`UPDATE documents SET search = to_tsvector('french', ${foldAccents(body)}) || to_tsvector('simple', ${scopeTokens(d)}) WHERE id = ${d.id}`.execute(trx);
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

/** What an agent's search may cover: whose vaults, which kinds of paper, which vaults (personal, institutional). */
export interface SearchScope {
  /** the agent's level: the index answers for what it may see; kinds and vaults narrow it further (a procuration) */
  level: CompetenceLevel;
  owners: readonly string[];
  docTypes: readonly DocType[];
  vaults: readonly ('personal' | 'institutional')[];
}

export interface ScopedHit extends SearchHit {
  ownerPersonId: string;
}

/** At most this many vaults in one search: a caseload, not the whole platform. */
export const MAX_SCOPE_OWNERS = 2_000;

/** Below this many matches, PostgreSQL sorts them itself; above, it walks the newest papers instead. */
const SORT_IN_MEMORY = 2_000;

/** How many of a scope's newest papers PostgreSQL reads before it asks the full-text index. */
const NEWEST_WALKED = 2_000;

/**
 * Search across several people's vaults at once, within a scope (an agent's caseload, narrowed to the
 * kinds of paper their level and each procuration allow: the caller computes it with the access policy).
 * Newest first. SQLite: the scope is part of the index query (kind and vault tokens), so nothing outside
 * it is read. PostgreSQL: the scope's newest papers first, then the index with the level's token (below).
 */
export async function searchScoped(
  db: Kysely<Database>,
  dialect: Dialect,
  scope: SearchScope,
  query: string,
  limit = 20,
  /** PostgreSQL: how many of the scope's newest papers are read before the index is asked */
  newestWalked = NEWEST_WALKED,
): Promise<ScopedHit[]> {
  const terms = queryTerms(query);
  if (terms.length === 0 || scope.owners.length === 0 || scope.docTypes.length === 0 || scope.vaults.length === 0) return [];
  if (scope.owners.length > MAX_SCOPE_OWNERS) throw new RangeError(`a scoped search covers at most ${MAX_SCOPE_OWNERS} vaults`);
  const kinds = [...new Set(scope.docTypes.map(kindToken))];
  const vaults = [...new Set(scope.vaults.map(vaultToken))];
  if (dialect === 'sqlite') {
    const words = terms.map((t) => (t.length <= 8 ? `body:"${t}"*` : `body:"${t}"`)).join(' AND ');
    const match = `owner:${levelToken(scope.level)} AND owner:(${kinds.join(' OR ')}) AND owner:(${vaults.join(' OR ')}) AND ${words}`;
    const r = await sql<{ document_id: string; owner_person_id: string; snippet: string }>`
      SELECT f.document_id, d.owner_person_id, snippet(documents_fts, 2, '[', ']', '…', 8) AS snippet
      FROM documents_fts f JOIN documents d ON d.id = f.document_id
      WHERE documents_fts MATCH ${match} AND d.owner_person_id IN (${sql.join([...scope.owners])})
      ORDER BY f.rowid DESC LIMIT ${limit}`.execute(db);
    return r.rows.map((x) => ({ documentId: x.document_id, ownerPersonId: x.owner_person_id, snippet: x.snippet }));
  }
  // as on SQLite: a word of up to 8 letters may be the start of one, a longer one was typed whole (and a
  // whole word lets the index skip through its list instead of gathering every word it begins)
  const words = terms.map((t) => `${foldAccents(t).replace(/'/g, '')}${t.length <= 8 ? ':*' : ''}`).join(' & ');
  const level = levelToken(scope.level);
  // the level's kinds and vaults, as its token says them (`levelTokens`): the walk below reads columns
  const reach = COMPETENCE[scope.level];
  const docTypes = scope.docTypes.filter((t) => reach.categories.includes(CATEGORY_OF[t]));
  const vaultKinds = scope.vaults.filter((v) => reach.vaults.includes(v));
  if (docTypes.length === 0 || vaultKinds.length === 0) return [];
  const owners = [...scope.owners];
  type Row = { id: string; owner_person_id: string; updated_at: string };
  // A full-text index builds the whole set of a word's matches before giving one: for a word on every
  // payslip that is the cost of the search. So the newest papers of the scope are read first, a bounded
  // number: if enough of them match, those are the newest matches and the index is not asked at all.
  let rows = (
    await sql<Row>`
      SELECT id, owner_person_id, updated_at FROM (
        SELECT id, owner_person_id, updated_at, search FROM documents
        WHERE owner_person_id = ANY(${owners}) AND doc_type = ANY(${docTypes}) AND vault = ANY(${vaultKinds})
        ORDER BY updated_at DESC, id DESC LIMIT ${newestWalked}) AS newest
      WHERE search @@ to_tsquery('french', ${words})
      ORDER BY updated_at DESC, id DESC LIMIT ${limit}`.execute(db)
  ).rows;
  if (rows.length < limit) {
    // Rarer words: the index gives every match, sorted here; the level's token keeps the kinds it may not
    // see out of that set (a word found only on health papers costs nothing). Through the index: a table
    // scan, which the planner prefers when it expects many matches, would read every paper.
    rows = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const some = await sql<Row>`
        SELECT id, owner_person_id, updated_at FROM documents
        WHERE search @@ (to_tsquery('french', ${words}) && to_tsquery('simple', ${level}))
          AND owner_person_id = ANY(${owners}) AND doc_type = ANY(${docTypes}) AND vault = ANY(${vaultKinds})
        LIMIT ${SORT_IN_MEMORY + 1}`.execute(trx);
      return some.rows;
    });
    if (rows.length > SORT_IN_MEMORY) {
      // many matches, all older than the papers walked first: the planner walks on from the newest
      rows = (
        await sql<Row>`
          SELECT id, owner_person_id, updated_at FROM documents
          WHERE search @@ (to_tsquery('french', ${words}) && to_tsquery('simple', ${level}))
            AND owner_person_id = ANY(${owners}) AND doc_type = ANY(${docTypes}) AND vault = ANY(${vaultKinds})
          ORDER BY updated_at DESC, id DESC LIMIT ${limit}`.execute(db)
      ).rows;
    }
  }
  return [...rows]
    .sort((a, b) => (a.updated_at === b.updated_at ? (a.id < b.id ? 1 : -1) : a.updated_at < b.updated_at ? 1 : -1))
    .slice(0, limit)
    .map((x) => ({ documentId: x.id, ownerPersonId: x.owner_person_id, snippet: '' }));
}
