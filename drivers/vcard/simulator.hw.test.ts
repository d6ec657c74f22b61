/**
 * The card-holder box simulator over real pcscd: inserting, swapping and removing cards through its
 * JSON API and its forms, seen by a ReaderManager (slot 1, "Virtual PCD 00 01").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { OpenPgpCard } from '../pcsc/openpgp.ts';
import { ReaderManager, type CardInsertedEvent } from '../pcsc/reader-manager.ts';
import { issueVirtualCard } from './issue.ts';
import { startSimulator, type SimulatorHandle } from './simulator.ts';
import { vpcdReaderName, waitForEvent } from './test-helpers.ts';

const READER = vpcdReaderName(1);

let dir: string;
let sim: SimulatorHandle;
let manager: ReaderManager;

beforeEach(async () => {
  await ensurePcscd();
  dir = mkdtempSync(join(tmpdir(), 'vcard-simhw-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '1234', holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', pin: '8642', holder: { firstName: 'Sophie', lastName: 'Lefèvre' } });
  sim = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1', slot: 1 });
  manager = new ReaderManager({ readerFilter: (n) => n === READER });
  const added = waitForEvent(manager, 'reader-added');
  manager.start();
  await added;
});

afterEach(async () => {
  const removed = manager.cardPresent(READER) ? waitForEvent(manager, 'card-removed', () => true, 5000).catch(() => undefined) : undefined;
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
    expect(await res.json()).toEqual({ inserted: '0A1B2C3D' });
    await inserted;
    expect(await identifierInReader()).toBe('FAC-K7QM-3XD2-9HRW');
    expect(((await (await fetch(`${sim.url}/api/cards`)).json()) as { inserted: string }).inserted).toBe('0A1B2C3D');
    expect(await (await fetch(`${sim.url}/`)).text()).toContain('Carte dans le lecteur : Camille Martin');

    // Inserting another card takes the first one out.
    const removed = waitForEvent(manager, 'card-removed');
    inserted = waitForEvent<CardInsertedEvent>(manager, 'card-inserted');
    expect((await postJson('/api/insert', { serial: '0A1B2C40' })).status).toBe(200);
    await removed;
    await inserted;
    expect(await identifierInReader()).toBe('FAC-R9TD-4HWN-3GAK');

    const out = waitForEvent(manager, 'card-removed');
    expect(await (await postJson('/api/remove', {})).json()).toEqual({ inserted: null });
    await out;
    expect(manager.cardPresent(READER)).toBe(false);
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
    expect(page).toContain('Retirer la carte de Sophie Lefèvre');
    expect(page).toContain('La carte est dans le lecteur.');

    const removed = waitForEvent(manager, 'card-removed');
    await fetch(`${sim.url}/form/remove`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    await removed;
    expect(sim.inserted()).toBeNull();
  });
});
