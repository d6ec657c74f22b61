// Cases worked out by hand from the figures of assets/aids/rules (the OpenFisca-based reference cases are
// scored apart, in tests/reference/aids/estimate.test.ts). Amounts are checked to the cent.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { situationFromAnswers, type AnswersInput, AnswersSchema } from './answers.ts';
import { estimate, EstimateError, euros, householdCoefficient, type AidId, type AidResult, type Estimate } from './engine.ts';
import { addMonths, monthsBefore, RulesSchema, type Rules } from './rules.ts';
import { LAST_ESTIMATE_MONTH, parseSituation, type Situation, type SituationInput } from './situation.ts';
import { zonesApl } from './zones.ts';

const DIR = new URL('../../../assets/aids/rules/', import.meta.url);
const rules: Rules = RulesSchema.parse(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as unknown),
);

function situation(input: SituationInput): Situation {
  const r = parseSituation(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.situation;
}

/** A dated situation from the questionnaire's flat answers: the same incomes every month. */
const flat = (month: string, answers: AnswersInput): Situation => situation(situationFromAnswers(AnswersSchema.parse(answers), month));
const alone = (age: number, salaries = 0, extra: Partial<{ disabilityRate: number }> = {}) => ({ age, ...extra, resources: { salaries } });

function aid(e: Estimate, id: AidId): AidResult {
  const found = e.results.find((r) => r.aid === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

describe('rules', () => {
  it('hold every figure the engine reads, each value dated and sourced, and know up to the month the situation accepts', () => {
    expect(rules.lastMonth).toBe(LAST_ESTIMATE_MONTH);
    for (const fig of rules.figures.values()) for (const v of fig.values) expect(v.source.length).toBeGreaterThan(10);
  });

  it('refuse a file without a figure the engine needs, or with values out of order', () => {
    const files = rules.files.map((f) => ({ ...f, figures: f.figures.filter((g) => g.id !== 'rsa.montant-forfaitaire') }));
    expect(() => RulesSchema.parse(files)).toThrow(/rsa\.montant-forfaitaire/);
    const swapped = rules.files.map((f) => ({ ...f, figures: f.figures.map((g) => (g.id === 'aah.montant' ? { ...g, values: [...g.values].reverse() } : g)) }));
    expect(() => RulesSchema.parse(swapped)).toThrow(/ordre des dates/);
  });
});

describe('the household coefficient', () => {
  const inc = { second: 0.5, third: 0.3, extraChild: 0.4 };
  it('adds 50 % for the 2nd person, 30 % for the next, 40 % from the 3rd child', () => {
    expect(householdCoefficient(1, 0, inc)).toBe(1);
    expect(householdCoefficient(1, 1, inc)).toBe(1.5);
    expect(householdCoefficient(2, 2, inc)).toBeCloseTo(2.1, 10);
    expect(householdCoefficient(2, 3, inc)).toBeCloseTo(2.5, 10);
  });
});

describe('RSA', () => {
  it('takes the scales of the month estimated: a person alone hosted free, June 2025 and June 2019', () => {
    const june2025 = estimate(flat('2025-06', { residesInFrance: true, couple: false, adults: [alone(35)], housing: { status: 'hosted-free' } }), rules);
    // 646,52 − 12 % × 646,52 (77,58) = 568,94
    expect(aid(june2025, 'rsa')).toMatchObject({ eligible: true, monthlyAmount: 568.94 });
    expect(june2025.scales.find((u) => u.id === 'rsa.montant-forfaitaire')).toMatchObject({ value: 646.52, from: '2025-04-01' });
    const june2019 = estimate(flat('2019-06', { residesInFrance: true, couple: false, adults: [alone(35)], housing: { status: 'hosted-free' } }), rules);
    // 559,74 × 0,88 = 492,57
    expect(aid(june2019, 'rsa').monthlyAmount).toBe(492.57);
  });

  it('is majoré for a parent alone with a child under 3', () => {
    const e = estimate(flat('2024-06', { residesInFrance: true, couple: false, adults: [alone(30)], children: [{ age: 1 }], housing: { status: 'tenant', rent: 500 } }), rules);
    // 635,71 × (1,28412 + 0,42804) = 1 088,437…
    expect(aid(e, 'rsa').monthlyAmount).toBe(1088.44);
    expect(aid(e, 'rsa').explanation.join(' ')).toMatch(/majoré/);
  });

  it('counts the ASF for its lump sum, not for what is paid, since the ASF rose in November 2022', () => {
    const base = flat('2023-06', { residesInFrance: true, couple: false, adults: [alone(40)], children: [{ age: 10 }], housing: { status: 'tenant', rent: 500 } });
    const withAsf = situation({ ...base, benefits: Object.fromEntries(Object.entries(base.benefits).map(([m, b]) => [m, { ...b, familySupport: 200 }])) });
    const e = estimate(withAsf, rules);
    // 607,75 × 1,5 = 911,625 ; ASF counted 200 × 0,2813 / 0,422 = 133,32 → 778,31
    expect(aid(e, 'rsa').monthlyAmount).toBe(778.31);
  });
});

describe('prime d’activité', () => {
  it('averages the three months before, each with its own scales (the April 2025 slope of 59,85 %)', () => {
    const s = flat('2025-05', { residesInFrance: true, couple: false, adults: [alone(30, 1000)], housing: { status: 'tenant', rent: 500 } });
    const e = estimate(s, rules);
    const ppa = aid(e, 'prime-activite');
    // Feb, Mar 2025: 622,63 + 61 % × 1 000 + bonus − 1 000 ; Apr 2025: 633,21 + 59,85 % × 1 000 + bonus − 1 000
    // bonus = 0,29101 × base × (1 000 − 59 × 11,88) / (120 × 11,88 − 59 × 11,88)
    const bonus = (base: number) => (0.29101 * base * (1000 - 59 * 11.88)) / (61 * 11.88);
    const expected = (622.63 + 610 + bonus(622.63) - 1000) * (2 / 3) + (633.21 + 598.5 + bonus(633.21) - 1000) / 3;
    expect(ppa.monthlyAmount).toBeCloseTo(expected, 2);
    expect(ppa.scales.filter((u) => u.id === 'ppa.pente').map((u) => u.value)).toEqual([0.61, 0.5985]);
  });

  it('counts the AAH as earned income for a worker who earns at least 29 hours of SMIC', () => {
    const s = flat('2024-06', { residesInFrance: true, couple: false, adults: [alone(40, 500, { disabilityRate: 80 })], housing: { status: 'tenant', rent: 400 } });
    const e = estimate(s, rules);
    const aah = aid(e, 'aah');
    expect(aah.eligible).toBe(true);
    expect(aid(e, 'prime-activite').explanation.join(' ')).toContain(`61 % de ${euros(500 + aah.monthlyAmount!)}`);
  });
});

describe('AAH', () => {
  const couple = (month: string) =>
    flat(month, {
      residesInFrance: true,
      couple: true,
      adults: [
        { age: 45, disabilityRate: 80, resources: {} },
        { age: 45, resources: { salaries: 2000 } },
      ],
      housing: { status: 'tenant', rent: 600 },
    });

  it('counts the partner’s income before October 2023, not after (déconjugalisation)', () => {
    const before = aid(estimate(couple('2023-09'), rules), 'aah');
    const after = aid(estimate(couple('2023-10'), rules), 'aah');
    // before: ceiling 12 × 971,37 × 1,81 = 21 098,16 ; partner 24 000 × 0,9 − 5 000 = 16 600 → (21 098,16 − 16 600) ÷ 12
    expect(before.monthlyAmount).toBe(374.85);
    expect(after.monthlyAmount).toBe(971.37);
    expect(after.explanation.join(' ')).toMatch(/ne comptent plus/);
  });

  it('takes a worker’s quarter with the allowances on earnings (80 % then 40 %)', () => {
    const e = estimate(flat('2018-05', { residesInFrance: true, couple: false, adults: [alone(50, 1500, { disabilityRate: 85 })], housing: { status: 'tenant', rent: 400 } }), rules);
    // quarter 4 500 ; 30 % of the SMIC (9,88 × 151,67) × 3 = 1 348,65 → 1 348,65 × 0,2 + 3 151,35 × 0,6 = 2 160,54
    // (3 × 819 − 2 160,54) ÷ 3 = 98,82
    expect(aid(e, 'aah').monthlyAmount).toBe(98.82);
  });
});

describe('CSS', () => {
  it('asks a participation by age between the two ceilings', () => {
    const e = estimate(
      flat('2024-06', {
        residesInFrance: true,
        couple: true,
        adults: [
          { age: 55, resources: { salaries: 700 } },
          { age: 62, resources: { pensions: 500 } },
        ],
        housing: { status: 'tenant', rent: 500 },
      }),
      rules,
    );
    const css = aid(e, 'css');
    // 14 400 a year; free up to 10 166 × 1,5 = 15 249 → free
    expect(css).toMatchObject({ eligible: true, cssLevel: 'gratuite' });
    const richer = estimate(
      flat('2024-06', {
        residesInFrance: true,
        couple: true,
        adults: [
          { age: 55, resources: { salaries: 900 } },
          { age: 62, resources: { pensions: 600 } },
        ],
        housing: { status: 'tenant', rent: 500 },
      }),
      rules,
    );
    // 18 000 a year: between 15 249 and 20 586,15 → 21 + 25 € a month
    expect(aid(richer, 'css')).toMatchObject({ eligible: true, cssLevel: 'participation', cssParticipation: 46 });
  });

  it('counts a home had for free at its own rates (14 % for two), a housing benefit at the RSA’s (16 %)', () => {
    const couple = (housing: AnswersInput['housing']) =>
      estimate(flat('2024-06', { residesInFrance: true, couple: true, adults: [{ age: 40, resources: { salaries: 800 } }, { age: 40, resources: {} }], housing }), rules);
    const owner = aid(couple({ status: 'owner', repayingLoan: false }), 'css');
    const tenant = aid(couple({ status: 'tenant', rent: 600, housingBenefit: 300 }), 'css');
    expect(owner.scales.map((u) => `${u.id}=${u.value}`)).toContain('css.forfait-logement.sans-al.2-personnes=0.14');
    expect(tenant.scales.map((u) => `${u.id}=${u.value}`)).toContain('css.forfait-logement.avec-al.2-personnes=0.16');
  });

  it('asks the lower participation of the Alsace-Moselle local scheme', () => {
    const s = flat('2024-06', { residesInFrance: true, couple: false, adults: [alone(40, 1000)], housing: { status: 'tenant', rent: 500 } });
    expect(aid(estimate(s, rules), 'css')).toMatchObject({ cssLevel: 'participation', cssParticipation: 14 });
    expect(aid(estimate({ ...s, alsaceMoselle: true }, rules), 'css')).toMatchObject({ cssLevel: 'participation', cssParticipation: 4.9 });
  });

  it('was the CMU-C before November 2019: no participation, the ACS above the ceiling', () => {
    const e = estimate(flat('2019-06', { residesInFrance: true, couple: false, adults: [alone(40, 850)], housing: { status: 'tenant', rent: 400 } }), rules);
    expect(aid(e, 'css').eligible).toBe(false);
    expect(aid(e, 'css').explanation.join(' ')).toMatch(/ACS/);
  });
});

describe('bad input gives a French message and no estimate', () => {
  const good = situationFromAnswers(AnswersSchema.parse({ residesInFrance: true, couple: false, adults: [alone(30)], housing: { status: 'homeless' } }), '2022-03');
  const errors = (input: unknown) => {
    const r = parseSituation(input);
    return r.ok ? [] : r.errors;
  };

  it('a negative income, an age of 200, a missing month', () => {
    const adult = good.adults[0]!;
    expect(errors({ ...good, adults: [{ ...adult, income: { ...adult.income, '2021-12': { earnings: -5 } } }] })).toEqual([
      'demandeur › revenus › 2021-12 › salaires et revenus d’activité : Salaires et revenus d’activité : le montant ne peut pas être négatif.',
    ]);
    expect(errors({ ...good, adults: [{ ...adult, age: 200 }] })).toEqual(["demandeur › âge : L'âge d'un adulte ne peut pas dépasser 120 ans."]);
    const income = { ...adult.income };
    delete income['2021-07'];
    expect(errors({ ...good, adults: [{ ...adult, income }] })).toEqual(['demandeur › revenus : il manque le mois 2021-07 (il faut les 12 mois avant le mois estimé).']);
  });

  it('a month before 2018 or after the last known scales', () => {
    expect(errors({ ...good, month: '2017-12' })[0]).toMatch(/commencent en janvier 2018/);
    expect(errors({ ...good, month: '2026-01' })[0]).toMatch(/s’arrêtent en 2025-12/);
    expect(errors({ ...good, month: '2024-13' })[0]).toMatch(/AAAA-MM/);
  });

  it('the engine itself refuses a month its rules do not cover', () => {
    const s = situation(good);
    expect(() => estimate(s, { ...rules, lastMonth: '2021-12' })).toThrow(EstimateError);
  });

  it('asks the year N-2 when someone may have the AAH', () => {
    const adult = { ...good.adults[0]!, disabilityRate: 80 };
    expect(errors({ ...good, adults: [{ ...adult, incomeByYear: undefined }] })).toEqual([
      'demandeur › revenus par année : il manque les revenus de l’année 2020 (l’AAH regarde les revenus d’il y a 2 ans ; 0 si aucun).',
    ]);
  });
});

describe('every month the rules cover', () => {
  it('has every figure an estimate reads, from January 2018 to the last known month', () => {
    const households: AnswersInput[] = [
      { residesInFrance: true, couple: false, adults: [alone(23, 300)], children: [{ age: 1 }], housing: { status: 'hosted-free' } },
      { residesInFrance: true, couple: true, adults: [alone(45, 900, { disabilityRate: 60 }), alone(50, 1200)], children: [{ age: 8 }, { age: 12 }, { age: 15 }], housing: { status: 'tenant', rent: 700, housingBenefit: 120 } },
      { residesInFrance: true, couple: false, adults: [alone(70, 0, { disabilityRate: 85 })], housing: { status: 'owner', repayingLoan: false } },
    ];
    let count = 0;
    for (let m = rules.firstMonth; m <= rules.lastMonth; m = addMonths(m, 1)) {
      for (const h of households) {
        const e = estimate(flat(m, h), rules);
        expect(e.results.every((r) => r.monthlyAmount === null || Number.isFinite(r.monthlyAmount))).toBe(true);
        count++;
      }
    }
    expect(count).toBe(96 * households.length);
  });
});

describe('months', () => {
  it('the three months before January are those of the year before', () => {
    expect(monthsBefore('2019-01', 3)).toEqual(['2018-10', '2018-11', '2018-12']);
  });
});

describe('family benefits, chèque énergie, MDPH', () => {
  const family = (month: string, extra: Partial<AnswersInput> = {}) =>
    flat(month, { residesInFrance: true, couple: true, adults: [alone(40, 1500), alone(38, 1000)], children: [{ age: 15 }, { age: 9 }, { age: 4 }], housing: { status: 'tenant', rent: 700 }, ...extra });

  it('allocations familiales: three children, one of 14 or more, under the first ceiling (resources of N-2 from the answers)', () => {
    const e = estimate(family('2025-06'), rules);
    // (32 % + 41 % + 16 %) × 474,37 = 422,19 ; resources 2 500 × 12 × 0,9 = 27 000 under 78 565 + 6 546
    expect(aid(e, 'allocations-familiales')).toMatchObject({ eligible: true, beforeCrds: 422.19 });
    // less the CRDS (0,5 %)
    expect(aid(e, 'allocations-familiales').monthlyAmount).toBe(420.08);
  });

  it('allocation de rentrée scolaire: a yearly amount by age band, the tax notice first', () => {
    const e = estimate(family('2025-06', { referenceTaxIncome: 20_000 }), rules);
    // (97,95 % + 89,72 %) × 474,37 = 890,25 before the CRDS ; 20 000 under 21 880 × 1,9
    const ars = aid(e, 'ars');
    expect(ars).toMatchObject({ eligible: true, monthlyAmount: null, beforeCrds: 890.25 });
    expect(ars.yearlyAmount).toBe(885.8);
  });

  it('says « on ne sait pas » rather than guess: the chèque énergie without the tax notice, the ASF without the other parent', () => {
    const e = estimate(flat('2024-03', { residesInFrance: true, couple: false, adults: [alone(30)], children: [{ age: 6 }], housing: { status: 'tenant', rent: 500 } }), rules);
    expect(aid(e, 'cheque-energie')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    expect(aid(e, 'cheque-energie').yearlyAmount).toBeUndefined();
    expect(aid(e, 'asf')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    const told = estimate(flat('2024-03', { residesInFrance: true, couple: false, adults: [alone(30)], children: [{ age: 6 }], housing: { status: 'tenant', rent: 500 }, referenceTaxIncome: 8000, otherParentSupportsChildren: false }), rules);
    // 8 000 / 1,5 unit = 5 333 per unit: first band, between one and two units
    expect(aid(told, 'cheque-energie')).toMatchObject({ eligible: true, yearlyAmount: 240 });
    // 42,2 % × 445,93 (the BMAF of April 2023, still in force in March 2024) = 188,18 before the CRDS
    expect(aid(told, 'asf')).toMatchObject({ eligible: true, beforeCrds: 188.18 });
  });

  it('never puts a number on the PCH, the CMI or the MDPH request', () => {
    const e = estimate(family('2025-06'), rules);
    for (const id of ['pch', 'cmi', 'demande-mdph'] as const) {
      expect(aid(e, id)).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
      expect(aid(e, id).explanation[0]).toBe('C’est la MDPH qui évalue.');
    }
  });
});

describe('aides au logement (location)', () => {
  const single = (zone?: 1 | 2 | 3) => {
    const base = flat('2024-06', { residesInFrance: true, couple: false, adults: [alone(35, 1000)], housing: { status: 'tenant', rent: 400 } });
    return situation({ ...base, housing: { status: 'tenant', rent: 400, ...(zone ? { zone } : {}) } });
  };

  it('a person alone in zone 2, June 2024, on the 12 months ending 2 months before the quarter', () => {
    const al = aid(estimate(single(2), rules), 'aides-logement');
    // L = 278,28 (ceiling) ; C = 58,08 ; P0 = 37,91 ; Tp = 2,83 % + TL 0,305 % ; R = 12 × 1 000 × 0,9 = 10 800, R0 = 5 186
    // Pp = 37,91 + 0,03135 × 5 614 = 213,91 ; 278,28 + 58,08 − 213,91 − 5 = 117,45 before the CRDS
    expect(al).toMatchObject({ eligible: true, beforeCrds: 117.45, monthlyAmount: 116.86 });
    expect(al.scales.some((u) => u.id === 'al.plafond.zone-2.seul' && u.from === '2023-10-01')).toBe(true);
  });

  it('says « on ne sait pas » without the zone, and nothing for someone hosted free', () => {
    expect(aid(estimate(single(), rules), 'aides-logement')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    const hosted = estimate(flat('2024-06', { residesInFrance: true, couple: false, adults: [alone(35)], housing: { status: 'hosted-free' } }), rules);
    expect(aid(hosted, 'aides-logement')).toMatchObject({ eligible: false, monthlyAmount: 0 });
  });

  const zones = zonesApl(JSON.parse(readFileSync(new URL('../../../assets/aids/zones-apl.json', import.meta.url), 'utf8')) as unknown);
  const inCommune = (commune: string, rent = 400) => {
    const base = single();
    return situation({ ...base, housing: { status: 'tenant', rent, commune } });
  };

  it('takes the zone from the commune: Toulouse (31555) is zone 2, the same estimate as zone 2 given', () => {
    const byCommune = aid(estimate(inCommune('31555'), rules, zones), 'aides-logement');
    expect(byCommune).toMatchObject({ eligible: true, beforeCrds: 117.45, monthlyAmount: 116.86 });
    expect(byCommune.explanation[0]).toContain('zone 2');
    // a municipal arrondissement takes its commune's zone: Paris 13e is zone 1
    expect(aid(estimate(inCommune('75113'), rules, zones), 'aides-logement').explanation[0]).toContain('zone 1');
  });

  it('says « on ne sait pas » for a code that is no commune, or without the table', () => {
    const unknown = aid(estimate(inCommune('31000'), rules, zones), 'aides-logement');
    expect(unknown).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    expect(unknown.explanation[0]).toContain('Le code commune 31000 n’est pas une commune connue.');
    expect(aid(estimate(inCommune('31555'), rules), 'aides-logement')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
  });

  it('refuses a commune code that is not 5 characters, and a negative rent', () => {
    const base = single();
    const bad = (housing: unknown) => parseSituation({ ...base, housing });
    expect(bad({ status: 'tenant', rent: 400, commune: '3155' })).toMatchObject({ ok: false });
    const negative = bad({ status: 'tenant', rent: -1, commune: '31555' });
    expect(negative.ok).toBe(false);
    if (!negative.ok) expect(negative.errors.join(' ')).toContain('Loyer : le montant ne peut pas être négatif.');
  });

  it('in social housing, takes 98 % of the RLS the landlord applies off the APL', () => {
    const al = aid(estimate(situation({ ...single(), housing: { status: 'tenant', rent: 400, zone: 2, rentReduction: 40 } }), rules), 'aides-logement');
    // 117,45 − 0,98 × 40 = 78,25 before the CRDS
    expect(al).toMatchObject({ eligible: true, beforeCrds: 78.25, monthlyAmount: 77.86 });
    expect(al.explanation.join(' ')).toContain('réduction de loyer de solidarité');
  });

  it('estimates a tenant in January 2018, before the RLS existed (February 2018)', () => {
    const base = flat('2018-01', { residesInFrance: true, couple: false, adults: [alone(35, 1000)], housing: { status: 'tenant', rent: 400 } });
    const al = aid(estimate(situation({ ...base, housing: { status: 'tenant', rent: 400, zone: 2 } }), rules), 'aides-logement');
    expect(al.eligible).not.toBe('unknown');
    expect(al.scales.some((u) => u.id === 'al.rls.baisse-aide' && u.value === 0)).toBe(true);
  });

  it('before 2021, takes 10 % off the pensions of the year N-2 as off pay (CGI art. 158, 5° a)', () => {
    const base = flat('2018-01', { residesInFrance: true, couple: false, adults: [alone(76)], housing: { status: 'tenant', rent: 400 } });
    const pensioner = (replacementIncome?: number) => {
      const [adult] = base.adults;
      const year = { earnings: 0, other: 10285, ...(replacementIncome === undefined ? {} : { replacementIncome }) };
      return situation({ ...base, adults: [{ ...adult!, incomeByYear: { '2016': year } }], housing: { status: 'tenant', rent: 400, zone: 2 } });
    };
    // 10 285 × 0,9 = 9 256,50, rounded up to 9 300; counted whole (no part said to be a pension): 10 300
    expect(aid(estimate(pensioner(10285), rules), 'aides-logement').explanation.join(' ')).toContain('9 300,00 € par an');
    expect(aid(estimate(pensioner(), rules), 'aides-logement').explanation.join(' ')).toContain('10 300,00 € par an');
    expect(parseSituation({ ...pensioner(), adults: [{ ...pensioner().adults[0]!, incomeByYear: { '2016': { earnings: 0, other: 100, replacementIncome: 200 } } }] }).ok).toBe(false);
  });

  /** The same person, her 1 000 € a month given as a part of her earnings. */
  const withPart = (part: 'apprenticePay' | 'selfEmployed', incomeByYear?: Record<string, { earnings: number; selfEmployed: number }>) => {
    const base = single(2);
    const { incomeByYear: _answered, ...adult } = base.adults[0]!;
    const income = Object.fromEntries(Object.entries(adult.income).map(([m, i]) => [m, { ...i, [part]: i.earnings }]));
    return situation({ ...base, adults: [{ ...adult, income, ...(incomeByYear ? { incomeByYear } : {}) }] });
  };

  it('counts apprentice pay only above 12 months of SMIC (CGI art. 81 bis)', () => {
    // 12 000 € in the year, under 11,65 × 151,67 × 12 = 21 203 € : nothing counted, R = 0 ; 278,28 + 58,08 − 37,91 − 5
    expect(aid(estimate(withPart('apprenticePay'), rules), 'aides-logement').beforeCrds).toBe(293.45);
  });

  it('counts self-employed profit of the year N-2, without the 10 %, and says « on ne sait pas » without it', () => {
    expect(aid(estimate(withPart('selfEmployed'), rules), 'aides-logement')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    const declared = aid(estimate(withPart('selfEmployed', { '2022': { earnings: 12_000, selfEmployed: 12_000 } }), rules), 'aides-logement');
    // R = 12 000 instead of 10 800 : 1 200 € more at Tp = 3,135 %
    expect(declared.beforeCrds).toBeCloseTo(117.45 - 0.03135 * 1200, 1);
    expect(declared.explanation.join(' ')).toContain('revenus d’indépendant de 2022');
  });

  it('refuses parts of earnings larger than the earnings, in French', () => {
    const base = single(2);
    const month = Object.keys(base.adults[0]!.income)[0]!;
    const income = { ...base.adults[0]!.income, [month]: { ...base.adults[0]!.income[month]!, apprenticePay: 2000 } };
    const r = parseSituation({ ...base, adults: [{ ...base.adults[0]!, income }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' ')).toContain('leur total ne peut pas dépasser ces revenus');
  });

  it('lowers the aid when the rent is far above the ceiling, and ends it beyond (zone 2: × 2,5 then × 3,1)', () => {
    // ceiling alone in zone 2 from October 2023: 278,28 ; lowered from 695,70, none from 862,67
    const at = (rent: number) => aid(estimate(situation({ ...single(), housing: { status: 'tenant', rent, zone: 2 } }), rules), 'aides-logement');
    expect(at(695).beforeCrds).toBe(117.45);
    // half-way: (779,19 − 695,70) / (862,67 − 695,70) = 0,5 → 122,45 × 0,5 − 5
    expect(at(779.19).beforeCrds).toBeCloseTo(122.45 * 0.5 - 5, 1);
    expect(at(862.67)).toMatchObject({ eligible: false, monthlyAmount: 0 });
  });
});
