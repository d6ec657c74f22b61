/**
 * The aid request on paper (pdf-lib), in plain French:
 *  - the dossier: a cover page, what the person declared, the list of pièces with their status, the pièces
 *    themselves (each from a new page, under a small header naming it), then the signature;
 *  - the récépissé de dépôt: one A4 page the person keeps as proof of their request.
 *
 * Laid out with the PDF kit (protocol/print: A4, standard fonts with WinAnsi, wrapping and page overflow,
 * the theme), dates by the format module. What a standard font cannot draw loses its accent, or becomes
 * '?', rather than failing; a word longer than a line (a hash, a reference) is cut so nothing runs off the
 * page. A pièce whose file cannot be read gets a page saying so: one damaged scan never costs the person
 * the whole dossier.
 *
 * Runs in a PDF pool thread (printouts.ts sends it there): the pièces' files come prepared (print-file.ts),
 * an image as a JPEG sharp wrote, a PDF opened here with limits.
 */
import { degrees } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { STATE_LABEL } from '../../../protocol/applications.ts';
import type {
  Activity,
  ApplicationStateName,
  FilingSituation,
  Housing,
  Nationality,
  PieceStatusName,
  SubmissionGround,
  SubmissionMode,
} from '../../../protocol/applications.ts';
import { dateFr, dateTimeFr } from '../../../protocol/format.ts';
import { A4, COLUMN, MARGIN, PageWriter, THEME, oneLine, startPdf, wordmark } from '../../../protocol/print/pdf-kit.ts';
import { PDF_PROBLEM_WORDS, copyPdfPages } from '../../kernel/files/pdf-pages.ts';
import { pdfJob } from '../../kernel/files/pdf-pool.ts';
import type { PrintFile } from '../../kernel/files/print-file.ts';

export interface DossierPdfInput {
  receiptNumber: string | null;
  person: { firstName: string; lastName: string; identifier: string; birthDate: string };
  situation: FilingSituation;
  aids: { aidName: string; institutionName: string; state: ApplicationStateName }[];
  pieces: {
    label: string;
    status: PieceStatusName;
    document: { title: string; version: number; file: PrintFile } | null;
  }[];
  signature: {
    mode: SubmissionMode;
    ground: SubmissionGround;
    signerName: string;
    signerIdentifier: string;
    cardSerial: string;
    signedAt: string;
    manifestSha256: string;
    signature: string;
  } | null;
  submittedAt: string | null;
  generatedAt: string;
}

export interface ReceiptInput {
  receiptNumber: string;
  person: { firstName: string; lastName: string; identifier: string };
  aids: { aidName: string; institutionName: string }[];
  mode: SubmissionMode;
  signedAt: string;
  submittedAt: string | null;
  piecesGiven: number;
  piecesMissing: number;
  manifestSha256: string;
}

// ---------------------------------------------------------------------------------------------------
// Words

const HOUSING: Record<Housing, string> = {
  tenant: 'Locataire',
  owner: 'Propriétaire',
  hosted: 'Hébergé(e) chez quelqu’un',
  homeless: 'Sans domicile',
};
const ACTIVITY: Record<Activity, string> = {
  salaried: 'Salarié(e)',
  'self-employed': 'Travailleur ou travailleuse indépendant(e)',
  'job-seeker': 'Demandeur ou demandeuse d’emploi',
  student: 'Étudiant(e)',
  retired: 'Retraité(e)',
  inactive: 'Sans activité',
};
const NATIONALITY: Record<Nationality, string> = {
  french: 'Française',
  eu: 'D’un pays de l’Union européenne',
  'non-eu': 'D’un pays hors de l’Union européenne',
};
const PIECE_STATUS: Record<PieceStatusName, string> = {
  present: 'Fournie',
  absent: 'Manquante',
  expired: 'Périmée : la date de validité est passée',
  'too-old': 'Trop ancienne : délivrée il y a trop longtemps',
  arriving: 'En route : envoyée depuis la borne, pas encore arrivée',
  'not-arrived': 'Pas arrivée : choisie sur la borne il y a plus d’une semaine, à donner de nouveau',
};
const MODE: Record<SubmissionMode, string> = {
  manual: 'Envoi après confirmation',
  automatic: 'Envoi automatique à l’arrivée du dernier papier',
};
const AUTOMATIC_PENDING = 'La demande sera envoyée automatiquement dès que le dernier papier arrivera.';

