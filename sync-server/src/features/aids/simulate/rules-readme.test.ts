// assets/aids/rules/README.md shows each rules file as a table a non-programmer can read; this regenerates
// the tables from the files and fails when the README says something else, so the two cannot drift.
// UPDATE_RULES_README=1 rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesTable } from '../../../../protocol/estimate/rules-table.ts';
import { DEFAULT_RULES_DIR, loadRules } from './rules.ts';

const README = join(DEFAULT_RULES_DIR, 'README.md');

function withTables(text: string): string {
  let out = text;
  for (const file of loadRules().files) {
    const open = `<!-- table:${file.domain} -->`;
    const close = `<!-- /table:${file.domain} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} block`);
    const block = `${open}\n## ${file.title}\n\n${rulesTable(file)}\n${file.notes?.length ? `\n${file.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}${close}`;
    out = out.slice(0, start) + block + out.slice(end + close.length);
  }
  return out;
}

describe('assets/aids/rules/README.md', () => {
  it('shows every rules file as it is', () => {
    const text = readFileSync(README, 'utf8');
    const expected = withTables(text);
    if (process.env['UPDATE_RULES_README'] === '1') writeFileSync(README, expected);
    else expect(text).toBe(expected);
  });

  it('would see a figure changed in a file', () => {
    const text = withTables(readFileSync(README, 'utf8'));
    expect(text).toContain('646,52 € par mois');
    expect(text.replace('646,52 € par mois', '646,53 € par mois')).not.toBe(text);
  });
});
