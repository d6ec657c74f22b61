import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { degrade, renderRib } from '../../../tests/fixtures/documents.ts';
import { composeFrame } from '../../../tests/fixtures/y4m.ts';
import { OcrError } from './errors.ts';
import { checkImage, estimateNoise, findPaper, preprocess, sniffFormat, stretchContrast } from './preprocess.ts';

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
});
