/**
 * Every sentence the kiosk core shows to a person, in one place, grouped by theme (plain French, FALC:
 * short sentences, everyday words). Core modules import their words from here and never write a French
 * sentence of their own (tests/lint/words-in-one-place.test.ts checks it), so a sentence is reread, fixed
 * or made plainer once, and the same problem reads the same on every screen.
 *
 * The screens' own words are the renderer's (kiosk/renderer/src/texts.ts); the states of an aid request
 * are the protocol's (sync-server/protocol/applications.ts STATE_LABEL), shared with the server. Log
 * messages stay English: they are for the people who run the kiosk, not for the person at the screen.
 */
/** The card in the box, the PIN, the agent and the person they accompany. */
export const CARD_WORDS = {
  insert: 'Insérez votre carte pour continuer.',
  removed: 'La carte a été retirée.',
  companionFirst: 'La personne accompagnée doit d’abord mettre sa carte et taper son code.',
  pinLength: (min: number, max: number) => `Le code doit avoir ${min} à ${max} chiffres.`,
  putBackToSign: 'La carte n’est plus dans le boîtier. Remettez-la pour signer.',
  putBackToContinue: 'La carte n’est plus dans le boîtier. Remettez-la pour continuer.',
  badSignature: 'La carte n’a pas signé correctement. Demandez de l’aide à l’accueil.',
  notVerified: 'Cette carte n’a pas pu être vérifiée. Demandez de l’aide à l’accueil.',
  noAnswer: 'La carte n’a pas répondu. Retirez-la et remettez-la.',
  actAlone: 'Pour agir avec une procuration, l’agent doit être seul avec sa carte dans la tablette.',
  personAbsent: (firstName: string) => `${firstName} n’est pas là : vous agissez avec sa procuration, c’est votre carte qui signe.`,
} as const;

/** Taking a paper in photo, its pages and what was read on it. */
export const CAPTURE_WORDS = {
  problem: {
    blurry: 'La photo est floue. Posez le document bien à plat et ne bougez plus.',
    dark: 'La photo est trop sombre. Allumez la lumière ou rapprochez le document de la lampe.',
    empty: 'Nous ne voyons pas de document. Posez-le dans le cadre.',
    unreadable: 'Cette photo ne peut pas être lue. Reprenez la photo.',
  },
  tooManyPages: (max: number) => `Un document peut avoir ${max} pages au plus.`,
  noSuchPage: 'Cette page n’existe pas.',
  lastPage: 'Un document garde au moins une page. Reprenez plutôt la photo.',
  unknownField: 'Un champ du document est inconnu.',
  tooBig: 'Le document est trop gros. Retirez des pages.',
  photoGone: 'Cette photo n’est plus disponible. Reprenez la photo.',
  notAPhoto: 'Ce fichier n’est pas une photo lisible. Reprenez la photo.',
  readingFailed: 'La lecture du document n’a pas marché. Réessayez.',
  badIban: 'L’IBAN n’est pas correct. Vérifiez chaque chiffre.',
  badBic: 'Le BIC n’est pas correct. Vérifiez-le.',
} as const;

/**
 * A paper scanned without all of it (ocr/extract/completeness.ts): what is missing, said calmly — the person
 * may add it or keep the paper as it is.
 */
export const COMPLETENESS_WORDS = {
  backFace: {
    'identity-card': 'Il manque le verso de la carte d’identité (le côté avec l’adresse).',
    'residence-permit': 'Il manque le verso du titre de séjour (le côté avec l’adresse).',
  },
  frontFace: {
    'identity-card': 'Il manque le recto de la carte d’identité (le côté avec la photo et le nom).',
    'residence-permit': 'Il manque le recto du titre de séjour (le côté avec la photo et le nom).',
  },
  page: (paper: 'tax-notice' | 'payslip', page: number, of: number | undefined) =>
    `Il manque la page ${page}${of ? ` sur ${of}` : ''} ${paper === 'tax-notice' ? 'de l’avis d’impôt' : 'du bulletin de salaire'}.`,
  payslipEnd: 'Il manque la fin du bulletin de salaire (la partie avec le net à payer).',
  ribBank: 'Il manque la partie du RIB avec l’IBAN et le BIC.',
  ribHolder: 'Il manque la partie du RIB avec le nom du titulaire et l’adresse de la banque.',
} as const;

/** A paper in someone else's name: the person says whose it is before it is saved. */
export const HOLDER_WORDS = {
  answerNeeded: 'Ce papier est au nom d’une autre personne. Dites à qui il est avant de l’enregistrer.',
  relationNeeded: 'Dites qui est cette personne de votre foyer.',
} as const;

