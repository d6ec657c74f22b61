// The questionnaire's answers as a dated situation: the salaries of the 3 months before, one by one when
// the person gives them, and the usual amount for the rest of the year.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnswersSchema, parseAnswers, situationFromAnswers, unknownCommune } from './answers.ts';
import { estimate } from './engine.ts';
import { RulesSchema } from './rules.ts';
import { parseSituation } from './situation.ts';
import { zonesApl } from './zones.ts';

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

describe('the commune of a tenant', () => {
  const zones = zonesApl(JSON.parse(readFileSync(new URL('../../../assets/aids/zones-apl.json', import.meta.url), 'utf8')) as unknown);
  const tenant = (housing: Record<string, unknown>) => ({ residesInFrance: true, couple: false, adults: [{ age: 35, resources: { salaries: 1000 } }], housing: { status: 'tenant', ...housing } });

  it('gives the housing aid its zone', () => {
    const parsed = parseAnswers(tenant({ rent: 400, commune: '31555' }), zones);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const s = parseSituation(situationFromAnswers(parsed.answers, '2024-06'));
    if (!s.ok) throw new Error(s.errors.join('\n'));
    expect(s.situation.housing).toMatchObject({ status: 'tenant', commune: '31555' });
    const al = estimate(s.situation, rules, zones).results.find((r) => r.aid === 'aides-logement');
    expect(al).toMatchObject({ eligible: true, beforeCrds: 117.45 });
  });

  it('is refused in plain French when it is no commune, or not a code', () => {
    expect(parseAnswers(tenant({ rent: 400, commune: '99999' }), zones)).toEqual({ ok: false, errors: [unknownCommune('99999')] });
    expect(unknownCommune('99999')).toBe('Commune : le code 99999 n’est pas une commune connue. Cherchez votre commune par son nom ou son code postal.');
    const notCode = parseAnswers(tenant({ rent: 400, commune: 'Toulouse' }), zones);
    expect(notCode.ok).toBe(false);
    if (!notCode.ok) expect(notCode.errors.join(' ')).toContain('Commune : le code INSEE a 5 caractères, par exemple 31555 pour Toulouse (ce n’est pas le code postal).');
  });

  it('refuses a negative rent', () => {
    const r = parseAnswers(tenant({ rent: -10, commune: '31555' }), zones);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' ')).toContain('Loyer : le montant ne peut pas être négatif.');
  });

  it('in social housing, with the landlord’s réduction de loyer de solidarité, lowers the APL by 98 % of it', () => {
    const al = (housing: Record<string, unknown>) => {
      const parsed = parseAnswers(tenant({ rent: 400, commune: '31555', ...housing }), zones);
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const s = parseSituation(situationFromAnswers(parsed.answers, '2024-06'));
      if (!s.ok) throw new Error(s.errors.join('\n'));
      return estimate(s.situation, rules, zones).results.find((r) => r.aid === 'aides-logement')?.beforeCrds ?? Number.NaN;
    };
    expect(al({ rentReduction: 40 })).toBeCloseTo(al({}) - 0.98 * 40, 2);
    const bad = parseAnswers(tenant({ rent: 400, rentReduction: -1 }), zones);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join(' ')).toContain('Réduction de loyer de solidarité : le montant ne peut pas être négatif.');
  });

  it('is optional: without it the housing aid says « on ne sait pas »', () => {
    const parsed = parseAnswers(tenant({ rent: 400 }), zones);
    expect(parsed.ok).toBe(true);
  });
});
