/**
 * Card sessions over real pcscd + vpcd with virtual OpenPGP cards in reader slot 0: greeting, wrong
 * and blocked PIN, unknown or malformed identifiers, the holder lookup offline, and removal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueVirtualCard } from '../../../drivers/vcard/issue.ts';
import { cardFile, loadCardState, saveCardState } from '../../../drivers/vcard/state.ts';
import { VirtualCard } from '../../../drivers/vcard/vpcd-client.ts';
import type { KioskState } from '../../contract/schema.ts';
import { silentLogger } from '../log.ts';
import { SessionManager } from './session.ts';
import type { Holder } from './session.ts';

let dir: string;
let manager: SessionManager;
let card: VirtualCard | null = null;
let lookupResult: Holder | 'unknown' | 'offline' = { firstName: 'Camille', role: 'beneficiary' };
const states: KioskState[] = [];

const CAMILLE = { serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '1234' };

function waitFor(screen: KioskState['screen'], timeoutMs = 10_000): Promise<KioskState> {
  const seen = states.find((s) => s.screen === screen);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${screen} screen; saw ${states.map((s) => s.screen).join(', ')}`)), timeoutMs);
    const on = (s: KioskState) => {
      if (s.screen === screen) {
        clearTimeout(t);
        manager.off('state', on);
        resolve(s);
      }
    };
    manager.on('state', on);
  });
}

async function insert(serial: string): Promise<void> {
  states.length = 0;
  card = VirtualCard.fromFile(cardFile(dir, serial), { slot: 0 });
  await card.insert();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-session-'));
  await issueVirtualCard({ dir, ...CAMILLE, holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0B000001', identifier: 'not-an-identifier', pin: '1234' });
  // a well-formed identifier whose check character is wrong (a clone with a mistyped identifier)
  await issueVirtualCard({ dir, serial: '0B000002', identifier: 'FAC-K7QM-3XD2-9HRX', pin: '1234' });
  manager = new SessionManager({ reader: 'Virtual PCD 00 00', logger: silentLogger, lookup: async () => lookupResult });
  manager.on('state', (s) => states.push(s));
  manager.start();
});

afterEach(async () => {
  if (card) {
    await card.remove();
    await waitFor('attract').catch(() => undefined);
    card = null;
  }
  lookupResult = { firstName: 'Camille', role: 'beneficiary' };
});

afterAll(async () => {
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('card sessions over pcscd', () => {
  it('greets the holder, opens on the right PIN, ends when the card leaves', async () => {
    await insert(CAMILLE.serial);
    expect(await waitFor('pin')).toEqual({ screen: 'pin', firstName: 'Camille', triesLeft: 3 });
    expect(await manager.submitPin(CAMILLE.pin)).toEqual({ outcome: 'open' });
    expect(manager.open).toMatchObject({ identifier: CAMILLE.identifier, cardSerial: CAMILLE.serial });
    await card!.remove();
    await waitFor('attract');
    expect(manager.open).toBeNull();
    await expect(manager.submitPin(CAMILLE.pin)).rejects.toMatchObject({ code: 'no-session' });
    card = null;
  });

  it('counts wrong PINs down and blocks the card at the third', async () => {
    await insert(CAMILLE.serial);
    await waitFor('pin');
    expect(await manager.submitPin('0000')).toEqual({ outcome: 'wrong', triesLeft: 2 });
    expect(await manager.submitPin('0001')).toEqual({ outcome: 'wrong', triesLeft: 1 });
    expect(await manager.submitPin('0002')).toEqual({ outcome: 'blocked' });
    expect(manager.state).toEqual({ screen: 'card-problem', problem: 'blocked' });
    expect(manager.open).toBeNull();
    await card!.remove();
    await waitFor('attract');
    // a blocked card is recognised as such at once the next time
    await insert(CAMILLE.serial);
    expect(await waitFor('card-problem')).toEqual({ screen: 'card-problem', problem: 'blocked' });
    // unblock for the other tests (what staff will do with the reset code)
    await card!.remove();
    await waitFor('attract');
    card = null;
    const state = loadCardState(cardFile(dir, CAMILLE.serial));
    saveCardState(cardFile(dir, CAMILLE.serial), { ...state, counters: { ...state.counters, pw1: 3 } });
  });

  it('refuses a card whose login data is not an identifier, or fails its check character', async () => {
    await insert('0B000001');
    expect(await waitFor('card-problem')).toEqual({ screen: 'card-problem', problem: 'unknown' });
    await card!.remove();
    await waitFor('attract');
    await insert('0B000002');
    expect(await waitFor('card-problem')).toEqual({ screen: 'card-problem', problem: 'unknown' });
  });

  it('says when the holder is unknown to the platform, or cannot be looked up', async () => {
    lookupResult = 'unknown';
    await insert(CAMILLE.serial);
    expect(await waitFor('card-problem')).toEqual({ screen: 'card-problem', problem: 'unknown' });
    await card!.remove();
    await waitFor('attract');
    lookupResult = 'offline';
    await insert(CAMILLE.serial);
    expect(await waitFor('card-problem')).toEqual({ screen: 'card-problem', problem: 'offline' });
  });

  it('rejects a PIN before the card is read, and a session end without a card is harmless', async () => {
    await expect(manager.submitPin('1234')).rejects.toMatchObject({ code: 'no-session' });
    manager.finish();
    expect(manager.state.screen).toBe('attract');
  });
});
