/**
 * The simulator's HTTP surface without a reader: listing, page, and refusal of bad requests.
 * Inserting cards over real pcscd is covered by simulator.hw.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueVirtualCard } from './issue.ts';
import { startSimulator, type SimulatorHandle } from './simulator.ts';

let dir: string;
let sim: SimulatorHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vcard-sim-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '1234', holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', pin: '8642', holder: { firstName: 'Sophie', lastName: 'Lefèvre & "Co"' } });
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
    expect(body).not.toContain('8642');
    const json = JSON.parse(body) as { inserted: unknown; cards: { serial: string; identifier: string; holder: string }[] };
    expect(json.inserted).toBeNull();
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
    expect(html).toContain('Aucune carte dans le lecteur.');
    expect(html).toContain('Insérer la carte de Camille Martin');
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
