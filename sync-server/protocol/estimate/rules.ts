// The official figures the estimates read, as reviewable data (assets/aids/rules/*.json): each figure is a
// dated series, each value with the day it starts and the text that sets it. The engine never holds a
// figure in code: a new scale is a new value in a file, checked by this schema. Pure zod, no I/O (the
// server and the kiosk read the files themselves).
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'date attendue au format AAAA-MM-JJ');
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'mois attendu au format AAAA-MM');

export const FigureValue = z.strictObject({
  /** The first day the value applies; it applies until the next value's `from`. */
  from: isoDate,
  /** null: the rule stops applying from that day (the AAH couple ceiling after the déconjugalisation, say). */
  value: z.number().nullable(),
  /** The decree, order, article or official table that sets it, as a person would cite it. */
  source: z.string().min(10),
  href: z.url().optional(),
});

export const Figure = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
    label: z.string().min(3),
    unit: z.string().min(1),
    values: z.array(FigureValue).min(1),
    note: z.string().optional(),
  })
  .refine((f) => f.values.every((v, i) => i === 0 || f.values[i - 1]!.from < v.from), { error: 'les valeurs doivent être dans l’ordre des dates, sans doublon' });
export type Figure = z.infer<typeof Figure>;

export const RuleFile = z.strictObject({
  /** rsa, prime-activite, aah, css, famille (AF, ARS, ASF), cheque-energie, aides-logement, or commun (SMIC, ASF) */
  domain: z.string().min(2),
  title: z.string().min(3),
  /** The last month for which every figure of the file is known (a revaluation after it is not recorded). */
  knownUntil: month,
  figures: z.array(Figure).min(1),
  notes: z.array(z.string()).optional(),
});
export type RuleFile = z.infer<typeof RuleFile>;

