/**
 * What a phone or a cheap scanner does to a page, each from the document's seed: rotation (up to 5°),
 * noise, blur, low contrast, a photograph at an angle on a desk (perspective, uneven light), JPEG
 * recompression. The perspective warp is done here on raw pixels (sharp has affine transforms only).
 */
import sharp from 'sharp';
import type { Rng } from './rand.ts';

export const VARIANTS = ['rotation', 'noise', 'blur', 'low-contrast', 'photo', 'jpeg'] as const;
export type Variant = (typeof VARIANTS)[number];

async function grain(png: Buffer, amount: number, r: Rng): Promise<Buffer> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i += info.channels) {
    // sum of three uniforms: a cheap bell shape
    const v = (r.next() + r.next() + r.next() - 1.5) * 2 * amount * 255;
    for (let c = 0; c < info.channels; c++) out[i + c] = Math.max(0, Math.min(255, out[i + c]! + v));
  }
  return sharp(out, { raw: info }).png().toBuffer();
}

/** Homography mapping the unit square's corners to four points (for the inverse warp). */
function homography(dst: [number, number][]): number[] {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = dst as [[number, number], [number, number], [number, number], [number, number]];
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  return [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1];
}

function invert(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

/** The page photographed at an angle: corners moved, laid on a desk, light falling off to one side. */
async function photo(png: Buffer, r: Rng): Promise<Buffer> {
  const src = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sw = src.info.width;
  const sh = src.info.height;
  const margin = Math.round(Math.max(sw, sh) * 0.06);
  const ow = sw + 2 * margin;
  const oh = sh + 2 * margin;
  const k = Math.max(sw, sh) * (0.025 + r.next() * 0.045);
  const j = () => (r.next() - 0.5) * 2 * k;
  const tilt = (r.next() - 0.5) * 2 * k * 1.4;
  // unit square (0,0) (1,0) (1,1) (0,1) → a trapezium: the far edge is shorter
  const corners: [number, number][] = [
    [margin + j() + Math.max(0, tilt), margin + j()],
    [margin + sw + j() - Math.max(0, tilt), margin + j()],
    [margin + sw + j() + Math.max(0, -tilt), margin + sh + j()],
    [margin + j() - Math.max(0, -tilt), margin + sh + j()],
  ];
  const inv = invert(homography(corners));
  const desk = [r.int(60, 120), r.int(50, 100), r.int(40, 90)];
  const light = { x: r.next() * ow, y: r.next() * oh, fall: 0.12 + r.next() * 0.18 };
  const out = Buffer.alloc(ow * oh * 3);
  const ch = src.info.channels;
  const diag = Math.hypot(ow, oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const w = inv[6]! * x + inv[7]! * y + inv[8]!;
      const u = ((inv[0]! * x + inv[1]! * y + inv[2]!) / w) * (sw - 1);
      const v = ((inv[3]! * x + inv[4]! * y + inv[5]!) / w) * (sh - 1);
      const shade = 1 - light.fall * (Math.hypot(x - light.x, y - light.y) / diag);
      const o = (y * ow + x) * 3;
      if (u < 0 || v < 0 || u >= sw - 1 || v >= sh - 1) {
        for (let c = 0; c < 3; c++) out[o + c] = desk[c]! * shade;
        continue;
      }
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const i00 = (y0 * sw + x0) * ch;
      const i10 = i00 + ch;
      const i01 = i00 + sw * ch;
      const i11 = i01 + ch;
      for (let c = 0; c < 3; c++) {
        const cc = Math.min(c, ch - 1);
        const val = (src.data[i00 + cc]! * (1 - fx) + src.data[i10 + cc]! * fx) * (1 - fy) + (src.data[i01 + cc]! * (1 - fx) + src.data[i11 + cc]! * fx) * fy;
        out[o + c] = val * shade;
      }
    }
  }
  return sharp(out, { raw: { width: ow, height: oh, channels: 3 } }).png().toBuffer();
}

export async function degrade(png: Buffer, variant: Variant, r: Rng): Promise<Buffer> {
  switch (variant) {
    case 'rotation': {
      const deg = (r.chance(0.5) ? -1 : 1) * (1 + r.next() * 4);
      const img = await sharp(png).rotate(deg, { background: '#ffffff' }).png().toBuffer();
      return r.chance(0.5) ? grain(img, 0.03, r) : img;
    }
    case 'noise':
      return grain(await sharp(png).rotate((r.next() - 0.5) * 2, { background: '#ffffff' }).png().toBuffer(), 0.06 + r.next() * 0.06, r);
    case 'blur':
      return sharp(png).blur(0.9 + r.next() * 0.8).png().toBuffer();
    case 'low-contrast': {
      const a = 0.35 + r.next() * 0.2;
      return sharp(png).linear(a, 255 * (1 - a) - r.int(10, 40)).png().toBuffer();
    }
    case 'photo': {
      const img = await photo(png, r);
      return sharp(img).blur(0.5 + r.next() * 0.4).jpeg({ quality: r.int(70, 88) }).toBuffer();
    }
    case 'jpeg': {
      const meta = await sharp(png).metadata();
      const scale = 0.7 + r.next() * 0.2;
      return sharp(png)
        .resize(Math.round((meta.width ?? 1000) * scale))
        .jpeg({ quality: r.int(22, 40), chromaSubsampling: '4:2:0' })
        .toBuffer();
    }
  }
}
