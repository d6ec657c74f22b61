/**
 * The card-holder box simulator over real pcscd: inserting, swapping and removing cards through its
 * JSON API and its forms, seen by a ReaderManager (slot 1, "Virtual PCD 00 01") and, on the HID side,
 * by a kiosk-side CardBox over loopback: both move together, and the latch holds the card.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { openCardBox, type CardBox, type CardPresentEvent } from '../hid/box.ts';
import { until } from '../hid/test-helpers.ts';
import { OpenPgpCard } from '../pcsc/openpgp.ts';
import { ReaderManager, type CardInsertedEvent } from '../pcsc/reader-manager.ts';
import { issueVirtualCard } from './issue.ts';
import { startSimulator, type SimulatorHandle } from './simulator.ts';
import { vpcdReaderName, waitForEvent } from './test-helpers.ts';

const READER = vpcdReaderName(1);

let dir: string;
let sim: SimulatorHandle;
let manager: ReaderManager;
let box: CardBox;
/** HID and PC/SC events of slot 1, in arrival order. */
let log: string[];

beforeEach(async () => {
  await ensurePcscd();
  dir = mkdtempSync(join(tmpdir(), 'vcard-simhw-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '142536', holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', pin: '864209', holder: { firstName: 'Sophie', lastName: 'Lefèvre' } });
  sim = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1', slot: 1 });
  manager = new ReaderManager({ readerFilter: (n) => n === READER });
  const added = waitForEvent(manager, 'reader-added');
  manager.start();
  await added;
  log = [];
  manager.on('card-inserted', () => log.push('pcsc in'));
  manager.on('card-removed', () => log.push('pcsc out'));
  box = openCardBox(sim.boxUrl, { retryMinMs: 20, retryMaxMs: 100 });
  box.on('card-present', (e) => e.slot === 1 && log.push(e.present ? 'hid in' : 'hid out'));
  const connected = waitForEvent(box, 'connected');
  box.start();
  await connected;
});

afterEach(async () => {
  const removed = manager.cardPresent(READER) ? waitForEvent(manager, 'card-removed', () => true, 5000).catch(() => undefined) : undefined;
  await box.close();
  await sim.close();
  await removed;
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
});

async function identifierInReader(): Promise<string> {
  const conn = await manager.connect(READER);
  try {
    return await (await OpenPgpCard.select(conn)).readLoginData();
  } finally {
    await conn.disconnect();
  }
}

const postJson = (path: string, body: unknown) =>
  fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('simulator over pcscd', () => {
  it('inserts, swaps and removes cards through the JSON API', async () => {
    let inserted = waitForEvent<CardInsertedEvent>(manager, 'card-inserted');
    const res = await postJson('/api/insert', { serial: '0a1b2c3d' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ slot: 1, inserted: '0A1B2C3D' });
    await inserted;
    expect(await identifierInReader()).toBe('FAC-K7QM-3XD2-9HRW');
    expect(((await (await fetch(`${sim.url}/api/cards`)).json()) as { inserted: string }).inserted).toBe('0A1B2C3D');
    expect(await (await fetch(`${sim.url}/`)).text()).toContain('Second emplacement : carte de Camille Martin');
    await until(() => box.cardPresent(1) === true, 5000, 'HID presence');

    // Inserting another card takes the first one out.
    const removed = waitForEvent(manager, 'card-removed');
    inserted = waitForEvent<CardInsertedEvent>(manager, 'card-inserted');
    expect((await postJson('/api/insert', { serial: '0A1B2C40' })).status).toBe(200);
    await removed;
    await inserted;
    expect(await identifierInReader()).toBe('FAC-R9TD-4HWN-3GAK');

    const out = waitForEvent(manager, 'card-removed');
    expect(await (await postJson('/api/remove', {})).json()).toEqual({ slot: 1, inserted: null, forced: false });
    await out;
    expect(manager.cardPresent(READER)).toBe(false);
    expect(box.cardPresent(1)).toBe(false);
    expect(box.cardPresent(0)).toBe(false); // slot 0 never moved
  });

  it('the page forms insert and remove a card', async () => {
    const inserted = waitForEvent<CardInsertedEvent>(manager, 'card-inserted');
    const res = await fetch(`${sim.url}/form/insert`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'serial=0A1B2C40',
      redirect: 'manual',
    });
    expect(res.headers.get('location')).toBe('/?info=inseree');
    await inserted;
    expect(sim.inserted()).toBe('0A1B2C40');
    const page = await (await fetch(`${sim.url}/?info=inseree`)).text();
    expect(page).toContain('Retirer la carte de Sophie Lefèvre du second emplacement');
    expect(page).toContain('La carte est dans le boîtier.');

    const removed = waitForEvent(manager, 'card-removed');
    await fetch(`${sim.url}/form/remove`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await removed;
    expect(sim.inserted()).toBeNull();
  });
});