/** Every figure the engine reads; a rules set without one of them is refused. */
export const FIGURE_IDS = [
  'smic.horaire',
  'smic.heures-mensuelles',
  'asf.taux',
  'asf.forfait-ressources',
  'rsa.montant-forfaitaire',
  'rsa.majoration.deuxieme-personne',
  'rsa.majoration.troisieme-personne',
  'rsa.majoration.enfant-supplementaire',
  'rsa.majore.base',
  'rsa.majore.par-enfant',
  'rsa.majore.age-enfant',
  'rsa.majore.duree-mois',
  'rsa.forfait-logement.1-personne',
  'rsa.forfait-logement.2-personnes',
  'rsa.forfait-logement.3-personnes',
  'rsa.age-minimum',
  'rsa.montant-minimum',
  'ppa.montant-forfaitaire',
  'ppa.majoration.deuxieme-personne',
  'ppa.majoration.troisieme-personne',
  'ppa.majoration.enfant-supplementaire',
  'ppa.majore.base',
  'ppa.majore.par-enfant',
  'ppa.pente',
  'ppa.bonification.taux-max',
  'ppa.bonification.seuil',
  'ppa.bonification.seuil-max',
  'ppa.forfait-logement.1-personne',
  'ppa.forfait-logement.2-personnes',
  'ppa.forfait-logement.3-personnes',
  'ppa.age-minimum',
  'ppa.seuil-aah-activite',
  'ppa.montant-minimum',
  'aah.montant',
  'aah.plafond.couple',
  'aah.plafond.par-enfant',
  'aah.abattement-activite.tranche',
  'aah.abattement-activite.taux-bas',
  'aah.abattement-activite.taux-haut',
  'aah.conjoint.frais-professionnels',
  'aah.conjoint.abattement-proportionnel',
  'aah.conjoint.abattement-forfaitaire',
  'aah.conjoint.abattement-par-enfant',
  'aah.age-minimum',
  'aah.taux-plein',
  'aah.taux-minimum',
  'css.plafond',
  'css.coefficient.deuxieme-personne',
  'css.coefficient.troisieme-quatrieme-personne',
  'css.coefficient.cinquieme-personne-et-plus',
  'css.majoration-participative',
  'css.debut',
  'css.participation.moins-de-30-ans',
  'css.participation.30-49-ans',
  'css.participation.50-59-ans',
  'css.participation.60-69-ans',
  'css.participation.70-ans-et-plus',
  'css.participation.alsace-moselle.moins-de-30-ans',
  'css.participation.alsace-moselle.30-49-ans',
  'css.participation.alsace-moselle.50-59-ans',
  'css.participation.alsace-moselle.60-69-ans',
  'css.participation.alsace-moselle.70-ans-et-plus',
  'css.forfait-logement.avec-al.1-personne',
  'css.forfait-logement.avec-al.2-personnes',
  'css.forfait-logement.avec-al.3-personnes',
  'css.forfait-logement.sans-al.1-personne',
  'css.forfait-logement.sans-al.2-personnes',
  'css.forfait-logement.sans-al.3-personnes',
  'bmaf',
  'crds.taux',
  'pf.age-limite',
  'pf.frais-professionnels',
  'af.taux.deux-enfants',
  'af.taux.enfant-supplementaire',
  'af.majoration-age.taux',
  'af.majoration-age.age',
  'af.forfait.taux',
  'af.forfait.nombre-enfants',
  'af.modulation.taux-tranche-2',
  'af.modulation.taux-tranche-3',
  'af.plafond.tranche-1',
  'af.plafond.tranche-2',
  'af.plafond.par-enfant',
  'ars.taux.6-10-ans',
  'ars.taux.11-14-ans',
  'ars.taux.15-18-ans',
  'ars.plafond',
  'ars.plafond.par-enfant',
  'ars.age-minimum',
  'ars.age-maximum',
  'cheque-energie.uc.premiere-personne',
  'cheque-energie.uc.deuxieme-personne',
  'cheque-energie.uc.personne-supplementaire',
  'cheque-energie.seuil-1',
  'cheque-energie.seuil-2',
  'cheque-energie.seuil-3',
  'cheque-energie.seuil-4',
  'cheque-energie.montant.tranche-1.1-uc',
  'cheque-energie.montant.tranche-1.moins-de-2-uc',
  'cheque-energie.montant.tranche-1.2-uc-et-plus',
  'cheque-energie.montant.tranche-2.1-uc',
  'cheque-energie.montant.tranche-2.moins-de-2-uc',
  'cheque-energie.montant.tranche-2.2-uc-et-plus',
  'cheque-energie.montant.tranche-3.1-uc',
  'cheque-energie.montant.tranche-3.moins-de-2-uc',
  'cheque-energie.montant.tranche-3.2-uc-et-plus',
  'cheque-energie.montant.tranche-4.1-uc',
  'cheque-energie.montant.tranche-4.moins-de-2-uc',
  'cheque-energie.montant.tranche-4.2-uc-et-plus',
  'al.plafond.zone-1.seul',
  'al.plafond.zone-1.couple',
  'al.plafond.zone-1.un-enfant',
  'al.plafond.zone-1.enfant-supplementaire',
  'al.plafond.zone-2.seul',
  'al.plafond.zone-2.couple',
  'al.plafond.zone-2.un-enfant',
  'al.plafond.zone-2.enfant-supplementaire',
  'al.plafond.zone-3.seul',
  'al.plafond.zone-3.couple',
  'al.plafond.zone-3.un-enfant',
  'al.plafond.zone-3.enfant-supplementaire',
  'al.charges.base',
  'al.charges.par-personne-a-charge',
  'al.p0.forfait',
  'al.p0.taux',
  'al.tf.personne-seule',
  'al.tf.couple',
  'al.tf.1-personne-a-charge',
  'al.tf.2-personnes-a-charge',
  'al.tf.3-personnes-a-charge',
  'al.tf.4-personnes-a-charge',
  'al.tf.5-personnes-a-charge',
  'al.tf.6-personnes-a-charge',
  'al.tf.par-personne-supplementaire',
  'al.tl.seuil-1',
  'al.tl.seuil-2',
  'al.tl.taux-2',
  'al.tl.taux-3',
  'al.r0.personne-seule',
  'al.r0.couple',
  'al.r0.1-personne-a-charge',
  'al.r0.2-personnes-a-charge',
  'al.r0.3-personnes-a-charge',
  'al.r0.4-personnes-a-charge',
  'al.r0.5-personnes-a-charge',
  'al.r0.6-personnes-a-charge',
  'al.r0.par-personne-supplementaire',
  'al.ressources.arrondi',
  'al.ressources.frais-professionnels',
  'al.ressources.apprenti-exoneration',
  'al.rls.baisse-aide',
  'al.contemporaneisation',
  'al.etudiant.forfait',
  'al.etudiant.minoration-boursier',
  'al.etudiant.age-maximum',
  'al.age-limite-enfant',
  'al.abattement-forfaitaire',
  'al.montant-minimum',
  'bourse-lycee.smic-reference',
  'bourse-lycee.plafond.echelon-1.1-enfant',
  'bourse-lycee.plafond.echelon-1.2-enfants',
  'bourse-lycee.plafond.echelon-1.3-enfants',
  'bourse-lycee.plafond.echelon-1.4-enfants',
  'bourse-lycee.plafond.echelon-1.5-enfants',
  'bourse-lycee.plafond.echelon-1.6-enfants',
  'bourse-lycee.plafond.echelon-1.7-enfants',
  'bourse-lycee.plafond.echelon-1.8-enfants',
  'bourse-lycee.plafond.echelon-2.1-enfant',
  'bourse-lycee.plafond.echelon-2.2-enfants',
  'bourse-lycee.plafond.echelon-2.3-enfants',
  'bourse-lycee.plafond.echelon-2.4-enfants',
  'bourse-lycee.plafond.echelon-2.5-enfants',
  'bourse-lycee.plafond.echelon-2.6-enfants',
  'bourse-lycee.plafond.echelon-2.7-enfants',
  'bourse-lycee.plafond.echelon-2.8-enfants',
  'bourse-lycee.plafond.echelon-3.1-enfant',
  'bourse-lycee.plafond.echelon-3.2-enfants',
  'bourse-lycee.plafond.echelon-3.3-enfants',
  'bourse-lycee.plafond.echelon-3.4-enfants',
  'bourse-lycee.plafond.echelon-3.5-enfants',
  'bourse-lycee.plafond.echelon-3.6-enfants',
  'bourse-lycee.plafond.echelon-3.7-enfants',
  'bourse-lycee.plafond.echelon-3.8-enfants',
  'bourse-lycee.plafond.echelon-4.1-enfant',
  'bourse-lycee.plafond.echelon-4.2-enfants',
  'bourse-lycee.plafond.echelon-4.3-enfants',
  'bourse-lycee.plafond.echelon-4.4-enfants',
  'bourse-lycee.plafond.echelon-4.5-enfants',
  'bourse-lycee.plafond.echelon-4.6-enfants',
  'bourse-lycee.plafond.echelon-4.7-enfants',
  'bourse-lycee.plafond.echelon-4.8-enfants',
  'bourse-lycee.plafond.echelon-5.1-enfant',
  'bourse-lycee.plafond.echelon-5.2-enfants',
  'bourse-lycee.plafond.echelon-5.3-enfants',
  'bourse-lycee.plafond.echelon-5.4-enfants',
  'bourse-lycee.plafond.echelon-5.5-enfants',
  'bourse-lycee.plafond.echelon-5.6-enfants',
  'bourse-lycee.plafond.echelon-5.7-enfants',
  'bourse-lycee.plafond.echelon-5.8-enfants',
  'bourse-lycee.plafond.echelon-6.1-enfant',
  'bourse-lycee.plafond.echelon-6.2-enfants',
  'bourse-lycee.plafond.echelon-6.3-enfants',
  'bourse-lycee.plafond.echelon-6.4-enfants',
  'bourse-lycee.plafond.echelon-6.5-enfants',
  'bourse-lycee.plafond.echelon-6.6-enfants',
  'bourse-lycee.plafond.echelon-6.7-enfants',
  'bourse-lycee.plafond.echelon-6.8-enfants',
  'bourse-lycee.montant.echelon-1',
  'bourse-lycee.montant.echelon-2',
  'bourse-lycee.montant.echelon-3',
  'bourse-lycee.montant.echelon-4',
  'bourse-lycee.montant.echelon-5',
  'bourse-lycee.montant.echelon-6',
  'bourse-lycee.versements',
  'al.degressivite.zone-1',
  'al.degressivite.zone-2',
  'al.degressivite.zone-3',
  'al.suppression.zone-1',
  'al.suppression.zone-2',
  'al.suppression.zone-3',
] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** The first month an estimate may be for. */
export const FIRST_ESTIMATE_MONTH = '2018-01';

