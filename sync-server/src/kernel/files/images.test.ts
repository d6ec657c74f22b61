/**
 * sharp as the server's only image reader: hostile files are refused with the reason a person can act
 * on, good ones decode in full (from bytes or from a file), the print rendition is bounded, and the
 * re-encoding keeps nothing but the pixels.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { bigValidPng, jpegBomb, malformedPng75, pngBomb, pngWithGarbageChunks, truncatedJpeg, truncatedPng, wrongMagic } from '../../../test-support/hostile-files.ts';
import { randomPng } from '../../../test-support/png.ts';
import { IMAGE_LIMITS, ImageRefused, decodeImage, printImage, reencodeImage } from './images.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problemOf(work: Promise<unknown>): Promise<string> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageRefused);
  return (err as ImageRefused).problem;
}

describe('images: the deposit decode', () => {
  it('decodes good JPEG, PNG and WebP in full, from bytes and from a file', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c8bea8' } }).jpeg().toBuffer();
    const webp = await sharp({ create: { width: 200, height: 280, channels: 3, background: '#c8bea8' } }).webp().toBuffer();
    expect(await decodeImage(jpeg, 'jpeg')).toEqual({ width: 640, height: 480 });
    expect(await decodeImage(webp, 'webp')).toEqual({ width: 200, height: 280 });
    expect(await decodeImage(randomPng(30, 20), 'png')).toEqual({ width: 30, height: 20 });
    const file = join(dir, 'scan');
    writeFileSync(file, jpeg);
    expect(await decodeImage(file, 'jpeg')).toEqual({ width: 640, height: 480 });
  });

  it('refuses cut, lying, bomb, junk and mislabelled files, saying why', async () => {
    const magic = await wrongMagic();
    expect(await problemOf(decodeImage(malformedPng75(), 'png'))).toBe('damaged');
    expect(await problemOf(decodeImage(truncatedPng(), 'png'))).toBe('damaged');
    expect(await problemOf(decodeImage(await truncatedJpeg(), 'jpeg'))).toBe('damaged');
    expect(await problemOf(decodeImage(pngBomb(), 'png'))).toBe('too-large');
    expect(await problemOf(decodeImage(await jpegBomb(), 'jpeg'))).toBe('too-large');
    expect(await problemOf(decodeImage(pngWithGarbageChunks(), 'png'))).toBe('damaged');
    expect(await problemOf(decodeImage(magic.jpegAsPng, 'png'))).toBe('wrong-type');
    expect(await problemOf(decodeImage(magic.textAsJpeg, 'jpeg'))).toBe('not-an-image');
    expect(await problemOf(decodeImage(Buffer.alloc(0), 'jpeg'))).toBe('empty');
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(await problemOf(decodeImage(empty, 'png'))).toBe('empty');
  });

  it('never hands sharp what is not one of our three formats (an SVG named PNG is not opened)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="file:///etc/passwd"/></svg>');
    expect(await problemOf(decodeImage(svg, 'png'))).toBe('not-an-image');
    expect(await problemOf(printImage(svg))).toBe('not-an-image');
  });

  it('decodes a bomb within the pixel limit off the event loop', async () => {
    // 6000 × 6000 grey pixels in a few kilobytes: valid, within the limit, decoded by libvips' threads
    const side = 6000;
    const png = bigValidPng(side);
    expect(png.length).toBeLessThan(100_000);
    let worst = 0;
    let done = false;
    const work = decodeImage(png, 'png').finally(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 10));
      worst = Math.max(worst, performance.now() - t0 - 10);
    }
    expect(await work).toEqual({ width: side, height: side });
    expect(worst).toBeLessThan(500);
  });
});

describe('images: re-encoded', () => {
  it('prints at most printLongSide pixels, as a JPEG', async () => {
    const big = await sharp({ create: { width: 5000, height: 3000, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const r = await printImage(big);
    expect(Math.max(r.width, r.height)).toBe(IMAGE_LIMITS.printLongSide);
    expect((await sharp(r.jpeg).metadata()).format).toBe('jpeg');
    const small = await printImage(randomPng(40, 30));
    expect([small.width, small.height]).toEqual([40, 30]);
    expect(await problemOf(printImage(malformedPng75()))).toBe('damaged');
  });

  it('keeps only the pixels: no EXIF, nothing after the end of the file, upright', async () => {
    const tagged = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#808080' } })
      .withMetadata({ orientation: 6, exif: { IFD0: { ImageDescription: 'Camille Martin, 12 rue des Lilas' } } })
      .jpeg()
      .toBuffer();
    const polyglot = Buffer.concat([tagged, Buffer.from('PK\x03\x04 a zip hidden after the image')]);
    const r = await reencodeImage(polyglot, 'jpeg');
    const meta = await sharp(r.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    // orientation 6 turned the 60 × 40 picture upright
    expect([r.width, r.height]).toEqual([40, 60]);
    expect(r.bytes.includes(Buffer.from('Camille'))).toBe(false);
    expect(r.bytes.includes(Buffer.from('PK\x03\x04'))).toBe(false);
    expect(await problemOf(reencodeImage(await truncatedJpeg(), 'jpeg'))).toBe('damaged');
  });
});
