// The estimate engine: pure functions from a dated household situation and the rules (dated official
// figures, assets/aids/rules) to an estimate per aid for one month — RSA, prime d'activité, AAH,
// complémentaire santé solidaire. No I/O, no clock: it runs the same on the server and on the kiosk,
// offline. Each result lists the figures it used (value, start date, text), so an estimate can be checked.
// The explanations are short plain-French sentences that show the calculation with the figures.
import { euros, monthFr, roundCents } from '../format.ts';
import { lastDay, monthsBefore, ScaleReader, type FigureId, type Rules, type ScaleUse } from './rules.ts';
import type { MonthIncome, Situation } from './situation.ts';
import { ESTIMATE_WORDS } from './words.ts';

export type AidId = 'rsa' | 'prime-activite' | 'aah' | 'css';

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

// ---------------------------------------------------------------- all aids

export function estimate(s: Situation, rules: Rules): Estimate {
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
  const results = [rsa, estimatePrimeActivite(s, rules, aahByAdult), ...aah, estimateCss(s, rules, rsa, aahIncome)];
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
