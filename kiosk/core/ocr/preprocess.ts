/**
 * Image checks and preprocessing before tesseract, run in the OCR worker thread.
 *
 * The bytes come from outside (camera still, uploaded file): the format is sniffed from magic bytes before any
 * decoder sees them (no SVG, PDF or TIFF parser is ever reached), the pixel count is checked from the header
 * before decoding (decompression bombs), and sharp decodes strictly (a truncated or corrupt file is refused,
 * not half-read).
 *
 * The pipeline: one sharp pass decodes strictly, auto-orients (EXIF), flattens, greys and caps the size;
 * on those raw pixels the sheet of paper is found when it lies on a darker desk (camera stills) and cropped;
 * a second pass resizes the sheet to the working size, and again larger when its print is small; then, here
 * on the raw pixels: a median filter and a light blur when the image is noisy, a contrast stretch, the
 * paper's grain turned white when it was noisy, and a light sharpen when it was not. (sharp's own normalise decodes
 * twice and its LAB sharpen costs more than recognising a small page on this hardware.) The output is a
 * binary PGM, which tesseract reads without a decoding step of its own.
 */
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { OcrError } from './errors.ts';
import { OCR_WORDS } from '../words.ts';

/** Larger images are refused before decoding: 50 megapixels is far above any document camera. */
export const MAX_INPUT_PIXELS = 50_000_000;
export const MAX_INPUT_BYTES = 25 * 1024 * 1024;
/** Below this, text cannot be read whatever the processing. */
export const MIN_LONG_SIDE = 480;
export const MIN_SHORT_SIDE = 200;

/**
 * Working size: text of a document photographed or scanned whole lands around tesseract's preferred glyph
 * height (20–30 px) at these sizes, and recognition time grows with the pixel count. Tuned with bench/ocr.ts.
 */
export const WORK_MAX_WIDTH = 1400;
export const WORK_MAX_HEIGHT = 1800;
export const WORK_MIN_LONG_SIDE = 1200;

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'webp';
  return undefined;
}

function describe(bytes: Uint8Array): string {
  const head = String.fromCharCode(...bytes.subarray(0, 5));
  if (head === '%PDF-') return 'a PDF';
  if (head.startsWith('<')) return 'markup (SVG/HTML/XML)';
  return `unknown format (first bytes ${Buffer.from(bytes.subarray(0, 8)).toString('hex')})`;
}

export interface Prepared {
  /** binary PGM of the working image */
  pgm: Uint8Array;
  /** size of the input as shown (after EXIF orientation) */
  width: number;
  height: number;
  workWidth: number;
  workHeight: number;
  /** the paper found on a darker background, in decoded pixels; null when the whole image was used */
  crop: CropBox | null;
  /** the degrees the page's lines sloped by (clockwise), turned level when at least MIN_SKEW_DEG; 0 when none */
  skew: number;
  /** estimated noise σ of the working image before filtering */
  noise: number;
  /** the whole decoded image in grey (oriented, long side ≤ 2800 px), before cropping: for barcodes */
  decoded: { data: Uint8Array; width: number; height: number };
}

