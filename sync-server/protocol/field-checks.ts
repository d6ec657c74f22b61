/**
 * The checks a person's typed value goes through before a paper's field is saved, in plain French: an
 * IBAN (its mod-97 key), a date (a real day of the calendar, typed jj/mm/aaaa), a NIR (its key, Corsica's
 * 2A/2B included) and an amount. Pure (no Node): the kiosk's screen checks as the person types, and says
 * why a value cannot be saved before it is sent anywhere.
 *
 * A value still being typed is `incomplete` (said gently, not as a mistake); a value that can no longer
 * be right is `wrong`. `value` is what is stored: the IBAN without spaces, the date as YYYY-MM-DD, the
 * NIR as 15 characters, the amount as "1234.50".
 */
import { IBAN_LENGTHS, ibanMod97, normalizeIban } from './iban.ts';

export type FieldKind = 'iban' | 'date' | 'nir' | 'amount' | 'text';

export type FieldCheck = { ok: true; value: string } | { ok: false; problem: 'empty' | 'incomplete' | 'wrong'; message: string };

const DATE_FIELDS = new Set(['birthDate', 'expiryDate', 'issueDate', 'periodStart', 'periodEnd', 'date']);
const AMOUNT_FIELDS = new Set(['amount', 'netPay', 'netTaxable', 'referenceIncome']);

/** Which check a paper's field goes through, by its name (the names the readers of papers give). */
export function fieldKind(name: string): FieldKind {
  if (name === 'iban') return 'iban';
  if (name === 'nir') return 'nir';
  if (DATE_FIELDS.has(name)) return 'date';
  if (AMOUNT_FIELDS.has(name)) return 'amount';
  return 'text';
}

const ok = (value: string): FieldCheck => ({ ok: true, value });
const incomplete = (message: string): FieldCheck => ({ ok: false, problem: 'incomplete', message });
const wrong = (message: string): FieldCheck => ({ ok: false, problem: 'wrong', message });
const empty = (message: string): FieldCheck => ({ ok: false, problem: 'empty', message });

// ---------------------------------------------------------------- IBAN

export function checkIban(raw: string): FieldCheck {
  if (raw.trim() === '') return empty('Écrivez l’IBAN.');
  if (/[^A-Za-z0-9 ]/.test(raw)) return wrong('Un IBAN a seulement des lettres et des chiffres.');
  const iban = normalizeIban(raw);
  if (!/^[A-Z]{2}/.test(iban)) return iban.length < 2 ? incomplete('Un IBAN commence par 2 lettres, par exemple FR.') : wrong('Un IBAN commence par 2 lettres, par exemple FR.');
  if (iban.length >= 4 && !/^[A-Z]{2}\d{2}/.test(iban)) return wrong('Après les 2 lettres, un IBAN a 2 chiffres.');
  const want = IBAN_LENGTHS[iban.slice(0, 2)];
  if (want !== undefined && iban.length < want) return incomplete(`Il manque ${want - iban.length} ${want - iban.length === 1 ? 'caractère' : 'caractères'}. Un IBAN ${iban.slice(0, 2)} en a ${want}.`);
  if (want !== undefined && iban.length > want) return wrong(`Il y a ${iban.length - want} ${iban.length - want === 1 ? 'caractère' : 'caractères'} en trop. Un IBAN ${iban.slice(0, 2)} en a ${want}.`);
  if (want === undefined && iban.length < 15) return incomplete('L’IBAN n’est pas complet.');
  if (iban.length > 34) return wrong('Cet IBAN est trop long.');
  if (ibanMod97(iban) !== 1) return wrong('L’IBAN n’est pas correct : un chiffre ou une lettre est faux. Vérifiez chaque caractère.');
  return ok(iban);
}

