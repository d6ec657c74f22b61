/**
 * The shape of the independent reference data for the aid estimates (see README.md next to this file):
 * worked cases transcribed from OpenFisca-France's public YAML tests, and dated scales transcribed from its
 * parameters (each value with the decree or order its `metadata.reference` cites).
 *
 * Neutral on purpose: plain facts a household would give (persons, resources per period, housing, place,
 * benefits already received), never our engine's names. Where the source test names a variable, the
 * OpenFisca name is kept beside the fact (`sourceVariable`) so a case can be checked against its source.
 */
import { z } from 'zod';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;
const RANGE = /^\d{4}-(0[1-9]|1[0-2])\.\.\d{4}-(0[1-9]|1[0-2])$/;

/** A month `YYYY-MM`. */
export const Month = z.string().regex(MONTH, 'YYYY-MM');

/** A period as the source test gives it: a month `YYYY-MM`, a civil year `YYYY`, or a span of months `YYYY-MM..YYYY-MM` (both ends included). */
export const Period = z.string().refine((p) => MONTH.test(p) || YEAR.test(p) || RANGE.test(p), 'YYYY-MM, YYYY or YYYY-MM..YYYY-MM');

/** Amounts in euros by period, as the source test gives them (a yearly total stays under its year). */
export const Amounts = z.record(Period, z.number());

export const AIDS = [
  'rsa',
  'prime-activite',
  'aah',
  'css',
  'aide-logement',
  'allocations-familiales',
  'ars',
  'bourse-lycee',
  'cheque-energie',
  'asf',
] as const;
export const Aid = z.enum(AIDS);
export type Aid = z.infer<typeof Aid>;

/** What a resource is, whatever the source calls it. */
export const ResourceKind = z.enum([
  'netSalary', // net pay (salaire_net)
  'taxableSalary', // pay as declared for income tax (salaire_imposable)
  'salaryLikeIncome', // taxable pay and assimilated income of a civil year (revenu_assimile_salaire)
  'apprenticePay', // apprentice's pay (remuneration_apprenti)
  'netUnemploymentBenefit', // chomage_net
  'taxableUnemploymentBenefit', // chomage_imposable
  'netPension', // retraite_nette
  'taxablePension', // retraite_imposable
  'disabilityPension', // pensions_invalidite
  'farmProfit', // agricultural profit of a self-employed farmer (rpns/tns_benefice_exploitant_agricole)
  'otherSelfEmployedIncome', // rpns_autres_revenus
  'taxableSavingsIncome', // epargne_revenus_imposables
  'professionalExpenses', // actual professional expenses declared instead of the 10 % deduction (frais_reels)
  'capitalIncome', // investment income declared on the tax return (e.g. box 2DH)
  'capitalGains', // plus_values_base_large
  'alimonyPaid', // pensions_alimentaires_versees
  'annuityForConsideration', // rente_viagere_titre_onereux_net
  'familyBenefitResources', // the family's resources as assessed for family benefits (prestations_familiales_base_ressources)
]);

export const Resource = z.strictObject({
  kind: ResourceKind,
  /** The OpenFisca variable the test sets, for traceability. */
  sourceVariable: z.string().min(1),
  amounts: Amounts,
  /** Amounts the test writes as arithmetic (e.g. `200 * 12`), by period, exactly as written. */
  asWritten: z.record(Period, z.string()).optional(),
});

export const Activity = z.enum(['employed', 'unemployed', 'student', 'retired', 'inactive']);

export const Person = z.strictObject({
  /** The person's id in the source test (personne1, parent1, enfant1…). */
  id: z.string().min(1),
  role: z.enum(['demandeur', 'conjoint', 'enfant', 'autre']),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** Age in years at the case's month, when the test gives an age rather than a birth date. */
  age: z.number().int().min(0).max(120).optional(),
  /** Disability rate, 0..1 (taux_incapacite). */
  disabilityRate: z.number().min(0).max(1).optional(),
  /** A substantial and lasting restriction of access to employment, recognised by the CDAPH (RSDAE). */
  employmentRestrictionRecognised: z.boolean().optional(),
  /** The person's AAH eligibility is recognised (the test sets it directly, without a rate). */
  aahEligibilityRecognised: z.boolean().optional(),
  /** Activity, either constant or by month. */
  activity: z.union([Activity, z.record(Period, Activity)]).optional(),
  pregnant: z.boolean().optional(),
  student: z.boolean().optional(),
  scholarshipHolder: z.boolean().optional(),
  /** Affiliated to the Alsace-Moselle local health scheme. */
  alsaceMoselleScheme: z.boolean().optional(),
  /** Under 25 and has worked the hours that open the "RSA jeune actif". */
  youngWorkerHoursMet: z.boolean().optional(),
  /** Meets the work-history precondition of the ASS (allocation de solidarité spécifique). */
  assPreconditionMet: z.boolean().optional(),
  resources: z.array(Resource).optional(),
});
export type Person = z.infer<typeof Person>;

export const HousingStatus = z.enum([
  'tenant-unfurnished', // locataire_vide
  'tenant-furnished', // locataire_meuble
  'tenant-social-housing', // locataire_hlm
  'tenant-residence', // locataire_foyer
  'owner', // proprietaire
  'first-time-buyer', // primo_accedant
  'housed-free', // loge_gratuitement
]);

