// The household situation an estimate starts from, dated: the month estimated and, month by month, the
// incomes and benefits the law looks at — the RSA and the prime d'activité the three months before, the
// AAH the quarter before (earnings) or the year N-2, the CSS the twelve months before, the family benefits
// and the chèque énergie the year N-2. Shared by the server
// (npm run simulate, the kiosk socket) and the kiosk. Pure zod; every message is plain French, shown to
// the person, and bad input gives no estimate.
import { z } from 'zod';
import { addMonths, FIRST_ESTIMATE_MONTH } from './rules.ts';
import { INSEE_CODE } from './zones.ts';

/** The last month the rules of assets/aids/rules know (checked against the files by a test). */
export const LAST_ESTIMATE_MONTH = '2025-12';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;

/** Type error message, unless the field is simply missing. */
export const typeError = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'champ obligatoire manquant.' : message);

/** An amount in euros, as the questions ask it: a number, never negative, never absurd (the kiosk's answers use it too). */
export const euros = (what: string) =>
  z
    .number({ error: typeError(`${what} : un montant en euros est attendu (un nombre).`) })
    .finite()
    .nonnegative(`${what} : le montant ne peut pas être négatif.`)
    .max(1_000_000, `${what} : le montant est trop grand.`);

const monthKey = z.string().regex(MONTH, 'un mois s’écrit AAAA-MM, par exemple 2024-03.');
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Where a child studies: the allocation de rentrée scolaire wants a child at school (or an apprentice) from 16 to 18. */
export const SCHOOLING = ['creche-ou-maison', 'maternelle', 'primaire', 'college', 'lycee', 'apprentissage', 'etudes-superieures', 'aucune'] as const;
const yearKey = z.string().regex(YEAR, 'une année s’écrit AAAA, par exemple 2022.');

/** What one adult received in one month, net. */
const MonthIncome = z.strictObject({
  /** Salaires nets, revenus d'indépendant, rémunération d'apprenti. */
  earnings: euros('Salaires et revenus d’activité').default(0),
  /** Allocations chômage (France Travail). */
  unemploymentBenefits: euros('Allocations chômage').default(0),
  /** Retraites, pensions d'invalidité, pensions alimentaires reçues. */
  pensions: euros('Pensions et retraites').default(0),
  /** Toute autre ressource (revenus de placements, autres allocations…). */
  other: euros('Autres ressources').default(0),
  // Parts of `earnings` the housing aid counts apart (the other aids count all of `earnings` as income from
  // work, which these are): absent, 0.
  /** Dont rémunération d'apprenti (exonérée d'impôt jusqu'au SMIC annuel : l'aide au logement n'en compte que le surplus). */
  apprenticePay: euros('Dont rémunération d’apprenti').optional(),
  /** Dont revenus d'indépendant (bénéfice agricole, industriel et commercial, non commercial) : l'aide au logement compte ceux de l'année. */
  selfEmployed: euros('Dont revenus d’indépendant').optional(),
});
export type MonthIncome = z.infer<typeof MonthIncome>;

/** What one adult declared for a civil year (the AAH's reference year N-2). */
const YearIncome = z.strictObject({
  earnings: euros('Salaires de l’année').default(0),
  other: euros('Autres revenus de l’année').default(0),
  /** Dont rémunération d'apprenti de l'année. */
  apprenticePay: euros('Dont rémunération d’apprenti de l’année').optional(),
  /** Dont revenus d'indépendant de l'année (bénéfice déclaré). */
  selfEmployed: euros('Dont revenus d’indépendant de l’année').optional(),
  /** Dont pensions, retraites et allocations chômage de l'année, parmi les autres revenus (l'aide au logement en retire 10 %, comme des salaires). */
  replacementIncome: euros('Dont pensions, retraites et allocations chômage de l’année').optional(),
});

/** The parts of earnings given apart cannot be more than the earnings. */
function partsWithinEarnings(i: { earnings: number; apprenticePay?: number | undefined; selfEmployed?: number | undefined }): boolean {
  const parts = (i.apprenticePay ?? 0) + (i.selfEmployed ?? 0);
  // a wrong amount already has its own message
  if (!(i.earnings >= 0) || !(parts >= 0)) return true;
  return parts <= i.earnings + 0.005;
}
const REPLACEMENT_MESSAGE = 'les pensions, retraites et allocations chômage font partie des autres revenus de l’année : elles ne peuvent pas les dépasser.';
const PARTS_MESSAGE = 'la rémunération d’apprenti et les revenus d’indépendant font partie des salaires et revenus d’activité : leur total ne peut pas dépasser ces revenus.';