/** Throws OcrError for every input that cannot be processed. */
export async function checkImage(bytes: Uint8Array): Promise<{ format: ImageFormat; width: number; height: number }> {
  if (bytes.length === 0) throw new OcrError('bad-image', { message: OCR_WORDS.empty, detail: 'empty input' });
  if (bytes.length > MAX_INPUT_BYTES) throw new OcrError('too-large', { detail: `input of ${bytes.length} bytes` });
  const format = sniffFormat(bytes);
  if (!format && String.fromCharCode(...bytes.subarray(0, 5)) === '%PDF-') {
    // Only photos are read here; a PDF (real or not) is refused before any parser sees it.
    throw new OcrError('bad-image', {
      message: OCR_WORDS.pdf,
      detail: 'not a JPEG, PNG or WebP image: a PDF',
    });
  }
  if (!format) {
    throw new OcrError('bad-image', {
      message: OCR_WORDS.notAPhoto,
      detail: `not a JPEG, PNG or WebP image: ${describe(bytes)}`,
    });
  }
  let meta: Metadata;
  try {
    // Header only: no pixel is decoded here.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new OcrError('bad-image', { message: OCR_WORDS.damaged, detail: `unreadable header: ${String(err)}`, cause: err });
  }
  const w0 = meta.width ?? 0;
  const h0 = meta.height ?? 0;
  if (w0 * h0 > MAX_INPUT_PIXELS || (meta.pages ?? 1) > 1) {
    throw new OcrError('too-large', { detail: `${w0}x${h0} pixels, ${meta.pages ?? 1} page(s)` });
  }
  // EXIF orientations 5–8 swap width and height.
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? h0 : w0;
  const height = swapped ? w0 : h0;
  if (Math.max(width, height) < MIN_LONG_SIDE || Math.min(width, height) < MIN_SHORT_SIDE) {
    throw new OcrError('unreadable', {
      message: OCR_WORDS.tooSmall,
      detail: `${width}x${height} pixels`,
    });
  }
  return { format, width, height };
}

/** Knobs of the pipeline, for tuning experiments; the defaults are the tuned values. */
export interface PreprocessTuning {
  maxWidth: number;
  maxHeight: number;
  minLongSide: number;
  sharpen: number;
  /** estimated noise (grey levels, σ) above which a median filter runs and sharpening is skipped */
  noiseThreshold: number;
  /** median glyph height (px) below which the page is enlarged, the height it is enlarged to, and the most it is */
  minGlyph: number;
  glyphTarget: number;
  maxGlyphScale: number;
  /** on a noisy page: the Gaussian blur (σ, px) after the median, and how many residual σ below the paper's level still turn white */
  denoiseBlur: number;
  whitenSigmas: number;
}

export const DEFAULT_TUNING: PreprocessTuning = {
  maxWidth: WORK_MAX_WIDTH,
  maxHeight: WORK_MAX_HEIGHT,
  minLongSide: WORK_MIN_LONG_SIDE,
  sharpen: 0.5,
  noiseThreshold: 6,
  minGlyph: 11,
  glyphTarget: 12,
  maxGlyphScale: 1.5,
  denoiseBlur: 0.8,
  whitenSigmas: 3,
};

function workSize(width: number, height: number, t: PreprocessTuning): { w: number; h: number } {
  let scale = Math.min(t.maxWidth / width, t.maxHeight / height, 1);
  // Small photos are enlarged: tesseract misses glyphs much below 15 px.
  const long = Math.max(width, height);
  if (long < t.minLongSide) scale = Math.min(t.minLongSide / long, 2.5);
  return { w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) };
}

/** Stretch the grey levels so the 0.5 % darkest pixels become black and the 0.5 % lightest white. */
export function stretchContrast(px: Uint8Array): void {
  const hist = new Uint32Array(256);
  for (let i = 0; i < px.length; i++) hist[px[i]!]!++;
  const cut = px.length * 0.005;
  let lo = 0;
  for (let acc = 0; lo < 255; lo++) if ((acc += hist[lo]!) > cut) break;
  let hi = 255;
  for (let acc = 0; hi > 0; hi--) if ((acc += hist[hi]!) > cut) break;
  if (hi - lo < 16) return; // a flat image: stretching would only amplify noise
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))));
  for (let i = 0; i < px.length; i++) px[i] = lut[px[i]!]!;
}

/**
 * Noise level σ in grey levels (Immerkær 1996: the response to a Laplacian-difference mask, which cancels
 * edges and flat areas alike, is proportional to the noise). Sampled on every other row for speed.
 */
export function estimateNoise(px: Uint8Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y += 2) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v =
        px[i - w - 1]! - 2 * px[i - w]! + px[i - w + 1]! -
        2 * px[i - 1]! + 4 * px[i]! - 2 * px[i + 1]! +
        px[i + w - 1]! - 2 * px[i + w]! + px[i + w + 1]!;
      sum += Math.abs(v);
      n++;
    }
  }
  return (Math.sqrt(Math.PI / 2) * sum) / (6 * n);
}