export const Housing = z.strictObject({
  status: HousingStatus.optional(),
  /** Monthly rent in euros. */
  rent: z.number().min(0).optional(),
  /** Monthly service charges in euros, when the test gives them apart from the rent. */
  charges: z.number().min(0).optional(),
  /** The dwelling is under an APL agreement (logement_conventionne). */
  agreedForApl: z.boolean().optional(),
  shared: z.boolean().optional(),
  singleRoom: z.boolean().optional(),
  studentResidenceCrous: z.boolean().optional(),
  landlordIsCloseRelative: z.boolean().optional(),
  /** Housed free but contributes to the costs (participation_frais). */
  contributesToCosts: z.boolean().optional(),
});

export const Place = z.strictObject({
  /** The commune's code as the test gives it (depcom). */
  commune: z.string().optional(),
  /** The housing-aid zone when the test sets it as an input. */
  housingZone: z.enum(['1', '2', '3']).optional(),
  overseas: z.boolean().optional(),
  mayotte: z.boolean().optional(),
});

export const BenefitReceived = z.strictObject({
  kind: z.enum(['aide-logement', 'allocations-familiales', 'complement-familial', 'asf', 'rsa', 'paje']),
  sourceVariable: z.string().min(1),
  amounts: Amounts,
});

export const Flag = z.enum([
  /** The test sets an OpenFisca variable that is not a plain fact; kept because it maps to one a person can state (see notes). */
  'openfisca-input-as-fact',
  /** The test leaves a condition unset and relies on OpenFisca's default for it (see notes). */
  'relies-on-openfisca-default',
  /** The resources come from a sibling test of the same file that shows they make the base this test sets directly. */
  'composed-with-sibling-test',
  /** The source file holds the same test more than once. */
  'duplicate-in-source',
  /** The test asserts several months; this case is one of them. */
  'multi-month-output',
  /** The period is doubtful for the aid (e.g. before it existed). */
  'doubtful-period',
  /** A member of the source test's household lives in another dwelling and was left out. */
  'member-left-out',
]);

export const Expected = z
  .strictObject({
    measure: z.enum(['amount', 'eligibility']),
    /** The amount in euros for `period` (monthly or yearly as the test states it). */
    amount: z.number().min(0).optional(),
    eligible: z.boolean().optional(),
    periodicity: z.enum(['monthly', 'yearly']),
    /** The period the test asserts, as written there. */
    period: Period,
    /** The OpenFisca output variable the test asserts (e.g. `rsa`, `af`, `ars_nette_crds`). */
    variable: z.string().min(1),
    /** The expected value exactly as written in the test when it is arithmetic. */
    asWritten: z.string().optional(),
    /** Per person, when the test asserts one value per person (AAH). `amount` is then their sum. */
    perPerson: z.record(z.string(), z.number()).optional(),
    absoluteErrorMargin: z.number().min(0).optional(),
    relativeErrorMargin: z.number().min(0).optional(),
  })
  .refine((e) => (e.measure === 'amount' ? e.amount !== undefined : e.eligible !== undefined), 'an amount needs `amount`, an eligibility `eligible`');

export const Source = z.strictObject({
  repo: z.literal('openfisca/openfisca-france'),
  path: z.string().min(1),
  testName: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/).optional(),
});

export const Case = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  aid: Aid,
  /** The month the amount is for (the first month of the period for a yearly aid). */
  month: Month,
  household: z.strictObject({
    persons: z.array(Person).min(1),
    housing: Housing.optional(),
    place: Place.optional(),
    benefitsReceived: z.array(BenefitReceived).optional(),
    /** What the tax household declares (reference tax income by year, boxes of the return). */
    taxHousehold: z
      .strictObject({
        referenceTaxIncome: Amounts.optional(),
        declared: z.array(Resource).optional(),
        married: z.boolean().optional(),
      })
      .optional(),
    situation: z.strictObject({ recentlyIsolated: z.boolean().optional() }).optional(),
    /** Inputs the test sets that are none of the above, by OpenFisca name, with what they mean. */
    otherInputs: z.array(z.strictObject({ variable: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string()]), period: Period.optional(), meaning: z.string().min(1) })).optional(),
  }),
  expected: Expected,
  source: Source,
  flags: z.array(Flag).optional(),
  notes: z.string().optional(),
});
export type Case = z.infer<typeof Case>;

export const CaseFile = z.strictObject({
  description: z.string().min(1),
  cases: z.array(Case).min(1),
});

export const Reference = z.strictObject({ title: z.string().min(1), href: z.url().optional() });

export const ScaleValue = z.strictObject({
  /** The first day the value applies (it applies until the next value's `from`). */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** null: the parameter stops applying from that day (as OpenFisca writes it). */
  value: z.number().nullable(),
  /** The decree, order or article `metadata.reference` cites for that date, as given there. */
  references: z.array(Reference),
});

export const Scale = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  aid: z.union([Aid, z.literal('shared')]),
  label: z.string().min(1),
  unit: z.enum(['currency-monthly', 'currency-yearly', 'rate', 'smic-hours', 'bmaf-share']),
  /** The OpenFisca parameter, as a dotted path under openfisca_france/parameters. */
  openfiscaParameter: z.string().min(1),
  source: z.strictObject({
    repo: z.literal('openfisca/openfisca-france'),
    path: z.string().regex(/^openfisca_france\/parameters\/.+\.ya?ml$/),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
  }),
  /** Links the parameter gives outside `metadata.reference` (some have no reference at all). */
  documentation: z.array(Reference).optional(),
  values: z.array(ScaleValue).min(1),
  notes: z.string().optional(),
});
export type Scale = z.infer<typeof Scale>;

export const ScaleFile = z.strictObject({
  description: z.string().min(1),
  scales: z.array(Scale).min(1),
});
