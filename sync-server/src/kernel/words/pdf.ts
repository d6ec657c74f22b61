/**
 * The words printed on the server's PDFs: a paper of the vault (features/vault/document-pdf.ts), an aid
 * request's dossier and its receipt (features/applications/dossier-pdf.ts). A state is printed with its
 * one name, the protocol's STATE_LABEL. Dates come formatted (protocol/format.ts): the words only place them.
 */
import type { Activity, Housing, Nationality, PieceStatusName, SubmissionMode } from '../../../protocol/applications.ts';
import { byOnProcuration } from './applications.ts';
import type { ProcurationNames } from './applications.ts';

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/** A paper whose file cannot be put on the page (kernel/files/print-file.ts PrintFile 'unreadable'). */
export const PAPER_NOT_SHOWN = {
  title: 'Ce papier ne peut pas être montré ici.',
  image: 'Cette image est abîmée ou trop grande : elle ne peut pas être affichée.',
  unknown: 'Ce fichier n’est ni une image ni un PDF lisible : il ne peut pas être affiché.',
} as const;

/** A paper of the vault, printed (and, with a letter, sent by post). */
export const DOCUMENT_PDF = {
  stillInVault: (title: string) => `Le fichier reste dans le coffre-fort numérique (« ${title} »). Il peut être photographié à nouveau.`,
  identifier: (id: string) => `Identifiant Facilitateur : ${id}`,
  dated: (date: string) => `Le ${date}`,
  subject: (title: string) => `Objet : envoi de mon document « ${title} »`,
  salutation: 'Madame, Monsieur,',
  enclosed: (title: string) => `Vous trouverez avec cette lettre mon document : ${title}.`,
  closing: 'Je vous prie d’agréer, Madame, Monsieur, mes salutations distinguées.',
  kindAndOwner: (kind: string, owner: string) => `${kind} — coffre de ${owner}`,
  captured: (date: string, version: number) => `Photographié le ${date}, version ${version}.`,
  readHeading: 'Ce qui a été lu sur le document',
  footer: (date: string) => `Document tiré du coffre-fort numérique Facilitateur le ${date}.`,
} as const;

/** The declared situation, as the dossier prints it for the service. */
export const HOUSING_PRINTED: Record<Housing, string> = {
  tenant: 'Locataire',
  owner: 'Propriétaire',
  hosted: 'Hébergé(e) chez quelqu’un',
  homeless: 'Sans domicile',
};
export const ACTIVITY_PRINTED: Record<Activity, string> = {
  salaried: 'Salarié(e)',
  'self-employed': 'Travailleur ou travailleuse indépendant(e)',
  'job-seeker': 'Demandeur ou demandeuse d’emploi',
  student: 'Étudiant(e)',
  retired: 'Retraité(e)',
  inactive: 'Sans activité',
};
export const NATIONALITY_PRINTED: Record<Nationality, string> = {
  french: 'Française',
  eu: 'D’un pays de l’Union européenne',
  'non-eu': 'D’un pays hors de l’Union européenne',
};
export const PIECE_STATUS_PRINTED: Record<PieceStatusName, string> = {
  present: 'Fournie',
  absent: 'Manquante',
  expired: 'Périmée : la date de validité est passée',
  'too-old': 'Trop ancienne : délivrée il y a trop longtemps',
  arriving: 'En route : envoyée depuis la borne, pas encore arrivée',
  'not-arrived': 'Pas arrivée : choisie sur la borne il y a plus d’une semaine, à donner de nouveau',
  'not-needed': 'Pas nécessaire : un agent l’a retirée de la liste, avec la raison',
};
export const MODE_PRINTED: Record<SubmissionMode, string> = {
  manual: 'Envoi après confirmation',
  automatic: 'Envoi automatique à l’arrivée du dernier papier',
};
const AUTOMATIC_PENDING = 'La demande sera envoyée automatiquement dès que le dernier papier arrivera.';

