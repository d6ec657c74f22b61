/**
 * Avis d'impôt sur le revenu: numéro fiscal (13 digits, checked: first digit 0–3, last three = first ten mod
 * 511), référence de l'avis (13 characters), year of the income, revenu fiscal de référence, the first
 * declarant's name and the number of parts.
 */
import { digitsOf, findAmounts, isValidTaxNumber } from './checks.ts';
import { findLabels, labelledCell, labelledText, oneOff, untilNextLabel, valueSources } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';
import { labelledPerson, recipientBeside, recipientName } from './person.ts';

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

/** A row « Déclarant 1 X  Déclarant 2 Y » with the second label misread (« Déclatant »): the name stops there. */
function beforeNextDeclarant(name: string): string {
  const words = name.split(' ');
  const at = words.findIndex((w, i) => i > 0 && new RegExp(`^${oneOff('DECLARANT')}$`).test(fold(w)));
  return at > 0 ? words.slice(0, at).join(' ') : name;
}

function scaled<T extends { confidence: number }>(v: T | undefined, factor: number): T | undefined {
  return v && { ...v, confidence: v.confidence * factor };
}

/**
 * The revenu fiscal de référence: the figure that ends its row, or the one under its label. A box's left
 * border is read as a « 1 » glued to the figure under the label (« 170291 € » for « 70291 € »): the word
 * then starts one digit to the left of the label it lines up with, and that digit is dropped, for checking.
 */
function referenceIncome(page: OcrPage): { value: string; confidence: number } | undefined {
  for (const hit of findLabels(page, /REVENU\s+FISCAL\s+DE\s+REFERENCE/)) {
    for (const s of valueSources(page, hit)) {
      const text = untilNextLabel(s.words.map((w) => w.text).join(' '));
      const value = findAmounts(text).at(-1)?.value;
      if (!value) continue;
      const first = s.words.find((w) => /\d/.test(w.text));
      const labelX = hit.labelWords[0]?.box.x0;
      if (s.where === 'below' && first && labelX !== undefined && /^1\d{3,}/.test(first.text)) {
        const digit = (first.box.x1 - first.box.x0) / first.text.length;
        const overhang = labelX - first.box.x0;
        if (overhang >= 0.7 * digit && Math.abs(overhang - digit) <= 0.5 * digit) {
          const rest = findAmounts(text.replace(/^(\D*)1/, '$1')).at(-1)?.value;
          if (rest) return { value: rest, confidence: meanConfidence(s.words) * 0.6 };
        }
      }
      return { value, confidence: meanConfidence(s.words) };
    }
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
  // the label misread by a letter (« Rétérence de l'avis ») still says « de l'avis »: a weaker sign
  const looseRef = new RegExp(`(?<![A-Z])${oneOff('REFERENCE')}\\s+DE\\s+L'?\\s*AVIS(?:\\s+D'?\\s*IMPOT)?`);
  const ref =
    labelledText(page, refLabel, noticeReference, ['rest', 'right']) ??
    labelledCell(page, refLabel, noticeReference) ??
    scaled(labelledText(page, looseRef, noticeReference, ['rest', 'right']) ?? labelledCell(page, looseRef, noticeReference), 0.8);
  if (ref) fields.noticeReference = reading(ref.value, ref.confidence, true);
  const year = incomeYear(page);
  if (year) fields.incomeYear = reading(year.value, year.confidence, true);
  // the figure ends the row; a stray mark before it is read as a lone digit
  const rfr = referenceIncome(page);
  if (rfr) fields.referenceIncome = reading(rfr.value, rfr.confidence, true);
  // the first declarant (never « numéro fiscal du déclarant 1 »), else the addressee of the notice
  // the label misread by a letter (« Déciarant 1 », « Déclarant | ») is a weaker sign; a recipient block
  // printed to the right of the issuer's is the addressee too
  const holder =
    labelledPerson(page, [/(?<!DU\s)DECLARANT\s*1\b/]) ??
    scaled(labelledPerson(page, [new RegExp(`(?<![A-Z])(?<!DU\\s)${oneOff('DECLARANT')}\\s*[1|LI](?![\\dA-Z])`)]), 0.8) ??
    recipientName(page) ??
    recipientBeside(page);
  if (holder) fields.holder = reading(beforeNextDeclarant(holder.value), holder.where === 'block' ? holder.confidence * 0.8 : holder.confidence, true);
  // a figure after a lone point (« *.5 ») lost its units: none rather than a wrong one
  const partsOf = (t: string) => /(?<![\d.,])(\d{1,2}(?:,\d{1,2})?)(?![\d.,])/.exec(t)?.[1];
  const parts = labelledText(page, /NOMBRE\s+DE\s+PARTS/, partsOf) ?? scaled(labelledText(page, /\bDE\s+PARTS\b/, partsOf), 0.8);
  if (parts) {
    let [w, d = ''] = parts.value.split(',');
    // A household has at most a dozen parts, in quarters: « 25 » is « 2,5 » with its comma lost.
    const lostComma = d === '' && /^[1-9][05]$/.test(w!) && Number(w) > 12;
    if (lostComma) [w, d] = [w![0]!, w![1]!];
    fields.parts = reading(`${Number(w)}.${d.padEnd(2, '0')}`, lostComma ? parts.confidence * 0.6 : parts.confidence, true);
  }
  return fields;
}
