/**
 * The aid space in the person's words: who handles an aid or issues a paper ("la CAF", "votre banque"),
 * and each step of an application's history as a short sentence (FALC). Shared by the kiosk handlers,
 * the dossier PDF and the linked-aid closure message, so a step reads the same everywhere.
 *
 * The kernel imports no feature: the names these words know (events, actors, institution kinds) are
 * spelled here, and a feature that adds one meets a type error where it asks for its words (an unknown
 * key) — the test checks every institution kind of the catalogue has its name.
 */
import type { ApplicationStateName, SubmissionGround } from '../../../protocol/applications.ts';

/** The events of an application's life (features/applications/state-machine.ts), and its creation. */
export type HistoryEventName =
  | 'create'
  | 'start-collecting'
  | 'all-pieces-present'
  | 'piece-removed'
  | 'submit'
  | 'take-up'
  | 'request-information'
  | 'information-provided'
  | 'accept'
  | 'refuse'
  | 'close'
  | 'withdraw';
/** Who fired an event: the person (or an agent on their ground), the service, the server itself. */
export type HistoryActorKind = 'applicant' | 'institution' | 'system';

/** The institution as people say it, with its article. */
export const INSTITUTION_NAME = {
  caf: 'la CAF',
  msa: 'la MSA',
  mdph: 'la MDPH',
  departement: 'le département',
  cpam: 'l’Assurance maladie',
  impots: 'les impôts',
  'education-nationale': 'l’Éducation nationale',
  'etablissement-scolaire': 'l’école ou le lycée',
  mairie: 'la mairie',
  ccas: 'le CCAS',
  cms: 'le centre médico-social',
  prefecture: 'la préfecture',
  'france-travail': 'France Travail',
  urssaf: 'l’Urssaf',
  'caisse-retraite': 'votre caisse de retraite',
  asp: 'l’Agence de services et de paiement',
  employeur: 'votre employeur',
  banque: 'votre banque',
  fournisseur: 'votre fournisseur d’énergie ou d’internet',
  bailleur: 'votre propriétaire',
  hebergeant: 'la personne qui vous loge',
  medecin: 'votre médecin',
  autre: 'un autre organisme',
} as const satisfies Record<string, string>;
export type NamedInstitutionKind = keyof typeof INSTITUTION_NAME;

/** "à" before an institution's name, contracted as French wants it: à la CAF, au département, aux impôts. */
export function toInstitution(name: string): string {
  if (name.startsWith('le ')) return `au ${name.slice(3)}`;
  if (name.startsWith('les ')) return `aux ${name.slice(4)}`;
  return `à ${name}`;
}

export function institutionName(kind: string): string {
  return (INSTITUTION_NAME as Record<string, string>)[kind] ?? INSTITUTION_NAME.autre;
}

/** What these words need of the aid catalogue (features/aids): each aid's id, name and institution kind. */
export interface NamedAids {
  aids: readonly { id: string; name: string; institution: string }[];
}

function aidOf(catalogue: NamedAids, aidId: string): NamedAids['aids'][number] | undefined {
  return catalogue.aids.find((a) => a.id === aidId);
}

/** The aid's name (its id when the catalogue no longer has it). */
export function aidName(catalogue: NamedAids, aidId: string): string {
  return aidOf(catalogue, aidId)?.name ?? aidId;
}

/** Who handles the aid, as people say it ("un autre organisme" when the catalogue no longer has it). */
export function aidInstitutionName(catalogue: NamedAids, aidId: string): string {
  return institutionName(aidOf(catalogue, aidId)?.institution ?? 'autre');
}

/** "la CAF" → "La CAF" (the start of a sentence). */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface HistoryStep {
  event: HistoryEventName;
  to: ApplicationStateName;
  actorKind: HistoryActorKind;
  message: string | null;
}

const quoted = (message: string | null) => (message ? ` : « ${message} »` : '.');

