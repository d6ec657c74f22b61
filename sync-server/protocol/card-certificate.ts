/**
 * The card certificate profile (DESIGN.md §4), shared by the kiosk core and the server.
 *
 * A card certificate is an X.509 v3 certificate, ECDSA P-256 / SHA-256, issued by the platform CA:
 *   - SubjectPublicKeyInfo: the card's AUTHENTICATION key (P-256, generated on the card);
 *   - subject: CN = identifier (FAC-XXXX-XXXX-XXXX), givenName, surname, serialNumber = card serial
 *     (the 8 hex digits of the OpenPGP AID), so the greeting can be shown offline;
 *   - extensions: keyUsage digitalSignature (critical), basicConstraints CA:false, subject and authority
 *     key identifiers, the holder's role and the card's SIGNATURE public key (private OIDs below), so the
 *     server can later check PSO:CDS signatures against the same certificate.
 *
 * Issuance stations issue (the CA's private-key operations are a server feature: features/cards/ca.ts,
 * built on the X.509 writers here), the kiosk checks (offline login), the server checks too: the checks
 * are pure (no network): pinned CA, profile, this card's serial, the revocation list, validity.
 *
 * The DER is written and read by der.ts, for this one profile, rather than with @peculiar/x509: that
 * package re-encodes extensions through asn1js, which cannot carry arcs above 2^53 (our UUID arc comes out
 * as "2.25"), and it needs a Reflect metadata polyfill that is not installed. Reading is strict DER (one
 * encoding per value); signatures are checked with node:crypto. The tests read what we issue with
 * OpenSSL, and check certificates that OpenSSL issued.
 */
import { createHash, verify } from 'node:crypto';
import {
  bitString,
  children,
  decodeOid,
  DER_TRUE,
  DerError,
  derTime,
  derUnsigned,
  encodeOid,
  expectTag,
  octetString,
  readString,
  readTime,
  readTlv,
  sameBytes,
  seq,
  TAG,
} from './der.ts';
import type { Der } from './der.ts';
import { p256PublicKeyFromPoint, verifyP256Signature } from '../../drivers/pcsc/ec.ts';
import { concatBytes, encodeTlv } from '../../drivers/pcsc/tlv.ts';

/**
 * Private OIDs of the platform, under a UUID arc (ITU-T X.667: 2.25.<UUID as an integer> needs no
 * registration; arcs below it are ours to allocate). UUID 4d8510a6-4064-42e6-be50-fe6da888d765.
 */
export const FACILITATEUR_OID_ARC = '2.25.103041468847980539225974817615602308965';
/** Card holder's role: DER ENUMERATED { beneficiary (1), agent (2) }. */
export const OID_CARD_ROLE = `${FACILITATEUR_OID_ARC}.1`;
/** The card's signature (PSO:CDS) public key: DER OCTET STRING holding the uncompressed P-256 point. */
export const OID_CARD_SIGNATURE_KEY = `${FACILITATEUR_OID_ARC}.2`;
/**
 * Key purpose (extendedKeyUsage) "signs the platform's revocation lists": the one purpose of the
 * revocation-signing key the server holds instead of the CA key (revocation-signer.ts).
 */
export const OID_REVOCATION_LIST_SIGNING = `${FACILITATEUR_OID_ARC}.3`;

export const OID = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  organization: '2.5.4.10',
  givenName: '2.5.4.42',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  anyExtendedKeyUsage: '2.5.29.37.0',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export type CardRole = 'beneficiary' | 'agent';
export const ROLE_CODES: Record<CardRole, number> = { beneficiary: 1, agent: 2 };

/** keyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first byte. */
export const KU_DIGITAL_SIGNATURE = 0;
export const KU_KEY_CERT_SIGN = 5;
export const KU_CRL_SIGN = 6;

export const IDENTIFIER_FORMAT = /^FAC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
export const CARD_SERIAL_FORMAT = /^[0-9A-F]{8}$/;
export const NAME_MAX = 100;
/** The OpenPGP card's certificate DO holds a few KB at most; anything bigger is not ours. */
export const MAX_CERTIFICATE_BYTES = 4096;

