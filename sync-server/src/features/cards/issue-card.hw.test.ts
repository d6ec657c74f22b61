/**
 * Card issuance over the real pcscd + vpcd, with a BLANK virtual OpenPGP card in slot 1 ("Virtual PCD
 * 00 01"): keys generated on the card and certified, login data and name written, PINs set (the
 * holder's, and the derived admin PIN), database rows and journal; re-issue refused without force;
 * PIN unblocked after three wrong tries; a replaced card revoked; the staff command and the demo cards.
 * Slot 1 only; pcscd is never restarted; every wait is bounded; cards are removed after each test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertBlankCard, issueDemoCards, vpcdReader } from '../../../../scripts/demo-cards.ts';
import type { BlankCard } from '../../../../scripts/demo-cards.ts';
import { checkCardCertificate } from '../../../protocol/card-certificate.ts';
import type { CardConnection } from '../../../../drivers/pcsc/connection.ts';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { OpenPgpCard } from '../../../../drivers/pcsc/openpgp.ts';
import type { ReaderManager } from '../../../../drivers/pcsc/reader-manager.ts';
import { watchReader } from '../../../test-support/test-reader.ts';
import type { WatchedReader } from '../../../test-support/test-reader.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { readSeedFile, seedDatabase } from '../../edge/seed.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { main as staff } from '../../edge/staff/cli.ts';
import { CAMILLE, freshEnv, SEED_PATH, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { initCa, loadCa } from './ca-store.ts';
import type { LoadedCa } from './ca-store.ts';
import { unblockPin } from './card-admin.ts';
import { issueCard } from './issue-card.ts';
import type { IssueCardOptions } from './issue-card.ts';
import { derivePw3 } from './pw3.ts';
import { latestRevocationList, publishRevocationList } from './revocations.ts';
import { caRevocationSigner } from './revocation-key.ts';

const SLOT = 1;
const READER = vpcdReader(SLOT);
const AMINATA = { identifier: 'FAC-M2XH-5VQK-7DSM', card: '0A1B2C3F' } as const;

let env: TestEnv;
let storage: Storage;
let ca: LoadedCa;
let cardsDir: string;
let manager: ReaderManager;
let watched: WatchedReader;
const inReader: BlankCard[] = [];
let connections: CardConnection[] = [];

const waitFor = (event: 'card-inserted' | 'card-removed', timeoutMs?: number) => watched.waitFor(event, timeoutMs);

/** A blank card with this serial, in the reader, seen by pcscd. */
async function blank(serial: string): Promise<BlankCard> {
  const inserted = waitFor('card-inserted');
  const card = await insertBlankCard({ dir: cardsDir, serial, slot: SLOT });
  inReader.push(card);
  await inserted;
  return card;
}

async function connect(): Promise<CardConnection> {
  const c = await manager.connect(READER);
  connections.push(c);
  return c;
}

async function release(c: CardConnection): Promise<void> {
  connections = connections.filter((x) => x !== c);
  await c.disconnect();
}

/** Takes the card out and waits for pcscd to see it gone, so the next insertion starts clean. */
async function removeCards(): Promise<void> {
  await Promise.all(connections.splice(0).map((c) => c.disconnect().catch(() => undefined)));
  const removed = manager.cardPresent(READER) ? waitFor('card-removed', 5000).catch(() => undefined) : undefined;
  await Promise.all(inReader.splice(0).map((c) => c.remove()));
  await removed;
}

