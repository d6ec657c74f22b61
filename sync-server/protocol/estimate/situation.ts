// Zod schema of the household situation a simulation starts from (the questionnaire's answers), shared by
// the server (npm run simulate, the kiosk socket) and the kiosk (its questionnaire). Pure zod.
// All amounts are in euros per month, net. Messages are in plain French: they are shown to the person.
import { z } from 'zod';

/** Type error message, unless the field is simply missing. */
const typeError = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'champ obligatoire manquant.' : message;

const euros = (what: string) =>
  z
    .number({ error: typeError(`${what} : un montant en euros est attendu (un nombre).`) })
    .finite()
    .nonnegative(`${what} : le montant ne peut pas être négatif.`)
    .max(1_000_000, `${what} : le montant est trop grand (euros par mois).`);

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
  age: z
    .number({ error: typeError("L'âge d'un adulte doit être un nombre.") })
    .int("L'âge d'un adulte doit être un nombre entier d'années.")
    .min(16, 'Un adulte du foyer doit avoir au moins 16 ans.')
    .max(120, "L'âge d'un adulte ne peut pas dépasser 120 ans."),
  /** Taux d'incapacité reconnu par la MDPH, en %; absent si aucun taux n'est reconnu. */
  disabilityRate: z
    .number({ error: typeError("Le taux d'incapacité doit être un nombre (en %).") })
    .min(0, "Le taux d'incapacité est entre 0 et 100 %.")
    .max(100, "Le taux d'incapacité est entre 0 et 100 %.")
    .optional(),
  resources: Resources,
});

const Child = z.strictObject({
  age: z
    .number({ error: typeError("L'âge d'un enfant doit être un nombre.") })
    .int("L'âge d'un enfant doit être un nombre entier d'années.")
    .min(0, "L'âge d'un enfant ne peut pas être négatif.")
    .max(24, 'Un enfant à charge a moins de 25 ans.'),
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

export const SituationSchema = z
  .strictObject({
    /** Vous vivez en France de façon stable (plus de 9 mois par an). */
    residesInFrance: z.boolean({ error: typeError('Indiquez si vous vivez en France (true ou false).') }),
    /** En couple (mariés, pacsés ou en concubinage) : il faut alors 2 adultes. */
    couple: z.boolean({ error: typeError('Indiquez si vous vivez en couple (true ou false).') }),
    /** Le demandeur d'abord, puis son conjoint s'il y en a un. */
    adults: z
      .array(Adult, { error: typeError('La liste des adultes est obligatoire.') })
      .min(1, 'Il faut au moins un adulte (le demandeur).')
      .max(2, 'Deux adultes au plus : le demandeur et son conjoint.'),
    children: z.array(Child, { error: typeError('La liste des enfants doit être une liste (vide si aucun enfant).') }).max(15, 'Trop d’enfants déclarés (15 au plus).').default([]),
    housing: Housing,
  })
  .refine((s) => s.couple === (s.adults.length === 2), {
    error: 'En couple il faut 2 adultes, et seul il faut 1 adulte.',
    path: ['adults'],
  });

export type Situation = z.infer<typeof SituationSchema>;
export type SituationInput = z.input<typeof SituationSchema>;

const FIELD_NAMES: Record<string, string> = {
  residesInFrance: 'résidence en France',
  couple: 'couple',
  adults: 'adultes',
  children: 'enfants',
  housing: 'logement',
  age: 'âge',
  disabilityRate: "taux d'incapacité",
  resources: 'ressources',
  salaries: 'salaires',
  unemploymentBenefits: 'allocations chômage',
  pensions: 'pensions',
  other: 'autres ressources',
  status: 'statut',
  rent: 'loyer',
  housingBenefit: 'aide au logement',
  repayingLoan: 'prêt',
};

function where(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const next = path[i + 1];
    if (key === 'adults' && typeof next === 'number') {
      parts.push(next === 0 ? 'demandeur' : 'conjoint');
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

/** Missing fields get their own message (zod reports them as a wrong type). */
export function parseSituation(input: unknown): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['Le fichier doit contenir un objet JSON { … } qui décrit le foyer.'] };
  }
  const result = SituationSchema.safeParse(input, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'champ obligatoire manquant.' : undefined),
  });
  if (result.success) return { ok: true, situation: result.data };
  return { ok: false, errors: frenchIssues(result.error) };
}
