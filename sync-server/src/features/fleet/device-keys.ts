/**
 * Kiosk device keys: ECDSA P-256 public keys (SPKI DER, base64url) and their signatures (raw r‖s,
 * base64url). Anything else — another curve, RSA, a malformed key — is refused.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The public key as a KeyObject, or null when it is not a well-formed P-256 key. */
export function parseDevicePublicKey(spkiBase64url: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64url, 'base64url'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
    // the canonical encoding only: the same key cannot be registered under two spellings
    if (key.export({ format: 'der', type: 'spki' }).toString('base64url') !== spkiBase64url) return null;
    return key;
  } catch {
    return null;
  }
}

/** Checks a device signature (SHA-256, raw r‖s) over a UTF-8 text. */
export function verifyDeviceSignature(key: KeyObject, text: string, signatureBase64url: string): boolean {
  const signature = Buffer.from(signatureBase64url, 'base64url');
  if (signature.length !== 64) return false;
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
