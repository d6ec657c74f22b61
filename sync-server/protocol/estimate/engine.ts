// The estimate engine: pure functions from a dated household situation and the rules (dated official
// figures, assets/aids/rules) to an estimate per aid for one month — RSA, prime d'activité, AAH,
// complémentaire santé solidaire, allocations familiales, allocation de soutien familial — or for the year
// of that month — allocation de rentrée scolaire, chèque énergie — or for the school year starting that year — bourse de lycée. The aids the MDPH assesses (PCH, CMI, the
// request itself) get no amount: the result says the MDPH decides. No I/O, no clock: it runs the same on the server and on the kiosk,
// offline. Each result lists the figures it used (value, start date, text), so an estimate can be checked.
// The explanations are short plain-French sentences that show the calculation with the figures.
import { euros, monthFr, roundCents } from '../format.ts';
import { addMonths, lastDay, monthsBefore, ScaleReader, type FigureId, type Rules, type ScaleUse } from './rules.ts';
import type { MonthIncome, Situation } from './situation.ts';
import { ESTIMATE_WORDS } from './words.ts';
import { zoneOfCommune, type Zone, type ZonesApl } from './zones.ts';

export type AidId = 'rsa' | 'prime-activite' | 'aah' | 'css' | 'aides-logement' | 'allocations-familiales' | 'asf' | 'ars' | 'cheque-energie' | 'bourse-lycee' | 'pch' | 'cmi' | 'demande-mdph';

export interface AidResult {
  aid: AidId;
  eligible: boolean | 'unknown';
  /** Estimated amount paid for the month, in euros; null when it cannot be estimated (or for the CSS, which is not paid in money). */
  monthlyAmount: number | null;
  explanation: string[];
  estimate: true;
  /** The month estimated, AAAA-MM. */
  month: string;
  /** AAH: whose right this is. */
  person?: 'demandeur' | 'conjoint';
  /** CSS: free, or with a monthly participation. */
  cssLevel?: 'gratuite' | 'participation';
  /** CSS with participation: what the household pays each month, in euros. */
  cssParticipation?: number;
  /** A yearly aid (allocation de rentrée scolaire, chèque énergie, bourse de lycée): the amount for the year, in euros (monthlyAmount is then null). */
  yearlyAmount?: number;
  /** A family benefit: the amount before the CRDS is taken off (same period as the amount), as the texts state it. */
  beforeCrds?: number;
  /** The figures this result read: value, the day it started, the text that sets it. */
  scales: ScaleUse[];
}

export interface Estimate {
  month: string;
  /** The months the rules know, first and last. */
  rulesCover: { first: string; last: string };
  estimate: true;
  warnings: string[];
  results: AidResult[];
  /** Every figure the estimate used. */
  scales: ScaleUse[];
}

/** An estimate that cannot be made with these rules (a month they do not cover); the message is for the person. */
export class EstimateError extends Error {}

export { euros, roundCents };

// ---------------------------------------------------------------- helpers

const NOT_IN_FRANCE = 'Il faut vivre en France de façon stable. Vous avez dit que ce n’est pas votre cas.';
const comma = (n: number): string => String(roundCents(n)).replace('.', ',');
const percent = (rate: number): string => `${comma(rate * 100)} %`;
const sum = (xs: number[]): number => xs.reduce((t, x) => t + x, 0);

function calculation(operation: string, amount: number): string {
  return amount < 0 ? `Calcul : ${operation}. Le résultat est plus petit que 0 €.` : `Calcul : ${operation} = ${euros(amount)}.`;
}

type Increases = { second: number; third: number; extraChild: number };

/** Coefficient of the household: 1, + the 2nd person, + each next one, + more from the 3rd child. */
export function householdCoefficient(adults: number, children: number, inc: Increases): number {
  let coef = 1;
  for (let i = 1; i < adults + children; i++) {
    const childIndex = i - adults; // 0 for the first child, negative for the partner
    if (childIndex >= 2) coef += inc.extraChild;
    else if (i === 1) coef += inc.second;
    else coef += inc.third;
  }
  return coef;
}

const incomeOf = (i: MonthIncome | undefined): number => (i ? i.earnings + i.unemploymentBenefits + i.pensions + i.other : 0);
const othersOf = (i: MonthIncome | undefined): number => (i ? i.unemploymentBenefits + i.pensions + i.other : 0);

function describeHousehold(adults: number, children: number): string {
  const who = adults === 2 ? 'un couple' : 'une personne seule';
  return children === 0 ? `Votre foyer : ${who}, sans enfant.` : `Votre foyer : ${who}, avec ${children} enfant${children > 1 ? 's' : ''}.`;
}

type Prefix = 'rsa' | 'ppa';

function increases(r: ScaleReader, p: Prefix, month: string): Increases {
  return {
    second: r.at(`${p}.majoration.deuxieme-personne`, month),
    third: r.at(`${p}.majoration.troisieme-personne`, month),
    extraChild: r.at(`${p}.majoration.enfant-supplementaire`, month),
  };
}

/** Children the household counts: a child whose own income is above what he adds to the lump sum is left out (CASF art. R. 262-3). */
function countedChildren(s: Situation, r: ScaleReader, p: Prefix, month: string, base: number): number[] {
  const inc = increases(r, p, month);
  const quarter = monthsBefore(s.month, 3);
  const kept: number[] = [];
  s.children.forEach((c, i) => {
    kept.push(i);
    if (!c.income) return;
    const average = sum(quarter.map((m) => c.income![m] ?? 0)) / 3;
    const adds = base * (householdCoefficient(s.adults.length, kept.length, inc) - householdCoefficient(s.adults.length, kept.length - 1, inc));
    if (average > adds) kept.pop();
  });
  return kept;
}

/** Parent alone (or pregnant woman alone): the RSA and the prime are increased (RSA majoré, prime majorée). */
function isolation(s: Situation, r: ScaleReader, month: string, children: number): { reason: string } | null {
  if (s.adults.length !== 1) return null;
  const ageLimit = r.at('rsa.majore.age-enfant', month);
  const duration = r.at('rsa.majore.duree-mois', month);
  if (s.adults[0]!.pregnant === true) return { reason: 'Vous attendez un enfant et vivez seule.' };
  if (children === 0) return null;
  if (s.children.some((c) => c.age < ageLimit)) return { reason: `Vous élevez seul un enfant de moins de ${ageLimit} ans.` };
  if (s.parentAloneSince !== undefined && monthsBefore(s.month, duration).includes(s.parentAloneSince)) {
    return { reason: `Vous élevez seul vos enfants depuis moins de ${duration} mois.` };
  }
  if (s.parentAloneSince === s.month) return { reason: `Vous élevez seul vos enfants depuis moins de ${duration} mois.` };
  return null;
}

interface LumpSum {
  amount: number;
  coef: number;
  base: number;
  majore: boolean;
}

function lumpSum(s: Situation, r: ScaleReader, p: Prefix, month: string, children: number, alone: boolean): LumpSum {
  const base = r.at(`${p}.montant-forfaitaire`, month);
  const inc = increases(r, p, month);
  if (alone) {
    const coef = r.at(`${p}.majore.base`, month) + r.at(`${p}.majore.par-enfant`, month) * children;
    return { amount: base * coef, coef, base, majore: true };
  }
  const coef = householdCoefficient(s.adults.length, children, inc);
  return { amount: base * coef, coef, base, majore: false };
}

interface Flat {
  amount: number;
  why: string | null;
}

/**
 * The forfait logement counted as a resource: a home had for free (owner without a loan, hosted free) is
 * worth the full lump sum; a housing benefit counts up to it (CASF art. R. 262-9 and R. 262-10; the same
 * for the prime d'activité and the CSS). Homeless, or hosted but paying one's share: nothing.
 */
type FlatRates = [FigureId, FigureId, FigureId];
const flatRates = (p: Prefix): FlatRates => [`${p}.forfait-logement.1-personne`, `${p}.forfait-logement.2-personnes`, `${p}.forfait-logement.3-personnes`];

/** The lump sum of the housing had for free or paid by a benefit, for the household's size, at the given rates of its RSA (or prime) amount. */
function flatAmount(r: ScaleReader, p: Prefix, month: string, persons: number, rates: FlatRates): number {
  const base = r.at(`${p}.montant-forfaitaire`, month);
  const inc = increases(r, p, month);
  if (persons <= 1) return base * r.at(rates[0], month);
  if (persons === 2) return base * (1 + inc.second) * r.at(rates[1], month);
  return base * (1 + inc.second + inc.third) * r.at(rates[2], month);
}

