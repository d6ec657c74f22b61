/**
 * Card sessions over real pcscd + vpcd with virtual OpenPGP cards, offline (no server at all): the
 * certificate checks, the PIN, the challenge, every refusal, an agent joined by a beneficiary in the
 * second slot, inactivity, a card pulled mid-read, and pcscd restarting.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueVirtualCard } from '../../../drivers/vcard/issue.ts';
import { VirtualCard } from '../../../drivers/vcard/vpcd-client.ts';
import { ReaderManager } from '../../../drivers/pcsc/index.ts';
import { checkCardCertificate } from '../../../sync-server/protocol/card-certificate.ts';
import { verifyP256Signature } from '../../../drivers/pcsc/ec.ts';
import { MANIFEST_CONTEXT, manifestBytes } from '../../../sync-server/protocol/applications.ts';
import type { Manifest } from '../../../sync-server/protocol/applications.ts';
import { restartPcscd } from '../../../scripts/lib/pcscd.ts';
import { cardFile, createTestPki, makeClone, makeTestCard } from '../../../tests/support/cards.ts';
import type { TestPki } from '../../../tests/support/cards.ts';
import { ForeignCard } from '../../../tests/support/foreign-card.ts';
import type { KioskState } from '../../contract/schema.ts';
import { silentLogger } from '../log.ts';
import { SessionManager } from './session.ts';
import type { SignedWrite } from './session.ts';
import { proofMessage, referencedBlobs } from '../../../sync-server/protocol/mutations.ts';
import type { Ground, MutationBody } from '../../../sync-server/protocol/mutations.ts';
import { loadPinnedCa } from './trust.ts';

let dir: string;
let pki: TestPki;
let manager: SessionManager;
let readers: ReaderManager;
const revoked = new Set<string>();
const inserted: { remove(): Promise<void> }[] = [];
const states: KioskState[] = [];

const CAMILLE = { serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', firstName: 'Camille', lastName: 'Martin', pin: '142536' };
const YANIS = { serial: '0A1B2C3E', identifier: 'FAC-B4NW-8TZC-61PG', firstName: 'Yanis', lastName: 'Benali', pin: '246813' };
const SOPHIE = { serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', firstName: 'Sophie', lastName: 'Lefèvre', pin: '864209', role: 'agent' as const };
const LUC = { serial: '0A1B2C41', identifier: 'FAC-Z3KP-7MCX-5TEA', firstName: 'Luc', lastName: 'Moreau', pin: '432198', role: 'agent' as const };

function waitFor(pred: (s: KioskState) => boolean, what: string, timeoutMs = 10_000): Promise<KioskState> {
  if (pred(manager.state)) return Promise.resolve(manager.state);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      manager.off('state', on);
      reject(new Error(`no ${what}; saw ${states.map((s) => JSON.stringify(s)).join(' | ')}`));
    }, timeoutMs);
    const on = (s: KioskState) => {
      if (pred(s)) {
        clearTimeout(t);
        manager.off('state', on);
        resolve(s);
      }
    };
    manager.on('state', on);
  });
}
const screen = (name: KioskState['screen']) => waitFor((s) => s.screen === name, `${name} screen`);

async function insert(path: string, slot: 0 | 1 = 0, opts: { respondDelayMs?: number } = {}): Promise<VirtualCard> {
  states.length = 0;
  const card = VirtualCard.fromFile(path, { slot, ...opts });
  inserted.push(card);
  await card.insert();
  return card;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-session-'));
  for (const d of ['cards', 'odd', 'clones']) mkdirSync(join(dir, d));
  pki = await createTestPki(dir);
  const cards = join(dir, 'cards');
  for (const p of [CAMILLE, YANIS, SOPHIE, LUC]) await makeTestCard(pki.ca, cards, p);
  const odd = join(dir, 'odd');
  const foreignPki = await createTestPki(dir, 'Another issuer');
  await makeTestCard(foreignPki.ca, odd, { ...CAMILLE, serial: '0B000001' });
  await makeTestCard(pki.ca, odd, { ...CAMILLE, serial: '0B000002', notAfter: new Date(Date.now() - 86_400_000), notBefore: new Date(Date.now() - 400 * 86_400_000) });
  await makeTestCard(pki.ca, odd, { ...CAMILLE, serial: '0B000003', notBefore: new Date(Date.now() + 30 * 86_400_000) });
  await makeTestCard(pki.ca, odd, { ...CAMILLE, serial: '0B000004', certificateSerial: CAMILLE.serial });
  await issueVirtualCard({ dir: odd, serial: '0B000005', identifier: CAMILLE.identifier, pin: '142536' });
  await makeClone(cardFile(cards, CAMILLE.serial), join(dir, 'clones'), '142536');
  const ca = loadPinnedCa(pki.caPemPath);
  readers = new ReaderManager({ logger: silentLogger });
  manager = new SessionManager({
    readerManager: readers,
    readers: { main: 'Virtual PCD 00 00', second: 'Virtual PCD 00 01' },
    trust: () => ca,
    isRevoked: (serial) => revoked.has(serial),
    kioskId: 'borne-test',
    logger: silentLogger,
    idle: { timeoutMs: 60_000, warningMs: 10_000 },
  });
  manager.on('state', (s) => states.push(s));
  manager.start();
});

afterEach(async () => {
  for (const c of inserted.splice(0)) await c.remove();
  await screen('attract').catch(() => undefined);
  // pcscd polls vpcd readers: a card swapped faster than its poll would look like it never left
  const deadline = Date.now() + 5000;
  while (readers.readers().some((r) => readers.cardPresent(r)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  revoked.clear();
});

afterAll(async () => {
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
});

const card = (name: string) => cardFile(join(dir, 'cards'), name);
const odd = (serial: string) => cardFile(join(dir, 'odd'), serial);

describe('card sessions over pcscd, offline', () => {
  it('greets the holder from the certificate, opens on PIN + challenge, ends when the card leaves', async () => {
    const c = await insert(card(CAMILLE.serial));
    expect(await screen('pin')).toEqual({ screen: 'pin', firstName: 'Camille', role: 'beneficiary', triesLeft: 3 });
    expect(await manager.submitPin(CAMILLE.pin)).toEqual({ outcome: 'open' });
    expect(manager.state).toEqual({ screen: 'session', firstName: 'Camille', role: 'beneficiary', companion: null, actingFor: null, joining: null });
    expect(manager.subject()).toMatchObject({ identifier: CAMILLE.identifier, cardSerial: CAMILLE.serial });
    await c.remove();
    await screen('attract');
    expect(manager.open).toBeNull();
    await expect(manager.submitPin(CAMILLE.pin)).rejects.toMatchObject({ code: 'no-session' });
  });

  it('counts wrong PINs down, blocks at the third, and knows a blocked card at once', async () => {
    const c = await insert(card(YANIS.serial));
    await screen('pin');
    // a code outside the PIN rule (6 to 8 digits) is not sent to the card: no try lost
    for (const pin of ['0000', '00000', '000000000']) await expect(manager.submitPin(pin), pin).rejects.toMatchObject({ code: 'invalid-request' });
    expect(manager.state).toMatchObject({ screen: 'pin', triesLeft: 3 });
    expect(await manager.submitPin('000000')).toEqual({ outcome: 'wrong', triesLeft: 2 });
    expect(manager.state).toMatchObject({ screen: 'pin', triesLeft: 2 });
    expect(await manager.submitPin('000001')).toEqual({ outcome: 'wrong', triesLeft: 1 });
    expect(await manager.submitPin('000002')).toEqual({ outcome: 'blocked' });
    expect(manager.state).toEqual({ screen: 'card-problem', problem: 'blocked', slot: 'main' });
    await c.remove();
    await screen('attract');
    await insert(card(YANIS.serial));
    expect(await screen('card-problem')).toEqual({ screen: 'card-problem', problem: 'blocked', slot: 'main' });
  });

  const refusals: [string, () => string, string][] = [
    ['a card from another issuer', () => odd('0B000001'), 'foreign'],
    ['an expired certificate', () => odd('0B000002'), 'expired'],
    ['a certificate not valid yet', () => odd('0B000003'), 'expired'],
    ['a certificate copied onto another card', () => odd('0B000004'), 'not-genuine'],
    ['a card with the identifier but no certificate', () => odd('0B000005'), 'unknown'],
  ];
  for (const [what, path, problem] of refusals) {
    it(`refuses ${what}`, async () => {
      await insert(path());
      expect(await screen('card-problem')).toEqual({ screen: 'card-problem', problem, slot: 'main' });
      await expect(manager.submitPin('142536')).rejects.toMatchObject({ code: 'no-session' });
    });
  }

  it('refuses a card that is not an OpenPGP card at all', async () => {
    const foreign = new ForeignCard(35963);
    inserted.push(foreign);
    states.length = 0;
    await foreign.insert();
    expect(await screen('card-problem')).toEqual({ screen: 'card-problem', problem: 'foreign', slot: 'main' });
  });

  it('refuses a copy that carries everything but the key, after the PIN', async () => {
    await insert(cardFile(join(dir, 'clones'), CAMILLE.serial));
    // everything readable is the real card's: the greeting is the same
    expect(await screen('pin')).toMatchObject({ firstName: 'Camille' });
    expect(await manager.submitPin('142536')).toEqual({ outcome: 'blocked' });
    expect(manager.state).toEqual({ screen: 'card-problem', problem: 'not-genuine', slot: 'main' });
    expect(manager.open).toBeNull();
  });

  it('refuses a revoked card, and stops one in use when the list arrives', async () => {
    revoked.add(CAMILLE.serial);
    const c = await insert(card(CAMILLE.serial));
    expect(await screen('card-problem')).toMatchObject({ problem: 'revoked' });
    await c.remove();
    await screen('attract');
    revoked.clear();
    await insert(card(CAMILLE.serial));
    await screen('pin');
    await manager.submitPin(CAMILLE.pin);
    revoked.add(CAMILLE.serial);
    manager.revocationsChanged();
    expect(manager.state).toEqual({ screen: 'card-problem', problem: 'revoked', slot: 'main' });
    expect(manager.open).toBeNull();
  });

  it('lets a beneficiary join an agent’s session with their own card and PIN, and leave', async () => {
    await insert(card(SOPHIE.serial));
    expect(await screen('pin')).toMatchObject({ firstName: 'Sophie', role: 'agent' });
    await manager.submitPin(SOPHIE.pin);
    expect(() => manager.subject()).toThrow(/personne accompagnée/);
    // alone, she may act for someone on their procuration: the subject is that person, her card proves the writes
    const procurationId = '1d3f6a2e-8c4b-4f1a-9e7d-2b5c8a0f4e61';
    manager.actFor({ procurationId, identifier: CAMILLE.identifier, firstName: 'Camille', lastName: 'Martin', until: '2027-01-31', actions: ['consult'] });
    expect(manager.state).toMatchObject({ screen: 'session', actingFor: { procurationId, firstName: 'Camille', actions: ['consult'] } });
    expect(manager.subject()).toEqual({ identifier: CAMILLE.identifier, firstName: 'Camille', lastName: 'Martin', cardSerial: null });
    expect(manager.ground()).toEqual({ kind: 'procuration', procurationId, agentCardSerial: SOPHIE.serial });
    // nothing is signed in the name of someone who is not there
    expect(() => manager.subjectSlot()).toThrow(/n’est pas là/);
    // the person herself comes to the box: the agent works with her, no longer on the procuration
    const beneficiary = await insert(card(CAMILLE.serial), 1);
    await waitFor((s) => s.screen === 'session' && s.joining?.step === 'pin', 'join PIN');
    expect(manager.state).toMatchObject({ screen: 'session', firstName: 'Sophie', joining: { step: 'pin', firstName: 'Camille', triesLeft: 3 } });
    expect(await manager.submitPin('999999', 'join')).toEqual({ outcome: 'wrong', triesLeft: 2 });
    expect(await manager.submitPin(CAMILLE.pin, 'join')).toEqual({ outcome: 'open' });
    expect(manager.state).toEqual({ screen: 'session', firstName: 'Sophie', role: 'agent', companion: { firstName: 'Camille', role: 'beneficiary' }, actingFor: null, joining: null });
    expect(manager.subject()).toMatchObject({ identifier: CAMILLE.identifier });
    expect(manager.open?.companion?.cardSerial).toBe(CAMILLE.serial);
    // the beneficiary takes their card: the agent's session goes on, without them
    await beneficiary.remove();
    await waitFor((s) => s.screen === 'session' && s.companion === null, 'companion gone');
    expect(() => manager.subject()).toThrow();
    // an agent's card is not a beneficiary's
    await insert(card(LUC.serial), 1);
    await waitFor((s) => s.screen === 'session' && s.joining?.step === 'problem', 'second-slot refusal');
    expect(manager.state).toMatchObject({ joining: { step: 'problem', problem: 'not-beneficiary' } });
  });

  it('proves each write with the cards at the box (INTERNAL AUTHENTICATE over the mutation, bound to the kiosk): alone, then an agent with the beneficiary; a card gone signs nothing', async () => {
    const witnessesOk = async (body: MutationBody, signed: SignedWrite) => {
      const message = proofMessage('borne-test', { id: signed.id, blobs: referencedBlobs(body), ...body });
      for (const w of signed.proof.cards) {
        const check = await checkCardCertificate(new Uint8Array(Buffer.from(w.certificate, 'base64url')), { caCertificate: pki.ca.certificate, now: new Date(), cardSerial: w.cardSerial, isRevoked: () => false });
        if (!check.ok) throw new Error(`certificate refused: ${check.problem}`);
        expect(verifyP256Signature(check.info.authPublicKey, message, new Uint8Array(Buffer.from(w.signature, 'base64url')))).toBe(true);
        // bound to this kiosk and this mutation: worth nothing for another
        expect(verifyP256Signature(check.info.authPublicKey, proofMessage('borne-ailleurs', { id: signed.id, blobs: referencedBlobs(body), ...body }), new Uint8Array(Buffer.from(w.signature, 'base64url')))).toBe(false);
      }
      return signed.proof.cards.map((w) => w.cardSerial);
    };
    const del = (ground: Ground): MutationBody => ({ type: 'vault.document.delete', payload: { documentId: '6f1d4f0e-2b5c-4c39-9d59-0c1e7a4b8e21', owner: CAMILLE.identifier, ground } });

    // Camille alone: her card signs
    const own = await insert(card(CAMILLE.serial));
    await screen('pin');
    await manager.submitPin(CAMILLE.pin);
    const alone = del(manager.ground());
    expect(await witnessesOk(alone, await manager.proveWrite(alone))).toEqual([CAMILLE.serial]);
    // her card pulled: nothing is signed, and the kiosk cannot sign in her name
    await own.remove();
    await screen('attract');
    await expect(manager.proveWrite(alone)).rejects.toMatchObject({ code: 'no-session' });

    // Sophie with Camille joined: both cards sign, the beneficiary's first
    await insert(card(SOPHIE.serial));
    await screen('pin');
    await manager.submitPin(SOPHIE.pin);
    await insert(card(CAMILLE.serial), 1);
    await waitFor((s) => s.screen === 'session' && s.joining?.step === 'pin', 'join PIN');
    expect(await manager.submitPin(CAMILLE.pin, 'join')).toEqual({ outcome: 'open' });
    const together: MutationBody = {
      type: 'vault.document.send',
      // several papers in one sending: the cards sign the whole list with the rest of the payload
      payload: {
        messageId: '0b6a4f57-7f7a-4b0e-9a43-3c2f1f1c9e10',
        documentId: '6f1d4f0e-2b5c-4c39-9d59-0c1e7a4b8e21',
        otherDocumentIds: ['9a4c1f2e-3b5d-4e6f-8a7b-1c2d3e4f5a6b', 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'],
        owner: CAMILLE.identifier,
        institutionId: 'caf',
        note: '',
        ground: manager.ground(),
      },
    };
    expect(manager.ground()).toEqual({ kind: 'present-beneficiary', cardSerial: CAMILLE.serial, agentCardSerial: SOPHIE.serial });
    const signedTogether = await manager.proveWrite(together);
    expect(await witnessesOk(together, signedTogether)).toEqual([CAMILLE.serial, SOPHIE.serial]);
    // read without its list (a server that does not know it), the payload is not what the cards signed
    if (together.type !== 'vault.document.send') throw new Error('a sending');
    const { otherDocumentIds: _others, ...firstOnly } = together.payload;
    const stripped = proofMessage('borne-test', { id: signedTogether.id, blobs: [], type: together.type, payload: firstOnly });
    for (const w of signedTogether.proof.cards) {
      const check = await checkCardCertificate(new Uint8Array(Buffer.from(w.certificate, 'base64url')), { caCertificate: pki.ca.certificate, now: new Date(), cardSerial: w.cardSerial, isRevoked: () => false });
      if (!check.ok) throw new Error(`certificate refused: ${check.problem}`);
      expect(verifyP256Signature(check.info.authPublicKey, stripped, new Uint8Array(Buffer.from(w.signature, 'base64url')))).toBe(false);
    }
  });

  it('signs a request manifest with the card’s signature key after the PIN again (PSO:CDS), checked against the certificate', async () => {
    // Camille: Yanis's card was blocked by the wrong-PIN test above
    const c = await insert(card(CAMILLE.serial));
    await screen('pin');
    expect(await manager.submitPin(CAMILLE.pin)).toEqual({ outcome: 'open' });
    const manifest: Manifest = {
      context: MANIFEST_CONTEXT,
      dossierId: '6f1d4f0e-2b5c-4c39-9d59-0c1e7a4b8e21',
      person: CAMILLE.identifier,
      aids: [{ applicationId: '0b6a4f57-7f7a-4b0e-9a43-3c2f1f1c9e10', aidId: 'prime-activite' }],
      situation: { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false },
      mode: 'manual',
      ground: { kind: 'beneficiary-signature' },
      pieces: [{ itemId: 'rib', documentId: null, version: null, sha256: null }],
      catalogueVersion: 1,
      preparedAt: new Date().toISOString(),
      kioskId: 'borne-test',
    };
    const bytes = manifestBytes(manifest);
    // a wrong PIN signs nothing and counts down (the PIN's counter is shared with the login)
    expect(await manager.signWithCard('main', '000000', bytes)).toEqual({ outcome: 'wrong', triesLeft: 2 });
    const signed = await manager.signWithCard('main', CAMILLE.pin, bytes);
    if (signed.outcome !== 'signed') throw new Error(`not signed: ${JSON.stringify(signed)}`);
    expect(signed.cardSerial).toBe(CAMILLE.serial);
    const check = await checkCardCertificate(signed.certificate, { caCertificate: pki.ca.certificate, now: new Date(), cardSerial: CAMILLE.serial, isRevoked: () => false });
    if (!check.ok) throw new Error(`certificate refused: ${check.problem}`);
    const info = check.info;
    expect(verifyP256Signature(info.signaturePublicKey, bytes, signed.signature)).toBe(true);
    // not the authentication key, and not over other bytes
    expect(verifyP256Signature(info.authPublicKey, bytes, signed.signature)).toBe(false);
    expect(verifyP256Signature(info.signaturePublicKey, manifestBytes({ ...manifest, mode: 'automatic' }), signed.signature)).toBe(false);
    // the PIN is good for one signature only: the next one asks for it again and works again
    const again = await manager.signWithCard('main', CAMILLE.pin, bytes);
    expect(again.outcome).toBe('signed');
    await c.remove();
    await screen('attract');
    await expect(manager.signWithCard('main', CAMILLE.pin, bytes)).rejects.toMatchObject({ code: 'no-session' });
  });

  it('refuses a card in the second slot when no agent session is open', async () => {
    await insert(card(CAMILLE.serial), 1);
    expect(await screen('card-problem')).toEqual({ screen: 'card-problem', problem: 'wrong-slot', slot: 'second' });
  });

  it('ends the session after inactivity, with a countdown first', async () => {
    // its own PC/SC context and reader (slot 1 as its main slot): no card is shared with `manager`
    const quick = new SessionManager({
      readers: { main: 'Virtual PCD 00 01', second: 'no such reader' },
      trust: () => loadPinnedCa(pki.caPemPath),
      isRevoked: () => false,
      kioskId: 'borne-test',
      logger: silentLogger,
      idle: { timeoutMs: 2500, warningMs: 2000 },
    });
    const warnings: (number | null)[] = [];
    quick.on('idle', (s) => warnings.push(s));
    const quickStates: KioskState[] = [];
    quick.on('state', (s) => quickStates.push(s));
    quick.start();
    try {
      await insert(card(CAMILLE.serial), 1);
      await expect.poll(() => quick.state.screen, { timeout: 10_000 }).not.toBe('attract');
      await expect.poll(() => quick.state.screen, { timeout: 10_000 }).not.toBe('reading');
      expect(quick.state, JSON.stringify(quickStates)).toMatchObject({ screen: 'pin' });
      await quick.submitPin(CAMILLE.pin);
      await expect.poll(() => quick.state, { timeout: 10_000, interval: 100 }).toEqual({ screen: 'remove-card', reason: 'idle', slots: ['main'] });
      expect(warnings.filter((w) => w !== null).length).toBeGreaterThanOrEqual(1);
      expect(quick.open).toBeNull();
    } finally {
      await quick.close();
    }
  });

  it('survives a card pulled in the middle of its reading', async () => {
    const c = await insert(card(CAMILLE.serial), 0, { respondDelayMs: 150 });
    await screen('reading');
    await c.remove();
    await screen('attract');
    c.respondDelayMs = 0;
    await c.insert();
    expect(await screen('pin')).toMatchObject({ firstName: 'Camille' });
  });

  it('keeps working after pcscd restarts', async () => {
    await restartPcscd();
    await insert(card(CAMILLE.serial));
    expect(await waitFor((s) => s.screen === 'pin', 'pin after restart', 20_000)).toMatchObject({ firstName: 'Camille' });
  });
});
