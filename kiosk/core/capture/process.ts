/**
 * From a camera still to an archival page: checked (not blurred, not too dark, a document in the frame),
 * the sheet found on the desk and flattened (perspective corrected, which also deskews and crops),
 * contrast normalised, saved as a compact JPEG, with a small preview. Runs in the capture worker.
 */
import sharp from 'sharp';
import type { OutputInfo } from 'sharp';
import { homography, laplacianVariance, largestBrightRegion, mean, otsu, percentiles, plausibleSheet, quadSize, stdDev, warpPerspective } from './image-ops.ts';
import type { Gray, Quad } from './image-ops.ts';

export const MAX_INPUT_PIXELS = 50_000_000;
const PROBE_WIDTH = 640;
/** ~190 dpi for an A4 sheet: readable, and small enough to keep and send */
const ARCHIVE_LONG_SIDE = 1700;
const THUMB_WIDTH = 320;

/** Thresholds on the probe image (640 px wide), tuned on the generated corpus (process.test.ts). */
export const QUALITY = { minBrightness: 90, minSharpness: 250, minContrast: 18 } as const;

export type CaptureProblem = 'blurry' | 'dark' | 'empty' | 'unreadable';

export class CaptureError extends Error {
  constructor(readonly problem: CaptureProblem, detail: string) {
    super(detail);
    this.name = 'CaptureError';
  }
}

export interface ProcessedPage {
  /** JPEG of the flattened sheet */
  archive: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
  /** the sheet's corners in the (oriented) input, when one was found */
  sheet: Quad | null;
  quality: { brightness: number; sharpness: number; contrast: number };
}

/** Quarter turns the person asked for, on top of the camera's orientation. */
export type Turn = 0 | 90 | 180 | 270;

export async function processPage(bytes: Uint8Array, turn: Turn = 0): Promise<ProcessedPage> {
  let oriented: { data: Buffer; info: OutputInfo };
  try {
    oriented = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .rotate(turn)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new CaptureError('unreadable', `cannot decode the still: ${(err as Error).message}`);
  }
  const { width: W, height: H, channels } = oriented.info;
  const scale = PROBE_WIDTH / W;
  const probe = await sharp(oriented.data, { raw: { width: W, height: H, channels } })
    .resize({ width: PROBE_WIDTH })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gray: Gray = { data: new Uint8Array(probe.data), width: probe.info.width, height: probe.info.height };

  // a uniform frame (the bare desk, a hand over the lens), whatever its light: nothing to photograph
  const spread = stdDev(gray) / Math.max(1, mean(gray));
  if (spread < 0.05) throw new CaptureError('empty', `nothing in the frame (relative contrast ${spread.toFixed(3)})`);
  const threshold = otsu(gray);
  const region = largestBrightRegion(gray, threshold);
  const found = region && plausibleSheet(region.quad, gray.width, gray.height) ? region.quad : null;
  const sheetGray = found ? cropGray(gray, found) : gray;
  const quality = { brightness: mean(sheetGray), sharpness: laplacianVariance(sheetGray), contrast: stdDev(sheetGray) };
  if (quality.brightness < QUALITY.minBrightness) throw new CaptureError('dark', `too dark (mean ${quality.brightness.toFixed(0)})`);
  if (!found && quality.contrast < QUALITY.minContrast) throw new CaptureError('empty', `no document (contrast ${quality.contrast.toFixed(1)})`);
  if (quality.sharpness < QUALITY.minSharpness) throw new CaptureError('blurry', `blurred (laplacian variance ${quality.sharpness.toFixed(0)})`);

  let flat: { data: Uint8Array; width: number; height: number };
  let sheet: Quad | null = null;
  if (found) {
    sheet = found.map((p) => ({ x: p.x / scale, y: p.y / scale })) as Quad;
    const size = quadSize(sheet);
    const k = Math.min(1, ARCHIVE_LONG_SIDE / Math.max(size.width, size.height));
    const w = Math.max(1, Math.round(size.width * k));
    const h = Math.max(1, Math.round(size.height * k));
    flat = { data: warpPerspective(oriented.data, W, H, channels, homography(sheet, w, h), w, h), width: w, height: h };
  } else {
    flat = { data: oriented.data, width: W, height: H };
  }
  // contrast stretch from the sheet's own histogram (one pass; sharp's normalise would decode twice)
  const [lo, hi] = percentiles(sheetGray, 0.01, 0.99);
  const gain = 255 / (hi - lo);
  const base = sharp(flat.data, { raw: { width: flat.width, height: flat.height, channels } })
    .resize({ width: ARCHIVE_LONG_SIDE, height: ARCHIVE_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .linear(gain, -lo * gain);
  const archiveOut = await base.clone().jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
  const thumbnail = await sharp(archiveOut.data).resize({ width: THUMB_WIDTH }).jpeg({ quality: 70 }).toBuffer();
  return { archive: archiveOut.data, thumbnail, width: archiveOut.info.width, height: archiveOut.info.height, sheet, quality };
}

/** The axis-aligned box of the quad (quality is measured on the sheet, not the desk). */
function cropGray(g: Gray, q: Quad): Gray {
  const x0 = Math.max(0, Math.floor(Math.min(...q.map((p) => p.x))) + 4);
  const x1 = Math.min(g.width, Math.ceil(Math.max(...q.map((p) => p.x))) - 4);
  const y0 = Math.max(0, Math.floor(Math.min(...q.map((p) => p.y))) + 4);
  const y1 = Math.min(g.height, Math.ceil(Math.max(...q.map((p) => p.y))) - 4);
  if (x1 - x0 < 16 || y1 - y0 < 16) return g;
  const w = x1 - x0;
  const out = new Uint8Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(g.data.subarray(y * g.width + x0, y * g.width + x1), (y - y0) * w);
  return { data: out, width: w, height: y1 - y0 };
}
