/**
 * Calibrated confidence. The extractors give each field a raw confidence from tesseract's word scores and
 * their own evidence (a label, a check digit, a second reading). Raw scores are not comparable across
 * fields: a name read at 0.95 may have lost an accent where an IBAN read at 0.95 has passed its key. Here
 * each field's raw score is mapped onto one scale where **≥ SURE means "right at least 99 % of the time"**,
 * measured on the independent corpus' held-out part; the check screen asks the person to look at every
 * field below SURE.
 *
 * The map is fitted (`fitCalibration`) on the tuning part only, per family of fields, by the smallest raw
 * score above which the family's readings were right often enough, with a margin; it is kept in
 * `calibration-table.ts`, written by `scripts/fit-ocr-calibration.ts`. Below that point the score is scaled
 * under SURE (never raised), above it spread over [SURE, 1]: the order of readings is kept, only where
 * "sure" starts moves.
 * A family with too few readings on the tuning part, or one never right often enough, is never sure.
 */
import { CALIBRATION_TABLE } from './calibration-table.ts';
import type { FieldReading, Fields } from './page.ts';

/** From this calibrated confidence on, a field is shown as read without asking the person to look. */
export const SURE = 0.9;

export const FAMILIES = ['name', 'date', 'amount', 'keyed', 'zone', 'words', 'code'] as const;
export type Family = (typeof FAMILIES)[number];

const NAMES = new Set(['holder', 'employee', 'surname', 'givenNames']);
/** identifiers that carry their own key: a misread rarely passes it */
const KEYED = new Set(['iban', 'nir', 'siret', 'taxNumber']);
const WORDS = new Set(['employer', 'bank', 'address', 'city', 'street', 'issuer', 'fund']);

/** The family a field is calibrated with: how its misreads behave, not what it means. */
export function familyOf(name: string, reading: Pick<FieldReading, 'source' | 'valid'>): Family {
  if (NAMES.has(name)) return 'name';
  // a value of the machine-readable zone that passed its check digits
  if (reading.source === 'mrz' && reading.valid) return 'zone';
  if (KEYED.has(name) && reading.valid) return 'keyed';
  if (/date$|Date$|^period|^month$|^year$/.test(name)) return 'date';
  if (/^(amount|net|gross|total|referenceIncome|income|tax)/.test(name)) return 'amount';
  if (WORDS.has(name)) return 'words';
  return 'code';
}

/**
 * No family is sure below this raw score, whatever the corpus says: the extractors keep scores under it for
 * what they doubt themselves (a value repaired among several that pass the same check digit, a printed name
 * that differs from the zone, a field read without its zone), and a single check digit also passes one
 * misread in ten — a corpus of a few hundred readings cannot vouch for those.
 */
export const MIN_POINT = 0.75;

/** Per family, the raw score from which a reading is sure; absent: never sure. */
export type CalibrationTable = Partial<Record<Family, number>>;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** One raw score on the calibrated scale: monotone, and ≥ SURE exactly when raw ≥ the family's point. */
export function calibrated(raw: number, point: number | undefined): number {
  const r = Math.max(0, Math.min(1, raw));
  // never sure: kept strictly under SURE, in the same order
  if (point === undefined || point > 1) return round3(r * (SURE - 0.01));
  if (r >= point) return round3(point >= 1 ? 1 : SURE + (1 - SURE) * ((r - point) / (1 - point)));
  // under the point a score is only ever lowered: a guess the extractor gave 0.45 does not read as more
  return round3(Math.min(SURE - 0.001, r, (r / point) * SURE));
}

/**
 * Every field of an extraction on the calibrated scale. A 2D-Doc's fields are left as they are: their
 * confidence says what the signature check allowed, not a reading. A value failing its own check is never
 * sure, whatever its family.
 */
export function calibrate(fields: Fields, table: CalibrationTable = CALIBRATION_TABLE): Fields {
  const out: Fields = {};
  for (const [name, f] of Object.entries(fields)) {
    if (f.source === '2d-doc') {
      out[name] = f;
      continue;
    }
    const fitted = f.valid ? table[familyOf(name, f)] : undefined;
    const point = fitted === undefined ? undefined : Math.max(fitted, MIN_POINT);
    out[name] = { ...f, confidence: calibrated(f.confidence, point), raw: f.confidence };
  }
  return out;
}

export interface Observation {
  family: Family;
  raw: number;
  right: boolean;
  valid: boolean;
}

export interface FitOptions {
  /** the share right wanted above the point on the tuning part: stricter than the 99 % promised */
  target: number;
  /** fewest readings above the point for it to count */
  minReadings: number;
  /**
   * the share right wanted among the `minReadings` lowest readings above the point: the many right readings
   * at the top must not carry a band of doubtful ones just above the point
   */
  bandTarget: number;
}

export const FIT_DEFAULTS: FitOptions = { target: 0.995, minReadings: 40, bandTarget: 0.975 };

/**
 * Per family, the lowest raw score above which the tuning readings were right at least `target` of the
 * time, with at least `minReadings` readings above it, the lowest of them right at least `bandTarget` of the
 * time; never under MIN_POINT. Invalid readings are left out: they are never sure.
 */
export function fitCalibration(obs: readonly Observation[], opts: FitOptions = FIT_DEFAULTS): CalibrationTable {
  const table: CalibrationTable = {};
  for (const family of FAMILIES) {
    const rs = obs.filter((o) => o.family === family && o.valid).sort((a, b) => b.raw - a.raw);
    let right = 0;
    let point: number | undefined;
    for (let i = 0; i < rs.length; i++) {
      if (rs[i]!.right) right++;
      // a point between two equal scores would split readings the map cannot tell apart
      if (i + 1 < rs.length && rs[i + 1]!.raw === rs[i]!.raw) continue;
      if (i + 1 < opts.minReadings || right / (i + 1) < opts.target) continue;
      const band = rs.slice(i + 1 - opts.minReadings, i + 1);
      if (band.filter((o) => o.right).length / band.length >= opts.bandTarget) point = rs[i]!.raw;
    }
    if (point !== undefined) table[family] = round3(Math.max(point, MIN_POINT));
  }
  return table;
}
