import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../pcsc/apdu.ts';
import { listCards } from './card-directory.ts';
import { seedDemoCards } from './demo-seed.ts';
import { isVcardError } from './errors.ts';
import { issueVirtualCard } from './issue.ts';
import { VirtualOpenPgpCard } from './openpgp-card.ts';
import { blankCardState, cardFile, createCardStateFile, loadCardState, saveCardState } from './state.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vcard-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectVcardError(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(isVcardError(e) ? e.code : e).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('card state files', () => {
  it('cardFile validates the serial', () => {
    expect(cardFile(dir, '0A1B2C3D')).toBe(join(dir, '0A1B2C3D.json'));
    for (const bad of ['0a1b2c3d', '0A1B2C3', '../../etc', '0A1B2C3D0']) expectVcardError(() => cardFile(dir, bad), 'invalid-argument');
  });

  it('round-trips a card with keys and counters, atomically (no temp file left)', async () => {
    const path = await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '142536' });
    const state = loadCardState(path);
    const card = new VirtualOpenPgpCard(state, { persist: (s) => saveCardState(path, s) });
    card.powerOn();
    card.process(fromHex('00A4040006D27600012401'));
    expect(toHex(card.process(fromHex('002000820430303030')))).toBe('63C2');
    const reloaded = loadCardState(path);
    expect(reloaded.counters.pw1).toBe(2);
    expect(reloaded.keys).toEqual(state.keys);
    expect(readdirSync(dir)).toEqual(['0A1B2C3D.json']);
  });

  it('a second card model on the same file keeps the keys (same public key after reload)', async () => {
    const path = await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'X-1', pin: '142536' });
    const read = () => {
      const c = new VirtualOpenPgpCard(loadCardState(path));
      c.powerOn();
      c.process(fromHex('00A4040006D27600012401'));
      return toHex(c.process(fromHex('0047810002A40000')));
    };
    expect(read()).toBe(read());
  });

  it.each<[string, (path: string) => void, string]>([
    ['missing file', () => undefined, 'state-not-found'],
    ['not JSON', (p) => writeFileSync(p, '{"format": "facilitateur-vcard", '), 'state-corrupt'],
    ['wrong shape', (p) => writeFileSync(p, JSON.stringify({ format: 'facilitateur-vcard', version: 1 })), 'state-corrupt'],
    [
      'counter out of range',
      (p) => {
        const s = blankCardState('0A1B2C3D');
        writeFileSync(p, JSON.stringify({ ...s, counters: { ...s.counters, pw1: 9 } }));
      },
      'state-corrupt',
    ],
    [
      'inconsistent key pair',
      (p) => {
        const s = loadCardState(join(dirname(p), 'AAAAAAAA.json'));
        const sig = s.keys.sig!;
        const aut = s.keys.aut!;
        writeFileSync(p, JSON.stringify({ ...s, keys: { ...s.keys, sig: { ...sig, jwk: { ...sig.jwk, d: aut.jwk.d } } } }));
      },
      'state-corrupt',
    ],
  ])('%s → typed error', async (_name, prepare, code) => {
    await issueVirtualCard({ dir, serial: 'AAAAAAAA', identifier: 'X-2', pin: '142536' });
    const path = join(dir, '0A1B2C3D.json');
    prepare(path);
    expectVcardError(() => loadCardState(path), code);
  });

  it('createCardStateFile never replaces an existing card', () => {
    const path = cardFile(dir, '0A1B2C3D');
    createCardStateFile(path, blankCardState('0A1B2C3D'));
    const before = readFileSync(path, 'utf8');
    expectVcardError(() => createCardStateFile(path, blankCardState('0A1B2C3D')), 'state-exists');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['0A1B2C3D.json']);
  });
});

