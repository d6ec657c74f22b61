/**
 * The card PIN rule, in one place: the server's issuance and unblocking, the staff command, the kiosk's
 * contract and its PIN pad all read it from here.
 *
 * The PIN is the OpenPGP card's PW1. The OpenPGP card specification 3.4 sets its minimum length to 6, and
 * standard middleware enforces it (OpenSC's PKCS#11 module answers CKR_PIN_LEN_RANGE, GnuPG asks for 6),
 * so a shorter PIN would lock our cards out of every standard tool. Digits only and at most 8, because a
 * person types it on the kiosk's number pad. The admin PIN (PW3) follows the spec's 8 or more; the
 * platform derives it per card, as 8 digits.
 */
import { z } from 'zod';

export const CARD_PIN_LENGTH = { min: 6, max: 8 } as const;
/** OpenPGP card spec 3.4: PW3 (admin PIN) is at least 8 characters long. */
export const CARD_ADMIN_PIN_MIN_LENGTH = 8;

const PIN_PATTERN = new RegExp(`^[0-9]{${CARD_PIN_LENGTH.min},${CARD_PIN_LENGTH.max}}$`);

/** Is this a PIN a card may be given or asked: 6 to 8 digits, nothing else? */
export function isCardPin(pin: string): boolean {
  return PIN_PATTERN.test(pin);
}

/** A card PIN at a boundary; `message` is what the person is told when it is not one. */
export function cardPinSchema(message: string): z.ZodString {
  return z.string().regex(PIN_PATTERN, message);
}