/** Reading a photo's text (OCR): what went wrong, for the screen (the logs get an English detail). */
export const OCR_WORDS = {
  'bad-image': 'Ce fichier n’est pas une photo lisible. Reprenez la photo.',
  'too-large': 'L’image est trop grande. Reprenez la photo.',
  unreadable: 'L’image est illisible. Reprenez la photo.',
  'worker-crashed': 'La lecture du document a échoué. Réessayez.',
  timeout: 'La lecture du document a pris trop de temps. Réessayez.',
  empty: 'L’image est vide. Reprenez la photo.',
  pdf: 'Les fichiers PDF ne sont pas lus ici. Prenez le document en photo.',
  notAPhoto: 'Ce fichier n’est pas une photo. Prenez le document en photo.',
  damaged: 'L’image est abîmée. Reprenez la photo.',
  tooSmall: 'L’image est trop petite pour être lue. Approchez le document et reprenez la photo.',
  interrupted: 'La lecture du document a été interrompue.',
  /** the OCR command line (npm run ocr): a file it could not open */
  fileUnreadable: (reason: string) => `Fichier impossible à lire : ${reason}`,
} as const;

/** Keeping a paper on the tablet until it leaves (the outbox). */
export const OUTBOX_WORDS = {
  incomplete: 'Les informations du document sont incomplètes.',
  mismatch: 'Le document et ses fichiers ne correspondent pas.',
  full: 'La tablette n’a plus de place pour enregistrer. Prévenez un agent.',
  cannotWrite: 'La tablette n’arrive pas à enregistrer. Prévenez un agent.',
} as const;

/** The sending of papers to the server, as the status bar says it. */
export const SYNC_PROBLEM = {
  offline: 'Pas de connexion pour le moment. Vos documents sont gardés sur la tablette et partiront tout seuls.',
  unauthorized: 'Cette tablette n’est pas reconnue par le serveur. Prévenez un agent.',
  revoked: 'Cette tablette a été retirée du service par l’administration. Vos documents restent gardés sur la tablette. Prévenez un agent.',
  notEnrolled: 'Cette tablette n’est pas encore enregistrée. Il faut le code d’enregistrement donné par l’administration.',
  rejected: 'Un document n’a pas pu être envoyé. Il est gardé sur la tablette. Prévenez un agent.',
  refused: 'Un document n’a pas été rangé dans le coffre : le serveur l’a refusé. Prévenez un agent.',
  /** a sending to an institution refused for good: none of its papers left (the journal says why) */
  sendRefused: 'Un envoi à un organisme n’a pas été fait : le serveur l’a refusé. Aucun de ses papiers n’est parti. La raison est écrite dans « Qui a vu mes papiers ? ».',
  retrying: 'L’envoi a échoué. La tablette réessaie toute seule.',
  unresponsive: 'Le serveur ne répond pas. Vos documents sont gardés sur la tablette et partiront tout seuls.',
} as const;

/** Enrolling the tablet with the one-time code staff print (one per EnrollmentErrorCode of sync/device.ts). */
export const ENROLLMENT_PROBLEM = {
  'invalid-code': 'Ce code d’enregistrement n’est pas valable : il a 16 caractères (lettres et chiffres).',
  refused: 'Le code d’enregistrement est refusé : il est périmé ou a déjà servi. Demandez un nouveau code à l’administration.',
  offline: 'Le serveur ne répond pas. L’enregistrement de la tablette se fera dès que la connexion reviendra.',
  server: 'Le serveur n’a pas pu enregistrer la tablette. Réessayez plus tard ou prévenez l’administration.',
} as const;

/** Asking the server something in the person's session (the vault, the aid space). */
export const SERVER_WORDS = {
  unexpected: 'Réponse inattendue du serveur.',
  noAnswer: 'Le serveur ne répond pas. Réessayez dans un moment.',
  unreadableDocument: 'Le document reçu du serveur est illisible.',
} as const;

/** The person's vault ("Mes papiers"). */
export const VAULT_WORDS = {
  offline: 'Vos papiers ne sont pas disponibles sans connexion. Vous pouvez quand même ajouter des papiers : ils partiront plus tard.',
  gone: 'Ce papier n’est plus dans le coffre.',
  unavailable: 'Le coffre n’est pas disponible pour le moment.',
  noImage: 'Ce papier n’a pas d’image.',
  nothingToShow: 'Ce papier n’a pas d’image à montrer.',
  directoryOffline: 'La liste des organismes n’est pas disponible sans connexion.',
  /** the server refused this tablet's copy (its area holds too many offices): staff must act, not the person */
  directoryUnavailable: 'La liste des organismes n’est pas encore sur cette tablette. Demandez de l’aide à l’accueil.',
  deleteOwnCardOnly: 'Seule la personne elle-même peut supprimer un papier, avec sa carte.',
  sendNothing: 'Choisissez au moins un papier à envoyer.',
} as const;