const yesNo = (b: boolean) => (b ? 'Oui' : 'Non');
const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

function validDate(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// ---------------------------------------------------------------------------------------------------
// The pièces' files

const UNREADABLE: Record<Extract<PrintFile, { kind: 'unreadable' }>['problem'], string> = {
  image: 'Cette image est abîmée ou trop grande : elle ne peut pas être affichée.',
  unknown: 'Ce fichier n’est ni une image ni un PDF lisible : il ne peut pas être affiché.',
};

const HEADER_STRIP = 22;
const STRIP_TEXT = 8.5;

/**
 * Gives a copied PDF page a strip above its content (on its visible top, whatever its /Rotate) and writes
 * the header in it: the page's own content is never covered.
 */
function headerStrip(page: PDFPage, text: string, font: PDFFont): void {
  const box = page.getCropBox();
  const media = page.getMediaBox();
  // a /Rotate that is not a multiple of 90 is invalid; viewers round it, so do we
  const rotation = ((((Math.round(page.getRotation().angle / 90) * 90) % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  const s = HEADER_STRIP;
  const pad = 10;
  const inset = 8; // from the content's edge to the baseline
  const geometry = {
    0: {
      box: { x: box.x, y: box.y, width: box.width, height: box.height + s },
      strip: { x: box.x, y: box.y + box.height, width: box.width, height: s },
      at: { x: box.x + pad, y: box.y + box.height + inset },
      length: box.width,
    },
    180: {
      box: { x: box.x, y: box.y - s, width: box.width, height: box.height + s },
      strip: { x: box.x, y: box.y - s, width: box.width, height: s },
      at: { x: box.x + box.width - pad, y: box.y - inset },
      length: box.width,
    },
    90: {
      box: { x: box.x - s, y: box.y, width: box.width + s, height: box.height },
      strip: { x: box.x - s, y: box.y, width: s, height: box.height },
      at: { x: box.x - inset, y: box.y + pad },
      length: box.height,
    },
    270: {
      box: { x: box.x, y: box.y, width: box.width + s, height: box.height },
      strip: { x: box.x + box.width, y: box.y, width: s, height: box.height },
      at: { x: box.x + box.width + inset, y: box.y + box.height - pad },
      length: box.height,
    },
  }[rotation];
  const g = geometry.box;
  const mx = Math.min(media.x, g.x);
  const my = Math.min(media.y, g.y);
  page.setMediaBox(mx, my, Math.max(media.x + media.width, g.x + g.width) - mx, Math.max(media.y + media.height, g.y + g.height) - my);
  page.setCropBox(g.x, g.y, g.width, g.height);
  page.drawRectangle({ ...geometry.strip, color: THEME.panel });
  page.drawText(oneLine(font, text, STRIP_TEXT, geometry.length - 2 * pad), {
    ...geometry.at,
    size: STRIP_TEXT,
    font,
    color: THEME.ink,
    rotate: degrees(rotation),
  });
}

// ---------------------------------------------------------------------------------------------------
// The dossier

export async function dossierPdf(input: DossierPdfInput): Promise<Uint8Array> {
  const name = `${input.person.firstName} ${input.person.lastName}`.trim();
  const aidNames = input.aids.map((a) => a.aidName).join(', ');
  const { pdf, fonts } = await startPdf({
    title: `Demande d’aide — ${aidNames} — ${name}`,
    subject: input.receiptNumber ? `Dossier de demande d’aide n° ${input.receiptNumber}` : 'Dossier de demande d’aide (pas encore envoyée)',
    date: validDate(input.generatedAt),
  });
  const withFile = input.pieces.filter((p) => p.document !== null);
  /** pages copied from the pièces' PDFs: headed in a strip, numbered there rather than in a footer */
  const copied = new Map<PDFPage, string>();

  // (1) cover
  const cover = PageWriter.on(pdf, fonts);
  wordmark(cover);
  cover.text('Demande d’aide', { size: 28, bold: true, gap: 10 });
  if (input.receiptNumber) {
    cover.field('Numéro de dépôt', input.receiptNumber);
  } else {
    cover.text('Pas encore de numéro de dépôt : la demande n’a pas été envoyée.', { size: 12, gap: 8 });
  }
  cover.y -= 8;
  cover.heading(input.aids.length > 1 ? 'Les aides demandées' : 'L’aide demandée');
  for (const aid of input.aids) {
    cover.room(3 * 12 * 1.4);
    cover.text(aid.aidName, { size: 12, bold: true, gap: 0 });
    cover.text(`Traitée par : ${aid.institutionName}`, { size: 11, gap: 0 });
    cover.text(`État : ${STATE_LABEL[aid.state]}`, { size: 11, gap: 10 });
  }
  cover.y -= 6;
  cover.heading('La personne');
  cover.field('Nom', name);
  cover.field('Identifiant Facilitateur', input.person.identifier);
  cover.field('Date de naissance', dateFr(input.person.birthDate));
  cover.y -= 6;
  cover.heading('Dates');
  cover.field('Envoyée le', input.submittedAt ? dateTimeFr(input.submittedAt) : 'Pas encore envoyée');
  cover.field('Dossier imprimé le', dateTimeFr(input.generatedAt));
  cover.y -= 6;
  cover.heading('Ce dossier contient');
  cover.text('1. ce que la personne a déclaré ;', { size: 11, gap: 0 });
  cover.text(`2. la liste des papiers demandés (${input.pieces.length}) ;`, { size: 11, gap: 0 });
  cover.text(`3. les papiers joints (${withFile.length}) ;`, { size: 11, gap: 0 });
  cover.text('4. la signature de la demande.', { size: 11, gap: 0 });

  // (2) declared data
  const data = PageWriter.on(pdf, fonts);
  data.text('Ce que la personne a déclaré', { size: 20, bold: true, gap: 6 });
  data.text('Ces réponses ont servi à choisir les papiers demandés.', { size: 11, color: THEME.muted, gap: 16 });
  const s = input.situation;
  data.field('Logement', HOUSING[s.housing]);
  data.field(s.activity.length > 1 ? 'Activités' : 'Activité', s.activity.map((a) => ACTIVITY[a]).join(', '));
  data.field('Nationalité', NATIONALITY[s.nationality]);
  data.field('Enfants à charge', yesNo(s.children));
  data.field('En couple', yesNo(s.couple));

  // (3) list of pièces
  const list = PageWriter.on(pdf, fonts);
  list.text('Les papiers du dossier', { size: 20, bold: true, gap: 6 });
  const given = input.pieces.filter((p) => p.status === 'present').length;
  const missing = input.pieces.length - given;
  list.text(
    input.pieces.length === 0
      ? 'Aucun papier n’est demandé pour cette demande.'
      : `${plural(input.pieces.length, 'papier demandé', 'papiers demandés')} : ${plural(given, 'fourni', 'fournis')}, ${plural(missing, 'pas encore fourni', 'pas encore fournis')}.`,
    { size: 11, color: THEME.muted, gap: 16 },
  );
  input.pieces.forEach((piece, i) => {
    list.room(3 * 12 * 1.4);
    list.text(`${i + 1}. ${piece.label}`, { size: 12, bold: true, gap: 0 });
    list.text(`État : ${PIECE_STATUS[piece.status]}`, { size: 11, gap: 0 });
    if (piece.document) list.text(`Document : « ${piece.document.title} », version ${piece.document.version}`, { size: 11, gap: 0 });
    list.y -= 10;
  });

  // (4) the pièces
  let index = 0;
  for (const piece of input.pieces) {
    index += 1;
    const doc = piece.document;
    if (!doc) continue;
    const title = `Pièce ${index} sur ${input.pieces.length} : ${piece.label}`;
    const about = `« ${doc.title} », version ${doc.version}${piece.status === 'present' ? '' : ` — ${PIECE_STATUS[piece.status]}`}`;
    const file = doc.file;

    let problem: string | null = null;
    if (file.kind === 'pdf') {
      const pages = await copyPdfPages(pdf, file.bytes);
      if (typeof pages === 'string') problem = PDF_PROBLEM_WORDS[pages];
      else {
        pages.forEach((p, j) => {
          pdf.addPage(p);
          copied.set(p, `${title} — ${about}${pages.length > 1 ? ` (page ${j + 1} sur ${pages.length})` : ''}`);
        });
      }
    } else if (file.kind === 'image') {
      const image = await pdf.embedJpg(file.jpeg);
      const w = PageWriter.on(pdf, fonts);
      pieceHeader(w, title, about);
      const top = w.y - 4;
      const scale = Math.min(COLUMN / image.width, (top - MARGIN) / image.height);
      const width = image.width * scale;
      const height = image.height * scale;
      w.page!.drawImage(image, { x: (A4[0] - width) / 2, y: top - height, width, height });
    } else {
      problem = UNREADABLE[file.problem];
    }
    if (problem) {
      const w = PageWriter.on(pdf, fonts);
      pieceHeader(w, title, about);
      w.y -= 24;
      w.text('Ce papier ne peut pas être montré ici.', { size: 16, bold: true, gap: 8 });
      w.text(problem, { size: 12, gap: 8 });
      w.text(
        `Le fichier reste dans le coffre-fort numérique de la personne (« ${doc.title} », version ${doc.version}). Il peut être redemandé ou photographié à nouveau.`,
        { size: 12, gap: 8 },
      );
    }
  }

  // (5) signature
  const sig = PageWriter.on(pdf, fonts);
  sig.text('Signature de la demande', { size: 20, bold: true, gap: 14 });
  const signature = input.signature;
  if (!signature) {
    sig.text('Non signée', { size: 16, bold: true, color: THEME.accent, gap: 8 });
    sig.text('Cette demande n’a pas encore été signée. Elle ne peut pas être envoyée avant d’être signée.', { size: 12 });
  } else {
    sig.field(
      'Comment la demande a été signée',
      signature.ground.kind === 'procuration'
        ? `Par un agent, sur procuration (référence de la procuration : ${signature.ground.reference})`
        : 'Avec la carte Facilitateur de la personne',
    );
    sig.field('Signataire', `${signature.signerName} — identifiant ${signature.signerIdentifier}`);
    sig.field('Numéro de la carte', signature.cardSerial);
    sig.field('Date de la signature', dateTimeFr(signature.signedAt));
    sig.field('Mode d’envoi', MODE[signature.mode]);
    sig.field(
      'Envoyée le',
      input.submittedAt ? dateTimeFr(input.submittedAt) : signature.mode === 'automatic' ? `Pas encore. ${AUTOMATIC_PENDING}` : 'Pas encore envoyée',
    );
    sig.field('Empreinte SHA-256 du manifeste signé', signature.manifestSha256, { mono: true });
    sig.field('Signature de la carte (base64url)', signature.signature, { mono: true });
    sig.y -= 6;
    sig.callout(
      'Le serveur Facilitateur a vérifié cette signature avec le certificat de la carte, délivré par l’autorité de la plateforme, avant d’enregistrer la demande.',
      11,
    );
    sig.text(
      'Le manifeste signé décrit la demande : les aides, la situation déclarée, le mode d’envoi et l’empreinte de chaque papier joint.',
      { size: 10, color: THEME.muted },
    );
  }

  // page numbers: in the footer of our pages, in the header strip of copied ones
  const pages = pdf.getPages();
  const footer = `${name} — ${input.receiptNumber ? `dossier ${input.receiptNumber}` : 'demande pas encore envoyée'}`;
  pages.forEach((page, i) => {
    const numbered = `page ${i + 1} sur ${pages.length}`;
    const header = copied.get(page);
    if (header !== undefined) {
      headerStrip(page, `${header} — ${numbered}`, fonts.regular);
    } else {
      page.drawText(oneLine(fonts.regular, `${footer} — ${numbered}`, 8, COLUMN), { x: MARGIN, y: 30, size: 8, font: fonts.regular, color: THEME.muted });
    }
  });
  return pdf.save();
}

function pieceHeader(w: PageWriter, title: string, about: string): void {
  const { bold, regular } = w.fonts;
  w.page!.drawText(oneLine(bold, title, 12, COLUMN), { x: MARGIN, y: w.y - 12, size: 12, font: bold, color: THEME.accent });
  w.page!.drawText(oneLine(regular, about, 9.5, COLUMN), { x: MARGIN, y: w.y - 28, size: 9.5, font: regular, color: THEME.muted });
  w.page!.drawLine({ start: { x: MARGIN, y: w.y - 36 }, end: { x: A4[0] - MARGIN, y: w.y - 36 }, thickness: 0.75, color: THEME.muted });
  w.y -= 44;
}

// ---------------------------------------------------------------------------------------------------
// The receipt

/** "3f9a 0c12 7be4": enough to compare by eye with the screen; the full value is printed under it. */
const shortHash = (hex: string) => (hex.slice(0, 12).match(/.{1,4}/g) ?? []).join(' ');

export async function receiptPdf(input: ReceiptInput): Promise<Uint8Array> {
  const name = `${input.person.firstName} ${input.person.lastName}`.trim();
  const { pdf, fonts } = await startPdf({
    title: `Récépissé de dépôt ${input.receiptNumber} — ${name}`,
    subject: `Récépissé de la demande d’aide n° ${input.receiptNumber}`,
    date: validDate(input.submittedAt ?? input.signedAt),
  });
  const w = PageWriter.on(pdf, fonts);
  wordmark(w);
  w.text('Récépissé de dépôt', { size: 26, bold: true, gap: 6 });
  w.text('Votre demande d’aide a bien été déposée.', { size: 13, gap: 16 });
  w.text('Numéro de dépôt', { size: 11, color: THEME.muted, gap: 2 });
  w.text(input.receiptNumber, { size: 28, bold: true, gap: 16 });

  w.field('Demande faite par', `${name} — identifiant ${input.person.identifier}`);
  w.room(10 * 1.4 + 2 * 12 * 1.4);
  w.text(input.aids.length > 1 ? 'Aides demandées' : 'Aide demandée', { size: 10, color: THEME.muted, gap: 0 });
  for (const aid of input.aids) w.text(`• ${aid.aidName} — ${aid.institutionName}`, { size: 12, bold: true, gap: 2 });
  w.y -= 6;
  w.field('Signée le', dateTimeFr(input.signedAt));
  if (input.submittedAt) w.field('Envoyée le', dateTimeFr(input.submittedAt));
  else if (input.mode === 'automatic') w.field('Envoi', `Pas encore envoyée. ${AUTOMATIC_PENDING}`);
  else w.field('Envoi', 'Pas encore envoyée.');
  w.field('Papiers', `${plural(input.piecesGiven, 'papier donné', 'papiers donnés')}, ${plural(input.piecesMissing, 'papier manquant', 'papiers manquants')}`);
  w.field('Code de contrôle', shortHash(input.manifestSha256));
  w.field('Empreinte SHA-256 complète de la demande', input.manifestSha256, { mono: true });
  w.y -= 10;
  w.callout('Gardez ce papier. Il prouve que vous avez fait votre demande.', 15);
  return pdf.save();
}

/** The jobs the PDF pool runs (printouts.ts). */
export const DOSSIER_PDF_JOB = pdfJob<DossierPdfInput>(import.meta.url, 'dossierPdf');
export const RECEIPT_PDF_JOB = pdfJob<ReceiptInput>(import.meta.url, 'receiptPdf');
