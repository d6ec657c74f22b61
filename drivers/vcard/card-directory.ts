/** Reads a folder of virtual card files into public summaries (never PINs or keys). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isVcardError } from './errors.ts';
import { loadCardState, type CardState } from './state.ts';

export interface CardSummary {
  serial: string;
  /** Login data: the printed identifier ('' on a blank card). */
  identifier: string;
  /** "Camille Martin" from the OpenPGP name "Martin<<Camille" ('' when unset). */
  holder: string;
  firstName: string;
  pinTriesLeft: number;
  adminPinTriesLeft: number;
  resetCodeTriesLeft: number | null;
  keys: { sig: boolean; dec: boolean; aut: boolean };
  certificateBytes: number;
  signatureCounter: number;
}

export interface CorruptCard {
  serial: string;
  error: string;
}

const CARD_FILE = /^([0-9A-F]{8})\.json$/;

/** Decodes the OpenPGP cardholder name ("Surname<<Given<names", ISO 8859-1). */
export function decodeCardholderName(hex: string): { holder: string; firstName: string; lastName: string } {
  const raw = Buffer.from(hex, 'hex').toString('latin1');
  const [last = '', first = ''] = raw.split('<<');
  const clean = (s: string) => s.replace(/</g, ' ').trim();
  const firstName = clean(first);
  const lastName = clean(last);
  return { holder: [firstName, lastName].filter(Boolean).join(' '), firstName, lastName };
}

export function summarizeCard(state: CardState): CardSummary {
  const name = decodeCardholderName(state.dos.name);
  return {
    serial: state.serial,
    identifier: Buffer.from(state.dos.loginData, 'hex').toString('utf8'),
    holder: name.holder,
    firstName: name.firstName,
    pinTriesLeft: state.counters.pw1,
    adminPinTriesLeft: state.counters.pw3,
    resetCodeTriesLeft: state.pins.rc === null ? null : state.counters.rc,
    keys: { sig: state.keys.sig !== null, dec: state.keys.dec !== null, aut: state.keys.aut !== null },
    certificateBytes: state.dos.certificate.length / 2,
    signatureCounter: state.signatureCounter,
  };
}

/** Lists the cards of a folder, sorted by serial; unreadable files are reported apart. */
export function listCards(dir: string): { cards: CardSummary[]; corrupt: CorruptCard[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { cards: [], corrupt: [] };
    throw e;
  }
  const cards: CardSummary[] = [];
  const corrupt: CorruptCard[] = [];
  for (const name of names.sort()) {
    const m = CARD_FILE.exec(name);
    if (!m) continue;
    try {
      const state = loadCardState(join(dir, name));
      if (state.serial !== m[1]) throw new Error(`file name does not match serial ${state.serial}`);
      cards.push(summarizeCard(state));
    } catch (e) {
      corrupt.push({ serial: m[1]!, error: isVcardError(e) ? e.code : e instanceof Error ? e.message : String(e) });
    }
  }
  return { cards, corrupt };
}
