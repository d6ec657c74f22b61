/**
 * The procuration numérique's words: the server's answers when it refuses one (each says what to do), the
 * lines of the person's journal about their procurations, what « Qui peut agir pour moi » says of each,
 * and the printed copy. Spoken to the person ("vous", "votre carte"), plain words.
 */
import { PROCURATION_MAX_START_DAYS } from '../../../protocol/procuration.ts';
import type { DenyReason } from '../access-policy.ts';

/** Why a procuration was not stored: one typed reason, one plain sentence. */
export const PROCURATION_REFUSAL = {
  format: 'La procuration est mal remplie. Recommencez sur la tablette.',
  dates: 'Les dates ne vont pas : une procuration commence aujourd’hui ou plus tard, et finit après son début.',
  'too-long': 'Une procuration dure au moins un jour et au plus un an.',
  'too-late': `Une procuration commence au plus tard ${PROCURATION_MAX_START_DAYS} jours après sa signature.`,
  stale: 'La procuration a été préparée il y a trop longtemps, ou l’heure de la tablette est fausse. Recommencez.',
  'wrong-session': 'Cette procuration ne nomme pas les personnes dont les cartes sont dans la tablette.',
  'wrong-kiosk': 'Cette procuration n’a pas été préparée sur cette tablette.',
  'no-ca': 'Le serveur ne peut pas vérifier les cartes pour le moment. Réessayez plus tard.',
  certificate: (problem: string) => `Une des deux cartes est refusée : ${problem}.`,
  'card-unknown': 'Une des deux cartes n’est pas connue de la plateforme.',
  'other-person': 'La carte qui a signé n’est pas celle de la personne nommée dans la procuration.',
  'not-beneficiary': 'La personne qui donne la procuration doit signer avec sa propre carte de bénéficiaire.',
  'not-agent': 'La procuration doit être contresignée avec une carte d’agent.',
  'other-agent': 'La carte qui a contresigné n’est pas celle de l’agent nommé dans la procuration.',
  'person-signature': 'La signature de la personne ne correspond pas à ce texte. Rien n’a été enregistré.',
  'agent-signature': 'La contresignature de l’agent ne correspond pas à ce texte. Rien n’a été enregistré.',
  'wrong-name': 'Le nom écrit dans la procuration n’est pas celui de la carte.',
  structure: 'L’agent ne fait pas partie de la structure écrite dans la procuration.',
  'unknown-aid': (id: string) => `Cette aide n’existe pas : « ${id} ».`,
  scope: 'Ce que la procuration permet est mal écrit : chaque choix une seule fois, et « toutes les démarches » seul.',
  renewal: 'La procuration à renouveler n’existe pas, est déjà finie, ou n’est pas entre les mêmes personnes.',
  duplicate: 'Cette procuration est déjà enregistrée.',
} as const;
export type ProcurationRefusalReason = keyof typeof PROCURATION_REFUSAL;

/** The answers to a revocation or a read that cannot be done. */
export const PROCURATION_ANSWER = {
  notFound: 'Cette procuration n’existe pas, ou elle n’est pas à vous.',
  alreadyEnded: 'Cette procuration est déjà finie.',
  notAgent: 'Seul un agent, dans sa propre session, peut demander cela.',
  notPresent: 'Votre carte doit être dans la tablette pour retirer une procuration.',
  bothCards: 'Pour faire une procuration, la carte de la personne et celle de l’agent doivent être dans la tablette.',
} as const;

/** The person's journal ("Qui a vu mes papiers ?"): what each act about a procuration did. */
export const PROCURATION_JOURNAL_WORDS: Readonly<Record<string, string>> = {
  'procuration.create': 'a donné une procuration à un agent, signée avec la carte',
  'procuration.renew': 'a renouvelé une procuration, signée avec la carte',
  'procuration.revoke': 'a retiré une procuration',
  'procuration.refused': 'a refusé une procuration : rien n’a été enregistré',
};

/** The state of a procuration, as « Qui peut agir pour moi » says it. */
export const PROCURATION_STATE = {
  'in-force': 'En cours',
  'not-yet': 'Pas encore commencée',
  expired: 'Finie',
  'revoked-person': 'Retirée par vous',
  'revoked-structure': 'Retirée par la structure de l’agent',
  renewed: 'Remplacée par une nouvelle procuration',
} as const;
export type ProcurationStateName = keyof typeof PROCURATION_STATE;

