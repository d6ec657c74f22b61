// The bourse de lycée worked out by hand from assets/aids/rules/bourse-lycee.json, at the ceilings the
// ministry published for a rentrée (so a wrong SMIC of reference or a wrong rounding shows at once).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAnswers, situationFromAnswers, type AnswersInput, AnswersSchema } from './answers.ts';
import { estimate, estimateBourseLycee, type AidResult } from './engine.ts';
import { RulesSchema, type Rules } from './rules.ts';
import { parseSituation, type Situation } from './situation.ts';

const DIR = new URL('../../../assets/aids/rules/', import.meta.url);
const rules: Rules = RulesSchema.parse(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as unknown),
);

type Child = { age: number; schooling?: 'college' | 'lycee' | 'primaire' };

function household(month: string, children: Child[], referenceTaxIncome?: number, couple = true): Situation {
  const answers: AnswersInput = {
    residesInFrance: true,
    couple,
    adults: couple ? [{ age: 45, resources: { salaries: 1500 } }, { age: 44, resources: {} }] : [{ age: 45, resources: { salaries: 1500 } }],
    children,
    housing: { status: 'tenant', rent: 600 },
    ...(referenceTaxIncome === undefined ? {} : { referenceTaxIncome }),
  };
  const r = parseSituation(situationFromAnswers(AnswersSchema.parse(answers), month));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.situation;
}

const bourse = (s: Situation): AidResult => estimateBourseLycee(s, rules);

describe('bourse de lycée', () => {
  it('rentrée 2024: one child, the published ceiling of échelon 1 (21 370 €) is still in, one euro more is out', () => {
    // 1 855 × 11,52 (SMIC of 1 July 2023) = 21 369,6 → 21 370 ; 106,42 % × 445,93 (BMAF of 1 January 2024) = 474,56 → 3 × 158 = 474
    const at = bourse(household('2024-10', [{ age: 16, schooling: 'lycee' }], 21_370));
    expect(at).toMatchObject({ aid: 'bourse-lycee', eligible: true, monthlyAmount: null, yearlyAmount: 474 });
    expect(at.explanation[0]).toBe('Bourse de lycée pour l’année scolaire 2024-2025.');
    expect(at.scales).toContainEqual(expect.objectContaining({ id: 'bourse-lycee.smic-reference', value: 11.52, from: '2024-09-01' }));
    expect(at.scales).toContainEqual(expect.objectContaining({ id: 'bmaf', value: 445.93, from: '2023-04-01' }));
    expect(bourse(household('2024-10', [{ age: 16, schooling: 'lycee' }], 21_371))).toMatchObject({ eligible: false, yearlyAmount: 0 });
  });

  it('from January to August, the coming rentrée with the tax notice of the year before it (rentrée 2023, revenus 2021)', () => {
    // three children: 2 282,9 × 10,85 (SMIC of 1 July 2022) = 24 769,5 → 24 769, published for 2023-2024
    const s = household('2023-06', [{ age: 17, schooling: 'lycee' }, { age: 12, schooling: 'college' }, { age: 8, schooling: 'primaire' }], 24_769);
    expect(s.referenceTaxIncome).toEqual({ '2021': 24_769 });
    // 106,42 % × 439,17 (BMAF of 1 January 2023) = 467,37 → 3 × 156 = 468
    expect(bourse(s)).toMatchObject({ eligible: true, yearlyAmount: 468 });
  });

  it('the highest échelon the income allows, per child at lycée (rentrée 2022, échelon 6 at the published 2 504 €)', () => {
    // 244,3 × 10,25 = 2 504,1 → 2 504 ; 225,84 % × 414,81 (BMAF of 1 January 2022) = 936,81 → 3 × 312 = 936, twice
    const two = bourse(household('2022-09', [{ age: 17, schooling: 'lycee' }, { age: 15, schooling: 'lycee' }], 2_504, false));
    // two children: échelon 6 is 291,9 × 10,25 = 2 992 ; 2 504 is under it
    expect(two).toMatchObject({ eligible: true, yearlyAmount: 936 * 2 });
    expect(two.explanation.join(' ')).toContain('Échelon 6');
  });

  it('takes the column of 8 children for more than 8', () => {
    const many = Array.from({ length: 9 }, (_, i): Child => ({ age: 5 + i, ...(i === 8 ? { schooling: 'lycee' as const } : { schooling: 'primaire' as const }) }));
    // 4 280,7 × 11,65 (rentrée 2025) = 49 870,2 → 49 870 ; 106,42 % × 466,44 = 496,39 → 3 × 165 = 495
    expect(bourse(household('2025-10', many, 49_870))).toMatchObject({ eligible: true, yearlyAmount: 495 });
    expect(bourse(household('2025-10', many, 49_871))).toMatchObject({ eligible: false });
  });

  it('says what is missing rather than guess: which child is at lycée, then the revenu fiscal de référence', () => {
    const untold = bourse(household('2025-03', [{ age: 16 }], 15_000));
    expect(untold).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    expect(untold.yearlyAmount).toBeUndefined();
    expect(untold.explanation.join(' ')).toContain('nous ne pouvons pas l’estimer ici');
    const noTax = bourse(household('2025-03', [{ age: 16, schooling: 'lycee' }]));
    expect(noTax).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    expect(noTax.explanation.join(' ')).toContain('revenu fiscal de référence de 2023');
    expect(bourse(household('2025-03', [{ age: 13, schooling: 'college' }], 5_000))).toMatchObject({ eligible: false, yearlyAmount: 0 });
  });

  it('is among the aids every estimate answers', () => {
    const e = estimate(household('2025-06', [{ age: 16, schooling: 'lycee' }], 10_000), rules);
    // 10 000 for one child: under échelon 4 (1 005,8 × 11,65 = 11 718), over échelon 5 (7 282) → 177,91 % × 466,44 = 829,84 → 3 × 277 = 831
    expect(e.results.find((r) => r.aid === 'bourse-lycee')).toMatchObject({ eligible: true, yearlyAmount: 831 });
  });
});

describe('the questionnaire asks where a child studies', () => {
  it('accepts it, optional, and refuses an unknown value in French', () => {
    expect(parseAnswers({ residesInFrance: true, couple: false, adults: [{ age: 40, resources: {} }], children: [{ age: 16, schooling: 'lycee' }], housing: { status: 'homeless' } }).ok).toBe(true);
    const bad = parseAnswers({ residesInFrance: true, couple: false, adults: [{ age: 40, resources: {} }], children: [{ age: 16, schooling: 'lycée général' }], housing: { status: 'homeless' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^enfant n° 1 › scolarité : Scolarité de l’enfant/);
  });
});
