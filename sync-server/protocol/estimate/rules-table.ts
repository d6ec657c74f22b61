// The rules of one file as a plain-French table a non-programmer can read and check against the texts:
// one row per value, with the day it starts and the text that sets it. assets/aids/rules/README.md holds
// these tables; a test regenerates them and fails when the README differs, so the two cannot drift.
import { dateFr, euros } from '../format.ts';
import type { RuleFile } from './rules.ts';

const number = (n: number): string => String(Math.round(n * 100_000) / 100_000).replace('.', ',');

function valueFr(value: number | null, unit: string): string {
  if (value === null) return 'ne s’applique plus';
  switch (unit) {
    case 'taux':
      return `${number(value * 100)} %`;
    case 'euros':
      return euros(value);
    case 'euros par mois':
      return `${euros(value)} par mois`;
    case 'euros par an':
      return `${euros(value)} par an`;
    case 'pour cent':
      return `${number(value)} %`;
    case 'date':
      return 'début';
    default:
      return `${number(value)} ${unit}`;
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown table of a rules file (no trailing newline). */
export function rulesTable(file: RuleFile): string {
  const rows = ['| chiffre | à partir du | valeur | texte |', '|---|---|---:|---|'];
  for (const fig of file.figures) {
    fig.values.forEach((v, i) => {
      const source = v.href ? `[${cell(v.source)}](${v.href})` : cell(v.source);
      rows.push(`| ${i === 0 ? `${cell(fig.label)} (\`${fig.id}\`)` : '″'} | ${dateFr(v.from)} | ${valueFr(v.value, fig.unit)} | ${source} |`);
    });
  }
  return rows.join('\n');
}
