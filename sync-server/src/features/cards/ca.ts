/**
 * The platform CA's private-key operations: creating the CA, reloading it, signing with it, issuing card
 * certificates and the certificate of the server's revocation-signing key. Only issuance stations (the
 * staff CLI, scripts/demo-cards.ts) hold the CA key; the profiles these certificates follow, and their
 * checks, are protocol (protocol/card-certificate.ts, protocol/revocation-signer.ts).
 */
import { randomBytes, KeyObject, sign, webcrypto } from 'node:crypto';
import { certificateFingerprint, CARD_SERIAL_FORMAT, ECDSA_SHA256_ALG, extension, fromPem, IDENTIFIER_FORMAT, isOnP256, keyIdentifier, keyUsageBits, KU_CRL_SIGN, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, NAME_MAX, OID, OID_CARD_ROLE, OID_CARD_SIGNATURE_KEY, OID_REVOCATION_LIST_SIGNING, rdn, readCa, ROLE_CODES, tbsCertificate, toPem } from '../../../protocol/card-certificate.ts';
import type { CardSubject } from '../../../protocol/card-certificate.ts';
import { bitString, DER_TRUE, derUnsigned, encodeOid, octetString, printable, seq, TAG, utf8 } from '../../../protocol/der.ts';
import { encodeTlv } from '../../../../drivers/pcsc/tlv.ts';

export type CryptoKey = webcrypto.CryptoKey;

function randomSerial(): Uint8Array {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, full length
  return new Uint8Array(b);
}

function signTbs(tbs: Uint8Array, privateKey: CryptoKey): Uint8Array {
  const sig = sign('sha256', tbs, { key: KeyObject.from(privateKey), dsaEncoding: 'der' });
  return seq(tbs, ECDSA_SHA256_ALG, bitString(new Uint8Array(sig)));
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

/** Signs bytes with a P-256 key (ECDSA over SHA-256(data)); raw r||s, 64 bytes. */
export async function signWithKey(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data));
}

/** Signs bytes with the CA key (ECDSA P-256 over SHA-256(data)); raw r||s, 64 bytes. */
export function signWithCa(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return signWithKey(privateKey, data);
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

function checkPoint(point: Uint8Array, what: string): void {
  if (point.length !== 65 || point[0] !== 0x04) throw new TypeError(`${what} must be an uncompressed P-256 point (65 bytes)`);
  if (!isOnP256(point)) throw new TypeError(`${what} is not a point on P-256`);
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
      extension(OID.authorityKeyIdentifier, false, seq(encodeTlv(0x80, ca.keyId))),
      extension(OID_CARD_ROLE, false, encodeTlv(TAG.enumerated, Uint8Array.of(ROLE_CODES[subject.role]))),
      extension(OID_CARD_SIGNATURE_KEY, false, octetString(opts.signaturePublicKey)),
    ],
  });
  return signTbs(tbs, opts.ca.privateKey);
}

/** The subject of every revocation-signing certificate (the platform's name for what it is). */
// not-words: a certificate's subject name, fixed once issued (changing it would change the certificate profile)
export const REVOCATION_SIGNER_NAME = 'Facilitateur - signature des listes de révocation';

export interface IssueRevocationSignerOptions {
  ca: { certificate: Uint8Array; privateKey: CryptoKey };
  /** the revocation-signing key, 04 || X || Y */
  publicKey: Uint8Array;
  /** kept to the second */
  notBefore: Date;
  notAfter: Date;
}

/**
 * Certifies the server's revocation-signing key (profile: protocol/revocation-signer.ts): keyUsage
 * digitalSignature only and extendedKeyUsage { OID_REVOCATION_LIST_SIGNING }, both critical, so that no
 * other software takes it for a TLS or code-signing key and no kiosk takes it for a card. Returns the
 * DER; throws a TypeError on bad input (nothing is signed).
 */
export async function issueRevocationSignerCertificate(opts: IssueRevocationSignerOptions): Promise<Uint8Array> {
  checkPoint(opts.publicKey, 'revocation-signing public key');
  if (!(opts.notAfter.getTime() > opts.notBefore.getTime())) throw new TypeError('notAfter must be after notBefore');
  const ca = readCa(opts.ca.certificate);
  if (opts.notAfter.getTime() > ca.notAfter.getTime()) throw new TypeError('the revocation-signing certificate would outlive the CA certificate');
  const tbs = tbsCertificate({
    serial: randomSerial(),
    issuer: ca.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    subject: seq(rdn(OID.commonName, utf8(REVOCATION_SIGNER_NAME)), rdn(OID.organization, utf8('Facilitateur'))),
    point: opts.publicKey,
    extensions: [
      extension(OID.keyUsage, true, keyUsageBits([KU_DIGITAL_SIGNATURE])),
      extension(OID.basicConstraints, true, seq()),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(opts.publicKey))),
      extension(OID.authorityKeyIdentifier, false, seq(encodeTlv(0x80, ca.keyId))),
      extension(OID.extKeyUsage, true, seq(encodeOid(OID_REVOCATION_LIST_SIGNING))),
    ],
  });
  return signTbs(tbs, opts.ca.privateKey);
}

/** A fresh P-256 key pair for signing, its private half exportable (PKCS#8) so it can be saved. */
export async function generateSigningKey(): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return { privateKey: keys.privateKey, publicKey: new Uint8Array(await webcrypto.subtle.exportKey('raw', keys.publicKey)) };
}
