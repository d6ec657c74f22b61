/**
 * Pixel work for document capture, on raw buffers: quality measures, finding the sheet of paper on the
 * desk, and perspective correction. Pure functions (no I/O), run in the capture worker thread.
 */
import { otsu as otsuOfHistogram } from '../ocr/preprocess.ts';

export interface Gray {
  data: Uint8Array;
  width: number;
  height: number;
}

export type Point = { x: number; y: number };
/** top-left, top-right, bottom-right, bottom-left */
export type Quad = [Point, Point, Point, Point];

export function mean(g: Gray): number {
  let s = 0;
  for (const v of g.data) s += v;
  return s / g.data.length;
}

export function stdDev(g: Gray): number {
  const m = mean(g);
  let s = 0;
  for (const v of g.data) s += (v - m) * (v - m);
  return Math.sqrt(s / g.data.length);
}

/** Variance of the Laplacian: low when the picture is blurred (at a fixed working size). */
export function laplacianVariance(g: Gray): number {
  const { data, width: w, height: h } = g;
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = data[i - w]! + data[i + w]! + data[i - 1]! + data[i + 1]! - 4 * data[i]!;
      sum += l;
      sq += l * l;
      n++;
    }
  }
  const m = sum / n;
  return sq / n - m * m;
}

/** Otsu's threshold: the grey level that best separates two populations (paper / desk). */
export function otsu(g: Gray): number {
  const hist = new Uint32Array(256);
  for (const v of g.data) hist[v]!++;
  return otsuOfHistogram(hist, g.data.length).threshold;
}

/** The largest 4-connected region of pixels above `threshold`: its pixel indices' corners and size. */
export function largestBrightRegion(g: Gray, threshold: number): { quad: Quad; area: number } | null {
  const { data, width: w, height: h } = g;
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let best: { quad: Quad; area: number } | null = null;
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || data[start]! <= threshold) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let area = 0;
    // extremes along the diagonals give the four corners of a (possibly tilted) sheet
    let tl = start, tr = start, br = start, bl = start;
    let tlv = Infinity, trv = -Infinity, brv = -Infinity, blv = Infinity;
    while (top > 0) {
      const i = stack[--top]!;
      area++;
      const x = i % w;
      const y = (i - x) / w;
      const s = x + y;
      const d = x - y;
      if (s < tlv) { tlv = s; tl = i; }
      if (s > brv) { brv = s; br = i; }
      if (d > trv) { trv = d; tr = i; }
      if (d < blv) { blv = d; bl = i; }
      const push = (n: number): void => {
        if (!seen[n] && data[n]! > threshold) { seen[n] = 1; stack[top++] = n; }
      };
      if (x > 0) push(i - 1);
      if (x < w - 1) push(i + 1);
      if (y > 0) push(i - w);
      if (y < h - 1) push(i + w);
    }
    if (!best || area > best.area) {
      const p = (i: number): Point => ({ x: i % w, y: Math.floor(i / w) });
      best = { quad: [p(tl), p(tr), p(br), p(bl)], area };
    }
  }
  return best;
}

export function quadArea(q: Quad): number {
  let a = 0;
  for (let i = 0; i < 4; i++) {
    const p = q[i]!;
    const n = q[(i + 1) % 4]!;
    a += p.x * n.y - n.x * p.y;
  }
  return Math.abs(a) / 2;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Output size of the flattened sheet: the mean lengths of opposite sides. */
export function quadSize(q: Quad): { width: number; height: number } {
  return {
    width: Math.round((dist(q[0], q[1]) + dist(q[3], q[2])) / 2),
    height: Math.round((dist(q[0], q[3]) + dist(q[1], q[2])) / 2),
  };
}

/**
 * The homography mapping the output rectangle (0,0)-(w,h) onto the quad: solving the 8×8 linear system of
 * the four correspondences (Gaussian elimination with partial pivoting).
 */
export function homography(q: Quad, w: number, h: number): number[] {
  const src: Point[] = [{ x: 0, y: 0 }, { x: w, y: 0 }, { x: w, y: h }, { x: 0, y: h }];
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = q[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    const pivot = A[c]![c]!;
    if (Math.abs(pivot) < 1e-12) throw new RangeError('degenerate quadrilateral');
    for (let k = c; k < 9; k++) A[c]![k]! /= pivot;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]!;
      if (f === 0) continue;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return [...A.map((row) => row[8]!), 1];
}

/** Resamples `src` (interleaved `channels`) through H (output → source), bilinear, into w×h. */
export function warpPerspective(src: Uint8Array, sw: number, sh: number, channels: number, H: number[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * channels);
  out.fill(255);
  const [a, b, c, d, e, f, g, hh] = H as [number, number, number, number, number, number, number, number];
  const stride = sw * channels;
  let o = 0;
  for (let y = 0; y < h; y++) {
    // the numerators and the denominator are affine in x along a row: step them instead of recomputing
    let nu = b * y + c;
    let nv = e * y + f;
    let den = hh * y + 1;
    for (let x = 0; x < w; x++, o += channels, nu += a, nv += d, den += g) {
      const u = nu / den;
      const v = nv / den;
      const x0 = u | 0;
      const y0 = v | 0;
      if (u < 0 || v < 0 || x0 >= sw - 1 || y0 >= sh - 1) continue;
      const fx = u - x0;
      const fy = v - y0;
      const i00 = y0 * stride + x0 * channels;
      const i01 = i00 + stride;
      for (let k = 0; k < channels; k++) {
        const p00 = src[i00 + k]!;
        const p10 = src[i00 + channels + k]!;
        const p01 = src[i01 + k]!;
        const p11 = src[i01 + channels + k]!;
        const top = p00 + (p10 - p00) * fx;
        out[o + k] = top + (p01 + (p11 - p01) * fx - top) * fy;
      }
    }
  }
  return out;
}

/** Grey levels at the given fractions of the histogram (for a contrast stretch). */
export function percentiles(g: Gray, low: number, high: number): [number, number] {
  const hist = new Array<number>(256).fill(0);
  for (const v of g.data) hist[v]!++;
  const n = g.data.length;
  let acc = 0;
  let lo = 0;
  let hi = 255;
  let loSet = false;
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!;
    if (!loSet && acc >= low * n) {
      lo = i;
      loSet = true;
    }
    if (acc >= high * n) {
      hi = i;
      break;
    }
  }
  return [lo, Math.max(hi, lo + 1)];
}

/** Is the quad a plausible sheet: big enough, convex, not a sliver? */
export function plausibleSheet(q: Quad, imageW: number, imageH: number): boolean {
  const area = quadArea(q);
  if (area < 0.12 * imageW * imageH) return false;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const p = q[i]!;
    const n = q[(i + 1) % 4]!;
    const m = q[(i + 2) % 4]!;
    const cross = (n.x - p.x) * (m.y - n.y) - (n.y - p.y) * (m.x - n.x);
    if (cross === 0) return false;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  const { width, height } = quadSize(q);
  const ratio = Math.max(width, height) / Math.max(1, Math.min(width, height));
  return ratio < 3.5;
}
