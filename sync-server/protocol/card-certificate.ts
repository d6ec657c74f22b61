/**
 * The card certificate profile (DESIGN.md §4) and the platform CA that issues it.
 *
 * A card certificate is an X.509 v3 certificate, ECDSA P-256 / SHA-256, issued by the platform CA:
 *   - SubjectPublicKeyInfo: the card's AUTHENTICATION key (P-256, generated on the card);
 *   - subject: CN = identifier (FAC-XXXX-XXXX-XXXX), givenName, surname, serialNumber = card serial
 *     (the 8 hex digits of the OpenPGP AID), so the greeting can be shown offline;
 *   - extensions: keyUsage digitalSignature (critical), basicConstraints CA:false, subject and authority
 *     key identifiers, the holder's role and the card's SIGNATURE public key (private OIDs below), so the
 *     server can later check PSO:CDS signatures against the same certificate.
 *
 * The server issues (issuance), the kiosk checks (offline login): both use this module. The checks are
 * pure (no network): pinned CA, profile, this card's serial, the revocation list, validity.
 *
 * The DER is written and read here, for this one profile, rather than with @peculiar/x509: that package
 * re-encodes extensions through asn1js, which cannot carry arcs above 2^53 (our UUID arc comes out as
 * "2.25"), and it needs a Reflect metadata polyfill that is not installed. Reading is strict DER (one
 * encoding per value); signatures are checked with node:crypto. The tests read what we issue with
 * OpenSSL, and check certificates that OpenSSL issued.
 */
import { createHash, createPublicKey, KeyObject, randomBytes, sign, verify, webcrypto } from 'node:crypto';

export type CryptoKey = webcrypto.CryptoKey;

/**
 * Private OIDs of the platform, under a UUID arc (ITU-T X.667: 2.25.<UUID as an integer> needs no
 * registration; arcs below it are ours to allocate). UUID 4d8510a6-4064-42e6-be50-fe6da888d765.
 */
export const FACILITATEUR_OID_ARC = '2.25.103041468847980539225974817615602308965';
/** Card holder's role: DER ENUMERATED { beneficiary (1), agent (2) }. */
export const OID_CARD_ROLE = `${FACILITATEUR_OID_ARC}.1`;
/** The card's signature (PSO:CDS) public key: DER OCTET STRING holding the uncompressed P-256 point. */
export const OID_CARD_SIGNATURE_KEY = `${FACILITATEUR_OID_ARC}.2`;

const OID = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  organization: '2.5.4.10',
  givenName: '2.5.4.42',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export type CardRole = 'beneficiary' | 'agent';
const ROLE_CODES: Record<CardRole, number> = { beneficiary: 1, agent: 2 };

/** keyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first byte. */
const KU_DIGITAL_SIGNATURE = 0;
const KU_KEY_CERT_SIGN = 5;
const KU_CRL_SIGN = 6;

const IDENTIFIER_FORMAT = /^FAC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const CARD_SERIAL_FORMAT = /^[0-9A-F]{8}$/;
const NAME_MAX = 100;
/** The OpenPGP card's certificate DO holds a few KB at most; anything bigger is not ours. */
const MAX_CERTIFICATE_BYTES = 4096;

// ---------------------------------------------------------------------------------------------------
// DER writing

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  enumerated: 0x0a,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  const n = body.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else throw new RangeError('DER value too long');
  return concat([Uint8Array.from(header), body]);
}

const seq = (...parts: Uint8Array[]) => tlv(TAG.sequence, ...parts);

/** INTEGER from unsigned big-endian bytes (minimal, positive). */
function derUnsigned(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(TAG.integer, m[0]! & 0x80 ? Uint8Array.of(0, ...m) : m);
}

/** DER of an OBJECT IDENTIFIER (BigInt arcs: ours is above 2^53). */
export function encodeOid(oid: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(oid)) throw new RangeError(`not an OID: ${oid}`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  const body: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...group);
  }
  return tlv(TAG.oid, Uint8Array.from(body));
}

