/**
 * Written by `scripts/fit-ocr-calibration.ts` from the independent corpus' tuning part; do not edit by hand.
 * Per family of fields, the raw score from which a reading is sure (see calibration.ts).
 */

// Fitted on 720 pictures (40 documents per kind, clean and degraded), target 0.995 right above
// the point with at least 40 readings, the 40 lowest right 0.975 of the time:
//   name      953 valid readings,   930 right; sure from 0.75: 734/734 right
//   date      358 valid readings,   358 right; sure from 0.75: 302/302 right
//   amount    588 valid readings,   587 right; sure from 0.75: 565/566 right
//   keyed     313 valid readings,   313 right; sure from 0.75: 312/312 right
//   zone     1042 valid readings,  1040 right; sure from 0.76: 1025/1026 right
//   words     315 valid readings,   313 right; sure from 0.75: 309/310 right
//   code      447 valid readings,   446 right; sure from 0.75: 379/379 right
export const CALIBRATION_FIT = { part: 'tuning', perKind: 40, readings: 4067 } as const;

export const CALIBRATION_TABLE: Readonly<Record<string, number>> = {
  name: 0.75,
  date: 0.75,
  amount: 0.75,
  keyed: 0.75,
  zone: 0.76,
  words: 0.75,
  code: 0.75
};
