/**
 * A vault document as a PDF (pdf-lib): its pages (images placed on A4, or the pages of a PDF file), then a
 * page with what was read on it; optionally a cover letter to an institution first (sending it by post).
 * Standard fonts with WinAnsi cover French; other characters are replaced rather than failing.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { DOC_TYPE_TITLE, fieldLabel } from '../../../protocol/vault.ts';
import type { DocumentSummary, Institution, VersionDetail } from '../../../protocol/vault.ts';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 56;
export const INK = rgb(0.1, 0.1, 0.1);
export const ACCENT = rgb(0.04, 0.36, 0.38);

export interface DocumentPdfInput {
  document: DocumentSummary;
  version: VersionDetail;
  file: Uint8Array;
  owner: { firstName: string; lastName: string; identifier: string };
  letterTo?: Institution | null;
  now?: Date;
}

/** WinAnsi cannot draw every character: keep what it can, replace the rest. */
export function safe(font: PDFFont, text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    // line breaks are kept for wrap(), which splits paragraphs on them
    if (ch === '\n') {
      out += ch;
      continue;
    }
    try {
      font.encodeText(ch);
      out += ch;
    } catch {
      out += ch === '’' ? "'" : '?';
    }
  }
  return out;
}

export function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) > width && line) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Writes lines down from the top of a new page, and onto a further page when one is full. */
export class Writer {
  page: PDFPage;
  y: number;
  constructor(
    readonly pdf: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.page = pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }
  text(t: string, opts: { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; gap?: number } = {}): void {
    const size = opts.size ?? 12;
    const font = opts.bold ? this.bold : this.font;
    for (const line of wrap(font, safe(font, t), size, A4[0] - 2 * MARGIN)) {
      if (this.y - size < MARGIN) {
        this.page = this.pdf.addPage(A4);
        this.y = A4[1] - MARGIN;
      }
      this.page.drawText(line, { x: MARGIN, y: this.y - size, size, font, color: opts.color ?? INK });
      this.y -= size * 1.4;
    }
    this.y -= opts.gap ?? 4;
  }
}

export const dateFr = (d: Date) => d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export async function documentPdf(input: DocumentPdfInput): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(input.document.title);
  pdf.setCreator('Facilitateur');
  pdf.setProducer('Facilitateur');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const now = input.now ?? new Date();
  const ownerName = `${input.owner.firstName} ${input.owner.lastName}`;

  if (input.letterTo) {
    const w = new Writer(pdf, font, bold);
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

  const w = new Writer(pdf, font, bold);
  w.text('Facilitateur', { size: 14, bold: true, color: ACCENT, gap: 12 });
  w.text(input.document.title, { size: 18, bold: true, gap: 6 });
  w.text(`${DOC_TYPE_TITLE[input.document.docType]} — coffre de ${ownerName}`, { size: 11, gap: 2 });
  w.text(`Photographié le ${dateFr(new Date(input.version.capturedAt))}, version ${input.version.version}.`, { size: 11, gap: 16 });
  const names = Object.keys(input.version.fields);
  if (names.length > 0) {
    w.text('Ce qui a été lu sur le document', { size: 13, bold: true, gap: 8 });
    for (const n of names) {
      const f = input.version.fields[n]!;
      w.text(fieldLabel(n), { size: 10, color: rgb(0.3, 0.3, 0.3), gap: 0 });
      w.text(f.value, { size: 12, bold: true, gap: 8 });
    }
  }
  w.text(`Document tiré du coffre-fort numérique Facilitateur le ${dateFr(now)}.`, { size: 9, gap: 0 });
  return pdf.save();
}
