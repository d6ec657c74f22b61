/**
 * The console's words, in plain French: states as the service reads them (the kiosk has its own, for
 * the person: protocol/applications.ts STATE_LABEL), events of the history, the buttons, the declared
 * situation, dates in Paris time.
 */
import type { FilingSituation } from '../../../protocol/applications.ts';
import { dateFr, dateTimeFr, decisionTermsFr } from '../../../protocol/format.ts';
import type { ApplicationEvent, ApplicationState, TransitionRefusal } from '../../features/applications/index.ts';

export const STATE_WORDS: Record<ApplicationState, string> = {
  draft: 'Brouillon',
  'collecting-pieces': 'Papiers en cours de collecte',
  ready: 'Prête, pas encore envoyée',
  submitted: 'Nouvelle : à prendre en charge',
  'in-processing': 'En cours d’étude',
  'information-requested': 'Question posée : on attend la personne',
  accepted: 'Acceptée',
  refused: 'Refusée',
  closed: 'Terminée',
};

/** The queue's states, in the order of the filter. */
export const QUEUE_STATES = ['submitted', 'in-processing', 'information-requested'] as const satisfies readonly ApplicationState[];
export const DECISION_STATES = ['accepted', 'refused', 'closed'] as const satisfies readonly ApplicationState[];

export const EVENT_WORDS: Record<ApplicationEvent | 'create', string> = {
  create: 'Demande commencée',
  'start-collecting': 'Papiers en cours de collecte',
  'all-pieces-present': 'Tous les papiers sont là',
  'piece-removed': 'Un papier a été retiré',
  submit: 'Demande envoyée',
  'take-up': 'Prise en charge par le service',
  'request-information': 'Question posée à la personne',
  'information-provided': 'La personne a répondu',
  accept: 'Demande acceptée',
  refuse: 'Demande refusée',
  close: 'Demande terminée',
  withdraw: 'Demande retirée par la personne',
};

/** information-provided fired by the server: the papers asked again arrived (the person did not write). */
export const PIECES_ARRIVED = 'Les papiers redemandés sont arrivés';

/** The buttons of the actions the service may take (state-machine.ts eventsFor(state, 'institution')). */
export const ACTION_WORDS: Partial<Record<ApplicationEvent, { title: string; button: string; hint: string }>> = {
  'take-up': { title: 'Prendre en charge', button: 'Prendre en charge la demande', hint: 'La personne verra que sa demande est en cours d’étude.' },
  'request-information': {
    title: 'Poser une question ou redemander des papiers',
    button: 'Envoyer la question',
    hint: 'La personne verra votre question sur la tablette. Cochez les papiers à donner de nouveau, s’il y en a.',
  },
  accept: { title: 'Accepter la demande', button: 'Accepter la demande', hint: 'Vous pouvez écrire un mot pour la personne (facultatif).' },
  refuse: { title: 'Refuser la demande', button: 'Refuser la demande', hint: 'Écrivez la raison du refus : la personne la lira.' },
  close: { title: 'Terminer le dossier', button: 'Terminer le dossier', hint: 'La demande ne pourra plus changer.' },
};

/** What was done, said after the redirect. */
export const DONE_WORDS: Partial<Record<ApplicationEvent | 'message', string>> = {
  'take-up': 'C’est fait : la demande est prise en charge.',
  'request-information': 'C’est fait : votre question est envoyée à la personne.',
  accept: 'C’est fait : la demande est acceptée.',
  refuse: 'C’est fait : la demande est refusée.',
  close: 'C’est fait : le dossier est terminé.',
  message: 'C’est fait : votre message est envoyé.',
};

export const REFUSAL_WORDS: Record<TransitionRefusal, string> = {
  terminal: 'Cette demande est terminée : elle ne peut plus changer.',
  'already-decided': 'Une décision est déjà prise pour cette demande.',
  'not-allowed-in-state': 'Ce choix n’est pas possible maintenant : la demande a peut-être changé entre-temps. Regardez son état ci-dessous.',
  'actor-not-allowed': 'Ce choix n’est pas possible pour le service.',
  'message-required': 'Écrivez un message.',
};

const HOUSING: Record<FilingSituation['housing'], string> = {
  tenant: 'Locataire',
  owner: 'Propriétaire',
  hosted: 'Hébergée par quelqu’un',
  homeless: 'Sans logement stable',
};
const ACTIVITY: Record<FilingSituation['activity'][number], string> = {
  salaried: 'salariée',
  'self-employed': 'travaille à son compte',
  'job-seeker': 'cherche un emploi',
  student: 'étudiante ou élève',
  retired: 'à la retraite',
  inactive: 'sans activité',
};
const NATIONALITY: Record<FilingSituation['nationality'], string> = {
  french: 'Française',
  eu: 'D’un pays de l’Union européenne',
  'non-eu': 'D’un pays hors de l’Union européenne',
};

