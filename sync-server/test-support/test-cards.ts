/**
 * Test support (used by *.test.ts only): persons with cards certified by the platform CA, the way the
 * issuing station certifies real cards (same profile: authentication and signature keys, P-256), with
 * the keys kept in software so a test can sign as the card would (INTERNAL AUTHENTICATE at login,
 * PSO:CDS over a manifest: raw r‖s over SHA-256) — and make the odd cards a test needs.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CompetenceLevel } from '../protocol/agents.ts';
import type { CardRole } from '../protocol/card-certificate.ts';
import { manifestBytes } from '../protocol/applications.ts';
import type { Manifest } from '../protocol/applications.ts';
import { randomIdentifier } from '../protocol/identifier.ts';
import { loginMessage } from '../protocol/vault.ts';
import { issueCardCertificate } from '../src/features/cards/index.ts';
import type { LoadedCa } from '../src/features/cards/index.ts';
import type { Database } from '../src/kernel/storage/schema.ts';

export interface TestPerson {
  id: string;
  identifier: string;
  card: string;
  firstName: string;
  lastName: string;
  role: CardRole;
}

/** A card as the kiosk sees it: serial, certificate (DER, base64url), and its two private keys. */
export interface TestCard {
  serial: string;
  certificate: string;
  authKey: KeyObject;
  signKey: KeyObject;
}

function p256(): { key: KeyObject; point: Uint8Array } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  return { key: pair.privateKey, point: new Uint8Array(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])) };
}

/** The structure test agents work in (made on first use). */
export const TEST_STRUCTURE = { id: 'structure-test', name: 'CCAS de test' } as const;

/**
 * A fresh person with an active card (a fresh serial and identifier), so each test has its own history.
 * An agent gets a profile in TEST_STRUCTURE at `level` (the widest, `travail-social`, unless told; null: no profile).
 */
export async function addPerson(
  db: Kysely<Database>,
  o: { role?: CardRole; firstName?: string; lastName?: string; level?: CompetenceLevel | null } = {},
): Promise<TestPerson> {
  const p: TestPerson = {
    id: `person-${randomBytes(6).toString('hex')}`,
    identifier: randomIdentifier((n) => new Uint8Array(randomBytes(n))),
    card: randomBytes(4).toString('hex').toUpperCase(),
    firstName: o.firstName ?? 'Léa',
    lastName: o.lastName ?? 'Roux',
    role: o.role ?? 'beneficiary',
  };
  const now = new Date().toISOString();
  await db.insertInto('persons').values({ id: p.id, identifier: p.identifier, first_name: p.firstName, last_name: p.lastName, birth_date: '1990-05-17', role: p.role, created_at: now }).execute();
  await db.insertInto('cards').values({ serial: p.card, person_id: p.id, status: 'active', issued_at: now, role: p.role }).execute();
  const level = o.level === undefined ? 'travail-social' : o.level;
  if (p.role === 'agent' && level !== null) {
    await db
      .insertInto('structures')
      .values({ id: TEST_STRUCTURE.id, kind: 'ccas', name: TEST_STRUCTURE.name, address: null, created_at: now, disabled_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await db
      .insertInto('agent_profiles')
      .values({ person_id: p.id, structure_id: TEST_STRUCTURE.id, level, suspended_at: null, suspended_reason: null, last_active_at: null, created_at: now, updated_at: now })
      .execute();
  }
  return p;
}

/** Certifies fresh keys for the person's card; `o` makes odd cards (another serial or identifier in the certificate). */
export async function certify(ca: LoadedCa, p: Pick<TestPerson, 'identifier' | 'card' | 'firstName' | 'lastName' | 'role'>, o: { serial?: string; identifier?: string } = {}): Promise<TestCard> {
  const auth = p256();
  const sig = p256();
  const serial = o.serial ?? p.card;
  const der = await issueCardCertificate({
    ca,
    subject: { identifier: o.identifier ?? p.identifier, firstName: p.firstName, lastName: p.lastName, role: p.role, cardSerial: serial },
    authPublicKey: auth.point,
    signaturePublicKey: sig.point,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  });
  return { serial, certificate: Buffer.from(der).toString('base64url'), authKey: auth.key, signKey: sig.key };
}

/** INTERNAL AUTHENTICATE over the login message: raw r‖s, base64url. */
export function signLogin(key: KeyObject, kioskId: string, kioskNonce: string, serverNonce: string): string {
  const message = loginMessage(kioskId, Buffer.from(kioskNonce, 'base64url'), Buffer.from(serverNonce, 'base64url'));
  return sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

/** PSO:CDS over SHA-256 of manifestBytes: raw r‖s, base64url (what SubmitRequest.signature carries). */
export function signManifest(key: KeyObject, manifest: Manifest): string {
  return sign('sha256', manifestBytes(manifest), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}
