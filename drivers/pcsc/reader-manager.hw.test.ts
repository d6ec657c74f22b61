/**
 * ReaderManager + OpenPgpCard over the real pcscd, with virtual cards plugged into vpcd (slot 1,
 * "Virtual PCD 00 01"). Every wait is bounded; every socket and context is closed after each test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restartPcscd, ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { issueVirtualCard } from '../vcard/issue.ts';
import { loadCardState } from '../vcard/state.ts';
import { fakeDerSequence, sleep, vpcdReaderName, waitForEvent } from '../vcard/test-helpers.ts';
import { VirtualCard } from '../vcard/vpcd-client.ts';
import type { CardConnection } from './connection.ts';
import { verifyP256Signature } from './ec.ts';
import { isPcscError, type PcscError } from './errors.ts';
import { OpenPgpCard } from './openpgp.ts';
import { ReaderManager, type CardInsertedEvent } from './reader-manager.ts';

const SLOT = 1;
const READER = vpcdReaderName(SLOT);
const CERT = fakeDerSequence(820);

let dir: string;
let path: string;
let manager: ReaderManager;
let vcards: VirtualCard[];
let connections: CardConnection[];

function virtualCard(opts: { forceChunk?: number } = {}): VirtualCard {
  const v = VirtualCard.fromFile(path, { slot: SLOT, ...opts });
  vcards.push(v);
  return v;
}

async function startManager(opts: { commandTimeoutMs?: number } = {}): Promise<ReaderManager> {
  manager = new ReaderManager({ readerFilter: (n) => n === READER, retryMaxMs: 1000, ...opts });
  const added = waitForEvent<string>(manager, 'reader-added', (n) => n === READER);
  manager.start();
  await added;
  return manager;
}

/** Inserts the card and waits for the manager to report it. */
async function insert(v: VirtualCard): Promise<CardInsertedEvent> {
  const inserted = waitForEvent<CardInsertedEvent>(manager, 'card-inserted', (e) => e.reader === READER);
  await v.insert();
  return inserted;
}

async function connect(): Promise<OpenPgpCard> {
  const conn = await manager.connect(READER);
  connections.push(conn);
  return OpenPgpCard.select(conn);
}

