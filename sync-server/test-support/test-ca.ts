/**
 * Test support: one fixed test CA (test-keys.ts: the same in every process), installed into each test
 * server's data folder, and the seed's demo cards certified by it with fixed software keys — so a test can make the cards' proofs of
 * presence (mutations signed by the card at the box) the way the kiosk does over PC/SC, and the server
 * checks them as it checks real ones. The same CA everywhere keeps a demo card's keys the same whichever
 * server, kiosk process or bench run a test talks to.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPem, toPem } from '../protocol/card-certificate.ts';
import { cardsOfGround, proofMessage, referencedBlobs } from '../protocol/mutations.ts';
import type { MutationBody, WriteProof } from '../protocol/mutations.ts';
import { CA_FILES, caDir, exportPrivateKeyPem, importPrivateKeyPem, initCa, issueCardCertificate, issueRevocationKey, loadCa, loadPlatformCa } from '../src/features/cards/index.ts';
import type { IssuedRevocationKey, LoadedCa, PlatformCa } from '../src/features/cards/index.ts';
import type { TestCard } from './test-cards.ts';
import { TEST_CA_CERT_PEM, TEST_CA_KEY_PEM, TEST_CARD_KEYS } from './test-keys.ts';

/** The seed's persons with a card (assets/seed/demo.json). */
export const DEMO_HOLDERS = [
  { identifier: 'FAC-K7QM-3XD2-9HRW', card: '0A1B2C3D', firstName: 'Camille', lastName: 'Martin', role: 'beneficiary' },
  { identifier: 'FAC-B4NW-8TZC-61PG', card: '0A1B2C3E', firstName: 'Yanis', lastName: 'Benali', role: 'beneficiary' },
  { identifier: 'FAC-M2XH-5VQK-7DSM', card: '0A1B2C3F', firstName: 'Aminata', lastName: 'Diallo', role: 'beneficiary' },
  { identifier: 'FAC-R9TD-4HWN-3GAK', card: '0A1B2C40', firstName: 'Sophie', lastName: 'Lefèvre', role: 'agent' },
] as const;

function pointOf(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
}

async function build(): Promise<{ ca: PlatformCa; pw3Secret: Uint8Array; cards: Map<string, TestCard> }> {
  const ca = await loadPlatformCa({ certificate: fromPem(TEST_CA_CERT_PEM), privateKey: await importPrivateKeyPem(TEST_CA_KEY_PEM) });
  const pw3Secret = new Uint8Array(createHash('sha256').update('facilitateur test pw3').digest());
  const cards = new Map<string, TestCard>();
  for (const h of DEMO_HOLDERS) {
    const keys = TEST_CARD_KEYS[h.card]!;
    const authKey = createPrivateKey(keys.auth);
    const signKey = createPrivateKey(keys.sign);
    const der = await issueCardCertificate({
      ca,
      subject: { identifier: h.identifier, firstName: h.firstName, lastName: h.lastName, role: h.role, cardSerial: h.card },
      authPublicKey: pointOf(authKey),
      signaturePublicKey: pointOf(signKey),
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
    });
    cards.set(h.card, { serial: h.card, certificate: Buffer.from(der).toString('base64url'), authKey, signKey });
  }
  return { ca, pw3Secret, cards };
}

/** Made once, when the module loads (top-level await): the demo cards' keys are then at hand synchronously. */
const SHARED = await build();

/**
 * Lays out the fixed test CA as in production: the CA (key, certificate, card admin secret) in an
 * issuance station's folder inside the test's data folder (`<data>/issuance-station/`, so the test's
 * cleanup removes it), and in the server's `<data>/ca/` only what the server holds — the CA certificate
 * and a revocation-signing key the CA certified. Returns the CA as the issuance station holds it.
 */
export async function installTestCa(dataDir: string): Promise<LoadedCa> {
  const { ca, pw3Secret } = SHARED;
  const issuanceDir = join(dataDir, 'issuance-station');
  const dir = caDir(issuanceDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, CA_FILES.privateKey), await exportPrivateKeyPem(ca.privateKey), { mode: 0o600 });
  writeFileSync(join(dir, CA_FILES.pw3Secret), `${Buffer.from(pw3Secret).toString('hex')}\n`, { mode: 0o600 });
  writeFileSync(join(dir, CA_FILES.certificate), toPem(ca.certificate), { mode: 0o644 });
  const loaded = await loadCa(issuanceDir);
  if (!loaded) throw new Error('test CA not installed');
  await issueRevocationKey(loaded, dataDir);
  return loaded;
}

export interface TestPlatform {
  /** the CA, as the issuance station holds it (to issue cards in tests) */
  ca: LoadedCa;
  /** the revocation-signing key installed in the server's data folder */
  revocationKey: IssuedRevocationKey;
  issuanceDir: string;
}

/** A fresh CA (not the fixed one) laid out as in production, for the tests of the keys themselves. */
export async function installTestPlatform(serverDataDir: string, o: { validityDays?: number; now?: Date } = {}): Promise<TestPlatform> {
  const issuanceDir = join(serverDataDir, 'issuance-station');
  const ca = await initCa(issuanceDir);
  const revocationKey = await issueRevocationKey(ca, serverDataDir, o);
  return { ca, revocationKey, issuanceDir };
}

/** A demo card of the seed, certified by the process's test CA. */
export function demoCard(serial: string): TestCard {
  const card = SHARED.cards.get(serial);
  if (!card) throw new Error(`no demo card ${serial}`);
  return card;
}

/**
 * What the kiosk's cards sign for a mutation (INTERNAL AUTHENTICATE over the proof message, raw r‖s):
 * by default the demo cards its ground names; `cards` overrides them (another person's card, a foreign
 * CA's…) for the hostile tests.
 */
export function proveWith(kioskId: string, m: { id: string; blobs: readonly string[] } & MutationBody, cards?: readonly TestCard[]): WriteProof {
  const signers = cards ?? cardsOfGround(m.payload.ground).map((s) => demoCard(s));
  const message = proofMessage(kioskId, m);
  return {
    cards: signers.map((c) => ({ cardSerial: c.serial, certificate: c.certificate, signature: sign('sha256', message, { key: c.authKey, dsaEncoding: 'ieee-p1363' }).toString('base64url') })),
  };
}

/** A write as the kiosk's session hands it to the outbox (SessionManager.proveWrite), signed by the demo cards its ground names. */
export function signedWrite<B extends MutationBody>(kioskId: string, body: B, cards?: readonly TestCard[]): { id: string; body: B; proof: WriteProof } {
  const id = randomUUID();
  return { id, body, proof: proveWith(kioskId, { id, blobs: referencedBlobs(body), ...body }, cards) };
}
