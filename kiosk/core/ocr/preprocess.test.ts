import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { degrade, renderRib } from '../../../tests/fixtures/documents.ts';
import { composeFrame } from '../../../tests/fixtures/y4m.ts';
import { OcrError } from './errors.ts';
import { checkImage, estimateNoise, estimateSkew, findPaper, findPaperQuad, glyphHeight, homography, isUpright, preprocess, sniffFormat, stretchContrast, warpQuad, whitenPaper } from './preprocess.ts';
import type { Quad } from './preprocess.ts';

/** A page of plain lines of text in the given font size (px), on white. */
async function textPage(size: number, width = 1300, height = 1700): Promise<Buffer> {
  const lines = Array.from({ length: 30 }, (_, i) => `<text x="60" y="${100 + i * size * 2.2}">Relevé de compte numéro ${1000 + i} du mois de mars</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><g font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${size}" fill="#000">${lines}</g></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

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

  it('flattens a sheet photographed so close and askew that it spans the frame, the desk showing at its edges', async () => {
    const W = 1000;
    const H = 1300;
    // the right-hand corners lie just outside the frame, as when the phone is held too close
    const corners: Quad = [
      [90, 110],
      [930, 40],
      [1010, 1280],
      [10, 1295],
    ];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#4a3a30"/>
      <polygon points="${corners.map((c) => c.join(',')).join(' ')}" fill="#f2f0ea"/></svg>`;
    const g = await grey(await sharp(Buffer.from(svg)).png().toBuffer());
    // too large to be cropped as a box...
    expect(findPaper(g.px, g.w, g.h)).toBeNull();
    // ...but its corners are found all the same
    const q = findPaperQuad(g.px, g.w, g.h);
    expect(q).not.toBeNull();
    expect(isUpright(q!)).toBe(false);
    expect(Math.hypot(q![0][0] - 90, q![0][1] - 110)).toBeLessThan(0.02 * H);
    expect(Math.hypot(q![1][0] - 930, q![1][1] - 40)).toBeLessThan(0.02 * H);
    // a page of text filling the frame (a scan) has paper at its edges: no sheet to flatten
    const scan = await grey(await textPage(24, 1000, 1300));
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

  it('measures the height of the glyphs, and none on a blank page', () => {
    // 200 "letters" 9 px tall and 6 wide, and a long rule that is no letter
    const w = 800;
    const h = 400;
    const px = new Uint8Array(w * h).fill(240);
    for (let k = 0; k < 200; k++) {
      const x0 = 10 + (k % 50) * 15;
      const y0 = 20 + Math.floor(k / 50) * 40;
      for (let y = y0; y < y0 + 9; y++) for (let x = x0; x < x0 + 6; x++) px[y * w + x] = 20;
    }
    for (let x = 10; x < 790; x++) px[380 * w + x] = 20;
    expect(glyphHeight(px, w, h)).toBe(9);
    expect(glyphHeight(new Uint8Array(w * h).fill(240), w, h)).toBe(0);
  });

  it('enlarges a page whose print is small, and leaves one with print of a readable size', async () => {
    const small = await preprocess(await textPage(13));
    expect(small.workWidth).toBeGreaterThan(1300);
    const again = Buffer.from(small.pgm.subarray(small.pgm.length - small.workWidth * small.workHeight));
    expect(glyphHeight(again, small.workWidth, small.workHeight)).toBeGreaterThanOrEqual(11);
    const tiny = await preprocess(await textPage(8));
    // never more than the cap, whatever the print
    expect(tiny.workWidth).toBeLessThanOrEqual(Math.round(1300 * 1.5));
    const large = await preprocess(await textPage(24));
    expect([large.workWidth, large.workHeight]).toEqual([1300, 1700]);
  });

  it('turns grainy paper white and keeps the ink dark', () => {
    const w = 400;
    const h = 300;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const px = new Uint8Array(w * h);
    for (let i = 0; i < px.length; i++) px[i] = Math.round(225 + (rnd() + rnd() + rnd() - 1.5) * 12);
    for (let y = 100; y < 120; y++) for (let x = 50; x < 350; x++) px[y * w + x] = 40;
    whitenPaper(px, w, h, 3);
    let white = 0;
    for (let y = 0; y < 90; y++) for (let x = 0; x < w; x++) if (px[y * w + x] === 255) white++;
    expect(white / (90 * w)).toBeGreaterThan(0.95);
    expect(px[110 * w + 200]).toBeLessThan(60);
  });

  it('cleans a noisy page before reading it: the grain on the paper mostly gone', async () => {
    const page = await textPage(24, 1000, 1300);
    const { data, info } = await sharp(page).greyscale().raw().toBuffer({ resolveWithObject: true });
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! - 20 + (rnd() + rnd() + rnd() - 1.5) * 2 * 0.08 * 255));
    const noisy = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer();
    // the share of pure white in the margin below the last line, which is paper only
    const margin = (p: Awaited<ReturnType<typeof preprocess>>): number => {
      const out = p.pgm.subarray(p.pgm.length - p.workWidth * p.workHeight);
      const y0 = Math.round(p.workHeight * 0.92);
      let white = 0;
      for (let y = y0; y < p.workHeight - 5; y++) for (let x = 5; x < p.workWidth - 5; x++) if (out[y * p.workWidth + x] === 255) white++;
      return white / ((p.workHeight - 5 - y0) * (p.workWidth - 10));
    };
    const p = await preprocess(noisy);
    expect(p.noise).toBeGreaterThan(6);
    const grainy = margin(await preprocess(noisy, { whitenSigmas: 0, denoiseBlur: 0 }));
    expect(margin(p)).toBeGreaterThan(0.6);
    expect(margin(p)).toBeGreaterThan(grainy + 0.3);
  });
});