/** What each allowed action means, in the person's words (the list and the printed copy). */
export const PROCURATION_ACTION_WORDS = {
  consult: 'regarder mes papiers',
  'scan-for': 'ajouter des papiers dans mon coffre pour moi',
  'adapt-checklist': 'changer la liste des papiers de mes demandes',
  file: 'commencer une demande d’aide pour moi',
  'send-without-me': 'envoyer mes demandes sans moi',
  'write-in-my-name': 'écrire aux organismes en mon nom',
} as const;

export const PROCURATION_CATEGORY_WORDS = {
  identity: 'papiers d’identité',
  income: 'revenus',
  bank: 'banque (RIB)',
  housing: 'logement',
  family: 'famille',
  health: 'santé',
  other: 'autres papiers',
} as const;

export const PROCURATION_ALL_AIDS = 'toutes mes démarches';

/** The printed copy the person keeps (A4). */
export const PROCURATION_PDF = {
  title: 'Procuration numérique',
  subtitle: 'Votre copie à garder',
  iAllow: (person: string, agent: string, structure: string) => `${person} permet à ${agent}, de ${structure}, d’agir pour elle ou pour lui, sans qu’elle ou il soit là.`,
  whatHeading: 'Ce que l’agent peut faire',
  papersHeading: 'Les papiers qu’il peut voir',
  aidsHeading: 'Pour quelles démarches',
  whenHeading: 'Pendant combien de temps',
  fromUntil: (from: string, until: string) => `Du ${from} au ${until}, les deux jours compris.`,
  whereHeading: 'Où et quand elle a été signée',
  madeAt: (place: string, at: string) => `${place}, le ${at}.`,
  signedHeading: 'Signatures',
  signedBy: 'Signée avec la carte de la personne, puis contresignée avec la carte de l’agent.',
  reference: (id: string) => `Référence : ${id}`,
  fingerprint: (f: string) => `Empreinte des signatures : ${f}`,
  renews: (id: string) => `Elle remplace la procuration ${id}.`,
  howToStop: 'Vous pouvez la retirer à tout moment : sur une tablette, avec votre carte, dans « Qui peut agir pour moi ». Elle s’arrête toute seule à la fin.',
  ended: 'Cette procuration est finie : elle ne permet plus rien.',
} as const;

/**
 * Why the access policy refused an agent's act on a procuration (kernel/access-policy.ts DenyReason), in
 * plain words for the agent; the reason's code goes with them for the logs and the outbox.
 */
export const PROCURATION_DENY_WORDS: Readonly<Partial<Record<DenyReason, string>>> = {
  procuration_unknown: 'cette procuration n’existe pas',
  procuration_not_verified: 'la procuration ne se vérifie plus (une des deux cartes n’est plus valable)',
  procuration_not_in_force: 'la procuration est retirée, terminée, ou pas encore commencée',
  procuration_other_person: 'cette procuration a été donnée par une autre personne',
  procuration_other_agent: 'cette procuration a été donnée à un autre agent',
  procuration_scope_category: 'la personne n’a pas autorisé ce genre de papier dans sa procuration',
  procuration_scope_action: 'la personne n’a pas autorisé cela dans sa procuration',
  procuration_scope_aid: 'la personne n’a pas nommé cette démarche dans sa procuration',
  agent_suspended: 'l’agent est suspendu, ou sa structure est fermée',
  agent_no_profile: 'la carte n’est pas celle d’un agent d’une structure',
  card_not_present: 'la carte de l’agent n’a pas signé cet acte',
  card_not_actor: 'la carte qui a signé n’est pas celle de l’agent',
  card_not_active: 'la carte de l’agent n’est plus valable',
  card_unknown: 'la carte n’est pas connue de la plateforme',
  not_an_agent: 'la carte n’est pas une carte d’agent',
  level_action: 'le niveau de l’agent ne le permet pas',
  level_category: 'le niveau de l’agent ne lui ouvre pas ce genre de papier',
  level_vault: 'le niveau de l’agent ne lui ouvre pas ce coffre',
  action_not_allowed_on_ground: 'seule la personne peut le faire, avec sa carte',
  institutional_vault_is_read_only: 'un agent ne range des papiers que dans le coffre personnel',
};

/** « Dépôt refusé : la procuration est retirée… (procuration_not_in_force). » — `head`: what was refused. */
export function refusedOnProcuration(head: string, reason: string): string {
  const words = (PROCURATION_DENY_WORDS as Readonly<Record<string, string | undefined>>)[reason];
  return words ? `${head} : ${words} (${reason}).` : `${head} (${reason}).`;
}