export function situationWords(s: FilingSituation): [string, string][] {
  const activity = s.activity.map((a) => ACTIVITY[a]).join(', ');
  return [
    ['Logement', HOUSING[s.housing]],
    ['Activité', activity.charAt(0).toUpperCase() + activity.slice(1)],
    ['Nationalité', NATIONALITY[s.nationality]],
    ['Enfants à charge', s.children ? 'Oui' : 'Non'],
    ['En couple', s.couple ? 'Oui' : 'Non'],
  ];
}

/** A date for the console: the format module's, so the console and the printouts agree (« 1er avril 2026 »). */
export function dateWords(iso: string | null): string {
  return iso ? dateFr(iso) : '—';
}

export function dateTimeWords(iso: string | null): string {
  return iso ? dateTimeFr(iso) : '—';
}

// ---------------------------------------------------------------------------------------------------
// The request page with the evidence first, the paper page, the confirmed decisions with their terms,
// the search, the one-shot banners. Kept apart from the words above on purpose (they are moving to a
// shared words module): new words go here.

/** The confirmation box of a decision the person cannot take back. */
export const CONFIRM_WORDS: Partial<Record<ApplicationEvent, string>> = {
  accept: 'Je confirme : j’accepte cette demande. La personne sera prévenue.',
  refuse: 'Je confirme : je refuse cette demande. La personne sera prévenue.',
};
export const CONFIRM_MISSING = 'Cochez la case pour confirmer votre décision. Rien n’a été décidé.';

/** The acceptance's amount and start date. */
export const TERMS_WORDS = {
  legend: 'Ce que la personne recevra (facultatif)',
  amountLabel: 'Montant par mois, en euros',
  amountHint: 'Par exemple : 607,75. Laissez vide s’il n’y a pas de montant.',
  startLabel: 'À partir du',
  startHint: 'Le jour où le droit commence. Par exemple : 01/05/2026.',
  terms: 'Ce qui est accordé',
} as const;

/** The accepted request's terms in one line (« Montant : 607,75 € par mois, à partir du 1er mai 2026 »), or null. */
export function termsWords(terms: { amountCents: number | null; startDate: string | null }): string | null {
  return decisionTermsFr(terms);
}

/** The search of the queue page. */
export const SEARCH_WORDS = {
  label: 'Chercher une demande',
  hint: 'Le nom ou le prénom de la personne, ou le numéro de reçu (par exemple FAC-2026-…).',
  button: 'Chercher',
  results: (q: string, n: number) => (n === 0 ? `Aucune demande ne correspond à « ${q} ».` : n === 1 ? `1 demande correspond à « ${q} ».` : `${n} demandes correspondent à « ${q} ».`),
  clear: 'Effacer la recherche et revenir aux demandes à traiter',
  receipt: 'Numéro de reçu',
} as const;

/** The request page's sections, in the order a decision is made: the evidence, what happened, then the actions. */
export const SECTION_WORDS = {
  pieces: 'Les papiers donnés',
  history: 'Ce qui s’est passé',
  actions: 'Que voulez-vous faire ?',
  toActions: 'Aller aux décisions',
  fieldsRead: 'Ce qui a été lu sur ce papier',
  noFields: 'Rien n’a été lu sur ce papier : regardez l’image.',
  seePaper: 'Voir le papier',
} as const;

/** The paper page: the image and the fields read, beside the request. */
export const PAPER_WORDS = {
  back: 'Retour à la demande',
  image: (label: string) => `Image du papier : ${label}`,
  pdf: 'Ce papier est un fichier PDF.',
  openPdf: 'Ouvrir le fichier PDF',
  download: 'Télécharger le fichier',
  notImage: 'Ce fichier ne peut pas être affiché dans la page.',
  journal: 'Ce papier ouvert est noté dans le journal que la personne peut lire.',
  given: 'Donné le',
  kind: 'Sorte de papier',
  document: 'Document donné',
  version: 'Version',
} as const;

/** An aid's basic conditions the person seemed not to meet (features/aids/eligibility.ts), shown before the papers. */
export const ELIGIBILITY_WORDS = {
  title: 'À vérifier : les conditions de base',
  told: 'La personne l’a lu sur la tablette avant d’envoyer sa demande. C’est à vous de décider.',
} as const;

/** A paper that names someone else than the person (protocol/identity-match.ts), and what the person answered. */
export const HOLDER_WORDS = {
  name: (paperName: string) => `Ce papier est au nom de ${paperName}.`,
  birthDate: (paperName: string) => `Ce papier (au nom de ${paperName}) porte une autre date de naissance que celle de la personne.`,
  mine: 'La personne a répondu : « C’est bien le mien. »',
  household: (relation: string | undefined) => `La personne a répondu : « C’est quelqu’un de mon foyer${relation ? ` : ${RELATION_WORDS[relation] ?? relation}` : ''}. »`,
  notAsked: 'La personne n’a pas été interrogée : vérifiez avec elle.',
} as const;

const RELATION_WORDS: Record<string, string> = { conjoint: 'mon conjoint', enfant: 'mon enfant', parent: 'mon parent', autre: 'une autre personne' };
