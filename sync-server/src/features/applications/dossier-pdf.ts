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
  ApplicationStateName,
  FilingSituation,
  PieceStatusName,
  SubmissionGround,
  SubmissionMode,
} from '../../../protocol/applications.ts';
import { dateFr, dateTimeFr } from '../../../protocol/format.ts';
import { ACTIVITY_PRINTED, DOSSIER_PDF, HOUSING_PRINTED, MODE_PRINTED, NATIONALITY_PRINTED, PAPER_NOT_SHOWN, PIECE_STATUS_PRINTED, RECEIPT_PDF } from '../../kernel/words/pdf.ts';
import type { ProcurationNames } from '../../kernel/words/applications.ts';
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
    /** sent by an agent alone on the person's procuration: who, of which structure, for whom (as the procuration names them) */
    onProcuration?: ProcurationNames | null;
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
  /** sent by an agent alone on the person's procuration (null: the person signed it) */
  sentBy?: ProcurationNames | null;
}

// ---------------------------------------------------------------------------------------------------
// Words

const HOUSING = HOUSING_PRINTED;
const ACTIVITY = ACTIVITY_PRINTED;
const NATIONALITY = NATIONALITY_PRINTED;
const PIECE_STATUS = PIECE_STATUS_PRINTED;

const yesNo = (b: boolean) => (b ? DOSSIER_PDF.yes : DOSSIER_PDF.no);