function housingFlat(s: Situation, r: ScaleReader, p: Prefix, month: string, persons: number, housingBenefit: number, rates: { benefit: FlatRates; free: FlatRates } = { benefit: flatRates(p), free: flatRates(p) }): Flat {
  const who = persons === 1 ? '1 personne' : persons === 2 ? '2 personnes' : '3 personnes ou plus';
  const h = s.housing;
  if (h.status === 'homeless') return { amount: 0, why: ESTIMATE_WORDS.noFixedHome };
  if (h.status === 'hosted-free') {
    if (h.contributesToCosts) return { amount: 0, why: 'Vous êtes hébergé et vous participez aux frais : on ne compte pas de forfait logement.' };
    const full = flatAmount(r, p, month, persons, rates.free);
    return { amount: full, why: `Vous êtes hébergé gratuitement : on compte un forfait logement de ${euros(full)} (foyer de ${who}).` };
  }
  if (h.status === 'owner' && !h.repayingLoan) {
    const full = flatAmount(r, p, month, persons, rates.free);
    return { amount: full, why: `Vous êtes propriétaire sans prêt à rembourser : on compte un forfait logement de ${euros(full)} (foyer de ${who}).` };
  }
  if (housingBenefit > 0) {
    const full = flatAmount(r, p, month, persons, rates.benefit);
    const amount = Math.min(full, housingBenefit);
    return { amount, why: `Vous recevez une aide au logement : on compte un forfait logement de ${euros(amount)} (${euros(full)} au plus pour un foyer de ${who}).` };
  }
  return { amount: 0, why: null };
}

/** The ASF counts for a lump sum, not for what is paid (CASF art. R. 262-10-1, CSS art. R. 844-4). */
function countedFamilySupport(r: ScaleReader, month: string, paid: number): number {
  if (paid <= 0) return 0;
  return (paid * r.at('asf.forfait-ressources', month)) / r.at('asf.taux', month);
}

function result(aid: AidId, month: string, r: ScaleReader, eligible: boolean | 'unknown', monthlyAmount: number | null, explanation: string[], extra: Partial<AidResult> = {}): AidResult {
  return { aid, eligible, monthlyAmount: monthlyAmount === null ? null : roundCents(monthlyAmount), explanation, estimate: true, month, scales: r.uses(), ...extra };
}

// ---------------------------------------------------------------- RSA

export function estimateRsa(s: Situation, rules: Rules, aahIncome = 0): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  if (!s.residesInFrance) return result('rsa', M, r, false, 0, [NOT_IN_FRANCE]);
  const minAge = r.at('rsa.age-minimum', M);
  const young = s.adults.every((a) => a.age < minAge) && s.children.length === 0 && !s.adults.some((a) => a.pregnant === true);
  if (young) {
    const workers = s.adults.map((a) => a.youngWorkerConditionMet);
    if (!workers.includes(true)) {
      const lines = [
        `Le RSA est pour les personnes de ${minAge} ans ou plus.`,
        `Avant ${minAge} ans, il faut attendre ou avoir un enfant, ou avoir travaillé au moins 2 ans pendant les 3 dernières années (RSA jeune actif).`,
      ];
      if (workers.every((w) => w === false)) return result('rsa', M, r, false, 0, lines);
      return result('rsa', M, r, 'unknown', null, [...lines, 'Demandez à un conseiller ou à la CAF.']);
    }
  }
  const base = r.at('rsa.montant-forfaitaire', M);
  const kept = countedChildren(s, r, 'rsa', M, base);
  const alone = isolation(s, r, M, kept.length);
  const lump = lumpSum(s, r, 'rsa', M, kept.length, alone !== null);
  const quarter = monthsBefore(M, 3);
  const own = sum(quarter.map((m) => sum(s.adults.map((a) => incomeOf(a.income[m]))) + sum(kept.map((i) => s.children[i]!.income?.[m] ?? 0)))) / 3;
  const b = s.benefits[M]!;
  const family = b.familyBenefits + countedFamilySupport(r, M, b.familySupport);
  const persons = s.adults.length + kept.length;
  const flat = housingFlat(s, r, 'rsa', M, persons, b.housingBenefit);
  const counted = own + family + aahIncome + flat.amount;
  const amount = lump.amount - counted;

  const explanation = [
    `Estimation pour ${monthFr(M)}, avec les barèmes de ce mois.`,
    describeHousehold(s.adults.length, kept.length),
    lump.majore
      ? `${alone!.reason} Le RSA est majoré : ${euros(lump.base)} × ${comma(lump.coef)} = ${euros(lump.amount)} par mois.`
      : lump.coef === 1
        ? `Le montant de base du RSA pour une personne seule est de ${euros(lump.amount)} par mois.`
        : `Le montant de base du RSA est de ${euros(lump.base)} pour une personne seule. Pour votre foyer, il est multiplié par ${comma(lump.coef)} : ${euros(lump.amount)} par mois.`,
  ];
  if (kept.length < s.children.length) explanation.push('Un enfant qui gagne plus que ce qu’il ajoute au RSA n’est pas compté dans le foyer.');
  explanation.push(own > 0 ? `Vos ressources des 3 mois avant (${quarter.map(monthFr).join(', ')}) : en moyenne ${euros(own)} par mois.` : 'Votre foyer n’a pas eu de ressources les 3 mois avant.');
  if (family > 0) explanation.push(`Les prestations familiales du mois comptent aussi : ${euros(family)}${b.familySupport > 0 ? ' (l’allocation de soutien familial compte pour un forfait)' : ''}.`);
  if (aahIncome > 0) explanation.push(`L’AAH estimée compte aussi : ${euros(aahIncome)}.`);
  if (flat.why) explanation.push(flat.why);
  explanation.push(calculation(`${euros(lump.amount)} − ${euros(counted)}`, amount));
  const minimum = r.at('rsa.montant-minimum', M);
  if (amount < minimum) {
    explanation.push(amount <= 0 ? 'Vos ressources sont plus hautes que le montant du RSA : vous n’avez sans doute pas droit au RSA.' : `Le RSA n’est pas versé s’il fait moins de ${euros(minimum)} par mois.`);
    return result('rsa', M, r, false, 0, explanation);
  }
  explanation.push(`Vous pourriez recevoir environ ${euros(amount)} de RSA pour ${monthFr(M)}.`, 'C’est une estimation. Seule la CAF (ou la MSA) décide.');
  return result('rsa', M, r, true, amount, explanation);
}

// ---------------------------------------------------------------- prime d'activité

function bonification(r: ScaleReader, m: string, earnings: number, base: number): number {
  const smic = r.at('smic.horaire', m);
  const start = r.at('ppa.bonification.seuil', m) * smic;
  const full = r.at('ppa.bonification.seuil-max', m) * smic;
  const max = r.at('ppa.bonification.taux-max', m) * base;
  if (earnings < start) return 0;
  if (earnings >= full) return max;
  return (max * (earnings - start)) / (full - start);
}

/**
 * The prime d'activité of `s.month`: the mean of one calculation per month of the quarter before, each
 * with that month's income and that month's scales (the lump sum, the slope, the SMIC of the bonus).
 * `aahByAdult`: the AAH each adult would get; it counts as earned income above a threshold of earnings.
 */
