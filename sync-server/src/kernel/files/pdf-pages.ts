/**
 * Reading a PDF someone else made (a scan of several pages, an institution's notice), with limits: its
 * size, its page count, and — since it runs in a PDF pool thread — the pool's time and memory limits.
 * What cannot be read is said in French rather than thrown, so a printout gets a page saying so.
 * Runs inside the PDF worker threads only (pdf-lib; no sharp, no database).
 */
import { PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import type { PDFArray, PDFPage } from 'pdf-lib';
import { LIMITS } from '../../../protocol/common.ts';
import { pdfJob } from './pdf-pool.ts';
import { PDF_PROBLEM_WORDS as PDF_WORDS } from '../words/files.ts';

export const PDF_LIMITS = {
  bytes: LIMITS.blobBytes,
  /** objects written in the clear: a 200-page scan has a few thousand */
  objects: 100_000,
  pages: 200,
  /** images a PDF may hold (each is checked at deposit) */
  images: 1000,
} as const;

export type PdfProblem = 'damaged' | 'encrypted' | 'no-pages' | 'too-many-pages' | 'too-large' | 'too-complex';

/** Why a PDF is refused, in words (kernel/words/files.ts), with this module's limits. */
export const PDF_PROBLEM_WORDS: Record<PdfProblem, string> = {
  ...PDF_WORDS,
  'too-many-pages': PDF_WORDS['too-many-pages'](PDF_LIMITS.pages),
  'too-large': PDF_WORDS['too-large'](PDF_LIMITS.bytes),
};

const OBJ = Buffer.from(' obj', 'latin1');

/**
 * Whether more than `cap` objects are written in the clear ("12 0 obj"), counted in one pass over the
 * bytes before pdf-lib spends seconds and hundreds of megabytes parsing them. Objects packed in
 * compressed object streams are not seen here: the thread's time and memory limits bound those.
 */
function tooManyObjects(bytes: Uint8Array, cap: number): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = b.indexOf(OBJ); at >= 0; at = b.indexOf(OBJ, at + OBJ.length)) if (++n > cap) return true;
  return false;
}

/** The document, or why it cannot be used. */
export async function loadPdf(bytes: Uint8Array): Promise<PDFDocument | PdfProblem> {
  if (bytes.length > PDF_LIMITS.bytes) return 'too-large';
  if (tooManyObjects(bytes, PDF_LIMITS.objects)) return 'too-complex';
  try {
    // loaded even when encrypted, to say so rather than "damaged"
    const src = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    if (src.isEncrypted) return 'encrypted';
    const pages = src.getPageCount();
    if (pages === 0) return 'no-pages';
    if (pages > PDF_LIMITS.pages) return 'too-many-pages';
    return src;
  } catch {
    // a page tree that loops ends in a stack overflow here, like any other damage
    return 'damaged';
  }
}

/** The pages of a PDF, copied into `into`; or why they cannot be. */
export async function copyPdfPages(into: PDFDocument, bytes: Uint8Array): Promise<PDFPage[] | PdfProblem> {
  const src = await loadPdf(bytes);
  if (typeof src === 'string') return src;
  try {
    const pages = await into.copyPages(src, src.getPageIndices());
    // a page without a readable box would fail only later, when something is drawn on it
    for (const p of pages) {
      p.getCropBox();
      p.getRotation();
    }
    return pages;
  } catch {
    return 'damaged';
  }
}

export interface PdfImage {
  width: number;
  height: number;
  /** the bytes of an image stored as a JPEG (DCTDecode alone), for the deposit to decode; null otherwise */
  jpeg: Uint8Array | null;
}

export type PdfInspection = { ok: true; pages: number; images: PdfImage[] } | { ok: false; problem: PdfProblem };

const num = (v: unknown) => (v instanceof PDFNumber ? v.asNumber() : Number.NaN);

/**
 * What a PDF holds, for the deposit to accept it: its pages can be read, and every image in it (each
 * image stream, wherever it is used) says its size, and gives its bytes when they are a JPEG. A size that
 * is not a positive whole number counts as a damaged file.
 */
export async function inspectPdf(input: { bytes: Uint8Array }): Promise<PdfInspection> {
  const src = await loadPdf(input.bytes);
  if (typeof src === 'string') return { ok: false, problem: src };
  try {
    const images: PdfImage[] = [];
    for (const [, obj] of src.context.enumerateIndirectObjects()) {
      if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
      if (images.length >= PDF_LIMITS.images) return { ok: false, problem: 'damaged' };
      const width = num(src.context.lookup(obj.dict.get(PDFName.of('Width'))));
      const height = num(src.context.lookup(obj.dict.get(PDFName.of('Height'))));
      if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return { ok: false, problem: 'damaged' };
      const filter = src.context.lookup(obj.dict.get(PDFName.of('Filter')));
      const single = filter instanceof PDFName ? filter : filter && 'asArray' in filter && (filter as PDFArray).size() === 1 ? (filter as PDFArray).get(0) : null;
      images.push({ width, height, jpeg: single === PDFName.of('DCTDecode') ? obj.getContents().slice() : null });
    }
    return { ok: true, pages: src.getPageCount(), images };
  } catch {
    return { ok: false, problem: 'damaged' };
  }
}

export const INSPECT_PDF_JOB = pdfJob<{ bytes: Uint8Array }>(import.meta.url, 'inspectPdf');