describe('issuance and demo seed', () => {
  it('issues a personalised card: login data, keys, PIN; refuses bad input and existing cards', async () => {
    const path = await issueVirtualCard({
      dir,
      serial: '0A1B2C3D',
      identifier: 'FAC-K7QM-3XD2-9HRW',
      pin: '142536',
      adminPin: 'admin-9876',
      holder: { firstName: 'Sophie', lastName: 'Lefèvre' },
    });
    const s = loadCardState(path);
    expect(Buffer.from(s.dos.loginData, 'hex').toString()).toBe('FAC-K7QM-3XD2-9HRW');
    expect(Buffer.from(s.pins.pw1, 'hex').toString()).toBe('142536');
    expect(Buffer.from(s.pins.pw3, 'hex').toString()).toBe('admin-9876');
    expect(s.keys.sig?.origin).toBe('generated');
    expect(s.keys.aut?.origin).toBe('generated');
    expect(s.keys.dec).toBeNull();
    expect(s.counters).toEqual({ pw1: 3, rc: 0, pw3: 3 });
    expect(listCards(dir).cards[0]).toMatchObject({ serial: '0A1B2C3D', holder: 'Sophie Lefèvre', firstName: 'Sophie' });

    await expect(issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'X', pin: '142536' })).rejects.toMatchObject({ code: 'state-exists' });
    await expect(issueVirtualCard({ dir, serial: '11111111', identifier: 'X', pin: '12' })).rejects.toMatchObject({ code: 'invalid-argument' });
    // OpenPGP card spec 3.4: PW1 is at least 6 characters
    await expect(issueVirtualCard({ dir, serial: '11111111', identifier: 'X', pin: '12345' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(issueVirtualCard({ dir, serial: '11111111', identifier: 'has space', pin: '142536' })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(issueVirtualCard({ dir, serial: '11111111', identifier: 'X', pin: '142536', adminPin: 'short' })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(
      issueVirtualCard({ dir, serial: '11111111', identifier: 'X', pin: '142536', holder: { firstName: 'A<B', lastName: 'C' } }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(
      issueVirtualCard({ dir, serial: '11111111', identifier: 'X', pin: '142536', holder: { firstName: 'Łucja', lastName: 'C' } }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(readdirSync(dir)).toEqual(['0A1B2C3D.json']);
  });

  it('seeds the demo cards once; a second run keeps them unchanged', async () => {
    const demo = join(dir, 'demo.json');
    writeFileSync(
      demo,
      JSON.stringify({
        persons: [
          { identifier: 'FAC-AAAA-BBBB-CCCC', firstName: 'Camille', lastName: 'Martin', role: 'beneficiary', card: { serial: '0a1b2c3d', pin: '142536' } },
          { identifier: 'FAC-DDDD-EEEE-FFFF', firstName: 'Yanis', lastName: 'Benali', role: 'beneficiary', card: { serial: '0A1B2C3E', pin: '246813' } },
        ],
      }),
    );
    const cards = join(dir, 'cards');
    expect((await seedDemoCards(cards, demo)).map((r) => r.status)).toEqual(['issued', 'issued']);
    const before = readFileSync(join(cards, '0A1B2C3D.json'), 'utf8');
    expect((await seedDemoCards(cards, demo)).map((r) => r.status)).toEqual(['kept', 'kept']);
    expect(readFileSync(join(cards, '0A1B2C3D.json'), 'utf8')).toBe(before);
    expect(listCards(cards).cards.map((c) => c.identifier)).toEqual(['FAC-AAAA-BBBB-CCCC', 'FAC-DDDD-EEEE-FFFF']);

    writeFileSync(demo, JSON.stringify({ persons: [{ identifier: 1 }] }));
    await expect(seedDemoCards(cards, demo)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('lists corrupt card files apart instead of failing', async () => {
    await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'X-1', pin: '142536' });
    writeFileSync(join(dir, '0A1B2C3E.json'), 'garbage');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { cards, corrupt } = listCards(dir);
    expect(cards.map((c) => c.serial)).toEqual(['0A1B2C3D']);
    expect(corrupt).toEqual([{ serial: '0A1B2C3E', error: 'state-corrupt' }]);
  });
});