/** An aid request's dossier, for the service that processes it. */
export const DOSSIER_PDF = {
  yes: 'Oui',
  no: 'Non',
  title: (aidNames: string, name: string) => `Demande d’aide — ${aidNames} — ${name}`,
  subject: (receipt: string | null) => (receipt ? `Dossier de demande d’aide n° ${receipt}` : 'Dossier de demande d’aide (pas encore envoyée)'),
  heading: 'Demande d’aide',
  receiptNumber: 'Numéro de dépôt',
  noReceiptYet: 'Pas encore de numéro de dépôt : la demande n’a pas été envoyée.',
  aidsHeading: (n: number) => (n > 1 ? 'Les aides demandées' : 'L’aide demandée'),
  handledBy: (institution: string) => `Traitée par : ${institution}`,
  state: (name: string) => `État : ${name}`,
  personHeading: 'La personne',
  name: 'Nom',
  identifier: 'Identifiant Facilitateur',
  birthDate: 'Date de naissance',
  datesHeading: 'Dates',
  sentOn: 'Envoyée le',
  notSentYet: 'Pas encore envoyée',
  printedOn: 'Dossier imprimé le',
  contentsHeading: 'Ce dossier contient',
  contents: (pieces: number, joined: number) => [
    '1. ce que la personne a déclaré ;',
    `2. la liste des papiers demandés (${pieces}) ;`,
    `3. les papiers joints (${joined}) ;`,
    '4. la signature de la demande.',
  ],
  declaredHeading: 'Ce que la personne a déclaré',
  declaredWhy: 'Ces réponses ont servi à choisir les papiers demandés.',
  housing: 'Logement',
  activity: (n: number) => (n > 1 ? 'Activités' : 'Activité'),
  nationality: 'Nationalité',
  children: 'Enfants à charge',
  couple: 'En couple',
  piecesHeading: 'Les papiers du dossier',
  piecesCount: (asked: number, given: number, missing: number) =>
    asked === 0
      ? 'Aucun papier n’est demandé pour cette demande.'
      : `${plural(asked, 'papier demandé', 'papiers demandés')} : ${plural(given, 'fourni', 'fournis')}, ${plural(missing, 'pas encore fourni', 'pas encore fournis')}.`,
  pieceDocument: (title: string, version: number) => `Document : « ${title} », version ${version}`,
  pieceTitle: (index: number, count: number, label: string) => `Pièce ${index} sur ${count} : ${label}`,
  pieceAbout: (title: string, version: number, status: string | null) => `« ${title} », version ${version}${status ? ` — ${status}` : ''}`,
  pageOf: (page: number, count: number) => `page ${page} sur ${count}`,
  stillInVault: (title: string, version: number) =>
    `Le fichier reste dans le coffre-fort numérique de la personne (« ${title} », version ${version}). Il peut être redemandé ou photographié à nouveau.`,
  signatureHeading: 'Signature de la demande',
  unsigned: 'Non signée',
  unsignedWhy: 'Cette demande n’a pas encore été signée. Elle ne peut pas être envoyée avant d’être signée.',
  signedHow: 'Comment la demande a été signée',
  byProcuration: (by: ProcurationNames | null) => (by ? `Par ${byOnProcuration(by)}` : 'Par un agent, avec une procuration de la personne'),
  byOwnCard: 'Avec la carte Facilitateur de la personne',
  signer: 'Signataire',
  signerIs: (name: string, identifier: string) => `${name} — identifiant ${identifier}`,
  cardNumber: 'Numéro de la carte',
  signedOn: 'Date de la signature',
  mode: 'Mode d’envoi',
  automaticPending: `Pas encore. ${AUTOMATIC_PENDING}`,
  manifestHash: 'Empreinte SHA-256 du manifeste signé',
  cardSignature: 'Signature de la carte (base64url)',
  verified: 'Le serveur Facilitateur a vérifié cette signature avec le certificat de la carte, délivré par l’autorité de la plateforme, avant d’enregistrer la demande.',
  manifestIs: 'Le manifeste signé décrit la demande : les aides, la situation déclarée, le mode d’envoi et l’empreinte de chaque papier joint.',
  footer: (name: string, receipt: string | null) => `${name} — ${receipt ? `dossier ${receipt}` : 'demande pas encore envoyée'}`,
} as const;

