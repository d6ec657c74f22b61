/**
 * The language models, from the npm packages @tesseract.js-data/{fra,eng} (4.0.0_best_int: integer LSTM
 * models, the best accuracy/speed trade-off), unpacked once into the cache folder. Tesseract then reads them
 * from there and never looks anywhere else (see recognizer.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export const OCR_LANGS = ['fra', 'eng'] as const;
export type OcrLang = (typeof OCR_LANGS)[number];

const require = createRequire(import.meta.url);

export function packagedModel(lang: OcrLang): string {
  return require.resolve(`@tesseract.js-data/${lang}/4.0.0_best_int/${lang}.traineddata.gz`);
}

export function cachedModel(cacheDir: string, lang: OcrLang): string {
  return join(cacheDir, `${lang}.traineddata`);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

/**
 * Unpack the models into `cacheDir` unless already there. Streams (no 20 MB buffer on the caller's loop);
 * written to a temporary name and renamed, so a crash never leaves a half model that tesseract would load.
 */
export async function prepareTraineddata(cacheDir: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  for (const lang of OCR_LANGS) {
    const target = cachedModel(cacheDir, lang);
    if (await exists(target)) continue;
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      await pipeline(createReadStream(packagedModel(lang)), createGunzip(), createWriteStream(tmp));
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
