/**
 * The server's revocation-signing key (DESIGN.md §6: the internet-facing server holds no CA key and no
 * card admin secret). The server signs revocation lists with a key of its own, certified by the platform
 * CA for that one purpose and for a short time (protocol/revocation-signer.ts says what kiosks accept).
 *
 * Where the CA is (an issuance station), `issueRevocationKey` makes a new key and writes what the server
 * needs into the server's data folder, `<server data>/ca/`:
 *   ca.cert.pem          the platform CA's certificate (public; written when missing, never replaced)
 *   revocation-key.pem   the key's certificate, then its private key (PKCS#8), mode 0600
 * Both halves are in one file so that a rotation replaces them in one rename: a crash leaves the old key
 * or the new one, never a key with another key's certificate. The server reads it with
 * `loadRevocationKey`, which refuses a file others may read, a key that is not the certificate's, and a
 * certificate the CA did not issue, issued for another purpose, or not valid now.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { certificateFingerprint, fromPem, toPem } from '../../../protocol/card-certificate.ts';
import { checkRevocationSignerCertificate } from '../../../protocol/revocation-signer.ts';
import { exportPrivateKeyPem, generateSigningKey, importPrivateKeyPem, issueRevocationSignerCertificate, signWithCa, signWithKey } from './ca.ts';
import type { CryptoKey, PlatformCa } from './ca.ts';
import { CA_FILES, CaError, caDir, readSecretFile, writeFileDurably } from './ca-store.ts';
import type { CaErrorCode } from './ca-store.ts';

export const REVOCATION_KEY_FILE = 'revocation-key.pem';
/** One year: a key that leaked stops being accepted by kiosks within a year at most. */
export const DEFAULT_REVOCATION_KEY_DAYS = 365;
export const MAX_REVOCATION_KEY_DAYS = 731;
/** The server warns at start when its key expires sooner than this; the demo renews it then. */
export const REVOCATION_KEY_RENEW_DAYS = 30;

const DAY_MS = 86_400_000;

