/**
 * Turns a reference case (neutral facts, schema.ts) into the engine's dated situation
 * (sync-server/protocol/estimate/situation.ts). This lives with the tests on purpose: the engine never sees
 * the reference format, and nothing here computes an aid. Where a case cannot be said in the engine's terms,
 * `skip` says why; the suite counts and reports those.
 *
 * Conversions, each the reading of OpenFisca's own defaults:
 *  - an amount for a civil year is spread evenly over its months (and kept whole as that year's income);
 *  - a month the case does not give is 0 (OpenFisca's default for an unset input);
 *  - a housing status the case does not give is a tenant paying no rent (no forfait logement unless a housing
 *    benefit is received), as OpenFisca's "non renseigné";
 *  - the RSA-jeune work condition the case does not set is not met (OpenFisca's default);
 *  - AAH eligibility set directly (no rate, no age) is a rate of 80 % at 40 years old;
 *  - a CSS resource base set directly (cmu_base_ressources) is the demandeur's other income, a twelfth each month;
 *  - a family-benefit resource base set directly (prestations_familiales_base_ressources) on a month is the
 *    household's resources of the year N-2 of that month (that variable is the base the month uses);
 *  - a revenu fiscal de référence the case does not give is 0 when nobody has any income (what OpenFisca
 *    computes then), else unknown; the consumption
 *    units it sets (cheque_energie_unites_consommation) are the dwelling's;
 *  - pensions and unemployment benefit of a civil year are among its other income, and given again as their
 *    part (replacementIncome) the housing aid takes 10 % off;
 *  - apprentice pay and self-employed profit (farm profit, other self-employed income) are earnings, given again
 *    as their parts (apprenticePay, selfEmployed) the housing aid counts apart; a self-employed profit given on a
 *    12-month span is kept whole as the profit of the year the span starts in;
 *  - a parent alone is not supported by the other parent (the case format has no alimony received, and
 *    OpenFisca's ASF counts none);
 *  - a commune code (depcom) the zone table knows is given as the tenant's commune, the engine finding its
 *    zone; some cases give a postcode instead (31000 for Toulouse): the zone of the communes with that
 *    postcode when they all have the same (the amounts of the al_2018.yaml tests, since left out, agreed with
 *    it), else zone 2, what OpenFisca's zone_apl takes for a code missing from its list.
 */
import type { SituationInput } from '../../../sync-server/protocol/estimate/situation.ts';
import { addMonths } from '../../../sync-server/protocol/estimate/rules.ts';
import { zoneOfCommune, type ZonesApl } from '../../../sync-server/protocol/estimate/zones.ts';
import type { Case, Person } from './schema.ts';

type Income = { earnings: number; unemploymentBenefits: number; pensions: number; other: number; apprenticePay?: number; selfEmployed?: number };
type YearIncome = { earnings: number; other: number; apprenticePay?: number; selfEmployed?: number; replacementIncome?: number };
type Field = 'earnings' | 'unemploymentBenefits' | 'pensions' | 'other';
type Part = 'apprenticePay' | 'selfEmployed';

const FIELD: Partial<Record<string, Field>> = {
  netSalary: 'earnings',
  taxableSalary: 'earnings',
  salaryLikeIncome: 'earnings',
  apprenticePay: 'earnings',
  farmProfit: 'earnings',
  otherSelfEmployedIncome: 'earnings',
  netUnemploymentBenefit: 'unemploymentBenefits',
  taxableUnemploymentBenefit: 'unemploymentBenefits',
  netPension: 'pensions',
  taxablePension: 'pensions',
  disabilityPension: 'pensions',
  taxableSavingsIncome: 'other',
  capitalIncome: 'other',
  capitalGains: 'other',
  annuityForConsideration: 'other',
};
/** Earnings the housing aid counts apart, given as parts of the earnings. */
const PART: Partial<Record<string, Part>> = {
  apprenticePay: 'apprenticePay',
  farmProfit: 'selfEmployed',
  otherSelfEmployedIncome: 'selfEmployed',
};

/** The zone of the current communes with this postcode when they agree, else OpenFisca's default (zone 2). */
function zoneOfPostcode(zones: ZonesApl, postcode: string): 1 | 2 | 3 {
  const found = new Set<1 | 2 | 3 | null>();
  for (const c of zones.communes.values()) if (c.parent === undefined && c.postcodes.includes(postcode)) found.add(zoneOfCommune(zones, c.code));
  const [only] = [...found];
  return found.size === 1 && only !== null && only !== undefined ? only : 2;
}

