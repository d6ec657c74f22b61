/**
 * Certified virtual cards for tests. The normal path (the demo, the end-to-end stack) issues cards
 * over PC/SC like an issuing station (scripts/demo-cards.ts). The odd cards a test needs — expired,
 * issued by another CA, a certificate copied onto another card, a copy without the key — are made by
 * personalising the card model directly, with certificates from the real profile.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPem } from '../../sync-server/protocol/card-certificate.ts';
import type { CardRole } from '../../sync-server/protocol/card-certificate.ts';
import { createPlatformCa, issueCardCertificate } from '../../sync-server/src/features/cards/index.ts';
import type { PlatformCa } from '../../sync-server/src/features/cards/index.ts';
import { jwkPublicPoint } from '../../drivers/vcard/ecdsa.ts';
import { issueVirtualCard } from '../../drivers/vcard/issue.ts';
import { cardFile, loadCardState, saveCardState } from '../../drivers/vcard/state.ts';

export interface TestPki {
  ca: PlatformCa;
  /** PEM file of the CA certificate: what a kiosk pins */
  caPemPath: string;
}

export async function createTestPki(dir: string, commonName = 'Facilitateur test CA'): Promise<TestPki> {
  const ca = await createPlatformCa({ commonName, notAfter: new Date(Date.now() + 10 * 365 * 86_400_000) });
  const caPemPath = join(dir, `${commonName.replace(/\W+/g, '-')}.pem`);
  writeFileSync(caPemPath, toPem(ca.certificate));
  return { ca, caPemPath };
}

export interface TestCardOptions {
  serial: string;
  identifier: string;
  firstName: string;
  lastName: string;
  role?: CardRole;
  pin: string;
  notBefore?: Date;
  notAfter?: Date;
  /** the certificate claims this card serial instead (a certificate moved onto another card) */
  certificateSerial?: string;
}

/** A card personalised on the model: keys in the card, login data, name, a certificate from `ca`. */
export async function makeTestCard(ca: PlatformCa, dir: string, o: TestCardOptions): Promise<string> {
  const path = await issueVirtualCard({
    dir,
    serial: o.serial,
    identifier: o.identifier,
    pin: o.pin,
    holder: { firstName: o.firstName, lastName: o.lastName },
  });
  const state = loadCardState(path);
  const certificate = await issueCardCertificate({
    ca,
    subject: {
      identifier: o.identifier,
      firstName: o.firstName,
      lastName: o.lastName,
      role: o.role ?? 'beneficiary',
      cardSerial: o.certificateSerial ?? o.serial,
    },
    authPublicKey: jwkPublicPoint(state.keys.aut!.jwk),
    signaturePublicKey: jwkPublicPoint(state.keys.sig!.jwk),
    notBefore: o.notBefore ?? new Date(Date.now() - 86_400_000),
    notAfter: o.notAfter ?? new Date(Date.now() + 5 * 365 * 86_400_000),
  });
  saveCardState(path, { ...state, dos: { ...state.dos, certificate: Buffer.from(certificate).toString('hex') } });
  return path;
}

/**
 * A copy of `original` (same serial, login data, name and certificate) onto a card whose keys are its
 * own: everything that can be read is the same, the private key is not.
 */
export async function makeClone(originalPath: string, dir: string, pin: string): Promise<string> {
  const original = loadCardState(originalPath);
  const path = await issueVirtualCard({ dir, serial: original.serial, identifier: 'FAC-0000-0000-0000', pin });
  const fresh = loadCardState(path);
  saveCardState(path, { ...original, keys: fresh.keys, fingerprints: fresh.fingerprints, pins: fresh.pins, counters: fresh.counters });
  return path;
}

export { cardFile };
