// The questionnaire's answers as a dated situation: the salaries of the 3 months before, one by one when
// the person gives them, and the usual amount for the rest of the year.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnswersSchema, situationFromAnswers } from './answers.ts';
import { estimate } from './engine.ts';
import { RulesSchema } from './rules.ts';
import { parseSituation } from './situation.ts';

const DIR = new URL('../../../assets/aids/rules/', import.meta.url);
const rules = RulesSchema.parse(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as unknown),
);

const answers = (salaries: number, salariesByMonth?: number[]) =>
  AnswersSchema.parse({
    residesInFrance: true,
    couple: false,
    adults: [{ age: 35, resources: { salaries }, ...(salariesByMonth ? { salariesByMonth } : {}) }],
    housing: { status: 'tenant', rent: 500 },
  });

describe('the salaries of the 3 months before', () => {
  it('go to their own months, the most recent first; the other months keep the usual amount', () => {
    const s = situationFromAnswers(answers(700, [900, 600, 300]), '2025-06');
    const income = s.adults[0]!.income as Record<string, { earnings: number }>;
    expect(income['2025-05']?.earnings).toBe(900);
    expect(income['2025-04']?.earnings).toBe(600);
    expect(income['2025-03']?.earnings).toBe(300);
    expect(income['2025-02']?.earnings).toBe(700);
    expect(income['2024-06']?.earnings).toBe(700);
    expect(income['2025-06']).toBeUndefined();
  });

  it('are taken month by month by the prime d’activité: below its forfait and its bonus, three months averaging 400 € give what 400 € each month gives', () => {
    // each month's prime is then linear in that month's pay (61 % of it), so only their sum counts
    const month = '2025-06';
    const varying = parseSituation(situationFromAnswers(answers(400, [500, 400, 300]), month));
    const steady = parseSituation(situationFromAnswers(answers(400), month));
    if (!varying.ok || !steady.ok) throw new Error('situation refused');
    const ppa = (e: ReturnType<typeof estimate>) => e.results.find((r) => r.aid === 'prime-activite')?.monthlyAmount ?? Number.NaN;
    // (to within a euro: each month is computed with its own scales and rounded to the cent)
    expect(Math.abs(ppa(estimate(varying.situation, rules)) - ppa(estimate(steady.situation, rules)))).toBeLessThan(1);
    // and it is not the usual amount that counts: three months of 1 500 € change it
    const more = parseSituation(situationFromAnswers(answers(400, [1500, 1500, 1500]), month));
    if (!more.ok) throw new Error('situation refused');
    expect(Math.abs(ppa(estimate(more.situation, rules)) - ppa(estimate(steady.situation, rules)))).toBeGreaterThan(20);
  });

  it('are refused in plain words when not three, or negative', () => {
    const bad = (v: unknown) => AnswersSchema.safeParse({ residesInFrance: true, couple: false, adults: [{ age: 35, resources: {}, salariesByMonth: v }], housing: { status: 'homeless' } });
    expect(bad([100, 200]).error?.issues[0]?.message).toBe('Il faut les salaires des 3 derniers mois.');
    expect(bad([100, -5, 0]).error?.issues[0]?.message).toBe('Salaire d’un mois : le montant ne peut pas être négatif.');
  });
});
