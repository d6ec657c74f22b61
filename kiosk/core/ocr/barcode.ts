/**
 * DataMatrix reading (2D-Doc) with zxing-wasm, offline.
 *
 * zxing-wasm fetches its .wasm from a CDN by default (its `locateFile` points at jsDelivr). Here the reader's
 * module is prepared once with `wasmBinary` read from node_modules, so instantiation never reaches `fetch`;
 * the OCR worker thread also replaces `fetch` with a tripwire (worker.ts), and a test proves no attempt is
 * made. Input is the already decoded and checked grey image (preprocess.ts): zxing's own image decoder is
 * never given outside bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { ReaderOptions } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);

export function zxingReaderWasmPath(): string {
  return require.resolve('zxing-wasm/reader/zxing_reader.wasm');
}

let prepared: Promise<unknown> | undefined;

/** Instantiates the reader from the packaged .wasm (once per thread). */
export function prepareBarcodeReader(): Promise<unknown> {
  if (!prepared) {
    const bytes = readFileSync(zxingReaderWasmPath());
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    // An own `locateFile` too: should the binary ever be refused, the fallback is a local path, not the CDN.
    prepared = prepareZXingModule({ overrides: { wasmBinary, locateFile: (path: string) => path }, fireImmediately: true });
    prepared.catch(() => {
      prepared = undefined;
    });
  }
  return prepared;
}

const OPTIONS: ReaderOptions = {
  formats: ['DataMatrix'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 4,
  textMode: 'Plain',
};

/** Pixels larger than this are not searched (the decode step caps images at 2800 px a side anyway). */
const MAX_PIXELS = 12_000_000;

/**
 * The contents of the DataMatrix symbols in a grey image (one byte per pixel), as Latin-1 strings (2D-Doc is
 * ASCII with control separators: the raw bytes, not zxing's display text, which spells them "<GS>").
 */
export async function readDataMatrix(grey: Uint8Array, width: number, height: number): Promise<string[]> {
  if (width <= 0 || height <= 0 || grey.length !== width * height || width * height > MAX_PIXELS) return [];
  await prepareBarcodeReader();
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
    const v = grey[i]!;
    rgba[j] = v;
    rgba[j + 1] = v;
    rgba[j + 2] = v;
    rgba[j + 3] = 255;
  }
  const results = await readBarcodes({ data: rgba, width, height } as ImageData, OPTIONS);
  return results.filter((r) => r.isValid && r.format === 'DataMatrix').map((r) => Buffer.from(r.bytes).toString('latin1'));
}
