// Simulation engine: pure functions from a household situation and a dated rules file to an estimate per
// aid (RSA, prime d'activité, AAH, complémentaire santé solidaire). No I/O, no clock unless given: the
// rules come in as data, so a new scale is a new rules file, never a code change.
// The explanations are short plain-French (FALC) sentences that show the calculation with the figures.
import { dateFr, euros, roundCents } from '../format.ts';
import { ESTIMATE_WORDS } from './words.ts';
import type { Rules } from './rules.ts';
import type { Situation } from './situation.ts';

export type AidId = 'rsa' | 'prime-activite' | 'aah' | 'css';

export interface AidResult {
  aid: AidId;
  eligible: boolean | 'unknown';
  /** Estimated amount paid each month, in euros; null when it cannot be estimated (or for the CSS, which is not paid in money). */
  monthlyAmount: number | null;
  explanation: string[];
  estimate: true;
  rulesVersion: string;
  /** AAH: whose right this is. */
  person?: 'demandeur' | 'conjoint';
  /** CSS: free, or with a monthly participation. */
  cssLevel?: 'gratuite' | 'participation';
}

export interface Simulation {
  rulesVersion: string;
  validFrom: string;
  estimate: true;
  warnings: string[];
  results: AidResult[];
}

// ---------------------------------------------------------------- helpers

// rounding to the cent and writing amounts are the format module's, the same on every screen and printout
export { euros, roundCents };

/** "Calcul : a − b = c." — never a negative amount shown to the person: below zero, said in words. */
function calculation(operation: string, amount: number): string {
  return amount < 0 ? `Calcul : ${operation}. Le résultat est plus petit que 0 €.` : `Calcul : ${operation} = ${euros(amount)}.`;
}


const percent = (rate: number): string => `${String(roundCents(rate * 100)).replace('.', ',')} %`;

type Household = Pick<Situation, 'adults' | 'children'>;
type Scale = { baseAmount: number; householdIncrease: { secondPerson: number; additionalPerson: number; fromThirdChild: number } };
type FlatRates = { onePerson: number; twoPersons: number; threeOrMorePersons: number };

/** Coefficient of the household: 1, +50 % for the 2nd person, +30 % for each next one, +40 % from the 3rd child. */
export function householdCoefficient(adults: number, children: number, inc: Scale['householdIncrease']): number {
  let coef = 1;
  for (let i = 1; i < adults + children; i++) {
    const childIndex = i - adults; // 0 for the first child, negative for the spouse
    if (childIndex >= 2) coef += inc.fromThirdChild;
    else if (i === 1) coef += inc.secondPerson;
    else coef += inc.additionalPerson;
  }
  return coef;
}

/** Montant forfaitaire of the household, rounded to the cent. */
export function householdAmount(scale: Scale, h: Household): number {
  return roundCents(scale.baseAmount * householdCoefficient(h.adults.length, h.children.length, scale.householdIncrease));
}

const persons = (h: Household): number => h.adults.length + h.children.length;

/** Forfait logement for the household size (1, 2, 3 or more persons), rounded to the cent. */
export function housingFlatAmount(scale: Scale, rates: FlatRates, personCount: number): number {
  const { secondPerson, additionalPerson } = scale.householdIncrease;
  if (personCount <= 1) return roundCents(scale.baseAmount * rates.onePerson);
  if (personCount === 2) return roundCents(scale.baseAmount * (1 + secondPerson) * rates.twoPersons);
  return roundCents(scale.baseAmount * (1 + secondPerson + additionalPerson) * rates.threeOrMorePersons);
}

interface Flat {
  amount: number;
  why: string;
}

/**
 * The forfait logement counted as a resource, or null when the housing does not call for one. It values
 * a home had for free (owner without a loan, hosted free) or a housing benefit (CASF art. R. 262-9 and
 * R. 262-10 for the RSA; the same rule for the prime d'activité): a person without a fixed home has
 * neither, so nothing is counted, and the estimate says so.
 */
function housingFlat(s: Situation, scale: Scale, rates: FlatRates): Flat | null {
  const full = housingFlatAmount(scale, rates, persons(s));
  const n = persons(s);
  const who = n === 1 ? '1 personne' : n === 2 ? '2 personnes' : '3 personnes ou plus';
  const h = s.housing;
  if (h.status === 'homeless') return { amount: 0, why: ESTIMATE_WORDS.noFixedHome };
  if (h.status === 'hosted-free') return { amount: full, why: `Vous êtes hébergé gratuitement : on compte un forfait logement de ${euros(full)} (foyer de ${who}).` };
  if (h.status === 'owner' && !h.repayingLoan) return { amount: full, why: `Vous êtes propriétaire sans prêt à rembourser : on compte un forfait logement de ${euros(full)} (foyer de ${who}).` };
  if (h.status === 'tenant' && h.housingBenefit > 0) {
    const amount = Math.min(full, h.housingBenefit);
    return { amount, why: `Vous recevez une aide au logement : on compte un forfait logement de ${euros(amount)} (${euros(full)} au plus pour un foyer de ${who}).` };
  }
  return null;
}

