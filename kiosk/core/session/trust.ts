/**
 * The platform CA the kiosk trusts, pinned by configuration (a PEM file installed with the kiosk), and
 * the revocation list it last received. Login works offline from these two alone (DESIGN.md §4).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class TrustError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustError';
  }
}

export interface PinnedCa {
  der: Uint8Array;
  certificate: X509Certificate;
  fingerprint256: string;
}

export function loadPinnedCa(pemPath: string): PinnedCa {
  let pem: string;
  try {
    pem = readFileSync(pemPath, 'utf8');
  } catch (err) {
    throw new TrustError(`cannot read the platform CA certificate at ${pemPath}: ${(err as Error).message}`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new TrustError(`${pemPath} is not a PEM certificate`);
  }
  if (!certificate.ca) throw new TrustError(`${pemPath} is not a CA certificate`);
  return { der: new Uint8Array(certificate.raw), certificate, fingerprint256: certificate.fingerprint256 };
}
