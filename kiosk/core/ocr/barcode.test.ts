/**
 * zxing-wasm reads 2D-Doc DataMatrix codes offline: its .wasm comes from node_modules, never from the CDN
 * its default configuration fetches from. Each probe runs in a fresh worker thread with `fetch` recording
 * every attempt.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { degrade } from '../../../tests/fixtures/documents.ts';
import { dataMatrixPng, encodeTwoDDoc } from '../../../tests/fixtures/twoddoc.ts';
import { spawnWorker } from '../util/spawn-worker.ts';
import { readDataMatrix, zxingReaderWasmPath } from './barcode.ts';
import { parseTwoDDoc } from './extract/twoddoc.ts';

interface ProbeResult {
  texts: string[];
  fetches: string[];
  error: string | null;
}

const CONTENT = encodeTwoDDoc({
  docType: '01',
  issueDate: '2025-03-12',
  signatureDate: '2025-03-12',
  fields: [
    ['26', 'FR'],
    ['24', '75011'],
    ['10', 'MME/MARTIN/CLAIRE'],
    ['22', '12 RUE DES LILAS'],
    ['25', 'PARIS'],
  ],
});

/** The code on a white page, as grey pixels. */
async function page(png: Buffer): Promise<{ grey: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp({ create: { width: 900, height: 700, channels: 3, background: '#ffffff' } })
    .composite([{ input: png, left: 520, top: 80 }])
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { grey: new Uint8Array(data), width: info.width, height: info.height };
}

function probe(mode: 'packaged' | 'default', img: { grey: Uint8Array; width: number; height: number }): Promise<ProbeResult> {
  const worker = spawnWorker(new URL('./testing/barcode-probe.ts', import.meta.url), { workerData: { mode, ...img } });
  return new Promise<ProbeResult>((resolve, reject) => {
    worker.once('message', (m: ProbeResult) => resolve(m));
    worker.once('error', reject);
  }).finally(() => worker.terminate());
}

describe('DataMatrix reading, offline', () => {
  it('reads a 2D-Doc with the packaged .wasm and never calls fetch', async () => {
    expect(zxingReaderWasmPath()).toMatch(/node_modules\/zxing-wasm\/dist\/reader\/zxing_reader\.wasm$/);
    const img = await page((await dataMatrixPng(CONTENT)).png);
    const r = await probe('packaged', img);
    expect(r.error).toBeNull();
    expect(r.fetches).toEqual([]);
    expect(r.texts).toEqual([CONTENT]);
  }, 30_000);

  it('control: zxing-wasm as shipped tries the CDN, which the recorder sees (and blocks)', async () => {
    const img = await page((await dataMatrixPng(CONTENT)).png);
    const r = await probe('default', img);
    expect(r.texts).toEqual([]);
    expect(r.error).not.toBeNull();
    expect(r.fetches.length).toBeGreaterThan(0);
    expect(r.fetches[0]).toMatch(/^https:\/\/.*jsdelivr\.net\/npm\/zxing-wasm@.*zxing_reader\.wasm$/);
  }, 30_000);
});

describe('DataMatrix reading', () => {
  it('returns the raw bytes, separators included, from a rotated and noisy photo', async () => {
    const { png } = await dataMatrixPng(CONTENT);
    const damaged = await degrade(await sharp({ create: { width: 900, height: 700, channels: 3, background: '#ffffff' } }).composite([{ input: png, left: 300, top: 150 }]).png().toBuffer(), { rotateDeg: 8, noise: 0.05, seed: 3 });
    const { data, info } = await sharp(damaged).greyscale().raw().toBuffer({ resolveWithObject: true });
    const texts = await readDataMatrix(new Uint8Array(data), info.width, info.height);
    expect(texts).toEqual([CONTENT]);
    expect(texts[0]).toContain('\x1d');
    expect(texts[0]).toContain('\x1f');
    expect(parseTwoDDoc(texts[0]!).fields['25']).toBe('PARIS');
  });

  it('finds nothing on a page without a code, and refuses inconsistent sizes', async () => {
    const blank = new Uint8Array(400 * 300).fill(255);
    expect(await readDataMatrix(blank, 400, 300)).toEqual([]);
    expect(await readDataMatrix(blank, 401, 300)).toEqual([]);
    expect(await readDataMatrix(blank, 0, 0)).toEqual([]);
  });
});