const sumResources = (r: Situation['adults'][number]['resources']): number => r.salaries + r.unemploymentBenefits + r.pensions + r.other;
const householdResources = (s: Situation): number => roundCents(s.adults.reduce((t, a) => t + sumResources(a.resources), 0));
const householdEarnings = (s: Situation): number => roundCents(s.adults.reduce((t, a) => t + a.resources.salaries, 0));

function describeHousehold(h: Household): string {
  const who = h.adults.length === 2 ? 'un couple' : 'une personne seule';
  const c = h.children.length;
  return c === 0 ? `Votre foyer : ${who}, sans enfant.` : `Votre foyer : ${who}, avec ${c} enfant${c > 1 ? 's' : ''}.`;
}

function result(rules: Rules, aid: AidId, eligible: boolean | 'unknown', monthlyAmount: number | null, explanation: string[], extra: Partial<AidResult> = {}): AidResult {
  return { aid, eligible, monthlyAmount, explanation, estimate: true, rulesVersion: rules.version, ...extra };
}

const NOT_IN_FRANCE = 'Il faut vivre en France de façon stable. Vous avez dit que ce n’est pas votre cas.';

// ---------------------------------------------------------------- RSA

export function simulateRsa(s: Situation, rules: Rules, aahIncome = 0): AidResult {
  const r = rules.rsa;
  if (!s.residesInFrance) return result(rules, 'rsa', false, 0, [NOT_IN_FRANCE]);
  const oldest = Math.max(...s.adults.map((a) => a.age));
  if (oldest < r.minimumAge && s.children.length === 0) {
    return result(rules, 'rsa', 'unknown', null, [
      `En général, il faut avoir au moins ${r.minimumAge} ans pour le RSA.`,
      'Avant 25 ans, le RSA est possible si vous attendez un enfant, ou si vous avez travaillé au moins 2 ans pendant les 3 dernières années.',
      'Demandez à un conseiller ou à la CAF.',
    ]);
  }
  const forfait = householdAmount(r, s);
  const coef = householdCoefficient(s.adults.length, s.children.length, r.householdIncrease);
  const resources = roundCents(householdResources(s) + aahIncome);
  const flat = housingFlat(s, r, r.housingFlatRate);
  const explanation = [
    describeHousehold(s),
    coef === 1
      ? `Le montant de base du RSA pour une personne seule est de ${euros(forfait)} par mois.`
      : `Le montant de base du RSA est de ${euros(r.baseAmount)} pour une personne seule. Pour votre foyer, il est multiplié par ${String(roundCents(coef)).replace('.', ',')} : ${euros(forfait)} par mois.`,
    resources > 0
      ? `Les ressources de votre foyer sont de ${euros(resources)} par mois${aahIncome > 0 ? ` (dont l’AAH estimée : ${euros(aahIncome)})` : ''}.`
      : 'Votre foyer n’a pas de ressources.',
  ];
  if (flat) explanation.push(flat.why);
  const counted = roundCents(resources + (flat?.amount ?? 0));
  const amount = roundCents(forfait - counted);
  explanation.push(calculation(`${euros(forfait)} − ${euros(counted)}`, amount));
  if (amount < r.minimumPayment) {
    explanation.push(
      amount <= 0
        ? 'Vos ressources sont plus hautes que le montant du RSA : vous n’avez sans doute pas droit au RSA.'
        : `Le RSA n’est pas versé s’il fait moins de ${euros(r.minimumPayment)} par mois.`,
    );
    return result(rules, 'rsa', false, 0, explanation);
  }
  explanation.push(`Vous pourriez recevoir environ ${euros(amount)} de RSA par mois.`);
  if (s.adults.length === 1 && s.children.length > 0) {
    explanation.push('Vous élevez seul vos enfants : le RSA peut être plus élevé (RSA majoré). Ce calcul ne le compte pas.');
  }
  explanation.push('C’est une estimation. Seule la CAF (ou la MSA) décide.');
  return result(rules, 'rsa', true, amount, explanation);
}

// ---------------------------------------------------------------- prime d'activité

