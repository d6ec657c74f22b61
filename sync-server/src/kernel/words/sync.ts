/**
 * The server's answers to the kiosk's writes (deposits, deletes, sends through features/sync and
 * features/vault): the `message` of a protocol error. The kiosk shows its own words for them (kiosk/core/
 * words.ts) and keeps these for the logs; staff read them in the journal's detail and the outbox. The
 * person's journal says a refusal in its own words (vault.ts refusedWriteLine), never these.
 */
import { PROCURATION_DENY_WORDS, refusedOnProcuration } from './procurations.ts';

export const MUTATION_ANSWER = {
  refused: 'Mutation refusée.',
  kioskUnknown: 'Borne inconnue.',
  seqTwice: (seq: number) => `Numéro de séquence ${seq} en double dans le lot.`,
  idTwice: (id: string) => `Identifiant de mutation ${id} en double dans le lot.`,
  blobsMismatch: 'La liste des fichiers de la mutation ne correspond pas à son contenu.',
  kioskRevoked: 'Cette borne a été révoquée.',
  seqUsed: (seq: number) => `Le numéro ${seq} a déjà servi pour une autre mutation.`,
  gap: (seq: number, expected: number) => `Mutation ${seq} reçue avant ${expected} : renvoyer depuis ${expected}.`,
  internal: 'Erreur interne du serveur, réessayer plus tard.',
  idUsed: (id: string) => `L’identifiant ${id} a déjà servi.`,
  blobRefused: (why: string) => `Un fichier de la mutation a été refusé à son arrivée (${why}).`,
  blobMissing: 'Un fichier de la mutation n’a pas encore été reçu.',
} as const;

/** A write to a vault the server does not apply (features/vault deposit.ts, vault-writes.ts). */
export const VAULT_WRITE_ANSWER = {
  ownerUnknown: 'Le titulaire de ce coffre n’est pas connu.',
  otherVault: 'Ce document appartient à un autre coffre.',
  depositRefused: (reason: string) => `Dépôt refusé (${reason}).`,
  fileNotReceived: 'Le fichier du document n’a pas encore été reçu.',
  fileMismatch: 'La taille ou le type du fichier ne correspond pas au fichier reçu.',
  previewNotReceived: 'L’aperçu du document n’a pas encore été reçu.',
  previewMismatch: 'La taille ou le type de l’aperçu ne correspond pas au fichier reçu.',
  deleteRefused: (reason: string) => `Suppression refusée (${reason}).`,
  documentGone: 'Ce document n’est plus dans le coffre.',
  institutionUnknown: 'Cet organisme n’est pas connu.',
  institutionNotReading: 'Cet organisme ne reçoit pas encore de papiers par Facilitateur. Rien n’a été envoyé : apportez vos papiers sur place ou envoyez-les par la poste.',
  sendRefused: (reason: string) => `Envoi refusé (${reason}).`,
  /** one paper of several stops the whole sending: which one, in the order the person chose them */
  paperGone: (n: number, of: number) => `Le papier ${n} sur ${of} n’est plus dans ce coffre : rien n’est envoyé.`,
  paperReason: (n: number, of: number, reason: string) => `papier ${n} sur ${of} : ${reason} ; rien n’est envoyé`,
  paperTwice: 'Un papier est deux fois dans l’envoi : rien n’est envoyé.',
  /** refused to an agent acting alone on a procuration: why, in words */
  depositRefusedOnProcuration: (reason: string) => refusedOnProcuration('Dépôt refusé', reason),
  deleteRefusedOnProcuration: (reason: string) => refusedOnProcuration('Suppression refusée', reason),
  sendRefusedOnProcuration: (reason: string) => refusedOnProcuration('Envoi refusé', reason),
} as const;

/** The kiosk's greeting of a card (features/persons). */
export const PERSON_ANSWER = {
  unreadableId: (why: string) => `Identifiant illisible (${why}).`,
  cardUnknown: 'Cette carte n’est pas connue.',
} as const;

/** A paper an institution puts in a person's institutional vault, through the staff API (features/institutions/issue.ts). */
export const ISSUE_ANSWER = {
  badSize: 'Fichier vide ou trop grand (15 Mo au plus).',
  notValid: (kind: string) => `Le fichier n’est pas un ${kind} valable.`,
  endBeforeStart: 'La date de fin est avant la date de délivrance.',
  personUnknown: 'Personne inconnue.',
  institutionUnknown: 'Organisme inconnu.',
  forbidden: 'Accès refusé.',
} as const;

/** The kiosk socket's answers (edge/socket): a person session, a request it cannot serve. */
export const SOCKET_ANSWER = {
  procurationNotUsable: 'Cette procuration ne peut pas servir : elle est retirée, terminée, pas encore commencée, ou une des cartes n’est plus valable.',
  invalid: (where: string, what: string) => `Message invalide${where} : ${what}`,
  unexpectedFormat: 'format inattendu',
  internal: 'Erreur interne du serveur, réessayer plus tard.',
  kioskUnknown: 'Borne inconnue.',
  /** read in the kiosk's log and the server's: staff make the kiosk's area smaller */
  directoryTooLarge: (offices: number, max: number) =>
    `L’annuaire de cette borne compte ${offices} lieux : une borne en garde ${max} au plus. Donnez-lui une zone de moins de départements (npm run staff -- kiosk config --directory-area, ou directoryArea dans ses réglages). La borne garde sa copie actuelle.`,
  kioskRevoked: 'Cette borne a été révoquée.',
  noSession: 'La session de la personne est terminée. Remettez la carte.',
  /**
   * The access policy said no: why, in plain words (the reason's code goes to the log, not the screen). An
   * agent reads the agent's words; a person alone, that their card no longer opens it.
   */
  forbidden: (reason: string, byAgent: boolean) => {
    const agentWords = (PROCURATION_DENY_WORDS as Readonly<Record<string, string | undefined>>)[reason];
    if (byAgent && agentWords) return `Ce n’est pas possible : ${agentWords}.`;
    return reason === 'card_not_active' ? 'Cette carte n’est plus valable. Demandez de l’aide à l’accueil.' : 'Ce n’est pas possible avec cette carte.';
  },
  tooManyChallenges: 'Trop de demandes en cours.',
  challengeExpired: 'Défi expiré ou inconnu.',
  noCa: 'Le serveur n’a pas d’autorité de certification.',
  cardRefused: (why: string) => `Carte refusée (${why}).`,
  cardUnknown: 'Carte inconnue de la plateforme.',
  agentSessionEnded: 'La session de l’agent est terminée.',
  onlyBeneficiaryJoins: 'Seule une personne accompagnée peut rejoindre un agent.',
  institutionUnknown: 'Cet organisme n’est pas connu.',
  /** an aid the simulation estimates for the person's partner */
} as const;
