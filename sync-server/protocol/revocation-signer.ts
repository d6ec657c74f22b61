/**
 * Who may sign a revocation list, and the kiosk's check of a list it receives (DESIGN.md §4, §6).
 *
 * The internet-facing server holds no CA key: it signs lists with a **revocation-signing key**, whose
 * certificate the platform CA issued for that one purpose. The list carries that certificate
 * (`signerCertificate`, revocation.ts) and the kiosk checks the chain offline:
 *   1. the certificate was issued by the pinned CA (name, key identifier, signature: issuedByCa);
 *   2. its profile: X.509 v3, a P-256 key, basicConstraints CA:false, keyUsage digitalSignature only
 *      (critical), extendedKeyUsage exactly { OID_REVOCATION_LIST_SIGNING }, no unknown critical
 *      extension — a card certificate, a CA certificate, a certificate for another purpose are refused;
 *   3. it is valid now, and was valid when the list says it was issued;
 *   4. the list's signature verifies with its key.
 * A list without `signerCertificate` must verify with the CA key itself: issuance stations (which hold
 * the CA) may sign, and so were the lists published before the server had its own key. Refusing those
 * would protect nothing (whoever holds the CA key can certify a revocation key anyway) and would leave
 * a kiosk without the list it needs during an upgrade or when the revocation key is lost.
 *
 * Pure: no network, no clock but `now`.
 */
import { verifyP256Signature } from '../../drivers/pcsc/ec.ts';
import {
  certificateFingerprint,
  KU_CRL_SIGN,
  KU_DIGITAL_SIGNATURE,
  KU_KEY_CERT_SIGN,
  OID,
  OID_REVOCATION_LIST_SIGNING,
  p256PointOf,
  readBasicConstraintsCa,
  readCa,
  readIssuedCertificate,
  readKeyUsage,
  keyUsageHas,
  verifyCaSignature,
} from './card-certificate.ts';
import type { ParsedCertificate } from './card-certificate.ts';
import { children, decodeOid, DerError, expectTag, readTlv, TAG } from './der.ts';
import { revocationSigningPayload } from './revocation.ts';
import type { RevocationList } from './revocation.ts';

export type RevocationSignerProblem = 'malformed' | 'foreign' | 'wrong-purpose' | 'not-yet-valid' | 'expired';

export interface RevocationSignerInfo {
  /** 04 || X || Y: the lists' signatures verify against it */
  publicKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** lower-case hex */
  certificateSerial: string;
  /** SHA-256 of the certificate (AA:BB:…) */
  fingerprint: string;
}

export type RevocationSignerCheck =
  | { ok: true; info: RevocationSignerInfo }
  | { ok: false; problem: RevocationSignerProblem; detail: string };

const KNOWN_EXTENSIONS = new Set<string>([OID.keyUsage, OID.basicConstraints, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.extKeyUsage]);

class WrongPurpose extends Error {}

/** The key purposes of an extendedKeyUsage value (SEQUENCE OF OBJECT IDENTIFIER), strictly. */
export function readExtendedKeyUsage(value: Uint8Array): string[] {
  const node = readTlv(value, 0);
  if (node.raw.length !== value.length) throw new DerError('extendedKeyUsage: trailing bytes');
  const purposes = children(expectTag(node, TAG.sequence, 'extendedKeyUsage')).map((p) => decodeOid(expectTag(p, TAG.oid, 'key purpose')));
  if (purposes.length === 0) throw new DerError('extendedKeyUsage: empty');
  return purposes;
}

/** The profile of a revocation-signing certificate; DerError when it is not well formed, WrongPurpose when it is for something else. */
function readSignerProfile(c: ParsedCertificate): Uint8Array {
  if (c.version !== 3) throw new DerError('not an X.509 v3 certificate');
  const point = p256PointOf(c.spki);
  if (!point) throw new DerError('the certified key is not a P-256 key');
  for (const [oid, ext] of c.extensions) {
    if (ext.critical && !KNOWN_EXTENSIONS.has(oid)) throw new DerError(`unknown critical extension ${oid}`);
  }
  const bc = c.extensions.get(OID.basicConstraints);
  if (!bc) throw new DerError('basicConstraints missing');
  if (readBasicConstraintsCa(bc.value)) throw new WrongPurpose('a CA certificate is not a revocation-signing key');
  const ku = c.extensions.get(OID.keyUsage);
  if (!ku || !ku.critical) throw new DerError('keyUsage (critical) missing');
  const bits = readKeyUsage(ku.value);
  if (!keyUsageHas(bits, KU_DIGITAL_SIGNATURE)) throw new WrongPurpose('keyUsage digitalSignature missing');
  if (keyUsageHas(bits, KU_KEY_CERT_SIGN) || keyUsageHas(bits, KU_CRL_SIGN)) throw new WrongPurpose('a revocation-signing key may not sign certificates');
  const eku = c.extensions.get(OID.extKeyUsage);
  if (!eku) throw new WrongPurpose('no extendedKeyUsage: not certified for signing revocation lists');
  const purposes = readExtendedKeyUsage(eku.value);
  if (purposes.length !== 1 || purposes[0] !== OID_REVOCATION_LIST_SIGNING) {
    throw new WrongPurpose(`certified for ${purposes.join(', ')}, not for signing revocation lists only`);
  }
  return point;
}