function bonification(earnings: number, b: Rules['primeActivite']['bonification']): number | null {
  if (earnings < b.startMonthlyEarnings) return 0;
  if (b.maxAmount === null) return null;
  if (earnings >= b.fullMonthlyEarnings) return b.maxAmount;
  return roundCents((b.maxAmount * (earnings - b.startMonthlyEarnings)) / (b.fullMonthlyEarnings - b.startMonthlyEarnings));
}

export function simulatePrimeActivite(s: Situation, rules: Rules, aahIncome = 0): AidResult {
  const p = rules.primeActivite;
  if (!s.residesInFrance) return result(rules, 'prime-activite', false, 0, [NOT_IN_FRANCE]);
  const workers = s.adults.filter((a) => a.age >= p.minimumAge && a.resources.salaries > 0);
  if (workers.length === 0) {
    // the true reason: salaries declared by adults too young are not "no salary"
    const tooYoung = s.adults.some((a) => a.age < p.minimumAge && a.resources.salaries > 0);
    return result(rules, 'prime-activite', false, 0, [
      tooYoung
        ? ESTIMATE_WORDS.primeTooYoung(p.minimumAge)
        : 'La prime d’activité est pour les personnes qui travaillent. Personne dans votre foyer n’a déclaré de salaire.',
    ]);
  }
  const forfait = householdAmount(p, s);
  const earnings = householdEarnings(s);
  const earnedPart = roundCents(earnings * p.earnedIncomeRate);
  const resources = householdResources(s);
  const flat = housingFlat(s, p, p.housingFlatRate);
  const counted = roundCents(resources + (flat?.amount ?? 0));

  let bonus = 0;
  let bonusMissing = false;
  for (const w of workers) {
    const b = bonification(w.resources.salaries, p.bonification);
    if (b === null) bonusMissing = true;
    else bonus = roundCents(bonus + b);
  }

  const explanation = [
    describeHousehold(s),
    `Le montant de base de la prime d’activité pour votre foyer est de ${euros(forfait)} par mois.`,
    `On ajoute ${percent(p.earnedIncomeRate)} de vos salaires : ${percent(p.earnedIncomeRate)} de ${euros(earnings)} = ${euros(earnedPart)}.`,
  ];
  if (bonus > 0) explanation.push(`On ajoute une bonification de ${euros(bonus)}.`);
  explanation.push(`Les ressources de votre foyer sont de ${euros(resources)} par mois (salaires compris).`);
  if (flat) explanation.push(flat.why);
  const deducted = Math.max(forfait, counted);
  explanation.push(
    counted > forfait
      ? `On enlève vos ressources : ${euros(counted)}.`
      : `Vos ressources (${euros(counted)}) sont plus basses que le montant de base : on enlève le montant de base, ${euros(forfait)}.`,
  );
  const amount = roundCents(forfait + earnedPart + bonus - deducted);
  explanation.push(calculation(`${euros(forfait)} + ${euros(earnedPart)}${bonus > 0 ? ` + ${euros(bonus)}` : ''} − ${euros(deducted)}`, amount));
  const bonusLine = `Vous gagnez plus de ${euros(p.bonification.startMonthlyEarnings)} par mois : vous pouvez avoir en plus une bonification. Nous ne savons pas la calculer avec certitude, elle n’est pas comptée ici. Le montant réel peut être plus élevé.`;
  if (amount < p.minimumPayment) {
    if (bonusMissing) {
      explanation.push(bonusLine, 'Nous ne pouvons pas dire si vous y avez droit. Faites une simulation sur caf.fr.');
      return result(rules, 'prime-activite', 'unknown', null, explanation);
    }
    explanation.push(`La prime d’activité n’est pas versée si elle fait moins de ${euros(p.minimumPayment)} par mois.`);
    return result(rules, 'prime-activite', false, 0, explanation);
  }
  explanation.push(`Vous pourriez recevoir environ ${euros(amount)} de prime d’activité par mois.`);
  if (bonusMissing) explanation.push(bonusLine);
  if (aahIncome > 0) explanation.push('Si vous recevez l’AAH, elle change aussi le calcul de la prime d’activité. Ce calcul ne la compte pas.');
  if (s.adults.length === 1 && s.children.length > 0) {
    explanation.push('Vous élevez seul vos enfants : la prime peut être plus élevée. Ce calcul ne le compte pas.');
  }
  explanation.push('C’est une estimation. Seule la CAF (ou la MSA) décide.');
  return result(rules, 'prime-activite', true, amount, explanation);
}

// ---------------------------------------------------------------- AAH