/** The months of a period as the case writes it, with the share of the amount each gets. */
function monthsOf(period: string): string[] {
  if (/^\d{4}$/.test(period)) return Array.from({ length: 12 }, (_, i) => `${period}-${String(i + 1).padStart(2, '0')}`);
  const range = /^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$/.exec(period);
  if (range) {
    const out: string[] = [];
    for (let m = range[1]!; m <= range[2]!; m = addMonths(m, 1)) out.push(m);
    return out;
  }
  return [period];
}

export function ageAt(birthDate: string, month: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m] = month.split('-').map(Number) as [number, number];
  let age = y - by;
  if (m < bm || (m === bm && bd > 1)) age--;
  return age;
}

export type Converted = { situation: SituationInput; skip?: undefined } | { skip: string; situation?: undefined };

export function toSituation(c: Case, zones?: ZonesApl): Converted {
  const h = c.household;
  const M = c.month;
  if (c.flags?.includes('doubtful-period')) return { skip: `période douteuse dans la source : ${c.notes ?? ''}`.trim() };
  const local = h.persons.map((p) => p.alsaceMoselleScheme === true);
  if (local.includes(true) && local.includes(false)) return { skip: 'régime d’Alsace-Moselle pour une partie du foyer seulement : le moteur le prend pour tout le foyer' };
  if (h.otherInputs?.some((o) => o.variable === 'departement_experimentation_rsa' && o.value === true)) {
    return { skip: 'département de l’expérimentation du RSA : trimestre de référence décalé (M-4..M-2), règle non modélisée' };
  }
  if (h.persons.some((p) => p.role === 'autre')) return { skip: 'un autre membre du logement : le foyer du moteur ne le connaît pas' };

  const window = Array.from({ length: 13 }, (_, i) => addMonths(M, i - 12)); // M-12 .. M
  const adults = [...h.persons.filter((p) => p.role === 'demandeur'), ...h.persons.filter((p) => p.role === 'conjoint')];
  const children = h.persons.filter((p) => p.role === 'enfant');

  const emptyMonths = (): Record<string, Income> => Object.fromEntries(window.slice(0, 12).map((m) => [m, { earnings: 0, unemploymentBenefits: 0, pensions: 0, other: 0 }]));
  const add = (months: Record<string, Income>, years: Record<string, YearIncome>, field: Field, period: string, amount: number, part?: Part) => {
    const ms = monthsOf(period);
    // a self-employed profit is a yearly figure: given on a 12-month span, it is the profit of the year the span
    // starts in (OpenFisca's own test counts 6 864 € of year:2019-12 whole, as the profit of 2019 of a January 2021 aid)
    const wholeYear = part === 'selfEmployed' && ms.length === 12 && !/^\d{4}$/.test(period) ? ms[0]!.slice(0, 4) : null;
    for (const m of ms) {
      months[m] ??= { earnings: 0, unemploymentBenefits: 0, pensions: 0, other: 0 };
      months[m][field] += amount / ms.length;
      if (part) months[m][part] = (months[m][part] ?? 0) + amount / ms.length;
      if (wholeYear) continue;
      const y = m.slice(0, 4);
      years[y] ??= { earnings: 0, other: 0 };
      if (field === 'earnings') years[y].earnings += amount / ms.length;
      else years[y].other += amount / ms.length;
      if (field === 'pensions' || field === 'unemploymentBenefits') years[y].replacementIncome = (years[y].replacementIncome ?? 0) + amount / ms.length;
      if (part) years[y][part] = (years[y][part] ?? 0) + amount / ms.length;
    }
    if (wholeYear) {
      years[wholeYear] ??= { earnings: 0, other: 0 };
      years[wholeYear].earnings += amount;
      years[wholeYear].selfEmployed = (years[wholeYear].selfEmployed ?? 0) + amount;
    }
  };

  let unknownKind: string | null = null;
  const familyResources: Record<string, number> = {};
  const adultOf = (p: Person, i: number) => {
    const months = emptyMonths();
    const years: Record<string, YearIncome> = {};
    for (const r of p.resources ?? []) {
      const field = FIELD[r.kind];
      if (!field) unknownKind = r.kind;
      else for (const [period, amount] of Object.entries(r.amounts)) add(months, years, field, period, amount, PART[r.kind]);
    }
    if (i === 0) {
      for (const r of h.taxHousehold?.declared ?? []) {
        if (r.kind === 'familyBenefitResources') {
          for (const [period, amount] of Object.entries(r.amounts)) {
            const year = String(Number(period.slice(0, 4)) - 2);
            familyResources[year] = (familyResources[year] ?? 0) + amount;
          }
          continue;
        }
        const field = FIELD[r.kind];
        if (!field) unknownKind = r.kind;
        else for (const [period, amount] of Object.entries(r.amounts)) add(months, years, field, period, amount, PART[r.kind]);
      }
      const base = h.otherInputs?.find((o) => o.variable === 'cmu_base_ressources');
      if (base && typeof base.value === 'number') for (const m of window.slice(0, 12)) months[m]!.other += base.value / 12;
    }
    const n2 = String(Number(M.slice(0, 4)) - 2);
    years[n2] ??= { earnings: 0, other: 0 };
    const recognised = p.aahEligibilityRecognised === true;
    const activityNow = typeof p.activity === 'string' ? p.activity : p.activity?.[M];
    const student = p.student === true || activityNow === 'student';
    const age = p.age ?? (p.birthDate ? ageAt(p.birthDate, M) : 40);
    return {
      age,
      ...(p.disabilityRate !== undefined ? { disabilityRate: Math.round(p.disabilityRate * 100) } : recognised ? { disabilityRate: 80 } : {}),
      ...(p.employmentRestrictionRecognised !== undefined ? { employmentRestrictionRecognised: p.employmentRestrictionRecognised } : {}),
      ...(p.pregnant !== undefined ? { pregnant: p.pregnant } : {}),
      youngWorkerConditionMet: p.youngWorkerHoursMet === true,
      ...(student ? { student: true } : {}),
      ...(p.scholarshipHolder !== undefined ? { scholarshipHolder: p.scholarshipHolder } : {}),
      income: months,
      incomeByYear: years,
    };
  };
  const convertedAdults = adults.map(adultOf);
  const convertedChildren = children.map((p) => {
    const age = p.age ?? (p.birthDate ? ageAt(p.birthDate, M) : 0);
    const born = p.birthDate ? { birthDate: p.birthDate } : {};
    const income: Record<string, number> = {};
    for (const r of p.resources ?? []) {
      if (!FIELD[r.kind]) unknownKind = r.kind;
      for (const [period, amount] of Object.entries(r.amounts)) for (const m of monthsOf(period)) income[m] = (income[m] ?? 0) + amount / monthsOf(period).length;
    }
    if (Object.keys(income).length === 0) return { age, ...born };
    for (const m of window.slice(9, 12)) income[m] ??= 0;
    return { age, ...born, income };
  });

  const benefits: Record<string, { housingBenefit: number; familyBenefits: number; familySupport: number }> = Object.fromEntries(
    window.map((m) => [m, { housingBenefit: 0, familyBenefits: 0, familySupport: 0 }]),
  );
  let receivesRsa: boolean | undefined;
  for (const b of h.benefitsReceived ?? []) {
    for (const [period, amount] of Object.entries(b.amounts)) {
      const ms = monthsOf(period);
      for (const m of ms) {
        benefits[m] ??= { housingBenefit: 0, familyBenefits: 0, familySupport: 0 };
        const share = amount / ms.length;
        if (b.kind === 'aide-logement') benefits[m].housingBenefit += share;
        else if (b.kind === 'asf') benefits[m].familySupport += share;
        else if (b.kind === 'rsa') receivesRsa = (receivesRsa ?? false) || share > 0;
        else benefits[m].familyBenefits += share;
      }
    }
  }

  const status = h.housing?.status;
  const zone = c.household.place?.housingZone;
  const commune = c.household.place?.commune;
  const place = zone ? { zone: Number(zone) as 1 | 2 | 3 } : commune && zones ? (zoneOfCommune(zones, commune) === null ? { zone: zoneOfPostcode(zones, commune) } : { commune }) : {};
  const foyer = status === 'tenant-residence' || h.housing?.studentResidenceCrous === true;
  const housing: SituationInput['housing'] =
    status === 'owner'
      ? { status: 'owner', repayingLoan: false }
      : status === 'first-time-buyer'
        ? { status: 'owner', repayingLoan: true }
        : status === 'housed-free'
          ? { status: 'hosted-free', contributesToCosts: h.housing?.contributesToCosts === true }
          : {
              status: 'tenant',
              rent: (h.housing?.rent ?? 0) + (h.housing?.charges ?? 0),
              ...(h.housing?.charges !== undefined ? { charges: h.housing.charges } : {}),
              ...place,
              ...(foyer ? { kind: 'foyer' as const } : {}),
            };
  if (c.aid === 'aide-logement') {
    if (!('zone' in place) && !('commune' in place)) return { skip: 'ni zone ni commune du logement : l’aide au logement en dépend' };
    if (foyer) return { skip: 'logement-foyer ou résidence CROUS : barème des logements-foyers (équivalence de loyer et de charges, forfait de ressources des étudiants en foyer) que le moteur ne calcule pas' };
    if (h.place?.overseas || h.place?.mayotte) return { skip: 'outre-mer : barème différent, non estimé' };
    if (h.housing?.agreedForApl === true) {
      return {
        skip:
          'logement social conventionné à l’APL : l’aide baisse de 98 % de la réduction de loyer de solidarité (RLS) que le bailleur applique, un fait que la situation prend (rentReduction) mais que le test ne donne pas (OpenFisca la tire de son barème) ; et les montants attendus suivent le barème RLS d’octobre 2020 (le test annonce 29,72 € en zone 2 pour une personne seule, 37,85 € en zone 3 et 58,80 € en zone 2 pour une et quatre personnes à charge), alors que l’arrêté du 17 décembre 2020 fixe 40,51 €, 51,59 € et 80,13 € (55,77 + 3 × 8,12) au 1er janvier 2021 (paramètres reduction_loyer_solidarite d’OpenFisca-France) : même avec la RLS de la loi, le montant attendu ne peut pas être atteint',
      };
    }
    if (adults.some((p) => p.birthDate !== undefined && p.birthDate < '1931-01-01')) {
      return {
        skip: 'personne née avant 1931 : OpenFisca retire de ses ressources l’abattement spécial des personnes âgées de l’article 157 bis du CGI (qu’il ne donne qu’aux personnes nées avant le 1er janvier 1931 ou invalides), que le moteur ne calcule pas',
      };
    }
    const n2 = String(Number(M.slice(0, 4)) - 2);
    const given = h.persons.flatMap((p) => (p.resources ?? []).flatMap((r) => Object.keys(r.amounts)));
    if (M < '2021-01' && given.length > 0 && !given.some((period) => monthsOf(period).some((m) => m.startsWith(n2)))) {
      return {
        skip: `avant 2021, l’aide au logement compte les revenus de l’année N-2 (${n2}), que le test ne donne pas : il suit la « réforme 2019 » des ressources des 12 derniers mois (et compte la pension alimentaire versée de l’année d’avant), qui n’est entrée en vigueur que le 1er janvier 2021`,
      };
    }
  }
  if (unknownKind) return { skip: `ressource « ${unknownKind} » que le moteur ne sait pas compter` };

  const n2 = String(Number(M.slice(0, 4)) - 2);
  const noIncome = h.persons.every((p) => (p.resources ?? []).length === 0) && (h.taxHousehold?.declared ?? []).length === 0;
  const referenceTaxIncome: Record<string, number> = { ...(noIncome ? { [n2]: 0 } : {}), ...(h.taxHousehold?.referenceTaxIncome ?? {}) };
  const units = h.otherInputs?.find((o) => o.variable === 'cheque_energie_unites_consommation');

  return {
    situation: {
      month: M,
      residesInFrance: true,
      couple: convertedAdults.length === 2,
      adults: convertedAdults,
      children: convertedChildren,
      housing,
      benefits,
      ...(h.situation?.recentlyIsolated ? { parentAloneSince: M } : {}),
      ...(receivesRsa !== undefined ? { receivesRsa } : {}),
      ...(local.every(Boolean) ? { alsaceMoselle: true } : {}),
      ...(Object.keys(referenceTaxIncome).length > 0 ? { referenceTaxIncome } : {}),
      ...(Object.keys(familyResources).length > 0 ? { familyResources } : {}),
      ...(units && typeof units.value === 'number' ? { consumptionUnits: units.value } : {}),
      ...(convertedAdults.length === 1 && convertedChildren.length > 0 ? { otherParentSupportsChildren: false } : {}),
    },
  };
}
