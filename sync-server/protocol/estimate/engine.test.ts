// Cases worked out by hand from the scales of assets/aids/rules/2025-04.json (valid from 1 April 2025).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { euros, householdCoefficient, housingFlatAmount, simulate, type AidId, type AidResult, type Simulation } from './engine.ts';
import { RulesSchema, type Rules } from './rules.ts';

const loadRules = (): Rules => RulesSchema.parse(JSON.parse(readFileSync(new URL('../../../assets/aids/rules/2025-04.json', import.meta.url), 'utf8')));
import { parseSituation, type Situation, type SituationInput } from './situation.ts';

const rules = loadRules();

function situation(input: SituationInput): Situation {
  const r = parseSituation(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.situation;
}

const res = (salaries = 0, extra: Partial<{ unemploymentBenefits: number; pensions: number; other: number }> = {}) => ({ salaries, ...extra });

function aid(sim: Simulation, id: AidId): AidResult {
  const found = sim.results.find((r) => r.aid === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

describe('rules file 2025-04', () => {
  it('validates, and every rule says its source and its date', () => {
    const parsed = RulesSchema.parse(rules);
    for (const section of [parsed.rsa, parsed.primeActivite, parsed.aah, parsed.css]) {
      expect(section.source.length).toBeGreaterThan(10);
      expect(section.validFrom).toBe('2025-04-01');
    }
    expect(parsed.warning).toMatch(/mis à jour|remplacé/);
  });

  it('holds the official scales from 1 April 2025', () => {
    expect(rules.rsa.baseAmount).toBe(646.52); // décret n° 2025-293
    expect(rules.primeActivite.baseAmount).toBe(633.21); // décret n° 2025-294
    expect(rules.primeActivite.earnedIncomeRate).toBe(0.5985); // décret n° 2025-292 (61 % before)
    expect(rules.aah.fullRate).toBe(1033.32);
    expect(rules.aah.annualCeilingSingle).toBe(12 * 1033.32);
    expect(rules.css.annualCeilingFree.byHouseholdSize[0]).toBe(10339);
    expect(rules.css.annualCeilingParticipation.byHouseholdSize[0]).toBe(13957);
  });
});

describe('household scales', () => {
  const inc = rules.rsa.householdIncrease;
  it.each([
    // adults, children, coefficient: 1 | +0.5 second person | +0.3 next | +0.4 from the 3rd child
    [1, 0, 1],
    [1, 1, 1.5],
    [2, 0, 1.5],
    [1, 2, 1.8],
    [2, 1, 1.8],
    [2, 2, 2.1],
    [1, 3, 2.2],
    [2, 3, 2.5],
    [2, 4, 2.9],
  ])('%i adult(s) and %i child(ren): × %f', (adults, children, coef) => {
    expect(householdCoefficient(adults, children, inc)).toBeCloseTo(coef, 10);
  });

  it('forfait logement: 12 %, 16 % and 16,5 % of the forfait for 1, 2 and 3 persons', () => {
    // RSA: 646,52 × 12 % = 77,58 ; 969,78 × 16 % = 155,16 ; 1 163,736 × 16,5 % = 192,02
    expect(housingFlatAmount(rules.rsa, rules.rsa.housingFlatRate, 1)).toBe(77.58);
    expect(housingFlatAmount(rules.rsa, rules.rsa.housingFlatRate, 2)).toBe(155.16);
    expect(housingFlatAmount(rules.rsa, rules.rsa.housingFlatRate, 3)).toBe(192.02);
    expect(housingFlatAmount(rules.rsa, rules.rsa.housingFlatRate, 6)).toBe(192.02);
    // Prime d'activité: 633,21 × 12 % = 75,99 ; 949,815 × 16 % = 151,97 ; 1 139,778 × 16,5 % = 188,06
    const p = rules.primeActivite;
    expect(housingFlatAmount(p, p.housingFlatRate, 1)).toBe(75.99);
    expect(housingFlatAmount(p, p.housingFlatRate, 2)).toBe(151.97);
    expect(housingFlatAmount(p, p.housingFlatRate, 3)).toBe(188.06);
  });

  it('formats euros the French way', () => {
    expect(euros(1163.736)).toBe('1 163,74 €');
    expect(euros(77.5)).toBe('77,50 €');
  });
});

describe('simulate', () => {
  it('single person without resources, hosted free: RSA = forfait − forfait logement, CSS free', () => {
    // RSA: 646,52 − 77,58 (12 % of 646,52) = 568,94 €
    const sim = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 35, resources: {} }], housing: { status: 'hosted-free' } }), rules);
    const rsa = aid(sim, 'rsa');
    expect(rsa).toMatchObject({ eligible: true, monthlyAmount: 568.94, estimate: true, rulesVersion: '2025-04' });
    expect(rsa.explanation.join(' ')).toContain('646,52 € − 77,58 € = 568,94 €');
    expect(aid(sim, 'prime-activite')).toMatchObject({ eligible: false, monthlyAmount: 0 });
    expect(aid(sim, 'aah')).toMatchObject({ eligible: false });
    expect(aid(sim, 'css')).toMatchObject({ eligible: true, cssLevel: 'gratuite', monthlyAmount: null });
    expect(sim.estimate).toBe(true);
  });

  it('single person earning 1 000 € net, tenant without housing aid: prime d’activité step by step', () => {
    // forfait 633,21 + 59,85 % × 1 000 = 598,50 → 1 231,71
    // resources 1 000 (no forfait logement: tenant without aid) > 633,21 → minus 1 000
    // prime d'activité = 1 231,71 − 1 000 = 231,71 € (bonification not counted: its 2025 maximum is not in the rules)
    // RSA: 646,52 − 1 000 < 0 → no. CSS: 12 000 €/year, between 10 339 and 13 957 → with participation.
    const sim = simulate(
      situation({ residesInFrance: true, couple: false, adults: [{ age: 30, resources: res(1000) }], housing: { status: 'tenant', rent: 550 } }),
      rules,
    );
    const pa = aid(sim, 'prime-activite');
    expect(pa).toMatchObject({ eligible: true, monthlyAmount: 231.71 });
    const text = pa.explanation.join(' ');
    expect(text).toContain('59,85 % de 1 000,00 € = 598,50 €');
    expect(text).toContain('633,21 € + 598,50 € − 1 000,00 € = 231,71 €');
    expect(text).toContain('bonification');
    expect(aid(sim, 'rsa')).toMatchObject({ eligible: false, monthlyAmount: 0 });
    // the RSA's calculation goes below zero: said in words, never a negative amount on screen
    expect(aid(sim, 'rsa').explanation).toContain('Calcul : 646,52 € − 1 000,00 €. Le résultat est plus petit que 0 €.');
    expect(aid(sim, 'css')).toMatchObject({ eligible: true, cssLevel: 'participation' });
    // far above every scale: no explanation of any aid shows a negative amount
    const rich = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 30, resources: res(4000) }], housing: { status: 'tenant', rent: 550 } }), rules);
    for (const r of rich.results) for (const line of r.explanation) expect(line).not.toMatch(/-\s?\d/);
  });

  it('the same person hosted free: the forfait logement counts in the prime d’activité resources', () => {
    // 633,21 + 598,50 − (1 000 + 75,99) = 155,72 €
    const sim = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 30, resources: res(1000) }], housing: { status: 'hosted-free' } }), rules);
    expect(aid(sim, 'prime-activite').monthlyAmount).toBe(155.72);
  });

  it('computes the bonification when the rules give its maximum (data, not code)', () => {
    // hypothetical maximum 100 €; 1 063,26 € is halfway between 700,92 and 1 425,60 → 50 €
    // 633,21 + 59,85 % × 1 063,26 (= 636,36) + 50 − 1 063,26 = 256,31 €
    const withBonus: Rules = { ...rules, primeActivite: { ...rules.primeActivite, bonification: { ...rules.primeActivite.bonification, maxAmount: 100 } } };
    const sim = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 30, resources: res(1063.26) }], housing: { status: 'tenant', rent: 500 } }), withBonus);
    const pa = aid(sim, 'prime-activite');
    expect(pa.monthlyAmount).toBe(256.31);
    expect(pa.explanation.join(' ')).toContain('bonification de 50,00 €');
  });

  it('couple with 2 children, one salary of 1 500 €, tenant with 300 € housing aid', () => {
    // RSA forfait: 646,52 × 2,1 = 1 357,69 ; forfait logement 3+ persons 192,02 (< 300 € of aid)
    //   1 357,69 − (1 500 + 192,02) < 0 → no RSA
    // Prime d'activité: forfait 633,21 × 2,1 = 1 329,74 ; 59,85 % × 1 500 = 897,75
    //   resources 1 500 + forfait logement 188,06 = 1 688,06 > 1 329,74
    //   1 329,74 + 897,75 − 1 688,06 = 539,43 €
    // CSS: 4 persons, 18 000 €/year ≤ 21 711 → free
    const sim = simulate(
      situation({
        residesInFrance: true,
        couple: true,
        adults: [{ age: 38, resources: res(1500) }, { age: 36, resources: {} }],
        children: [{ age: 4 }, { age: 8 }],
        housing: { status: 'tenant', rent: 800, housingBenefit: 300 },
      }),
      rules,
    );
    expect(aid(sim, 'rsa')).toMatchObject({ eligible: false, monthlyAmount: 0 });
    const pa = aid(sim, 'prime-activite');
    expect(pa).toMatchObject({ eligible: true, monthlyAmount: 539.43 });
    expect(pa.explanation.join(' ')).toContain('1 329,74 € + 897,75 € − 1 688,06 € = 539,43 €');
    expect(aid(sim, 'css')).toMatchObject({ eligible: true, cssLevel: 'gratuite' });
  });

  it('couple with 2 children without resources, owner without loan: RSA 1 357,69 − 192,02', () => {
    // 1 357,69 − 192,02 = 1 165,67 €
    const sim = simulate(
      situation({
        residesInFrance: true,
        couple: true,
        adults: [{ age: 40, resources: {} }, { age: 41, resources: {} }],
        children: [{ age: 1 }, { age: 12 }],
        housing: { status: 'owner', repayingLoan: false },
      }),
      rules,
    );
    expect(aid(sim, 'rsa').monthlyAmount).toBe(1165.67);
  });

  it('housing aid smaller than the forfait logement: only the aid is counted; owner repaying a loan: nothing', () => {
    const tenant = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 50, resources: {} }], housing: { status: 'tenant', rent: 400, housingBenefit: 50 } }), rules);
    expect(aid(tenant, 'rsa').monthlyAmount).toBe(596.52); // 646,52 − 50
    const owner = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 50, resources: {} }], housing: { status: 'owner', repayingLoan: true } }), rules);
    expect(aid(owner, 'rsa').monthlyAmount).toBe(646.52);
  });

  it('without a fixed home: no forfait logement for the RSA nor the prime d’activité (not housed free, no housing benefit)', () => {
    // The forfait logement values a home had for free (owner without housing benefit, or housed free) and a
    // housing benefit: code de l'action sociale et des familles, art. R. 262-9 and R. 262-10 (RSA); code de la
    // sécurité sociale, art. R. 844-3 (prime d'activité, same rule). A person without a fixed home has none.
    // RSA: 646,52 − 0 = 646,52 € (hosted free it would be 646,52 − 77,58 = 568,94 €)
    const homeless = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 35, resources: {} }], housing: { status: 'homeless' } }), rules);
    const rsa = aid(homeless, 'rsa');
    expect(rsa).toMatchObject({ eligible: true, monthlyAmount: 646.52 });
    expect(rsa.explanation).toContain('Vous n’avez pas de logement fixe : on ne compte pas de forfait logement.');
    expect(rsa.explanation.join(' ')).toContain('646,52 € − 0,00 € = 646,52 €');
    // prime d'activité, 1 000 € of salary: 633,21 + 598,50 − 1 000 = 231,71 € (hosted free: 155,72 €)
    const working = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 30, resources: res(1000) }], housing: { status: 'homeless' } }), rules);
    const pa = aid(working, 'prime-activite');
    expect(pa.monthlyAmount).toBe(231.71);
    expect(pa.explanation).toContain('Vous n’avez pas de logement fixe : on ne compte pas de forfait logement.');
    // no warning about a forfait logement the CSS leaves out: there is none
    expect(aid(homeless, 'css').explanation.join(' ')).not.toContain('forfait logement');
  });

  it('AAH at 80 % without resources: full rate 1 033,32 €, which then rules out the RSA', () => {
    // AAH: ceiling 12 × 1 033,32 = 12 399,84 €/year, resources 0 → 1 033,32 €
    // RSA: 646,52 − 1 033,32 < 0 → no
    // CSS: 12 × 1 033,32 = 12 399,84 €/year, between 10 339 and 13 957 → with participation
    const sim = simulate(
      situation({ residesInFrance: true, couple: false, adults: [{ age: 45, disabilityRate: 80, resources: {} }], housing: { status: 'tenant', rent: 450 } }),
      rules,
    );
    expect(aid(sim, 'aah')).toMatchObject({ eligible: true, monthlyAmount: 1033.32, person: 'demandeur' });
    expect(aid(sim, 'rsa')).toMatchObject({ eligible: false });
    expect(aid(sim, 'css')).toMatchObject({ eligible: true, cssLevel: 'participation' });
  });

  it('AAH with a 600 € pension and one child: (12 399,84 + 6 199,92 − 7 200) ÷ 12, capped at the full rate', () => {
    // ceiling 18 599,76 ; (18 599,76 − 7 200) ÷ 12 = 949,98 € (below 1 033,32)
    const sim = simulate(
      situation({ residesInFrance: true, couple: false, adults: [{ age: 52, disabilityRate: 85, resources: res(0, { pensions: 600 }) }], children: [{ age: 10 }], housing: { status: 'tenant', rent: 500 } }),
      rules,
    );
    expect(aid(sim, 'aah').monthlyAmount).toBe(949.98);
  });

  it('AAH: unknown between 50 and 79 %, unknown before 20, amount not estimated with a salary', () => {
    const mid = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 40, disabilityRate: 60, resources: {} }], housing: { status: 'hosted-free' } }), rules);
    expect(aid(mid, 'aah')).toMatchObject({ eligible: 'unknown', monthlyAmount: 1033.32 });
    const young = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 18, disabilityRate: 90, resources: {} }], housing: { status: 'hosted-free' } }), rules);
    expect(aid(young, 'aah')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    const worker = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 40, disabilityRate: 80, resources: res(500) }], housing: { status: 'hosted-free' } }), rules);
    expect(aid(worker, 'aah')).toMatchObject({ eligible: true, monthlyAmount: null });
  });

  it('gives the true reason a 17-year-old with a salary gets no prime d’activité: her age, not "no salary"', () => {
    // Code de la sécurité sociale, art. L842-1: the prime d'activité is for workers aged 18 or more
    const sim = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 17, resources: res(600) }], housing: { status: 'hosted-free' } }), rules);
    const pa = aid(sim, 'prime-activite');
    expect(pa).toMatchObject({ eligible: false, monthlyAmount: 0 });
    expect(pa.explanation.join(' ')).toContain('pour les personnes de 18 ans ou plus');
    expect(pa.explanation.join(' ')).not.toContain('n’a déclaré de salaire');
  });

  it('CSS not eligible above the participation ceiling', () => {
    // pension 1 500 € → 18 000 €/year > 13 957 → no CSS; no RSA; no prime d'activité (no salary)
    const sim = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 67, resources: res(0, { pensions: 1500 }) }], housing: { status: 'owner', repayingLoan: true } }), rules);
    expect(aid(sim, 'css')).toMatchObject({ eligible: false });
    expect(aid(sim, 'rsa')).toMatchObject({ eligible: false });
    expect(aid(sim, 'prime-activite')).toMatchObject({ eligible: false });
  });

  it('CSS for 6 persons: 21 711 + 2 × 4 135 = 29 981 €/year free', () => {
    const six = (monthly: number) =>
      simulate(
        situation({
          residesInFrance: true,
          couple: true,
          adults: [{ age: 40, resources: res(monthly) }, { age: 40, resources: {} }],
          children: [{ age: 1 }, { age: 3 }, { age: 5 }, { age: 7 }],
          housing: { status: 'tenant', rent: 900 },
        }),
        rules,
      );
    expect(aid(six(2498), 'css').cssLevel).toBe('gratuite'); // 29 976 ≤ 29 981
    expect(aid(six(2500), 'css').cssLevel).toBe('participation'); // 30 000 > 29 981
  });

  it('under 25 without child: RSA unknown; not living in France: nothing', () => {
    const young = simulate(situation({ residesInFrance: true, couple: false, adults: [{ age: 22, resources: {} }], housing: { status: 'hosted-free' } }), rules);
    expect(aid(young, 'rsa')).toMatchObject({ eligible: 'unknown', monthlyAmount: null });
    const abroad = simulate(situation({ residesInFrance: false, couple: false, adults: [{ age: 40, disabilityRate: 80, resources: res(800) }], housing: { status: 'hosted-free' } }), rules);
    for (const r of abroad.results) expect(r.eligible).toBe(false);
  });

  it('warns when the scales are more than a year old', () => {
    const s = situation({ residesInFrance: true, couple: false, adults: [{ age: 35, resources: {} }], housing: { status: 'hosted-free' } });
    expect(simulate(s, rules, { today: new Date('2025-10-01') }).warnings).toHaveLength(1);
    const old = simulate(s, rules, { today: new Date('2026-11-15') }).warnings;
    expect(old.join(' ')).toContain('1er avril 2025');
  });
});