async function rejection(p: Promise<unknown>): Promise<PcscError> {
  try {
    await p;
  } catch (e) {
    if (isPcscError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  await ensurePcscd();
  dir = mkdtempSync(join(tmpdir(), 'vcard-hw-'));
  path = await issueVirtualCard({
    dir,
    serial: '0A1B2C3D',
    identifier: 'FAC-K7QM-3XD2-9HRW',
    pin: '142536',
    holder: { firstName: 'Camille', lastName: 'Martin' },
    certificate: CERT,
  });
  vcards = [];
  connections = [];
});

afterEach(async () => {
  // Wait until pcscd has seen the card leave, so the next test does not start from a stale "present".
  const present = manager?.cardPresent(READER) ?? false;
  const removed = present ? waitForEvent(manager, 'card-removed', () => true, 5000).catch(() => undefined) : undefined;
  await Promise.all(connections.map((c) => c.disconnect()));
  await Promise.all(vcards.map((v) => v.remove()));
  await removed;
  await manager?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ReaderManager over pcscd + vpcd', () => {
  it('reports insertion and removal, and reads the identifier with SELECT + GET DATA', async () => {
    await startManager();
    expect(manager.readers()).toEqual([READER]);
    expect(manager.cardPresent(READER)).toBe(false);
    await expect(manager.connect(READER)).rejects.toMatchObject({ code: 'no-card' });

    const v = virtualCard();
    const ev = await insert(v);
    expect(Buffer.from(ev.atr).equals(Buffer.from(v.card.atr))).toBe(true);
    expect(manager.cardPresent(READER)).toBe(true);

    const card = await connect();
    expect(await card.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
    expect((await card.readAid()).serial).toBe('0A1B2C3D');
    await expect(manager.connect(READER)).rejects.toMatchObject({ code: 'reader-busy' });

    const removed = waitForEvent(manager, 'card-removed', (e: { reader: string }) => e.reader === READER);
    await v.remove();
    await removed;
    expect(manager.cardPresent(READER)).toBe(false);
    expect((await rejection(card.readLoginData())).code).toBe('card-removed');
  });

  it('VERIFY: right, wrong with tries left, blocked — and the counter persists in the card file', async () => {
    await startManager();
    await insert(virtualCard());
    const card = await connect();
    expect(await card.verifyPin('142536')).toEqual({ ok: true });
    expect(await card.verifyPin('000000')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin('111111')).toEqual({ ok: false, triesLeft: 1 });
    expect(await card.verifyPin('222222')).toEqual({ ok: false, blocked: true });
    expect(await card.verifyPin('142536')).toEqual({ ok: false, blocked: true });
    expect((await card.readPwStatus()).pw1Tries).toBe(0);
    expect(loadCardState(path).counters.pw1).toBe(0);
  });

  it('INTERNAL AUTHENTICATE and PSO:CDS signatures verify against the public keys read from the card', async () => {
    await startManager();
    await insert(virtualCard());
    const card = await connect();
    const autPoint = await card.readPublicKey('aut');
    const sigPoint = await card.readPublicKey('sig');
    expect(await card.verifyPin('142536')).toEqual({ ok: true });
    const nonce = randomBytes(32);
    const auth = await card.internalAuthenticate(createHash('sha256').update(nonce).digest());
    expect(verifyP256Signature(autPoint, nonce, auth)).toBe(true);

    expect(await card.verifyPin('142536', 0x81)).toEqual({ ok: true });
    const doc = Buffer.from('procuration numérique — Camille Martin');
    const sig = await card.sign(createHash('sha256').update(doc).digest());
    expect(verifyP256Signature(sigPoint, doc, sig)).toBe(true);
    expect(verifyP256Signature(sigPoint, Buffer.from('autre document'), sig)).toBe(false);
  });

  it('reassembles a long response (certificate) sent in 61xx chunks', async () => {
    await startManager();
    const v = virtualCard({ forceChunk: 64 });
    await insert(v);
    const card = await connect();
    expect(Buffer.from((await card.readCertificate())!).equals(Buffer.from(CERT))).toBe(true);
    v.card.forceChunk = undefined; // plain short APDU: 256 bytes then 61xx
    expect(Buffer.from((await card.readCertificate())!).equals(Buffer.from(CERT))).toBe(true);
  });

  it('a card pulled in the middle of a command rejects with card-removed, and the manager keeps working', async () => {
    await startManager();
    const v = virtualCard();
    await insert(v);
    const card = await connect();
    v.respondDelayMs = 1500;
    const pending = rejection(card.readLoginData());
    await sleep(300);
    const removed = waitForEvent(manager, 'card-removed');
    await v.remove();
    const err = await pending;
    expect(err.code).toBe('card-removed');
    await removed;

    v.respondDelayMs = 0;
    await insert(v);
    const again = await connect();
    expect(await again.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
  });

  it('a command that does not answer in time rejects with timeout and poisons only that connection', async () => {
    await startManager({ commandTimeoutMs: 600 });
    const v = virtualCard();
    await insert(v);
    const card = await connect();
    v.respondDelayMs = 2500;
    expect((await rejection(card.readLoginData())).code).toBe('timeout');
    expect((await rejection(card.readLoginData())).code).toBe('connection-closed');
    v.respondDelayMs = 0;
    await connections.pop()!.disconnect();
    await sleep(2500); // the card finally answers the abandoned command; the reader is free again
    const again = await connect();
    expect(await again.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
  });

  it('recovers from a pcscd restart: status events, readers back, next insertion seen', async () => {
    await startManager();
    const v = virtualCard();
    await insert(v);
    const card = await connect();
    expect(await card.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');

    const down = waitForEvent<{ available: boolean }>(manager, 'status', (s) => !s.available, 15_000);
    const up = waitForEvent<{ available: boolean }>(manager, 'status', (s) => s.available, 20_000);
    const readerBack = waitForEvent<string>(manager, 'reader-added', (n) => n === READER, 20_000);
    // The virtual card reconnects to the new vpcd by itself, as a card left in the box would be seen again.
    const cardBack = waitForEvent<CardInsertedEvent>(manager, 'card-inserted', (e) => e.reader === READER, 25_000);
    await restartPcscd();
    await down;
    expect((await rejection(card.readLoginData())).code).toMatch(/^(pcsc-unavailable|reader-gone|card-removed)$/);
    await up;
    await readerBack;
    await cardBack;
    expect(await (await connect()).readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');

    // And a later removal + insertion is reported as usual.
    const removed = waitForEvent(manager, 'card-removed');
    await connections.pop()!.disconnect();
    await v.remove();
    await removed;
    await insert(v);
    expect(await (await connect()).readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
  });
});
