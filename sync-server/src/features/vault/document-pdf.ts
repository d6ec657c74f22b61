/**
 * A vault document as a PDF, laid out with the PDF kit (protocol/print): its pages (an image placed on A4,
 * or the pages of a PDF file), then a page with what was read on it; optionally a cover letter to an
 * institution first (sending it by post). Dates and values are written by the format module.
 */
import { PDFDocument } from 'pdf-lib';
import { dateFr, ibanFr } from '../../../protocol/format.ts';
import { A4, MARGIN, PageWriter, THEME, startPdf, wordmark } from '../../../protocol/print/pdf-kit.ts';
import { DOC_TYPE_TITLE, fieldLabel } from '../../../protocol/vault.ts';
import type { DocumentSummary, Institution, VersionDetail } from '../../../protocol/vault.ts';

export interface DocumentPdfInput {
  document: DocumentSummary;
  version: VersionDetail;
  file: Uint8Array;
  owner: { firstName: string; lastName: string; identifier: string };
  letterTo?: Institution | null;
  now?: Date;
}

/** A field's value as people read it: an IBAN in groups of four, the rest as it was read. */
const fieldValue = (name: string, value: string) => (name === 'iban' ? ibanFr(value) : value);

export async function documentPdf(input: DocumentPdfInput): Promise<Uint8Array> {
  const now = input.now ?? new Date();
  const { pdf, fonts } = await startPdf({ title: input.document.title, date: now });
  const ownerName = `${input.owner.firstName} ${input.owner.lastName}`;

  if (input.letterTo) {
    const w = PageWriter.on(pdf, fonts);
    w.text(ownerName, { bold: true, gap: 0 });
    w.text(`Identifiant Facilitateur : ${input.owner.identifier}`, { size: 10, gap: 24 });
    w.text(input.letterTo.name, { bold: true, gap: 0 });
    w.text(input.letterTo.address, { gap: 0 });
    w.text(`${input.letterTo.postcode} ${input.letterTo.city}`, { gap: 24 });
    w.text(`Le ${dateFr(now)}`, { gap: 18 });
    w.text(`Objet : envoi de mon document « ${input.document.title} »`, { bold: true, gap: 14 });
    w.text('Madame, Monsieur,', { gap: 10 });
    w.text(`Vous trouverez avec cette lettre mon document : ${input.document.title}.`, { gap: 10 });
    w.text('Je vous prie d’agréer, Madame, Monsieur, mes salutations distinguées.', { gap: 18 });
    w.text(ownerName, { gap: 0 });
  }

  if (input.version.file.mime === 'application/pdf') {
    const src = await PDFDocument.load(input.file, { ignoreEncryption: false });
    for (const p of await pdf.copyPages(src, src.getPageIndices())) pdf.addPage(p);
  } else {
    const image = input.version.file.mime === 'image/png' ? await pdf.embedPng(input.file) : await pdf.embedJpg(input.file);
    const page = pdf.addPage(A4);
    const scale = Math.min((A4[0] - 2 * MARGIN) / image.width, (A4[1] - 2 * MARGIN) / image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    page.drawImage(image, { x: (A4[0] - w) / 2, y: A4[1] - MARGIN - h, width: w, height: h });
  }

  const w = PageWriter.on(pdf, fonts, { onNewPage: wordmark });
  w.text(input.document.title, { size: 18, bold: true, gap: 6 });
  w.text(`${DOC_TYPE_TITLE[input.document.docType]} — coffre de ${ownerName}`, { size: 11, gap: 2 });
  w.text(`Photographié le ${dateFr(input.version.capturedAt)}, version ${input.version.version}.`, { size: 11, gap: 16 });
  const names = Object.keys(input.version.fields);
  if (names.length > 0) {
    w.heading('Ce qui a été lu sur le document', { size: 13 });
    for (const n of names) w.field(fieldLabel(n), fieldValue(n, input.version.fields[n]!.value));
  }
  w.text(`Document tiré du coffre-fort numérique Facilitateur le ${dateFr(now)}.`, { size: 9, color: THEME.muted, gap: 0 });
  return pdf.save();
}
