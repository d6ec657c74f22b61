/**
 * The vault's words: the lines of the person's journal ("Qui a vu mes papiers ?", written from the audit
 * journal by features/vault/person-vault.ts) and the vault's answers when a paper is not there or not
 * allowed. The journal names who did what; the person reads it on the kiosk, so it speaks to them ("vos
 * papiers", "votre carte").
 */
import { PROCURATION_JOURNAL_WORDS } from './procurations.ts';

/** What each audited action did, after the one who did it ("La CAF" + "a ouvert un document"). */
export const JOURNAL_ACTION_WORDS: Readonly<Record<string, string>> = {
  'document.deposit': 'a ajouté un document',
  'document.issue': 'a mis dans votre coffre un papier d’un organisme',
  'document.read': 'a ouvert un document',
  'document.delete': 'a supprimé un document',
  'document.send': 'a envoyé un document',
  'vault.list': 'a regardé la liste des papiers',
  'vault.search': 'a cherché dans vos papiers',
  'audit.read': 'a regardé ce journal',
  'document.file.read': 'a ouvert le fichier d’un document',
  'document.preview.read': 'a regardé l’aperçu d’un document',
  // written by the staff API and card administration, about the person: shown to them too
  'person.create': 'a créé votre compte',
  'card.issue': 'a délivré votre carte',
  'card.revoke': 'a désactivé votre ancienne carte',
  'card.block': 'a bloqué votre carte',
  'card.pin.unblock': 'a débloqué le code de votre carte',
  // aid requests
  'application.create': 'a commencé une demande d’aide',
  'application.start-collecting': 'a commencé à réunir les papiers d’une demande',
  'application.all-pieces-present': 'a trouvé tous les papiers d’une demande',
  'application.piece-removed': 'a vu qu’il manque de nouveau un papier à une demande',
  'application.piece.choose': 'a choisi un papier pour une demande',
  'application.signed': 'a signé une demande avec la carte',
  'application.submit': 'a envoyé une demande',
  'application.sent-automatically': 'a envoyé une demande dès que le dernier papier est arrivé',
  'application.take-up': 'a commencé à étudier une demande',
  'application.request-information': 'a posé une question sur une demande',
  'application.information-provided': 'a reçu la réponse à sa question sur une demande',
  'application.accept': 'a accepté une demande',
  'application.refuse': 'a refusé une demande',
  'application.close': 'a terminé une demande',
  'application.withdraw': 'a retiré une demande',
  'application.message': 'a écrit un message sur une demande',
  'application.checklist.adapt': 'a changé la liste des papiers d’une demande',
  // an institution's inbox: what the person sent it from the vault
  'inbox.thread.read': 'a lu ce que vous lui avez envoyé',
  'inbox.assign': 'a choisi qui s’occupe de votre envoi',
  'inbox.reply': 'a répondu à votre envoi',
  // procurations (words/procurations.ts)
  ...PROCURATION_JOURNAL_WORDS,
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The person's own acts of one visit, as one line: "Vous avez ajouté 2 papiers et signé 1 demande".
 * Counted by what they did; an act not listed here keeps its own line.
 */
const VISIT_ACTS: Readonly<Record<string, (n: number) => string>> = {
  'document.deposit': (n) => `ajouté ${plural(n, 'papier', 'papiers')}`,
  'document.delete': (n) => `supprimé ${plural(n, 'papier', 'papiers')}`,
  'document.send': (n) => `envoyé ${plural(n, 'papier', 'papiers')} à un organisme`,
  'document.read': (n) => `ouvert ${plural(n, 'papier', 'papiers')}`,
  'application.create': (n) => `commencé ${plural(n, 'demande', 'demandes')} d’aide`,
  'application.piece.choose': (n) => `choisi ${plural(n, 'papier', 'papiers')} pour une demande`,
  'application.signed': (n) => `signé ${plural(n, 'demande', 'demandes')} avec votre carte`,
  'application.submit': (n) => `envoyé ${plural(n, 'demande', 'demandes')}`,
  'application.withdraw': (n) => `retiré ${plural(n, 'demande', 'demandes')}`,
  'application.message': (n) => `écrit ${plural(n, 'message', 'messages')} à un service`,
  'application.information-provided': (n) => `répondu à ${plural(n, 'question', 'questions')} d’un service`,
};

/** Steps the platform takes by itself when the person acts (a request starts collecting, all papers are there): part of their visit, not acts of theirs. */
export const VISIT_SILENT: ReadonlySet<string> = new Set(['application.start-collecting', 'application.all-pieces-present', 'application.piece-removed', 'audit.read']);

export function visitActs(counts: ReadonlyMap<string, number>): string | null {
  const parts = [...counts].flatMap(([action, n]) => (VISIT_ACTS[action] ? [VISIT_ACTS[action]!(n)] : []));
  if (parts.length === 0) return null;
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} et ${parts.at(-1)!}`;
  return `avez ${list}`;
}

/** Whether an act has a visit count: such acts of the person are gathered in the visit's line. */
export function countsInVisit(action: string): boolean {
  return action in VISIT_ACTS;
}

/** "a ouvert" said to the person: "avez ouvert". */
export function toYou(action: string): string {
  return action.startsWith('a ') ? `avez ${action.slice(2)}` : action;
}

/** Why someone else could do it: the ground of the act, in the person's words. */
export const JOURNAL_WHY: Readonly<Record<string, string>> = {
  'present-beneficiary': 'avec votre carte : vous étiez là',
  procuration: 'avec la procuration que vous avez signée',
  'institution-processing': 'pour étudier votre demande',
  'institution-inbox': 'pour traiter ce que vous lui avez envoyé',
  'staff-administration': 'pour gérer votre compte ou votre carte',
  'structure-administration': 'pour la structure de l’agent à qui vous aviez donné une procuration',
};

/** The platform received the papers asked again (the person did not write): said as what happened. */
export const PIECES_ARRIVED_LINE = { who: 'Les papiers redemandés', action: 'sont arrivés : la demande repart chez le service' } as const;

/** Who did it, as the journal line starts. */
export const JOURNAL_WHO = {
  you: 'Vous',
  service: (name: string) => `Le service ${name}`,
  platformStaff: 'Un agent de la plateforme (administration)',
  platform: 'La plateforme',
  person: (firstName: string, agent: boolean) => `${firstName}${agent ? ' (agent)' : ''}`,
  /** an agent named with the structure they acted for: « Sophie Lefèvre (CMS du centre-ville) » */
  agentOf: (firstName: string, lastName: string, structure: string) => `${firstName} ${lastName} (${structure})`,
  someone: 'Une personne',
} as const;

/** How many times, how many papers: said after the action when a run of reads makes one line. */
export const JOURNAL_COUNT = {
  times: (n: number) => `${n} fois`,
  found: (n: number) => (n === 0 ? 'rien trouvé' : plural(n, 'papier trouvé', 'papiers trouvés')),
  previews: (papers: number) => `a regardé les aperçus de ${papers} documents`,
} as const;

/** The kiosk writes the server applied nothing of, for good (features/sync journals them as mutation.refused). */
const REFUSED_SUBJECT: Readonly<Record<string, { who: string; verb: string }>> = {
  'vault.document.deposit': { who: 'Un papier envoyé par la tablette', verb: 'n’a pas été rangé' },
  'vault.document.delete': { who: 'Une suppression demandée sur la tablette', verb: 'n’a pas été faite' },
  'vault.document.send': { who: 'Un envoi demandé sur la tablette', verb: 'n’a pas été fait' },
};

/** Why, in the person's words, by the refusal's protocol code (protocol/socket.ts ErrorCode). */
const REFUSED_BECAUSE: Readonly<Record<string, string>> = {
  forbidden: 'la carte qui l’a signé n’y donne pas droit (carte bloquée, ou pas la bonne carte)',
  blob_mismatch: 'son fichier est arrivé abîmé sur le serveur',
  invalid: 'la tablette l’a mal préparé',
  unknown: 'le coffre ou le papier n’existe plus',
  too_large: 'il est trop gros',
};

/**
 * Why a sending to an institution was refused: it may hold several papers, and the person must know none
 * of them left (one paper that may not go stops them all).
 */
const REFUSED_SEND_BECAUSE: Readonly<Record<string, string>> = {
  forbidden: 'un des papiers ne pouvait pas être envoyé avec la carte qui l’a signé (ou la procuration) ; aucun papier n’est parti',
  unknown: 'un des papiers n’est plus dans le coffre, ou l’organisme n’est pas connu ; aucun papier n’est parti',
};

/**
 * A write the server refused for good, as one journal line: "Un papier envoyé par la tablette" (who)
 * "n’a pas été rangé : son fichier est arrivé abîmé sur le serveur." (action). Nothing of it was applied.
 */
export function refusedWriteLine(type: unknown, code: unknown): { who: string; action: string } {
  const subject = (typeof type === 'string' ? REFUSED_SUBJECT[type] : undefined) ?? REFUSED_SUBJECT['vault.document.deposit']!;
  const own = type === 'vault.document.send' && typeof code === 'string' ? REFUSED_SEND_BECAUSE[code] : undefined;
  const because = own ?? (typeof code === 'string' ? REFUSED_BECAUSE[code] : undefined) ?? 'le serveur l’a refusé';
  return { who: subject.who, action: `${subject.verb} : ${because}.` };
}

/** The vault's answers to a read or a write it cannot do. */
export const VAULT_ANSWER = {
  documentNotHere: 'Ce document n’est pas dans ce coffre.',
  noVersion: 'Ce document n’a pas de version.',
  fileNotHere: 'Ce fichier n’est pas dans ce coffre.',
} as const;