/** Light unsharp mask (centre + amount × (centre − mean of 4 neighbours)). */
export function sharpen(px: Uint8Array, w: number, h: number, amount = 0.5): Uint8Array {
  const out = new Uint8Array(px.length);
  out.set(px);
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const c = px[i]!;
      const v = c + amount * (c - (px[i - 1]! + px[i + 1]! + px[i - w]! + px[i + w]!) / 4);
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** Decoding stops at this long side (JPEG shrink-on-load makes big photos cheap to open at this size). */
const DECODE_MAX_SIDE = 2800;

/** Otsu's threshold of a grey page sampled every `step` pixels in both directions. */
function sampledOtsu(px: Uint8Array, w: number, h: number, step: number): { threshold: number; separation: number } {
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = 0; y < h; y += step) for (let x = 0; x < w; x += step, n++) hist[px[y * w + x]!]!++;
  return otsu(hist, n);
}

export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Otsu's threshold over a grey histogram, and how far apart the two populations' means are. */
export function otsu(hist: Uint32Array, total: number): { threshold: number; separation: number } {
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  let separation = 0;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
      separation = mF - mB;
    }
  }
  return { threshold, separation };
}

/**
 * The sheet of paper in a camera still: a clearly brighter region on a darker desk. Null when there is no
 * such contrast or when the sheet already fills the frame (a scan, a close photo) — then nothing is cropped.
 * Cropping spends tesseract's time and the working resolution on the document, not on the desk.
 */
export function findPaper(px: Uint8Array, w: number, h: number): CropBox | null {
  const step = Math.max(1, Math.floor(Math.max(w, h) / 400));
  const { threshold, separation } = sampledOtsu(px, w, h, step);
  if (separation < 60) return null;
  const rows: number[] = [];
  const cols = new Uint32Array(Math.ceil(w / step));
  let rowsSampled = 0;
  for (let y = 0; y < h; y += step, rowsSampled++) {
    let bright = 0;
    for (let x = 0, c = 0; x < w; x += step, c++) {
      if (px[y * w + x]! > threshold) {
        bright++;
        cols[c]!++;
      }
    }
    rows.push(bright / cols.length);
  }
  const firstRow = rows.findIndex((f) => f > 0.3);
  const lastRow = rows.findLastIndex((f) => f > 0.3);
  const colFrac = [...cols].map((c) => c / rowsSampled);
  const firstCol = colFrac.findIndex((f) => f > 0.3);
  const lastCol = colFrac.findLastIndex((f) => f > 0.3);
  if (firstRow < 0 || firstCol < 0) return null;
  const margin = Math.round(0.01 * Math.max(w, h));
  const left = Math.max(0, firstCol * step - margin);
  const top = Math.max(0, firstRow * step - margin);
  const right = Math.min(w, (lastCol + 1) * step + margin);
  const bottom = Math.min(h, (lastRow + 1) * step + margin);
  const area = ((right - left) * (bottom - top)) / (w * h);
  if (area > 0.9 || area < 0.1) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/** Skew is searched within ± this many degrees (a page laid by hand, a photo taken a little askew). */
export const MAX_SKEW_DEG = 6;
/** Below this, turning the page again would only blur it. */
const MIN_SKEW_DEG = 0.3;

/**
 * The angle (degrees, clockwise positive, as sharp's rotate takes it to straighten the page: pass its
 * opposite) by which the text lines of a page are tilted, or 0 when none stands out. The dark pixels are
 * projected on the rows of the page turned by each candidate angle: when the lines are level, rows of text
 * and the gaps between them alternate sharply, and the sum of the squared row counts is largest.
 */
export function estimateSkew(px: Uint8Array, w: number, h: number): number {
  const step = Math.max(1, Math.round(Math.max(w, h) / 700));
  const { threshold, separation } = sampledOtsu(px, w, h, step);
  if (separation < 40) return 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      if (px[y * w + x]! < threshold) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  // too little ink to say, or so much that it is no page of text (a photo, a dark frame)
  if (xs.length < 200 || xs.length > 0.5 * Math.ceil(h / step) * Math.ceil(w / step)) return 0;
  const cx = w / 2;
  const cy = h / 2;
  const rows = new Float64Array(Math.ceil(Math.hypot(w, h) / step) + 4);
  const energy = (deg: number): number => {
    const a = (deg * Math.PI) / 180;
    const sin = Math.sin(a);
    const cos = Math.cos(a);
    rows.fill(0);
    const off = rows.length / 2;
    for (let i = 0; i < xs.length; i++) {
      // the row this ink falls on once the page is turned back by `deg`
      const r = Math.round(((ys[i]! - cy) * cos - (xs[i]! - cx) * sin) / step + off);
      rows[r]! += 1;
    }
    let e = 0;
    for (let r = 0; r < rows.length; r++) e += rows[r]! * rows[r]!;
    return e;
  };
  let best = 0;
  let bestE = energy(0);
  const flat = bestE;
  for (let d = -MAX_SKEW_DEG; d <= MAX_SKEW_DEG + 1e-9; d += 0.5) {
    const e = energy(d);
    if (e > bestE) {
      best = d;
      bestE = e;
    }
  }
  for (let d = best - 0.4; d <= best + 0.4 + 1e-9; d += 0.1) {
    const e = energy(d);
    if (e > bestE) {
      best = d;
      bestE = e;
    }
  }
  // a page whose lines stand out no better turned than flat has no skew worth correcting
  if (bestE < flat * 1.02) return 0;
  return Math.round(best * 10) / 10;
}

export type Quad = readonly [readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number]];