export function estimatePrimeActivite(s: Situation, rules: Rules, aahByAdult: number[] = []): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  if (!s.residesInFrance) return result('prime-activite', M, r, false, 0, [NOT_IN_FRANCE]);
  const minAge = r.at('ppa.age-minimum', M);
  const quarter = monthsBefore(M, 3);
  const workers = s.adults.map((a, i) => ({ a, i })).filter(({ a }) => a.age >= minAge && quarter.some((m) => (a.income[m]?.earnings ?? 0) > 0));
  if (workers.length === 0) {
    const tooYoung = s.adults.some((a) => a.age < minAge && quarter.some((m) => (a.income[m]?.earnings ?? 0) > 0));
    return result('prime-activite', M, r, false, 0, [
      tooYoung ? ESTIMATE_WORDS.primeTooYoung(minAge) : 'La prime d’activité est pour les personnes qui travaillent. Personne dans votre foyer n’a eu de revenu d’activité les 3 mois avant.',
    ]);
  }
  const kept = countedChildren(s, r, 'ppa', M, r.at('ppa.montant-forfaitaire', M));
  const alone = isolation(s, r, M, kept.length);
  const persons = s.adults.length + kept.length;
  const explanation = [`Estimation pour ${monthFr(M)} : la moyenne des calculs de ${quarter.map(monthFr).join(', ')}, chacun avec ses revenus et ses barèmes.`, describeHousehold(s.adults.length, kept.length)];
  if (alone) explanation.push(`${alone.reason} La prime est majorée.`);
  const perMonth: number[] = [];
  for (const m of quarter) {
    const lump = lumpSum(s, r, 'ppa', m, kept.length, alone !== null);
    const slope = r.at('ppa.pente', m);
    const aahThreshold = r.at('ppa.seuil-aah-activite', m) * r.at('smic.horaire', m);
    let earned = 0;
    let others = 0;
    let bonus = 0;
    s.adults.forEach((a, i) => {
      const inc = a.income[m];
      const e = inc?.earnings ?? 0;
      const aah = aahByAdult[i] ?? 0;
      // the AAH of someone who earns enough counts as earned income (CSS art. L. 842-8)
      const aahEarned = aah > 0 && e >= aahThreshold ? aah : 0;
      if (a.age >= minAge) {
        earned += e + aahEarned;
        bonus += bonification(r, m, e + aahEarned, lump.base);
      } else others += e;
      others += othersOf(inc) + (aah - aahEarned);
    });
    const b = s.benefits[m]!;
    others += sum(kept.map((i) => s.children[i]!.income?.[m] ?? 0)) + b.familyBenefits + countedFamilySupport(r, m, b.familySupport);
    const flat = housingFlat(s, r, 'ppa', m, persons, b.housingBenefit);
    const resources = earned + others + flat.amount;
    const amount = Math.max(0, lump.amount + slope * earned + bonus - Math.max(lump.amount, resources));
    perMonth.push(amount);
    explanation.push(
      `${monthFr(m)} : ${euros(lump.amount)} + ${percent(slope)} de ${euros(earned)}${bonus > 0 ? ` + bonification ${euros(bonus)}` : ''} − ${euros(Math.max(lump.amount, resources))} (${resources > lump.amount ? 'vos ressources' : 'le montant de base'}${flat.amount > 0 ? `, forfait logement ${euros(flat.amount)} compris` : ''}) = ${euros(amount)}.`,
    );
  }
  const amount = sum(perMonth) / 3;
  explanation.push(`Moyenne des 3 mois : ${euros(amount)}.`);
  const minimum = r.at('ppa.montant-minimum', M);
  if (amount < minimum) {
    explanation.push(`La prime d’activité n’est pas versée si elle fait moins de ${euros(minimum)} par mois.`);
    return result('prime-activite', M, r, false, 0, explanation);
  }
  explanation.push(`Vous pourriez recevoir environ ${euros(amount)} de prime d’activité pour ${monthFr(M)}.`, 'C’est une estimation. Seule la CAF (ou la MSA) décide.');
  return result('prime-activite', M, r, true, amount, explanation);
}

// ---------------------------------------------------------------- AAH

/** Earnings of the disabled person after the allowances of CSS art. D. 821-9 (80 % up to 30 % of the SMIC, 40 % above). */
function afterWorkAllowance(r: ScaleReader, month: string, earnings: number, threshold: number): number {
  const low = r.at('aah.abattement-activite.taux-bas', month);
  const high = r.at('aah.abattement-activite.taux-haut', month);
  return earnings <= threshold ? earnings * (1 - low) : threshold * (1 - low) + (earnings - threshold) * (1 - high);
}

/** A partner's income as the AAH counts it: 10 % for expenses off the pay, then the partner allowance of the period. */
function partnerCounted(r: ScaleReader, month: string, earnings: number, other: number, children: number, yearShare: number): number {
  let net = earnings * (1 - r.at('aah.conjoint.frais-professionnels', month));
  const prop = r.maybeAt('aah.conjoint.abattement-proportionnel', month);
  if (prop !== null) net *= 1 - prop;
  const flat = r.maybeAt('aah.conjoint.abattement-forfaitaire', month);
  if (flat === null) return net + other;
  const perChild = r.maybeAt('aah.conjoint.abattement-par-enfant', month) ?? 0;
  return Math.max(0, net + other - (flat + perChild * children) * yearShare);
}

function aahFor(s: Situation, rules: Rules, index: number): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const adult = s.adults[index]!;
  const extra = { person: index === 0 ? 'demandeur' : 'conjoint' } as const;
  if (!s.residesInFrance) return result('aah', M, r, false, 0, [NOT_IN_FRANCE], extra);
  const rate = adult.disabilityRate ?? 0;
  const full = r.at('aah.taux-plein', M);
  const explanation = [`Estimation pour ${monthFr(M)}. Taux d’incapacité reconnu par la MDPH : ${rate} %.`];
  const minAge = r.at('aah.age-minimum', M);
  if (adult.age < minAge) {
    explanation.push(`En général, l’AAH commence à ${minAge} ans. Dès 16 ans, elle est possible si vous n’êtes plus à la charge de vos parents.`, 'Demandez à la MDPH.');
    return result('aah', M, r, 'unknown', null, explanation, extra);
  }
  let eligible: boolean | 'unknown' = true;
  if (rate < full) {
    if (adult.employmentRestrictionRecognised === false) {
      explanation.push(`Avec un taux de moins de ${full} %, il faut une restriction substantielle et durable d’accès à l’emploi reconnue par la MDPH. Vous avez dit qu’elle n’est pas reconnue.`);
      return result('aah', M, r, false, 0, explanation, extra);
    }
    if (adult.employmentRestrictionRecognised !== true) {
      eligible = 'unknown';
      explanation.push(`Avec un taux de moins de ${full} %, il faut aussi que la MDPH reconnaisse que votre handicap vous empêche beaucoup de trouver un travail. Nous ne le savons pas : le montant ci-dessous suppose qu’elle le reconnaît.`);
    }
  }
  const max = r.at('aah.montant', M);
  const coupleRate = r.maybeAt('aah.plafond.couple', M);
  const partner = s.adults.length === 2 && coupleRate !== null ? s.adults[1 - index]! : null;
  const children = s.children.length;
  const factor = 1 + (partner ? coupleRate! : 0) + r.at('aah.plafond.par-enfant', M) * children;
  if (s.adults.length === 2 && !partner) explanation.push('Depuis le 1er octobre 2023, les revenus de votre conjoint ne comptent plus pour l’AAH.');
  const hours = r.at('smic.heures-mensuelles', M);
  const tranche = r.at('aah.abattement-activite.tranche', M);
  const quarter = monthsBefore(M, 3);
  const quarterEarnings = sum(quarter.map((m) => adult.income[m]?.earnings ?? 0));
  let base: number;
  let ceiling: number;
  let periods: number;
  if (quarterEarnings > 0) {
    // working in the ordinary environment: the quarter before, declared every three months
    const smic = r.on('smic.horaire', lastDay(quarter[2]!))! * hours;
    const own = afterWorkAllowance(r, M, quarterEarnings, tranche * smic * 3) + sum(quarter.map((m) => othersOf(adult.income[m])));
    const other = partner ? partnerCounted(r, M, sum(quarter.map((m) => partner.income[m]?.earnings ?? 0)), sum(quarter.map((m) => othersOf(partner.income[m]))), children, 1 / 4) : 0;
    base = own + other;
    periods = 3;
    ceiling = 3 * max * factor;
    explanation.push(`Vous avez travaillé les 3 mois avant : on prend les revenus de ${quarter.map(monthFr).join(', ')}, après l’abattement sur les salaires : ${euros(own)}${partner ? `, plus ceux de votre conjoint : ${euros(other)}` : ''}.`);
  } else {
    const year = String(Number(M.slice(0, 4)) - 2);
    const smic = r.at('smic.horaire', M) * hours;
    const mine = adult.incomeByYear?.[year] ?? { earnings: 0, other: 0 };
    const own = afterWorkAllowance(r, M, mine.earnings, tranche * smic * 12) + mine.other;
    const theirs = partner?.incomeByYear?.[year] ?? { earnings: 0, other: 0 };
    const other = partner ? partnerCounted(r, M, theirs.earnings, theirs.other, children, 1) : 0;
    base = own + other;
    periods = 12;
    ceiling = 12 * max * factor;
    explanation.push(`On prend les revenus de l’année ${year} (il y a 2 ans) : ${euros(own)}${partner ? `, plus ceux de votre conjoint : ${euros(other)}` : ''}.`);
  }
  explanation.push(`Plafond de ressources pour cette période : ${euros(ceiling)}${partner ? ' (couple)' : ''}${children > 0 ? `, avec ${children} enfant${children > 1 ? 's' : ''}` : ''}.`);
  if (base >= ceiling) {
    explanation.push('Vos ressources dépassent le plafond : vous n’avez sans doute pas droit à l’AAH.');
    return result('aah', M, r, false, 0, explanation, extra);
  }
  const gap = (ceiling - base) / periods;
  const amount = Math.min(max, gap);
  explanation.push(
    base === 0
      ? `Vous pourriez recevoir l’AAH complète : ${euros(amount)} par mois.`
      : `Calcul : (${euros(ceiling)} − ${euros(base)}) ÷ ${periods} = ${euros(gap)}, dans la limite de ${euros(max)} par mois. Vous pourriez recevoir environ ${euros(amount)} par mois.`,
    'C’est une estimation. La MDPH et la CAF décident.',
  );
  return result('aah', M, r, eligible, amount, explanation, extra);
}