async function issue(o: Partial<IssueCardOptions> & Pick<IssueCardOptions, 'person' | 'pin'>) {
  const connection = await connect();
  try {
    return await issueCard({ db: storage.db, dialect: storage.dialect, ca, connection, ...o });
  } finally {
    await release(connection);
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** What the virtual card keeps in its file (read as plain JSON: sync-server does not import drivers/vcard). */
interface CardFile {
  dos: { loginData: string; certificate: string };
  keys: Record<'sig' | 'aut', { origin: string } | null>;
}
const cardFile = (dir: string, serial: string) => JSON.parse(readFileSync(join(dir, `${serial}.json`), 'utf8')) as CardFile;

beforeAll(async () => {
  env = await freshEnv('sqlite', false);
  storage = openDatabase(env.config.database);
  await migrateToLatest(storage.db, storage.dialect);
  await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  ca = await initCa(env.config.dataDir);
  cardsDir = mkdtempSync(join(tmpdir(), 'fac-issue-cards-'));
  watched = await watchReader(READER);
  manager = watched.manager;
});

afterEach(async () => {
  await removeCards();
});

afterAll(async () => {
  await removeCards();
  await manager?.close();
  await storage?.db.destroy();
  await env?.cleanup();
  rmSync(cardsDir, { recursive: true, force: true });
});

describe('card issuance over pcscd', () => {
  it('issues a blank card to a new person: keys made on the card, certified, data and PINs written, recorded', async () => {
    await blank('0B000001');
    const issued = await issue({ person: { firstName: 'Élodie', lastName: 'Lefèvre', birthDate: '2010-05-04' }, pin: '432198' });
    expect(issued).toMatchObject({ serial: '0B000001', firstName: 'Élodie', lastName: 'Lefèvre', role: 'beneficiary', reissued: false, newPerson: true, replaced: null });
    expect(checkIdentifier(issued.identifier)).toEqual({ ok: true, identifier: issued.identifier });

    const conn = await connect();
    const card = await OpenPgpCard.select(conn);
    expect(await card.readLoginData()).toBe(issued.identifier);
    expect(await card.readCardholderName()).toBe('Lefèvre<<Élodie');
    expect(new TextDecoder().decode((await card.getData(0x5f2d))!)).toBe('fr');

    // the certificate: ours, for this card, for the keys the card holds
    const der = (await card.readCertificate())!;
    const check = await checkCardCertificate(der, { caCertificate: ca.certificate, now: new Date(), cardSerial: '0B000001', isRevoked: () => false });
    if (!check.ok) throw new Error(`${check.problem}: ${check.detail}`);
    expect(check.info).toMatchObject({ identifier: issued.identifier, firstName: 'Élodie', lastName: 'Lefèvre', role: 'beneficiary', cardSerial: '0B000001', certificateSerial: issued.certificateSerial });
    const aut = await card.readPublicKey('aut');
    const sig = await card.readPublicKey('sig');
    expect(Buffer.from(check.info.authPublicKey).equals(Buffer.from(aut))).toBe(true);
    expect(Buffer.from(check.info.signaturePublicKey).equals(Buffer.from(sig))).toBe(true);
    // the keys never left the card: the virtual card's file holds them, the database does not
    const state = cardFile(cardsDir, '0B000001');
    expect(state.keys.aut?.origin).toBe('generated');
    expect(state.keys.sig?.origin).toBe('generated');

    // the PIN: the factory one is gone, the chosen one works (and restores the counter)
    expect(await card.verifyPin('123456')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin('432198')).toEqual({ ok: true });
    const nonce = randomBytes(32);
    expect(verifyP256Signature(check.info.authPublicKey, nonce, await card.internalAuthenticate(sha256(nonce)))).toBe(true);
    expect(await card.verifyPin('432198', 0x81)).toEqual({ ok: true });
    const message = new TextEncoder().encode('procuration');
    expect(verifyP256Signature(check.info.signaturePublicKey, message, await card.sign(sha256(message)))).toBe(true);
    // the admin PIN is the derived one, not the factory default
    expect(await card.verifyPin(derivePw3(ca.pw3Secret, '0B000001'), 0x83)).toEqual({ ok: true });
    expect(await card.verifyPin('12345678', 0x83)).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin(derivePw3(ca.pw3Secret, '0B000001'), 0x83)).toEqual({ ok: true });
    await release(conn);

    const person = await storage.db.selectFrom('persons').selectAll().where('identifier', '=', issued.identifier).executeTakeFirstOrThrow();
    expect(person).toMatchObject({ first_name: 'Élodie', last_name: 'Lefèvre', birth_date: '2010-05-04', role: 'beneficiary' });
    const row = await storage.db.selectFrom('cards').selectAll().where('serial', '=', '0B000001').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ person_id: person.id, status: 'active', certificate_serial: issued.certificateSerial, role: 'beneficiary', not_after: issued.notAfter, revoked_at: null });
    const journal = await storage.db.selectFrom('audit_journal').selectAll().where('subject_person_id', '=', person.id).orderBy('seq').execute();
    expect(journal.map((e) => e.action)).toEqual(['person.create', 'card.issue']);
    expect(JSON.parse(journal[1]!.detail)).toMatchObject({ cardSerial: '0B000001', certificateSerial: issued.certificateSerial, reissue: false });
    expect(journal.map((e) => e.detail).join()).not.toContain('432198');
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('refuses to re-issue a card that holds our certificate, unless forced: new keys, new certificate', async () => {
    await blank('0B000002');
    const first = await issue({ person: { identifier: YANIS.identifier }, pin: '246813' });
    const conn = await connect();
    const before = await (await OpenPgpCard.select(conn)).readPublicKey('aut');
    await release(conn);

    await expect(issue({ person: { identifier: YANIS.identifier }, pin: '111111' })).rejects.toMatchObject({ code: 'already-issued' });
    const again = await issue({ person: { identifier: YANIS.identifier }, pin: '111111', force: true });
    expect(again).toMatchObject({ serial: '0B000002', reissued: true, newPerson: false });
    expect(again.certificateSerial).not.toBe(first.certificateSerial);

    const conn2 = await connect();
    const card = await OpenPgpCard.select(conn2);
    expect(Buffer.from(await card.readPublicKey('aut')).equals(Buffer.from(before))).toBe(false);
    expect(await card.verifyPin('246813')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin('111111')).toEqual({ ok: true });
    expect(await card.verifyPin(derivePw3(ca.pw3Secret, '0B000002'), 0x83)).toEqual({ ok: true });
    const check = await checkCardCertificate((await card.readCertificate())!, { caCertificate: ca.certificate, now: new Date(), cardSerial: '0B000002', isRevoked: () => false });
    expect(check.ok && check.info.certificateSerial).toBe(again.certificateSerial);
  });

  it('sets the key attributes to ECDSA P-256 when the card announces another algorithm', async () => {
    await blank('0B000007');
    const setup = await connect();
    const raw = await OpenPgpCard.select(setup);
    expect(await raw.verifyPin('12345678', 0x83)).toEqual({ ok: true });
    await raw.putData(0xc1, Uint8Array.from([0x12, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07])); // ECDH: not for signing
    expect((await raw.readApplicationRelatedData()).algorithmAttributes.sig[0]).toBe(0x12);
    await release(setup);

    await issue({ person: { identifier: YANIS.identifier }, pin: '246813', force: true });
    const conn = await connect();
    const card = await OpenPgpCard.select(conn);
    const attrs = (await card.readApplicationRelatedData()).algorithmAttributes;
    expect(Buffer.from(attrs.sig).toString('hex')).toBe('132a8648ce3d030107');
    expect(Buffer.from(attrs.aut).toString('hex')).toBe('132a8648ce3d030107');
    expect(await card.verifyPin('246813', 0x81)).toEqual({ ok: true });
    const check = await checkCardCertificate((await card.readCertificate())!, { caCertificate: ca.certificate, now: new Date(), cardSerial: '0B000007', isRevoked: () => false });
    if (!check.ok) throw new Error(check.detail);
    const message = randomBytes(40);
    expect(verifyP256Signature(check.info.signaturePublicKey, message, await card.sign(sha256(message)))).toBe(true);
  });

  it('unblocks a PIN blocked by three wrong tries, with the derived admin PIN', async () => {
    await blank('0B000003');
    await issue({ person: { identifier: AMINATA.identifier }, pin: '135792' });
    const conn = await connect();
    const card = await OpenPgpCard.select(conn);
    for (const wrong of ['000000', '111111']) expect((await card.verifyPin(wrong)).ok).toBe(false);
    expect(await card.verifyPin('222222')).toEqual({ ok: false, blocked: true });
    expect(await card.verifyPin('135792')).toEqual({ ok: false, blocked: true });
    await release(conn);

    const r = await unblockPin({ db: storage.db, dialect: storage.dialect, ca, connection: await connect(), newPin: '864209', actor: { kind: 'staff', id: 'test' } });
    expect(r).toEqual({ serial: '0B000003', identifier: AMINATA.identifier });
    await Promise.all(connections.splice(0).map((c) => c.disconnect()));
    const conn2 = await connect();
    const card2 = await OpenPgpCard.select(conn2);
    expect(await card2.verifyPin('864209')).toEqual({ ok: true });
    expect((await card2.readPwStatus()).pw3Tries).toBe(3);
    const entry = await storage.db.selectFrom('audit_journal').selectAll().where('action', '=', 'card.pin.unblock').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.detail)).toEqual({ cardSerial: '0B000003' });
  });

  it('replaces a card: the new one for the same person, the old one revoked as replaced and listed', async () => {
    await blank('0B000004');
    const issued = await issue({ person: { identifier: 'FAC-0000-0000-0000' }, pin: '555555', replaces: CAMILLE.card });
    expect(issued).toMatchObject({ serial: '0B000004', identifier: CAMILLE.identifier, firstName: 'Camille', replaced: CAMILLE.card, newPerson: false });
    const old = await storage.db.selectFrom('cards').selectAll().where('serial', '=', CAMILLE.card).executeTakeFirstOrThrow();
    expect(old).toMatchObject({ status: 'revoked', revocation_reason: 'replaced', replaced_by: '0B000004' });
    // the issuance station publishes with the CA key itself
    const { list } = await publishRevocationList(storage.db, storage.dialect, caRevocationSigner(ca));
    expect(list.revoked).toContainEqual({ cardSerial: CAMILLE.card, reason: 'replaced', at: old.revoked_at });
    const actions = (await storage.db.selectFrom('audit_journal').select('action').where('subject_person_id', '=', old.person_id).execute()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['card.issue', 'card.revoke']));
    await expect(issue({ person: { identifier: CAMILLE.identifier }, pin: '555555', replaces: CAMILLE.card })).rejects.toMatchObject({ code: 'replace-invalid' });
  });

  it('never issues a blocked card again, and writes nothing on it', async () => {
    await storage.db.updateTable('cards').set({ status: 'blocked', revocation_reason: 'stolen', revoked_at: new Date().toISOString() }).where('serial', '=', '0A1B2C40').execute();
    await blank('0A1B2C40');
    await expect(issue({ person: { identifier: 'FAC-R9TD-4HWN-3GAK' }, pin: '864209', force: true })).rejects.toMatchObject({ code: 'card-revoked' });
    const conn = await connect();
    const card = await OpenPgpCard.select(conn);
    expect(await card.readLoginData()).toBe('');
    expect(await card.readCertificate()).toBeNull();
    expect((await card.readPwStatus()).pw3Tries).toBe(3);
  });

  it('refuses bad input before touching the card: PIN, role, unknown person', async () => {
    await blank('0B000005');
    await expect(issue({ person: { identifier: YANIS.identifier }, pin: '12' })).rejects.toMatchObject({ code: 'invalid' });
    // the OpenPGP PW1 is 6 to 8 digits: the 4-digit PINs of before are refused, in French, for staff
    for (const pin of ['4826', '48261', '482619375', '48261a']) {
      await expect(issue({ person: { identifier: YANIS.identifier }, pin }), pin).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/6 à 8 chiffres/) });
    }
    await expect(issue({ person: { identifier: YANIS.identifier }, pin: '142536', role: 'agent' })).rejects.toMatchObject({ code: 'role-mismatch' });
    await expect(issue({ person: { identifier: 'FAC-0000-0000-0000' }, pin: '142536' })).rejects.toMatchObject({ code: 'unknown-person' });
    await expect(issue({ person: { firstName: 'A', lastName: 'B', birthDate: '2010-02-30' }, pin: '142536' })).rejects.toMatchObject({ code: 'invalid' });
    const conn = await connect();
    expect((await (await OpenPgpCard.select(conn)).readPwStatus()).pw3Tries).toBe(3);
  });

  it('issues and unblocks through the staff command, never printing the PIN', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      await blank('0B000006');
      const code = await staff(['card', 'issue', '--reader', '00 01', '--first-name', 'Noé', '--last-name', 'Garçon', '--birth-date', '2010-01-02', '--role', 'agent', '--pin', '975310', '--wait', '10', '--data', env.config.dataDir]);
      expect(code, out.join('\n')).toBe(0);
      const text = out.join('\n');
      expect(text).toMatch(/Carte 0B000006 émise/);
      expect(text).toMatch(/Identifiant \/ identifier \.+ FAC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
      expect(text).toContain('Noé Garçon');
      expect(text).not.toContain('975310');
      const row = await storage.db.selectFrom('cards').selectAll().where('serial', '=', '0B000006').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'active', role: 'agent' });

      out.length = 0;
      expect(await staff(['card', 'unblock', '--reader', '00 01', '--new-pin', '246801', '--wait', '10', '--data', env.config.dataDir]), out.join('\n')).toBe(0);
      expect(out.join('\n')).not.toContain('246801');
      const conn = await connect();
      expect(await (await OpenPgpCard.select(conn)).verifyPin('246801')).toEqual({ ok: true });
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('demo cards', () => {
  it('issues the seed’s cards over pcscd into a folder, then keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-demo-cards-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'fac-demo-server-'));
    try {
      const first = await issueDemoCards({ cardsDir: dir, serverDataDir: dataDir, seedPath: SEED_PATH, slot: SLOT });
      expect(first.map((r) => [r.serial, r.status])).toEqual([
        ['0A1B2C3D', 'issued'],
        ['0A1B2C3E', 'issued'],
        ['0A1B2C3F', 'issued'],
        ['0A1B2C40', 'issued'],
      ]);
      for (const r of first) {
        const state = cardFile(dir, r.serial);
        expect(Buffer.from(state.dos.loginData, 'hex').toString()).toBe(r.identifier);
        const check = await checkCardCertificate(new Uint8Array(Buffer.from(state.dos.certificate, 'hex')), {
          caCertificate: (await loadCa(dataDir))!.certificate,
          now: new Date(),
          cardSerial: r.serial,
          isRevoked: () => false,
        });
        expect(check.ok, r.serial).toBe(true);
        expect(check.ok && check.info.role).toBe(r.serial === '0A1B2C40' ? 'agent' : 'beneficiary');
      }
      const second = await issueDemoCards({ cardsDir: dir, serverDataDir: dataDir, seedPath: SEED_PATH, slot: SLOT });
      expect(second.every((r) => r.status === 'kept')).toBe(true);
      const db = openDatabase({ kind: 'sqlite', file: join(dataDir, 'facilitateur.sqlite') });
      try {
        const cards = await db.db.selectFrom('cards').select(['serial', 'certificate_serial']).orderBy('serial').execute();
        expect(cards.every((c) => c.certificate_serial !== null)).toBe(true);
        expect(await latestRevocationList(db.db)).toBeNull();
      } finally {
        await db.db.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
