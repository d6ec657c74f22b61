/** Checks and encodings of what issuance writes on a card: the PIN and the cardholder name (DO 5B). */
import { CARD_PIN_LENGTH, isCardPin } from '../../../protocol/card-pin.ts';
import { CARD_PIN_WORDS } from '../../kernel/words/staff.ts';
import { CardAdminError } from './errors.ts';

/**
 * The protocol's PIN rule (6 to 8 digits, the card's PW1). The message is French: staff read it at the
 * issuance station, and the card is not touched when the PIN is refused.
 */
export function checkPin(pin: string): void {
  if (!isCardPin(pin)) throw new CardAdminError('invalid', CARD_PIN_WORDS.badLength(CARD_PIN_LENGTH.min, CARD_PIN_LENGTH.max));
}

/** A person's name as typed by staff: trimmed, 1 to 100 characters, no control characters. */
export function checkPersonName(raw: string, what: string): string {
  const control = [...raw].some((ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f));
  const name = raw.normalize('NFC').trim().replace(/ +/g, ' ');
  if (control || name === '' || name.length > 100) {
    throw new CardAdminError('invalid', `${what} must be 1 to 100 printable characters`);
  }
  return name;
}

/**
 * OpenPGP cardholder name: "Surname<<Given<names", ISO 8859-1, at most 39 bytes (spec 3.4 §4.4.3.5).
 * It is only what standard tools show; the certificate carries the names in full. Characters outside
 * Latin-1 lose their accents (or become '?'), '<' becomes a space, and long names are cut.
 */
export function cardholderNameBytes(firstName: string, lastName: string): Uint8Array {
  const latin1 = (s: string) =>
    [...s.normalize('NFC')]
      .map((ch) => {
        if (ch === '<') return ' ';
        if (ch.charCodeAt(0) <= 0xff) return ch;
        const plain = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '');
        return plain.length === 1 && plain.charCodeAt(0) <= 0xff ? plain : '?';
      })
      .join('')
      .trim()
      .replace(/\s+/g, '<');
  let text = `${latin1(lastName)}<<${latin1(firstName)}`;
  if (text.length > 39) text = text.slice(0, 39).replace(/<+$/, '');
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
