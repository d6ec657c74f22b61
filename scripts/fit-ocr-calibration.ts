/**
 * Fits the OCR's confidence calibration on the independent corpus' **tuning part only** and writes
 * kiosk/core/ocr/extract/calibration-table.ts. The held-out part is never read here: it is what the fit is
 * judged on (tests/corpus/independent-accuracy.test.ts, `npm run bench -- --only ocr`).
 *
 *   npx tsx scripts/fit-ocr-calibration.ts [--per-kind 40] [--save FILE | --from FILE]
 *
 * Runs the real OCR pool on every tuning picture (clean and degraded), pairs each field's raw score with
 * whether it was right, and keeps per family the raw score from which readings were right often enough.
 * `--save` also writes those pairs to FILE; `--from` fits again from such a file without running the OCR.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOcrPool } from '../kiosk/core/ocr/index.ts';
import { FAMILIES, FIT_DEFAULTS, familyOf, fitCalibration } from '../kiosk/core/ocr/extract/calibration.ts';
import type { Observation } from '../kiosk/core/ocr/extract/calibration.ts';
import { entries } from '../tests/corpus/corpus.ts';
import { runEntries } from '../tests/corpus/run.ts';

const TABLE_FILE = fileURLToPath(new URL('../kiosk/core/ocr/extract/calibration-table.ts', import.meta.url));

function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} takes a whole number, got ${process.argv[i + 1]}`);
  return v;
}

const perKind = arg('per-kind', 40);
const saved = text('from');

/** Every tuning reading with its family, from the OCR or from a file written by an earlier run. */
async function observe(): Promise<{ obs: Observation[]; pictures: number }> {
  if (saved) return JSON.parse(readFileSync(saved, 'utf8')) as { obs: Observation[]; pictures: number };
  const cacheDir = mkdtempSync(join(tmpdir(), 'ocr-calibration-'));
  const pool = createOcrPool({ cacheDir, size: 2, jobTimeoutMs: 120_000 });
  try {
    await pool.ready();
    const outcomes = await runEntries(pool, entries('tuning', perKind));
    const obs: Observation[] = [];
    for (const o of outcomes) {
      for (const r of o.readings) {
        // 2D-Doc values are not calibrated; a reading without its raw score came from an older worker
        if (r.source === '2d-doc' || r.raw === undefined) continue;
        const source = r.source === 'mrz' || r.source === 'ocr' ? r.source : undefined;
        const valid = r.valid ?? true;
        obs.push({ family: familyOf(r.field, { valid, ...(source ? { source } : {}) }), raw: r.raw, right: r.right, valid });
      }
    }
    const out = { obs, pictures: outcomes.length };
    const file = text('save');
    if (file) writeFileSync(file, JSON.stringify(out));
    return out;
  } finally {
    await pool.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const { obs, pictures } = await observe();
const table = fitCalibration(obs);
const lines = FAMILIES.map((f) => {
  const fam = obs.filter((o) => o.family === f && o.valid);
  const point = table[f];
  const above = point === undefined ? [] : fam.filter((o) => o.raw >= point);
  return `//   ${f.padEnd(7)} ${String(fam.length).padStart(5)} valid readings, ${String(fam.filter((o) => o.right).length).padStart(5)} right; ${
    point === undefined ? 'never sure' : `sure from ${point}: ${above.filter((o) => o.right).length}/${above.length} right`
  }`;
});
const body = `/**
 * Written by \`scripts/fit-ocr-calibration.ts\` from the independent corpus' tuning part; do not edit by hand.
 * Per family of fields, the raw score from which a reading is sure (see calibration.ts).
 */

// Fitted on ${pictures} pictures (${perKind} documents per kind, clean and degraded), target ${FIT_DEFAULTS.target} right above
// the point with at least ${FIT_DEFAULTS.minReadings} readings, the ${FIT_DEFAULTS.minReadings} lowest right ${FIT_DEFAULTS.bandTarget} of the time:
${lines.join('\n')}
export const CALIBRATION_FIT = { part: 'tuning', perKind: ${perKind}, readings: ${obs.length} } as const;

export const CALIBRATION_TABLE: Readonly<Record<string, number>> = ${JSON.stringify(table, null, 2).replace(/"(\w+)":/g, '$1:')};
`;
writeFileSync(TABLE_FILE, body);
console.info(lines.join('\n'));