export interface CheckRevocationSignerOptions {
  /** the pinned platform CA certificate, DER */
  caCertificate: Uint8Array;
  now: Date;
}

/**
 * Checks a revocation-signing certificate against the pinned CA. Order: malformed → foreign (not
 * issued by the pinned CA) → malformed (not the profile) → wrong-purpose → not-yet-valid / expired.
 * Throws a TypeError only when the pinned CA certificate itself cannot be read (a configuration error).
 */
export function checkRevocationSignerCertificate(der: Uint8Array, opts: CheckRevocationSignerOptions): RevocationSignerCheck {
  const fail = (problem: RevocationSignerProblem, detail: string): RevocationSignerCheck => ({ ok: false, problem, detail });
  const read = readIssuedCertificate(der, readCa(opts.caCertificate));
  if (!read.ok) return fail(read.problem, read.detail);
  const c = read.certificate;
  let publicKey: Uint8Array;
  try {
    publicKey = readSignerProfile(c);
  } catch (e) {
    if (e instanceof WrongPurpose) return fail('wrong-purpose', e.message);
    return fail('malformed', `not a revocation-signing certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  const now = opts.now.getTime();
  if (now < c.notBefore.getTime()) return fail('not-yet-valid', `valid from ${c.notBefore.toISOString()}`);
  if (now > c.notAfter.getTime()) return fail('expired', `expired on ${c.notAfter.toISOString()}`);
  return {
    ok: true,
    info: { publicKey, notBefore: c.notBefore, notAfter: c.notAfter, certificateSerial: c.serialHex, fingerprint: certificateFingerprint(der) },
  };
}

export type RevocationListProblem = RevocationSignerProblem | 'bad-signature';

export type RevocationListCheck =
  | { ok: true; signer: { kind: 'ca' } | { kind: 'revocation-key'; info: RevocationSignerInfo } }
  | { ok: false; problem: RevocationListProblem; detail: string };

/**
 * The kiosk's check of a revocation list (see the top of this file). A list that passes was signed by
 * the platform CA or by a key it certified for that purpose, and is exactly what was signed. Throws a
 * TypeError only when the pinned CA certificate itself cannot be read.
 */
export function verifyRevocationList(list: RevocationList, opts: CheckRevocationSignerOptions): RevocationListCheck {
  readCa(opts.caCertificate);
  const payload = revocationSigningPayload(list);
  const signature = new Uint8Array(Buffer.from(list.signature, 'base64url'));
  if (list.signerCertificate === undefined) {
    return verifyCaSignature(opts.caCertificate, payload, signature)
      ? { ok: true, signer: { kind: 'ca' } }
      : { ok: false, problem: 'bad-signature', detail: 'no signer certificate, and the signature is not the platform CA’s' };
  }
  const der = new Uint8Array(Buffer.from(list.signerCertificate, 'base64url'));
  const signer = checkRevocationSignerCertificate(der, opts);
  if (!signer.ok) return signer;
  const issuedAt = Date.parse(list.issuedAt);
  if (issuedAt < signer.info.notBefore.getTime() || issuedAt > signer.info.notAfter.getTime()) {
    return { ok: false, problem: issuedAt < signer.info.notBefore.getTime() ? 'not-yet-valid' : 'expired', detail: `list issued on ${list.issuedAt}, outside its signer's validity` };
  }
  let good: boolean;
  try {
    good = verifyP256Signature(signer.info.publicKey, payload, signature);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, problem: 'bad-signature', detail: 'the signature does not verify with the signer certificate’s key' };
  return { ok: true, signer: { kind: 'revocation-key', info: signer.info } };
}