/** The aid space ("Mes aides"). */
export const AIDS_WORDS = {
  offline: 'L’espace des aides a besoin d’une connexion. Il n’y a pas de connexion pour le moment. Réessayez plus tard, ou demandez à un agent.',
  unavailable: 'L’espace des aides n’est pas disponible pour le moment. Réessayez dans un moment.',
  gone: 'Cette demande n’existe plus.',
  failed: 'Cette demande n’a pas pu être faite. Réessayez, ou demandez à un agent.',
  answerMissing: 'Une réponse manque.',
  estimateUnavailable: 'L’estimation ne marche pas sur cette tablette pour le moment. Demandez de l’aide à l’accueil.',
  /** the estimate is for the last month the rules know, not this month: the person is told so */
  oldScales: (month: string) => `Les barèmes connus s’arrêtent en ${month} : l’estimation est faite pour ce mois-là, avec vos réponses. Les montants d’aujourd’hui peuvent être un peu différents.`,
  agentOnly: 'Seul un agent peut envoyer une demande au titre d’une procuration.',
  summaryOutdated: 'Le résumé de la demande n’est plus à jour. Relisez-le, puis tapez votre code.',
  /** a paper chosen for a request whose title the vault no longer gives */
  chosenPaper: 'Papier choisi',
} as const;

/** The procuration numérique on the kiosk: making one with both cards, the person's list, withdrawing one. */
export const PROCURATION_WORDS = {
  offline: 'Une procuration a besoin d’une connexion. Il n’y a pas de connexion pour le moment. Réessayez plus tard.',
  unavailable: 'Les procurations ne sont pas disponibles pour le moment. Réessayez dans un moment.',
  failed: 'La procuration n’a pas pu être faite. Réessayez.',
  bothCards: 'Pour faire une procuration, la carte de l’agent et celle de la personne doivent être dans la tablette, avec leurs codes tapés.',
  agentOnly: 'Seul un agent a une liste de personnes suivies.',
  noStructure: 'La structure de l’agent n’est pas connue de la plateforme : la procuration ne peut pas être faite.',
  gone: 'Cette procuration n’existe plus.',
  badText: 'La procuration est mal remplie : vérifiez les dates et ce qu’elle permet.',
  personWithdraws: 'Seule la personne qui a donné la procuration peut la retirer, avec sa carte.',
  notActing: 'Choisissez d’abord la personne pour qui vous agissez.',
  dates: (rule: string) => `Les dates ne vont pas : ${rule}.`,
} as const;

/** The letter printed on the kiosk to ask an institution for a paper. */
export const LETTER_WORDS = {
  title: 'Demande de document',
  to: (whom: string) => `À l’attention de : ${whom}`,
  dated: (date: string) => `Le ${date}`,
} as const;

/** The map of institutions: its base map installed on the tablet, and the plan printed. */
export const MAP_WORDS = {
  tilesMissing: 'Le fond de carte n’est pas installé sur cette tablette. Le plan simple est affiché à la place.',
  tilesUnreadable: 'Le fond de carte de cette tablette est abîmé. Le plan simple est affiché à la place. Prévenez un agent.',
  tilesNotVector: 'Le fond de carte de cette tablette n’est pas du bon type. Le plan simple est affiché à la place. Prévenez un agent.',
  tileUnreadable: 'Une partie de la carte ne peut pas être lue.',
  printTitle: 'Plan des lieux',
  printFrom: (label: string) => `Vous êtes ici : ${label}`,
  printNorth: 'Nord',
  printYou: 'Vous',
  printHelp: 'Les numéros du plan sont ceux de la liste.',
  printNoPlan: 'Ces lieux n’ont pas de position connue : il n’y a pas de plan.',
  printDated: (date: string) => `Imprimé le ${date}`,
} as const;

/**
 * The kiosk's answers to the server's pushes and commands it does not carry out: read by staff in the
 * server's journal and API answers, so they are French like the rest of the staff's words.
 */
export const KIOSK_REPLY_WORDS = {
  listNotSigned: 'liste non signée par l’autorité',
  pushNotHandled: 'push non géré par cette borne',
  commandNotHandled: 'commande non gérée par cette borne',
  kioskError: 'erreur de la borne',
} as const;

/** The kiosk's configuration problems, read by whoever installs the tablet (the process stops on them). */
export const CONFIG_WORDS = {
  tokenTooShort: 'FAC_KIOSK_TOKEN doit faire au moins 16 caractères',
  printerName: 'nom d’imprimante CUPS attendu',
  mapPlace: 'attendu : latitude,longitude (en degrés, avec un point), puis un nom si vous voulez',
} as const;
