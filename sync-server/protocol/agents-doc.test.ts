/**
 * docs/agents.md shows the competence matrix as a table; this test writes that table from COMPETENCE
 * and requires the document to hold exactly it, so the words people review and the data the access
 * policy decides on cannot drift apart. When the data changes on purpose, paste the table this test
 * prints into the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentAction, COMPETENCE, CompetenceLevel, PaperCategory } from './agents.ts';
import type { VaultKindName } from './agents.ts';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'agents.md');
const START = '<!-- matrix:start (generated from sync-server/protocol/agents.ts; checked by agents-doc.test.ts) -->';
const END = '<!-- matrix:end -->';
const VAULTS: readonly VaultKindName[] = ['personal', 'institutional'];

/** The table: one row per level and vault, one column per category; a cell lists the acts allowed there. */
function matrixTable(): string {
  const head = `| level | vault | ${PaperCategory.options.join(' | ')} |`;
  const rule = `|${'---|'.repeat(2 + PaperCategory.options.length)}`;
  const rows = CompetenceLevel.options.flatMap((level) =>
    VAULTS.map((vault) => {
      const c = COMPETENCE[level];
      const cells = PaperCategory.options.map((category) => {
        if (!c.vaults.includes(vault) || !c.categories.includes(category)) return '—';
        // nobody scans into the institutional vault: it holds what institutions issued (the access policy)
        const acts = AgentAction.options.filter((a) => c.actions.includes(a) && !(vault === 'institutional' && a === 'scan-for'));
        return acts.length ? acts.join(', ') : '—';
      });
      return `| ${level} | ${vault} | ${cells.join(' | ')} |`;
    }),
  );
  return [head, rule, ...rows].join('\n');
}

describe('docs/agents.md', () => {
  it('shows the competence matrix exactly as protocol/agents.ts defines it', () => {
    const text = readFileSync(DOC, 'utf8');
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    expect(a, `${DOC} has no ${START}`).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const inDoc = text.slice(a + START.length, b).trim();
    expect(inDoc, `the table in docs/agents.md should be:\n\n${matrixTable()}\n`).toBe(matrixTable());
  });
});
