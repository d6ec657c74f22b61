/**
 * A warm tesseract.js engine (LSTM only, French model), strictly offline.
 *
 * tesseract.js runs the wasm engine in a worker thread of its own, whose only network path is the `fetch`
 * it uses to download models it does not find. Two locks keep it shut: the models are read from `cacheDir`
 * (cacheMethod 'readOnly') and `langPath` is that same local folder, so a missing model is a file error, not
 * a download; and the engine thread starts from our own script that replaces `fetch` with a tripwire that
 * throws and reports the attempt on a BroadcastChannel (tests assert it is never hit).
 */
import { createRequire } from 'node:module';
import Tesseract from 'tesseract.js';
import { cachedModel, OCR_LANGS } from './traineddata.ts';
import type { OcrLine, OcrPage, OcrWord } from './extract/page.ts';

const require = createRequire(import.meta.url);

/** The tesseract.js engine thread, started with fetch replaced by a tripwire. */
export function offlineEngineUrl(tripwireChannel: string): URL {
  const script = require.resolve('tesseract.js/src/worker-script/node/index.js');
  const code = [
    "import { createRequire } from 'node:module';",
    "import { BroadcastChannel } from 'node:worker_threads';",
    `const channel = ${JSON.stringify(tripwireChannel)};`,
    'globalThis.fetch = async (url) => {',
    '  const bc = new BroadcastChannel(channel);',
    '  bc.postMessage({ url: String(url) });',
    '  bc.close();',
    "  throw new Error('network access is disabled in the OCR engine');",
    '};',
    `createRequire(${JSON.stringify(script)})(${JSON.stringify(script)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export interface RecognizerOptions {
  cacheDir: string;
  tripwireChannel: string;
  /** where models are read when not in the cache; a local folder. Tests point it elsewhere to prove the tripwire. */
  langPath?: string;
  cacheMethod?: 'readOnly' | 'none';
  /** tesseract parameters over the defaults below (tuning experiments) */
  parameters?: Record<string, string>;
}

/**
 * Tuned on the generated corpus (tests/fixtures/documents.ts): with PSM 4 (one column of text of varying
 * sizes) an A4 page is read in ~60 % of the time of the default automatic layout analysis, with the same
 * field accuracy; administrative documents are single-column forms, and the extractors find values on the
 * same row or the line below anyway.
 */
export const DEFAULT_PARAMETERS: Record<string, string> = {
  tessedit_pageseg_mode: '4',
  // Our images are resized to ~150–200 dpi equivalents; saying so avoids the "invalid resolution" guess.
  user_defined_dpi: '200',
};

/**
 * A machine-readable zone is one block of uniform monospaced lines in a 37-character alphabet: restricting
 * tesseract to that alphabet stops it reading fillers as « or K and O/0 by language model guesses.
 */
export const MRZ_PARAMETERS: Record<string, string> = {
  tessedit_pageseg_mode: '6',
  tessedit_char_whitelist: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<',
};

export const LINE_PARAMETERS: Record<string, string> = {
  tessedit_pageseg_mode: '7',
};

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Recognizer {
  recognize(pgm: Uint8Array, onProgress?: (progress: number) => void): Promise<OcrPage>;
  /** recognises a region of the image as a machine-readable zone (see MRZ_PARAMETERS) */
  recognizeMrz(pgm: Uint8Array, region: Region): Promise<OcrPage>;
  /**
   * recognises one line of print alone (see LINE_PARAMETERS): read with the rest of the page, capitals lose
   * their accents far more often than read on their own
   */
  recognizeLine(pgm: Uint8Array, region: Region): Promise<OcrPage>;
  close(): Promise<void>;
}

function toLines(page: Tesseract.Page): OcrLine[] {
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        const words: OcrWord[] = line.words
          .filter((w) => w.text.trim() !== '')
          .map((w) => ({ text: w.text, confidence: w.confidence / 100, box: { ...w.bbox } }));
        if (words.length === 0) continue;
        lines.push({ text: line.text.trim(), confidence: line.confidence / 100, box: { ...line.bbox }, words });
      }
    }
  }
  return lines;
}

export async function createRecognizer(opts: RecognizerOptions): Promise<Recognizer> {
  let progressListener: ((p: number) => void) | undefined;
  const worker = await Tesseract.createWorker([...OCR_LANGS], Tesseract.OEM.LSTM_ONLY, {
    // tesseract.js passes workerPath straight to `new Worker()`, which takes a data: URL object.
    workerPath: offlineEngineUrl(opts.tripwireChannel) as unknown as string,
    langPath: opts.langPath ?? opts.cacheDir,
    cachePath: opts.cacheDir,
    cacheMethod: opts.cacheMethod ?? 'readOnly',
    gzip: false,
    logger: (m) => {
      if (m.status === 'recognizing text') progressListener?.(m.progress);
    },
    // Failures reach us as rejected promises; without a handler tesseract.js also throws them uncaught.
    errorHandler: () => {},
  });
  const normal = { ...DEFAULT_PARAMETERS, tessedit_char_whitelist: '', ...opts.parameters };
  await worker.setParameters(normal);
  /** a region of the image read with other parameters; the normal ones are set back after */
  const regionWith = async (parameters: Record<string, string>, pgm: Uint8Array, region: Region): Promise<OcrPage> => {
    const image = Buffer.from(pgm.buffer, pgm.byteOffset, pgm.byteLength);
    await worker.setParameters(parameters);
    try {
      const { data } = await worker.recognize(image, { rectangle: region }, { text: true, blocks: true });
      return { text: data.text, confidence: data.confidence / 100, lines: toLines(data) };
    } finally {
      await worker.setParameters(normal);
    }
  };
  return {
    async recognize(pgm, onProgress) {
      progressListener = onProgress;
      try {
        // Buffer view, no copy: tesseract.js copies it into the engine thread's message.
        const image = Buffer.from(pgm.buffer, pgm.byteOffset, pgm.byteLength);
        const { data } = await worker.recognize(image, {}, { text: true, blocks: true });
        return { text: data.text, confidence: data.confidence / 100, lines: toLines(data) };
      } finally {
        progressListener = undefined;
      }
    },
    recognizeMrz: (pgm, region) => regionWith(MRZ_PARAMETERS, pgm, region),
    recognizeLine: (pgm, region) => regionWith(LINE_PARAMETERS, pgm, region),
    async close() {
      await worker.terminate();
    },
  };
}

/** The cached model files the recognizer needs (for checks and diagnostics). */
export function requiredModelFiles(cacheDir: string): string[] {
  return OCR_LANGS.map((l) => cachedModel(cacheDir, l));
}
