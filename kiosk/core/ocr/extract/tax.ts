/**
 * Avis d'impôt sur le revenu: numéro fiscal (13 digits, checked: first digit 0–3, last three = first ten mod
 * 511), référence de l'avis (13 characters), year of the income, revenu fiscal de référence, the first
 * declarant's name and the number of parts.
 */
import { digitsOf, findAmounts, isValidTaxNumber } from './checks.ts';
import { labelledText } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, reading } from './page.ts';

/** 13 digits written in groups ("30 23 217 600 053"), look-alike letters read as digits. */
export function findTaxNumber(text: string): { value: string; corrections: number } | null {
  const t = fold(text);
  const m = /(?<![0-9A-Z])([0-9OQDILSB|]{2}(?:\s?[0-9OQDILSB|]){11})(?![0-9])/.exec(t);
  if (!m) return null;
  const raw = m[1]!.replace(/\s/g, '');
  const value = digitsOf(raw);
  if (!/^\d{13}$/.test(value)) return null;
  return { value, corrections: [...raw].filter((c, i) => c !== value[i]).length };
}

function noticeReference(text: string): string | null {
  const compact = fold(text).replace(/[\s.]/g, '');
  const m = /(?<![0-9A-Z])([0-9A-Z]{13})(?![0-9A-Z])/.exec(compact);
  if (!m) return null;
  // Digits everywhere but the fifth place, where the office puts a letter; O/I there stay letters.
  const v = [...m[1]!].map((c, i) => (i === 4 ? c : digitsOf(c))).join('');
  return /^\d{4}[0-9A-Z]\d{8}$/.test(v) ? v : null;
}

function incomeYear(page: OcrPage): { value: string; confidence: number } | undefined {
  for (const line of page.lines) {
    const m = /REVENUS\s+(?:DE\s+L'?\s*ANNEE\s+|DE\s+)?((?:19|20)\d\d)/.exec(fold(line.text));
    if (m) return { value: m[1]!, confidence: line.confidence };
  }
  return undefined;
}

function name(text: string): string | null {
  const v = text.replace(/[|_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return /^[\p{Lu}][\p{Lu}\p{M}' -]+$/u.test(v) && v.length >= 3 ? v : null;
}

export function extractTaxNotice(page: OcrPage): Fields {
  const fields: Fields = {};
  const spi = labelledText(page, /NUMERO\s+FISCAL|N°\s*FISCAL/, findTaxNumber);
  if (spi) {
    const valid = isValidTaxNumber(spi.value.value);
    fields.taxNumber = reading(spi.value.value, (valid ? Math.max(spi.confidence, 0.9) : spi.confidence * 0.5) * 0.97 ** spi.value.corrections, valid);
  }
  const ref = labelledText(page, /REFERENCE\s+DE\s+L'?\s*AVIS/, noticeReference);
  if (ref) fields.noticeReference = reading(ref.value, ref.confidence, true);
  const year = incomeYear(page);
  if (year) fields.incomeYear = reading(year.value, year.confidence, true);
  const rfr = labelledText(page, /REVENU\s+FISCAL\s+DE\s+REFERENCE/, (t) => findAmounts(t)[0]?.value);
  if (rfr) fields.referenceIncome = reading(rfr.value, rfr.confidence, true);
  const holder = labelledText(page, /DECLARANT\s*1\b/, name);
  if (holder) fields.holder = reading(holder.value, holder.confidence, true);
  const parts = labelledText(page, /NOMBRE\s+DE\s+PARTS/, (t) => /(\d{1,2}(?:,\d{1,2})?)/.exec(t)?.[1]);
  if (parts) {
    const [w, d = ''] = parts.value.split(',');
    fields.parts = reading(`${Number(w)}.${d.padEnd(2, '0')}`, parts.confidence, true);
  }
  return fields;
}
