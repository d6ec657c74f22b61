/**
 * An agent's search across their caseload (DESIGN.md §8: p95 ≤ 50 ms over 1,000 people × 300 papers).
 * The database holds 300,000 papers of 1,000 people (the vault bench's kinds, a tenth in the
 * institutional vault), indexed as deposits index them. Each of the 1,000 gave the agent (level
 * `accompagnement`) a procuration signed as the cards sign them, to look at every kind of paper but health
 * ones. Two rows per engine:
 *  - the whole search as the agent's kiosk asks it (`searchCaseload`): the caseload read, the index asked
 *    per reach, each person shown checked again on their procuration (signatures, cards, dates), the policy
 *    on each paper, and one journal line on each person's side;
 *  - the index query alone (`searchScoped`), for comparison.
 * Common words (in every vault), rarer ones and words found nowhere. SQLite FTS5 always; PostgreSQL when
 * its binaries are installed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { CATEGORY_OF, COMPETENCE } from '../sync-server/protocol/agents.ts';
import type { PaperCategory } from '../sync-server/protocol/agents.ts';
import type { DocType } from '../sync-server/protocol/common.ts';
import { randomIdentifier } from '../sync-server/protocol/identifier.ts';
import { loadCatalogue } from '../sync-server/src/features/aids/index.ts';
import { initCa } from '../sync-server/src/features/cards/index.ts';
import { storeProcuration } from '../sync-server/src/features/procurations/index.ts';
import { searchCaseload, searchScoped } from '../sync-server/src/features/vault/index.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import type { Dialect } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import { addPerson, certify } from '../sync-server/test-support/test-cards.ts';
import { agentSession, procurationText, signProcuration, TEST_STRUCTURE } from '../sync-server/test-support/test-procurations.ts';
import { onBothEngines } from './sync.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';
import { cardSerial, fill, LAST } from './vault.ts';

const PEOPLE = 1_000;
const PAPERS = 300;
const QUERIES = ['banque', 'salaire net', 'allocataire 1000', 'impot 2025', 'martin', 'quittance loyer', 'assurance maladie', 'zzzz'];
const KIOSK = 'bench-kiosk';

async function benchDialect(dialect: Dialect, database: Parameters<typeof openDatabase>[0], runs: number): Promise<BenchResult[]> {
  const s = openDatabase(database);
  const caDir = mkdtempSync(join(tmpdir(), 'fac-bench-ca-'));
  try {
    await migrateToLatest(s.db, s.dialect);
    const t0 = performance.now();
    const owners = await fill(s.db, s.dialect, PEOPLE, PAPERS);
    const fillS = (performance.now() - t0) / 1000;

    // each of them gave the agent a procuration, signed by both cards, stored as the kiosk has it stored
    const t1 = performance.now();
    const ca = await initCa(caDir);
    const catalogue = await loadCatalogue();
    const agent = await addPerson(s.db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre', level: 'accompagnement' });
    const agentCard = await certify(ca, agent);
    const categories: PaperCategory[] = COMPETENCE.accompagnement.categories.filter((c) => c !== 'health');
    const identifiers = await s.db.selectFrom('persons').select(['id', 'identifier', 'first_name', 'last_name']).where('id', 'in', owners).execute();
    const byId = new Map(identifiers.map((r) => [r.id, r]));
    for (const [q, personId] of owners.entries()) {
      const row = byId.get(personId)!;
      // the vault bench's identifiers are only labels: a certificate needs a real one (with its check character)
      const identifier = randomIdentifier((n) => new Uint8Array(randomBytes(n)));
      await s.db.updateTable('persons').set({ identifier }).where('id', '=', personId).execute();
      const person = { id: personId, identifier, card: cardSerial(q), firstName: row.first_name, lastName: row.last_name ?? LAST[0]!, role: 'beneficiary' as const };
      const text = procurationText(person, agent, KIOSK, { scope: { aids: ['*'], categories, actions: ['consult'] } });
      const r = await storeProcuration(
        { db: s.db, dialect: s.dialect, ca: () => ca, catalogue, structureOf: async () => ({ ...TEST_STRUCTURE }) },
        signProcuration(text, await certify(ca, person), agentCard),
        { kioskId: KIOSK, personId, agentPersonId: agent.id },
      );
      if (!r.ok) throw new Error(`procuration not stored: ${r.error.message}`);
    }
    const procurationsS = (performance.now() - t1) / 1000;
    if (dialect === 'postgres') await sql`ANALYZE`.execute(s.db);

    const session = agentSession(agent, KIOSK);
    const deps = { db: s.db, dialect: s.dialect, ca: () => ca };
    const docTypes = (Object.keys(CATEGORY_OF) as DocType[]).filter((t) => categories.includes(CATEGORY_OF[t]));
    const scope = { level: 'accompagnement' as const, owners, docTypes, vaults: COMPETENCE.accompagnement.vaults };
    const whole: number[] = [];
    const index: number[] = [];
    let found = 0;
    let people = 0;
    for (let r = 0; r < runs + 1; r++) {
      for (const q of QUERIES) {
        let t = performance.now();
        const hits = await searchCaseload(deps, session, q);
        // the first round warms the caches (and checks each procuration's signatures once, as a server does)
        if (r > 0) whole.push(performance.now() - t);
        found += hits.length;
        people += new Set(hits.map((h) => h.procurationId)).size;
        t = performance.now();
        await searchScoped(s.db, s.dialect, scope, q);
        if (r > 0) index.push(performance.now() - t);
      }
    }
    const engine = dialect === 'sqlite' ? 'SQLite FTS5' : 'PostgreSQL tsvector';
    const words = QUERIES.map((q) => `"${q}"`).join(', ');
    return [
      summarize(`agent search, caseload of ${PEOPLE} people × ${PAPERS} papers, whole (${engine})`, whole, {
        budget: { p95: 50, text: 'p95 ≤ 50 ms across 1,000 people × 300 papers' },
        notes: [
          `${whole.length} searches (${words}) by an accompagnement agent holding ${PEOPLE} procurations (every category but health): caseload read, index per reach, each person shown checked again on their procuration, one journal line on each; ${found} hits from ${people} person-searches in all (20 at most each)`,
          `${PEOPLE * PAPERS} papers indexed in ${fillS.toFixed(0)} s; ${PEOPLE} procurations signed and stored in ${procurationsS.toFixed(0)} s`,
        ],
      }),
      summarize(`agent search, caseload of ${PEOPLE} people × ${PAPERS} papers, index query alone (${engine})`, index, {
        notes: ['the same searches, the scoped index query only (no procuration check, no journal)'],
      }),
    ];
  } finally {
    await s.db.destroy();
    rmSync(caDir, { recursive: true, force: true });
  }
}

export async function benchAgents(runs = 10): Promise<BenchResult[]> {
  return (await onBothEngines('agents', (dialect, database) => benchDialect(dialect, database, runs))).flat();
}
