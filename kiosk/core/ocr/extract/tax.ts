/**
 * Avis d'impôt sur le revenu: numéro fiscal (13 digits, checked: first digit 0–3, last three = first ten mod
 * 511), référence de l'avis (13 characters), year of the income, revenu fiscal de référence, the first
 * declarant's name and the number of parts.
 */
import { digitsOf, findAmounts, isValidTaxNumber } from './checks.ts';
import { labelledCell, labelledText } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, reading } from './page.ts';
import { labelledPerson, recipientName } from './person.ts';

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

/**
 * The notice reference, 13 characters, printed whole (« 2331C65210213 ») or in groups (« 23 31 C652102 13 »):
 * consecutive groups are joined until they make 13 characters, so a word after it (the next label) is not
 * glued to it.
 */
function noticeReference(text: string): string | null {
  const tokens = fold(text).replace(/[.]/g, ' ').split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    for (let j = i; j < tokens.length && joined.length < 13; j++) {
      if (!/^[0-9A-Z]+$/.test(tokens[j]!)) break;
      joined += tokens[j];
    }
    if (joined.length !== 13) continue;
    // Digits everywhere but the fifth place, where the office puts a letter; O/I there stay letters.
    const v = [...joined].map((c, k) => (k === 4 ? c : digitsOf(c))).join('');
    if (/^\d{4}[0-9A-Z]\d{8}$/.test(v)) return v;
  }
  return null;
}

function incomeYear(page: OcrPage): { value: string; confidence: number } | undefined {
  for (const line of page.lines) {
    const m = /REVENUS\s+(?:DE\s+L'?\s*ANNEE\s+|DE\s+)?((?:19|20)\d\d)/.exec(fold(line.text));
    if (m) return { value: m[1]!, confidence: line.confidence };
  }
  return undefined;
}

export function extractTaxNotice(page: OcrPage): Fields {
  const fields: Fields = {};
  // the first declarant's number: the second one's is printed too, under its own label; a label that lost
  // its « N° » to the OCR still says « fiscal »
  const spi =
    labelledText(page, /(?:NUMERO|N°)\s*FISCAL(?!\s+DU\s+D\S*\s*2)/, findTaxNumber) ??
    labelledText(page, /(?<!REVENU\s)\bFISCAL\b(?!\s+DU\s+D\S*\s*2|\s+DE\s+REF)/, findTaxNumber);
  if (spi) {
    const valid = isValidTaxNumber(spi.value.value);
    fields.taxNumber = reading(spi.value.value, (valid ? Math.max(spi.confidence, 0.9) : spi.confidence * 0.5) * 0.97 ** spi.value.corrections, valid);
  }
  const refLabel = /REFERENCE\s+DE\s+L'?\s*AVIS(?:\s+D'?\s*IMPOT)?/;
  const ref = labelledText(page, refLabel, noticeReference, ['rest', 'right']) ?? labelledCell(page, refLabel, noticeReference);
  if (ref) fields.noticeReference = reading(ref.value, ref.confidence, true);
  const year = incomeYear(page);
  if (year) fields.incomeYear = reading(year.value, year.confidence, true);
  // the figure ends the row; a stray mark before it is read as a lone digit
  const rfr = labelledText(page, /REVENU\s+FISCAL\s+DE\s+REFERENCE/, (t) => findAmounts(t).at(-1)?.value);
  if (rfr) fields.referenceIncome = reading(rfr.value, rfr.confidence, true);
  // the first declarant (never « numéro fiscal du déclarant 1 »), else the addressee of the notice
  const holder = labelledPerson(page, [/(?<!DU\s)DECLARANT\s*1\b/]) ?? recipientName(page);
  if (holder) fields.holder = reading(holder.value, holder.where === 'block' ? holder.confidence * 0.8 : holder.confidence, true);
  const parts = labelledText(page, /NOMBRE\s+DE\s+PARTS/, (t) => /(\d{1,2}(?:,\d{1,2})?)/.exec(t)?.[1]);
  if (parts) {
    let [w, d = ''] = parts.value.split(',');
    // A household has at most a dozen parts, in quarters: « 25 » is « 2,5 » with its comma lost.
    const lostComma = d === '' && /^[1-9][05]$/.test(w!) && Number(w) > 12;
    if (lostComma) [w, d] = [w![0]!, w![1]!];
    fields.parts = reading(`${Number(w)}.${d.padEnd(2, '0')}`, lostComma ? parts.confidence * 0.6 : parts.confidence, true);
  }
  return fields;
}
