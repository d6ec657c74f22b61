/**
 * The console's words, in plain French: what the service reads next to a state (a hint, never a second
 * name: each state has one name, the protocol's STATE_LABEL, the same on the kiosk, in the console and on
 * the PDFs), events of the history, the buttons, the declared situation, dates in Paris time.
 */
import { STATE_LABEL } from '../../../protocol/applications.ts';
import type { ApplicationStateName, FilingSituation } from '../../../protocol/applications.ts';
import { dateFr, dateTimeFr, decisionTermsFr } from '../../../protocol/format.ts';
import type { HistoryEventName } from './applications.ts';

type ConsoleEvent = Exclude<HistoryEventName, 'create'>;
/** Why a move the service asked was refused (features/applications/state-machine.ts TransitionRefusal). */
type RefusalName = 'terminal' | 'already-decided' | 'not-allowed-in-state' | 'actor-not-allowed' | 'message-required';

/** What the service has to do about a request in this state, shown after its name. */
export const STATE_HINT: Partial<Record<ApplicationStateName, string>> = {
  submitted: 'à prendre en charge',
  'information-requested': 'on attend la réponse de la personne',
};

/** A state as the console shows it: its one name, and the hint when there is one ("Envoyée — à prendre en charge"). */
export function stateWords(state: ApplicationStateName): { name: string; hint: string | null } {
  return { name: STATE_LABEL[state], hint: STATE_HINT[state] ?? null };
}

/** Who wrote in a request's history and thread, as the console names them. */
export const CONSOLE_WHO = {
  person: (firstName: string, lastName: string, agent: boolean) => `${firstName} ${lastName}${agent ? ' (agent)' : ''}`,
  somePerson: 'La personne',
  /** « Sophie Lefèvre (agent), pour Camille Martin » */
  agentFor: (agent: string, person: string) => `${agent}, pour ${person}`,
  staff: (name: string, institution: string) => `${name} — ${institution}`,
  someService: 'Le service',
} as const;

/** The menu's link to the queue. */
export const QUEUE_MENU = 'Demandes à traiter';

/** The queue filter's first choice. */
export const ALL_QUEUE = 'Toutes les demandes à traiter';

