/**
 * A stored file made ready for a printout, on the main thread before the PDF job: an image becomes a JPEG
 * that sharp wrote (bounded pixels; pdf-lib only embeds it, never decodes it), a PDF is handed on as it is
 * (the job opens it with limits), anything else is named unreadable. The job then only lays out.
 *
 * Blobs never change (their name is their SHA-256), so a rendition is kept a while in memory by that
 * name: the same dossier printed again does not decode its scans again.
 */
import { printImage } from './images.ts';
import { PdfJobError } from './pdf-pool.ts';
import { sniff } from './sniff.ts';
import { PRINT_FAILURE_WORDS } from '../words/files.ts';

export type PrintFile =
  | { kind: 'image'; jpeg: Uint8Array; width: number; height: number }
  | { kind: 'pdf'; bytes: Uint8Array }
  /** `image`: an image that does not decode (damaged, too large); `unknown`: neither an image nor a PDF */
  | { kind: 'unreadable'; problem: 'image' | 'unknown' };

type Rendition = Extract<PrintFile, { kind: 'image' }>;

/** Renditions kept, by blob SHA-256, up to this many bytes in all (least recently used go first). */
const CACHE_BYTES = 32 * 1024 * 1024;
const cache = new Map<string, Rendition>();
let cached = 0;

function remember(key: string, r: Rendition): void {
  if (r.jpeg.length > CACHE_BYTES / 4) return;
  cache.set(key, r);
  cached += r.jpeg.length;
  for (const [k, v] of cache) {
    if (cached <= CACHE_BYTES) break;
    cache.delete(k);
    cached -= v.jpeg.length;
  }
}

/** `sha256`: the blob's name, when the bytes are a stored blob (the rendition is then cached). */
export async function printFile(bytes: Uint8Array, sha256?: string): Promise<PrintFile> {
  const kind = bytes.length > 0 ? sniff(bytes) : null;
  if (kind === 'pdf') return { kind: 'pdf', bytes };
  if (kind === null) return { kind: 'unreadable', problem: 'unknown' };
  const hit = sha256 ? cache.get(sha256) : undefined;
  if (hit && sha256) {
    cache.delete(sha256);
    cache.set(sha256, hit); // most recently used last
    return hit;
  }
  try {
    const r = await printImage(bytes);
    const rendition: Rendition = { kind: 'image', jpeg: new Uint8Array(r.jpeg), width: r.width, height: r.height };
    // jobs get a copy of their input (structured clone): the cached bytes are never handed over
    if (sha256) remember(sha256, rendition);
    return rendition;
  } catch {
    return { kind: 'unreadable', problem: 'image' };
  }
}

/** What a person is told when their paper or dossier could not be made into a PDF. */
export function printFailureWords(err: unknown, what: 'paper' | 'dossier'): string {
  if (err instanceof PdfJobError && (err.reason === 'busy' || err.reason === 'closed')) {
    return PRINT_FAILURE_WORDS.busy;
  }
  return PRINT_FAILURE_WORDS[what];
}
