/**
 * 2D-Doc: the signed DataMatrix of French documents (ANTS specification, C40 profile, header versions 02–04).
 *
 *   DC | version | CA id (4) | certificate id (4) | issue date (4 hex) | signature date (4 hex) | doc type (2)
 *      [| perimeter (2), v03+] [| country (2), v04] | fields… | US | signature (base32) [| GS/RS annex]
 *
 * Dates are days since 2000-01-01 in hexadecimal, FFFF for none. A field is a two-character identifier and
 * its value: fixed-length values follow each other directly, variable ones end with GS (or RS when
 * truncated) unless they reach their maximum length. The signature (ECDSA over the header and fields, raw
 * r‖s) is base32. It is parsed and kept; checking it needs the certificate `certId` of the authority `caId`
 * from the ANTS trust list, which the kiosk does not have offline — so `verified` is false and `reason` says
 * why, unless the caller supplies the public key (tests do, with their test authority).
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { isValidBic, isValidIban } from '../../../../sync-server/protocol/iban.ts';
import { isValidSiret, isValidTaxNumber, normaliseDecimal } from './checks.ts';
import type { Fields } from './page.ts';
import { reading } from './page.ts';

export const GS = '\x1d';
export const RS = '\x1e';
export const US = '\x1f';

// The separators are ASCII control characters (GS, RS, US): tests on them are written without regular
// expressions, which lint rightly distrusts for control characters.
const SEPARATORS = new Set([GS, RS, US]);
const hasSeparator = (s: string) => [...s].some((c) => SEPARATORS.has(c));
/** Printable ASCII and the three separators: the C40 profile's character set. */
const inProfile = (s: string) => [...s].every((c) => SEPARATORS.has(c) || (c >= ' ' && c <= '~'));

/** Longer content is not a 2D-Doc (the largest DataMatrix holds 1,558 characters in C40). */
export const MAX_TWODDOC_CHARS = 2000;

/** What a result may carry (LIMITS in sync-server/protocol): a code beyond them is refused whole. */
const MAX_FIELD_CHARS = 500;
const MAX_FIELDS = 64;

export class TwoDDocError extends Error {
  override readonly name = 'TwoDDocError';
}

export interface TwoDDocHeader {
  version: 2 | 3 | 4;
  caId: string;
  certId: string;
  /** ISO date, null when the code says "no date" (FFFF) */
  issueDate: string | null;
  signatureDate: string | null;
  /** the specification's document type code: '00' justificatif de domicile, '04' avis d'impôt, '06' bulletin de salaire… */
  docType: string;
  perimeter: string | null;
  country: string | null;
}

export interface TwoDDocSignature {
  present: boolean;
  /** never true without the issuing authority's certificate */
  verified: boolean;
  reason: string;
  /** raw signature bytes (r‖s) */
  bytes: Uint8Array | null;
  curve: 'P-256' | 'P-384' | 'P-521' | null;
}

export interface TwoDDoc {
  header: TwoDDocHeader;
  /** identifier → value, in the code's order */
  fields: Record<string, string>;
  /** fields cut short by their issuer (RS instead of GS) */
  truncated: string[];
  /** header and fields exactly as signed */
  signedData: string;
  signature: TwoDDocSignature;
  /** fields after the signature (not signed) */
  annex: Record<string, string>;
}

/**
 * Lengths of the identifiers the extractors use and of their usual neighbours (min, max; max −1 = no
 * limit). Unknown identifiers are read as variable-length up to the next GS.
 */