// ---------------------------------------------------------------------------------------------------
// X.509 writing: the building blocks of the certificates the CA issues (features/cards/ca.ts holds the
// key and signs); kept here, beside the reader, so that both sides of the profile change together

/** keyUsage BIT STRING with the given bits set, trailing zero bits dropped (DER). */
export function keyUsageBits(bits: number[]): Uint8Array {
  let value = 0;
  for (const b of bits) value |= 0x80 >> b;
  let unused = 0;
  while (unused < 8 && (value & (1 << unused)) === 0) unused++;
  return bitString(Uint8Array.of(value), unused);
}

export function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(encodeOid(oid), ...(critical ? [DER_TRUE] : []), octetString(value));
}

export const ECDSA_SHA256_ALG = seq(encodeOid(OID.ecdsaWithSha256));
export const P256_SPKI_PREFIX = concatBytes(
  Uint8Array.of(TAG.sequence, 0x59),
  seq(encodeOid(OID.ecPublicKey), encodeOid(OID.prime256v1)),
  Uint8Array.of(TAG.bitString, 0x42, 0x00),
);

export function p256Spki(point: Uint8Array): Uint8Array {
  return concatBytes(P256_SPKI_PREFIX, point);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(point: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(point).digest());
}

export function rdn(oid: string, value: Uint8Array): Uint8Array {
  return encodeTlv(TAG.set, seq(encodeOid(oid), value));
}

export function tbsCertificate(o: {
  serial: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  point: Uint8Array;
  extensions: Uint8Array[];
}): Uint8Array {
  return seq(
    encodeTlv(0xa0, derUnsigned(Uint8Array.of(2))),
    derUnsigned(o.serial),
    ECDSA_SHA256_ALG,
    o.issuer,
    seq(derTime(o.notBefore), derTime(o.notAfter)),
    o.subject,
    p256Spki(o.point),
    encodeTlv(0xa3, seq(...o.extensions)),
  );
}

// ---------------------------------------------------------------------------------------------------
// X.509 reading

export interface ParsedCertificate {
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

export function parseName(node: Der): Map<string, string[]> {
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
export function parseCertificate(der: Uint8Array): ParsedCertificate {
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

/** An uncompressed point on P-256 (the card driver's check: length, prefix, on the curve). */
export function isOnP256(point: Uint8Array): boolean {
  try {
    p256PublicKeyFromPoint(point);
    return true;
  } catch {
    return false;
  }
}

/** The P-256 point of a SubjectPublicKeyInfo, or null when it is another kind of key. */
export function p256PointOf(spki: Uint8Array): Uint8Array | null {
  if (spki.length !== P256_SPKI_PREFIX.length + 65 || !sameBytes(spki.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX)) return null;
  const point = spki.slice(P256_SPKI_PREFIX.length);
  return isOnP256(point) ? point : null;
}

export function keyUsageHas(value: Uint8Array, bit: number): boolean {
  const byte = value[3 + (bit >> 3)]; // 03 len unused bytes...
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

export function readKeyUsage(value: Uint8Array): Uint8Array {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length || node.tag !== TAG.bitString || node.content.length < 2 || node.content[0]! > 7) {
    throw new DerError('keyUsage: not a BIT STRING');
  }
  return value;
}

/** basicConstraints cA flag (false when absent from the SEQUENCE, as DER has it). */
export function readBasicConstraintsCa(value: Uint8Array): boolean {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length) throw new DerError('basicConstraints: trailing bytes');
  const parts = children(expectTag(node, TAG.sequence, 'basicConstraints'));
  return parts[0]?.tag === TAG.boolean && sameBytes(parts[0].raw, DER_TRUE);
}

export function readKeyIdentifier(value: Uint8Array, kind: 'ski' | 'aki'): Uint8Array | null {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length) throw new DerError('key identifier: trailing bytes');
  if (kind === 'ski') return expectTag(node, TAG.octetString, 'subjectKeyIdentifier').content;
  const id = children(expectTag(node, TAG.sequence, 'authorityKeyIdentifier')).find((c) => c.tag === 0x80);
  return id ? id.content : null;
}

// ---------------------------------------------------------------------------------------------------
// Certificates: summary, the CA certificate, CA signatures

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  isCa: boolean;
}