/** An adult's age, and the incapacity rate the MDPH recognised (in %; absent if none): asked the same by the kiosk. */
export const AdultAge = z
  .number({ error: typeError("L'âge d'un adulte doit être un nombre.") })
  .int("L'âge d'un adulte doit être un nombre entier d'années.")
  .min(16, 'Un adulte du foyer doit avoir au moins 16 ans.')
  .max(120, "L'âge d'un adulte ne peut pas dépasser 120 ans.");
export const DisabilityRate = z
  .number({ error: typeError("Le taux d'incapacité doit être un nombre (en %).") })
  .min(0, "Le taux d'incapacité est entre 0 et 100 %.")
  .max(100, "Le taux d'incapacité est entre 0 et 100 %.");
/** A dependent child's age. */
export const ChildAge = z
  .number({ error: typeError("L'âge d'un enfant doit être un nombre.") })
  .int("L'âge d'un enfant doit être un nombre entier d'années.")
  .min(0, "L'âge d'un enfant ne peut pas être négatif.")
  .max(24, 'Un enfant à charge a moins de 25 ans.');

const Adult = z.strictObject({
  age: AdultAge,
  /** Taux d'incapacité reconnu par la MDPH, en %; absent si aucun taux n'est reconnu. */
  disabilityRate: DisabilityRate.optional(),
  /** Restriction substantielle et durable d'accès à l'emploi reconnue par la CDAPH (taux de 50 à 79 %); absent : on ne sait pas. */
  employmentRestrictionRecognised: z.boolean({ error: typeError('Restriction d’accès à l’emploi : oui ou non (true ou false).') }).optional(),
  pregnant: z.boolean({ error: typeError('Grossesse : oui ou non (true ou false).') }).optional(),
  /** Moins de 25 ans : a travaillé au moins 2 ans sur les 3 dernières années (RSA jeune actif); absent : on ne sait pas. */
  youngWorkerConditionMet: z.boolean({ error: typeError('RSA jeune actif : oui ou non (true ou false).') }).optional(),
  /** Chaque mois : il faut les 12 mois avant le mois estimé. */
  income: z.record(monthKey, MonthIncome, { error: typeError('Les revenus doivent être donnés mois par mois : { "AAAA-MM": { … } }.') }),
  /** Chaque année civile (l'AAH regarde l'année N-2). */
  incomeByYear: z.record(yearKey, YearIncome).optional(),
  /** Étudiant (l'aide au logement compte alors un forfait de ressources avant 28 ans) ; absent : non. */
  student: z.boolean({ error: typeError('Étudiant : oui ou non (true ou false).') }).optional(),
  /** Étudiant boursier de l'enseignement supérieur. */
  scholarshipHolder: z.boolean({ error: typeError('Boursier : oui ou non (true ou false).') }).optional(),
});

const Child = z.strictObject({
  age: ChildAge,
  /** Ce que l'enfant gagne lui-même, par mois (un enfant qui gagne plus que ce qu'il apporte au RSA n'est pas compté). */
  income: z.record(monthKey, euros('Revenus de l’enfant')).optional(),
  /** Date de naissance AAAA-MM-JJ (l'allocation de rentrée scolaire regarde l'âge au 31 décembre) ; absente : l'âge suffit. */
  birthDate: z.string().regex(DAY, 'une date de naissance s’écrit AAAA-MM-JJ, par exemple 2015-09-01.').optional(),
  /** Où l'enfant étudie ; absent : on ne sait pas (l'allocation de rentrée scolaire le suppose scolarisé jusqu'à 18 ans). */
  schooling: z.enum(SCHOOLING, { error: typeError(`Scolarité de l’enfant : ${SCHOOLING.join(', ')}.`) }).optional(),
});

/** What the household received in one month. */
const MonthBenefits = z.strictObject({
  /** Aide au logement (APL, ALF, ALS). */
  housingBenefit: euros('Aide au logement').default(0),
  /** Allocations familiales, complément familial et autres prestations familiales (sans l'ASF). */
  familyBenefits: euros('Prestations familiales').default(0),
  /** Allocation de soutien familial (ASF). */
  familySupport: euros('Allocation de soutien familial').default(0),
});