const SPEC: Record<string, readonly [number, number]> = {
  '01': [0, -1], '02': [0, -1], '03': [0, -1], '04': [0, -1], '05': [0, -1], '06': [4, 4], '07': [6, 6], '08': [4, 4], '09': [4, 4],
  '0A': [9, 9], '0B': [9, 9], '0C': [0, -1],
  '10': [0, 38], '11': [0, 38], '12': [0, 38], '13': [0, 38], '14': [0, 38], '15': [0, 38], '16': [0, 38], '17': [0, 38],
  '18': [0, -1], '19': [0, -1], '1A': [0, -1], '1B': [0, -1], '1C': [8, 8], '1D': [0, 16], '1E': [0, 30], '1F': [0, 30],
  '1G': [1, 1], '1H': [1, 1], '1I': [0, 38], '1J': [0, 38], '1K': [0, 38], '1L': [0, 38], '1M': [0, 38], '1N': [0, 38], '1O': [0, 38], '1P': [0, 38],
  '20': [0, 38], '21': [0, 38], '22': [0, 38], '23': [0, 38], '24': [5, 5], '25': [0, 32], '26': [2, 2],
  '27': [0, 38], '28': [0, 38], '29': [0, 38], '2A': [0, 38], '2B': [5, 5], '2C': [0, 32], '2D': [2, 2],
  '30': [0, 140], '31': [14, 38], '32': [8, 11], '33': [0, 30], '34': [2, 2], '35': [14, 34], '36': [4, 4], '37': [4, 4], '38': [0, 11], '39': [0, 11],
  '40': [13, 13], '41': [0, -1], '42': [0, -1], '43': [0, -1], '44': [13, 13], '45': [4, 4], '46': [0, 38], '47': [13, 13], '48': [0, 38], '49': [13, 13],
  '4A': [8, 8], '4B': [8, 8], '4V': [0, -1], '4X': [0, -1], '4Y': [0, -1],
  '50': [14, 14], '51': [6, 6], '52': [7, 7], '53': [4, 4], '54': [4, 4], '55': [8, 8], '56': [4, 4], '57': [8, 8], '58': [0, 11], '59': [0, 12],
  '5A': [0, 11], '5B': [0, 12], '5C': [0, 11], '5D': [0, 38], '5E': [0, 38], '5F': [0, 38], '5G': [0, 38], '5H': [5, 5], '5I': [0, 32], '5J': [2, 2],
  '5K': [0, 50], '5L': [9, 14], '5M': [0, 38], '5O': [0, 38], '5P': [0, 20],
};

const HEX_DATE = /^[0-9A-F]{4}$/;