const utf8 = (s: string) => tlv(TAG.utf8String, new TextEncoder().encode(s));
const printable = (s: string) => tlv(TAG.printableString, new TextEncoder().encode(s));
const bitString = (b: Uint8Array, unusedBits = 0) => tlv(TAG.bitString, Uint8Array.of(unusedBits), b);
const octetString = (b: Uint8Array) => tlv(TAG.octetString, b);
const DER_TRUE = Uint8Array.of(TAG.boolean, 1, 0xff);

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5); to the second, in UTC. */
function derTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  if (year >= 1950 && year <= 2049) return tlv(TAG.utcTime, new TextEncoder().encode(compact.slice(2)));
  return tlv(TAG.generalizedTime, new TextEncoder().encode(compact));
}

/** keyUsage BIT STRING with the given bits set, trailing zero bits dropped (DER). */
function keyUsageBits(bits: number[]): Uint8Array {
  let value = 0;
  for (const b of bits) value |= 0x80 >> b;
  let unused = 0;
  while (unused < 8 && (value & (1 << unused)) === 0) unused++;
  return bitString(Uint8Array.of(value), unused);
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(encodeOid(oid), ...(critical ? [DER_TRUE] : []), octetString(value));
}

const ECDSA_SHA256_ALG = seq(encodeOid(OID.ecdsaWithSha256));
const P256_SPKI_PREFIX = concat([
  Uint8Array.of(TAG.sequence, 0x59),
  seq(encodeOid(OID.ecPublicKey), encodeOid(OID.prime256v1)),
  Uint8Array.of(TAG.bitString, 0x42, 0x00),
]);

function p256Spki(point: Uint8Array): Uint8Array {
  return concat([P256_SPKI_PREFIX, point]);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(point: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(point).digest());
}

function rdn(oid: string, value: Uint8Array): Uint8Array {
  return tlv(TAG.set, seq(encodeOid(oid), value));
}

function randomSerial(): Uint8Array {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, full length
  return new Uint8Array(b);
}

function signTbs(tbs: Uint8Array, privateKey: CryptoKey): Uint8Array {
  const sig = sign('sha256', tbs, { key: KeyObject.from(privateKey), dsaEncoding: 'der' });
  return seq(tbs, ECDSA_SHA256_ALG, bitString(new Uint8Array(sig)));
}

function tbsCertificate(o: {
  serial: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  point: Uint8Array;
  extensions: Uint8Array[];
}): Uint8Array {
  return seq(
    tlv(0xa0, derUnsigned(Uint8Array.of(2))),
    derUnsigned(o.serial),
    ECDSA_SHA256_ALG,
    o.issuer,
    seq(derTime(o.notBefore), derTime(o.notAfter)),
    o.subject,
    p256Spki(o.point),
    tlv(0xa3, seq(...o.extensions)),
  );
}

// ---------------------------------------------------------------------------------------------------
// DER reading (strict)

class DerError extends Error {}

interface Der {
  tag: number;
  /** the whole TLV */
  raw: Uint8Array;
  /** the value */
  content: Uint8Array;
}

