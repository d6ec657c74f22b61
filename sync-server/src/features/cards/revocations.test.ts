/**
 * The revocation list: its schema (strict, so what a kiosk verifies is what was signed), the signed
 * payload (canonical JSON, checked the way the kiosk checks it), signing with the server's
 * revocation-signing key (the list carries its certificate) or the CA key, and publication on both
 * databases — a new version when the cards change, or when another key signed the latest (rotation).
 */
import { verify } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCaSignature } from '../../../protocol/card-certificate.ts';
import { verifyRevocationList } from '../../../protocol/revocation-signer.ts';
import { createPlatformCa } from './ca.ts';
import type { PlatformCa } from './ca.ts';
import { caRevocationSigner, issueRevocationKey, loadRevocationKey } from './revocation-key.ts';
import type { LoadedRevocationKey, RevocationSigner } from './revocation-key.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { RevocationList, revocationSigningPayload } from '../../../protocol/revocation.ts';
import type { UnsignedRevocationList } from '../../../protocol/revocation.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { seedDatabase, readSeedFile } from '../../edge/seed.ts';
import { CAMILLE, DIALECTS, freshEnv, SEED_PATH, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { blockCard } from './card-admin.ts';
import { latestRevocationList, latestRevocationVersion, publishRevocationList, revokedCards, signRevocationList } from './revocations.ts';

let ca: PlatformCa;
let otherCa: PlatformCa;
let caSigner: RevocationSigner;
let keyDir: string;
/** the server's revocation-signing key, as the server loads it from its data folder */
let serverKey: LoadedRevocationKey;
const BODY: UnsignedRevocationList = {
  version: 7,
  issuedAt: '2026-11-28T10:00:00.000Z',
  revoked: [
    { cardSerial: '0A1B2C3D', reason: 'stolen', at: '2026-11-20T09:00:00.000Z' },
    { cardSerial: '0A1B2C3E', reason: 'replaced', at: '2026-11-21T09:00:00.000Z' },
  ],
};

/** How the kiosk checks a list: Node's X509Certificate for the pinned CA, raw r||s over the payload. */
function kioskAccepts(list: RevocationList, caDer: Uint8Array): boolean {
  const key = new X509Certificate(Buffer.from(caDer)).publicKey;
  return verify('sha256', Buffer.from(revocationSigningPayload(list)), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(list.signature, 'base64url'));
}

/** A server folder with a fresh revocation-signing key from `ca`, loaded as the server does. */
async function newServerKey(o: { validityDays?: number; now?: Date } = {}): Promise<LoadedRevocationKey> {
  await issueRevocationKey(ca, keyDir, o);
  return (await loadRevocationKey(keyDir, ca.certificate, o.now))!;
}

beforeAll(async () => {
  // valid since before BODY was issued: a list is only signed within its signer's validity
  const notBefore = new Date('2020-01-01T00:00:00Z');
  ca = await createPlatformCa({ commonName: 'Test CA', notBefore, notAfter: new Date(Date.now() + 1e11) });
  otherCa = await createPlatformCa({ commonName: 'Test CA', notBefore, notAfter: new Date(Date.now() + 1e11) });
  caSigner = caRevocationSigner(ca);
  keyDir = mkdtempSync(join(tmpdir(), 'fac-revocation-key-'));
  serverKey = await newServerKey();
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

describe('revocation list (protocol)', () => {
  it('signs the canonical JSON of everything but the signature', async () => {
    const list = await signRevocationList(caSigner, BODY);
    expect(new TextDecoder().decode(revocationSigningPayload(list))).toBe(
      '{"issuedAt":"2026-11-28T10:00:00.000Z","revoked":[{"at":"2026-11-20T09:00:00.000Z","cardSerial":"0A1B2C3D","reason":"stolen"},{"at":"2026-11-21T09:00:00.000Z","cardSerial":"0A1B2C3E","reason":"replaced"}],"version":7}',
    );
    expect(list.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(kioskAccepts(list, ca.certificate)).toBe(true);
    expect(verifyCaSignature(ca.certificate, revocationSigningPayload(list), Buffer.from(list.signature, 'base64url'))).toBe(true);
  });

  it('verifies the same after a JSON round trip with members in another order', async () => {
    const list = await signRevocationList(caSigner, BODY);
    const shuffled = JSON.parse(
      JSON.stringify({ signature: list.signature, revoked: list.revoked.map((r) => ({ reason: r.reason, at: r.at, cardSerial: r.cardSerial })), issuedAt: list.issuedAt, version: list.version }),
    ) as unknown;
    const parsed = RevocationList.parse(shuffled);
    expect(kioskAccepts(parsed, ca.certificate)).toBe(true);
  });

  it('fails verification when anything signed changes, or under another CA', async () => {
    const list = await signRevocationList(caSigner, BODY);
    const changes: RevocationList[] = [
      { ...list, version: 8 },
      { ...list, issuedAt: '2026-11-28T10:00:01.000Z' },
      { ...list, revoked: list.revoked.slice(1) },
      { ...list, revoked: [{ ...list.revoked[0]!, reason: 'lost' }, list.revoked[1]!] },
    ];
    for (const changed of changes) expect(kioskAccepts(changed, ca.certificate)).toBe(false);
    expect(kioskAccepts(list, otherCa.certificate)).toBe(false);
  });

  it('refuses lists that do not match the schema: unknown members, duplicates, bad serials, reasons, signatures', async () => {
    const list = await signRevocationList(caSigner, BODY);
    const bad: unknown[] = [
      { ...list, extra: true },
      { ...list, revoked: [{ ...list.revoked[0]!, note: 'x' }] },
      { ...list, revoked: [list.revoked[0], list.revoked[0]] },
      { ...list, revoked: [{ ...list.revoked[0]!, cardSerial: '0a1b2c3d' }] },
      { ...list, revoked: [{ ...list.revoked[0]!, reason: 'forgotten' }] },
      { ...list, revoked: [{ ...list.revoked[0]!, at: 'yesterday' }] },
      { ...list, version: -1 },
      { ...list, version: 1.5 },
      { ...list, signature: `${list.signature}=` },
      { ...list, signature: list.signature.slice(1) },
      { version: 1, issuedAt: list.issuedAt, revoked: [] },
      null,
      'list',
    ];
    for (const b of bad) expect(RevocationList.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });

  it('signed by the revocation-signing key: carries its certificate inside the signed payload; a kiosk checks the chain', async () => {
    const list = await signRevocationList(serverKey, { ...BODY, issuedAt: new Date().toISOString() });
    expect(list.signerCertificate).toBe(Buffer.from(serverKey.certificate).toString('base64url'));
    expect(new TextDecoder().decode(revocationSigningPayload(list))).toContain(`"signerCertificate":"${list.signerCertificate}"`);
    const now = new Date();
    expect(verifyRevocationList(list, { caCertificate: ca.certificate, now })).toMatchObject({ ok: true, signer: { kind: 'revocation-key', info: { fingerprint: serverKey.fingerprint } } });
    // not the CA's own signature, and nothing to a kiosk pinned to another CA
    expect(verifyCaSignature(ca.certificate, revocationSigningPayload(list), Buffer.from(list.signature, 'base64url'))).toBe(false);
    expect(verifyRevocationList(list, { caCertificate: otherCa.certificate, now })).toMatchObject({ ok: false, problem: 'foreign' });
    // the certificate cannot be taken out (the CA would then have to have signed) nor swapped for another key's
    const { signerCertificate: _dropped, ...without } = list;
    expect(verifyRevocationList(without, { caCertificate: ca.certificate, now })).toMatchObject({ ok: false, problem: 'bad-signature' });
    const dir = mkdtempSync(join(tmpdir(), 'fac-revocation-key-'));
    try {
      const other = await issueRevocationKey(ca, dir);
      const swapped = { ...list, signerCertificate: Buffer.from(other.certificate).toString('base64url') };
      expect(verifyRevocationList(swapped, { caCertificate: ca.certificate, now })).toMatchObject({ ok: false, problem: 'bad-signature' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to sign a list dated outside the key’s validity (kiosks would refuse it)', async () => {
    const later = new Date(serverKey.notAfter.getTime() + 1000).toISOString();
    await expect(signRevocationList(serverKey, { ...BODY, issuedAt: later })).rejects.toMatchObject({ code: 'expired' });
    const earlier = new Date(serverKey.notBefore.getTime() - 1000).toISOString();
    await expect(signRevocationList(serverKey, { ...BODY, issuedAt: earlier })).rejects.toMatchObject({ code: 'not-yet-valid' });
  });

  it('canonical JSON is stable: sorted keys, no whitespace, non-ASCII kept, no NaN', () => {
    expect(canonicalJson({ b: [1, { d: 'é', c: null }], a: true })).toBe('{"a":true,"b":[1,{"c":null,"d":"é"}]}');
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe.each(DIALECTS)('publishing revocation lists on %s', (dialect) => {
  let env: TestEnv;
  let storage: Storage;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('publishes version 1 (empty), then a new version only when the revoked cards change', async () => {
    expect(await latestRevocationList(storage.db)).toBeNull();
    expect(await latestRevocationVersion(storage.db)).toBe(0);
    const first = await publishRevocationList(storage.db, storage.dialect, caSigner);
    expect(first).toMatchObject({ published: true, list: { version: 1, revoked: [] } });
    expect((await publishRevocationList(storage.db, storage.dialect, caSigner)).published).toBe(false);

    await blockCard(storage.db, storage.dialect, { serial: YANIS.card, reason: 'lost', actor: { kind: 'staff', id: 't' }, now: new Date('2026-11-01T08:00:00Z') });
    const second = await publishRevocationList(storage.db, storage.dialect, caSigner);
    expect(second).toMatchObject({ published: true, list: { version: 2, revoked: [{ cardSerial: YANIS.card, reason: 'lost', at: '2026-11-01T08:00:00.000Z' }] } });
    expect(kioskAccepts(second.list, ca.certificate)).toBe(true);
    expect(await latestRevocationList(storage.db)).toEqual(second.list);
  });

  it('lists cards in serial order, and gives a reason and date to a card blocked without them', async () => {
    await blockCard(storage.db, storage.dialect, { serial: CAMILLE.card, reason: 'deceased', actor: { kind: 'staff', id: 't' } });
    await storage.db.updateTable('cards').set({ status: 'blocked', revocation_reason: null, revoked_at: null }).where('serial', '=', '0A1B2C40').execute();
    const revoked = await revokedCards(storage.db);
    expect(revoked.map((r) => [r.cardSerial, r.reason])).toEqual([
      [CAMILLE.card, 'deceased'],
      [YANIS.card, 'lost'],
      ['0A1B2C40', 'other'],
    ]);
    expect(revoked[2]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('gives concurrent publications distinct versions, each one signed', async () => {
    const before = await latestRevocationVersion(storage.db);
    const results = await Promise.all(Array.from({ length: 4 }, () => publishRevocationList(storage.db, storage.dialect, caSigner)));
    // the set changed once since the last publication: exactly one new version
    expect(results.filter((r) => r.published)).toHaveLength(1);
    expect(await latestRevocationVersion(storage.db)).toBe(before + 1);
    const rows = await storage.db.selectFrom('revocation_lists').selectAll().orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: before + 1 }, (_, i) => i + 1));
    for (const row of rows) expect(kioskAccepts(RevocationList.parse(JSON.parse(row.body)), ca.certificate)).toBe(true);
  });

  it('signs again, as a new version, when another key signed the latest list and the server asks (rotation)', async () => {
    const now = () => new Date();
    const before = await publishRevocationList(storage.db, storage.dialect, caSigner);
    // the same cards, another signer: nothing unless asked (a block from the staff CLI never re-signs)
    expect((await publishRevocationList(storage.db, storage.dialect, serverKey)).published).toBe(false);
    const resigned = await publishRevocationList(storage.db, storage.dialect, serverKey, { whenSignerChanged: true });
    expect(resigned).toMatchObject({ published: true, list: { version: before.list.version + 1, revoked: before.list.revoked } });
    expect(verifyRevocationList(resigned.list, { caCertificate: ca.certificate, now: now() })).toMatchObject({ ok: true, signer: { kind: 'revocation-key', info: { fingerprint: serverKey.fingerprint } } });
    // the same key again: nothing new
    expect((await publishRevocationList(storage.db, storage.dialect, serverKey, { whenSignerChanged: true })).published).toBe(false);

    // rotation: a new key for the server; at its next start the current list is signed with it
    const rotated = await newServerKey();
    expect(rotated.fingerprint).not.toBe(serverKey.fingerprint);
    const next = await publishRevocationList(storage.db, storage.dialect, rotated, { whenSignerChanged: true });
    expect(next).toMatchObject({ published: true, list: { version: before.list.version + 2 } });
    expect(verifyRevocationList(next.list, { caCertificate: ca.certificate, now: now() })).toMatchObject({ ok: true, signer: { kind: 'revocation-key', info: { fingerprint: rotated.fingerprint } } });
    // the earlier lists, signed by the previous key, still check (a kiosk may still be receiving them)
    const rows = await storage.db.selectFrom('revocation_lists').selectAll().orderBy('version').execute();
    for (const row of rows) expect(verifyRevocationList(RevocationList.parse(JSON.parse(row.body)), { caCertificate: ca.certificate, now: now() }).ok).toBe(true);
    serverKey = rotated;
  });

  it('blocking refuses an unknown card and leaves a blocked one as it is', async () => {
    await expect(blockCard(storage.db, storage.dialect, { serial: '0B0B0B0B', reason: 'lost', actor: { kind: 'staff', id: 't' } })).rejects.toMatchObject({ code: 'unknown-card' });
    expect(await blockCard(storage.db, storage.dialect, { serial: YANIS.card, reason: 'stolen', actor: { kind: 'staff', id: 't' } })).toEqual({ serial: YANIS.card, changed: false, status: 'blocked' });
    const card = await storage.db.selectFrom('cards').selectAll().where('serial', '=', YANIS.card).executeTakeFirstOrThrow();
    expect(card.revocation_reason).toBe('lost');
  });
});
