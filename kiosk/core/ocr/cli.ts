/**
 * OCR from the command line, for checks and demos:
 *
 *   npm run ocr -- FILE…        (= tsx kiosk/core/ocr/cli.ts FILE…)
 *
 * One JSON line per file on stdout, in order:
 *   {"file","type","fields":{name:{"value","confidence"}},"text"}
 *   {"file","error":{"code","message"}}      (code: an OcrError code, or 'file-error' when it cannot be read)
 * Exit code 0 when every file was read, 1 when one failed, 2 on bad usage.
 * The models are unpacked into $OCR_CACHE_DIR (default: .data/ocr-cache at the repository root).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createOcrPool, OcrError } from './index.ts';
import { OCR_WORDS } from '../words.ts';

const DEFAULT_CACHE = fileURLToPath(new URL('../../../.data/ocr-cache', import.meta.url));

async function main(files: string[]): Promise<number> {
  if (files.length === 0 || files.some((f) => f === '-h' || f === '--help')) {
    process.stderr.write('usage: npm run ocr -- FILE…\n');
    return 2;
  }
  const pool = createOcrPool({ cacheDir: process.env.OCR_CACHE_DIR || DEFAULT_CACHE });
  let failed = 0;
  const print = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  try {
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        failed++;
        print({ file, error: { code: 'file-error', message: OCR_WORDS.fileUnreadable((err as NodeJS.ErrnoException).code ?? String(err)) } });
        continue;
      }
      try {
        const r = await pool.analyse(bytes);
        const fields = Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, { value: v.value, confidence: v.confidence }]));
        print({ file, type: r.docType, fields, text: r.text });
      } catch (err) {
        failed++;
        if (err instanceof OcrError) print({ file, error: { code: err.code, message: err.message } });
        else print({ file, error: { code: 'worker-crashed', message: String(err) } });
      }
    }
  } finally {
    await pool.close();
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ocr: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