/**
 * The four corners of the sheet in a camera still (top-left, top-right, bottom-right, bottom-left), when it
 * lies on a darker desk: the bright region's extreme points along the diagonals, around the sheet's box.
 * Null when there is no sheet to find (see findPaper).
 */
export function findPaperQuad(px: Uint8Array, w: number, h: number): Quad | null {
  const step = Math.max(1, Math.floor(Math.max(w, h) / 500));
  const { threshold, separation } = sampledOtsu(px, w, h, step);
  // A sheet photographed close and askew spans the whole frame, so its box is no crop (see findPaper), yet
  // the desk shows along the frame's edges: a scan's edges are paper.
  const box = findPaper(px, w, h) ?? (separation >= 60 && darkEdges(px, w, h, threshold) >= MIN_DESK_EDGE ? { left: 0, top: 0, width: w, height: h } : null);
  if (!box) return null;
  let tl: [number, number] = [0, 0];
  let tr: [number, number] = [0, 0];
  let br: [number, number] = [0, 0];
  let bl: [number, number] = [0, 0];
  let minSum = Infinity;
  let maxSum = -Infinity;
  let minDiff = Infinity;
  let maxDiff = -Infinity;
  // the box is where most rows and columns are bright: a tilted sheet's corners stick out of it
  const grow = Math.round(0.08 * Math.max(w, h));
  const x0 = Math.max(0, box.left - grow);
  const y0 = Math.max(0, box.top - grow);
  const x1 = Math.min(w, box.left + box.width + grow);
  const y1 = Math.min(h, box.top + box.height + grow);
  for (let y = y0; y < y1; y += step) {
    for (let x = x0; x < x1; x += step) {
      if (px[y * w + x]! <= threshold) continue;
      // a bright speck on the desk is no corner: the sheet's pixels have bright neighbours
      if (x + step >= w || y + step >= h || x < step || y < step) continue;
      if (px[y * w + x + step]! <= threshold || px[(y + step) * w + x]! <= threshold || px[y * w + x - step]! <= threshold || px[(y - step) * w + x]! <= threshold) continue;
      const sum = x + y;
      const diff = x - y;
      if (sum < minSum) {
        minSum = sum;
        tl = [x, y];
      }
      if (sum > maxSum) {
        maxSum = sum;
        br = [x, y];
      }
      if (diff > maxDiff) {
        maxDiff = diff;
        tr = [x, y];
      }
      if (diff < minDiff) {
        minDiff = diff;
        bl = [x, y];
      }
    }
  }
  if (!Number.isFinite(minSum)) return null;
  return [tl, tr, br, bl];
}

