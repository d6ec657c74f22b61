/**
 * The check every file passes when it enters the server, before it is stored (the end of a kiosk's tus
 * upload, the staff API's institutional deposit): its bytes are the type it was declared as, an image
 * decodes in full within the pixel limit, a PDF opens within its limits (in a PDF pool thread) and every
 * image inside it is of a sane size, its JPEGs decoding in full. Never inside a mutation's transaction:
 * the sync engine only looks the blob up.
 *
 * A refusal says why in French; `retry` tells a refusal of the file (permanent) from a server too busy
 * to check it now.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { FileMime } from '../../../protocol/common.ts';
import { IMAGE_LIMITS, IMAGE_PROBLEM_WORDS, ImageRefused, decodeImage } from './images.ts';
import type { ImageKind } from './images.ts';
import { INSPECT_PDF_JOB, PDF_LIMITS, PDF_PROBLEM_WORDS } from './pdf-pages.ts';
import type { PdfInspection } from './pdf-pages.ts';
import { PdfJobError } from './pdf-pool.ts';
import type { PdfPool } from './pdf-pool.ts';
import { KIND_OF_MIME, sniff } from './sniff.ts';
import { INSPECT_WORDS } from '../words/files.ts';

export type FileVerdict = { ok: true } | { ok: false; problem: string; message: string; retry: boolean };

const refused = (problem: string, message: string): FileVerdict => ({ ok: false, problem, message, retry: false });

const Inspection: z.ZodType<PdfInspection> = z.union([
  z.object({
    ok: z.literal(true),
    pages: z.number().int().positive(),
    images: z.array(z.object({ width: z.number().int().positive(), height: z.number().int().positive(), jpeg: z.instanceof(Uint8Array).nullable() })),
  }),
  z.object({ ok: z.literal(false), problem: z.enum(['damaged', 'encrypted', 'no-pages', 'too-many-pages', 'too-large', 'too-complex']) }),
]);

/** How long a PDF may take to open at deposit (a kiosk's scan of several pages opens in well under a second). */
const PDF_CHECK_MS = 10_000;

async function checkPdf(pool: PdfPool, bytes: Uint8Array): Promise<FileVerdict> {
  let raw: unknown;
  try {
    raw = await pool.run(INSPECT_PDF_JOB, { bytes }, { timeoutMs: PDF_CHECK_MS });
  } catch (err) {
    const reason = err instanceof PdfJobError ? err.reason : 'failed';
    if (reason === 'busy' || reason === 'closed') return { ok: false, problem: 'busy', message: INSPECT_WORDS.busy, retry: true };
    return refused(`pdf-${reason}`, INSPECT_WORDS.pdfTrapped);
  }
  const inspection = Inspection.safeParse(raw);
  if (!inspection.success) return refused('pdf-damaged', PDF_PROBLEM_WORDS.damaged);
  if (!inspection.data.ok) return refused(`pdf-${inspection.data.problem}`, PDF_PROBLEM_WORDS[inspection.data.problem]);
  for (const image of inspection.data.images) {
    if (image.width * image.height > IMAGE_LIMITS.maxPixels) return refused('pdf-image-too-large', INSPECT_WORDS.pdfImageTooLarge(image.width, image.height));
    if (image.jpeg) {
      try {
        await decodeImage(image.jpeg, 'jpeg');
      } catch (err) {
        const problem = err instanceof ImageRefused ? err.problem : 'damaged';
        return refused(`pdf-image-${problem}`, INSPECT_WORDS.pdfImageUnreadable(IMAGE_PROBLEM_WORDS[problem]));
      }
    }
  }
  return { ok: true };
}

/** Checks a file (a path on disk, or bytes) declared as `mime`. */
export async function inspectFile(pool: PdfPool, input: { path: string } | { bytes: Uint8Array }, mime: FileMime): Promise<FileVerdict> {
  const kind = KIND_OF_MIME[mime];
  if (!kind) return refused('not-accepted', INSPECT_WORDS.notAccepted);
  if (kind === 'pdf') {
    if ('path' in input && (await stat(input.path)).size > PDF_LIMITS.bytes) return refused('pdf-too-large', PDF_PROBLEM_WORDS['too-large']);
    const bytes = 'path' in input ? new Uint8Array(await readFile(input.path)) : input.bytes;
    if (bytes.length === 0) return refused('empty', IMAGE_PROBLEM_WORDS.empty);
    if (sniff(bytes) !== 'pdf') return refused('wrong-type', INSPECT_WORDS.notAPdf);
    return checkPdf(pool, bytes);
  }
  try {
    await decodeImage('path' in input ? input.path : input.bytes, kind as ImageKind);
    return { ok: true };
  } catch (err) {
    const problem = err instanceof ImageRefused ? err.problem : 'damaged';
    return refused(problem, IMAGE_PROBLEM_WORDS[problem]);
  }
}
