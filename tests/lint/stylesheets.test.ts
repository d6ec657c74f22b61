/**
 * Our stylesheets use no CSS nesting: a rule left open (a missing « } ») is read by browsers as nesting
 * every rule after it, and those rules then match nothing — the page breaks silently, no build fails.
 * So a rule may open only at the top level or inside an at-rule (@media, @supports, @keyframes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const SHEETS = ['kiosk/renderer/src/styles.css', 'sync-server/src/edge/console/console.css'];

/** Where a rule opens inside another rule, or a brace is left open or closed once too often. */
function nestingProblems(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, (s) => s.replace(/[{}]/g, ' '));
  const problems: string[] = [];
  const stack: { atRule: boolean; line: number }[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      const prelude = text.slice(start, i).trim();
      const line = text.slice(0, i).split('\n').length;
      const atRule = prelude.startsWith('@');
      const parent = stack.at(-1);
      if (parent && !parent.atRule) problems.push(`line ${line}: « ${prelude.split('\n').at(-1)} » opens inside the rule of line ${parent.line}`);
      stack.push({ atRule, line });
      start = i + 1;
    } else if (ch === '}') {
      if (!stack.pop()) problems.push(`line ${text.slice(0, i).split('\n').length}: a « } » closes nothing`);
      start = i + 1;
    } else if (ch === ';') {
      start = i + 1;
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: a « { » is never closed`);
  return problems;
}

describe('stylesheets', () => {
  it.each(SHEETS)('%s: no rule inside another, every brace closed', (sheet) => {
    expect(nestingProblems(readFileSync(join(root, sheet), 'utf8'))).toEqual([]);
  });

  it('finds a rule left open, a stray brace, and lets @media, comments and strings through', () => {
    expect(nestingProblems('.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n')).toEqual(['line 4: « .b » opens inside the rule of line 1', 'line 1: a « { » is never closed']);
    expect(nestingProblems('.a { color: red; } }')).toEqual(['line 1: a « } » closes nothing']);
    expect(nestingProblems('@media (max-width: 600px) {\n  .a { color: red; }\n}\n/* { */ .b::after { content: "{"; }')).toEqual([]);
  });
});