/** The share of the frame's edges, in from its border, darker than the paper: the desk around a sheet. */
const MIN_DESK_EDGE = 0.15;

export function darkEdges(px: Uint8Array, w: number, h: number, threshold: number): number {
  const inset = Math.min(2, w - 1, h - 1);
  let dark = 0;
  let n = 0;
  const at = (x: number, y: number) => {
    n++;
    if (px[y * w + x]! <= threshold) dark++;
  };
  for (let x = 0; x < w; x += 2) {
    at(x, inset);
    at(x, h - 1 - inset);
  }
  for (let y = 0; y < h; y += 2) {
    at(inset, y);
    at(w - 1 - inset, y);
  }
  return dark / n;
}

/** Whether a sheet's corners are those of an upright rectangle, to within `tolerance` of its size. */
export function isUpright(q: Quad, tolerance = 0.02): boolean {
  const [tl, tr, br, bl] = q;
  const width = Math.max(tr[0] - tl[0], br[0] - bl[0]);
  const height = Math.max(bl[1] - tl[1], br[1] - tr[1]);
  const dx = Math.max(Math.abs(tl[0] - bl[0]), Math.abs(tr[0] - br[0]));
  const dy = Math.max(Math.abs(tl[1] - tr[1]), Math.abs(bl[1] - br[1]));
  return dx <= tolerance * width && dy <= tolerance * height;
}

/** The upright box around a sheet's corners. */
function boxOf(q: Quad): CropBox {
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { left, top, width: Math.max(...xs) - left + 1, height: Math.max(...ys) - top + 1 };
}

/** A flattened sheet's size: its edges' mean lengths. */
function sheetSize(q: Quad): [number, number] {
  const len = (a: readonly [number, number], b: readonly [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const [tl, tr, br, bl] = q;
  return [Math.max(1, Math.round((len(tl, tr) + len(bl, br)) / 2)), Math.max(1, Math.round((len(tl, bl) + len(tr, br)) / 2))];
}

/** The 3×3 homography (row-major, h33 = 1) taking the four points `from` to the four points `to`. */
export function homography(from: Quad, to: Quad): number[] {
  // 8 equations, 8 unknowns, solved by Gauss–Jordan elimination with partial pivoting
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const p = a[c]![c]!;
    if (Math.abs(p) < 1e-12) throw new OcrError('bad-image', { detail: 'degenerate sheet corners' });
    for (let k = c; k < 9; k++) a[c]![k]! /= p;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row) => row[8]!), 1];
}

/**
 * The sheet photographed at an angle, flattened: each pixel of a `w`×`h` upright page is read (bilinear)
 * where the homography puts it on the photo. Outside the photo stays white.
 */
export function warpQuad(px: Uint8Array, pw: number, ph: number, q: Quad, w: number, h: number): Buffer {
  const m = homography(
    [
      [0, 0],
      [w - 1, 0],
      [w - 1, h - 1],
      [0, h - 1],
    ],
    q,
  );
  const out = Buffer.alloc(w * h, 255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = m[6]! * x + m[7]! * y + m[8]!;
      const sx = (m[0]! * x + m[1]! * y + m[2]!) / d;
      const sy = (m[3]! * x + m[4]! * y + m[5]!) / d;
      if (!(sx >= 0 && sy >= 0 && sx < pw - 1 && sy < ph - 1)) continue;
      const x0 = sx | 0;
      const y0 = sy | 0;
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * pw + x0;
      const top = px[i]! + (px[i + 1]! - px[i]!) * fx;
      const bottom = px[i + pw]! + (px[i + pw + 1]! - px[i + pw]!) * fx;
      out[y * w + x] = top + (bottom - top) * fy;
    }
  }
  return out;
}

function decodeError(err: unknown): OcrError {
  const msg = String(err);
  if (/pixel limit/i.test(msg)) return new OcrError('too-large', { detail: msg, cause: err });
  return new OcrError('bad-image', { message: OCR_WORDS.damaged, detail: `decode failed: ${msg}`, cause: err });
}

