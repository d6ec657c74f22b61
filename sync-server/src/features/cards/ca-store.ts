/**
 * The platform CA on an issuance station's disk, in `<data>/ca/`:
 *   ca.key.pem   the CA private key, PKCS#8 PEM, mode 0600
 *   ca.cert.pem  the self-signed CA certificate (kiosks pin it)
 *   pw3.secret   the platform secret the cards' admin PINs are derived from (pw3.ts), mode 0600
 * `initCa` writes the three files into a fresh folder and renames it into place, so a crash never
 * leaves half a CA; it never overwrites one. `loadCa` reads them back and checks that the key is the
 * certificate's and that the secret files are not readable by others.
 *
 * The internet-facing server holds only `ca.cert.pem` (`loadCaCertificate`) and its own
 * revocation-signing key (revocation-key.ts) in the same place of its data folder; `issuanceSecretsIn`
 * finds the two files it must never hold.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeCertificate, fromPem, toPem } from '../../../protocol/card-certificate.ts';
import { createPlatformCa, exportPrivateKeyPem, importPrivateKeyPem, loadPlatformCa } from './ca.ts';
import type { PlatformCa } from './ca.ts';

export const CA_FILES = { privateKey: 'ca.key.pem', certificate: 'ca.cert.pem', pw3Secret: 'pw3.secret' } as const;
// not-words: the CA certificate's subject name, fixed once issued
export const DEFAULT_CA_NAME = 'Facilitateur - autorité des cartes';
export const DEFAULT_CA_YEARS = 25;

export interface LoadedCa extends PlatformCa {
  /** 32 bytes; see pw3.ts */
  pw3Secret: Uint8Array;
  dir: string;
}

export type CaErrorCode =
  | 'exists'
  | 'incomplete'
  | 'unreadable'
  | 'insecure'
  | 'mismatch'
  /** a revocation-signing certificate the platform CA did not issue */
  | 'foreign'
  /** a certificate that is not for signing revocation lists */
  | 'wrong-purpose'
  | 'expired'
  | 'not-yet-valid'
  /** a revocation-signing key without the CA certificate to check it against */
  | 'no-ca-certificate'
  /** a server's folder that trusts another platform CA than the one issuing its key */
  | 'other-ca';

export class CaError extends Error {
  constructor(
    readonly code: CaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaError';
  }
}

export function caDir(dataDir: string): string {
  return join(dataDir, 'ca');
}

