/**
 * The person's identifier, printed on the card and stored in its Login data (DO 5E).
 *
 * Format: `FAC-XXXX-XXXX-XXXC`: 11 payload characters and one check character, in Crockford's
 * base 32 (no I, L, O, U, so nothing looks like 1 or 0). The check character is Luhn mod 32, which
 * catches every single mistyped character and every swap of two neighbours.
 * Reading is forgiving (lower case, spaces, O for 0, I/L for 1); the stored form is canonical.
 */
import { z } from 'zod';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = CROCKFORD.length;
export const IDENTIFIER_PREFIX = 'FAC';
const PAYLOAD_LENGTH = 11;

function luhnCheckCharacter(payload: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = payload.length - 1; i >= 0; i--) {
    const codePoint = CROCKFORD.indexOf(payload[i]!);
    let addend = factor * codePoint;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return CROCKFORD[(N - (sum % N)) % N]!;
}

/** Upper-cases, drops separators and maps look-alike letters; returns null if a character is not base 32. */
function compact(raw: string): string | null {
  let s = raw.toUpperCase().replace(/[\s-]/g, '');
  if (s.startsWith(IDENTIFIER_PREFIX)) s = s.slice(IDENTIFIER_PREFIX.length);
  s = s.replace(/O/g, '0').replace(/[IL]/g, '1');
  for (const ch of s) if (!CROCKFORD.includes(ch)) return null;
  return s;
}

function format(body: string): string {
  return `${IDENTIFIER_PREFIX}-${body.slice(0, 4)}-${body.slice(4, 8)}-${body.slice(8, 12)}`;
}

export type IdentifierCheck =
  | { ok: true; identifier: string }
  | { ok: false; reason: 'length' | 'character' | 'checksum' };

/** Checks a typed or read identifier and returns its canonical form. */
export function checkIdentifier(raw: string): IdentifierCheck {
  const s = compact(raw);
  if (s === null) return { ok: false, reason: 'character' };
  if (s.length !== PAYLOAD_LENGTH + 1) return { ok: false, reason: 'length' };
  const payload = s.slice(0, PAYLOAD_LENGTH);
  if (luhnCheckCharacter(payload) !== s[PAYLOAD_LENGTH]) return { ok: false, reason: 'checksum' };
  return { ok: true, identifier: format(s) };
}

/** Builds an identifier from 11 payload characters (issuance), adding the check character. */
export function makeIdentifier(payload: string): string {
  const s = compact(payload);
  if (s === null || s.length !== PAYLOAD_LENGTH) throw new RangeError('identifier payload must be 11 base-32 characters');
  return format(s + luhnCheckCharacter(s));
}

/** A fresh random identifier. */
export function randomIdentifier(random: (n: number) => Uint8Array): string {
  const bytes = random(PAYLOAD_LENGTH);
  let payload = '';
  for (const b of bytes) payload += CROCKFORD[b % N];
  return makeIdentifier(payload);
}

export const Identifier = z
  .string()
  .max(40)
  .transform((raw, ctx) => {
    const r = checkIdentifier(raw);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: `identifiant invalide (${r.reason})` });
      return z.NEVER;
    }
    return r.identifier;
  });
