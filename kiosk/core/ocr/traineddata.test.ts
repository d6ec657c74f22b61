import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OcrError } from './errors.ts';
import { createOcrPool } from './pool.ts';
import { cachedModel, OCR_LANGS, packagedModel, prepareTraineddata } from './traineddata.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocr-models-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('unpacks the packaged best_int models once, and repairs a damaged copy', async () => {
  const cache = join(dir, 'cache');
  await prepareTraineddata(cache);
  for (const lang of OCR_LANGS) {
    expect(packagedModel(lang)).toMatch(new RegExp(`@tesseract\\.js-data/${lang}/4\\.0\\.0_best_int/${lang}\\.traineddata\\.gz$`));
    expect(readFileSync(cachedModel(cache, lang)).equals(gunzipSync(readFileSync(packagedModel(lang))))).toBe(true);
  }
  const fra = cachedModel(cache, 'fra');
  const mtime = statSync(fra).mtimeMs;
  await prepareTraineddata(cache);
  expect(statSync(fra).mtimeMs).toBe(mtime); // complete: left alone

  truncateSync(fra, 1000);
  await prepareTraineddata(cache);
  expect(statSync(fra).size).toBe(gunzipSync(readFileSync(packagedModel('fra'))).length);
});

it('a pool whose models cannot be prepared rejects jobs instead of hanging', async () => {
  const notADir = join(dir, 'file');
  writeFileSync(notADir, 'x');
  const pool = createOcrPool({ cacheDir: notADir });
  try {
    const err = await pool.analyse(Buffer.from('%PDF-')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrError);
    expect((err as OcrError).code).toBe('worker-crashed');
    expect((err as OcrError).detail).toMatch(/prepare OCR models/);
    await expect(pool.ready()).rejects.toBeInstanceOf(OcrError);
  } finally {
    await pool.close();
  }
});