/** Reads one TLV at `offset`: single-byte tags, minimal definite lengths, within the buffer. */
function readTlv(buf: Uint8Array, offset: number): Der {
  const tag = buf[offset];
  const l0 = buf[offset + 1];
  if (tag === undefined || l0 === undefined) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tag');
  let length = l0;
  let header = 2;
  if (l0 >= 0x80) {
    const n = l0 & 0x7f;
    if (n === 0 || n > 2) throw new DerError('unsupported length');
    if (offset + 2 + n > buf.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (length < 0x80 || (n === 2 && length < 0x100)) throw new DerError('non-minimal length');
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('value runs past the end');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

/** The TLVs that make up a constructed value's content, all of it. */
function children(node: Der): Der[] {
  const out: Der[] = [];
  for (let off = 0; off < node.content.length; ) {
    const child = readTlv(node.content, off);
    out.push(child);
    off += child.raw.length;
  }
  return out;
}

function expectTag(node: Der | undefined, tag: number, what: string): Der {
  if (!node || node.tag !== tag) throw new DerError(`${what}: expected tag ${tag.toString(16)}`);
  return node;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function readString(node: Der, what: string): string {
  if (node.tag === TAG.utf8String) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(node.content);
    } catch {
      throw new DerError(`${what}: not UTF-8`);
    }
  }
  if (node.tag === TAG.printableString || node.tag === TAG.ia5String) {
    if (node.content.some((b) => b > 0x7e || b < 0x20)) throw new DerError(`${what}: not printable`);
    return new TextDecoder('ascii').decode(node.content);
  }
  throw new DerError(`${what}: unsupported string type`);
}

function readTime(node: Der, what: string): Date {
  const text = new TextDecoder('ascii').decode(node.content);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.utcTime && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.generalizedTime && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    year = Number(m[1]);
  } else throw new DerError(`${what}: not a DER time`);
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new DerError(`${what}: impossible date`);
  return date;
}

/** The DER of `oid` decoded to dotted form (BigInt arcs). */
function decodeOid(node: Der): string {
  const b = node.content;
  if (b.length === 0 || b[b.length - 1]! & 0x80) throw new DerError('bad OID');
  const arcs: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const byte of b) {
    if (start && byte === 0x80) throw new DerError('non-minimal OID arc');
    v = (v << 7n) | BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (start) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift()!;
  const top = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [top, first - top * 40n, ...arcs].join('.');
}

interface ParsedCertificate {
  tbs: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  version: number;
  serialHex: string;
  innerSignatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  subjectAttributes: Map<string, string[]>;
  spki: Uint8Array;
  extensions: Map<string, { critical: boolean; value: Uint8Array }>;
}

function parseName(node: Der): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const set of children(expectTag(node, TAG.sequence, 'name'))) {
    for (const atv of children(expectTag(set, TAG.set, 'RDN'))) {
      const [type, value, extra] = children(expectTag(atv, TAG.sequence, 'attribute'));
      if (!type || !value || extra) throw new DerError('attribute: expected type and value');
      const oid = decodeOid(expectTag(type, TAG.oid, 'attribute type'));
      attributes.set(oid, [...(attributes.get(oid) ?? []), readString(value, `attribute ${oid}`)]);
    }
  }
  return attributes;
}

/** Parses an X.509 v3 certificate's structure; throws DerError on anything that is not strict DER. */
function parseCertificate(der: Uint8Array): ParsedCertificate {
  const top = readTlv(der, 0);
  if (top.raw.length !== der.length) throw new DerError('trailing bytes');
  const [tbsNode, algNode, sigNode, extra] = children(expectTag(top, TAG.sequence, 'certificate'));
  if (extra) throw new DerError('certificate: extra fields');
  const tbsFields = children(expectTag(tbsNode, TAG.sequence, 'tbsCertificate'));
  expectTag(algNode, TAG.sequence, 'signatureAlgorithm');
  const sigBits = expectTag(sigNode, TAG.bitString, 'signature');
  if (sigBits.content[0] !== 0) throw new DerError('signature: unused bits');

  let i = 0;
  let version = 1;
  if (tbsFields[0]?.tag === 0xa0) {
    const [v] = children(tbsFields[0]);
    const vi = expectTag(v, TAG.integer, 'version');
    if (vi.content.length !== 1) throw new DerError('version');
    version = vi.content[0]! + 1;
    i++;
  }
  const serial = expectTag(tbsFields[i++], TAG.integer, 'serialNumber');
  if (serial.content.length === 0 || serial.content.length > 21 || serial.content[0]! & 0x80) throw new DerError('serialNumber');
  const innerAlg = expectTag(tbsFields[i++], TAG.sequence, 'signature');
  const issuer = expectTag(tbsFields[i++], TAG.sequence, 'issuer');
  const [nb, na, vExtra] = children(expectTag(tbsFields[i++], TAG.sequence, 'validity'));
  if (!nb || !na || vExtra) throw new DerError('validity');
  const subject = expectTag(tbsFields[i++], TAG.sequence, 'subject');
  const spki = expectTag(tbsFields[i++], TAG.sequence, 'subjectPublicKeyInfo');
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  for (const field of tbsFields.slice(i)) {
    if (field.tag === 0xa1 || field.tag === 0xa2) continue; // unique identifiers: ignored
    if (field.tag !== 0xa3) throw new DerError('tbsCertificate: unexpected field');
    const [list, lExtra] = children(field);
    if (lExtra) throw new DerError('extensions');
    for (const ext of children(expectTag(list, TAG.sequence, 'extensions'))) {
      const parts = children(expectTag(ext, TAG.sequence, 'extension'));
      const oid = decodeOid(expectTag(parts[0], TAG.oid, 'extnID'));
      let critical = false;
      let k = 1;
      if (parts[k]?.tag === TAG.boolean) {
        if (!sameBytes(parts[k]!.raw, DER_TRUE)) throw new DerError('critical: DER wants it omitted when false');
        critical = true;
        k++;
      }
      const value = expectTag(parts[k], TAG.octetString, 'extnValue');
      if (parts.length !== k + 1) throw new DerError('extension: extra fields');
      if (extensions.has(oid)) throw new DerError(`extension ${oid} repeated`);
      extensions.set(oid, { critical, value: value.content });
    }
  }
  return {
    tbs: tbsNode!.raw,
    signatureAlgorithm: algNode!.raw,
    signature: sigBits.content.subarray(1),
    version,
    serialHex: Buffer.from(serial.content).toString('hex').replace(/^00(?=[89a-f])/, ''),
    innerSignatureAlgorithm: innerAlg.raw,
    issuer: issuer.raw,
    notBefore: readTime(nb, 'notBefore'),
    notAfter: readTime(na, 'notAfter'),
    subject: subject.raw,
    subjectAttributes: parseName(subject),
    spki: spki.raw,
    extensions,
  };
}

