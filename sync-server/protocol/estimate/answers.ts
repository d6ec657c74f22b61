// The kiosk questionnaire's answers (one amount per kind of income, the same every month), as the screens
// ask them today. The kiosk turns them into a dated situation (situation.ts, `situationFromAnswers`) for
// the month it estimates. Pure zod; messages in plain French, shown to the person.
import { z } from 'zod';
import { addMonths } from './rules.ts';
import { AdultAge, ChildAge, DisabilityRate, euros, frenchIssues, householdFields, parseHousehold, SCHOOLING, typeError, type SituationInput } from './situation.ts';
import { INSEE_CODE, zoneOfCommune, type ZonesApl } from './zones.ts';

const Resources = z.strictObject({
  /** Salaires nets (et revenus d'indépendant) du mois. */
  salaries: euros('Salaires').default(0),
  /** Allocations chômage (France Travail). */
  unemploymentBenefits: euros('Allocations chômage').default(0),
  /** Retraites, pensions d'invalidité, pensions alimentaires reçues. */
  pensions: euros('Pensions et retraites').default(0),
  /** Toute autre ressource (autres allocations, revenus de placements…). */
  other: euros('Autres ressources').default(0),
});

const Adult = z.strictObject({
  age: AdultAge,
  /** Taux d'incapacité reconnu par la MDPH, en %; absent si aucun taux n'est reconnu. */
  disabilityRate: DisabilityRate.optional(),
  /** De 50 à 79 % : la CDAPH a aussi reconnu une restriction durable d'accès à l'emploi ; absent : on ne sait pas. */
  employmentRestrictionRecognised: z.boolean({ error: typeError('Restriction d’accès à l’emploi : oui ou non (true ou false).') }).optional(),
  resources: Resources,
  /**
   * Salaires nets des 3 derniers mois, le plus récent d'abord (ils changent souvent d'un mois à l'autre) ;
   * absent : le montant de `resources.salaries` chaque mois.
   */
  salariesByMonth: z.array(euros('Salaire d’un mois')).length(3, 'Il faut les salaires des 3 derniers mois.').optional(),
});

const Child = z.strictObject({
  age: ChildAge,
  /**
   * Où l'enfant étudie cette année (ou à la rentrée qui vient, de janvier à août) ; absent : non demandé.
   * La bourse de lycée en a besoin, et l'allocation de rentrée scolaire le lit aussi.
   */
  schooling: z.enum(SCHOOLING, { error: typeError(`Scolarité de l’enfant : ${SCHOOLING.join(', ')}.`) }).optional(),
});

const Housing = z.discriminatedUnion(
  'status',
  [
    z.strictObject({
      status: z.literal('tenant'),
      /** Loyer mensuel, charges comprises. */
      rent: euros('Loyer'),
      /** Aide au logement (APL, ALF, ALS) reçue par mois. */
      housingBenefit: euros('Aide au logement').default(0),
      /** Logement social : la réduction de loyer de solidarité (RLS) de l'avis de loyer, par mois ; l'APL baisse de 98 % de son montant. */
      rentReduction: euros('Réduction de loyer de solidarité').optional(),
      /** Code INSEE de la commune du logement (le kiosque le trouve avec searchCommunes) ; absent : l'aide au logement répond « on ne sait pas ». */
      commune: z
        .string({ error: typeError('Commune : un code commune est attendu, par exemple "31555".') })
        .regex(INSEE_CODE, 'Commune : le code INSEE a 5 caractères, par exemple 31555 pour Toulouse (ce n’est pas le code postal).')
        .optional(),
    }),
    z.strictObject({
      status: z.literal('owner'),
      /** Remboursez-vous un prêt pour ce logement ? */
      repayingLoan: z.boolean({ error: typeError('Propriétaire : indiquez si vous remboursez un prêt (true ou false).') }),
    }),
    z.strictObject({ status: z.literal('hosted-free') }),
    /** Sans logement fixe (à la rue, en foyer d'urgence, chez l'un puis chez l'autre). */
    z.strictObject({ status: z.literal('homeless') }),
  ],
  {
    error: typeError(
      'Logement : le statut doit être « tenant » (locataire), « owner » (propriétaire), « hosted-free » (hébergé gratuitement) ou « homeless » (sans logement fixe).',
    ),
  },
);