describe('bad input is refused with a clear French error', () => {
  const valid = { residesInFrance: true, couple: false, adults: [{ age: 35, resources: {} }], housing: { status: 'hosted-free' } };
  const errors = (input: unknown): string[] => {
    const r = parseSituation(input);
    if (r.ok) throw new Error('accepted');
    return r.errors;
  };

  it('negative income', () => {
    expect(errors({ ...valid, adults: [{ age: 35, resources: { salaries: -100 } }] })).toEqual(['demandeur › ressources › salaires : Salaires : le montant ne peut pas être négatif.']);
  });
  it('missing fields', () => {
    const { housing: _h, ...noHousing } = valid;
    expect(errors(noHousing)).toEqual(['logement : champ obligatoire manquant.']);
    expect(errors({ ...valid, adults: [{ resources: {} }] })).toEqual(['demandeur › âge : champ obligatoire manquant.']);
    expect(errors({ ...valid, housing: { status: 'tenant' } })).toEqual(['logement › loyer : champ obligatoire manquant.']);
  });
  it('unknown keys', () => {
    expect(errors({ ...valid, salary: 1000 })).toEqual(["champ inconnu « salary ». Vérifiez l'orthographe."]);
    expect(errors({ ...valid, adults: [{ age: 35, resources: { bonus: 3 } }] })[0]).toContain('« bonus »');
  });
  it('absurd ages', () => {
    expect(errors({ ...valid, adults: [{ age: 200, resources: {} }] })[0]).toContain('120 ans');
    expect(errors({ ...valid, adults: [{ age: 8, resources: {} }] })[0]).toContain('au moins 16 ans');
    expect(errors({ ...valid, children: [{ age: 30 }] })).toEqual(['enfant n° 1 › âge : Un enfant à charge a moins de 25 ans.']);
    expect(errors({ ...valid, children: [{ age: -1 }] })[0]).toContain('négatif');
    expect(errors({ ...valid, adults: [{ age: 35.5, resources: {} }] })[0]).toContain('entier');
  });
  it('inconsistent couple, wrong types, not an object', () => {
    expect(errors({ ...valid, couple: true })).toEqual(['adultes : En couple il faut 2 adultes, et seul il faut 1 adulte.']);
    expect(errors({ ...valid, adults: [{ age: '35', resources: {} }] })[0]).toContain('doit être un nombre');
    expect(errors({ ...valid, housing: { status: 'castle' } })[0]).toContain('locataire');
    expect(errors([1, 2])[0]).toContain('objet JSON');
    expect(errors({ ...valid, adults: [{ age: 35, disabilityRate: 150, resources: {} }] })[0]).toContain('entre 0 et 100');
  });
});
