/**
 * Entry of an OCR worker thread (started by pool.ts through spawnWorker). Warms a recognizer once, then runs
 * one job at a time: checks and preprocessing, recognition, extraction. Everything heavy of OCR happens on
 * this thread or on the engine thread under it, never on the caller's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { LIMITS } from '../../../sync-server/protocol/common.ts';
import { OcrError, toWire } from './errors.ts';
import { extractDocument } from './extract/index.ts';
import type { OcrPage } from './extract/page.ts';
import { preprocess } from './preprocess.ts';
import { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import type { OcrStage, WorkerResult } from './protocol.ts';
import { createRecognizer } from './recognizer.ts';
import type { Recognizer } from './recognizer.ts';

const port = parentPort;
if (!port) throw new Error('kiosk/core/ocr/worker.ts must run in a worker thread');

function send(msg: FromWorker): void {
  port!.postMessage(FromWorker.parse(msg));
}

/** Fewer letters and digits than this and there is nothing to read: a blank, a blur, a photo of a wall. */
const MIN_READ_CHARS = 8;

async function runJob(recognizer: Recognizer, jobId: number, image: Uint8Array): Promise<WorkerResult> {
  const progress = (stage: OcrStage, p: number) => send({ type: 'progress', jobId, stage, progress: Math.max(0, Math.min(1, p)) });
  progress('preprocess', 0);
  let t = performance.now();
  const prepared = await preprocess(image);
  const preprocessMs = performance.now() - t;

  progress('recognize', 0.1);
  t = performance.now();
  let lastSent = 0;
  const page: OcrPage = await recognizer.recognize(prepared.pgm, (p) => {
    // tesseract reports very often; the screen needs a few steps.
    if (p - lastSent >= 0.1 || p === 1) {
      lastSent = p;
      progress('recognize', 0.1 + 0.8 * p);
    }
  });
  const recognizeMs = performance.now() - t;

  progress('extract', 0.9);
  t = performance.now();
  if ((page.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_READ_CHARS) {
    throw new OcrError('unreadable', { detail: `only ${page.text.trim().length} characters recognised` });
  }
  const { docType, fields } = extractDocument(page);
  const extractMs = performance.now() - t;
  return {
    docType,
    fields,
    text: page.text.slice(0, LIMITS.ocrTextChars),
    confidence: Math.max(0, Math.min(1, page.confidence)),
    width: prepared.width,
    height: prepared.height,
    timings: { preprocessMs, recognizeMs, extractMs },
  };
}

/**
 * The engine's first recognition costs several times a normal one (wasm memory growth, lazily built LSTM
 * state); paying it at start-up keeps the first person's scan as fast as the next.
 */
async function warmUp(recognizer: Recognizer): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="260"><rect width="100%" height="100%" fill="#fff"/>
    <g font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" fill="#000">
    <text x="40" y="70">RELEVÉ D'IDENTITÉ BANCAIRE - Titulaire du compte</text>
    <text x="40" y="140">IBAN FR76 3000 4008 2300 0123 4567 842</text>
    <text x="40" y="210">BIC BNPAFRPPXXX - Domiciliation : Agence Centre</text></g></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  await recognizer.recognize((await preprocess(png)).pgm);
}

async function main(): Promise<void> {
  const init = WorkerInit.parse(workerData);
  const t0 = performance.now();
  let recognizer: Recognizer;
  try {
    recognizer = await createRecognizer({ cacheDir: init.cacheDir, tripwireChannel: init.tripwireChannel });
  } catch (err) {
    send({ type: 'init-failed', detail: String(err).slice(0, 2000) });
    return;
  }
  try {
    await warmUp(recognizer);
  } catch {
    // Only a slower first job: not a reason to refuse service.
  }
  // Jobs arrive one at a time (the pool never sends a second before the first answers), but a queue keeps
  // that true even if it ever did.
  let chain = Promise.resolve();
  port!.on('message', (raw: unknown) => {
    const msg = ToWorker.parse(raw);
    if (msg.fault !== undefined && init.testHooks) {
      if (msg.fault === 'crash') process.exit(70);
      for (;;); // hang: the pool's timeout must catch it
    }
    chain = chain.then(async () => {
      try {
        send({ type: 'result', jobId: msg.jobId, result: await runJob(recognizer, msg.jobId, msg.image) });
      } catch (err) {
        const e = err instanceof OcrError ? err : new OcrError('unreadable', { detail: `recognition failed: ${String(err)}`, cause: err });
        send({ type: 'error', jobId: msg.jobId, error: toWire(e) });
      }
    });
  });
  send({ type: 'ready', initMs: performance.now() - t0 });
}

void main();