// ---------------------------------------------------------------- dates

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A date typed "jj/mm/aaaa" (a space, a dot or a dash also separate): a real day between 1900 and 2100. */
export function checkDate(raw: string): FieldCheck {
  const s = raw.trim();
  if (s === '') return empty('Écrivez la date : le jour, le mois, l’année. Par exemple 05/03/1987.');
  if (/[^\d/.\- ]/.test(s)) return wrong('Une date a seulement des chiffres et des barres /. Par exemple 05/03/1987.');
  const parts = s.split(/[/.\- ]+/).filter((p) => p !== '');
  if (parts.length > 3 || parts.some((p, i) => p.length > (i === 2 ? 4 : 2))) return wrong('Écrivez la date ainsi : jour/mois/année. Par exemple 05/03/1987.');
  const [d, m, y] = parts.map(Number) as [number, number | undefined, number | undefined];
  if (parts[0] !== undefined && (d < 1 || d > 31) && parts[0].length === 2) return wrong('Le jour va de 1 à 31.');
  if (m !== undefined && parts[1]!.length === 2 && (m < 1 || m > 12)) return wrong('Le mois va de 1 à 12.');
  if (parts.length < 3 || parts[2]!.length < 4) return incomplete('La date n’est pas complète : jour/mois/année, par exemple 05/03/1987.');
  if (y! < 1900 || y! > 2100) return wrong('L’année n’est pas possible. Vérifiez les 4 chiffres.');
  if (d < 1 || d > 31) return wrong('Le jour va de 1 à 31.');
  if (m! < 1 || m! > 12) return wrong('Le mois va de 1 à 12.');
  if (d > daysIn(y!, m!)) return wrong(`Ce jour n’existe pas : ce mois-là a ${daysIn(y!, m!)} jours.`);
  return ok(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

/** "1987-03-05" → "05/03/1987", as the person types it; anything else is shown as it is. */
export function dateForPerson(stored: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(stored.trim());
  return m ? `${m[3]}/${m[2]}/${m[1]}` : stored;
}

// ---------------------------------------------------------------- NIR

/** The key of a NIR's first 13 characters: 97 − (number mod 97), Corsica's 2A read as 19 and 2B as 18. */
export function nirKey(nir13: string): number | null {
  if (!/^\d{5}(?:\d{2}|2A|2B)\d{6}$/.test(nir13)) return null;
  const dept = nir13.slice(5, 7);
  const digits = dept === '2A' ? `${nir13.slice(0, 5)}19${nir13.slice(7)}` : dept === '2B' ? `${nir13.slice(0, 5)}18${nir13.slice(7)}` : nir13;
  return 97 - Number(BigInt(digits) % 97n);
}

/** The social security number: 15 characters (13 + the key), spaces allowed. */
export function checkNir(raw: string): FieldCheck {
  const nir = raw.toUpperCase().replace(/\s/g, '');
  if (nir === '') return empty('Écrivez le numéro de sécurité sociale.');
  if (/[^0-9AB]/.test(nir)) return wrong('Le numéro de sécurité sociale a seulement des chiffres (et 2A ou 2B pour la Corse).');
  if (!/^[1278]/.test(nir)) return wrong('Le numéro de sécurité sociale commence par 1 ou 2.');
  if (/[AB]/.test(nir) && !/^\d{5}2[AB]/.test(nir)) return wrong('Les lettres A ou B vont seulement après le 2 du département de Corse : 2A ou 2B.');
  if (nir.length < 15) return incomplete(`Il manque ${15 - nir.length} ${15 - nir.length === 1 ? 'chiffre' : 'chiffres'}. Le numéro en a 15 avec la clé.`);
  if (nir.length > 15) return wrong(`Il y a ${nir.length - 15} ${nir.length - 15 === 1 ? 'chiffre' : 'chiffres'} en trop. Le numéro en a 15 avec la clé.`);
  const month = Number(nir.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || (month >= 50 && month <= 99))) return wrong('Le mois de naissance (4e et 5e chiffres) n’est pas possible.');
  const key = nirKey(nir.slice(0, 13));
  if (key === null || !/^\d{2}$/.test(nir.slice(13))) return wrong('Le numéro de sécurité sociale n’est pas correct.');
  if (Number(nir.slice(13)) !== key) return wrong('Le numéro ne va pas avec sa clé (les 2 derniers chiffres). Vérifiez chaque chiffre.');
  return ok(nir);
}

// ---------------------------------------------------------------- amounts

const MAX_AMOUNT = 100_000_000;

/** An amount in euros: "1 734,50", "1734.5", "45" (a comma or a dot for the cents, spaces between thousands). */
export function checkAmount(raw: string): FieldCheck {
  const s = raw.replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  if (s === '') return empty('Écrivez le montant.');
  if (s.startsWith('-')) return wrong('Le montant ne peut pas être négatif.');
  if (/[^\d,.]/.test(s)) return wrong('Un montant a seulement des chiffres et une virgule. Par exemple 1250,50.');
  const m = /^(\d+)(?:[.,](\d*))?$/.exec(s);
  if (!m) return wrong('Il y a plusieurs virgules. Un montant a une seule virgule, avant les centimes.');
  const cents = m[2] ?? '';
  if (cents.length > 2) return wrong('Après la virgule, il y a 2 chiffres au plus : les centimes.');
  const euros = Number(m[1]);
  if (euros >= MAX_AMOUNT) return wrong('Ce montant est trop grand. Vérifiez le nombre de chiffres.');
  return ok(`${euros}.${cents.padEnd(2, '0')}`);
}

/** "1734.50" → "1734,50", as the person types it. */
export function amountForPerson(stored: string): string {
  return /^\d+(?:\.\d+)?$/.test(stored.trim()) ? stored.trim().replace('.', ',') : stored;
}

// ---------------------------------------------------------------- any field

const MAX_TEXT = 300;

export function checkText(raw: string): FieldCheck {
  const s = raw.trim();
  if (s.length > MAX_TEXT) return wrong(`Ce texte est trop long : ${MAX_TEXT} caractères au plus.`);
  // an emptied field is kept empty: some papers do not print every field
  return ok(s.replace(/\s+/g, ' '));
}

/** The check of a paper's field, by its name. */
export function checkField(name: string, raw: string): FieldCheck {
  switch (fieldKind(name)) {
    case 'iban':
      return checkIban(raw);
    case 'date':
      return checkDate(raw);
    case 'nir':
      return checkNir(raw);
    case 'amount':
      return checkAmount(raw);
    default:
      return checkText(raw);
  }
}

/** A stored value as the person reads and types it (dates jj/mm/aaaa, amounts with a comma, the IBAN by fours). */
export function fieldForPerson(name: string, stored: string): string {
  switch (fieldKind(name)) {
    case 'iban':
      return normalizeIban(stored).replace(/(.{4})(?=.)/g, '$1 ');
    case 'date':
      return dateForPerson(stored);
    case 'amount':
      return amountForPerson(stored);
    default:
      return stored;
  }
}
