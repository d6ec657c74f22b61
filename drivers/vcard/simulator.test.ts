/**
 * The simulator's HTTP surface without a reader: listing, page, the box's HID side (LED, latch,
 * button, cable) seen by a real CardBox over loopback, and refusal of bad requests.
 * Inserting cards over real pcscd is covered by simulator.hw.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCardBox } from '../hid/box.ts';
import { next, until } from '../hid/test-helpers.ts';
import { issueVirtualCard } from './issue.ts';
import { startSimulator, type SimulatorHandle } from './simulator.ts';

let dir: string;
let sim: SimulatorHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vcard-sim-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '142536', holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', pin: '864209', holder: { firstName: 'Sophie', lastName: 'Lefèvre & "Co"' } });
  sim = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${sim.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });

describe('simulator HTTP API', () => {
  it('lists the cards of the folder, never PINs', async () => {
    const res = await fetch(`${sim.url}/api/cards`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain('864209');
    const json = JSON.parse(body) as { inserted: unknown; slots: unknown; cards: { serial: string; identifier: string; holder: string }[] };
    expect(json.inserted).toBeNull();
    expect(json.slots).toEqual([null, null]);
    expect(json.cards.map((c) => [c.serial, c.identifier, c.holder])).toEqual([
      ['0A1B2C3D', 'FAC-K7QM-3XD2-9HRW', 'Camille Martin'],
      ['0A1B2C40', 'FAC-R9TD-4HWN-3GAK', 'Sophie Lefèvre & "Co"'],
    ]);
  });

  it('serves an accessible French page with escaped content and a strict CSP', async () => {
    const res = await fetch(`${sim.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<h1>Simulateur de boîtier</h1>');
    expect(html).toContain('Aucune carte dans le boîtier.');
    expect(html).toContain('Insérer la carte de Camille Martin dans l’emplacement principal');
    expect(html).toContain('Insérer la carte de Camille Martin dans le second emplacement');
    expect(html).toContain('<strong>Voyant :</strong> éteint.');
    expect(html).toContain('Bouton du boîtier');
    expect(html).toContain('Sophie Lefèvre &#38; &#34;Co&#34;');
    expect(html).not.toContain('& "Co"');
    expect(html).not.toContain('<script');
    expect((await fetch(`${sim.url}/?info=carte-inconnue`).then((r) => r.text()))).toContain('role="alert"');
  });

  it.each<[string, () => Promise<Response>, number, string]>([
    ['non-JSON content type', () => post('/api/insert', 'serial=0A1B2C3D', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
    ['invalid JSON', () => post('/api/insert', '{serial'), 400, 'invalid-json'],
    ['wrong shape', () => post('/api/insert', '{"card": 1}'), 400, 'invalid-body'],
    ['bad serial', () => post('/api/insert', '{"serial": "../../etc/passwd"}'), 400, 'invalid-serial'],
    ['unknown card', () => post('/api/insert', '{"serial": "FFFFFFFF"}'), 404, 'unknown-card'],
    ['oversized body', () => post('/api/insert', JSON.stringify({ serial: 'x'.repeat(10_000) })), 413, 'body-too-large'],
    ['cross-origin POST', () => post('/api/remove', '{}', { 'content-type': 'application/json', origin: 'http://evil.example' }), 403, 'forbidden-origin'],
    ['wrong method', () => fetch(`${sim.url}/api/insert`), 405, 'method-not-allowed'],
    ['unknown path', () => fetch(`${sim.url}/nope`), 404, 'not-found'],
    ['insert into slot 2', () => post('/api/insert', '{"serial": "0A1B2C3D", "slot": 2}'), 400, 'invalid-body'],
    ['insert with an unknown field', () => post('/api/insert', '{"serial": "0A1B2C3D", "reader": "x"}'), 400, 'invalid-body'],
    ['remove from slot "1" (a string)', () => post('/api/remove', '{"slot": "1"}'), 400, 'invalid-body'],
    ['remove with force "yes"', () => post('/api/remove', '{"force": "yes"}'), 400, 'invalid-body'],
    ['remove with a non-JSON body', () => post('/api/remove', 'slot=1', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
    ['box without plugged', () => post('/api/box', '{}'), 400, 'invalid-body'],
    ['box with plugged "no"', () => post('/api/box', '{"plugged": "no"}'), 400, 'invalid-body'],
    ['wrong method on state', () => post('/api/state', '{}'), 405, 'method-not-allowed'],
  ])('refuses %s', async (_name, req, status, code) => {
    const res = await req();
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toBe(code);
    expect(sim.inserted()).toBeNull();
  });

  it('form actions redirect back to the page with a notice', async () => {
    const res = await post('/form/insert', 'serial=FFFFFFFF', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/?info=carte-inconnue');
    const removed = await post('/form/remove', '', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(removed.headers.get('location')).toBe('/?info=retiree');
  });
});

describe('simulator: the box HID side over loopback', () => {
  it('a kiosk-side CardBox sees the button and the cable, and drives the LED and latches shown on the page', async () => {
    expect(sim.boxUrl).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const box = openCardBox(sim.boxUrl, { retryMinMs: 10, retryMaxMs: 50 });
    try {
      const connected = next(box, 'connected');
      box.start();
      expect(await connected).toMatchObject({ slots: 2, latch: true, button: true, led: true, transport: 'tcp' });

      const pressed = next(box, 'button');
      expect((await post('/api/button', '')).status).toBe(200);
      await pressed;

      await box.setIndicator('waiting');
      await box.setLatch(true, 1);
      await until(() => sim.box.latched(1) && sim.box.led().pattern === 'breathe', 5000, 'LED and latch on the device');
      const state = (await (await fetch(`${sim.url}/api/state`)).json()) as {
        slots: { slot: number; locked: boolean; inserted: unknown; present: boolean }[];
        box: { plugged: boolean; hosts: number; led: { indicator: string; pattern: string } };
      };
      expect(state.slots.map((x) => [x.slot, x.locked, x.inserted, x.present])).toEqual([
        [0, false, null, false],
        [1, true, null, false],
      ]);
      expect(state.box).toMatchObject({ plugged: true, hosts: 1, led: { indicator: 'waiting', pattern: 'breathe' } });
      const html = await (await fetch(`${sim.url}/`)).text();
      expect(html).toContain('<strong>Voyant :</strong> bleu, respiration lente (4 s) — en attente d’une carte.');
      expect(html).toContain('second emplacement <strong>verrouillé</strong>');
      expect(html).toContain('animation:breathe 4000ms');
      expect(html).toContain('une tablette connectée');

      // A locked empty slot takes no card (the refusal comes before any reader access).
      const refused = await post('/api/insert', '{"serial": "0A1B2C3D", "slot": 1}');
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: string }).error).toBe('slot-locked');
      const form = await post('/form/insert', 'serial=0A1B2C3D&slot=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.headers.get('location')).toBe('/?info=emplacement-verrouille');

      // The USB cable.
      const gone = next(box, 'disconnected');
      expect(await (await post('/api/box', '{"plugged": false}')).json()).toEqual({ plugged: false });
      await gone;
      expect((await post('/api/button', '')).status).toBe(409);
      expect(await (await fetch(`${sim.url}/`)).text()).toContain('<strong>Câble USB :</strong> <strong>débranché</strong>');
      const back = next(box, 'connected');
      const plug = await post('/form/box', 'plugged=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(plug.headers.get('location')).toBe('/?info=boitier-branche');
      await back;
      // The kiosk's wishes come back with it.
      await until(() => sim.box.latched(1) && sim.box.led().pattern === 'breathe', 5000, 'state re-applied');
    } finally {
      await box.close();
    }
    // Closed kiosk: latches open, ring off.
    await until(() => !sim.box.latched(1) && sim.box.led().pattern === 'off', 5000, 'released');
  });

  it('a box without button or latch says so', async () => {
    const other = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1', box: { button: false, latch: false } });
    try {
      const res = await fetch(`${other.url}/api/button`, { method: 'POST' });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: string }).error).toBe('no-button');
      const html = await (await fetch(`${other.url}/`)).text();
      expect(html).not.toContain('Bouton du boîtier');
      expect(html).toContain('ce boîtier n’a pas de verrou.');
      const form = await fetch(`${other.url}/form/button`, { method: 'POST', redirect: 'manual' });
      expect(form.headers.get('location')).toBe('/?info=sans-bouton');
    } finally {
      await other.close();
    }
  });

  it('refuses to start when the box port is taken', async () => {
    const port = Number(new URL(sim.boxUrl.replace('tcp:', 'http:')).port);
    await expect(startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1', boxPort: port })).rejects.toThrow(/virtual box on port/);
  });
});