export function estimateAah(s: Situation, rules: Rules): AidResult[] {
  const r = new ScaleReader(rules);
  const minimum = r.at('aah.taux-minimum', s.month);
  const candidates = s.adults.map((a, i) => ({ a, i })).filter(({ a }) => (a.disabilityRate ?? 0) >= minimum);
  if (candidates.length === 0) {
    return [
      result('aah', s.month, r, false, 0, [
        `L’AAH est pour les personnes qui ont un taux d’incapacité d’au moins ${minimum} %, reconnu par la MDPH.`,
        'Personne dans votre foyer n’a déclaré un tel taux.',
      ]),
    ];
  }
  return candidates.map(({ i }) => aahFor(s, rules, i));
}

// ---------------------------------------------------------------- complémentaire santé solidaire

const AGE_BANDS: { min: number; id: FigureId; local: FigureId }[] = [
  { min: 70, id: 'css.participation.70-ans-et-plus', local: 'css.participation.alsace-moselle.70-ans-et-plus' },
  { min: 60, id: 'css.participation.60-69-ans', local: 'css.participation.alsace-moselle.60-69-ans' },
  { min: 50, id: 'css.participation.50-59-ans', local: 'css.participation.alsace-moselle.50-59-ans' },
  { min: 30, id: 'css.participation.30-49-ans', local: 'css.participation.alsace-moselle.30-49-ans' },
  { min: 0, id: 'css.participation.moins-de-30-ans', local: 'css.participation.alsace-moselle.moins-de-30-ans' },
];

/** The CSS values a home had for free at other rates than a housing benefit (CSS art. R. 861-5 and R. 861-7). */
const CSS_FLAT: { benefit: FlatRates; free: FlatRates } = {
  benefit: ['css.forfait-logement.avec-al.1-personne', 'css.forfait-logement.avec-al.2-personnes', 'css.forfait-logement.avec-al.3-personnes'],
  free: ['css.forfait-logement.sans-al.1-personne', 'css.forfait-logement.sans-al.2-personnes', 'css.forfait-logement.sans-al.3-personnes'],
};

export function estimateCss(s: Situation, rules: Rules, rsa: AidResult, aahIncome = 0): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  if (!s.residesInFrance) return result('css', M, r, false, null, [NOT_IN_FRANCE]);
  const started = `${M}-01` >= rules.figures.get('css.debut')!.values[0]!.from;
  const name = started ? 'la complémentaire santé solidaire' : 'la CMU complémentaire';
  const end = 'C’est une estimation. Seule votre caisse d’assurance maladie décide.';
  if (s.receivesRsa === true || (s.receivesRsa === undefined && rsa.eligible === true)) {
    return result('css', M, r, true, null, [`${s.receivesRsa ? 'Vous touchez' : 'Vous pourriez avoir'} le RSA. Avec le RSA, ${name} est gratuite.`, end], { cssLevel: 'gratuite', cssParticipation: 0 });
  }
  const n = s.adults.length + s.children.length;
  const ceilingBase = r.at('css.plafond', M);
  const factor =
    1 +
    (n >= 2 ? r.at('css.coefficient.deuxieme-personne', M) : 0) +
    r.at('css.coefficient.troisieme-quatrieme-personne', M) * Math.min(2, Math.max(0, n - 2)) +
    r.at('css.coefficient.cinquieme-personne-et-plus', M) * Math.max(0, n - 4);
  const free = ceilingBase * factor;
  const paid = free * (1 + r.at('css.majoration-participative', M));
  const year = monthsBefore(M, 12);
  let flats = 0;
  const resources =
    sum(
      year.map((m) => {
        const b = s.benefits[m]!;
        const flat = housingFlat(s, r, 'rsa', m, n, b.housingBenefit, CSS_FLAT).amount;
        flats += flat;
        return sum(s.adults.map((a) => incomeOf(a.income[m]))) + sum(s.children.map((c) => c.income?.[m] ?? 0)) + b.familyBenefits + b.familySupport + flat;
      }),
    ) +
    aahIncome * 12;
  const explanation = [
    `Estimation pour ${monthFr(M)}. Votre foyer compte ${n} personne${n > 1 ? 's' : ''}.`,
    `Les ressources de votre foyer sur les 12 mois avant : ${euros(resources)}${flats > 0 ? ` (forfait logement de ${euros(flats)} compris)` : ''}${aahIncome > 0 ? ' (AAH estimée comprise)' : ''}.`,
    started
      ? `Gratuite si vos ressources ne dépassent pas ${euros(free)} par an. Avec une participation jusqu’à ${euros(paid)} par an.`
      : `La CMU complémentaire est gratuite si vos ressources ne dépassent pas ${euros(free)} par an.`,
  ];
  if (resources <= free) {
    explanation.push(`Vos ressources sont sous le plafond : ${name} serait gratuite.`, end);
    return result('css', M, r, true, null, explanation, { cssLevel: 'gratuite', cssParticipation: 0 });
  }
  if (resources <= paid) {
    if (!started) {
      explanation.push(`Vos ressources dépassent le plafond de la CMU complémentaire. Avant novembre 2019, une aide pour payer une complémentaire (ACS) était possible jusqu’à ${euros(paid)} par an.`, end);
      return result('css', M, r, false, null, explanation);
    }
    const ages = [...s.adults.map((a) => a.age), ...s.children.map((c) => c.age)];
    const band = (age: number) => AGE_BANDS.find((b) => age >= b.min)!;
    const participation = sum(ages.map((age) => r.at(s.alsaceMoselle === true ? band(age).local : band(age).id, M)));
    explanation.push(
      'Vos ressources sont entre les deux plafonds : la complémentaire santé solidaire serait payante, mais à petit prix.',
      `Vous paieriez environ ${euros(participation)} par mois pour tout le foyer, selon l’âge de chaque personne${s.alsaceMoselle === true ? ' (régime d’Alsace-Moselle)' : ''}.`,
      end,
    );
    return result('css', M, r, true, null, explanation, { cssLevel: 'participation', cssParticipation: roundCents(participation) });
  }
  explanation.push(`Vos ressources dépassent le plafond : vous n’avez sans doute pas droit à ${name}.`, end);
  return result('css', M, r, false, null, explanation);
}


// ---------------------------------------------------------------- family benefits (CAF)

const END_CAF = 'C’est une estimation. Seule la CAF (ou la MSA) décide.';

/** Age in whole years on a day (AAAA-MM-JJ), from a birth date. */
function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * The household's resources of a civil year as the CAF counts them for family benefits (revenu net
 * catégoriel, CSS art. R. 532-3): what the person gave for that year, else the revenu fiscal de référence
 * (the tax notice is a fact), else each adult's pay of that year less the 10 % for work expenses plus the
 * other income. null: nothing known.
 */
function familyResourcesOf(s: Situation, r: ScaleReader, year: string, month: string): { amount: number; from: string } | null {
  const given = s.familyResources?.[year];
  if (given !== undefined) return { amount: given, from: `les ressources de ${year} que vous avez indiquées` };
  const rfr = s.referenceTaxIncome?.[year];
  if (rfr !== undefined) return { amount: rfr, from: `le revenu fiscal de référence de ${year}` };
  if (s.adults.every((a) => a.incomeByYear?.[year] !== undefined)) {
    const expenses = r.at('pf.frais-professionnels', month);
    const amount = sum(s.adults.map((a) => a.incomeByYear![year]!.earnings * (1 - expenses) + a.incomeByYear![year]!.other));
    return { amount, from: `vos revenus de ${year}, salaires moins ${percent(expenses)} de frais` };
  }
  return null;
}

const missingResources = (year: string) =>
  `Le montant dépend des ressources du foyer en ${year} (il y a 2 ans). Nous ne les connaissons pas : indiquez le revenu fiscal de référence de ${year} (sur l’avis d’impôt de ${Number(year) + 1}).`;

/** Children the family benefits count: under 20 (CSS art. R. 512-2). */
const dependants = (s: Situation, limit: number) => s.children.filter((c) => c.age < limit);

/**
 * Allocations familiales (CSS art. L. 521-1, D. 521-1 to D. 521-3): from two children under 20, a share of
 * the BMAF per child, more for a child of 14 or older (not the eldest of fewer than three), a lump sum the
 * year a child turns 20 in a family of three or more; halved or quartered above the two ceilings of the
 * resources of N-2, with a tapering supplement just above each ceiling.
 */