/** One step of an application's history, as the person reads it. */
export function historySentence(step: HistoryStep, institution: string): string {
  const Inst = capitalize(institution);
  switch (step.event) {
    case 'create':
      return 'La demande est commencée.';
    case 'start-collecting':
      return 'La liste des papiers à donner est prête.';
    case 'all-pieces-present':
      return 'Tous les papiers sont là.';
    case 'piece-removed':
      return 'Il manque de nouveau un papier.';
    case 'submit':
      return step.actorKind === 'system'
        ? `Le dernier papier est arrivé : la demande est envoyée ${toInstitution(institution)}, comme vous l’avez signé.`
        : `La demande est envoyée ${toInstitution(institution)}.`;
    case 'take-up':
      return `${Inst} étudie votre demande.`;
    case 'request-information':
      return `${Inst} vous pose une question${quoted(step.message)}`;
    case 'information-provided':
      return step.actorKind === 'system' ? 'Les papiers demandés sont arrivés.' : 'Vous avez répondu.';
    case 'accept':
      return `${Inst} a accepté votre demande${quoted(step.message)}`;
    case 'refuse':
      return `${Inst} a refusé votre demande${quoted(step.message)}`;
    case 'close':
      if (step.actorKind === 'system') return step.message ?? 'La demande est terminée.';
      if (step.actorKind === 'institution') return `${Inst} a terminé le dossier.`;
      return 'Vous avez arrêté la demande.';
    case 'withdraw':
      return 'Vous avez retiré la demande.';
  }
}

/** How a request was signed, as the service reads it. */
export function groundWords(g: SubmissionGround, onProcuration: ProcurationNames | null = null): string {
  if (g.kind === 'beneficiary-signature') return 'Signée par la personne avec sa carte';
  return onProcuration ? `Envoyée par ${byOnProcuration(onProcuration)}` : 'Envoyée par un agent, avec une procuration de la personne';
}

/** Who acted for whom on a procuration, as it was signed: the agent, their structure, and the person who gave it. */
export interface ProcurationNames {
  agent: string;
  structure: string | null;
  person: string;
}

/** « Sophie Lefèvre (CCAS de Lyon 3e), avec la procuration de Camille Martin » */
export function byOnProcuration(p: ProcurationNames): string {
  return `${p.agent}${p.structure ? ` (${p.structure})` : ''}, avec la procuration de ${p.person}`;
}

/** The subject of the thread a request's messages go in (features/applications/thread.ts). */
export const threadSubject = (aidId: string) => `Demande ${aidId}`;

/** A linked aid closed because the request it waited for was refused or withdrawn (its history's last step). */
export function linkedAidClosed(institution: string, cause: { why: 'refused'; reason: string | null } | { why: 'withdrawn' }): string {
  return cause.why === 'refused'
    ? `${capitalize(institution)} a refusé la demande${cause.reason ? ` : ${cause.reason}` : '.'}`
    : `La demande ${toInstitution(institution)} a été retirée. Cette aide ne peut pas avancer sans elle.`;
}

/** Why a card's signature is refused (protocol/card-certificate.ts CardCertificateProblem), after "Carte refusée : ". */
export const CARD_PROBLEM_WORDS = {
  malformed: 'son certificat est illisible',
  foreign: 'elle n’a pas été délivrée par la plateforme',
  'wrong-card': 'son certificat est celui d’une autre carte',
  revoked: 'elle est bloquée ou remplacée',
  'not-yet-valid': 'elle n’est pas encore valable',
  expired: 'elle a expiré',
} as const;