// ---------------------------------------------------------------------------------------------------
// PEM, fingerprints, keys

/** PEM text of a DER object (64-character lines). */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block with this label; throws a TypeError when there is none. */
export function fromPem(pem: string, label = 'CERTIFICATE'): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) throw new TypeError(`no PEM ${label} block`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** SHA-256 of the DER, upper-case hex pairs separated by colons (as OpenSSL and Node print it). */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?=.)/g, '$1:');
}

function isOnP256(point: Uint8Array): boolean {
  if (point.length !== 65 || point[0] !== 0x04) return false;
  try {
    createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33)).toString('base64url') },
      format: 'jwk',
    });
    return true;
  } catch {
    return false;
  }
}

function checkPoint(point: Uint8Array, what: string): void {
  if (point.length !== 65 || point[0] !== 0x04) throw new TypeError(`${what} must be an uncompressed P-256 point (65 bytes)`);
  if (!isOnP256(point)) throw new TypeError(`${what} is not a point on P-256`);
}

/** The P-256 point of a SubjectPublicKeyInfo, or null when it is another kind of key. */
function p256PointOf(spki: Uint8Array): Uint8Array | null {
  if (spki.length !== P256_SPKI_PREFIX.length + 65 || !sameBytes(spki.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX)) return null;
  const point = spki.slice(P256_SPKI_PREFIX.length);
  return isOnP256(point) ? point : null;
}

function keyUsageHas(value: Uint8Array, bit: number): boolean {
  const byte = value[3 + (bit >> 3)]; // 03 len unused bytes...
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

function readKeyUsage(value: Uint8Array): Uint8Array {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length || node.tag !== TAG.bitString || node.content.length < 2 || node.content[0]! > 7) {
    throw new DerError('keyUsage: not a BIT STRING');
  }
  return value;
}

/** basicConstraints cA flag (false when absent from the SEQUENCE, as DER has it). */
function readBasicConstraintsCa(value: Uint8Array): boolean {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length) throw new DerError('basicConstraints: trailing bytes');
  const parts = children(expectTag(node, TAG.sequence, 'basicConstraints'));
  return parts[0]?.tag === TAG.boolean && sameBytes(parts[0].raw, DER_TRUE);
}

function readKeyIdentifier(value: Uint8Array, kind: 'ski' | 'aki'): Uint8Array | null {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length) throw new DerError('key identifier: trailing bytes');
  if (kind === 'ski') return expectTag(node, TAG.octetString, 'subjectKeyIdentifier').content;
  const id = children(expectTag(node, TAG.sequence, 'authorityKeyIdentifier')).find((c) => c.tag === 0x80);
  return id ? id.content : null;
}

function publicKeyObject(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(p256Spki(point)), format: 'der', type: 'spki' });
}

// ---------------------------------------------------------------------------------------------------
// The platform CA