/** Days since 2000-01-01 in hex → ISO date; FFFF → null. */
export function twoDDocDate(hex: string): string | null {
  if (!HEX_DATE.test(hex)) throw new TwoDDocError(`bad date ${JSON.stringify(hex)}`);
  if (hex === 'FFFF') return null;
  const d = new Date(Date.UTC(2000, 0, 1) + Number.parseInt(hex, 16) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  if (!/^[A-Z2-7]*$/.test(clean)) throw new TwoDDocError('signature is not base32');
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of clean) {
    acc = (acc << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function readFields(data: string, where: string): { fields: Record<string, string>; truncated: string[] } {
  const fields: Record<string, string> = {};
  const truncated: string[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === GS) {
      i++;
      continue;
    }
    const id = data.slice(i, i + 2);
    if (!/^[0-9A-Z]{2}$/.test(id)) throw new TwoDDocError(`${where}: bad identifier ${JSON.stringify(id)} at ${i}`);
    if (id in fields) throw new TwoDDocError(`${where}: identifier ${id} repeated`);
    i += 2;
    const [min, max] = SPEC[id] ?? [0, -1];
    if (min === max && min > 0) {
      const value = data.slice(i, i + min);
      if (value.length < min || hasSeparator(value)) throw new TwoDDocError(`${where}: field ${id} shorter than its ${min} characters`);
      fields[id] = value;
      i += min;
      continue;
    }
    let j = i;
    const limit = max < 0 ? data.length : Math.min(data.length, i + max);
    while (j < limit && data[j] !== GS && data[j] !== RS) j++;
    const value = data.slice(i, j);
    if (value.length < min) throw new TwoDDocError(`${where}: field ${id} shorter than ${min}`);
    if (value.length > MAX_FIELD_CHARS) throw new TwoDDocError(`${where}: field ${id} of ${value.length} characters`);
    fields[id] = value;
    if (Object.keys(fields).length > MAX_FIELDS) throw new TwoDDocError(`${where}: more than ${MAX_FIELDS} fields`);
    if (data[j] === RS) truncated.push(id);
    i = j < data.length && (data[j] === GS || data[j] === RS) ? j + 1 : j;
  }
  return { fields, truncated };
}

/** Parses the text of a DataMatrix as a 2D-Doc; throws TwoDDocError when it is not one. */
export function parseTwoDDoc(raw: string): TwoDDoc {
  if (raw.length > MAX_TWODDOC_CHARS) throw new TwoDDocError(`too long (${raw.length} characters)`);
  // Printable ASCII and the three separators only; anything else is another kind of code.
  if (!inProfile(raw)) throw new TwoDDocError('characters outside the C40 profile');
  if (!raw.startsWith('DC')) throw new TwoDDocError('no DC marker');
  const version = Number(raw.slice(2, 4));
  if (!/^\d\d$/.test(raw.slice(2, 4)) || (version !== 2 && version !== 3 && version !== 4)) {
    throw new TwoDDocError(`unsupported version ${JSON.stringify(raw.slice(2, 4))}`);
  }
  const headerLength = version === 2 ? 22 : version === 3 ? 24 : 26;
  const head = raw.slice(0, headerLength);
  if (head.length < headerLength || hasSeparator(head)) throw new TwoDDocError('header cut short');
  const header: TwoDDocHeader = {
    version,
    caId: head.slice(4, 8),
    certId: head.slice(8, 12),
    issueDate: twoDDocDate(head.slice(12, 16)),
    signatureDate: twoDDocDate(head.slice(16, 20)),
    docType: head.slice(20, 22),
    perimeter: version >= 3 ? head.slice(22, 24) : null,
    country: version === 4 ? head.slice(24, 26) : null,
  };
  if (!/^[0-9A-Z]{4}$/.test(header.caId) || !/^[0-9A-Z]{4}$/.test(header.certId) || !/^[0-9A-Z]{2}$/.test(header.docType)) {
    throw new TwoDDocError('bad header identifiers');
  }
  const us = raw.indexOf(US, headerLength);
  const message = us < 0 ? raw.slice(headerLength) : raw.slice(headerLength, us);
  const { fields, truncated } = readFields(message, 'message');
  if (Object.keys(fields).length === 0) throw new TwoDDocError('no field');
  let signature: TwoDDocSignature = { present: false, verified: false, reason: 'no signature in the code', bytes: null, curve: null };
  let annex: Record<string, string> = {};
  if (us >= 0) {
    const after = raw.slice(us + 1);
    const end = [...after].findIndex((c) => c === GS || c === RS);
    const b32 = end < 0 ? after : after.slice(0, end);
    const bytes = base32Decode(b32);
    const curve = bytes.length === 64 ? 'P-256' : bytes.length === 96 ? 'P-384' : bytes.length === 132 ? 'P-521' : null;
    if (curve === null) throw new TwoDDocError(`signature of ${bytes.length} bytes`);
    signature = {
      present: true,
      verified: false,
      reason: `the certificate ${header.certId} of authority ${header.caId} (ANTS trust list) is not available offline`,
      bytes,
      curve,
    };
    if (end >= 0) annex = readFields(after.slice(end + 1), 'annex').fields;
  }
  return { header, fields, truncated, signedData: raw.slice(0, us < 0 ? raw.length : us), signature, annex };
}

/**
 * Checks the signature with the issuer's public key (SPKI PEM/DER or a KeyObject): ECDSA with SHA-256,
 * SHA-384 or SHA-512 by curve, over the signed data as ASCII. Returns a copy of the document whose signature
 * says whether it holds.
 */
export function verifyTwoDDoc(doc: TwoDDoc, publicKey: KeyObject | string | Buffer): TwoDDoc {
  if (!doc.signature.present || !doc.signature.bytes) return doc;
  const key = typeof publicKey === 'string' || Buffer.isBuffer(publicKey) ? createPublicKey(publicKey) : publicKey;
  const hash = doc.signature.curve === 'P-384' ? 'sha384' : doc.signature.curve === 'P-521' ? 'sha512' : 'sha256';
  const ok = verify(hash, Buffer.from(doc.signedData, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, doc.signature.bytes);
  return { ...doc, signature: { ...doc.signature, verified: ok, reason: ok ? 'signature checked with the supplied key' : 'signature does not match the supplied key' } };
}

// ---------------------------------------------------------------- fields for the document types

const TYPE_OF: Record<string, DocType> = {
  '00': 'proof-of-address',
  '01': 'proof-of-address',
  '02': 'proof-of-address',
  '03': 'rib',
  '05': 'rib',
  '04': 'tax-notice',
  '28': 'tax-notice',
  '06': 'payslip',
};

/** The platform's document type for a 2D-Doc type code, if it is one the extractors know. */
export function docTypeOfTwoDDoc(code: string): DocType | undefined {
  return TYPE_OF[code];
}

/** "MME/MARTIN/CLAIRE" (civility/surname/first name, the postal line 1 of the spec) → "MME CLAIRE MARTIN". */
export function personName(line1: string | undefined, civility?: string, first?: string, last?: string): string | undefined {
  if (line1) {
    const parts = line1.split('/').map((p) => p.trim());
    if (parts.length === 3) return parts[0] ? `${parts[0]} ${parts[2]} ${parts[1]}`.trim() : `${parts[2]} ${parts[1]}`.trim();
    return line1.replace(/\//g, ' ').replace(/\s+/g, ' ').trim();
  }
  const s = [civility, first, last].filter(Boolean).join(' ').trim();
  return s || undefined;
}

function ddmmyyyy(s: string | undefined): string | undefined {
  if (!s || !/^\d{8}$/.test(s)) return undefined;
  return `${s.slice(4, 8)}-${s.slice(2, 4)}-${s.slice(0, 2)}`;
}

function hexDate(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try {
    return twoDDocDate(s) ?? undefined;
  } catch {
    return undefined;
  }
}

export interface TwoDDocExtraction {
  docType: DocType;
  fields: Fields;
}

/**
 * Fields of the platform's document types from a parsed 2D-Doc, with confidence 1 (the structure parsed, so
 * every character is what the issuer encoded) and `valid` from each field's own check.
 */
export function twoDDocFields(doc: TwoDDoc): TwoDDocExtraction | null {
  const docType = TYPE_OF[doc.header.docType];
  if (!docType) return null;
  const f = doc.fields;
  const out: Fields = {};
  const put = (name: string, value: string | undefined, valid = true) => {
    if (value !== undefined && value !== '') out[name] = { ...reading(value, 1, valid), source: '2d-doc' };
  };
  const amount = (s: string | undefined) => (s === undefined ? undefined : (normaliseDecimal(s.replace(/\s/g, '')) ?? undefined));
  switch (docType) {
    case 'proof-of-address': {
      put('holder', personName(f['10'], f['11'], f['12'], f['13']));
      put('address', f['22']?.trim());
      put('postcode', f['24'], /^\d{5}$/.test(f['24'] ?? ''));
      put('city', f['25']?.trim());
      put('date', doc.header.issueDate ?? undefined);
      break;
    }
    case 'tax-notice': {
      const spi = f['47'] ?? f['40'];
      put('taxNumber', spi, spi !== undefined && isValidTaxNumber(spi));
      put('noticeReference', f['44'], /^[0-9A-Z]{13}$/.test(f['44'] ?? ''));
      put('incomeYear', f['45'], /^(19|20)\d\d$/.test(f['45'] ?? ''));
      const rfr = amount(f['41']);
      put('referenceIncome', rfr, rfr !== undefined);
      put('holder', f['46']?.trim());
      put('parts', amount(f['43']));
      break;
    }
    case 'payslip': {
      put('employee', personName(f['10'], f['11'], f['12'], f['13']));
      put('siret', f['50'], f['50'] !== undefined && isValidSiret(f['50']));
      put('periodStart', hexDate(f['53']));
      put('periodEnd', hexDate(f['54']));
      put('contractStart', ddmmyyyy(f['55']));
      put('netTaxable', amount(f['58']));
      put('grossPay', amount(f['5A']));
      if (f['5M']) put('employer', f['5M'].trim());
      break;
    }
    case 'rib': {
      put('iban', f['31'], f['31'] !== undefined && isValidIban(f['31']));
      put('bic', f['32'], f['32'] !== undefined && isValidBic(f['32']));
      put('holder', f['30']?.replace(/\//g, ' ').trim());
      break;
    }
    default:
      return null;
  }
  return { docType, fields: out };
}