/** The aid space's answers to the kiosk when it cannot do what was asked (features/applications). */
export const APPLICATION_ANSWER = {
  noDossier: 'Cette demande n’existe pas, ou elle n’est pas à vous.',
  aidTwice: 'Une aide est demandée deux fois.',
  noSuchAid: (id: string) => `Cette aide n’existe pas : « ${id} ».`,
  alreadyAsked: (aid: string) => `Vous avez déjà une demande pour : ${aid}. Vous la trouvez dans vos demandes.`,
  waitsFor: (aid: string) => `Elle attend la décision sur : ${aid}.`,
  pieceNotAsked: 'Ce papier n’est pas demandé pour cette demande.',
  pieceFixedSent: 'La demande est déjà envoyée : ce papier ne peut plus changer.',
  pieceFixedSigned: 'Ce papier fait partie de ce que vous avez signé : il ne peut plus changer.',
  finished: 'Cette demande est terminée.',
  notYourDocument: 'Ce document n’est pas dans votre coffre.',
  newerPaper: 'Le service demande un papier plus récent que celui-ci : scannez le nouveau.',
  cannotWithdraw: 'Cette demande ne peut plus être retirée : elle est déjà décidée ou terminée.',
  writeAfterSending: 'Vous pourrez écrire au service quand la demande sera envoyée.',
  messageEmpty: 'Le message est vide.',
  messageTooLong: 'Le message est trop long.',
  receiptAfterSigning: 'Le récépissé existe quand la demande est signée.',
  alreadySigned: 'Cette demande est déjà signée.',
  alreadySent: 'Cette demande est déjà envoyée.',
  procurationAtKiosk: 'Avec la personne présente, c’est elle qui signe sa demande avec sa carte : la procuration sert quand elle n’est pas là.',
  procurationNotThis: 'Cette demande s’envoie sur la procuration que vous avez ouverte pour cette personne, pas sur une autre.',
  procurationNotUsable: (why: string) => `La procuration ne permet pas d’envoyer cette demande : ${why}.`,
  /** the notice the person reads of a request an agent sent for her on her procuration */
  sentForYou: (by: ProcurationNames | null) =>
    by ? `${by.agent}${by.structure ? ` (${by.structure})` : ''} a envoyé cette demande pour vous, avec votre procuration.` : 'Un agent a envoyé cette demande pour vous, avec votre procuration.',
  personAbsent: 'La personne n’est pas là : sa demande s’envoie sur sa procuration, signée avec la carte de l’agent.',
  piecesMissing: (missing: readonly string[]) =>
    `Il manque encore des papiers : ${missing.join(' ; ')} Vous pouvez choisir l’envoi automatique : la demande partira quand ils arriveront.`,
  manifestOtherDossier: 'Le contenu signé ne correspond pas à cette demande.',
  manifestFuture: 'Le contenu signé porte une heure à venir : recommencez la signature.',
  manifestTooOld: 'La signature a été préparée il y a trop longtemps. Recommencez la signature.',
  noCa: 'Le serveur n’a pas d’autorité de certification.',
  cardRefused: (why: string) => `Carte refusée : ${why}.`,
  cardUnknown: 'Carte refusée : la plateforme ne la connaît pas.',
  signatureRefused: 'Signature refusée : elle ne vient pas de cette carte, ou le contenu signé a été changé.',
  notApplicantCard: 'Cette carte n’est pas celle de la personne qui fait la demande.',
  agentOwnCard: 'Sur une procuration, l’agent qui l’a reçue signe avec sa propre carte.',
  notTogether: 'Ces aides ne se demandent pas ensemble. Faites une demande pour chacune.',
  pieceNotSuitable: (label: string) => `Ce papier ne convient pas pour : ${label}`,
  aidNotInDossier: 'Cette aide ne fait pas partie de la demande.',
  noServiceForMessage: 'Aucun service ne peut recevoir ce message pour le moment.',
  manifestChanged: 'Le contenu signé ne correspond plus à la demande (un papier a changé, ou le contenu a été modifié). Recommencez la signature.',
  adaptAgentOnly: 'Seul un agent peut changer la liste des papiers d’une demande.',
  adaptAfterSigning: 'La demande est déjà signée : la liste des papiers ne change plus.',
  adaptAlreadyNotNeeded: 'Ce papier est déjà marqué « pas nécessaire ».',
  adaptNothingToUndo: 'Il n’y a pas de changement à annuler pour ce papier.',
  adaptUnknownIssuer: 'Cet organisme n’existe pas dans la liste.',
  adaptTooMany: 'Cette demande a déjà beaucoup de papiers ajoutés.',
} as const;

/** The refusals of an acceptance's amount and start date, typed by the service (features/applications/decision-terms.ts). */
export const TERMS_ANSWER = {
  amountDigits: 'Écrivez le montant en euros avec des chiffres, par exemple 607,75.',
  amountZero: 'Le montant doit être plus grand que 0. Laissez la case vide s’il n’y a pas de montant.',
  amountTooBig: 'Ce montant est trop grand pour une aide par mois. Vérifiez-le.',
  dateForm: 'Écrivez la date de début sous la forme jour/mois/année, par exemple 01/05/2026.',
  dateNotReal: 'Cette date n’existe pas. Vérifiez le jour et le mois.',
  dateFar: 'Cette date est trop loin. Vérifiez l’année.',
} as const;
