/**
 * Entry of an OCR worker thread (started by pool.ts through spawnWorker). Warms a recognizer once, then runs
 * one job at a time: checks and preprocessing, recognition, extraction. Everything heavy of OCR happens on
 * this thread or on the engine thread under it, never on the caller's event loop.
 */
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { LIMITS } from '../../../sync-server/protocol/common.ts';
import { prepareBarcodeReader, readDataMatrix } from './barcode.ts';
import { OcrError, toWire } from './errors.ts';
import { classify } from './extract/classify.ts';
import { nameLines } from './extract/identity.ts';
import { extractDocument } from './extract/index.ts';
import { mrzRegion } from './extract/mrz.ts';
import { withLinesReadAgain } from './extract/page.ts';
import type { OcrLine, OcrPage } from './extract/page.ts';
import { parseTwoDDoc } from './extract/twoddoc.ts';
import type { TwoDDoc } from './extract/twoddoc.ts';
import { preprocess } from './preprocess.ts';
import type { Prepared } from './preprocess.ts';
import { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import type { OcrStage, TwoDDocCheck, TwoDDocSummary, WorkerResult } from './protocol.ts';
import { createRecognizer } from './recognizer.ts';
import type { Recognizer } from './recognizer.ts';
import { trustStoreFromEntries } from './twoddoc-trust.ts';
import type { TwoDDocTrustStore } from './twoddoc-trust.ts';
import { checkTwoDDocSignature, REFUSED_STATUSES } from './twoddoc-verify.ts';
import type { TwoDDocVerdict } from './twoddoc-verify.ts';

const port = parentPort;
if (!port) throw new Error('kiosk/core/ocr/worker.ts must run in a worker thread');

function send(msg: FromWorker): void {
  port!.postMessage(FromWorker.parse(msg));
}

/** Fewer letters and digits than this and there is nothing to read: a blank, a blur, a photo of a wall. */
const MIN_READ_CHARS = 8;

type Found = { doc: TwoDDoc } | { malformed: string } | null;

/**
 * The first DataMatrix on the image that parses as a 2D-Doc. Other codes are ignored; one that says it is
 * a 2D-Doc (starts with its marker) but does not parse — cut short, bad base32, an oversized or hostile
 * content — is `malformed`: said, not read, and the printed text is read instead.
 */
async function findTwoDDoc(prepared: Prepared): Promise<Found> {
  let codes: string[];
  try {
    codes = await readDataMatrix(prepared.decoded.data, prepared.decoded.width, prepared.decoded.height);
  } catch {
    // A barcode reader failure costs the 2D-Doc, not the OCR of the page.
    return null;
  }
  let malformed: string | null = null;
  for (const code of codes) {
    try {
      return { doc: parseTwoDDoc(code) };
    } catch (err) {
      if (code.startsWith('DC') && malformed === null) malformed = err instanceof Error ? err.message.slice(0, 300) : 'does not parse';
    }
  }
  return malformed === null ? null : { malformed };
}

function summary(doc: TwoDDoc, verdict: TwoDDocVerdict, mismatches: string[]): TwoDDocSummary {
  const { present } = doc.signature;
  return { header: doc.header, fields: doc.fields, signature: { present, verified: verdict.status === 'verified', reason: verdict.detail }, mismatches };
}

const IDENTITY_TYPES: ReadonlySet<string> = new Set(['identity-card', 'passport', 'residence-permit']);

/** Lines of the page recognised again, each alone, in a box a little larger than the line's. */
async function readAgain(recognizer: Recognizer, prepared: Prepared, page: OcrPage, indexes: readonly number[]): Promise<Map<number, OcrLine>> {
  const out = new Map<number, OcrLine>();
  for (const i of indexes) {
    const box = page.lines[i]!.box;
    const pad = Math.ceil((box.y1 - box.y0) * 0.3);
    const left = Math.max(0, box.x0 - pad);
    const top = Math.max(0, box.y0 - pad);
    const width = Math.min(prepared.workWidth, box.x1 + pad) - left;
    const height = Math.min(prepared.workHeight, box.y1 + pad) - top;
    if (width < 8 || height < 8) continue;
    const again = await recognizer.recognizeLine(prepared.pgm, { left, top, width, height });
    const words = again.lines.flatMap((l) => l.words);
    if (words.length === 0) continue;
    const text = again.lines.map((l) => l.text).join(' ');
    out.set(i, { text, confidence: again.confidence, words, box: { x0: Math.min(...words.map((w) => w.box.x0)), y0: Math.min(...words.map((w) => w.box.y0)), x1: Math.max(...words.map((w) => w.box.x1)), y1: Math.max(...words.map((w) => w.box.y1)) } });
  }
  return out;
}

async function runJob(recognizer: Recognizer, trust: TwoDDocTrustStore, jobId: number, image: Uint8Array): Promise<WorkerResult> {
  const progress = (stage: OcrStage, p: number) => send({ type: 'progress', jobId, stage, progress: Math.max(0, Math.min(1, p)) });
  progress('preprocess', 0);
  let t = performance.now();
  const prepared = await preprocess(image);
  const preprocessMs = performance.now() - t;

  t = performance.now();
  const found = await findTwoDDoc(prepared);
  const twoDDoc = found && 'doc' in found ? found.doc : null;
  const verdict: TwoDDocVerdict | null = twoDDoc
    ? checkTwoDDocSignature(twoDDoc, trust)
    : found && 'malformed' in found
      ? { status: 'malformed', authority: null, checkedAt: null, detail: found.malformed }
      : null;
  const barcodeMs = performance.now() - t;

  progress('recognize', 0.1);
  t = performance.now();
  let lastSent = 0;
  const first: OcrPage = await recognizer.recognize(prepared.pgm, (p) => {
    // tesseract reports very often; the screen needs a few steps.
    if (p - lastSent >= 0.1 || p === 1) {
      lastSent = p;
      progress('recognize', 0.1 + 0.8 * p);
    }
  });
  // An identity document's zone is read again on its own, in its own alphabet.
  const region = twoDDoc ? null : mrzRegion(first, prepared.workWidth, prepared.workHeight);
  const mrzPage = region ? await recognizer.recognizeMrz(prepared.pgm, region) : undefined;
  // and its printed names, each line on its own, where capitals keep their accents
  const page = twoDDoc || !(region || IDENTITY_TYPES.has(classify(first.text).docType)) ? first : withLinesReadAgain(first, await readAgain(recognizer, prepared, first, nameLines(first)));
  const recognizeMs = performance.now() - t;

  progress('extract', 0.9);
  t = performance.now();
  if ((page.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_READ_CHARS && !twoDDoc) {
    throw new OcrError('unreadable', { detail: `only ${page.text.trim().length} characters recognised` });
  }
  const use = !verdict ? undefined : verdict.status === 'verified' ? 'trusted' : REFUSED_STATUSES.has(verdict.status) ? 'refused' : 'unverified';
  const { docType, fields, twoDDocMismatches, twoDDocCrossCheck } = extractDocument(page, { ...(mrzPage ? { mrzPage } : {}), twoDDoc, ...(use ? { twoDDocUse: use } : {}) });
  const extractMs = performance.now() - t;
  const check: TwoDDocCheck | null = verdict
    ? {
        status: verdict.status,
        caId: twoDDoc?.header.caId ?? null,
        certId: twoDDoc?.header.certId ?? null,
        authority: verdict.authority,
        checkedAt: verdict.checkedAt,
        fields: twoDDocCrossCheck ?? [],
      }
    : null;
  return {
    docType,
    fields,
    text: page.text.slice(0, LIMITS.ocrTextChars),
    confidence: Math.max(0, Math.min(1, page.confidence)),
    ...(twoDDoc && verdict ? { twoDDoc: summary(twoDDoc, verdict, twoDDocMismatches ?? []) } : {}),
    ...(check ? { twoDDocCheck: check } : {}),
    width: prepared.width,
    height: prepared.height,
    timings: { preprocessMs, recognizeMs, extractMs, barcodeMs },
  };
}

/**
 * The engine's first recognition costs several times a normal one (wasm memory growth, lazily built LSTM
 * state); paying it at start-up keeps the first person's scan as fast as the next.
 */
async function warmUp(recognizer: Recognizer): Promise<void> {
  // not-words: the text of a made-up RIB the OCR engine reads once at start, shown to no one
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="260"><rect width="100%" height="100%" fill="#fff"/>
    <g font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="30" fill="#000">
    <text x="40" y="70">RELEVÉ D'IDENTITÉ BANCAIRE - Titulaire du compte</text>
    <text x="40" y="140">IBAN FR76 3000 4008 2300 0123 4567 842</text>
    <text x="40" y="210">BIC BNPAFRPPXXX - Domiciliation : Agence Centre</text></g></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  await recognizer.recognize((await preprocess(png)).pgm);
}

/**
 * Nothing on this thread may reach the network (zxing-wasm would fetch its .wasm from a CDN if it were not
 * given the packaged one): `fetch` is a tripwire that reports to the pool and throws.
 */
function installFetchTripwire(channel: string): void {
  globalThis.fetch = (async (url: unknown) => {
    const bc = new BroadcastChannel(channel);
    bc.postMessage({ url: String(url) });
    bc.close();
    throw new Error('network access is disabled in the OCR worker');
  }) as typeof fetch;
}

async function main(): Promise<void> {
  const init = WorkerInit.parse(workerData);
  installFetchTripwire(init.tripwireChannel);
  const trust = trustStoreFromEntries(init.twoDDocTrust);
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
    await prepareBarcodeReader();
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
        send({ type: 'result', jobId: msg.jobId, result: await runJob(recognizer, trust, msg.jobId, msg.image) });
      } catch (err) {
        const e = err instanceof OcrError ? err : new OcrError('unreadable', { detail: `recognition failed: ${String(err)}`, cause: err });
        send({ type: 'error', jobId: msg.jobId, error: toWire(e) });
      }
    });
  });
  send({ type: 'ready', initMs: performance.now() - t0 });
}

void main();
