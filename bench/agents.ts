/**
 * An agent's search across their caseload (DESIGN.md §8: p95 ≤ 50 ms over 1,000 people × 300 papers).
 * The database holds 300,000 papers of 1,000 people (the vault bench's kinds, a tenth in the
 * institutional vault), indexed as deposits index them; the agent's caseload is all of them, and their
 * scope is what the `accompagnement` level opens (every category but health, both vaults). Each search
 * runs the scoped index query (`searchScoped`) with common words (in every vault), rarer ones and words
 * found nowhere. SQLite FTS5 always; PostgreSQL when its binaries are installed.
 */
import { sql } from 'kysely';
import { CATEGORY_OF, COMPETENCE } from '../sync-server/protocol/agents.ts';
import type { DocType } from '../sync-server/protocol/common.ts';
import { searchScoped } from '../sync-server/src/features/vault/index.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import type { Dialect } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import { onBothEngines } from './sync.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';
import { fill } from './vault.ts';

const PEOPLE = 1_000;
const PAPERS = 300;
const QUERIES = ['banque', 'salaire net', 'allocataire 1000', 'impot 2025', 'martin', 'quittance loyer', 'assurance maladie', 'zzzz'];

async function benchDialect(dialect: Dialect, database: Parameters<typeof openDatabase>[0], runs: number): Promise<BenchResult> {
  const s = openDatabase(database);
  try {
    await migrateToLatest(s.db, s.dialect);
    const t0 = performance.now();
    const owners = await fill(s.db, s.dialect, PEOPLE, PAPERS);
    if (dialect === 'postgres') await sql`ANALYZE`.execute(s.db);
    const fillS = (performance.now() - t0) / 1000;
    const level = COMPETENCE.accompagnement;
    const docTypes = (Object.keys(CATEGORY_OF) as DocType[]).filter((t) => level.categories.includes(CATEGORY_OF[t]));
    const scope = { level: 'accompagnement' as const, owners, docTypes, vaults: level.vaults };
    const samples: number[] = [];
    let found = 0;
    for (let r = 0; r < runs + 1; r++) {
      for (const q of QUERIES) {
        const t = performance.now();
        const hits = await searchScoped(s.db, s.dialect, scope, q);
        // the first round warms the caches
        if (r > 0) samples.push(performance.now() - t);
        found += hits.length;
      }
    }
    return summarize(`agent search, caseload of ${PEOPLE} people × ${PAPERS} papers (${dialect === 'sqlite' ? 'SQLite FTS5' : 'PostgreSQL tsvector'})`, samples, {
      budget: { p95: 50, text: 'p95 ≤ 50 ms across 1,000 people × 300 papers' },
      notes: [
        `${samples.length} searches over the whole caseload within the accompagnement level (no health papers, both vaults): ${QUERIES.map((q) => `"${q}"`).join(', ')}; ${found} hits in all (20 at most each)`,
        `${PEOPLE * PAPERS} papers indexed in ${fillS.toFixed(0)} s`,
      ],
    });
  } finally {
    await s.db.destroy();
  }
}

export async function benchAgents(runs = 10): Promise<BenchResult[]> {
  return onBothEngines('agents', (dialect, database) => benchDialect(dialect, database, runs));
}