export function nameText(attributes: Map<string, string[]>): string {
  const short: Record<string, string> = {
    [OID.commonName]: 'CN',
    [OID.organization]: 'O',
    [OID.givenName]: 'GN',
    [OID.surname]: 'SN',
    [OID.serialNumber]: 'serialNumber',
  };
  return [...attributes].flatMap(([oid, values]) => values.map((v) => `${short[oid] ?? oid}=${v}`)).join(', ');
}

export interface CaView {
  subject: Uint8Array;
  subjectText: string;
  point: Uint8Array;
  keyId: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}

/** Reads a CA certificate (ours: self-signed P-256, CA:true); throws a TypeError naming the problem. */
export function readCa(der: Uint8Array): CaView {
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

/** Checks a raw r||s signature over `data` made by the key of this CA certificate. Never throws. */
export function verifyCaSignature(caCertificate: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifyP256Signature(readCa(caCertificate).point, data, signature);
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
 * Whether the pinned CA issued this certificate: its name, its key identifier when the certificate names
 * one, and its ECDSA P-256 / SHA-256 signature over the TBS. Null when it did; otherwise why not.
 */
export function issuedByCa(c: ParsedCertificate, ca: CaView): { problem: 'foreign' | 'malformed'; detail: string } | null {
  if (!sameBytes(c.issuer, ca.subject)) return { problem: 'foreign', detail: 'not issued under the platform CA’s name' };
  try {
    const aki = c.extensions.get(OID.authorityKeyIdentifier);
    const akiId = aki ? readKeyIdentifier(aki.value, 'aki') : null;
    if (akiId && !sameBytes(akiId, ca.keyId)) return { problem: 'foreign', detail: 'authority key identifier is not the platform CA’s' };
  } catch {
    return { problem: 'malformed', detail: 'authority key identifier cannot be read' };
  }
  let signed = false;
  if (sameBytes(c.signatureAlgorithm, ECDSA_SHA256_ALG) && sameBytes(c.innerSignatureAlgorithm, ECDSA_SHA256_ALG)) {
    try {
      signed = verify('sha256', c.tbs, { key: p256PublicKeyFromPoint(ca.point), dsaEncoding: 'der' }, c.signature);
    } catch {
      signed = false;
    }
  }
  return signed ? null : { problem: 'foreign', detail: 'signature does not verify against the platform CA' };
}

/**
 * The first steps of every check against the pinned CA: a DER certificate of a sensible size, issued
 * by the CA. Returns the parsed certificate, or why not (malformed, foreign).
 */
export function readIssuedCertificate(der: Uint8Array, ca: CaView): { ok: true; certificate: ParsedCertificate } | { ok: false; problem: 'foreign' | 'malformed'; detail: string } {
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_CERTIFICATE_BYTES) return { ok: false, problem: 'malformed', detail: 'not a certificate of a sensible size' };
  let c: ParsedCertificate;
  try {
    c = parseCertificate(der);
  } catch (e) {
    return { ok: false, problem: 'malformed', detail: `not a DER X.509 certificate (${e instanceof Error ? e.message : String(e)})` };
  }
  const issued = issuedByCa(c, ca);
  return issued ? { ok: false, ...issued } : { ok: true, certificate: c };
}

/**
 * Checks a certificate read from a card. Order: malformed (not a DER certificate) → foreign (not
 * issued by the pinned CA) → malformed (issued by it, but not our profile) → wrong-card (it names
 * another card: copied) → revoked → not-yet-valid / expired. Pure: no network, no clock but `now`.
 * Throws a TypeError only when the pinned CA certificate itself cannot be read (a configuration error).
 */
export async function checkCardCertificate(der: Uint8Array, opts: CheckCardCertificateOptions): Promise<CardCertificateCheck> {
  const read = readIssuedCertificate(der, readCa(opts.caCertificate));
  if (!read.ok) return fail(read.problem, read.detail);
  const c = read.certificate;

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
