/**
 * The server's HTTP answers to kiosks and staff tools (edge/http, edge/server.ts, the push delivery): the
 * `message` of a JSON error. Read by staff and in the kiosk's logs, in French like the rest.
 */
export const HTTP_ANSWER = {
  badEnrollment: 'Demande d’enregistrement invalide.',
  badKioskKey: 'Clé de la borne ou preuve de possession invalide.',
  badEnrollmentCode: 'Code d’enregistrement inconnu, périmé ou déjà utilisé.',
  kioskRevoked: 'Cette borne a été révoquée.',
  badKioskSignature: 'Signature de la borne invalide.',
  badKioskCredentials: 'Identifiants de borne absents, invalides ou expirés.',
  badKioskRequest: 'Demande invalide : id (3 à 64 caractères a-z, 0-9, -), name, institutionId, validityHours (0,02 à 720).',
  revokedKiosk: 'Borne révoquée : demander explicitement sa réintégration (reinstate).',
  kioskNeedsName: 'Une nouvelle borne a besoin d’un nom.',
  badSettings: 'Réglages invalides : displayName (1 à 100 caractères), idleTimeoutS (15 à 3600), idleWarningS (5 à 300), directoryArea (1 à 10 codes de département, chacun une fois : « 69 », « 2A », « 974 »).',
  forbidden: (reason: string) => `Accès refusé (${reason}).`,
  badCardSerial: 'Numéro de carte invalide (8 caractères hexadécimaux).',
  noRevocationList: 'Aucune liste de révocation publiée (pas d’autorité de certification sur ce serveur).',
  badStaffToken: 'Jeton d’accès manquant ou invalide.',
  unknownUpload: 'Envoi inconnu.',
  badSha256: 'Empreinte SHA-256 invalide.',
  badDocumentId: 'Identifiant de document invalide.',
  badPersonId: 'Identifiant de personne invalide.',
  personUnknown: 'Personne inconnue.',
  badIssueRequest: (detail: { where: string; what: string } | null) => `Demande invalide${detail ? ` (${detail.where || 'corps'} : ${detail.what})` : ''}.`,
  badRevokeReason: 'Motif invalide : lost, stolen, deceased ou other.',
  cardUnknown: 'Carte inconnue.',
  institutionUnknown: 'Institution inconnue.',
  badKioskId: 'Identifiant de borne invalide.',
  kioskUnknown: 'Borne inconnue.',
  badCommand: 'Commande invalide : sync-now, end-session ou reload.',
  badTokenRequest: 'Demande de jeton invalide.',
  internal: 'Erreur interne du serveur.',
  invalid: 'Requête invalide.',
} as const;

/** A push a kiosk could not be sent or answered wrongly (edge/socket/pushes.ts). */
export const PUSH_ANSWER = {
  unreadable: 'push illisible côté serveur',
  badAck: (where: string, what: string) => `Accusé de réception invalide${where} : ${what}`,
  unexpectedFormat: 'format inattendu',
} as const;

/** A console account's login and password, as the staff command says what is wrong (features/accounts). */
export const ACCOUNT_WORDS = {
  loginShape: '3 à 64 caractères : lettres, chiffres, point, tiret',
  passwordMin: (min: number) => `au moins ${min} caractères`,
} as const;

/** A card PIN refused at issuance or unblocking, before the card is touched (features/cards, the staff command). */
export const CARD_PIN_WORDS = {
  badLength: (min: number, max: number) =>
    `Le code doit avoir ${min} à ${max} chiffres, sans lettre ni espace : les cartes OpenPGP et leurs outils refusent un code plus court.`,
} as const;

/** The staff commands about structures and their admins (`structure create`, `console-account create --structure`). */
export const STRUCTURE_CLI_WORDS = {
  unknownStructure: 'structure inconnue / unknown structure',
  oneOwner: 'donnez --institution ou --structure, pas les deux / give --institution or --structure, not both',
  badKind: 'type de structure : cms, ccas, france-services ou association / structure kind: cms, ccas, france-services or association',
  created: (id: string, name: string) => [`Structure créée : ${id} (${name})`, `structure created: ${id}`] as const,
  exists: (id: string) => [`La structure ${id} existe déjà : rien n’a changé`, `structure ${id} exists: nothing changed`] as const,
} as const;
