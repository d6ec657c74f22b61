/**
 * Written by `scripts/fit-ocr-calibration.ts` from the independent corpus' tuning part; do not edit by hand.
 * Per family of fields, the raw score from which a reading is sure (see calibration.ts).
 */
import type { CalibrationTable } from './calibration.ts';

// Fitted on 432 pictures (24 documents per kind, clean and degraded), target 0.995 right
// above the point with at least 40 readings:
//   name      567 valid readings,   531 right; never sure
//   date      207 valid readings,   206 right; sure from 0.6: 206/207 right
//   amount    351 valid readings,   349 right; sure from 0.58: 336/337 right
//   keyed     187 valid readings,   187 right; sure from 0.853: 187/187 right
//   zone      597 valid readings,   594 right; sure from 0.38: 594/595 right
//   words     185 valid readings,   183 right; sure from 0.865: 169/169 right
//   code      256 valid readings,   255 right; sure from 0.504: 255/256 right
export const CALIBRATION_FIT = { part: 'tuning', perKind: 24, readings: 2425 } as const;

export const CALIBRATION_TABLE: CalibrationTable = {
  date: 0.6,
  amount: 0.58,
  keyed: 0.853,
  zone: 0.38,
  words: 0.865,
  code: 0.504
};