/** The receipt the person keeps. */
export const RECEIPT_PDF = {
  title: (receipt: string, name: string) => `Récépissé de dépôt ${receipt} — ${name}`,
  subject: (receipt: string) => `Récépissé de la demande d’aide n° ${receipt}`,
  heading: 'Récépissé de dépôt',
  lead: 'Votre demande d’aide a bien été déposée.',
  receiptNumber: 'Numéro de dépôt',
  madeBy: 'Demande faite par',
  sentBy: 'Envoyée par',
  sentByOnProcuration: (by: ProcurationNames) => byOnProcuration(by),
  aids: (n: number) => (n > 1 ? 'Aides demandées' : 'Aide demandée'),
  signedOn: 'Signée le',
  sentOn: 'Envoyée le',
  sending: 'Envoi',
  automaticPending: `Pas encore envoyée. ${AUTOMATIC_PENDING}`,
  notSentYet: 'Pas encore envoyée.',
  papers: 'Papiers',
  papersCount: (given: number, missing: number) => `${plural(given, 'papier donné', 'papiers donnés')}, ${plural(missing, 'papier manquant', 'papiers manquants')}`,
  controlCode: 'Code de contrôle',
  fullHash: 'Empreinte SHA-256 complète de la demande',
  keepIt: 'Gardez ce papier. Il prouve que vous avez fait votre demande.',
} as const;

/** The welcome letter sent with the card (features/cards/welcome-letter.ts): FALC, one idea per line. */
export const WELCOME_LETTER = {
  title: (firstName: string) => `Votre carte Facilitateur - ${firstName}`,
  hello: (firstName: string) => `Bonjour ${firstName},`,
  intro: ['Voici votre carte Facilitateur.', 'Gardez cette lettre avec vos papiers.'],
  identifier: 'Votre identifiant :',
  inPieces: (pieces: readonly string[]) => `En 4 morceaux : ${pieces.join('  ')}`,
  onCard: 'Il est aussi écrit sur votre carte.',
  whatFor: {
    heading: 'À quoi sert la carte ?',
    lines: ['Elle ouvre votre coffre-fort numérique.', 'Vos papiers y sont rangés et protégés.', 'Elle vous aide à demander des aides.', 'Elle est à vous. Elle ne sert qu’à vous.'],
  },
  atHome: {
    heading: 'Chez vous, sur un ordinateur',
    lines: (portal: string) => [`1. Allez sur le site ${portal}`, '2. Tapez votre identifiant.', '3. Vous recevez un code par SMS ou par e-mail.', '4. Tapez ce code. Voilà, vous êtes connecté.'],
  },
  atKiosk: {
    heading: 'Au CMS, à la mairie, à la CAF',
    lines: ['1. Mettez la carte dans le boîtier de la tablette.', '2. Tapez votre code secret sur l’écran.', '3. À la fin, reprenez votre carte.'],
  },
  pin: {
    heading: 'Votre code secret',
    lines: ['Il arrive dans une autre lettre.', 'Ne donnez ce code à personne. Jamais.', 'Un agent ne vous le demandera jamais.', 'Après 3 codes faux, la carte se bloque.', 'Un agent peut la débloquer avec vous.'],
  },
  lost: {
    heading: 'Vous avez perdu votre carte ?',
    lines: ['On vous l’a volée ?', 'Prévenez-nous vite : nous bloquons la carte.', 'Personne ne pourra s’en servir.', 'Allez dans un de ces lieux.'],
    bringId: 'Prenez une pièce d’identité.',
    place: (address: string, postcode: string, city: string) => `${address}, ${postcode} ${city}`,
    newCard: 'Vous recevez ensuite une nouvelle carte.',
  },
  help: {
    heading: 'Besoin d’aide ?',
    lines: ['Un agent peut vous aider dans ces lieux.', 'Vous pouvez venir avec une personne de confiance.', 'C’est gratuit.'],
  },
} as const;