export function estimateAllocationsFamiliales(s: Situation, rules: Rules): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const id = 'allocations-familiales';
  if (!s.residesInFrance) return result(id, M, r, false, 0, [NOT_IN_FRANCE]);
  const limit = r.at('pf.age-limite', M);
  const kids = dependants(s, limit);
  const turning = s.children.filter((c) => c.age === limit);
  if (kids.length < 2) {
    return result(id, M, r, false, 0, [`Les allocations familiales sont pour les familles d’au moins 2 enfants de moins de ${limit} ans. Votre foyer en compte ${kids.length}.`]);
  }
  const bmaf = r.at('bmaf', M);
  const oldAge = r.at('af.majoration-age.age', M);
  const byAge = [...kids].sort((a, b) => b.age - a.age);
  // the eldest of a family of fewer than three children gets no increase for age (CSS art. R. 521-1)
  const increased = byAge.filter((c, i) => c.age >= oldAge && !(i === 0 && kids.length < 3)).length;
  const forfait = kids.length + turning.length >= r.at('af.forfait.nombre-enfants', M) ? turning.length : 0;
  const rate = r.at('af.taux.deux-enfants', M) + r.at('af.taux.enfant-supplementaire', M) * (kids.length - 2) + r.at('af.majoration-age.taux', M) * increased + r.at('af.forfait.taux', M) * forfait;
  const full = bmaf * rate;
  const explanation = [
    `Estimation pour ${monthFr(M)}. Votre foyer compte ${kids.length} enfants de moins de ${limit} ans${increased > 0 ? `, dont ${increased} de ${oldAge} ans ou plus (majoration pour âge)` : ''}${forfait > 0 ? `, et ${forfait} enfant${forfait > 1 ? 's' : ''} de ${limit} ans (allocation forfaitaire)` : ''}.`,
    `Montant plein : ${percent(rate)} de la base mensuelle des allocations familiales (${euros(bmaf)}) = ${euros(full)}.`,
  ];
  const year = String(Number(M.slice(0, 4)) - 2);
  const res = familyResourcesOf(s, r, year, M);
  if (res === null) {
    explanation.push(missingResources(year), `Avec des ressources sous le premier plafond, vous recevriez environ ${euros(full * (1 - r.at('crds.taux', M)))} par mois ; au-dessus, la moitié ou le quart.`, END_CAF);
    return result(id, M, r, 'unknown', null, explanation);
  }
  const extra = r.at('af.plafond.par-enfant', M) * (kids.length - 2);
  const ceiling1 = r.at('af.plafond.tranche-1', M) + extra;
  const ceiling2 = r.at('af.plafond.tranche-2', M) + extra;
  let share = 1;
  let supplement = 0;
  explanation.push(`Ressources retenues : ${euros(res.amount)} (${res.from}). Plafonds pour ${kids.length} enfants : ${euros(ceiling1)} et ${euros(ceiling2)}.`);
  if (res.amount > ceiling1) {
    const above2 = res.amount > ceiling2;
    share = r.at(above2 ? 'af.modulation.taux-tranche-3' : 'af.modulation.taux-tranche-2', M);
    const ceiling = above2 ? ceiling2 : ceiling1;
    // just above a ceiling, a supplement keeps the household from losing more than it earned (CSS art. D. 521-2)
    supplement = Math.max(0, (ceiling + 12 * full * share - res.amount) / 12);
    explanation.push(
      `Vos ressources dépassent le ${above2 ? 'second' : 'premier'} plafond : les allocations sont ${above2 ? 'divisées par 4' : 'divisées par 2'}, ${euros(full * share)}${supplement > 0 ? `, plus un complément dégressif de ${euros(supplement)}` : ''}.`,
    );
  } else explanation.push('Vos ressources sont sous le premier plafond : montant plein.');
  const gross = full * share + supplement;
  const net = gross * (1 - r.at('crds.taux', M));
  explanation.push(`Après la CRDS (${percent(r.at('crds.taux', M))}), vous pourriez recevoir environ ${euros(net)} d’allocations familiales pour ${monthFr(M)}.`, END_CAF);
  return result(id, M, r, true, net, explanation, { beforeCrds: roundCents(gross) });
}

/**
 * Allocation de soutien familial (CSS art. L. 523-1, R. 523-7): a parent alone whose children the other
 * parent does not support gets a share of the BMAF per child under 20. The complement when the support paid
 * is below it, and the rate for a child who lost both parents, are not estimated.
 */
export function estimateAsf(s: Situation, rules: Rules): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  if (!s.residesInFrance) return result('asf', M, r, false, 0, [NOT_IN_FRANCE]);
  const kids = dependants(s, r.at('pf.age-limite', M));
  if (s.adults.length !== 1 || kids.length === 0) {
    return result('asf', M, r, false, 0, ['L’allocation de soutien familial est pour un parent qui élève seul ses enfants, quand l’autre parent ne participe pas à leur entretien.']);
  }
  const perChild = r.at('asf.taux', M) * r.at('bmaf', M);
  const gross = perChild * kids.length;
  const net = gross * (1 - r.at('crds.taux', M));
  const explanation = [`Estimation pour ${monthFr(M)}. Vous élevez seul ${kids.length} enfant${kids.length > 1 ? 's' : ''}.`];
  if (s.otherParentSupportsChildren === true) {
    explanation.push('L’autre parent participe à l’entretien des enfants : l’allocation de soutien familial n’est pas due (sauf si sa pension est plus petite qu’elle : demandez à la CAF).');
    return result('asf', M, r, false, 0, explanation);
  }
  if (s.otherParentSupportsChildren === undefined) {
    explanation.push(
      'Elle est due si l’autre parent ne verse pas de pension alimentaire pour les enfants (ou s’il est décédé, ou inconnu). Nous ne le savons pas.',
      `Si c’est le cas, vous pourriez recevoir environ ${euros(net)} par mois (${euros(perChild * (1 - r.at('crds.taux', M)))} par enfant).`,
      END_CAF,
    );
    return result('asf', M, r, 'unknown', null, explanation);
  }
  explanation.push(`L’autre parent ne participe pas à leur entretien : ${percent(r.at('asf.taux', M))} de la base mensuelle des allocations familiales par enfant, ${euros(perChild)}.`);
  explanation.push(`Après la CRDS, vous pourriez recevoir environ ${euros(net)} d’allocation de soutien familial pour ${monthFr(M)}.`, END_CAF);
  return result('asf', M, r, true, net, explanation, { beforeCrds: roundCents(gross) });
}

/** The ARS band of a child for the school year starting in `year`, or null when too young or too old (CSS art. R. 543-2). */
function arsBand(c: Situation['children'][number], year: number, month: string, r: ScaleReader): FigureId | null {
  const min = r.at('ars.age-minimum', month);
  const max = r.at('ars.age-maximum', month);
  // the age the child reaches in the civil year of the school start; without a birth date, the age in the month estimated
  const reached = c.birthDate ? ageOn(c.birthDate, `${year}-12-31`) : c.age;
  const young = c.birthDate ? ageOn(c.birthDate, `${year + 1}-01-31`) >= min : reached >= min;
  const underMax = c.birthDate ? ageOn(c.birthDate, `${year}-09-15`) < max : reached < max;
  if (!young || !underMax) return null;
  if (reached >= 15) return 'ars.taux.15-18-ans';
  if (reached >= 11) return 'ars.taux.11-14-ans';
  return 'ars.taux.6-10-ans';
}

/**
 * Allocation de rentrée scolaire (CSS art. L. 543-1, R. 543-2 to R. 543-6, D. 543-1): paid in August of the
 * year estimated, per child of 6 to 18 at school, a share of the BMAF by age; under a ceiling of the
 * resources of N-2 (30 % more per child), and a differential allowance just above it.
 */
export function estimateArs(s: Situation, rules: Rules): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const year = Number(M.slice(0, 4));
  const august = `${year}-08`;
  if (!s.residesInFrance) return result('ars', M, r, false, null, [NOT_IN_FRANCE], { yearlyAmount: 0 });
  const bands = s.children.map((c) => ({ c, band: arsBand(c, year, M, r) })).filter((x) => x.band !== null && x.c.schooling !== 'aucune' && !(x.c.schooling === 'etudes-superieures'));
  if (bands.length === 0) {
    return result('ars', M, r, false, null, [`L’allocation de rentrée scolaire ${year} est pour les enfants de 6 à 18 ans scolarisés (ou apprentis). Votre foyer n’en compte pas.`], { yearlyAmount: 0 });
  }
  const bmaf = r.at('bmaf', august);
  const total = sum(bands.map((x) => bmaf * r.at(x.band!, august)));
  const crds = r.at('crds.taux', august);
  const explanation = [
    `Estimation pour la rentrée d’août ${year} : ${bands.length} enfant${bands.length > 1 ? 's' : ''} de 6 à 18 ans, ${euros(total)} en tout avant la CRDS.`,
  ];
  if (bands.some((x) => x.c.schooling === undefined && x.band === 'ars.taux.15-18-ans' && (x.c.birthDate ? ageOn(x.c.birthDate, `${year}-12-31`) : x.c.age) >= 16)) {
    explanation.push('À partir de 16 ans, l’enfant doit encore être à l’école ou en apprentissage : nous le supposons.');
  }
  const n2 = String(year - 2);
  const res = familyResourcesOf(s, r, n2, M);
  if (res === null) {
    explanation.push(missingResources(n2), END_CAF);
    return result('ars', M, r, 'unknown', null, explanation);
  }
  const kids = dependants(s, r.at('pf.age-limite', M)).length;
  const ceiling = r.at('ars.plafond', M) * (1 + r.at('ars.plafond.par-enfant', M) * kids);
  explanation.push(`Ressources retenues : ${euros(res.amount)} (${res.from}). Plafond pour ${kids} enfant${kids > 1 ? 's' : ''} à charge : ${euros(ceiling)}.`);
  // above the ceiling, what is left of ceiling + allowance after the resources (CSS art. R. 543-6)
  const gross = res.amount <= ceiling ? total : Math.max(0, Math.min(total, ceiling + total - res.amount));
  if (gross <= 0) {
    explanation.push('Vos ressources dépassent le plafond : vous n’avez sans doute pas droit à l’allocation de rentrée scolaire.', END_CAF);
    return result('ars', M, r, false, null, explanation, { yearlyAmount: 0, beforeCrds: 0 });
  }
  if (gross < total) explanation.push(`Vos ressources dépassent un peu le plafond : une allocation réduite (différentielle) de ${euros(gross)}.`);
  const net = gross * (1 - crds);
  explanation.push(`Après la CRDS, vous pourriez recevoir environ ${euros(net)} en août ${year}.`, END_CAF);
  return result('ars', M, r, true, null, explanation, { yearlyAmount: roundCents(net), beforeCrds: roundCents(gross) });
}