export async function preprocess(bytes: Uint8Array, tuning: Partial<PreprocessTuning> = {}): Promise<Prepared> {
  const t = { ...DEFAULT_TUNING, ...tuning };
  const { width, height } = await checkImage(bytes);
  let grey: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    grey = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', sequentialRead: true })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .greyscale()
      .resize(DECODE_MAX_SIDE, DECODE_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(err);
  }
  const { width: dw, height: dh, channels } = grey.info;
  if (channels !== 1 || grey.data.length !== dw * dh) throw new OcrError('bad-image', { detail: `unexpected pixel buffer ${grey.data.length} for ${dw}x${dh}x${channels}` });
  // A sheet photographed at an angle is flattened; one lying square is cropped; a scan stays whole.
  const quad = findPaperQuad(grey.data, dw, dh);
  const tilted = quad !== null && !isUpright(quad) ? quad : null;
  const crop = tilted ? boxOf(tilted) : (findPaper(grey.data, dw, dh) ?? { left: 0, top: 0, width: dw, height: dh });
  let { w, h } = tilted ? workSize(...sheetSize(tilted), t) : workSize(crop.width, crop.height, t);
  const sample = async (): Promise<Buffer> => {
    try {
      return tilted
        ? warpQuad(grey.data, dw, dh, tilted, w, h)
        : await sharp(grey.data, { raw: { width: dw, height: dh, channels: 1 } })
            .extract(crop)
            .resize(w, h, { fit: 'fill' })
            .toColourspace('b-w')
            .raw()
            .toBuffer();
    } catch (err) {
      if (err instanceof OcrError) throw err;
      throw decodeError(err);
    }
  };
  let raw = await sample();
  if (raw.length !== w * h) throw new OcrError('bad-image', { detail: `unexpected pixel buffer ${raw.length} for ${w}x${h}` });
  // Small print (a low-resolution photo, a page shot from afar, a recompressed upload) loses whole values at
  // tesseract's line finding: the page is sampled again, larger, until its glyphs reach a readable height.
  // Not a noisy page: its specks pass for small letters. Enlarging (and turning) smooths sensor grain out of
  // the noise estimator's sight, not out of tesseract's: an enlarged page keeps the noise measured before.
  const grain = estimateNoise(raw, w, h);
  let enlarged = false;
  const glyph = grain > t.noiseThreshold ? 0 : glyphHeight(raw, w, h);
  if (glyph > 0 && glyph < t.minGlyph) {
    const f = Math.min(t.glyphTarget / glyph, t.maxGlyphScale);
    w = Math.round(w * f);
    h = Math.round(h * f);
    raw = await sample();
    if (raw.length !== w * h) throw new OcrError('bad-image', { detail: `unexpected pixel buffer ${raw.length} for ${w}x${h}` });
    enlarged = true;
  }
  // Lines of text that slope (a page laid askew, a photo turned a little) cost tesseract whole words: the
  // page is turned level, on a white ground, and keeps its scale.
  const skew = estimateSkew(raw, w, h);
  if (Math.abs(skew) >= MIN_SKEW_DEG) {
    const turned = await sharp(raw, { raw: { width: w, height: h, channels: 1 } })
      .rotate(-skew, { background: { r: 255, g: 255, b: 255 } })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    raw = turned.data;
    w = turned.info.width;
    h = turned.info.height;
  }
  // Sensor noise (dim light, cheap camera) becomes speckles at tesseract's binarisation that bury the text:
  // a median filter removes them and keeps edges; sharpening would only make them worse.
  // (a page neither enlarged nor turned is the one the grain was measured on)
  const noise = enlarged || Math.abs(skew) < MIN_SKEW_DEG ? grain : estimateNoise(raw, w, h);
  const noisy = noise > t.noiseThreshold;
  if (noisy) {
    // the median takes the speckles, a light blur the grain left around the strokes
    let img = sharp(raw, { raw: { width: w, height: h, channels: 1 } }).median(noise > 3 * t.noiseThreshold ? 5 : 3);
    if (t.denoiseBlur > 0) img = img.blur(t.denoiseBlur);
    raw = await img.toColourspace('b-w').raw().toBuffer();
  }
  stretchContrast(raw);
  // What grain remains on the paper still binarises into specks that break box rules into dots and make
  // tesseract take a boxed value for a picture: the paper is made white.
  if (noisy && t.whitenSigmas > 0) whitenPaper(raw, w, h, t.whitenSigmas);
  const px = t.sharpen > 0 && !noisy ? sharpen(raw, w, h, t.sharpen) : raw;
  const header = Buffer.from(`P5\n${w} ${h}\n255\n`, 'ascii');
  const pgm = new Uint8Array(header.length + px.length);
  pgm.set(header, 0);
  pgm.set(px, header.length);
  return {
    pgm,
    width,
    height,
    workWidth: w,
    workHeight: h,
    crop: crop.width === dw && crop.height === dh ? null : crop,
    skew,
    noise,
    decoded: { data: grey.data, width: dw, height: dh },
  };
}

