/**
 * A vault document as a PDF, laid out with the PDF kit (protocol/print): its pages (an image placed on A4,
 * or the pages of a PDF file), then a page with what was read on it; optionally a cover letter to an
 * institution first (sending it by post). Dates and values are written by the format module.
 *
 * Runs in a PDF pool thread (document-print.ts sends it there): its file comes prepared (print-file.ts),
 * an image as a JPEG sharp wrote, a PDF opened here with limits; a file that cannot be shown gets a page
 * saying so.
 */
import type { PDFDocument } from 'pdf-lib';
import { dateFr, ibanFr } from '../../../protocol/format.ts';
import { A4, COLUMN, MARGIN, PageWriter, THEME, startPdf, wordmark } from '../../../protocol/print/pdf-kit.ts';
import type { Fonts } from '../../../protocol/print/pdf-kit.ts';
import { DOC_TYPE_TITLE, fieldLabel } from '../../../protocol/vault.ts';
import type { DocumentSummary, Institution, VersionDetail } from '../../../protocol/vault.ts';
import { PDF_PROBLEM_WORDS, copyPdfPages } from '../../kernel/files/pdf-pages.ts';
import type { PrintFile } from '../../kernel/files/print-file.ts';
import { DOCUMENT_PDF, PAPER_NOT_SHOWN } from '../../kernel/words/pdf.ts';
import { pdfJob } from '../../kernel/files/pdf-pool.ts';

export interface DocumentPdfInput {
  document: DocumentSummary;
  version: VersionDetail;
  file: PrintFile;
  owner: { firstName: string; lastName: string; identifier: string };
  letterTo?: Institution | null;
  now?: Date;
}

/** A field's value as people read it: an IBAN in groups of four, the rest as it was read. */
const fieldValue = (name: string, value: string) => (name === 'iban' ? ibanFr(value) : value);

const UNREADABLE: Record<Extract<PrintFile, { kind: 'unreadable' }>['problem'], string> = PAPER_NOT_SHOWN;

/** The paper itself: its image on a page, or its PDF's pages; else a page saying why it cannot be shown. */
async function paperPages(pdf: PDFDocument, fonts: Fonts, file: PrintFile, title: string): Promise<void> {
  let problem: string | null = null;
  if (file.kind === 'pdf') {
    const pages = await copyPdfPages(pdf, file.bytes);
    if (typeof pages === 'string') problem = PDF_PROBLEM_WORDS[pages];
    else for (const p of pages) pdf.addPage(p);
  } else if (file.kind === 'image') {
    const image = await pdf.embedJpg(file.jpeg);
    const page = pdf.addPage(A4);
    const scale = Math.min(COLUMN / image.width, (A4[1] - 2 * MARGIN) / image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    page.drawImage(image, { x: (A4[0] - w) / 2, y: A4[1] - MARGIN - h, width: w, height: h });
  } else {
    problem = UNREADABLE[file.problem];
  }
  if (problem) {
    const w = PageWriter.on(pdf, fonts);
    w.text(PAPER_NOT_SHOWN.title, { size: 16, bold: true, gap: 8 });
    w.text(problem, { gap: 8 });
    w.text(DOCUMENT_PDF.stillInVault(title), { gap: 8 });
  }
}

export async function documentPdf(input: DocumentPdfInput): Promise<Uint8Array> {
  const now = input.now ?? new Date();
  const { pdf, fonts } = await startPdf({ title: input.document.title, date: now });
  const ownerName = `${input.owner.firstName} ${input.owner.lastName}`;

  if (input.letterTo) {
    const w = PageWriter.on(pdf, fonts);
    w.text(ownerName, { bold: true, gap: 0 });
    w.text(DOCUMENT_PDF.identifier(input.owner.identifier), { size: 10, gap: 24 });
    w.text(input.letterTo.name, { bold: true, gap: 0 });
    w.text(input.letterTo.address, { gap: 0 });
    w.text(`${input.letterTo.postcode} ${input.letterTo.city}`, { gap: 24 });
    w.text(DOCUMENT_PDF.dated(dateFr(now)), { gap: 18 });
    w.text(DOCUMENT_PDF.subject(input.document.title), { bold: true, gap: 14 });
    w.text(DOCUMENT_PDF.salutation, { gap: 10 });
    w.text(DOCUMENT_PDF.enclosed(input.document.title), { gap: 10 });
    w.text(DOCUMENT_PDF.closing, { gap: 18 });
    w.text(ownerName, { gap: 0 });
  }

  await paperPages(pdf, fonts, input.file, input.document.title);

  const w = PageWriter.on(pdf, fonts, { onNewPage: wordmark });
  w.text(input.document.title, { size: 18, bold: true, gap: 6 });
  w.text(DOCUMENT_PDF.kindAndOwner(DOC_TYPE_TITLE[input.document.docType], ownerName), { size: 11, gap: 2 });
  w.text(DOCUMENT_PDF.captured(dateFr(input.version.capturedAt), input.version.version), { size: 11, gap: 16 });
  const names = Object.keys(input.version.fields);
  if (names.length > 0) {
    w.heading(DOCUMENT_PDF.readHeading, { size: 13 });
    for (const n of names) w.field(fieldLabel(n, input.document.docType), fieldValue(n, input.version.fields[n]!.value));
  }
  w.text(DOCUMENT_PDF.footer(dateFr(now)), { size: 9, color: THEME.muted, gap: 0 });
  return pdf.save();
}

/** The job the PDF pool runs (document-print.ts). */
export const DOCUMENT_PDF_JOB = pdfJob<DocumentPdfInput>(import.meta.url, 'documentPdf');
