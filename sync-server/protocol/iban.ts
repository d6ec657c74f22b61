/** IBAN and BIC validation (ISO 13616 mod-97, ISO 9362), shared by OCR extraction and server ingest. */
import { z } from 'zod';

/** Country code → IBAN length, for the countries a French RIB can show. */
export const IBAN_LENGTHS: Record<string, number> = {
  FR: 27, MC: 27, DE: 22, BE: 16, ES: 24, IT: 27, LU: 20, NL: 18, PT: 25, CH: 21, GB: 22, IE: 22, AT: 20,
  GP: 27, MQ: 27, GF: 27, RE: 27, YT: 27, PM: 27, NC: 27, PF: 27, WF: 27, BL: 27, MF: 27, TF: 27,
};

export function normalizeIban(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

export function isValidIban(raw: string): boolean {
  const iban = normalizeIban(raw);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  return ibanMod97(iban) === 1;
}

/** Groups of four, as printed on a RIB. */
export function formatIban(raw: string): string {
  return normalizeIban(raw).replace(/(.{4})(?=.)/g, '$1 ');
}

export function isValidBic(raw: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(raw.toUpperCase().replace(/\s/g, ''));
}

export const Iban = z
  .string()
  .max(64)
  .transform((s) => normalizeIban(s))
  .refine(isValidIban, { message: 'IBAN invalide (clé de contrôle fausse)' });

export const Bic = z
  .string()
  .max(16)
  .transform((s) => s.toUpperCase().replace(/\s/g, ''))
  .refine(isValidBic, { message: 'BIC invalide' });