const Housing = z.discriminatedUnion(
  'status',
  [
    z.strictObject({
      status: z.literal('tenant'),
      /** Loyer mensuel, charges comprises. */
      rent: euros('Loyer'),
      // What the housing aid needs, optional: without the zone it answers « on ne sait pas ».
      /** Zone de l'aide au logement de la commune (1 : Paris et sa région, 2 : grandes villes, 3 : ailleurs). */
      zone: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: typeError('La zone du logement est 1, 2 ou 3.') }).optional(),
      /** Code INSEE de la commune du logement : sa zone vient de la table des zones (assets/aids/zones-apl.json) quand la zone n'est pas donnée. */
      commune: z.string({ error: typeError('Le code commune est un texte, par exemple "31555".') }).regex(INSEE_CODE, 'Le code commune INSEE a 5 caractères, par exemple 31555 (Toulouse).').optional(),
      /** La part du loyer qui paie les charges (l'aide compte un forfait de charges à la place) ; absente : 0. */
      charges: euros('Charges').optional(),
      /** Logement social conventionné : la réduction de loyer de solidarité (RLS) que le bailleur applique, par mois (elle est sur l'avis d'échéance) ; l'APL baisse de 98 % de ce montant. Absente : 0. */
      rentReduction: euros('Réduction de loyer de solidarité').optional(),
      /** Logement ordinaire, ou logement-foyer et résidence (CROUS, résidence sociale), que l'estimation ne calcule pas. */
      kind: z.enum(['ordinary', 'foyer'], { error: typeError('Type de logement : « ordinary » ou « foyer ».') }).optional(),
    }),
    z.strictObject({
      status: z.literal('owner'),
      repayingLoan: z.boolean({ error: typeError('Propriétaire : indiquez si vous remboursez un prêt (true ou false).') }),
    }),
    z.strictObject({
      status: z.literal('hosted-free'),
      /** Hébergé, mais participe aux frais du logement : pas de forfait logement. */
      contributesToCosts: z.boolean().default(false),
    }),
    /** Sans logement fixe. */
    z.strictObject({ status: z.literal('homeless') }),
  ],
  {
    error: typeError(
      'Logement : le statut doit être « tenant » (locataire), « owner » (propriétaire), « hosted-free » (hébergé gratuitement) ou « homeless » (sans logement fixe).',
    ),
  },
);

/**
 * Who lives in the household, as both the dated situation and the kiosk's answers ask it: in France or not,
 * a couple or not, one or two adults (the person first), the children — each side with its own adult and
 * child schemas.
 */
export function householdFields<A extends z.ZodType, C extends z.ZodType>(adult: A, child: C) {
  return {
    /** Vous vivez en France de façon stable (plus de 9 mois par an). */
    residesInFrance: z.boolean({ error: typeError('Indiquez si vous vivez en France (true ou false).') }),
    /** En couple (mariés, pacsés ou en concubinage) : il faut alors 2 adultes. */
    couple: z.boolean({ error: typeError('Indiquez si vous vivez en couple (true ou false).') }),
    /** Le demandeur d'abord, puis son conjoint s'il y en a un. */
    adults: z
      .array(adult, { error: typeError('La liste des adultes est obligatoire.') })
      .min(1, 'Il faut au moins un adulte (le demandeur).')
      .max(2, 'Deux adultes au plus : le demandeur et son conjoint.'),
    children: z.array(child, { error: typeError('La liste des enfants doit être une liste (vide si aucun enfant).') }).max(15, 'Trop d’enfants déclarés (15 au plus).').default([]),
  };
}

const NAMES = ['demandeur', 'conjoint'] as const;