export const EVENT_WORDS: Record<HistoryEventName, string> = {
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

/** The buttons of the actions the service may take (features/applications/state-machine.ts eventsFor(state, 'institution')). */
export const ACTION_WORDS: Partial<Record<ConsoleEvent, { title: string; button: string; hint: string }>> = {
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
export const DONE_WORDS: Partial<Record<ConsoleEvent | 'message', string>> = {
  'take-up': 'C’est fait : la demande est prise en charge.',
  'request-information': 'C’est fait : votre question est envoyée à la personne.',
  accept: 'C’est fait : la demande est acceptée.',
  refuse: 'C’est fait : la demande est refusée.',
  close: 'C’est fait : le dossier est terminé.',
  message: 'C’est fait : votre message est envoyé.',
};

export const REFUSAL_WORDS: Record<RefusalName, string> = {
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

/** The console's answers to what the service sent or asked (edge/console/routes.ts): forms, errors, login. */
export const CONSOLE_ANSWER = {
  loginReason: {
    expiree: 'Votre session a pris fin. Connectez-vous de nouveau.',
    deconnexion: 'Vous êtes déconnecté. À bientôt.',
  } as Readonly<Record<string, string>>,
  tooLong: 'Ce que vous avez envoyé est trop long.',
  unreadableForm: 'Ce formulaire n’a pas pu être lu.',
  serverError: 'Une erreur est survenue sur le serveur. Rien n’a été changé. Réessayez dans un moment.',
  unreadableNothingChanged: 'Ce formulaire n’a pas pu être lu. Rien n’a été changé.',
  notFound: { title: 'Page introuvable', text: 'Cette page n’existe pas.' },
  badRequest: 'Demande incorrecte',
  csrf: {
    title: 'Formulaire refusé',
    text: 'Ce formulaire a expiré ou ne vient pas de cette page. Rien n’a été changé. Ouvrez la page de nouveau et recommencez.',
    back: 'Retour à la connexion',
  },
  noPaper: { title: 'Papier introuvable', text: 'Ce papier n’est pas dans cette demande.' },
  noApplication: { title: 'Demande introuvable', text: 'Cette demande n’existe pas, ou elle n’est pas traitée par votre organisme.' },
  serverErrorTitle: 'Erreur du serveur',
  badLogin: 'Identifiant ou mot de passe incorrect.',
  writeLogin: 'Écrivez votre identifiant.',
  writePassword: 'Écrivez votre mot de passe.',
  busy: 'Trop de connexions en même temps sur le serveur. Réessayez dans quelques secondes.',
  throttled: (wait: string) => `Trop d’essais de connexion. Attendez ${wait} avant de réessayer.`,
  minutes: (m: number) => (m === 1 ? '1 minute' : `${m} minutes`),
  noSuchFilter: 'Ce filtre ou cette recherche n’est pas possible. Écrivez 100 caractères au plus.',
  writeRefusalReason: 'Écrivez la raison du refus : la personne la lira.',
  writeQuestion: 'Écrivez votre question, ou ce qu’il manque.',
  textTooLong: (max: number) => `Votre texte est trop long : ${max} caractères au plus.`,
  pieceNotInApplication: 'Un des papiers cochés ne fait pas partie de cette demande.',
  writeMessage: 'Écrivez votre message.',
  messageTooLong: (max: number) => `Votre message est trop long : ${max} caractères au plus.`,
  messageNotSent: 'Le message n’a pas pu être envoyé.',
  noPiece: { title: 'Papier introuvable', text: 'Ce papier n’est pas dans cette demande.' },
  pieceForbidden: { title: 'Accès refusé', text: 'Vous ne pouvez pas ouvrir ce papier.' },
  backToApplication: 'Retour à la demande',
} as const;

// ---------------------------------------------------------------------------------------------------
// The request page with the evidence first, the paper page, the confirmed decisions with their terms,
// the search, the one-shot banners.

/** The confirmation box of a decision the person cannot take back. */
export const CONFIRM_WORDS: Partial<Record<ConsoleEvent, string>> = {
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
/** A piece an agent added to the list of a request, or said was not needed, as the service reads it. */
export const ADJUSTMENT_WORDS = {
  added: (by: string, reason: string) => `Papier ajouté à la liste par ${by}. Raison : « ${reason} »`,
  notNeeded: (by: string, reason: string) => `Pas nécessaire pour cette personne, selon ${by}. Raison : « ${reason} »`,
  notGiven: 'Pas encore donné.',
} as const;

export const HOLDER_WORDS = {
  name: (paperName: string) => `Ce papier est au nom de ${paperName}.`,
  birthDate: (paperName: string) => `Ce papier (au nom de ${paperName}) porte une autre date de naissance que celle de la personne.`,
  mine: 'La personne a répondu : « C’est bien le mien. »',
  household: (relation: string | undefined) => `La personne a répondu : « C’est quelqu’un de mon foyer${relation ? ` : ${RELATION_WORDS[relation] ?? relation}` : ''}. »`,
  notAsked: 'La personne n’a pas été interrogée : vérifiez avec elle.',
} as const;

const RELATION_WORDS: Record<string, string> = { conjoint: 'mon conjoint', enfant: 'mon enfant', parent: 'mon parent', autre: 'une autre personne' };

/** The structure admin's page of agents (docs/agents.md): the levels in plain words, the states, the actions. */
export const AGENT_PAGE_WORDS = {
  title: 'Les agents de la structure',
  menu: 'Agents',
  brand: 'Facilitateur — agents de la structure',
  lead: (structure: string) => `Les agents de ${structure} : leur niveau dit ce qu’ils peuvent voir et faire pour une personne.`,
  none: 'Aucun agent dans cette structure pour le moment.',
  columns: { name: 'Nom', identifier: 'Identifiant de la carte', level: 'Niveau', lastActive: 'Dernière venue', state: 'État', actions: 'Actions' },
  never: 'jamais',
  active: 'Actif',
  suspendedInactive: 'Suspendu (trop longtemps sans venir)',
  suspendedAdmin: 'Suspendu par la structure',
  changeLevel: 'Changer le niveau',
  suspend: 'Suspendre',
  reactivate: 'Réactiver',
  attachTitle: 'Ajouter un agent à la structure',
  attachHint: 'L’identifiant est écrit sur la carte de l’agent (FAC-XXXX-XXXX-XXXX).',
  identifierLabel: 'Identifiant de la carte',
  levelLabel: 'Niveau',
  attach: 'Ajouter l’agent',
  done: 'C’est fait.',
  unchanged: 'Rien n’a changé : c’était déjà ainsi.',
  refused: {
    unknown: 'Aucune personne n’a cet identifiant.',
    'not-agent': 'Cette carte n’est pas une carte d’agent.',
    'other-structure': 'Cet agent travaille dans une autre structure.',
  },
  badIdentifier: 'Écrivez l’identifiant comme sur la carte : FAC-XXXX-XXXX-XXXX.',
  notForYou: { title: 'Page réservée', text: 'Cette page est réservée aux responsables d’une structure.' },
  procurations: {
    title: 'Les procurations en cours',
    lead: 'Les personnes qui ont donné une procuration à un agent de la structure. La structure peut en retirer une, par exemple quand l’agent part.',
    none: 'Aucune procuration en cours.',
    columns: { person: 'Personne', agent: 'Agent', allows: 'Permet de', dates: 'Dates', action: 'Retirer' },
    dates: (from: string, until: string) => `du ${from} au ${until}`,
    reasonLabel: 'Raison (la personne la lira)',
    withdraw: 'Retirer la procuration',
    withdrawn: 'La procuration est retirée. La personne le voit sur la borne.',
    gone: 'Cette procuration est déjà terminée, ou elle n’est pas de la structure.',
  },
} as const;

/** The three competence levels, as the structure admin reads them. */
export const LEVEL_WORDS: Readonly<Record<'accueil' | 'accompagnement' | 'travail-social', { name: string; hint: string }>> = {
  accueil: { name: 'Accueil', hint: 'papiers de tous les jours ; ni RIB, ni santé, ni demandes' },
  accompagnement: { name: 'Accompagnement', hint: 'tous les papiers sauf la santé ; les demandes et les messages' },
  'travail-social': { name: 'Travail social', hint: 'tous les papiers, santé comprise ; les demandes et les messages' },
};

/** A structure admin's page of the directory: the places their structure added, and a search of the whole directory. */
export const PLACES_PAGE_WORDS = {
  title: 'Les lieux d’accueil',
  menu: 'Lieux d’accueil',
  lead: (structure: string) =>
    `Les lieux que ${structure} a ajoutés à l’annuaire : votre structure, une permanence, une association, un espace France Services. Les tablettes les montrent sur la carte à leur prochaine mise à jour (en quelques heures).`,
  none: 'Votre structure n’a encore ajouté aucun lieu.',
  columns: { name: 'Nom', kind: 'Type', address: 'Adresse', phone: 'Téléphone', actions: 'Actions' },
  change: 'Modifier',
  remove: 'Retirer',
  removeHint: 'Le lieu disparaît de l’annuaire et des tablettes.',
  addTitle: 'Ajouter un lieu',
  changeTitle: (name: string) => `Modifier : ${name}`,
  cancel: 'Annuler',
  save: 'Enregistrer',
  add: 'Ajouter ce lieu',
  labels: {
    kind: 'Type de lieu',
    name: 'Nom du lieu',
    address: 'Adresse (numéro et rue)',
    postcode: 'Code postal',
    city: 'Commune',
    phone: 'Téléphone (facultatif)',
    email: 'Adresse e-mail (facultatif)',
    website: 'Site internet (facultatif)',
    hoursNote: 'Horaires, en clair (facultatif)',
    lat: 'Latitude (facultatif)',
    lon: 'Longitude (facultatif)',
  },
  hints: {
    hoursNote: 'Par exemple : « Lundi et jeudi de 9 h à 12 h, sur rendez-vous l’après-midi ».',
    position: 'Pour placer le lieu sur la carte, en degrés décimaux (par exemple 45,7640 et 4,8357). Laissez vide si vous ne savez pas : le lieu est alors dans la liste, sans point sur la carte.',
  },
  kinds: {
    cms: 'Centre médico-social',
    ccas: 'CCAS',
    mairie: 'Mairie',
    'france-services': 'Espace France Services',
    association: 'Association',
    autre: 'Autre lieu d’accueil',
  } as Readonly<Record<string, string>>,
  problems: {
    kind: 'Choisissez le type de lieu.',
    name: 'Écrivez le nom du lieu (200 caractères au plus).',
    address: 'Écrivez l’adresse (300 caractères au plus).',
    postcode: 'Le code postal a 5 chiffres.',
    city: 'Écrivez la commune (100 caractères au plus).',
    phone: 'Le numéro de téléphone a 40 caractères au plus.',
    email: 'Cette adresse e-mail n’est pas valide.',
    website: 'L’adresse du site doit commencer par https:// ou http://.',
    hoursNote: 'Les horaires ont 500 caractères au plus.',
    lat: 'La latitude est un nombre entre -90 et 90, avec la longitude.',
    lon: 'La longitude est un nombre entre -180 et 180, avec la latitude.',
    pairMissing: 'Écrivez la latitude et la longitude, ou laissez les deux vides.',
  } as Readonly<Record<string, string>>,
  /** after a change, by the code the page is sent back with (never words from the address) */
  done: { ajoute: 'Le lieu est ajouté à l’annuaire.', modifie: 'Le lieu est modifié.', inchange: 'Rien n’a changé.', retire: 'Le lieu est retiré de l’annuaire.' } as Readonly<Record<string, string>>,
  notYours: { title: 'Ce lieu n’est pas le vôtre', text: 'Ce lieu n’a pas été ajouté par votre structure, ou il n’existe plus. Rien n’a changé.' },
  searchTitle: 'Chercher dans l’annuaire',
  searchLabel: 'Une commune ou un code postal',
  searchHint: 'Les lieux qui s’occupent des habitants de cette commune : ceux de l’annuaire public et ceux ajoutés ici.',
  searchButton: 'Chercher',
  searchNone: (q: string) => `Aucun lieu connu pour « ${q} ». Vérifiez la commune ou le code postal.`,
  searchFound: (n: number, communes: string) => `${n === 1 ? '1 lieu' : `${n} lieux`} pour ${communes} :`,
  searchBad: 'Tapez une commune ou un code postal (2 à 100 caractères).',
  fromAnnuaire: 'Annuaire public',
  fromHere: 'Ajouté ici',
  source: 'Source',
} as const;