export const RulesSchema = z
  .array(RuleFile)
  .min(1)
  .transform((files, ctx) => {
    const figures = new Map<string, Figure>();
    for (const f of files) {
      for (const fig of f.figures) {
        if (figures.has(fig.id)) ctx.addIssue({ code: 'custom', message: `chiffre « ${fig.id} » défini deux fois` });
        figures.set(fig.id, fig);
      }
    }
    for (const id of FIGURE_IDS) if (!figures.has(id)) ctx.addIssue({ code: 'custom', message: `chiffre « ${id} » manquant dans les règles` });
    const knownUntil = files.map((f) => f.knownUntil).sort()[0]!;
    return { files, figures: figures as ReadonlyMap<string, Figure>, firstMonth: FIRST_ESTIMATE_MONTH, lastMonth: knownUntil };
  });
export type Rules = z.output<typeof RulesSchema>;

/** What an estimate says of a figure it used: which value, since when, set by what. */
export interface ScaleUse {
  id: FigureId;
  label: string;
  /** as the rules write it: « euros par mois », « taux », « ans »… */
  unit: string;
  value: number | null;
  from: string;
  source: string;
}

/**
 * Reads figures on given days and remembers each value read, so an estimate can say which scales it used.
 * A figure with no value on that day (before its first one) is a fault of the rules, not of the person.
 */