function aahFor(s: Situation, rules: Rules, index: number): AidResult {
  const a = rules.aah;
  const adult = s.adults[index]!;
  const person = index === 0 ? 'demandeur' : 'conjoint';
  const extra = { person } as const;
  const rate = adult.disabilityRate ?? 0;
  if (!s.residesInFrance) return result(rules, 'aah', false, 0, [NOT_IN_FRANCE], extra);
  const explanation = [`Taux d’incapacité reconnu par la MDPH : ${rate} %.`];
  if (adult.age < a.minimumAge) {
    explanation.push(`En général, l’AAH commence à ${a.minimumAge} ans. Dès 16 ans, elle est possible si vous n’êtes plus à la charge de vos parents.`, 'Demandez à la MDPH.');
    return result(rules, 'aah', 'unknown', null, explanation, extra);
  }
  const rateOk = rate >= a.fullRateDisability;
  if (!rateOk) {
    explanation.push(
      `Votre taux est entre ${a.minimumDisability} et ${a.fullRateDisability - 1} %. Il faut aussi que la MDPH reconnaisse que votre handicap vous empêche beaucoup de trouver un travail. Nous ne pouvons pas le savoir.`,
    );
  }
  const ownMonthly = roundCents(sumResources(adult.resources));
  const annual = roundCents(ownMonthly * 12);
  const children = s.children.length;
  const ceiling = roundCents(a.annualCeilingSingle + a.annualCeilingPerChild * children);
  explanation.push(
    children === 0
      ? `Vos ressources ne doivent pas dépasser ${euros(ceiling)} par an.`
      : `Vos ressources ne doivent pas dépasser ${euros(ceiling)} par an : ${euros(a.annualCeilingSingle)}, plus ${euros(a.annualCeilingPerChild)} par enfant.`,
  );
  if (s.adults.length === 2) explanation.push('Les revenus de votre conjoint ne comptent pas pour l’AAH.');
  explanation.push(ownMonthly > 0 ? `Vos ressources : ${euros(ownMonthly)} par mois, soit ${euros(annual)} par an.` : 'Vous n’avez pas de ressources.');
  if (adult.resources.salaries > 0) {
    explanation.push('Vous avez un salaire : la CAF enlève une partie du salaire avant de calculer. Nous ne savons pas faire ce calcul ici.');
    if (annual <= ceiling) {
      explanation.push('Même sans cette réduction, vos ressources sont sous le plafond.', 'Nous ne pouvons pas estimer le montant. Faites une simulation sur caf.fr.');
      return result(rules, 'aah', rateOk ? true : 'unknown', null, explanation, extra);
    }
    explanation.push('Nous ne pouvons pas dire si vous y avez droit. Faites une simulation sur caf.fr.');
    return result(rules, 'aah', 'unknown', null, explanation, extra);
  }
  if (annual >= ceiling) {
    explanation.push('Vos ressources dépassent le plafond : vous n’avez sans doute pas droit à l’AAH.');
    return result(rules, 'aah', false, 0, explanation, extra);
  }
  const gap = roundCents((ceiling - annual) / 12);
  const amount = roundCents(Math.min(a.fullRate, gap));
  explanation.push(
    annual === 0
      ? `Vous pourriez recevoir l’AAH complète : ${euros(amount)} par mois.`
      : `Calcul : (${euros(ceiling)} − ${euros(annual)}) ÷ 12 = ${euros(gap)}, dans la limite de ${euros(a.fullRate)} par mois. Vous pourriez recevoir environ ${euros(amount)} par mois.`,
  );
  explanation.push('En vrai, la CAF regarde vos revenus d’il y a 2 ans. C’est une estimation. La MDPH et la CAF décident.');
  return result(rules, 'aah', rateOk ? true : 'unknown', amount, explanation, extra);
}

export function simulateAah(s: Situation, rules: Rules): AidResult[] {
  const candidates = s.adults.map((a, i) => ({ a, i })).filter(({ a }) => (a.disabilityRate ?? 0) >= rules.aah.minimumDisability);
  if (candidates.length === 0) {
    return [
      result(rules, 'aah', false, 0, [
        `L’AAH est pour les personnes qui ont un taux d’incapacité d’au moins ${rules.aah.minimumDisability} %, reconnu par la MDPH.`,
        'Personne dans votre foyer n’a déclaré un tel taux.',
      ]),
    ];
  }
  return candidates.map(({ i }) => aahFor(s, rules, i));
}

// ---------------------------------------------------------------- complémentaire santé solidaire

function ceilingFor(table: Rules['css']['annualCeilingFree'], size: number): number {
  const known = table.byHouseholdSize;
  if (size <= known.length) return known[size - 1]!;
  return roundCents(known[known.length - 1]! + table.perAdditionalPerson * (size - known.length));
}

