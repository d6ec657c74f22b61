/**
 * Console passwords: scrypt (node:crypto) with a random salt; the parameters are stored with the hash,
 * as `scrypt$N$r$p$salt$hash` (base64url), so they can be raised later without breaking old hashes.
 * Compared in constant time. Passwords are never logged nor stored in clear.
 */
import { randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: about 32 MiB and a few tens of milliseconds per hash. */
export const SCRYPT_PARAMS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_CHARS = 12;
export const MAX_PASSWORD_CHARS = 200;

/**
 * Every scrypt this process runs, counted where it runs: how many started, how many are running now, and
 * the most that ran at once. Read by tests (the global cap is measured by counting, never by timing) and
 * cheap enough to keep in production.
 */
const runs = { started: 0, running: 0, peak: 0 };

export function scryptStats(): { started: number; running: number; peak: number } {
  return { ...runs };
}

/** Starts a new peak measurement (the running count stays as it is). */
export function resetScryptPeak(): void {
  runs.peak = runs.running;
}

function scrypt(password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  runs.started++;
  runs.running++;
  runs.peak = Math.max(runs.peak, runs.running);
  return new Promise<Buffer>((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key)));
  }).finally(() => {
    runs.running--;
  });
}

const maxmem = (N: number, r: number) => 128 * N * r * 2;

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, { ...params, maxmem: maxmem(params.N, params.r) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const STORED = /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

/** True when `password` matches the stored hash; false for a malformed stored value too. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // a stored value is ours, but bounds keep a tampered row from exhausting memory
  if (N < 1024 || N > 1_048_576 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(m[4]!, 'base64url');
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = await scrypt(password, salt, expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A cap on the password checks running at once: each costs a 32 MiB scrypt, so a flood of logins could
 * otherwise take every core and the memory. Beyond the cap an attempt is turned away at once (never
 * queued), before anything is hashed or counted.
 */
export const DEFAULT_PASSWORD_CHECKS = 4;

export class PasswordCheckGate {
  private running = 0;

  constructor(readonly max = DEFAULT_PASSWORD_CHECKS) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('the password check cap is a positive integer');
  }

  /** Runs `check` if a place is free (the result), else null at once without running it. */
  async tryRun<T>(check: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.running >= this.max) return null;
    this.running++;
    try {
      return { value: await check() };
    } finally {
      this.running--;
    }
  }
}

/** A hash of nothing anyone knows: an unknown login costs the same time as a wrong password. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
}

/** A random password to print once (about 120 bits, no look-alike characters). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  for (let i = 0; i < 24; i++) out += alphabet[randomInt(alphabet.length)];
  return `${out.slice(0, 6)}-${out.slice(6, 12)}-${out.slice(12, 18)}-${out.slice(18, 24)}`;
}
