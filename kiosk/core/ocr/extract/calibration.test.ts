import { describe, expect, it } from 'vitest';
import { SURE_CONFIDENCE } from '../../../contract/schema.ts';
import { CALIBRATION_TABLE } from './calibration-table.ts';
import { FAMILIES, MIN_POINT, SURE, calibrate, calibrated, familyOf, fitCalibration } from './calibration.ts';
import type { Observation } from './calibration.ts';

describe('calibrated confidence', () => {
  it('is the check screen’s threshold', () => {
    expect(SURE).toBe(SURE_CONFIDENCE);
  });

  it('is sure exactly from the family’s point on, and keeps the order of raw scores', () => {
    const point = 0.82;
    const raws = Array.from({ length: 101 }, (_, i) => i / 100);
    const cs = raws.map((r) => calibrated(r, point));
    raws.forEach((r, i) => expect(cs[i]! >= SURE, `raw ${r}`).toBe(r >= point));
    for (let i = 1; i < cs.length; i++) expect(cs[i]!).toBeGreaterThanOrEqual(cs[i - 1]!);
    expect(calibrated(1, point)).toBe(1);
    // under the point a score is never raised
    raws.filter((r) => r < point).forEach((r) => expect(calibrated(r, point)).toBeLessThanOrEqual(r));
    expect(calibrated(0, point)).toBe(0);
  });

  it('is never sure in a family without a point, nor for a value failing its check', () => {
    expect(calibrated(1, undefined)).toBeLessThan(SURE);
    const fields = calibrate({ iban: { value: 'FR76…', confidence: 0.99, valid: false, source: 'ocr' } }, { keyed: 0.5, code: 0.5 });
    expect(fields.iban!.confidence).toBeLessThan(SURE);
    expect(fields.iban!.raw).toBe(0.99);
  });

  it('never makes sure what the extractor doubted itself, whatever the table says', () => {
    const doubted = { documentNumber: { value: 'O033VXFVT', confidence: 0.58, valid: true, source: 'mrz' as const } };
    expect(calibrate(doubted, { zone: 0.38 }).documentNumber!.confidence).toBeLessThan(SURE);
    const all: Observation[] = Array.from({ length: 200 }, (_, i) => ({ family: 'zone', raw: 0.3 + i * 0.003, right: true, valid: true }));
    expect(fitCalibration(all).zone).toBe(MIN_POINT);
  });

  it('leaves a 2D-Doc’s fields as the signature check set them', () => {
    const f = { value: '2024-01-01', confidence: 1, valid: true, source: '2d-doc' as const };
    expect(calibrate({ date: f }, {}).date).toEqual(f);
  });

  it('calibrates each field by its family, and keeps the raw score', () => {
    const out = calibrate(
      {
        holder: { value: 'Mme Léa Martin', confidence: 0.95, valid: true, source: 'ocr' },
        iban: { value: 'FR7630006000011234567890189', confidence: 0.95, valid: true, source: 'ocr' },
      },
      { name: 0.97, keyed: 0.6 },
    );
    expect(out.holder!.confidence).toBeLessThan(SURE);
    expect(out.iban!.confidence).toBeGreaterThanOrEqual(SURE);
    expect(out.holder!.raw).toBe(0.95);
  });

  it('puts fields in the family of how they are misread', () => {
    expect(familyOf('givenNames', { source: 'mrz', valid: true })).toBe('name');
    expect(familyOf('birthDate', { source: 'mrz', valid: true })).toBe('zone');
    expect(familyOf('birthDate', { source: 'ocr', valid: true })).toBe('date');
    expect(familyOf('iban', { valid: true })).toBe('keyed');
    expect(familyOf('iban', { valid: false })).toBe('code');
    expect(familyOf('netTaxable', { valid: true })).toBe('amount');
    expect(familyOf('amount_apl', { valid: true })).toBe('amount');
    expect(familyOf('periodStart', { valid: true })).toBe('date');
    expect(familyOf('employer', { valid: true })).toBe('words');
    expect(familyOf('allocataireNumber', { valid: true })).toBe('code');
  });
});

describe('fitting the calibration', () => {
  const obs = (family: Observation['family'], pairs: [number, boolean][]): Observation[] => pairs.map(([raw, right]) => ({ family, raw, right, valid: true }));

  it('takes the lowest raw score above which readings were right often enough', () => {
    // 100 right readings from 0.99 down to 0.90, then a wrong one at 0.895 and right ones below
    const high: [number, boolean][] = Array.from({ length: 100 }, (_, i) => [0.99 - i * 0.0009, true]);
    const table = fitCalibration(obs('amount', [...high, [0.895, false], [0.85, true], [0.8, false], [0.7, false]]), { target: 0.99, minReadings: 40, bandTarget: 0.9 });
    // with the wrong reading at 0.895, 101 readings hold 100 right (0.990…): still enough; 0.85 adds a right one
    expect(table.amount).toBe(0.85);
    const strict = fitCalibration(obs('amount', [...high, [0.895, false], [0.85, true]]), { target: 0.995, minReadings: 40, bandTarget: 0.9 });
    expect(strict.amount).toBeCloseTo(0.99 - 99 * 0.0009, 3);
  });

  it('leaves a family never sure with too few readings, and never counts invalid ones', () => {
    expect(fitCalibration(obs('name', Array.from({ length: 10 }, () => [0.99, true])), { target: 0.99, minReadings: 40, bandTarget: 0.9 }).name).toBeUndefined();
    const invalid: Observation[] = Array.from({ length: 50 }, () => ({ family: 'keyed', raw: 0.99, right: true, valid: false }));
    expect(fitCalibration(invalid, { target: 0.99, minReadings: 40, bandTarget: 0.9 }).keyed).toBeUndefined();
  });

  it('does not let many right readings at the top carry a band of wrong ones just above the point', () => {
    const top: [number, boolean][] = Array.from({ length: 1000 }, (_, i) => [0.99 - i * 0.0001, true]);
    // the 3 lowest of 40 readings from 0.85 down are wrong: above them 1,037 of 1,040 are right (99.7 %), but
    // their band of 40 holds 3 wrong (92.5 %)
    const band: [number, boolean][] = Array.from({ length: 40 }, (_, i) => [0.85 - i * 0.001, i < 37]);
    const table = fitCalibration(obs('date', [...top, ...band]), { target: 0.99, minReadings: 40, bandTarget: 0.975 });
    // one wrong reading in a band of 40 is allowed (97.5 %), not three
    expect(table.date).toBeCloseTo(0.85 - 37 * 0.001, 6);
    expect(fitCalibration(obs('date', [...top, ...band]), { target: 0.99, minReadings: 40, bandTarget: 0.9 }).date).toBeCloseTo(0.85 - 39 * 0.001, 6);
  });

  it('does not split readings of the same score', () => {
    const same: [number, boolean][] = [...Array.from({ length: 60 }, (): [number, boolean] => [0.95, true]), [0.95, false], [0.95, false]];
    // 60/62 right at 0.95: not 0.99, and no point may fall inside the tie
    expect(fitCalibration(obs('code', same), { target: 0.99, minReadings: 40, bandTarget: 0.9 }).code).toBeUndefined();
  });
});

describe('the fitted table', () => {
  it('holds only known families, each point within (0, 1]', () => {
    for (const [family, point] of Object.entries(CALIBRATION_TABLE)) {
      expect(FAMILIES).toContain(family);
      expect(point).toBeGreaterThan(0);
      expect(point).toBeLessThanOrEqual(1);
    }
  });
});
