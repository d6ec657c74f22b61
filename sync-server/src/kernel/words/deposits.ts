/**
 * Institutional deposits: what an institution's system reads in the API's answers (French, for the people
 * who wire it up), what a member of staff reads on the console's « Déposer un papier » page and in the
 * staff commands for API clients, and what the person reads at the kiosk when a paper arrives.
 */
import { institutionName } from './applications.ts';

/** The person's notice: « La CAF a mis un papier dans votre coffre : Attestation de paiement. » */
export function depositNotice(institutionKind: string, title: string): string {
  const name = institutionName(institutionKind);
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} a mis un papier dans votre coffre : ${title}.`;
}

/** The deposit API's answers (`error_description` of the token endpoint, `error.message` elsewhere). */
export const DEPOSIT_API_ANSWER = {
  badClient: 'Identifiant ou secret du client refusé (authentification HTTP Basic attendue).',
  unsupportedGrant: 'Seul le type d’autorisation « client_credentials » est accepté.',
  badScope: 'Portée demandée non accordée à ce client.',
  badTokenRequest: 'Demande de jeton illisible : formulaire « application/x-www-form-urlencoded » attendu.',
  noToken: 'Jeton d’accès manquant (en-tête « Authorization: Bearer … »).',
  badToken: 'Jeton d’accès inconnu, expiré ou retiré : demandez-en un nouveau.',
  noScope: 'Ce jeton ne permet pas de déposer des papiers (portée « deposits:write »).',
  badRequest: (where: string, what: string) => `Demande invalide${where ? ` (${where})` : ''} : ${what}`,
  notJson: 'Corps de la demande illisible : JSON attendu.',
  noKey: 'En-tête « Idempotency-Key » manquant ou invalide (1 à 128 caractères visibles).',
  keyReused: 'Cette clé d’idempotence a déjà servi pour une autre demande : rien n’a été déposé.',
  personUnknown: 'Personne inconnue, ou que votre organisme ne suit pas.',
  tooLarge: 'Fichier trop grand (15 Mo au plus).',
  busy: 'Le serveur est trop occupé pour vérifier ce fichier : réessayez dans un moment.',
  refused: 'Dépôt refusé.',
  notFound: 'Adresse inconnue.',
  internal: 'Erreur interne du serveur, réessayer plus tard.',
} as const;

/** What is wrong with a field of the request, by the kind of problem the schema found (zod's issue codes). */
export const FIELD_PROBLEM: Readonly<Record<string, string>> = {
  invalid_type: 'type inattendu ou champ manquant',
  invalid_value: 'valeur non prévue',
  invalid_format: 'format invalide',
  too_big: 'trop long',
  too_small: 'vide ou trop court',
  unrecognized_keys: 'champ inconnu',
};

/** The console's page « Déposer un papier ». */
export const DEPOSIT_PAGE_WORDS = {
  title: 'Déposer un papier',
  intro:
    'Mettez un papier de votre organisme dans le coffre d’une personne que vous suivez. Elle le verra à sa prochaine visite sur une borne. Ses demandes en cours sont revues : si ce papier était le dernier qui manquait, la demande part.',
  person: 'Identifiant de la personne',
  personHint: 'Il est écrit sur sa carte, par exemple FAC-K7QM-3XD2-9HRW.',
  docType: 'Type de papier',
  chooseType: 'Choisissez…',
  docTitle: 'Titre du papier',
  docTitleHint: 'Facultatif. Par exemple « Attestation de paiement de mars ».',
  issuedOn: 'Date du papier',
  expiresOn: 'Valable jusqu’au',
  dateHint: 'Facultatif. Jour/mois/année, par exemple 15/03/2026.',
  file: 'Fichier',
  fileHint: 'PDF, JPEG ou PNG, 15 Mo au plus.',
  submit: 'Déposer le papier',
  done: (title: string) => `C’est fait : « ${title} » est dans le coffre de la personne.`,
  recent: 'Déposés récemment par votre organisme',
  noneYet: 'Aucun papier déposé pour l’instant.',
  columns: { when: 'Quand', person: 'Personne', type: 'Type', title: 'Titre', by: 'Par' },
  bySystem: (name: string) => `Système : ${name}`,
  notForYou: { title: 'Page réservée', text: 'Cette page sert aux personnes qui déposent des papiers pour un organisme.' },
  errors: {
    person: 'Écrivez l’identifiant de la carte : FAC- puis trois groupes de 4 caractères.',
    personUnknown: 'Nous ne trouvons pas cette personne parmi celles que votre organisme suit. Vérifiez l’identifiant.',
    docType: 'Choisissez le type de papier.',
    docTitle: 'Le titre fait 200 caractères au plus.',
    date: 'Écrivez une date comme 15/03/2026.',
    file: 'Choisissez le fichier du papier.',
    tooLarge: 'Ce fichier est trop grand : 15 Mo au plus.',
    busy: 'Le serveur est trop occupé pour vérifier ce fichier. Réessayez dans un moment.',
    refused: 'Ce dépôt n’est pas permis.',
    notAFile: 'Ce fichier n’est ni un PDF, ni une image JPEG ou PNG.',
    endBeforeStart: 'Cette date est avant la date du papier.',
  },
} as const;

/** The staff commands for an institution's API clients (`npm run staff -- institution-client …`). */
export const CLIENT_CLI_WORDS = {
  created: (id: string, institution: string) => `Client créé : ${id} (${institution}) / client created`,
  secret: (s: string) => `  Secret / secret ........ ${s}`,
  clientId: (s: string) => `  Identifiant / client id  ${s}`,
  writeItDown: 'Notez le secret maintenant : il ne sera plus affiché / write the secret down now: it is not shown again',
  rotated: (id: string, until: string | null) =>
    until ? `Nouveau secret pour ${id} ; l’ancien marche jusqu’au ${until} / new secret, the former one works until then` : `Nouveau secret pour ${id} ; l’ancien ne marche plus / new secret, the former one no longer works`,
  revoked: (id: string) => `Client ${id} retiré : ses jetons ne marchent plus / client revoked, its tokens no longer work`,
  alreadyRevoked: (id: string, at: string) => `Client ${id} déjà retiré (${at}) / client already revoked`,
  none: 'Aucun client / no client',
  row: (c: { id: string; institutionId: string; name: string; state: string; lastUsedAt: string | null }) =>
    `${c.id}  ${c.institutionId}  ${c.state}  ${c.lastUsedAt ? `dernier usage ${c.lastUsedAt}` : 'jamais utilisé'}  ${c.name}`,
  states: { active: 'actif', revoked: 'retiré' },
  errors: {
    'unknown-institution': 'institution inconnue / unknown institution',
    'unknown-client': 'client inconnu / unknown client',
    revoked: 'client retiré : créez-en un autre / client revoked: create another one',
    invalid: 'nom de 1 à 120 caractères / name of 1 to 120 characters',
  },
  badGrace: '--grace-hours : 0 à 168 heures / 0 to 168 hours',
} as const;