function participationLine(s: Situation, rules: Rules): string {
  const grid = rules.css.participationByAge;
  if (grid === null) return 'Vous paierez une petite somme chaque mois pour chaque personne, selon son âge (moins de 1 € par jour). Ce montant n’est pas calculé ici.';
  const ages = [...s.adults.map((a) => a.age), ...s.children.map((c) => c.age)];
  const bands = [...grid].sort((x, y) => y.minAge - x.minAge);
  const total = roundCents(ages.reduce((t, age) => t + (bands.find((b) => age >= b.minAge)?.amount ?? 0), 0));
  return `Vous paierez environ ${euros(total)} par mois pour tout le foyer, selon l’âge de chaque personne.`;
}

export function simulateCss(s: Situation, rules: Rules, rsa: AidResult, aahIncome = 0): AidResult {
  const c = rules.css;
  if (!s.residesInFrance) return result(rules, 'css', false, null, [NOT_IN_FRANCE]);
  const size = persons(s);
  if (rsa.eligible === true) {
    return result(rules, 'css', true, null, [
      'Vous pourriez avoir le RSA. Avec le RSA, la complémentaire santé solidaire est gratuite.',
      'Elle paie la part de vos soins que la Sécurité sociale ne rembourse pas.',
      'C’est une estimation. Seule votre caisse d’assurance maladie décide.',
    ], { cssLevel: 'gratuite' });
  }
  const free = ceilingFor(c.annualCeilingFree, size);
  const paid = ceilingFor(c.annualCeilingParticipation, size);
  const annual = roundCents((householdResources(s) + aahIncome) * 12);
  const explanation = [
    `Votre foyer compte ${size} personne${size > 1 ? 's' : ''}.`,
    `Les ressources de votre foyer sur 12 mois : environ ${euros(annual)}${aahIncome > 0 ? ' (AAH estimée comprise)' : ''}.`,
    `Gratuite si vos ressources ne dépassent pas ${euros(free)} par an. Avec une petite participation jusqu’à ${euros(paid)} par an.`,
  ];
  const caveat =
    s.housing.status === 'hosted-free' || (s.housing.status === 'owner' && !s.housing.repayingLoan) || (s.housing.status === 'tenant' && s.housing.housingBenefit > 0)
      ? ['Attention : votre logement compte aussi dans vos ressources (forfait logement). Ce calcul ne le compte pas : le résultat peut changer.']
      : [];
  const end = 'C’est une estimation. Seule votre caisse d’assurance maladie décide.';
  if (annual <= free) {
    explanation.push('Vos ressources sont sous le premier plafond : la complémentaire santé solidaire serait gratuite.', ...caveat, end);
    return result(rules, 'css', true, null, explanation, { cssLevel: 'gratuite' });
  }
  if (annual <= paid) {
    explanation.push('Vos ressources sont entre les deux plafonds : la complémentaire santé solidaire serait payante, mais à petit prix.', participationLine(s, rules), ...caveat, end);
    return result(rules, 'css', true, null, explanation, { cssLevel: 'participation' });
  }
  explanation.push('Vos ressources dépassent le plafond : vous n’avez sans doute pas droit à la complémentaire santé solidaire.', ...caveat, end);
  return result(rules, 'css', false, null, explanation);
}

// ---------------------------------------------------------------- all aids

const DAY = 86_400_000;

export function simulate(s: Situation, rules: Rules, options: { today?: Date } = {}): Simulation {
  const warnings = ['Ceci est une estimation. Elle ne donne aucun droit. Seuls les organismes (CAF, MSA, MDPH, assurance maladie) décident.'];
  if (options.today) {
    const age = options.today.getTime() - Date.parse(`${rules.validFrom}T00:00:00Z`);
    if (age > 365 * DAY) {
      warnings.push(`Attention : ces barèmes datent du ${dateFr(rules.validFrom)}. Ils ont peut-être changé depuis. Les montants peuvent être un peu différents.`);
    }
  }
  // An AAH the household would receive counts in the resources of the RSA and the CSS.
  const aah = simulateAah(s, rules);
  const aahIncome = roundCents(aah.reduce((t, r) => t + (r.eligible === true && r.monthlyAmount !== null ? r.monthlyAmount : 0), 0));
  const rsa = simulateRsa(s, rules, aahIncome);
  return {
    rulesVersion: rules.version,
    validFrom: rules.validFrom,
    estimate: true,
    warnings,
    results: [rsa, simulatePrimeActivite(s, rules, aahIncome), ...aah, simulateCss(s, rules, rsa, aahIncome)],
  };
}
