/**
 * The bench of the card-certificate tests: a fixed clock and subject, a platform CA and a second one
 * under the same name, keys that stand in for a card's (the hardware tests use a real card over pcscd),
 * and issue/check with those defaults. Used by the protocol's profile test and the CA's own test.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { checkCardCertificate } from '../protocol/card-certificate.ts';
import type { CardSubject } from '../protocol/card-certificate.ts';
import { createPlatformCa, issueCardCertificate } from '../src/features/cards/index.ts';
import type { IssueCardCertificateOptions, PlatformCa } from '../src/features/cards/index.ts';

export const DAY = 86_400_000;
export const NOW = new Date('2026-03-01T12:00:00Z');
export const SUBJECT: CardSubject = { identifier: 'FAC-R9TD-4HWN-3GAK', firstName: 'Élodie Françoise', lastName: 'Lefèvre-Ça', role: 'agent', cardSerial: '0A1B2C40' };

export interface CardKeys {
  aut: KeyObject;
  autPoint: Uint8Array;
  sigPoint: Uint8Array;
}

/** An uncompressed P-256 point (04 ‖ x ‖ y), as a card gives its public key. */
export function point(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return Uint8Array.from([0x04, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
}

export function cardKeys(): CardKeys {
  const aut = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { aut: aut.privateKey, autPoint: point(aut.publicKey), sigPoint: point(sig.publicKey) };
}

export interface CheckOverrides {
  now?: Date;
  cardSerial?: string;
  revoked?: string[];
  caCertificate?: Uint8Array;
}

export interface CertificateBench {
  ca: PlatformCa;
  /** Another CA with the same name: a certificate it signs must not pass for ours. */
  otherCa: PlatformCa;
  keys: CardKeys;
  /** A certificate issued with every default, valid at NOW. */
  good: Uint8Array;
  issue(over?: Partial<IssueCardCertificateOptions>): Promise<Uint8Array>;
  check(der: Uint8Array, over?: CheckOverrides): ReturnType<typeof checkCardCertificate>;
}

export async function certificateBench(): Promise<CertificateBench> {
  const caOptions = { commonName: 'Facilitateur AC cartes', notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) };
  const ca = await createPlatformCa(caOptions);
  const otherCa = await createPlatformCa(caOptions);
  const keys = cardKeys();
  const issue = (over: Partial<IssueCardCertificateOptions> = {}) =>
    issueCardCertificate({
      ca,
      subject: SUBJECT,
      authPublicKey: keys.autPoint,
      signaturePublicKey: keys.sigPoint,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 365 * DAY),
      ...over,
    });
  const check = (der: Uint8Array, over: CheckOverrides = {}) =>
    checkCardCertificate(der, {
      caCertificate: over.caCertificate ?? ca.certificate,
      now: over.now ?? NOW,
      cardSerial: over.cardSerial ?? SUBJECT.cardSerial,
      isRevoked: (s) => (over.revoked ?? []).includes(s),
    });
  return { ca, otherCa, keys, good: await issue(), issue, check };
}
