/**
 * Check rules of French administrative numbers, and the normal forms the extractors return:
 *  - ICAO 9303 check digits (machine-readable zones);
 *  - NIR (numéro de sécurité sociale): key = 97 − (13 digits mod 97), Corsica's 2A/2B read as 19/18;
 *  - SIREN/SIRET: Luhn, with La Poste's establishments (SIREN 356 000 000) summing to a multiple of 5;
 *  - numéro fiscal (SPI): 13 digits, first 0–3, last three = first ten mod 511;
 *  - dates → ISO `YYYY-MM-DD`, months → `YYYY-MM`, amounts → decimal strings in euros (`"1734.56"`).
 */

const ICAO_VALUES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ICAO 9303 check digit over [0-9A-Z<]; null when another character is present. */
export function icaoCheckDigit(s: string): string | null {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const v = c === '<' ? 0 : ICAO_VALUES.indexOf(c);
    if (v < 0) return null;
    sum += v * [7, 3, 1][i % 3]!;
  }
  return String(sum % 10);
}

// ---------------------------------------------------------------- NIR

/**
 * The 13 characters as a number for the key: Corsican départements 2A and 2B count as 19 and 18 (the
 * historical "20" minus 1 or 2 in the département's units place).
 */
function nirNumber(nir13: string): bigint | null {
  if (!/^[12378]\d{4}(?:\d{2}|2A|2B)\d{6}$/.test(nir13)) return null;
  const dept = nir13.slice(5, 7);
  const digitsOnly = dept === '2A' ? `${nir13.slice(0, 5)}19${nir13.slice(7)}` : dept === '2B' ? `${nir13.slice(0, 5)}18${nir13.slice(7)}` : nir13;
  return BigInt(digitsOnly);
}

export function nirKey(nir13: string): string | null {
  const n = nirNumber(nir13);
  if (n === null) return null;
  return String(97n - (n % 97n)).padStart(2, '0');
}

/** 15 characters: sex, year, month, département (2A/2B for Corsica), commune, order, key. */
export function isValidNir(nir15: string): boolean {
  if (nir15.length !== 15) return false;
  const month = Number(nir15.slice(3, 5));
  // Months 20–42 and 50+ exist for people registered without a known month; 13–19 do not.
  if (month === 0 || (month > 12 && month < 20)) return false;
  return nirKey(nir15.slice(0, 13)) === nir15.slice(13);
}

// ---------------------------------------------------------------- SIREN / SIRET

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidSiren(siren: string): boolean {
  return /^\d{9}$/.test(siren) && luhnValid(siren);
}

export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  // La Poste's establishments share one SIREN and are numbered past what Luhn allows: INSEE's rule for them
  // is a digit sum that is a multiple of 5.
  if (siret.startsWith('356000000')) return [...siret].reduce((s, d) => s + Number(d), 0) % 5 === 0;
  return isValidSiren(siret.slice(0, 9)) && luhnValid(siret);
}

// ---------------------------------------------------------------- numéro fiscal

/** Numéro fiscal (SPI): 13 digits, first 0–3, the last three are the first ten modulo 511. */
export function isValidTaxNumber(spi: string): boolean {
  if (!/^[0-3]\d{12}$/.test(spi)) return false;
  return Number(spi.slice(0, 10)) % 511 === Number(spi.slice(10));
}

// ---------------------------------------------------------------- dates

export function isoDate(y: number, m: number, d: number): string | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > last) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export const FRENCH_MONTHS = ['JANVIER', 'FEVRIER', 'MARS', 'AVRIL', 'MAI', 'JUIN', 'JUILLET', 'AOUT', 'SEPTEMBRE', 'OCTOBRE', 'NOVEMBRE', 'DECEMBRE'] as const;

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
}

/** Digits OCR reads as letters in a place where only digits may be. */
export function digitsOf(s: string): string {
  return s.replace(/[OQD]/g, '0').replace(/[IlL|!]/g, '1').replace(/Z/g, '2').replace(/S/g, '5').replace(/B/g, '8');
}