export class ScaleReader {
  private readonly used = new Map<string, ScaleUse>();

  constructor(private readonly rules: Rules) {}

  /** The value in force on `day` (AAAA-MM-JJ); null when the rule has stopped applying. */
  on(id: FigureId, day: string): number | null {
    const fig = this.rules.figures.get(id);
    if (!fig) throw new Error(`figure ${id} missing from the rules`);
    let found: z.infer<typeof FigureValue> | undefined;
    for (const v of fig.values) if (v.from <= day) found = v;
    if (!found) throw new Error(`figure ${id} has no value on ${day}`);
    this.used.set(`${id}@${found.from}`, { id, label: fig.label, unit: fig.unit, value: found.value, from: found.from, source: found.source });
    return found.value;
  }

  /** The value in force on the first day of `month` (AAAA-MM), which must exist. */
  at(id: FigureId, month: string): number {
    const v = this.on(id, `${month}-01`);
    if (v === null) throw new Error(`figure ${id} does not apply in ${month}`);
    return v;
  }

  /** Like `at`, but null when the rule no longer applies that month. */
  maybeAt(id: FigureId, month: string): number | null {
    return this.on(id, `${month}-01`);
  }

  /** The values read so far, by figure then date. */
  uses(): ScaleUse[] {
    return [...this.used.values()].sort((a, b) => (a.id === b.id ? a.from.localeCompare(b.from) : a.id.localeCompare(b.id)));
  }
}

// ---------------------------------------------------------------- months

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The `count` months before `month`, oldest first. */
export function monthsBefore(month: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(month, i - count));
}

/** The last day of a month, AAAA-MM-JJ. */
export function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(d).padStart(2, '0')}`;
}