export const AnswersSchema = z
  .strictObject({
    ...householdFields(Adult, Child),
    housing: Housing,
    // Optional: the person may not know it; the family benefits and the chèque énergie then answer « on ne
    // sait pas ».
    /** Revenu fiscal de référence de l'avis d'impôt reçu l'an dernier (revenus d'il y a 2 ans). */
    referenceTaxIncome: euros('Revenu fiscal de référence').optional(),
    /** Parent seul : l'autre parent verse une pension alimentaire pour les enfants. */
    otherParentSupportsChildren: z.boolean({ error: typeError('Pension de l’autre parent : oui ou non (true ou false).') }).optional(),
  })
  .refine((s) => s.couple === (s.adults.length === 2), {
    error: 'En couple il faut 2 adultes, et seul il faut 1 adulte.',
    path: ['adults'],
  });

export type Answers = z.infer<typeof AnswersSchema>;
export type AnswersInput = z.input<typeof AnswersSchema>;

export { frenchIssues };

export type AnswersParseResult = { ok: true; answers: Answers } | { ok: false; errors: string[] };

/** The message for a commune code the zone table does not know. */
export const unknownCommune = (code: string) => `Commune : le code ${code} n’est pas une commune connue. Cherchez votre commune par son nom ou son code postal.`;

/** Parses the answers; with the zone table, a tenant's commune must also be one it knows. */
export function parseAnswers(input: unknown, zones?: ZonesApl): AnswersParseResult {
  const r = parseHousehold(AnswersSchema, input);
  if (!r.ok) return r;
  const h = r.value.housing;
  if (zones !== undefined && h.status === 'tenant' && h.commune !== undefined && zoneOfCommune(zones, h.commune) === null) return { ok: false, errors: [unknownCommune(h.commune)] };
  return { ok: true, answers: r.value };
}

/**
 * The dated situation the answers describe for `month`: the same incomes every month of the year before, the
 * housing benefit every month, the same amounts for the year N-2 (the AAH's reference year). An estimate
 * from such answers is as good as that assumption, and it says so.
 */
export function situationFromAnswers(a: Answers, month: string): SituationInput {
  const months = Array.from({ length: 13 }, (_, i) => addMonths(month, i - 12));
  const year = String(Number(month.slice(0, 4)) - 2);
  const benefit = a.housing.status === 'tenant' ? a.housing.housingBenefit : 0;
  return {
    month,
    residesInFrance: a.residesInFrance,
    couple: a.couple,
    adults: a.adults.map((adult) => ({
      age: adult.age,
      ...(adult.disabilityRate === undefined ? {} : { disabilityRate: adult.disabilityRate }),
      ...(adult.employmentRestrictionRecognised === undefined ? {} : { employmentRestrictionRecognised: adult.employmentRestrictionRecognised }),
      // the 3 months before, one by one when given (the most recent first); the rest of the year at the usual amount
      income: Object.fromEntries(
        months.slice(0, 12).map((m, i) => [
          m,
          {
            earnings: adult.salariesByMonth?.[11 - i] ?? adult.resources.salaries,
            unemploymentBenefits: adult.resources.unemploymentBenefits,
            pensions: adult.resources.pensions,
            other: adult.resources.other,
          },
        ]),
      ),
      incomeByYear: {
        [year]: {
          earnings: adult.resources.salaries * 12,
          other: (adult.resources.unemploymentBenefits + adult.resources.pensions + adult.resources.other) * 12,
          replacementIncome: (adult.resources.unemploymentBenefits + adult.resources.pensions) * 12,
        },
      },
    })),
    children: a.children.map((c) => ({ age: c.age, ...(c.schooling === undefined ? {} : { schooling: c.schooling }) })),
    housing:
      a.housing.status === 'tenant'
        ? {
            status: 'tenant',
            rent: a.housing.rent,
            ...(a.housing.commune === undefined ? {} : { commune: a.housing.commune }),
            ...(a.housing.rentReduction === undefined ? {} : { rentReduction: a.housing.rentReduction }),
          }
        : a.housing.status === 'owner'
          ? { status: 'owner', repayingLoan: a.housing.repayingLoan }
          : a.housing.status === 'hosted-free'
            ? { status: 'hosted-free' }
            : { status: 'homeless' },
    benefits: Object.fromEntries(months.map((m) => [m, { housingBenefit: benefit }])),
    // the tax notice received last year is on the income of the year N-2 the family benefits look at
    ...(a.referenceTaxIncome === undefined ? {} : { referenceTaxIncome: { [year]: a.referenceTaxIncome } }),
    ...(a.otherParentSupportsChildren === undefined ? {} : { otherParentSupportsChildren: a.otherParentSupportsChildren }),
  };
}