export interface PlatformCa {
  /** Self-signed CA certificate, DER. */
  certificate: Uint8Array;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate (AA:BB:…). */
  fingerprint: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  isCa: boolean;
}

function nameText(attributes: Map<string, string[]>): string {
  const short: Record<string, string> = {
    [OID.commonName]: 'CN',
    [OID.organization]: 'O',
    [OID.givenName]: 'GN',
    [OID.surname]: 'SN',
    [OID.serialNumber]: 'serialNumber',
  };
  return [...attributes].flatMap(([oid, values]) => values.map((v) => `${short[oid] ?? oid}=${v}`)).join(', ');
}

interface CaView {
  subject: Uint8Array;
  subjectText: string;
  point: Uint8Array;
  keyId: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}

/** Reads a CA certificate (ours: self-signed P-256, CA:true); throws a TypeError naming the problem. */
function readCa(der: Uint8Array): CaView {
  let c: ParsedCertificate;
  try {
    if (der.length > MAX_CERTIFICATE_BYTES) throw new DerError('too long');
    c = parseCertificate(der);
  } catch (e) {
    throw new TypeError(`the CA certificate cannot be read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const point = p256PointOf(c.spki);
  if (!point) throw new TypeError('the CA key is not a P-256 key');
  const bc = c.extensions.get(OID.basicConstraints);
  if (!bc || !readBasicConstraintsCa(bc.value)) throw new TypeError('the CA certificate is not a CA certificate');
  const ski = c.extensions.get(OID.subjectKeyIdentifier);
  return {
    subject: c.subject,
    subjectText: nameText(c.subjectAttributes),
    point,
    keyId: ski ? readKeyIdentifier(ski.value, 'ski')! : keyIdentifier(point),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
  };
}

/**
 * Creates the platform CA: a P-256 key (extractable, so it can be saved as PKCS#8) and a self-signed
 * certificate (basicConstraints CA:true pathLen 0, critical; keyUsage keyCertSign, cRLSign and
 * digitalSignature, critical: the last one for the signed revocation lists).
 */
export async function createPlatformCa(opts: { commonName: string; notAfter: Date; notBefore?: Date; organization?: string }): Promise<PlatformCa> {
  const commonName = opts.commonName.trim();
  if (commonName === '' || commonName.length > 64) throw new TypeError('CA common name must be 1 to 64 characters');
  const notBefore = opts.notBefore ?? new Date();
  if (!(opts.notAfter.getTime() > notBefore.getTime())) throw new TypeError('CA notAfter must be after notBefore');
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const point = new Uint8Array(await webcrypto.subtle.exportKey('raw', keys.publicKey));
  const name = seq(rdn(OID.commonName, utf8(commonName)), rdn(OID.organization, utf8(opts.organization ?? 'Facilitateur')));
  const keyId = keyIdentifier(point);
  const tbs = tbsCertificate({
    serial: randomSerial(),
    issuer: name,
    notBefore,
    notAfter: opts.notAfter,
    subject: name,
    point,
    extensions: [
      extension(OID.basicConstraints, true, seq(DER_TRUE, derUnsigned(Uint8Array.of(0)))),
      extension(OID.keyUsage, true, keyUsageBits([KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, KU_CRL_SIGN])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    ],
  });
  const certificate = signTbs(tbs, keys.privateKey);
  const view = readCa(certificate);
  return {
    certificate,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    subject: view.subjectText,
    notBefore: view.notBefore,
    notAfter: view.notAfter,
    fingerprint: certificateFingerprint(certificate),
  };
}

/** The CA private key as PKCS#8 PEM ("PRIVATE KEY"). */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return toPem(new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', key)), 'PRIVATE KEY');
}

/** Imports a P-256 PKCS#8 PEM private key for signing. */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', fromPem(pem, 'PRIVATE KEY'), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
}

/** Reads any certificate for display (`staff ca show`). Throws a TypeError when it is not one. */
export function describeCertificate(der: Uint8Array): CertificateSummary {
  let c: ParsedCertificate;
  try {
    c = parseCertificate(der);
  } catch (e) {
    throw new TypeError(`not a DER certificate (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const bc = c.extensions.get(OID.basicConstraints);
  let issuer: string;
  try {
    issuer = nameText(parseName(readTlv(c.issuer, 0)));
  } catch {
    issuer = '?';
  }
  return {
    subject: nameText(c.subjectAttributes),
    issuer,
    serialNumber: c.serialHex,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    fingerprint: certificateFingerprint(der),
    isCa: bc !== undefined && readBasicConstraintsCa(bc.value),
  };
}

/**
 * Rebuilds the CA from its saved certificate and private key, checking that they belong together
 * (a key that does not sign for the certificate's public key is refused).
 */
export async function loadPlatformCa(opts: { certificate: Uint8Array; privateKey: CryptoKey }): Promise<PlatformCa> {
  const view = readCa(opts.certificate);
  const publicKey = await webcrypto.subtle.importKey('raw', view.point, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const probe = randomBytes(32);
  let matches: boolean;
  try {
    const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, opts.privateKey, probe);
    matches = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, sig, probe);
  } catch {
    matches = false;
  }
  if (!matches) throw new TypeError('the CA private key does not match the CA certificate');
  return {
    certificate: opts.certificate,
    privateKey: opts.privateKey,
    publicKey,
    subject: view.subjectText,
    notBefore: view.notBefore,
    notAfter: view.notAfter,
    fingerprint: certificateFingerprint(opts.certificate),
  };
}

/** Signs bytes with the CA key (ECDSA P-256 over SHA-256(data)); raw r||s, 64 bytes. */
export async function signWithCa(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data));
}