/** What signs revocation lists: the server's revocation-signing key, or the CA key on an issuance station. */
export interface RevocationSigner {
  kind: 'revocation-key' | 'ca';
  /** the signer's certificate, carried by the lists it signs; null for the CA (kiosks pin it) */
  certificate: Uint8Array | null;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the signer's certificate (AA:BB:…) */
  fingerprint: string;
  /** raw r||s ECDSA P-256 over SHA-256(data) */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** The CA itself as the signer (issuance stations): the lists it signs carry no certificate. */
export function caRevocationSigner(ca: PlatformCa): RevocationSigner {
  const key = ca.privateKey;
  return { kind: 'ca', certificate: null, notBefore: ca.notBefore, notAfter: ca.notAfter, fingerprint: ca.fingerprint, sign: (data) => signWithCa(key, data) };
}

export function revocationKeyPath(dataDir: string): string {
  return join(caDir(dataDir), REVOCATION_KEY_FILE);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `text` in one rename, the bytes on disk first. */
function replaceFileDurably(path: string, dir: string, text: string, mode: number): void {
  const staging = join(dir, `.${REVOCATION_KEY_FILE}.${randomBytes(6).toString('hex')}`);
  try {
    writeFileDurably(staging, text, mode);
    renameSync(staging, path);
  } catch (e) {
    rmSync(staging, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

export interface IssuedRevocationKey {
  path: string;
  certificate: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  /** lower-case hex */
  certificateSerial: string;
  /** the previous key's fingerprint, when this one replaced it */
  replaced: string | null;
}

/**
 * Makes a new revocation-signing key certified by `ca`, valid `validityDays` (365; never beyond the
 * CA), and installs it in `<serverDataDir>/ca/`, replacing the previous one (rotation). Refuses
 * (CaError 'other-ca') when that folder pins another CA's certificate.
 */
export async function issueRevocationKey(
  ca: PlatformCa,
  serverDataDir: string,
  opts: { validityDays?: number; now?: Date } = {},
): Promise<IssuedRevocationKey> {
  const days = opts.validityDays ?? DEFAULT_REVOCATION_KEY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_REVOCATION_KEY_DAYS) throw new TypeError(`validity must be 1 to ${MAX_REVOCATION_KEY_DAYS} days`);
  const now = opts.now ?? new Date();
  const dir = caDir(serverDataDir);
  const caPath = join(dir, CA_FILES.certificate);
  if (existsSync(caPath)) {
    let pinned: Uint8Array;
    try {
      pinned = fromPem(readFileSync(caPath, 'utf8'));
    } catch (e) {
      throw new CaError('unreadable', `${caPath} cannot be read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (!Buffer.from(pinned).equals(Buffer.from(ca.certificate))) {
      throw new CaError('other-ca', `${caPath} is another CA's certificate: this server trusts another platform CA`);
    }
  }
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(Math.min(notBefore.getTime() + days * DAY_MS, Math.floor(ca.notAfter.getTime() / 1000) * 1000));
  const key = await generateSigningKey();
  const certificate = await issueRevocationSignerCertificate({ ca, publicKey: key.publicKey, notBefore, notAfter });
  const check = checkRevocationSignerCertificate(certificate, { caCertificate: ca.certificate, now });
  if (!check.ok) throw new Error(`the new revocation-signing certificate does not pass its own check: ${check.problem}: ${check.detail}`);

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = revocationKeyPath(serverDataDir);
  let replaced: string | null = null;
  if (existsSync(path)) {
    try {
      replaced = certificateFingerprint(fromPem(readFileSync(path, 'utf8')));
    } catch {
      replaced = null; // unreadable: replaced all the same
    }
  }
  if (!existsSync(caPath)) writeFileDurably(caPath, toPem(ca.certificate), 0o644);
  replaceFileDurably(path, dir, `${toPem(certificate)}${await exportPrivateKeyPem(key.privateKey)}`, 0o600);
  return { path, certificate, notBefore, notAfter, fingerprint: check.info.fingerprint, certificateSerial: check.info.certificateSerial, replaced };
}

const PROBLEM_CODE: Record<string, CaErrorCode> = {
  malformed: 'unreadable',
  foreign: 'foreign',
  'wrong-purpose': 'wrong-purpose',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
};

export interface LoadedRevocationKey extends RevocationSigner {
  kind: 'revocation-key';
  certificate: Uint8Array;
  path: string;
  /** lower-case hex */
  certificateSerial: string;
}

/**
 * The server's revocation-signing key, checked against `caCertificate` at `now`; null when there is
 * none. Throws CaError naming the problem when it is there but must not be used.
 */
export async function loadRevocationKey(dataDir: string, caCertificate: Uint8Array, now: Date = new Date()): Promise<LoadedRevocationKey | null> {
  const path = revocationKeyPath(dataDir);
  if (!existsSync(path)) return null;
  const pem = readSecretFile(path);
  let certificate: Uint8Array;
  let privateKey: CryptoKey;
  try {
    certificate = fromPem(pem, 'CERTIFICATE');
    privateKey = await importPrivateKeyPem(pem);
  } catch (e) {
    throw new CaError('unreadable', `${path} is not a certificate and a PKCS#8 P-256 key: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const check = checkRevocationSignerCertificate(certificate, { caCertificate, now });
  if (!check.ok) throw new CaError(PROBLEM_CODE[check.problem] ?? 'unreadable', `${path}: ${check.problem}: ${check.detail}`);
  const probe = new Uint8Array(randomBytes(32));
  let matches: boolean;
  try {
    matches = verifyP256Signature(check.info.publicKey, probe, await signWithKey(privateKey, probe));
  } catch {
    matches = false;
  }
  if (!matches) throw new CaError('mismatch', `${path}: the private key is not the certificate's`);
  return {
    kind: 'revocation-key',
    path,
    certificate,
    notBefore: check.info.notBefore,
    notAfter: check.info.notAfter,
    fingerprint: check.info.fingerprint,
    certificateSerial: check.info.certificateSerial,
    sign: (data) => signWithKey(privateKey, data),
  };
}