describe('simulator: reader and HID switch move together', () => {
  it('insertion reaches the reader before the switch closes; removal opens the switch first', async () => {
    const hidIn = waitForEvent<CardPresentEvent>(box, 'card-present', (e) => e.slot === 1 && e.present);
    const pcscIn = waitForEvent(manager, 'card-inserted');
    expect((await postJson('/api/insert', { serial: '0A1B2C3D', slot: 1 })).status).toBe(200);
    await Promise.all([hidIn, pcscIn]);
    expect(await identifierInReader()).toBe('FAC-K7QM-3XD2-9HRW');
    expect(sim.box.cardPresent(1)).toBe(true);

    log.length = 0;
    const hidOut = waitForEvent<CardPresentEvent>(box, 'card-present', (e) => e.slot === 1 && !e.present);
    const pcscOut = waitForEvent(manager, 'card-removed');
    expect((await postJson('/api/remove', { slot: 1 })).status).toBe(200);
    await Promise.all([hidOut, pcscOut]);
    // The switch is instant; pcscd notices by polling: the kiosk hears the HID first.
    expect(log).toEqual(['hid out', 'pcsc out']);
  });

  it('the latch blocks a normal removal, not a forced one (a card yanked out)', async () => {
    const pcscIn = waitForEvent(manager, 'card-inserted');
    await postJson('/api/insert', { serial: '0A1B2C40', slot: 1 });
    await pcscIn;
    await until(() => box.cardPresent(1) === true, 5000, 'HID presence');
    await box.setLatch(true, 1);
    await until(() => sim.box.latched(1) && box.latched(1) === true, 5000, 'latched');

    const refused = await postJson('/api/remove', { slot: 1 });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('box-locked');
    const form = await fetch(`${sim.url}/form/remove`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'slot=1',
      redirect: 'manual',
    });
    expect(form.headers.get('location')).toBe('/?info=boitier-verrouille');
    const page = await (await fetch(`${sim.url}/?info=boitier-verrouille`)).text();
    expect(page).toContain('Forcer le retrait de la carte de Sophie Lefèvre');
    expect(page).toContain('Le boîtier est verrouillé');
    // Still in: the reader and the switch agree.
    expect(sim.inserted(1)).toBe('0A1B2C40');
    expect(box.cardPresent(1)).toBe(true);
    expect(await identifierInReader()).toBe('FAC-R9TD-4HWN-3GAK');
    // Another card cannot be pushed into the held slot either.
    expect((await postJson('/api/insert', { serial: '0A1B2C3D', slot: 1 })).status).toBe(409);

    log.length = 0;
    const hidOut = waitForEvent<CardPresentEvent>(box, 'card-present', (e) => e.slot === 1 && !e.present);
    const pcscOut = waitForEvent(manager, 'card-removed');
    const forced = await postJson('/api/remove', { slot: 1, force: true });
    expect(await forced.json()).toEqual({ slot: 1, inserted: null, forced: true });
    await Promise.all([hidOut, pcscOut]);
    expect(log).toEqual(['hid out', 'pcsc out']);
    expect(sim.inserted(1)).toBeNull();
    // The bolt is still out until the kiosk releases it.
    expect(box.latched(1)).toBe(true);
    await box.setLatch(false, 1);
    await until(() => !sim.box.latched(1), 5000, 'released');
  });
});
