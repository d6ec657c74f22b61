/**
 * Persistent state of a virtual card: one JSON file per card, validated on load, written atomically
 * (temp file + fsync + rename) so a crash never leaves a half-written card, and PIN counters survive.
 */
import { createECDH } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { jwkPublicPoint, type P256PrivateJwk } from './ecdsa.ts';
import { VcardError } from './errors.ts';

export const CARD_STATE_FORMAT = 'facilitateur-vcard';

/**
 * PIN lengths in bytes, as OpenPGP card spec 3.4 sets them: PW1 6+, RC and PW3 8+. The maximums are what
 * the PW status bytes (DO C4) advertise; the minimums are enforced when a PIN is set (CHANGE REFERENCE
 * DATA, RESET RETRY COUNTER), as a real card does. The platform's own rule (6 to 8 digits) is stricter
 * and checked before a card is asked.
 */
export const PIN_LIMITS = {
  pw1: { min: 6, max: 127 },
  rc: { min: 8, max: 127 },
  pw3: { min: 8, max: 127 },
} as const;
export const MAX_TRIES = 3;
export const DEFAULT_PW1 = '123456';
export const DEFAULT_PW3 = '12345678';
/** 0xFF00-0xFFFE: OpenPGP manufacturer range for unmanaged serial numbers. */
export const DEFAULT_MANUFACTURER = 0xff00;
/** P-256 algorithm attributes: ECDSA (0x13) / ECDH (0x12) + OID 1.2.840.10045.3.1.7 */
export const ATTR_ECDSA_P256 = '132a8648ce3d030107';
export const ATTR_ECDH_P256 = '122a8648ce3d030107';

const hex = (maxBytes: number) =>
  z
    .string()
    .regex(/^(?:[0-9a-f]{2})*$/, 'lower-case hex')
    .refine((s) => s.length / 2 <= maxBytes, `at most ${maxBytes} bytes`);
const hexExact = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes of hex`);
const b64url = z.string().regex(/^[A-Za-z0-9_-]{42,43}$/, 'base64url P-256 coordinate');
const counter = z.number().int().min(0).max(MAX_TRIES);
const uint32 = z.number().int().min(0).max(0xffffffff);

const KeySchema = z.object({
  jwk: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: b64url, y: b64url, d: b64url }),
  origin: z.enum(['generated', 'imported']),
});

const perRole = <T extends z.ZodType>(t: T) => z.object({ sig: t, dec: t, aut: t });

export const CardStateSchema = z.object({
  format: z.literal(CARD_STATE_FORMAT),
  version: z.literal(1),
  serial: z.string().regex(/^[0-9A-F]{8}$/),
  manufacturer: z.number().int().min(0).max(0xffff),
  /** PIN values as hex of their bytes: the virtual card needs them, as a real card does. */
  pins: z.object({ pw1: hex(PIN_LIMITS.pw1.max), pw3: hex(PIN_LIMITS.pw3.max), rc: hex(PIN_LIMITS.rc.max).nullable() }),
  counters: z.object({ pw1: counter, rc: counter, pw3: counter }),
  /** C4 byte 1: PW1 (0x81) stays valid for several signatures. */
  pw1ValidForSeveralSignatures: z.boolean(),
  dos: z.object({
    loginData: hex(255),
    name: hex(39),
    lang: hex(8),
    sex: hex(1),
    url: hex(255),
    certificate: hex(2048),
  }),
  algorithmAttributes: perRole(hex(16)),
  keys: perRole(KeySchema.nullable()),
  fingerprints: perRole(hexExact(20)),
  caFingerprints: perRole(hexExact(20)),
  generationTimes: perRole(uint32),
  signatureCounter: z.number().int().min(0).max(0xffffff),
});

export type CardState = z.infer<typeof CardStateSchema>;
export type KeyRole = 'sig' | 'dec' | 'aut';

const ZERO_FP = '00'.repeat(20);

export function isValidSerial(serial: string): boolean {
  return /^[0-9A-F]{8}$/.test(serial);
}

/** Path of a card's state file: `<dir>/<SERIAL>.json`. */
export function cardFile(dir: string, serial: string): string {
  if (!isValidSerial(serial)) {
    throw new VcardError('invalid-argument', `invalid card serial "${serial}": expected 8 upper-case hex digits`);
  }
  return join(dir, `${serial}.json`);
}

/** A card fresh from the factory: default PINs, no keys, no personal data. */
export function blankCardState(serial: string, manufacturer: number = DEFAULT_MANUFACTURER): CardState {
  if (!isValidSerial(serial)) throw new VcardError('invalid-argument', `invalid card serial "${serial}"`);
  const roles = <T>(v: T) => ({ sig: v, dec: v, aut: v });
  return {
    format: CARD_STATE_FORMAT,
    version: 1,
    serial,
    manufacturer,
    pins: { pw1: Buffer.from(DEFAULT_PW1).toString('hex'), pw3: Buffer.from(DEFAULT_PW3).toString('hex'), rc: null },
    counters: { pw1: MAX_TRIES, rc: 0, pw3: MAX_TRIES },
    pw1ValidForSeveralSignatures: false,
    dos: { loginData: '', name: '', lang: Buffer.from('fr').toString('hex'), sex: '39', url: '', certificate: '' },
    algorithmAttributes: { sig: ATTR_ECDSA_P256, dec: ATTR_ECDH_P256, aut: ATTR_ECDSA_P256 },
    keys: roles(null),
    fingerprints: roles(ZERO_FP),
    caFingerprints: roles(ZERO_FP),
    generationTimes: roles(0),
    signatureCounter: 0,
  };
}

function checkKeyConsistency(jwk: P256PrivateJwk): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(jwk.d, 'base64url'));
    return Buffer.from(jwkPublicPoint(jwk)).equals(ecdh.getPublicKey());
  } catch {
    return false;
  }
}

/** Validates an untrusted value as a card state (schema + key pairs consistent). */
export function parseCardState(value: unknown, source: string): CardState {
  const parsed = CardStateSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.')}: ${first.message}` : 'invalid';
    throw new VcardError('state-corrupt', `card state ${source} is invalid (${where})`);
  }
  for (const role of ['sig', 'dec', 'aut'] as const) {
    const key = parsed.data.keys[role];
    if (key && !checkKeyConsistency(key.jwk)) {
      throw new VcardError('state-corrupt', `card state ${source}: ${role} key pair is inconsistent`);
    }
  }
  return parsed.data;
}

export function loadCardState(path: string): CardState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new VcardError('state-not-found', `no card state at ${path}`, { cause: e });
    throw new VcardError('io-error', `cannot read card state ${path}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VcardError('state-corrupt', `card state ${path} is not valid JSON`, { cause: e });
  }
  return parseCardState(json, path);
}

function writeTemp(path: string, state: CardState): string {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Replaces the state file atomically. */
export function saveCardState(path: string, state: CardState): void {
  let tmp: string | undefined;
  try {
    tmp = writeTemp(path, state);
    renameSync(tmp, path);
    tmp = undefined;
  } catch (e) {
    throw new VcardError('io-error', `cannot write card state ${path}`, { cause: e });
  } finally {
    if (tmp) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

/** Writes a new state file, failing with `state-exists` rather than replacing an existing card. */
export function createCardStateFile(path: string, state: CardState): void {
  const tmp = writeTemp(path, state);
  try {
    linkSync(tmp, path); // atomic and exclusive: fails with EEXIST
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VcardError('state-exists', `a card already exists at ${path}`, { cause: e });
    }
    throw new VcardError('io-error', `cannot create card state ${path}`, { cause: e });
  } finally {
    unlinkSync(tmp);
  }
}