export const SituationSchema = z
  .strictObject({
    /** Le mois estimé, AAAA-MM. */
    month: z
      .string({ error: typeError('Le mois estimé doit s’écrire AAAA-MM.') })
      .regex(MONTH, 'Le mois estimé doit s’écrire AAAA-MM, par exemple 2024-03.')
      .refine((m) => m >= FIRST_ESTIMATE_MONTH, `Les estimations commencent en janvier 2018 (${FIRST_ESTIMATE_MONTH}).`)
      .refine((m) => m <= LAST_ESTIMATE_MONTH, `Les barèmes connus s’arrêtent en ${LAST_ESTIMATE_MONTH} : choisissez un mois jusqu’à ${LAST_ESTIMATE_MONTH}.`),
    ...householdFields(Adult, Child),
    housing: Housing,
    /** Par mois : il faut le mois estimé et les 12 mois avant. */
    benefits: z.record(monthKey, MonthBenefits, { error: typeError('Les aides reçues doivent être données mois par mois : { "AAAA-MM": { … } }.') }),
    /** Le mois où vous avez commencé à élever seul vos enfants (RSA et prime majorés). */
    parentAloneSince: monthKey.optional(),
    /** Vous touchez déjà le RSA (la CSS est alors gratuite); absent : l'estimation du RSA décide. */
    receivesRsa: z.boolean().optional(),
    /** Le foyer relève du régime local d'Alsace-Moselle (participation à la CSS plus basse). */
    alsaceMoselle: z.boolean().optional(),
    // What the family benefits and the chèque énergie look at, all optional: the kiosk does not ask them
    // yet, and an aid that needs a missing one says so instead of guessing an amount.
    /** Revenu fiscal de référence du foyer fiscal, par année de revenus (l'avis d'impôt de N-1 porte sur N-2). */
    referenceTaxIncome: z.record(yearKey, euros('Revenu fiscal de référence')).optional(),
    /** Ressources de l'année retenues par la CAF pour les prestations familiales (revenu net catégoriel), par année ; absentes : calculées des revenus par année des adultes. */
    familyResources: z.record(yearKey, euros('Ressources retenues par la CAF')).optional(),
    /** Unités de consommation du logement (chèque énergie) ; absentes : 1 pour la première personne, 0,5 pour la deuxième, 0,3 pour chaque autre. */
    consumptionUnits: z
      .number({ error: typeError('Les unités de consommation doivent être un nombre (1 pour une personne seule).') })
      .min(1, 'Il y a au moins 1 unité de consommation (la première personne).')
      .max(10, 'Trop d’unités de consommation (10 au plus).')
      .optional(),
    /** Parent seul : l'autre parent participe à l'entretien des enfants (pension alimentaire) ; absent : on ne sait pas (allocation de soutien familial). */
    otherParentSupportsChildren: z.boolean({ error: typeError('L’autre parent participe-t-il à l’entretien des enfants : oui ou non (true ou false).') }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.couple !== (s.adults.length === 2)) ctx.addIssue({ code: 'custom', message: 'En couple il faut 2 adultes, et seul il faut 1 adulte.', path: ['adults'] });
    if (!MONTH.test(s.month)) return;
    const year = Number(s.month.slice(0, 4));
    const before = (n: number) => Array.from({ length: n }, (_, i) => addMonths(s.month, i - n));
    s.adults.forEach((a, i) => {
      for (const [m, inc] of Object.entries(a.income)) if (!partsWithinEarnings(inc)) ctx.addIssue({ code: 'custom', path: ['adults', i, 'income', m], message: PARTS_MESSAGE });
      for (const [y, inc] of Object.entries(a.incomeByYear ?? {})) if (!partsWithinEarnings(inc)) ctx.addIssue({ code: 'custom', path: ['adults', i, 'incomeByYear', y], message: PARTS_MESSAGE });
      for (const [y, inc] of Object.entries(a.incomeByYear ?? {})) {
        if ((inc.replacementIncome ?? 0) > inc.other + 0.005) ctx.addIssue({ code: 'custom', path: ['adults', i, 'incomeByYear', y], message: REPLACEMENT_MESSAGE });
      }
      const missing = before(12).filter((m) => !(m in a.income));
      if (missing.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['adults', i, 'income'], message: `il manque ${missing.length === 1 ? 'le mois' : 'les mois'} ${missing.join(', ')} (il faut les 12 mois avant le mois estimé).` });
      }
    });
    s.children.forEach((c, i) => {
      if (!c.income) return;
      const missing = before(3).filter((m) => !(m in c.income!));
      if (missing.length > 0) ctx.addIssue({ code: 'custom', path: ['children', i, 'income'], message: `il manque ${missing.join(', ')} (il faut les 3 mois avant le mois estimé).` });
    });
    const missingBenefits = [...before(12), s.month].filter((m) => !(m in s.benefits));
    if (missingBenefits.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['benefits'], message: `il manque ${missingBenefits.length === 1 ? 'le mois' : 'les mois'} ${missingBenefits.join(', ')} (il faut le mois estimé et les 12 mois avant, 0 si rien).` });
    }
    // the AAH looks at the year N-2 of everyone in the household when someone may have it
    if (s.adults.some((a) => (a.disabilityRate ?? 0) >= 50)) {
      const n2 = String(year - 2);
      s.adults.forEach((a, i) => {
        if (!a.incomeByYear || !(n2 in a.incomeByYear)) {
          ctx.addIssue({ code: 'custom', path: ['adults', i, 'incomeByYear'], message: `il manque les revenus de l’année ${n2} (l’AAH regarde les revenus d’il y a 2 ans ; 0 si aucun).` });
        }
      });
    }
    if (s.parentAloneSince !== undefined && s.parentAloneSince > s.month) {
      ctx.addIssue({ code: 'custom', path: ['parentAloneSince'], message: 'ce mois est après le mois estimé.' });
    }
  });