/** Checks a raw r||s signature over `data` made by the key of this CA certificate. Never throws. */
export function verifyCaSignature(caCertificate: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    const ca = readCa(caCertificate);
    return verify('sha256', data, { key: publicKeyObject(ca.point), dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Card certificates

export interface CardSubject {
  identifier: string;
  firstName: string;
  lastName: string;
  role: CardRole;
  /** 8 upper-case hex digits (AID serial) */
  cardSerial: string;
}

export interface IssueCardCertificateOptions {
  ca: { certificate: Uint8Array; privateKey: CryptoKey };
  subject: CardSubject;
  /** the card's authentication key, 04 || X || Y */
  authPublicKey: Uint8Array;
  /** the card's signature key, 04 || X || Y */
  signaturePublicKey: Uint8Array;
  /** kept to the second */
  notBefore: Date;
  notAfter: Date;
  /** hex, at most 20 bytes, positive; random (128 bits) by default */
  serialNumber?: string;
}

function checkName(value: string, what: string): void {
  // C0 and C1 control characters have no place in a printed name
  if (value.trim() === '' || value.length > NAME_MAX || [...value].some((ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f))) {
    throw new TypeError(`${what} must be 1 to ${NAME_MAX} printable characters`);
  }
}

/** Issues a card certificate; returns its DER. Throws a TypeError on bad input (nothing is signed). */
export async function issueCardCertificate(opts: IssueCardCertificateOptions): Promise<Uint8Array> {
  const { subject } = opts;
  if (!IDENTIFIER_FORMAT.test(subject.identifier)) throw new TypeError('identifier must be FAC-XXXX-XXXX-XXXX');
  if (!CARD_SERIAL_FORMAT.test(subject.cardSerial)) throw new TypeError('card serial must be 8 upper-case hex digits');
  checkName(subject.firstName, 'first name');
  checkName(subject.lastName, 'last name');
  if (!Object.hasOwn(ROLE_CODES, subject.role)) throw new TypeError('role must be beneficiary or agent');
  if (!(opts.notAfter.getTime() > opts.notBefore.getTime())) throw new TypeError('notAfter must be after notBefore');
  if (opts.serialNumber !== undefined && !/^(?:[0-7][0-9a-fA-F]|[0-9a-fA-F])(?:[0-9a-fA-F]{2}){0,19}$/.test(opts.serialNumber)) {
    throw new TypeError('serial number must be a positive hex integer of at most 20 bytes');
  }
  checkPoint(opts.authPublicKey, 'authentication public key');
  checkPoint(opts.signaturePublicKey, 'signature public key');
  const ca = readCa(opts.ca.certificate);
  if (opts.notAfter.getTime() > ca.notAfter.getTime()) throw new TypeError('the card certificate would outlive the CA certificate');

  const serialHex = opts.serialNumber === undefined ? null : opts.serialNumber.length % 2 ? `0${opts.serialNumber}` : opts.serialNumber;
  const tbs = tbsCertificate({
    serial: serialHex === null ? randomSerial() : new Uint8Array(Buffer.from(serialHex, 'hex')),
    issuer: ca.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    subject: seq(
      rdn(OID.commonName, utf8(subject.identifier)),
      rdn(OID.givenName, utf8(subject.firstName)),
      rdn(OID.surname, utf8(subject.lastName)),
      rdn(OID.serialNumber, printable(subject.cardSerial)),
    ),
    point: opts.authPublicKey,
    extensions: [
      extension(OID.keyUsage, true, keyUsageBits([KU_DIGITAL_SIGNATURE])),
      extension(OID.basicConstraints, false, seq()),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(opts.authPublicKey))),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, ca.keyId))),
      extension(OID_CARD_ROLE, false, tlv(TAG.enumerated, Uint8Array.of(ROLE_CODES[subject.role]))),
      extension(OID_CARD_SIGNATURE_KEY, false, octetString(opts.signaturePublicKey)),
    ],
  });
  return signTbs(tbs, opts.ca.privateKey);
}