/** Creates `path` (never replaces a file) with this mode and its bytes on disk before returning. */
export function writeFileDurably(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface InitCaOptions {
  commonName?: string;
  validityYears?: number;
  now?: Date;
}

/** Creates the CA in `<dataDir>/ca/`; refuses (CaError 'exists') when one is there already. */
export function initCa(dataDir: string, opts: InitCaOptions = {}): Promise<LoadedCa> {
  return initCaIn(caDir(dataDir), opts);
}

/**
 * Creates the CA in the folder `dir` (an issuance station's, e.g. on a removable medium); refuses
 * (CaError 'exists') when one is there already.
 */
export async function initCaIn(dir: string, opts: InitCaOptions = {}): Promise<LoadedCa> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new CaError('exists', `a CA already exists in ${dir}; it is never overwritten`);
  }
  const now = opts.now ?? new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (opts.validityYears ?? DEFAULT_CA_YEARS));
  const ca = await createPlatformCa({ commonName: opts.commonName ?? DEFAULT_CA_NAME, notBefore: now, notAfter });
  const pw3Secret = new Uint8Array(randomBytes(32));

  mkdirSync(dirname(dir), { recursive: true });
  const staging = join(dirname(dir), `.ca-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    writeFileDurably(join(staging, CA_FILES.privateKey), await exportPrivateKeyPem(ca.privateKey), 0o600);
    writeFileDurably(join(staging, CA_FILES.pw3Secret), `${Buffer.from(pw3Secret).toString('hex')}\n`, 0o600);
    writeFileDurably(join(staging, CA_FILES.certificate), toPem(ca.certificate), 0o644);
    // an empty folder left by hand is replaced; a non-empty one makes rename fail (checked above too)
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CaError('exists', `a CA already exists in ${dir}; it is never overwritten`, { cause: e });
    }
    throw e;
  }
  return { ...ca, pw3Secret, dir };
}

/** A file only its owner may read (else CaError 'insecure'), as text. */
export function readSecretFile(path: string): string {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CaError('insecure', `${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 ${path}`);
  }
  return readFileSync(path, 'utf8');
}

/**
 * The CA of `<dataDir>/ca/`, or null when there is none (nothing, or the certificate alone: a server's
 * folder). Throws CaError when it is there but unusable.
 */
export function loadCa(dataDir: string): Promise<LoadedCa | null> {
  return loadCaFrom(caDir(dataDir));
}

/** The CA in the folder `dir`, as `loadCa`. */
export async function loadCaFrom(dir: string): Promise<LoadedCa | null> {
  const paths = Object.values(CA_FILES).map((f) => join(dir, f));
  const present = paths.filter((p) => existsSync(p));
  if (secretsIn(dir).length === 0) return null;
  if (present.length !== paths.length) throw new CaError('incomplete', `the CA in ${dir} is incomplete (expected ${Object.values(CA_FILES).join(', ')})`);

  const keyPem = readSecretFile(join(dir, CA_FILES.privateKey));
  const secretHex = readSecretFile(join(dir, CA_FILES.pw3Secret)).trim();
  if (!/^[0-9a-f]{64}$/.test(secretHex)) throw new CaError('unreadable', `${join(dir, CA_FILES.pw3Secret)} is not 32 bytes of hex`);
  let ca: PlatformCa;
  try {
    const certificate = fromPem(readFileSync(join(dir, CA_FILES.certificate), 'utf8'));
    const privateKey = await importPrivateKeyPem(keyPem);
    ca = await loadPlatformCa({ certificate, privateKey });
  } catch (e) {
    const mismatch = e instanceof Error && /does not match/.test(e.message);
    throw new CaError(mismatch ? 'mismatch' : 'unreadable', `the CA in ${dir} cannot be used: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return { ...ca, pw3Secret: new Uint8Array(Buffer.from(secretHex, 'hex')), dir };
}

/** The CA's certificate, what a server (and a kiosk) holds of the CA: no private part. */
export interface CaCertificate {
  /** DER */
  certificate: Uint8Array;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate (AA:BB:…) */
  fingerprint: string;
}

/** `<dataDir>/ca/ca.cert.pem`, or null when it is not there; CaError 'unreadable' when it is not a CA certificate. */
export function loadCaCertificate(dataDir: string): CaCertificate | null {
  return loadCaCertificateFrom(caDir(dataDir));
}

/** The CA certificate in the CA folder `dir`, as `loadCaCertificate`. */
export function loadCaCertificateFrom(dir: string): CaCertificate | null {
  const path = join(dir, CA_FILES.certificate);
  if (!existsSync(path)) return null;
  try {
    const certificate = fromPem(readFileSync(path, 'utf8'));
    const d = describeCertificate(certificate);
    if (!d.isCa) throw new TypeError('not a CA certificate');
    return { certificate, subject: d.subject, notBefore: d.notBefore, notAfter: d.notAfter, fingerprint: d.fingerprint };
  } catch (e) {
    throw new CaError('unreadable', `${path} cannot be used: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function secretsIn(dir: string): string[] {
  return [CA_FILES.privateKey, CA_FILES.pw3Secret].map((f) => join(dir, f)).filter((p) => existsSync(p));
}

/** The issuance secrets (the CA private key, the cards' admin secret) present in `<dataDir>/ca/`. */
export function issuanceSecretsIn(dataDir: string): string[] {
  return secretsIn(caDir(dataDir));
}