export type Situation = z.infer<typeof SituationSchema>;
export type SituationInput = z.input<typeof SituationSchema>;

const FIELD_NAMES: Record<string, string> = {
  month: 'mois estimé',
  residesInFrance: 'résidence en France',
  couple: 'couple',
  adults: 'adultes',
  children: 'enfants',
  housing: 'logement',
  benefits: 'aides reçues',
  age: 'âge',
  disabilityRate: "taux d'incapacité",
  employmentRestrictionRecognised: 'restriction d’accès à l’emploi',
  pregnant: 'grossesse',
  youngWorkerConditionMet: 'RSA jeune actif',
  resources: 'ressources',
  income: 'revenus',
  incomeByYear: 'revenus par année',
  salaries: 'salaires',
  earnings: 'salaires et revenus d’activité',
  unemploymentBenefits: 'allocations chômage',
  pensions: 'pensions',
  other: 'autres ressources',
  apprenticePay: 'dont rémunération d’apprenti',
  selfEmployed: 'dont revenus d’indépendant',
  status: 'statut',
  rent: 'loyer',
  housingBenefit: 'aide au logement',
  familyBenefits: 'prestations familiales',
  familySupport: 'allocation de soutien familial',
  repayingLoan: 'prêt',
  parentAloneSince: 'seul avec les enfants depuis',
  alsaceMoselle: 'régime d’Alsace-Moselle',
  receivesRsa: 'RSA déjà reçu',
  birthDate: 'date de naissance',
  zone: 'zone',
  commune: 'commune',
  charges: 'charges',
  rentReduction: 'réduction de loyer de solidarité',
  kind: 'type de logement',
  student: 'étudiant',
  scholarshipHolder: 'boursier',
  schooling: 'scolarité',
  referenceTaxIncome: 'revenu fiscal de référence',
  familyResources: 'ressources retenues par la CAF',
  consumptionUnits: 'unités de consommation',
  otherParentSupportsChildren: 'pension de l’autre parent',
};

function where(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const next = path[i + 1];
    if (key === 'adults' && typeof next === 'number') {
      parts.push(NAMES[next] ?? `adulte n° ${next + 1}`);
      i++;
    } else if (key === 'children' && typeof next === 'number') {
      parts.push(`enfant n° ${next + 1}`);
      i++;
    } else {
      parts.push(FIELD_NAMES[String(key)] ?? String(key));
    }
  }
  return parts.join(' › ');
}

/** One plain-French line per problem, naming where it is. */
export function frenchIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const at = issue.path.length > 0 ? `${where(issue.path)} : ` : '';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `« ${k} »`).join(', ');
      return `${at}champ inconnu ${keys}. Vérifiez l'orthographe.`;
    }
    return `${at}${issue.message}`;
  });
}

export type ParseResult = { ok: true; situation: Situation } | { ok: false; errors: string[] };

/**
 * A household read with `schema`, every problem in plain French: missing fields get their own message (zod
 * reports them as a wrong type). Shared by the dated situation and the kiosk questionnaire's answers.
 */
export function parseHousehold<S extends z.ZodType>(schema: S, input: unknown): { ok: true; value: z.infer<S> } | { ok: false; errors: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['Le fichier doit contenir un objet JSON { … } qui décrit le foyer.'] };
  }
  const result = schema.safeParse(input, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'champ obligatoire manquant.' : undefined),
  });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: frenchIssues(result.error) };
}

export function parseSituation(input: unknown): ParseResult {
  const r = parseHousehold(SituationSchema, input);
  return r.ok ? { ok: true, situation: r.value } : r;
}
