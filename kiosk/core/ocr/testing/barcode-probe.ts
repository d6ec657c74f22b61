/**
 * Test support: a worker thread that reads DataMatrix codes with `fetch` replaced by a recorder, in a fresh
 * module state (a new thread loads zxing-wasm anew). Mode 'packaged' goes through barcode.ts (the .wasm from
 * node_modules); mode 'default' uses zxing-wasm as shipped, which fetches its .wasm from a CDN — the control
 * that proves the recorder would see such an attempt. Used by barcode.test.ts only.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface Probe {
  mode: 'packaged' | 'default';
  grey: Uint8Array;
  width: number;
  height: number;
}

const fetches: string[] = [];
globalThis.fetch = (async (url: unknown) => {
  fetches.push(String(url));
  throw new Error('network access is disabled in this probe');
}) as typeof fetch;

async function main(): Promise<void> {
  const p = workerData as Probe;
  try {
    let texts: string[];
    if (p.mode === 'packaged') {
      const { readDataMatrix } = await import('../barcode.ts');
      texts = await readDataMatrix(p.grey, p.width, p.height);
    } else {
      // Emscripten reports the failed download on the console; the test reads the recorder instead.
      console.warn = () => {};
      console.error = () => {};
      const { readBarcodes } = await import('zxing-wasm/reader');
      const rgba = new Uint8ClampedArray(p.width * p.height * 4);
      for (let i = 0; i < p.grey.length; i++) rgba.fill(p.grey[i]!, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
      const results = await readBarcodes({ data: rgba, width: p.width, height: p.height } as ImageData, { formats: ['DataMatrix'] });
      texts = results.map((r) => r.text);
    }
    parentPort!.postMessage({ texts, fetches, error: null });
  } catch (err) {
    parentPort!.postMessage({ texts: [], fetches, error: String(err) });
  }
}

void main();