const MONTH_RE = FRENCH_MONTHS.map((m) => m.replace('AOUT', 'AO[UÛ]T')).join('|');
const NUMERIC_DATE = /(?<![\dA-Z])([0-3OQ]?[0-9OQ])\s?[/.-]\s?([01OQ]?[0-9OQ])\s?[/.-]\s?((?:19|2[0OQ])[0-9OQ]{2})(?![\d])/g;
const SPACED_DATE = /(?<![\dA-Z])([0-3][0-9])\s([01][0-9])\s((?:19|20)[0-9]{2})(?![\d])/g;
const LONG_DATE = new RegExp(`(?<![\\dA-Z])([0-3]?\\d)(?:ER)?\\s+(${MONTH_RE})\\s+((?:19|20)\\d{2})(?!\\d)`, 'g');

export interface DateMatch {
  iso: string;
  index: number;
  length: number;
}

/** Every date written the French ways (03/10/2024, 03.10.2024, 03 10 2024, 3 octobre 2024, 1er mai 2024). */
export function findDates(text: string): DateMatch[] {
  // « 1er » read « ler » or « Ier » before a month: the first of the month (same length, indexes kept)
  const t = fold(text).replace(new RegExp(`(?<![A-Z\\d])[LI]ER(?=\\s+(?:${MONTH_RE})\\b)`, 'g'), '1ER');
  const out: DateMatch[] = [];
  for (const re of [NUMERIC_DATE, SPACED_DATE, LONG_DATE]) {
    re.lastIndex = 0;
    for (let m = re.exec(t); m; m = re.exec(t)) {
      const monthWord = m[2]!;
      const month = /^[0-9OQ]{1,2}$/.test(monthWord) ? Number(digitsOf(monthWord)) : FRENCH_MONTHS.findIndex((x) => monthWord.replace('Û', 'U') === x) + 1;
      const iso = isoDate(Number(digitsOf(m[3]!)), month, Number(digitsOf(m[1]!)));
      if (iso && !out.some((o) => o.index === m!.index)) out.push({ iso, index: m.index, length: m[0].length });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export function parseFrenchDate(text: string): string | null {
  return findDates(text)[0]?.iso ?? null;
}

/** "octobre 2024" or "10/2024" → "2024-10" */
export function findMonth(text: string): { ym: string; index: number } | null {
  const t = fold(text);
  // « avril2024 »: the space is often lost between a month and its year
  const named = new RegExp(`(?<![A-Z])(${MONTH_RE})\\s*((?:19|20)\\d{2})(?!\\d)`).exec(t);
  if (named) {
    const m = FRENCH_MONTHS.findIndex((x) => named[1]!.replace('Û', 'U') === x) + 1;
    return { ym: `${named[2]}-${String(m).padStart(2, '0')}`, index: named.index };
  }
  const numeric = /(?<![\d/])(0[1-9]|1[0-2])\s?\/\s?((?:19|20)\d{2})(?!\d)/.exec(t);
  if (numeric) return { ym: `${numeric[2]}-${numeric[1]}`, index: numeric.index };
  return null;
}

// ---------------------------------------------------------------- amounts

export interface AmountMatch {
  /** euros with two decimals, dot separator: "1734.56" */
  value: string;
  index: number;
  length: number;
}

/**
 * Amounts as French documents print them: "1 734,56 €", "1734,56", "1.734,56 EUR", "21 540 €" (whole euros).
 * Thousands groups must be of three digits; a decimal part of one or two digits. Look-alike letters in the
 * digits are read as digits.
 */
export function findAmounts(text: string): AmountMatch[] {
  const out: AmountMatch[] = [];
  const re = /(?<![\d,.])(-\s?)?(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d{1,2}))?(?![\d]|,\d|\.\d)(\s?(?:€|EUR|euros?))?/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const whole = m[2]!.replace(/[ \u00a0\u202f.]/g, '');
    const cents = (m[3] ?? '').padEnd(2, '0');
    if (whole.length > 12) continue;
    const value = `${m[1] ? '-' : ''}${String(Number(whole))}.${cents || '00'}`;
    out.push({ value, index: m.index, length: m[0].length });
  }
  return out;
}

export function parseAmount(text: string): string | null {
  return findAmounts(text)[0]?.value ?? null;
}

/** A decimal string in the normal form: "1734.5" → "1734.50"; null when not a number. */
export function normaliseDecimal(s: string): string | null {
  const m = /^(-)?(\d+)(?:[.,](\d{1,2}))?$/.exec(s.trim());
  if (!m) return null;
  return `${m[1] ?? ''}${String(Number(m[2]))}.${(m[3] ?? '').padEnd(2, '0')}`;
}