function validDate(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// ---------------------------------------------------------------------------------------------------
// The pièces' files

const UNREADABLE: Record<Extract<PrintFile, { kind: 'unreadable' }>['problem'], string> = PAPER_NOT_SHOWN;

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
    title: DOSSIER_PDF.title(aidNames, name),
    subject: DOSSIER_PDF.subject(input.receiptNumber),
    date: validDate(input.generatedAt),
  });
  const withFile = input.pieces.filter((p) => p.document !== null);
  /** pages copied from the pièces' PDFs: headed in a strip, numbered there rather than in a footer */
  const copied = new Map<PDFPage, string>();

  // (1) cover
  const cover = PageWriter.on(pdf, fonts);
  wordmark(cover);
  cover.text(DOSSIER_PDF.heading, { size: 28, bold: true, gap: 10 });
  if (input.receiptNumber) {
    cover.field(DOSSIER_PDF.receiptNumber, input.receiptNumber);
  } else {
    cover.text(DOSSIER_PDF.noReceiptYet, { size: 12, gap: 8 });
  }
  cover.y -= 8;
  cover.heading(DOSSIER_PDF.aidsHeading(input.aids.length));
  for (const aid of input.aids) {
    cover.room(3 * 12 * 1.4);
    cover.text(aid.aidName, { size: 12, bold: true, gap: 0 });
    cover.text(DOSSIER_PDF.handledBy(aid.institutionName), { size: 11, gap: 0 });
    cover.text(DOSSIER_PDF.state(STATE_LABEL[aid.state]), { size: 11, gap: 10 });
  }
  cover.y -= 6;
  cover.heading(DOSSIER_PDF.personHeading);
  cover.field(DOSSIER_PDF.name, name);
  cover.field(DOSSIER_PDF.identifier, input.person.identifier);
  cover.field(DOSSIER_PDF.birthDate, dateFr(input.person.birthDate));
  cover.y -= 6;
  cover.heading(DOSSIER_PDF.datesHeading);
  cover.field(DOSSIER_PDF.sentOn, input.submittedAt ? dateTimeFr(input.submittedAt) : DOSSIER_PDF.notSentYet);
  cover.field(DOSSIER_PDF.printedOn, dateTimeFr(input.generatedAt));
  cover.y -= 6;
  cover.heading(DOSSIER_PDF.contentsHeading);
  for (const line of DOSSIER_PDF.contents(input.pieces.length, withFile.length)) cover.text(line, { size: 11, gap: 0 });

  // (2) declared data
  const data = PageWriter.on(pdf, fonts);
  data.text(DOSSIER_PDF.declaredHeading, { size: 20, bold: true, gap: 6 });
  data.text(DOSSIER_PDF.declaredWhy, { size: 11, color: THEME.muted, gap: 16 });
  const s = input.situation;
  data.field(DOSSIER_PDF.housing, HOUSING[s.housing]);
  data.field(DOSSIER_PDF.activity(s.activity.length), s.activity.map((a) => ACTIVITY[a]).join(', '));
  data.field(DOSSIER_PDF.nationality, NATIONALITY[s.nationality]);
  data.field(DOSSIER_PDF.children, yesNo(s.children));
  data.field(DOSSIER_PDF.couple, yesNo(s.couple));

  // (3) list of pièces
  const list = PageWriter.on(pdf, fonts);
  list.text(DOSSIER_PDF.piecesHeading, { size: 20, bold: true, gap: 6 });
  const given = input.pieces.filter((p) => p.status === 'present').length;
  const missing = input.pieces.length - given;
  list.text(
    DOSSIER_PDF.piecesCount(input.pieces.length, given, missing),
    { size: 11, color: THEME.muted, gap: 16 },
  );
  input.pieces.forEach((piece, i) => {
    list.room(3 * 12 * 1.4);
    list.text(`${i + 1}. ${piece.label}`, { size: 12, bold: true, gap: 0 });
    list.text(DOSSIER_PDF.state(PIECE_STATUS[piece.status]), { size: 11, gap: 0 });
    if (piece.document) list.text(DOSSIER_PDF.pieceDocument(piece.document.title, piece.document.version), { size: 11, gap: 0 });
    list.y -= 10;
  });

  // (4) the pièces
  let index = 0;
  for (const piece of input.pieces) {
    index += 1;
    const doc = piece.document;
    if (!doc) continue;
    const title = DOSSIER_PDF.pieceTitle(index, input.pieces.length, piece.label);
    const about = DOSSIER_PDF.pieceAbout(doc.title, doc.version, piece.status === 'present' ? null : PIECE_STATUS[piece.status]);
    const file = doc.file;

    let problem: string | null = null;
    if (file.kind === 'pdf') {
      const pages = await copyPdfPages(pdf, file.bytes);
      if (typeof pages === 'string') problem = PDF_PROBLEM_WORDS[pages];
      else {
        pages.forEach((p, j) => {
          pdf.addPage(p);
          copied.set(p, `${title} — ${about}${pages.length > 1 ? ` (${DOSSIER_PDF.pageOf(j + 1, pages.length)})` : ''}`);
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
      w.text(PAPER_NOT_SHOWN.title, { size: 16, bold: true, gap: 8 });
      w.text(problem, { size: 12, gap: 8 });
      w.text(DOSSIER_PDF.stillInVault(doc.title, doc.version), { size: 12, gap: 8 });
    }
  }

  // (5) signature
  const sig = PageWriter.on(pdf, fonts);
  sig.text(DOSSIER_PDF.signatureHeading, { size: 20, bold: true, gap: 14 });
  const signature = input.signature;
  if (!signature) {
    sig.text(DOSSIER_PDF.unsigned, { size: 16, bold: true, color: THEME.accent, gap: 8 });
    sig.text(DOSSIER_PDF.unsignedWhy, { size: 12 });
  } else {
    sig.field(
      DOSSIER_PDF.signedHow,
      signature.ground.kind === 'procuration' ? DOSSIER_PDF.byProcuration(signature.onProcuration ?? null) : DOSSIER_PDF.byOwnCard,
    );
    sig.field(DOSSIER_PDF.signer, DOSSIER_PDF.signerIs(signature.signerName, signature.signerIdentifier));
    sig.field(DOSSIER_PDF.cardNumber, signature.cardSerial);
    sig.field(DOSSIER_PDF.signedOn, dateTimeFr(signature.signedAt));
    sig.field(DOSSIER_PDF.mode, MODE_PRINTED[signature.mode]);
    sig.field(
      DOSSIER_PDF.sentOn,
      input.submittedAt ? dateTimeFr(input.submittedAt) : signature.mode === 'automatic' ? DOSSIER_PDF.automaticPending : DOSSIER_PDF.notSentYet,
    );
    sig.field(DOSSIER_PDF.manifestHash, signature.manifestSha256, { mono: true });
    sig.field(DOSSIER_PDF.cardSignature, signature.signature, { mono: true });
    sig.y -= 6;
    sig.callout(DOSSIER_PDF.verified, 11);
    sig.text(DOSSIER_PDF.manifestIs, { size: 10, color: THEME.muted });
  }

  // page numbers: in the footer of our pages, in the header strip of copied ones
  const pages = pdf.getPages();
  const footer = DOSSIER_PDF.footer(name, input.receiptNumber);
  pages.forEach((page, i) => {
    const numbered = DOSSIER_PDF.pageOf(i + 1, pages.length);
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
    title: RECEIPT_PDF.title(input.receiptNumber, name),
    subject: RECEIPT_PDF.subject(input.receiptNumber),
    date: validDate(input.submittedAt ?? input.signedAt),
  });
  const w = PageWriter.on(pdf, fonts);
  wordmark(w);
  w.text(RECEIPT_PDF.heading, { size: 26, bold: true, gap: 6 });
  w.text(RECEIPT_PDF.lead, { size: 13, gap: 16 });
  w.text(RECEIPT_PDF.receiptNumber, { size: 11, color: THEME.muted, gap: 2 });
  w.text(input.receiptNumber, { size: 28, bold: true, gap: 16 });

  w.field(RECEIPT_PDF.madeBy, DOSSIER_PDF.signerIs(name, input.person.identifier));
  // the person was not there: who sent it for them, on their procuration
  if (input.sentBy) w.field(RECEIPT_PDF.sentBy, RECEIPT_PDF.sentByOnProcuration(input.sentBy));
  w.room(10 * 1.4 + 2 * 12 * 1.4);
  w.text(RECEIPT_PDF.aids(input.aids.length), { size: 10, color: THEME.muted, gap: 0 });
  for (const aid of input.aids) w.text(`• ${aid.aidName} — ${aid.institutionName}`, { size: 12, bold: true, gap: 2 });
  w.y -= 6;
  w.field(RECEIPT_PDF.signedOn, dateTimeFr(input.signedAt));
  if (input.submittedAt) w.field(RECEIPT_PDF.sentOn, dateTimeFr(input.submittedAt));
  else if (input.mode === 'automatic') w.field(RECEIPT_PDF.sending, RECEIPT_PDF.automaticPending);
  else w.field(RECEIPT_PDF.sending, RECEIPT_PDF.notSentYet);
  w.field(RECEIPT_PDF.papers, RECEIPT_PDF.papersCount(input.piecesGiven, input.piecesMissing));
  w.field(RECEIPT_PDF.controlCode, shortHash(input.manifestSha256));
  w.field(RECEIPT_PDF.fullHash, input.manifestSha256, { mono: true });
  w.y -= 10;
  w.callout(RECEIPT_PDF.keepIt, 15);
  return pdf.save();
}

/** The jobs the PDF pool runs (printouts.ts). */
export const DOSSIER_PDF_JOB = pdfJob<DossierPdfInput>(import.meta.url, 'dossierPdf');
export const RECEIPT_PDF_JOB = pdfJob<ReceiptInput>(import.meta.url, 'receiptPdf');
