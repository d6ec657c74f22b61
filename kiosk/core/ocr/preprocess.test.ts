import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { degrade, renderRib } from '../../../tests/fixtures/documents.ts';
import { composeFrame } from '../../../tests/fixtures/y4m.ts';
import { OcrError } from './errors.ts';
import { checkImage, estimateNoise, estimateSkew, findPaper, findPaperQuad, homography, isUpright, preprocess, sniffFormat, stretchContrast, warpQuad } from './preprocess.ts';
import type { Quad } from './preprocess.ts';

async function grey(input: Buffer): Promise<{ px: Buffer; w: number; h: number }> {
  const { data, info } = await sharp(input).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { px: data, w: info.width, h: info.height };
}

describe('preprocessing', () => {
  it('sniffs only the formats it accepts, from magic bytes', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer();
    expect(sniffFormat(png)).toBe('png');
    expect(sniffFormat(await sharp(png).jpeg().toBuffer())).toBe('jpeg');
    expect(sniffFormat(await sharp(png).webp().toBuffer())).toBe('webp');
    expect(sniffFormat(await sharp(png).tiff().toBuffer())).toBeUndefined();
    expect(sniffFormat(Buffer.from('%PDF-1.4'))).toBeUndefined();
    expect(sniffFormat(new Uint8Array(0))).toBeUndefined();
  });

  it('finds the sheet on a dark desk, and leaves a scan whole', async () => {
    const rib = (await renderRib({ seed: 3 })).png;
    const frame = await composeFrame(rib, 1280, 720);
    const g = await grey(await sharp(frame.rgb, { raw: { width: 1280, height: 720, channels: 3 } }).png().toBuffer());
    const box = findPaper(g.px, g.w, g.h)!;
    expect(box).not.toBeNull();
    // within a few pixels of where the document was put (margin 1 %, sampling step)
    expect(Math.abs(box.left - frame.doc.left)).toBeLessThan(20);
    expect(Math.abs(box.top - frame.doc.top)).toBeLessThan(20);
    expect(Math.abs(box.width - frame.doc.width)).toBeLessThan(40);
    expect(Math.abs(box.height - frame.doc.height)).toBeLessThan(40);
    const scan = await grey(rib);
    expect(findPaper(scan.px, scan.w, scan.h)).toBeNull();
  });

  it('estimates noise: near zero on a clean render, growing with added noise', async () => {
    const rib = (await renderRib({ seed: 3, width: 800 })).png;
    const clean = await grey(rib);
    const levels = [0.02, 0.06, 0.12].map(async (noise) => {
      const g = await grey(await degrade(rib, { noise, seed: 1 }));
      return estimateNoise(g.px, g.w, g.h);
    });
    const [low, mid, high] = await Promise.all(levels);
    expect(estimateNoise(clean.px, clean.w, clean.h)).toBeLessThan(2);
    expect(low!).toBeGreaterThan(2);
    expect(mid!).toBeGreaterThan(low!);
    expect(high!).toBeGreaterThan(mid!);
  });

  it('stretches a washed-out image to full contrast, and leaves a flat one alone', () => {
    const px = new Uint8Array(1000).map((_, i) => 100 + (i % 50));
    stretchContrast(px);
    expect(Math.min(...px)).toBe(0);
    expect(Math.max(...px)).toBe(255);
    const flat = new Uint8Array(1000).fill(200);
    stretchContrast(flat);
    expect(flat.every((v) => v === 200)).toBe(true);
  });

  it('outputs a binary PGM at the working size, and reports the input size as displayed', async () => {
    const rib = (await renderRib({ seed: 3 })).png;
    const sideways = await sharp(rib).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const p = await preprocess(sideways);
    const meta = await sharp(rib).metadata();
    expect([p.width, p.height]).toEqual([meta.width, meta.height]);
    const header = `P5\n${p.workWidth} ${p.workHeight}\n255\n`;
    expect(Buffer.from(p.pgm.subarray(0, header.length)).toString('ascii')).toBe(header);
    expect(p.pgm.length).toBe(header.length + p.workWidth * p.workHeight);
    expect(p.workWidth).toBeGreaterThan(p.workHeight);
  });

  it('refuses what it should before decoding', async () => {
    const small = await sharp({ create: { width: 400, height: 150, channels: 3, background: '#fff' } }).png().toBuffer();
    await expect(checkImage(small)).rejects.toMatchObject({ code: 'unreadable' });
    await expect(checkImage(Buffer.from('GIF89a....'))).rejects.toBeInstanceOf(OcrError);
  });

  it('finds how much the lines of a page slope, either way, and none on a level page', async () => {
    const rib = (await renderRib({ seed: 5 })).png;
    for (const angle of [3, -2, 4.5, -1]) {
      const g = await grey(await sharp(rib).rotate(angle, { background: '#ffffff' }).png().toBuffer());
      expect(Math.abs(estimateSkew(g.px, g.w, g.h) - angle), `${angle}°`).toBeLessThanOrEqual(0.3);
    }
    const level = await grey(rib);
    expect(Math.abs(estimateSkew(level.px, level.w, level.h))).toBeLessThan(0.3);
    // a blank page, or one all ink, has no lines to go by
    const blank = new Uint8Array(400 * 300).fill(250);
    expect(estimateSkew(blank, 400, 300)).toBe(0);
  });

  it('turns a sloping page level before reading it, and says by how much', async () => {
    const rib = (await renderRib({ seed: 5 })).png;
    const turned = await preprocess(await sharp(rib).rotate(-3, { background: '#ffffff' }).png().toBuffer());
    expect(Math.abs(turned.skew + 3)).toBeLessThanOrEqual(0.3);
    const again = Buffer.from(turned.pgm.subarray(turned.pgm.length - turned.workWidth * turned.workHeight));
    expect(Math.abs(estimateSkew(again, turned.workWidth, turned.workHeight))).toBeLessThan(0.3);
    expect((await preprocess(rib)).skew).toBe(0);
  });

  it('finds the corners of a sheet photographed at an angle, and flattens it', async () => {
    const W = 1200;
    const H = 900;
    const corners: Quad = [
      [260, 120],
      [930, 170],
      [990, 800],
      [180, 760],
    ];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#3a3530"/>
      <polygon points="${corners.map((c) => c.join(',')).join(' ')}" fill="#f4f2ee"/></svg>`;
    const g = await grey(await sharp(Buffer.from(svg)).png().toBuffer());
    const q = findPaperQuad(g.px, g.w, g.h);
    expect(q).not.toBeNull();
    q!.forEach((p, i) => {
      // within 2 % of the photo's width: the sheet's margin, not its text
      expect(Math.hypot(p[0] - corners[i]![0], p[1] - corners[i]![1]), `corner ${i}`).toBeLessThan(0.02 * W);
    });
    expect(isUpright(q!)).toBe(false);
    // flattened, it is the sheet alone: bright all over, no desk
    const flat = warpQuad(g.px, g.w, g.h, q!, 600, 700);
    const bright = flat.filter((v) => v > 200).length / flat.length;
    expect(bright).toBeGreaterThan(0.97);
    // the same sheet lying square is upright, and a scan has no sheet to find
    expect(isUpright([[100, 100], [700, 102], [701, 900], [99, 899]])).toBe(true);
    const scan = await grey((await renderRib({ seed: 3 })).png);
    expect(findPaperQuad(scan.px, scan.w, scan.h)).toBeNull();
  });

  it('maps the four corners exactly with its homography', () => {
    const from: Quad = [[0, 0], [99, 0], [99, 149], [0, 149]];
    const to: Quad = [[12, 30], [140, 22], [160, 210], [5, 190]];
    const m = homography(from, to);
    from.forEach(([x, y], i) => {
      const d = m[6]! * x + m[7]! * y + m[8]!;
      expect((m[0]! * x + m[1]! * y + m[2]!) / d).toBeCloseTo(to[i]![0], 6);
      expect((m[3]! * x + m[4]! * y + m[5]!) / d).toBeCloseTo(to[i]![1], 6);
    });
  });
});