/**
 * Levels within `k` residual noise σ below the paper's level turn white, darker ones are stretched to keep
 * their order. The paper's level is the most common bright level below pure white (which the contrast
 * stretch saturates).
 */
export function whitenPaper(px: Uint8Array, w: number, h: number, k: number): void {
  const hist = new Uint32Array(256);
  for (let i = 0; i < px.length; i++) hist[px[i]!]!++;
  let paper = 255;
  for (let v = 254, best = 0; v >= 128; v--) {
    if (hist[v]! > best) {
      best = hist[v]!;
      paper = v;
    }
  }
  const cut = Math.max(128, paper - k * Math.max(estimateNoise(px, w, h), 2));
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v >= cut ? 255 : Math.round((v * 255) / cut);
  for (let i = 0; i < px.length; i++) px[i] = lut[px[i]!]!;
}

/**
 * The median height of the page's glyphs in pixels (connected dark components of letter size), or 0 when
 * too few stand out to say. Components are built from the runs of dark pixels of each row, joined when they
 * touch a run of the row above.
 */
export function glyphHeight(px: Uint8Array, w: number, h: number): number {
  const step = Math.max(1, Math.floor(Math.max(w, h) / 500));
  const { threshold, separation } = sampledOtsu(px, w, h, step);
  if (separation < 40) return 0;
  const parent: number[] = [];
  const top: number[] = [];
  const bottom: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  let prev: number[] = []; // [start, end, label] triples of the row above
  for (let y = 0; y < h; y++) {
    const cur: number[] = [];
    const row = y * w;
    let p = 0;
    for (let x = 0; x < w; ) {
      if (px[row + x]! > threshold) {
        x++;
        continue;
      }
      const start = x;
      while (x < w && px[row + x]! <= threshold) x++;
      const end = x - 1;
      let label = -1;
      // runs of the row above that touch this one (8-connected)
      while (p < prev.length && prev[p + 1]! < start - 1) p += 3;
      for (let q = p; q < prev.length && prev[q]! <= end + 1; q += 3) {
        const r = find(prev[q + 2]!);
        if (label < 0) label = r;
        else if (r !== label) {
          parent[r] = label;
          top[label] = Math.min(top[label]!, top[r]!);
          bottom[label] = Math.max(bottom[label]!, bottom[r]!);
          left[label] = Math.min(left[label]!, left[r]!);
          right[label] = Math.max(right[label]!, right[r]!);
        }
      }
      if (label < 0) {
        label = parent.length;
        parent.push(label);
        top.push(y);
        bottom.push(y);
        left.push(start);
        right.push(end);
      } else {
        bottom[label] = y;
        left[label] = Math.min(left[label]!, start);
        right[label] = Math.max(right[label]!, end);
      }
      cur.push(start, end, label);
    }
    prev = cur;
  }
  const heights: number[] = [];
  for (let i = 0; i < parent.length; i++) {
    if (parent[i] !== i) continue;
    const gh = bottom[i]! - top[i]! + 1;
    const gw = right[i]! - left[i]! + 1;
    if (gh >= 4 && gh <= 100 && gw <= 2 * gh && gw >= 2) heights.push(gh);
  }
  if (heights.length < 50) return 0;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1]!;
}