// ---------------------------------------------------------------- chèque énergie

const CE_TRANCHES = [1, 2, 3, 4] as const;

/**
 * Chèque énergie (code de l'énergie, art. L. 124-1, R. 124-1 and following): sent each spring for the year,
 * by the revenu fiscal de référence of N-2 per consumption unit of the dwelling; no application.
 */
export function estimateChequeEnergie(s: Situation, rules: Rules): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const year = M.slice(0, 4);
  const jan = `${year}-01`;
  if (!s.residesInFrance) return result('cheque-energie', M, r, false, null, [NOT_IN_FRANCE], { yearlyAmount: 0 });
  const persons = s.adults.length + s.children.length;
  const units =
    s.consumptionUnits ??
    r.at('cheque-energie.uc.premiere-personne', jan) + (persons >= 2 ? r.at('cheque-energie.uc.deuxieme-personne', jan) : 0) + r.at('cheque-energie.uc.personne-supplementaire', jan) * Math.max(0, persons - 2);
  const n2 = String(Number(year) - 2);
  const rfr = s.referenceTaxIncome?.[n2];
  const explanation = [`Chèque énergie ${year}. Votre logement compte ${comma(units)} unité${units > 1 ? 's' : ''} de consommation.`];
  if (rfr === undefined) {
    explanation.push(`Il se calcule sur le revenu fiscal de référence de ${n2} (sur l’avis d’impôt de ${Number(n2) + 1}). Nous ne le connaissons pas.`, 'Le chèque est envoyé sans demande, à l’adresse de votre déclaration d’impôt.');
    return result('cheque-energie', M, r, 'unknown', null, explanation);
  }
  const perUnit = rfr / units;
  const column = units <= 1 ? '1-uc' : units < 2 ? 'moins-de-2-uc' : '2-uc-et-plus';
  let amount = 0;
  for (const t of CE_TRANCHES) {
    const top = r.on(`cheque-energie.seuil-${t}`, `${jan}-01`);
    if (top !== null && perUnit < top) {
      amount = r.at(`cheque-energie.montant.tranche-${t}.${column}`, jan);
      break;
    }
  }
  explanation.push(`Revenu fiscal de référence de ${n2} : ${euros(rfr)}, soit ${euros(perUnit)} par unité de consommation.`);
  if (amount <= 0) {
    explanation.push('C’est au-dessus du plafond : pas de chèque énergie cette année.');
    return result('cheque-energie', M, r, false, null, explanation, { yearlyAmount: 0 });
  }
  explanation.push(`Vous pourriez recevoir un chèque énergie d’environ ${euros(amount)} pour ${year}. Il est envoyé sans demande, à l’adresse de votre déclaration d’impôt.`);
  return result('cheque-energie', M, r, true, null, explanation, { yearlyAmount: amount });
}

// ---------------------------------------------------------------- bourse de lycée

const ECHELONS = [6, 5, 4, 3, 2, 1] as const;
const END_LYCEE = 'C’est une estimation. La demande se fait au lycée ou en ligne (Scolarité services) ; le rectorat décide.';

/** The ceiling of an échelon for a number of dependent children (8 or more share the last column). */
function lyceeCeilingId(echelon: number, children: number): FigureId {
  const k = Math.min(Math.max(children, 1), 8);
  return `bourse-lycee.plafond.echelon-${echelon}.${k}-enfant${k > 1 ? 's' : ''}` as FigureId;
}

/**
 * Bourse nationale de lycée (code de l'éducation, art. D. 531-20 and following, D. 531-29; arrêté du 22
 * mars 2016): for the school year starting in September of the year estimated (from January to August, the
 * coming one, whose request is made in spring or at the start of the year), by the revenu fiscal de
 * référence of N-2 and the number of dependent children; one amount a year per child at lycée.
 */
export function estimateBourseLycee(s: Situation, rules: Rules): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const id = 'bourse-lycee';
  const year = Number(M.slice(0, 4));
  const rentree = `${year}-09`;
  const schoolYear = `${year}-${year + 1}`;
  if (!s.residesInFrance) return result(id, M, r, false, null, [NOT_IN_FRANCE], { yearlyAmount: 0 });
  if (s.children.length === 0) return result(id, M, r, false, null, ['La bourse de lycée est pour un enfant à charge qui va au lycée. Votre foyer n’a pas d’enfant.'], { yearlyAmount: 0 });
  const lyceens = s.children.filter((c) => c.schooling === 'lycee').length;
  const untold = s.children.filter((c) => c.schooling === undefined).length;
  const explanation = [`Bourse de lycée pour l’année scolaire ${schoolYear}.`];
  if (lyceens === 0) {
    if (untold > 0) {
      explanation.push(
        'Nous ne savons pas lequel de vos enfants est au lycée (ou y entre à la rentrée) : nous ne pouvons pas l’estimer ici.',
        'Dites-nous quel enfant est ou sera au lycée (seconde, première, terminale, CAP ou bac pro).',
      );
      return result(id, M, r, 'unknown', null, explanation);
    }
    explanation.push('Aucun de vos enfants n’est au lycée : la bourse de lycée n’est pas due.');
    return result(id, M, r, false, null, explanation, { yearlyAmount: 0 });
  }
  const n2 = String(year - 2);
  const rfr = s.referenceTaxIncome?.[n2];
  const kids = s.children.length;
  explanation.push(`${lyceens} enfant${lyceens > 1 ? 's' : ''} au lycée, ${kids} enfant${kids > 1 ? 's' : ''} à charge en tout.`);
  if (untold > 0) explanation.push('Nous comptons seulement les enfants dont vous avez dit qu’ils sont au lycée.');
  if (rfr === undefined) {
    explanation.push(
      `Elle se calcule sur le revenu fiscal de référence de ${n2} (sur l’avis d’impôt de ${year - 1}). Nous ne le connaissons pas : nous ne pouvons pas l’estimer ici.`,
      END_LYCEE,
    );
    return result(id, M, r, 'unknown', null, explanation);
  }
  const smic = r.at('bourse-lycee.smic-reference', rentree);
  // the highest échelon whose ceiling the income does not exceed (arrêté du 22 mars 2016, art. 1: coefficient × SMIC, to the nearest euro)
  let echelon = 0;
  let ceiling = 0;
  for (const e of ECHELONS) {
    const c = Math.round(r.at(lyceeCeilingId(e, kids), rentree) * smic);
    if (rfr <= c) {
      echelon = e;
      ceiling = c;
      break;
    }
  }
  explanation.push(`Revenu fiscal de référence de ${n2} : ${euros(rfr)}.`);
  if (echelon === 0) {
    const top = Math.round(r.at(lyceeCeilingId(1, kids), rentree) * smic);
    explanation.push(`C’est au-dessus du plafond de ${euros(top)} pour ${kids} enfant${kids > 1 ? 's' : ''} à charge : pas de bourse de lycée.`, END_LYCEE);
    return result(id, M, r, false, null, explanation, { yearlyAmount: 0 });
  }
  // a share of the BMAF of 1 January of the year of the rentrée (art. D. 531-29), paid in instalments of whole euros
  const bmaf = r.at('bmaf', `${year}-01`);
  const payments = r.at('bourse-lycee.versements', rentree);
  const share = r.at(`bourse-lycee.montant.echelon-${echelon}` as FigureId, rentree);
  const perChild = Math.round((share * bmaf) / payments) * payments;
  const total = perChild * lyceens;
  explanation.push(
    `C’est sous le plafond de l’échelon ${echelon} (${euros(ceiling)} pour ${kids} enfant${kids > 1 ? 's' : ''} à charge).`,
    `Échelon ${echelon} : ${percent(share)} de la base mensuelle des allocations familiales (${euros(bmaf)}), soit ${euros(perChild)} par an et par enfant au lycée, en ${payments} versements de ${euros(perChild / payments)}.`,
    `Vous pourriez recevoir environ ${euros(total)} pour l’année ${schoolYear}.`,
    END_LYCEE,
  );
  return result(id, M, r, true, null, explanation, { yearlyAmount: total });
}

