/**
 * Check digits the real documents carry, written here from their public rules (not taken from the
 * extractor): IBAN mod 97 and the French RIB key, NIR key, ICAO 9303 check digits, Luhn (SIREN/SIRET), and
 * the numéro fiscal's rule (last three digits = first ten mod 511).
 */

function mod97(digits: string): number {
  let r = 0;
  for (const ch of digits) r = (r * 10 + Number(ch)) % 97;
  return r;
}

/** Letters of a RIB account number → digits, as the banks' key rule counts them. */
function ribDigits(s: string): string {
  const table: Record<string, string> = {};
  'ABCDEFGHI'.split('').forEach((c, i) => (table[c] = String(i + 1)));
  'JKLMNOPQR'.split('').forEach((c, i) => (table[c] = String(i + 1)));
  'STUVWXYZ'.split('').forEach((c, i) => (table[c] = String(i + 2)));
  return [...s.toUpperCase()].map((c) => table[c] ?? c).join('');
}

export function ribKey(bank: string, branch: string, account: string): string {
  const n = 89 * Number(bank) + 15 * Number(branch) + 3 * Number(BigInt(ribDigits(account)) % 97n);
  return String(97 - (n % 97)).padStart(2, '0');
}

function ibanNumeric(s: string): string {
  return [...s].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
}

export function frenchIban(bank: string, branch: string, account: string): string {
  const bban = `${bank}${branch}${account}${ribKey(bank, branch, account)}`;
  const check = 98 - mod97(ibanNumeric(`${bban}FR00`));
  return `FR${String(check).padStart(2, '0')}${bban}`;
}

export function isValidIban(iban: string): boolean {
  const s = iban.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  return mod97(ibanNumeric(s.slice(4) + s.slice(0, 4))) === 1;
}

export function isValidRibKey(iban: string): boolean {
  const s = iban.replace(/\s/g, '');
  return ribKey(s.slice(4, 9), s.slice(9, 14), s.slice(14, 25)) === s.slice(25, 27);
}

/** NIR: 13 characters (Corsica's 2A/2B counted as 19/18) and key = 97 − (number mod 97). */
export function nirKey(body13: string): string {
  const n = body13.replace('2A', '19').replace('2B', '18');
  return String(97 - mod97(n)).padStart(2, '0');
}

export function isValidNir(nir: string): boolean {
  return /^[1-478]\d{4}(?:\d\d|2A|2B)\d{8}$/.test(nir) && nirKey(nir.slice(0, 13)) === nir.slice(13);
}

/** ICAO 9303: weights 7, 3, 1; digits as themselves, A–Z as 10–35, the filler < as 0. */
export function mrzCheck(s: string): string {
  const w = [7, 3, 1];
  let sum = 0;
  [...s].forEach((c, i) => {
    const v = c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * w[i % 3]!;
  });
  return String(sum % 10);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return sum % 10 === 0;
}

/** Appends the digit that makes the whole Luhn-valid. */
export function withLuhn(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** Numéro fiscal (SPI): first digit 0–3, 13 digits, last three = first ten mod 511. */
export function taxNumber(first10: string): string {
  return first10 + String(Number(first10) % 511).padStart(3, '0');
}

export function isValidTaxNumber(n: string): boolean {
  return /^[0-3]\d{12}$/.test(n) && taxNumber(n.slice(0, 10)) === n;
}
