/**
 * NIST P-256 helpers around the card's public keys: uncompressed points (04 || X || Y) as the card
 * returns them, node:crypto KeyObjects, raw r||s signature checks and OpenPGP v4 fingerprints.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { PcscError } from './errors.ts';

export const P256_OID = Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
/** OpenPGP public-key algorithm ids (RFC 4880 / 6637). */
export const PGP_ALGO_ECDH = 18;
export const PGP_ALGO_ECDSA = 19;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Builds a public KeyObject from an uncompressed P-256 point; throws malformed-response if off-curve. */
export function p256PublicKeyFromPoint(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new PcscError('malformed-response', `not an uncompressed P-256 point (${point.length} bytes)`);
  }
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch (e) {
    throw new PcscError('malformed-response', 'public key point is not on the P-256 curve', { cause: e });
  }
}

/**
 * Checks a raw r||s ECDSA signature made by the card over SHA-256(message): the caller sent the card
 * SHA-256(message) (PSO:CDS digest or INTERNAL AUTHENTICATE challenge).
 */
export function verifyP256Signature(point: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const key = p256PublicKeyFromPoint(point);
  return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

/**
 * OpenPGP v4 fingerprint of an ECC public key as GnuPG computes it (RFC 4880 §12.2, RFC 6637), so that
 * standard tools show the card keys. `created` is the key creation time in seconds.
 */
export function openPgpFingerprint(point: Uint8Array, created: number, algo: number = PGP_ALGO_ECDSA): Uint8Array {
  const bits = point.length * 8 - 5; // MPI bit count; the leading 0x04 has 3 bits set
  const parts: number[] = [0x04, (created >>> 24) & 0xff, (created >>> 16) & 0xff, (created >>> 8) & 0xff, created & 0xff];
  parts.push(algo, P256_OID.length, ...P256_OID, bits >> 8, bits & 0xff, ...point);
  if (algo === PGP_ALGO_ECDH) parts.push(0x03, 0x01, 0x08, 0x07); // KDF: SHA-256, AES-128
  const body = Uint8Array.from(parts);
  const h = createHash('sha1');
  h.update(Uint8Array.of(0x99, body.length >> 8, body.length & 0xff));
  h.update(body);
  return new Uint8Array(h.digest());
}
