/**
 * Issues a virtual card file the way an issuing station personalises a real card: over APDUs (the
 * OpenPGP client talking to the card model in process), keys generated inside the card, PINs set last.
 * The file appears only once the card is complete (exclusive create: an existing card is never replaced).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { openPgpFingerprint, PGP_ALGO_ECDSA } from '../pcsc/ec.ts';
import { OpenPgpCard, type KeyRole } from '../pcsc/openpgp.ts';
import { directConnection } from './direct-connection.ts';
import { VcardError } from './errors.ts';
import { VirtualOpenPgpCard } from './openpgp-card.ts';
import { blankCardState, cardFile, createCardStateFile, DEFAULT_PW1, DEFAULT_PW3, PIN_LIMITS } from './state.ts';

export interface IssueVirtualCardOptions {
  dir: string;
  serial: string;
  /** Printed identifier, stored in Login data (5E). */
  identifier: string;
  pin: string;
  adminPin?: string;
  resetCode?: string;
  holder?: { firstName: string; lastName: string };
  /** X.509 certificate (DER) to store in 7F21; issuance by the platform CA comes later. */
  certificate?: Uint8Array;
}

const FP_TAG: Record<KeyRole, number> = { sig: 0xc7, dec: 0xc8, aut: 0xc9 };
const TIME_TAG: Record<KeyRole, number> = { sig: 0xce, dec: 0xcf, aut: 0xd0 };

function checkPin(value: string, what: string, limits: { min: number; max: number }): void {
  const n = Buffer.byteLength(value, 'utf8');
  if (n < limits.min || n > limits.max) {
    throw new VcardError('invalid-argument', `${what} must be ${limits.min} to ${limits.max} characters long`);
  }
}

/** OpenPGP card name format: "Surname<<Given<names", ISO 8859-1, at most 39 bytes. */
export function cardholderName(firstName: string, lastName: string): Uint8Array {
  const part = (s: string) => {
    // '<' is the format's separator; the DO is ISO 8859-1.
    if ([...s].some((c) => c === '<' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0xff)) {
      throw new VcardError('invalid-argument', 'cardholder name has characters a card cannot store');
    }
    return s.trim().replace(/\s+/g, '<');
  };
  const name = Buffer.from(`${part(lastName)}<<${part(firstName)}`, 'latin1');
  if (name.length > 39) throw new VcardError('invalid-argument', 'cardholder name longer than 39 characters');
  return new Uint8Array(name);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

async function expectPinOk(p: Promise<{ ok: boolean }>, what: string): Promise<void> {
  if (!(await p).ok) throw new Error(`issuance: ${what} refused by the card`);
}

/** Creates and personalises a card; returns the path of its state file. */
export async function issueVirtualCard(opts: IssueVirtualCardOptions): Promise<string> {
  const path = cardFile(opts.dir, opts.serial);
  if (!/^[\x21-\x7e]{1,255}$/.test(opts.identifier)) {
    throw new VcardError('invalid-argument', 'identifier must be 1 to 255 printable ASCII characters');
  }
  checkPin(opts.pin, 'PIN', PIN_LIMITS.pw1);
  if (opts.adminPin !== undefined) checkPin(opts.adminPin, 'admin PIN', PIN_LIMITS.pw3);
  if (opts.resetCode !== undefined) checkPin(opts.resetCode, 'reset code', PIN_LIMITS.rc);
  const name = opts.holder ? cardholderName(opts.holder.firstName, opts.holder.lastName) : undefined;
  mkdirSync(opts.dir, { recursive: true });
  if (existsSync(path)) throw new VcardError('state-exists', `a card already exists at ${path}`);

  const model = new VirtualOpenPgpCard(blankCardState(opts.serial));
  const conn = directConnection(model, 'issuance');
  try {
    const card = await OpenPgpCard.select(conn);
    await expectPinOk(card.verifyPin(DEFAULT_PW3, 0x83), 'default admin PIN');
    await card.putData(0x5e, new TextEncoder().encode(opts.identifier));
    if (name) await card.putData(0x5b, name);
    const created = Math.floor(Date.now() / 1000);
    for (const role of ['sig', 'aut'] as const) {
      const point = await card.generateKeyPair(role);
      await card.putData(FP_TAG[role], openPgpFingerprint(point, created, PGP_ALGO_ECDSA));
      await card.putData(TIME_TAG[role], u32(created));
    }
    if (opts.certificate) await card.putCertificate(opts.certificate);
    if (opts.resetCode !== undefined) await card.putData(0xd3, new TextEncoder().encode(opts.resetCode));
    await expectPinOk(card.changeReferenceData(0x81, DEFAULT_PW1, opts.pin), 'PIN change');
    if (opts.adminPin !== undefined) await expectPinOk(card.changeReferenceData(0x83, DEFAULT_PW3, opts.adminPin), 'admin PIN change');
  } finally {
    await conn.disconnect();
  }
  createCardStateFile(path, model.snapshot());
  return path;
}
