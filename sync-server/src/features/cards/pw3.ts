/**
 * Each card's admin PIN (OpenPGP PW3) is derived from a platform secret and the card serial:
 * HMAC-SHA256(secret, "facilitateur/pw3/v1/" + serial), its first 64 bits mod 10^8, as 8 digits.
 * Staff can then unblock any card's PIN (VERIFY PW3 + RESET RETRY COUNTER) without a store of per-card
 * admin PINs, and knowing one card's PW3 tells nothing about another's.
 *
 * The reset code (RC) is not set: it would let the holder unblock their own PIN with a second secret
 * mailed to them, while the platform's rule is that a blocked card is unblocked by staff, in person,
 * after checking who holds it (DESIGN.md §4).
 */
import { createHmac } from 'node:crypto';

/** Factory defaults of OpenPGP cards (spec 3.4 §4.3.1). */
export const FACTORY_PW1 = '123456';
export const FACTORY_PW3 = '12345678';

export function derivePw3(secret: Uint8Array, cardSerial: string): string {
  if (secret.length < 16) throw new RangeError('the PW3 secret is too short');
  const mac = createHmac('sha256', secret).update(`facilitateur/pw3/v1/${cardSerial.toUpperCase()}`).digest();
  return (mac.readBigUInt64BE(0) % 100_000_000n).toString().padStart(8, '0');
}
