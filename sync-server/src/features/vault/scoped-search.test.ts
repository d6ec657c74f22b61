/**
 * Search across several vaults within a scope (an agent's caseload, the kinds of paper and the vaults
 * their level and procurations allow), on SQLite FTS5 and PostgreSQL: nothing outside the scope is
 * found, whatever the words; newest first; a scope too wide is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocType } from '../../../protocol/common.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest, MIGRATIONS } from '../../kernel/storage/migrate.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { sql } from 'kysely';
import { foldAccents, indexDocument, MAX_SCOPE_OWNERS, ownerToken, scopeTokens, searchBody, searchScoped } from './vault-index.ts';
import { SCOPE_TOKENS_SQL } from '../../kernel/storage/migrations/0019_search_scope_tokens.ts';

const ALL: DocType[] = ['rib', 'identity-card', 'payslip', 'tax-notice', 'health-insurance', 'proof-of-address', 'caf-certificate', 'passport', 'residence-permit', 'other'];

describe.each(DIALECTS)('scoped search (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let db: Kysely<Database>;
  const people = { camille: randomUUID(), yanis: randomUUID(), other: randomUUID() };
  let minute = 0;

  async function paper(owner: string, docType: DocType, text: string, vault: 'personal' | 'institutional' = 'personal'): Promise<string> {
    const id = randomUUID();
    // one minute apart: « newest first » is then the order they were put in
    const at = new Date(Date.UTC(2026, 0, 1, 10, minute++)).toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('documents')
        .values({ id, owner_person_id: owner, vault, doc_type: docType, institution_id: null, current_version: 1, title: text, issued_on: null, expires_on: null, created_at: at, updated_at: at })
        .execute();
      await indexDocument(trx, dialect, { id, ownerPersonId: owner, vault, docType, title: text, fields: {}, ocrText: text });
    });
    return id;
  }

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    db = storage.db;
    await migrateToLatest(db, dialect);
    const now = new Date().toISOString();
    for (const [name, id] of Object.entries(people)) {
      await db.insertInto('persons').values({ id, identifier: `FAC-${name.slice(0, 4).toUpperCase()}-0000-0000`, first_name: name, last_name: 'Test', birth_date: '1990-01-01', role: 'beneficiary', created_at: now }).execute();
    }
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });

  it('finds only within the owners, kinds and vaults of the scope; newest first', async () => {
    const camilleRib = await paper(people.camille, 'rib', 'Banque Populaire IBAN FR76 titulaire Camille');
    const camilleHealth = await paper(people.camille, 'health-insurance', 'Assurance maladie attestation banque de sang');
    const yanisRib = await paper(people.yanis, 'rib', 'Banque Postale IBAN FR76 titulaire Yanis');
    const yanisTax = await paper(people.yanis, 'tax-notice', 'Avis impot banque revenus 2025', 'institutional');
    await paper(people.other, 'rib', 'Banque de France IBAN FR76 titulaire Autre');

    const everything = { level: 'travail-social' as const, owners: [people.camille, people.yanis], docTypes: ALL, vaults: ['personal', 'institutional'] as const };
    const hits = await searchScoped(db, dialect, everything, 'banque');
    expect(hits.map((h) => h.documentId)).toEqual([yanisTax, yanisRib, camilleHealth, camilleRib]);
    expect(hits.find((h) => h.documentId === yanisRib)?.ownerPersonId).toBe(people.yanis);

    // a procuration without health papers, nor the institutional vault
    const narrow = { level: 'travail-social' as const, owners: [people.camille, people.yanis], docTypes: ALL.filter((t) => t !== 'health-insurance'), vaults: ['personal'] as const };
    expect((await searchScoped(db, dialect, narrow, 'banque')).map((h) => h.documentId)).toEqual([yanisRib, camilleRib]);
    // the level « accueil » sees neither, nor bank details, whatever the kinds asked
    expect((await searchScoped(db, dialect, { ...everything, level: 'accueil' }, 'banque')).map((h) => h.documentId)).toEqual([]);
    expect((await searchScoped(db, dialect, { ...everything, level: 'accompagnement' }, 'banque')).map((h) => h.documentId)).toEqual([yanisTax, yanisRib, camilleRib]);
    // one person of the caseload, a prefix, accents folded
    expect((await searchScoped(db, dialect, { ...everything, owners: [people.camille] }, 'attest')).map((h) => h.documentId)).toEqual([camilleHealth]);
    expect((await searchScoped(db, dialect, { ...everything, owners: [people.camille] }, 'BANQUE populaire')).map((h) => h.documentId)).toEqual([camilleRib]);
  });

  it('with more matches than asked, the newest within the scope, whether they are among the newest papers or older', async () => {
    const owners = [people.yanis, people.other];
    const scope = { level: 'accompagnement' as const, owners: [people.yanis], docTypes: ALL, vaults: ['personal'] as const };
    const old1 = await paper(people.yanis, 'payslip', 'Bulletin de paie échéancier janvier');
    const old2 = await paper(people.yanis, 'rib', 'Relevé échéancier février');
    for (let i = 0; i < 4; i++) await paper(people.yanis, 'proof-of-address', `Facture électricité ${i}`);
    const new1 = await paper(people.yanis, 'payslip', 'Echeancier mars');
    const new2 = await paper(people.yanis, 'caf-certificate', 'Échéancier avril');
    // newer matches still, outside the scope: a health paper (not for this level), the institutional vault, another person
    await paper(people.yanis, 'health-insurance', 'Assurance maladie échéancier');
    await paper(people.yanis, 'tax-notice', 'Échéancier impôt', 'institutional');
    const others = await paper(people.other, 'payslip', 'Échéancier autre personne');
    const ids = async (limit: number, walked?: number) => (await searchScoped(db, dialect, scope, 'echeancier', limit, walked)).map((h) => h.documentId);
    // the two newest matches are among the newest papers of the scope
    expect(await ids(2)).toEqual([new2, new1]);
    expect(await ids(2, 3)).toEqual([new2, new1]);
    // more asked than the newest papers read hold: the index gives the older ones too, in order
    expect(await ids(4, 3)).toEqual([new2, new1, old2, old1]);
    expect(await ids(3, 1)).toEqual([new2, new1, old2]);
    expect(await ids(20)).toEqual([new2, new1, old2, old1]);
    // widening to the other person finds theirs, in its place
    expect((await searchScoped(db, dialect, { ...scope, owners }, 'echeancier', 3, 2)).map((h) => h.documentId)).toEqual([others, new2, new1]);
  });

  it('finds nothing with an empty scope or no words; refuses a scope wider than a caseload', async () => {
    const base = { level: 'travail-social' as const, owners: [people.camille], docTypes: ALL, vaults: ['personal'] as const };
    expect(await searchScoped(db, dialect, { ...base, owners: [] }, 'banque')).toEqual([]);
    expect(await searchScoped(db, dialect, { ...base, docTypes: [] }, 'banque')).toEqual([]);
    expect(await searchScoped(db, dialect, { ...base, vaults: [] }, 'banque')).toEqual([]);
    expect(await searchScoped(db, dialect, base, ' ;; ')).toEqual([]);
    // words that would be operators to the engines are just words
    expect(await searchScoped(db, dialect, base, 'owner: OR * " NEAR')).toEqual([]);
    const tooMany = Array.from({ length: MAX_SCOPE_OWNERS + 1 }, () => randomUUID());
    await expect(searchScoped(db, dialect, { ...base, owners: tooMany }, 'banque')).rejects.toThrow(RangeError);
  });
});

describe.each(DIALECTS)('papers indexed before the scope tokens (%s)', (dialect) => {
  it('are found within a scope once the migration has run, and only within it', async () => {
    const env = await freshEnv(dialect, false);
    const storage = openDatabase(env.config.database);
    const db = storage.db;
    try {
      const until = MIGRATIONS.findIndex((m) => m.name === '0019_search_scope_tokens');
      for (const m of MIGRATIONS.slice(0, until)) await m.up(db as unknown as Kysely<unknown>, dialect);
      const person = randomUUID();
      const id = randomUUID();
      const at = new Date().toISOString();
      await db.insertInto('persons').values({ id: person, identifier: 'FAC-OLDS-0000-0000', first_name: 'Ancien', last_name: 'Index', birth_date: '1990-01-01', role: 'beneficiary', created_at: at }).execute();
      await db.insertInto('documents').values({ id, owner_person_id: person, vault: 'personal', doc_type: 'rib', institution_id: null, current_version: 1, title: 'RIB', issued_on: null, expires_on: null, created_at: at, updated_at: at }).execute();
      const body = searchBody({ id, ownerPersonId: person, vault: 'personal', docType: 'rib', title: 'RIB', fields: {}, ocrText: 'Banque Populaire IBAN FR76' });
      // the index entry as the deposits of before wrote it
      if (dialect === 'sqlite') await sql`INSERT INTO documents_fts (document_id, owner, body) VALUES (${id}, ${ownerToken(person)}, ${body})`.execute(db);
      else await sql`UPDATE documents SET search = to_tsvector('french', ${foldAccents(body)}) WHERE id = ${id}`.execute(db);
      const scope = { level: 'travail-social' as const, owners: [person], docTypes: ['rib'] as DocType[], vaults: ['personal'] as const };
      expect(await searchScoped(db, dialect, scope, 'banque')).toEqual([]);
      await MIGRATIONS[until]!.up(db as unknown as Kysely<unknown>, dialect);
      expect((await searchScoped(db, dialect, scope, 'banque')).map((h) => h.documentId)).toEqual([id]);
      expect(await searchScoped(db, dialect, { ...scope, docTypes: ['payslip'] }, 'banque')).toEqual([]);
      expect(await searchScoped(db, dialect, { ...scope, vaults: ['institutional'] }, 'banque')).toEqual([]);
    } finally {
      await db.destroy();
      await env.cleanup();
    }
  });
});

describe('the scope tokens written out in the migration', () => {
  it('are the ones the index writes today, for every kind of paper in either vault', async () => {
    const env = await freshEnv('sqlite', false);
    const storage = openDatabase(env.config.database);
    try {
      for (const docType of ALL) {
        for (const vault of ['personal', 'institutional'] as const) {
          const r = await sql<{ t: string }>`SELECT ${SCOPE_TOKENS_SQL} AS t FROM (SELECT ${docType} AS doc_type, ${vault} AS vault)`.execute(storage.db);
          expect(r.rows[0]?.t, `${docType} ${vault}`).toBe(scopeTokens({ docType, vault }));
        }
      }
    } finally {
      await storage.db.destroy();
      await env.cleanup();
    }
  });
});
