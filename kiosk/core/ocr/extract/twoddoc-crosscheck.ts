/**
 * The 2D-Doc's fields against what OCR read in the printed text (what DossierFacile does with tax
 * notices): a forger edits the print, not the signed code, and a misread shows up the same way. Each field
 * the code carries is `agrees`, `disagrees`, or `not-printed` (OCR found no such field on the page).
 *
 * Normalisation, per kind of field, before comparing (the code is C40: capitals, no accents; the print
 * has accents, spaces in numbers, French decimal commas):
 *   - names (holder, employee): accents removed, capitals, anything but letters and digits as a space,
 *     civilities (M, MME, MLLE, MONSIEUR…) dropped, then the words compared in any order ("MARTIN CLAIRE"
 *     = "Mme Claire Martin");
 *   - other text (address, city, employer, bank): accents removed, capitals, punctuation as spaces,
 *     spaces collapsed;
 *   - amounts (referenceIncome, parts, net and gross pay): as numbers to the cent ("21 540" = "21540.00");
 *   - identifiers (taxNumber, noticeReference, siret, iban, bic, postcode…): spaces removed, capitals;
 *   - years and dates: as written in the normal form (YYYY, YYYY-MM-DD).
 */
import type { Fields } from './page.ts';
import { fold } from './page.ts';
import { normaliseDecimal } from './checks.ts';

export type FieldAgreement = 'agrees' | 'disagrees' | 'not-printed';

export interface FieldCheck {
  name: string;
  agreement: FieldAgreement;
}

const NAME_FIELDS = new Set(['holder', 'employee']);
const TEXT_FIELDS = new Set(['address', 'city', 'employer', 'bank']);
const AMOUNT_FIELDS = new Set(['referenceIncome', 'parts', 'netTaxable', 'grossPay', 'netPay']);
const CIVILITIES = new Set(['M', 'MR', 'MME', 'MLLE', 'MONSIEUR', 'MADAME', 'MADEMOISELLE', 'MM', 'MMES']);

const words = (s: string) => fold(s).replace(/[^0-9A-Z]+/g, ' ').trim();

/** A value in the form it is compared in (the rules above). */
export function comparable(name: string, value: string): string {
  if (NAME_FIELDS.has(name)) {
    return words(value)
      .split(' ')
      .filter((w) => w && !CIVILITIES.has(w))
      .sort()
      .join(' ');
  }
  if (TEXT_FIELDS.has(name)) return words(value);
  if (AMOUNT_FIELDS.has(name)) {
    const d = normaliseDecimal(value.replace(/[\s\u00a0\u202f€]/g, ''));
    return d ?? words(value);
  }
  return fold(value).replace(/\s+/g, '');
}

/** Every field of the code, against the same field as printed. */
export function crossCheckTwoDDoc(fromCode: Fields, printed: Fields): FieldCheck[] {
  return Object.entries(fromCode).map(([name, f]) => {
    const p = printed[name];
    if (!p || p.value.trim() === '') return { name, agreement: 'not-printed' as const };
    return { name, agreement: comparable(name, p.value) === comparable(name, f.value) ? ('agrees' as const) : ('disagrees' as const) };
  });
}
