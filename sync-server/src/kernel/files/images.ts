/**
 * Images are read by sharp (libvips) and by nothing else on the server. libvips decodes on its own
 * threads, so a large or hostile image never stalls the event loop; every read here is bounded: its
 * magic bytes are ours to check first (only JPEG, PNG and WebP reach sharp, never SVG, TIFF or the
 * rest libvips could open), its header's pixel count is capped before a pixel is decoded, any decoding
 * error fails it (a cut file is not "mostly fine"), and libvips gives up after a time limit.
 *
 * Three uses: a full decode to accept a file at deposit (`decodeImage`), a re-encoding when the server
 * may choose the bytes it stores (`reencodeImage`, the staff API), and the rendition that goes on paper
 * (`printImage`: pdf-lib only ever embeds JPEGs sharp wrote).
 */
import { open as openFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { sniff } from './sniff.ts';
import { IMAGE_PROBLEM_WORDS as IMAGE_WORDS } from '../words/files.ts';

export type ImageKind = 'jpeg' | 'png' | 'webp';

export const IMAGE_LIMITS = {
  /** pixels an image may claim: an A4 page at 600 dpi is 35 Mpx, a kiosk scan 2 Mpx */
  maxPixels: 40_000_000,
  /** the long side of an image on paper: A4 at 300 dpi */
  printLongSide: 2480,
  /** libvips gives up on one image after this long */
  seconds: 20,
} as const;

export type ImageProblem = 'empty' | 'not-an-image' | 'wrong-type' | 'too-large' | 'damaged';

/** Why an image is refused, in words a person at the kiosk or a member of staff can act on. */
export const IMAGE_PROBLEM_WORDS: Record<ImageProblem, string> = { ...IMAGE_WORDS, 'too-large': IMAGE_WORDS['too-large'](IMAGE_LIMITS.maxPixels) };

export class ImageRefused extends Error {
  constructor(
    readonly problem: ImageProblem,
    detail = '',
  ) {
    super(`${problem}${detail ? `: ${detail}` : ''}`);
    this.name = 'ImageRefused';
  }
}

const SHARP_FORMAT: Record<ImageKind, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

function open(input: string | Uint8Array): Sharp {
  return sharp(input, { limitInputPixels: IMAGE_LIMITS.maxPixels, failOn: 'error', sequentialRead: true, pages: 1 }).timeout({ seconds: IMAGE_LIMITS.seconds });
}

function refusal(err: unknown): ImageRefused {
  if (err instanceof ImageRefused) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new ImageRefused('too-large', message);
  if (/unsupported image format/i.test(message)) return new ImageRefused('not-an-image', message);
  if (/empty/i.test(message)) return new ImageRefused('empty', message);
  return new ImageRefused('damaged', message);
}

/** The kind the bytes say they are, checked before sharp sees them (only our three formats get through). */
function kindOf(bytes: Uint8Array, expected?: ImageKind): ImageKind {
  if (bytes.length === 0) throw new ImageRefused('empty');
  const kind = sniff(bytes);
  if (kind === null || kind === 'pdf') throw new ImageRefused('not-an-image');
  if (expected && kind !== expected) throw new ImageRefused('wrong-type', `${kind}, declared ${expected}`);
  return kind;
}

/** The header: format and size, refused when it is not `kind` or claims too many pixels. */
async function header(input: string | Uint8Array, kind: ImageKind): Promise<{ width: number; height: number }> {
  const meta = await open(input).metadata();
  if (meta.format !== SHARP_FORMAT[kind]) throw new ImageRefused('wrong-type', `${meta.format}, expected ${kind}`);
  if (!meta.width || !meta.height) throw new ImageRefused('damaged', 'no size');
  if (meta.width * meta.height > IMAGE_LIMITS.maxPixels) throw new ImageRefused('too-large', `${meta.width} × ${meta.height}`);
  return { width: meta.width, height: meta.height };
}

async function firstBytes(file: string): Promise<Uint8Array> {
  const handle = await openFile(file, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Decodes every pixel of an image (a file path or bytes), streamed to nowhere: a few rows in memory at a
 * time. Resolves with its size when the whole image reads; rejects with an ImageRefused otherwise.
 */
export async function decodeImage(input: string | Uint8Array, expected: ImageKind): Promise<{ width: number; height: number }> {
  try {
    kindOf(typeof input === 'string' ? await firstBytes(input) : input, expected);
    const size = await header(input, expected);
    const discard = new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });
    await pipeline(open(input).raw(), discard);
    return size;
  } catch (err) {
    throw refusal(err);
  }
}

/**
 * The image decoded and written again in its own format, turned upright, without its metadata (EXIF,
 * GPS, comments) or anything hidden after its end: what the server stores when it may choose the bytes.
 */
export async function reencodeImage(bytes: Uint8Array, expected: 'jpeg' | 'png'): Promise<{ bytes: Buffer; width: number; height: number }> {
  try {
    kindOf(bytes, expected);
    await header(bytes, expected);
    const pipelineOut = open(bytes).rotate();
    const out = await (expected === 'jpeg' ? pipelineOut.jpeg({ quality: 90 }) : pipelineOut.png({ compressionLevel: 6 })).toBuffer({ resolveWithObject: true });
    return { bytes: out.data, width: out.info.width, height: out.info.height };
  } catch (err) {
    throw refusal(err);
  }
}

/**
 * The image as it goes on paper: upright, flattened on white, at most `printLongSide` pixels on its long
 * side, a baseline JPEG (which pdf-lib embeds without decoding it).
 */
export async function printImage(bytes: Uint8Array): Promise<{ jpeg: Buffer; width: number; height: number }> {
  try {
    const kind = kindOf(bytes);
    await header(bytes, kind);
    const side = IMAGE_LIMITS.printLongSide;
    const out = await open(bytes)
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      // standard Huffman tables: half the time of optimised ones, for a file a few percent larger
      .jpeg({ quality: 85, optimiseCoding: false })
      .toBuffer({ resolveWithObject: true });
    return { jpeg: out.data, width: out.info.width, height: out.info.height };
  } catch (err) {
    throw refusal(err);
  }
}
