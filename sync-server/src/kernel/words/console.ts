/**
 * The console's words, in plain French: states as the service reads them (the kiosk has its own, for
 * the person: protocol/applications.ts STATE_LABEL), events of the history, the buttons, the declared
 * situation, dates in Paris time.
 */
import type { FilingSituation } from '../../../protocol/applications.ts';
import { dateFr, dateTimeFr } from '../../../protocol/format.ts';
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