export interface CardCertificateInfo {
  identifier: string;
  firstName: string;
  lastName: string;
  role: CardRole;
  cardSerial: string;
  /** 04 || X || Y: INTERNAL AUTHENTICATE signatures verify against it */
  authPublicKey: Uint8Array;
  /** 04 || X || Y: PSO:CDS signatures verify against it */
  signaturePublicKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** lower-case hex */
  certificateSerial: string;
}

export type CardCertificateProblem = 'malformed' | 'foreign' | 'not-yet-valid' | 'expired' | 'revoked' | 'wrong-card';

export type CardCertificateCheck =
  | { ok: true; info: CardCertificateInfo }
  | { ok: false; problem: CardCertificateProblem; detail: string };

export interface CheckCardCertificateOptions {
  /** the pinned platform CA certificate, DER */
  caCertificate: Uint8Array;
  now: Date;
  /** the serial of the card the certificate was read from (AID), 8 hex digits */
  cardSerial: string;
  isRevoked: (cardSerial: string) => boolean;
}

function fail(problem: CardCertificateProblem, detail: string): CardCertificateCheck {
  return { ok: false, problem, detail };
}

const KNOWN_EXTENSIONS = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID_CARD_ROLE,
  OID_CARD_SIGNATURE_KEY,
]);

function single(attributes: Map<string, string[]>, oid: string, what: string): string {
  const values = attributes.get(oid) ?? [];
  if (values.length !== 1) throw new DerError(`subject must have exactly one ${what}`);
  return values[0]!;
}

/** Reads the profile's fields from a certificate the CA signed; throws DerError naming what does not fit. */
function readProfile(c: ParsedCertificate): CardCertificateInfo {
  if (c.version !== 3) throw new DerError('not an X.509 v3 certificate');
  const authPublicKey = p256PointOf(c.spki);
  if (!authPublicKey) throw new DerError('the certified key is not a P-256 key');

  const identifier = single(c.subjectAttributes, OID.commonName, 'common name');
  if (!IDENTIFIER_FORMAT.test(identifier)) throw new DerError('common name is not an identifier');
  const firstName = single(c.subjectAttributes, OID.givenName, 'given name');
  const lastName = single(c.subjectAttributes, OID.surname, 'surname');
  const cardSerial = single(c.subjectAttributes, OID.serialNumber, 'serial number');
  if (!CARD_SERIAL_FORMAT.test(cardSerial)) throw new DerError('subject serial number is not a card serial');

  for (const [oid, ext] of c.extensions) {
    if (ext.critical && !KNOWN_EXTENSIONS.has(oid)) throw new DerError(`unknown critical extension ${oid}`);
  }
  const ku = c.extensions.get(OID.keyUsage);
  if (!ku || !ku.critical) throw new DerError('keyUsage (critical) missing');
  const kuBits = readKeyUsage(ku.value);
  if (!keyUsageHas(kuBits, KU_DIGITAL_SIGNATURE)) throw new DerError('keyUsage digitalSignature missing');
  if (keyUsageHas(kuBits, KU_KEY_CERT_SIGN) || keyUsageHas(kuBits, KU_CRL_SIGN)) throw new DerError('a card key may not sign certificates');
  const bc = c.extensions.get(OID.basicConstraints);
  if (!bc) throw new DerError('basicConstraints missing');
  if (readBasicConstraintsCa(bc.value)) throw new DerError('a card certificate may not be a CA');

  const role = c.extensions.get(OID_CARD_ROLE);
  if (!role) throw new DerError('role extension missing');
  const roleName = (Object.keys(ROLE_CODES) as CardRole[]).find((r) => sameBytes(role.value, Uint8Array.of(TAG.enumerated, 1, ROLE_CODES[r])));
  if (!roleName) throw new DerError('unknown role');

  const sig = c.extensions.get(OID_CARD_SIGNATURE_KEY);
  if (!sig) throw new DerError('signature key extension missing');
  if (sig.value.length !== 67 || sig.value[0] !== TAG.octetString || sig.value[1] !== 65) throw new DerError('signature key extension is not a 65-byte OCTET STRING');
  const signaturePublicKey = sig.value.slice(2);
  if (!isOnP256(signaturePublicKey)) throw new DerError('signature key is not a P-256 point');

  return {
    identifier,
    firstName,
    lastName,
    role: roleName,
    cardSerial,
    authPublicKey,
    signaturePublicKey,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    certificateSerial: c.serialHex,
  };
}