// ---------------------------------------------------------------- aides au logement (location)

const END_AL = 'C’est une estimation. Seule la CAF (ou la MSA) décide.';

/** The rent ceiling of a zone for the household (CCH art. D. 823-16). */
function rentCeiling(r: ScaleReader, month: string, zone: Zone, couple: boolean, dependants: number): number {
  const z = `al.plafond.zone-${zone}` as const;
  if (dependants === 0) return r.at(couple ? `${z}.couple` : `${z}.seul`, month);
  return r.at(`${z}.un-enfant`, month) + r.at(`${z}.enfant-supplementaire`, month) * (dependants - 1);
}

const BY_DEPENDANTS = ['1-personne-a-charge', '2-personnes-a-charge', '3-personnes-a-charge', '4-personnes-a-charge', '5-personnes-a-charge', '6-personnes-a-charge'] as const;

/** A figure that depends on the household (TF, R0): alone, couple, 1 to 6 dependants, then a step per dependant. */
function byHousehold(r: ScaleReader, month: string, prefix: 'al.tf' | 'al.r0', couple: boolean, dependants: number): number {
  if (dependants === 0) return r.at(`${prefix}.${couple ? 'couple' : 'personne-seule'}`, month);
  const capped = Math.min(dependants, 6);
  return r.at(`${prefix}.${BY_DEPENDANTS[capped - 1]!}`, month) + r.at(`${prefix}.par-personne-supplementaire`, month) * (dependants - capped);
}

/**
 * The yearly resources the housing aid counts (CCH art. R. 822-3 and following): from January 2021 the 12
 * months ending 2 months before the quarter (revised each quarter), before that the year N-2; pay,
 * pensions and unemployment benefit less 10 %; apprentice pay only above the annual SMIC it is exempt of
 * tax up to (CGI art. 81 bis), then less 10 % like pay; self-employed profit as declared (no 10 %), of the
 * year N-2 even after 2021; a student under 28 counts at least (before 2021) or exactly (since 2021) a lump
 * sum, lower for a scholarship holder; rounded up to the next hundred.
 */
function housingResources(s: Situation, rules: Rules, r: ScaleReader, month: string): { amount: number; why: string } | { missing: string } {
  const expenses = r.at('al.ressources.frais-professionnels', month);
  const reform = `${month}-01` >= rules.figures.get('al.contemporaneisation')!.values[0]!.from;
  const year = String(Number(month.slice(0, 4)) - 2);
  // the apprentice pay of a year is exempt up to that many months of SMIC (151,67 h a month)
  const exempt = (m: string) => r.at('al.ressources.apprenti-exoneration', m) * r.at('smic.horaire', m) * r.at('smic.heures-mensuelles', m);
  let amount: number;
  let why: string;
  if (reform) {
    const quarterStart = addMonths(month, -((Number(month.slice(5, 7)) - 1) % 3));
    const window = monthsBefore(quarterStart, 13).slice(0, 12);
    // a month before the 12 the situation gives is taken as the same month a year later
    const incomes = (a: Situation['adults'][number]) => window.map((m) => a.income[m] ?? a.income[addMonths(m, 12)]).filter((i): i is MonthIncome => i !== undefined);
    if (s.adults.some((a) => incomes(a).some((i) => (i.selfEmployed ?? 0) > 0) && a.incomeByYear?.[year] === undefined)) {
      return { missing: `L’aide au logement compte les revenus d’indépendant de l’année ${year} (il y a 2 ans), tels que déclarés aux impôts. Nous ne les connaissons pas.` };
    }
    amount = sum(
      s.adults.map((a) => {
        const months = incomes(a);
        const apprentice = sum(months.map((i) => i.apprenticePay ?? 0));
        const pay = sum(months.map((i) => i.earnings - (i.apprenticePay ?? 0) - (i.selfEmployed ?? 0) + i.unemploymentBenefits + i.pensions));
        const taxedApprentice = apprentice > 0 ? Math.max(0, apprentice - exempt(month)) : 0;
        return (pay + taxedApprentice) * (1 - expenses) + sum(months.map((i) => i.other)) + (a.incomeByYear?.[year]?.selfEmployed ?? 0);
      }),
    );
    why = `vos revenus de ${monthFr(window[0]!)} à ${monthFr(window[11]!)}`;
    if (s.adults.some((a) => (a.incomeByYear?.[year]?.selfEmployed ?? 0) > 0)) why += ` et vos revenus d’indépendant de ${year}`;
  } else {
    if (!s.adults.every((a) => a.incomeByYear?.[year] !== undefined)) return { missing: `Avant 2021, l’aide au logement se calcule sur les revenus de l’année ${year} (il y a 2 ans). Nous ne les connaissons pas.` };
    amount = sum(
      s.adults.map((a) => {
        const y = a.incomeByYear![year]!;
        const apprentice = y.apprenticePay ?? 0;
        const pay = y.earnings - apprentice - (y.selfEmployed ?? 0) + (apprentice > 0 ? Math.max(0, apprentice - exempt(`${year}-01`)) : 0);
        // pensions and unemployment benefit, given among the other income, are less 10 % too (CGI art. 158, 5° a)
        const replacement = Math.min(y.replacementIncome ?? 0, y.other);
        return (pay + replacement) * (1 - expenses) + (y.selfEmployed ?? 0) + y.other - replacement;
      }),
    );
    why = `vos revenus de ${year}`;
  }
  const ageMax = r.at('al.etudiant.age-maximum', month);
  const students = s.adults.every((a) => a.student === true && a.age < ageMax);
  if (students) {
    const lump = r.at('al.etudiant.forfait', month) - (s.adults.some((a) => a.scholarshipHolder === true) ? r.at('al.etudiant.minoration-boursier', month) : 0);
    if (reform) {
      amount = lump;
      why = `le forfait étudiant${s.adults.some((a) => a.scholarshipHolder === true) ? ' (boursier)' : ''}`;
    } else if (lump > amount) {
      amount = lump;
      why = 'le plancher de ressources des étudiants';
    }
  }
  const step = r.at('al.ressources.arrondi', month);
  // to the cent first, so that a yearly amount spread over months does not cross a hundred by a rounding error
  return { amount: Math.ceil(roundCents(amount) / step) * step, why };
}

/**
 * The share of the aid kept when the rent (without charges) is high: all of it up to the ceiling times the
 * zone's dégressivité coefficient, then less and less, none from the ceiling times its suppression
 * coefficient (CCH art. D. 823-16; arrêté du 27 septembre 2019, art. 10).
 */
function highRent(r: ScaleReader, month: string, zone: Zone, ceiling: number, rent: number): { keep: number; why: string } {
  const from = roundCents(ceiling * r.at(`al.degressivite.zone-${zone}`, month));
  const to = roundCents(ceiling * r.at(`al.suppression.zone-${zone}`, month));
  if (rent <= from) return { keep: 1, why: '' };
  if (rent >= to) return { keep: 0, why: `Votre loyer hors charges (${euros(rent)}) atteint ${euros(to)} : à ce niveau de loyer, l’aide au logement n’est pas versée.` };
  const keep = 1 - (rent - from) / (to - from);
  return { keep, why: `Votre loyer hors charges (${euros(rent)}) dépasse ${euros(from)} : l’aide baisse, il en reste ${percent(keep)}, moins la baisse forfaitaire.` };
}

/** The zone given, else the zone of the commune from the table (arrêté du 17 mars 1978), else why it is unknown. */
function housingZone(h: Extract<Situation['housing'], { status: 'tenant' }>, zones: ZonesApl | undefined): Zone | string {
  if (h.zone !== undefined) return h.zone;
  const unknown = 'Le montant dépend de la zone de votre commune (1 : Paris et sa région, 2 : grandes villes, 3 : ailleurs).';
  if (h.commune === undefined) return `${unknown} Nous ne la connaissons pas.`;
  if (zones === undefined) return `${unknown} La table des zones n’est pas chargée : nous ne pouvons pas la trouver.`;
  return zoneOfCommune(zones, h.commune) ?? `${unknown} Le code commune ${h.commune} n’est pas une commune connue.`;
}

