/**
 * The fields of a paper scanned in several pages (both faces of a card, the pages of a notice), from each
 * page's readings. The first page does not simply win: a face that proves a field (the back's zone, checked by
 * its digits) replaces the other face's doubtful reading of it, and two faces that read a name alike confirm it.
 */
import { SURE_CONFIDENCE } from '../../contract/schema.ts';
import { fold } from '../ocr/extract/page.ts';

export interface PageField {
  value: string;
  confidence: number;
  valid: boolean;
  /** where the page read it: the print, a machine-readable zone, a 2D-Doc */
  source?: 'ocr' | 'mrz' | '2d-doc' | undefined;
}

export interface MergedField {
  value: string;
  confidence: number;
  valid: boolean;
}

/** Fields that hold names: the print keeps their accents, the zone spells them without. */
const NAME_FIELDS: ReadonlySet<string> = new Set(['surname', 'givenNames', 'holder', 'employee']);

/** Two faces that disagree on a field both call sure: one is wrong, and nothing here tells which. */
const DISAGREEING = 0.6;

/** letters and digits alone, accents and case aside: what two readings of one value share */
const letters = (s: string) => fold(s).replace(/[^A-Z0-9]/g, '');

function merged(name: string, readings: readonly PageField[]): MergedField {
  // the surest reading; on a tie, the earlier page's
  const best = readings.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  let value = best.value;
  let confidence = best.confidence;
  const same = readings.filter((r) => r !== best && letters(r.value) === letters(best.value));
  if (NAME_FIELDS.has(name) && same.length) {
    // A name read alike on two faces, once printed (accents, case) and once in the zone, is the printed one,
    // its letters confirmed by an independent reading: as the extractor does on one face holding both.
    const printed = [best, ...same].find((r) => r.source !== 'mrz');
    const zone = [best, ...same].find((r) => r.source === 'mrz');
    if (printed && zone) {
      value = printed.value;
      confidence = Math.max(confidence, SURE_CONFIDENCE);
    }
  }
  const rivals = readings.filter((r) => letters(r.value) !== letters(best.value) && r.confidence >= SURE_CONFIDENCE);
  if (rivals.length && confidence >= SURE_CONFIDENCE) confidence = DISAGREEING;
  return { value, confidence, valid: best.valid };
}

export function mergeFields(pages: readonly Readonly<Record<string, PageField>>[]): Record<string, MergedField> {
  const byName = new Map<string, PageField[]>();
  for (const p of pages) {
    for (const [k, f] of Object.entries(p)) byName.set(k, [...(byName.get(k) ?? []), f]);
  }
  return Object.fromEntries([...byName].map(([k, readings]) => [k, merged(k, readings)]));
}