/**
 * Checks a certificate read from a card. Order: malformed (not a DER certificate) → foreign (not
 * issued by the pinned CA) → malformed (issued by it, but not our profile) → wrong-card (it names
 * another card: copied) → revoked → not-yet-valid / expired. Pure: no network, no clock but `now`.
 * Throws a TypeError only when the pinned CA certificate itself cannot be read (a configuration error).
 */
export async function checkCardCertificate(der: Uint8Array, opts: CheckCardCertificateOptions): Promise<CardCertificateCheck> {
  const ca = readCa(opts.caCertificate);
  if (!(der instanceof Uint8Array) || der.length > MAX_CERTIFICATE_BYTES) return fail('malformed', 'not a certificate of a sensible size');
  let c: ParsedCertificate;
  try {
    c = parseCertificate(der);
  } catch (e) {
    return fail('malformed', `not a DER X.509 certificate (${e instanceof Error ? e.message : String(e)})`);
  }

  if (!sameBytes(c.issuer, ca.subject)) return fail('foreign', 'not issued under the platform CA’s name');
  try {
    const aki = c.extensions.get(OID.authorityKeyIdentifier);
    const akiId = aki ? readKeyIdentifier(aki.value, 'aki') : null;
    if (akiId && !sameBytes(akiId, ca.keyId)) return fail('foreign', 'authority key identifier is not the platform CA’s');
  } catch {
    return fail('malformed', 'authority key identifier cannot be read');
  }
  let signed = false;
  if (sameBytes(c.signatureAlgorithm, ECDSA_SHA256_ALG) && sameBytes(c.innerSignatureAlgorithm, ECDSA_SHA256_ALG)) {
    try {
      signed = verify('sha256', c.tbs, { key: publicKeyObject(ca.point), dsaEncoding: 'der' }, c.signature);
    } catch {
      signed = false;
    }
  }
  if (!signed) return fail('foreign', 'signature does not verify against the platform CA');

  let info: CardCertificateInfo;
  try {
    info = readProfile(c);
  } catch (e) {
    return fail('malformed', `not a card certificate: ${e instanceof Error ? e.message : String(e)}`);
  }

  const serial = opts.cardSerial.toUpperCase();
  if (info.cardSerial !== serial) return fail('wrong-card', `certificate of card ${info.cardSerial} read from card ${serial}`);
  if (opts.isRevoked(info.cardSerial)) return fail('revoked', `card ${info.cardSerial} is revoked`);
  const now = opts.now.getTime();
  if (now < info.notBefore.getTime()) return fail('not-yet-valid', `valid from ${info.notBefore.toISOString()}`);
  if (now > info.notAfter.getTime()) return fail('expired', `expired on ${info.notAfter.toISOString()}`);
  return { ok: true, info };
}