/**
 * Aide au logement for a tenant (APL, ALF or ALS, the same amount; CCH art. L. 823-1, D. 823-16 and
 * D. 823-17): rent within the zone's ceiling + the charges lump sum − the household's participation.
 */
export function estimateAidesLogement(s: Situation, rules: Rules, zones?: ZonesApl): AidResult {
  const r = new ScaleReader(rules);
  const M = s.month;
  const id = 'aides-logement';
  if (!s.residesInFrance) return result(id, M, r, false, 0, [NOT_IN_FRANCE]);
  const h = s.housing;
  if (h.status === 'owner') {
    return result(id, M, r, h.repayingLoan ? 'unknown' : false, h.repayingLoan ? null : 0, [
      h.repayingLoan ? 'Pour un propriétaire qui rembourse un prêt, l’aide au logement existe dans quelques cas (prêt signé avant 2018, outre-mer) : nous ne l’estimons pas. Demandez à la CAF.' : 'L’aide au logement aide à payer un loyer ou un prêt. Vous êtes propriétaire sans prêt : elle n’est pas due.',
    ]);
  }
  if (h.status !== 'tenant') return result(id, M, r, false, 0, ['L’aide au logement aide à payer un loyer : il faut être locataire (ou en foyer) et payer un loyer.']);
  if (h.kind === 'foyer') return result(id, M, r, 'unknown', null, ['Pour un logement-foyer ou une résidence (CROUS, résidence sociale), le calcul est différent : nous ne l’estimons pas. Demandez à la CAF ou au foyer.']);
  const zone = housingZone(h, zones);
  if (typeof zone === 'string') return result(id, M, r, 'unknown', null, [zone, 'Le simulateur de la CAF la trouve avec votre code postal.']);
  const res = housingResources(s, rules, r, M);
  if ('missing' in res) return result(id, M, r, 'unknown', null, [res.missing]);
  const couple = s.adults.length === 2;
  const dependants = s.children.filter((c) => c.age < r.at('al.age-limite-enfant', M)).length;
  const rent = Math.max(0, h.rent - (h.charges ?? 0));
  const ceiling = rentCeiling(r, M, zone, couple, dependants);
  const L = Math.min(rent, ceiling);
  const C = r.at('al.charges.base', M) + r.at('al.charges.par-personne-a-charge', M) * dependants;
  const P0 = Math.max(r.at('al.p0.taux', M) * (L + C), r.at('al.p0.forfait', M));
  const ratio = L / rentCeiling(r, M, 2, couple, dependants);
  const s1 = r.at('al.tl.seuil-1', M);
  const s2 = r.at('al.tl.seuil-2', M);
  const t2 = r.at('al.tl.taux-2', M);
  const TL = ratio < s1 ? 0 : ratio < s2 ? t2 * (ratio - s1) : t2 * (s2 - s1) + r.at('al.tl.taux-3', M) * (ratio - s2);
  const Tp = byHousehold(r, M, 'al.tf', couple, dependants) + TL;
  const R0 = byHousehold(r, M, 'al.r0', couple, dependants);
  const Pp = P0 + Tp * Math.max(0, res.amount - R0);
  const computed = L + C - Pp;
  // a rent far above the ceiling lowers the aid, then ends it (arrêté du 27 septembre 2019, art. 10)
  const high = highRent(r, M, zone, ceiling, rent);
  const cut = r.at('al.abattement-forfaitaire', M);
  const gross = Math.max(0, computed * high.keep - cut);
  const explanation = [
    `Estimation pour ${monthFr(M)}, zone ${zone}. ${describeHousehold(s.adults.length, dependants)}`,
    rent > ceiling ? `Loyer retenu : ${euros(L)} (votre loyer hors charges, ${euros(rent)}, dépasse le plafond de la zone).` : `Loyer retenu : ${euros(L)} (le plafond de la zone est ${euros(ceiling)}).`,
    `Forfait charges : ${euros(C)}.`,
    `Ressources retenues : ${euros(res.amount)} par an (${res.why}). Votre participation : ${euros(Pp)} par mois.`,
    high.keep === 1 ? calculation(`${euros(L)} + ${euros(C)} − ${euros(Pp)} − ${euros(cut)}`, computed - cut) : high.why,
  ];
  const minimum = r.at('al.montant-minimum', M);
  if (gross < minimum) {
    explanation.push(gross <= 0 ? 'Vos ressources sont trop hautes pour ce loyer : vous n’avez sans doute pas droit à l’aide au logement.' : `L’aide au logement n’est pas versée si elle fait moins de ${euros(minimum)} par mois.`, END_AL);
    return result(id, M, r, false, 0, explanation, { beforeCrds: 0 });
  }
  // in social housing the landlord lowers the rent by the RLS, and the APL by most of it (CCH art. L. 442-2-1, D. 823-16)
  const rls = h.rentReduction ?? 0;
  const share = r.at('al.rls.baisse-aide', M);
  const paid = Math.max(0, roundCents(gross) - rls * share);
  if (rls > 0) explanation.push(`Votre bailleur baisse votre loyer de ${euros(rls)} (réduction de loyer de solidarité) : l’aide baisse de ${percent(share)} de ce montant, ${euros(rls * share)}, et reste ${euros(paid)}.`);
  const net = roundCents(paid * (1 - r.at('crds.taux', M)));
  explanation.push(
    `Après la CRDS, vous pourriez recevoir environ ${euros(net)} d’aide au logement pour ${monthFr(M)}.`,
    ...(rls > 0 ? [] : ['Dans un logement social, la réduction de loyer de solidarité (RLS) baisse le loyer et l’aide : dites-la si votre avis d’échéance la montre.']),
    END_AL,
  );
  return result(id, M, r, paid > 0, net, explanation, { beforeCrds: roundCents(paid) });
}

// ---------------------------------------------------------------- aids the MDPH assesses

const MDPH_WORDS: Record<'pch' | 'cmi' | 'demande-mdph', string> = {
  pch: 'La prestation de compensation du handicap dépend des besoins d’aide de la personne, évalués chez elle par l’équipe de la MDPH : il n’y a pas de montant à estimer ici.',
  cmi: 'La carte mobilité inclusion (invalidité, priorité, stationnement) dépend du taux d’incapacité et de la gêne à la marche, évalués par la MDPH.',
  'demande-mdph': 'La demande à la MDPH ouvre l’examen de vos droits liés au handicap (AAH, PCH, carte, orientation). La MDPH l’évalue.',
};

/** PCH, CMI and the MDPH request: never an amount, the MDPH assesses each person. */
export function mdphAssessed(s: Situation, rules: Rules): AidResult[] {
  const r = new ScaleReader(rules);
  return (['pch', 'cmi', 'demande-mdph'] as const).map((id) => result(id, s.month, r, 'unknown', null, ['C’est la MDPH qui évalue.', MDPH_WORDS[id]]));
}

// ---------------------------------------------------------------- all aids

export function estimate(s: Situation, rules: Rules, zones?: ZonesApl): Estimate {
  if (s.month < rules.firstMonth || s.month > rules.lastMonth) {
    throw new EstimateError(`Les barèmes connus vont de ${monthFr(rules.firstMonth)} à ${monthFr(rules.lastMonth)} : pas d’estimation pour ${monthFr(s.month)}.`);
  }
  const warnings = ['Ceci est une estimation. Elle ne donne aucun droit. Seuls les organismes (CAF, MSA, MDPH, assurance maladie) décident.'];
  // An AAH the household would receive counts in the resources of the RSA, the prime d'activité and the CSS.
  const aah = estimateAah(s, rules);
  const aahByAdult = s.adults.map((_, i) => {
    const mine = aah.find((x) => x.person === (i === 0 ? 'demandeur' : 'conjoint'));
    return mine && mine.eligible === true && mine.monthlyAmount !== null ? mine.monthlyAmount : 0;
  });
  const aahIncome = sum(aahByAdult);
  const rsa = estimateRsa(s, rules, aahIncome);
  const results = [
    rsa,
    estimatePrimeActivite(s, rules, aahByAdult),
    ...aah,
    estimateCss(s, rules, rsa, aahIncome),
    estimateAidesLogement(s, rules, zones),
    estimateAllocationsFamiliales(s, rules),
    estimateAsf(s, rules),
    estimateArs(s, rules),
    estimateChequeEnergie(s, rules),
    estimateBourseLycee(s, rules),
    ...mdphAssessed(s, rules),
  ];
  const scales = new Map<string, ScaleUse>();
  for (const res of results) for (const u of res.scales) scales.set(`${u.id}@${u.from}`, u);
  return {
    month: s.month,
    rulesCover: { first: rules.firstMonth, last: rules.lastMonth },
    estimate: true,
    warnings,
    results,
    scales: [...scales.values()].sort((a, b) => (a.id === b.id ? a.from.localeCompare(b.from) : a.id.localeCompare(b.id))),
  };
}
