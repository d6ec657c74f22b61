import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Handlers } from '../contract/dispatch.ts';
import { dispatch } from '../contract/dispatch.ts';
import type { KioskEvent } from '../contract/schema.ts';
import { decodeWire, encodeWire } from '../contract/wire.ts';
import { silentLogger } from '../core/log.ts';
import { PROTOCOL, SOCKET_PATH, TOKEN_PROTOCOL_PREFIX, startBrowserHost } from './server.ts';
import type { BrowserHost } from './server.ts';
import { resolveStatic } from './static-files.ts';

let dir: string;
let host: BrowserHost;
const listeners = new Set<(e: KioskEvent) => void>();
const handlers = {
  'state.get': async () => ({ state: { screen: 'attract' }, sync: { pending: 2, online: false, lastSuccessAt: null, problem: null }, device: { state: 'enrolled', kioskId: 'borne-test', name: null } }),
  'pin.submit': async () => ({ outcome: 'open' }),
  'capture.analyse': async ({ image }: { image: Uint8Array }) => ({
    captureId: '7d3f1f2e-3b1c-4d55-9a57-0c2b8f1e4a10',
    docType: 'other',
    docTitle: 'Document',
    fields: {},
    labels: {},
    pages: [{ preview: new Uint8Array([0xff, 0xd8]) }],
    text: `bytes:${image.byteLength}`,
    elapsedMs: 1,
  }),
  'capture.confirm': async () => ({ documentId: '7d3f1f2e-3b1c-4d55-9a57-0c2b8f1e4a10' }),
  'capture.discard': async () => ({}),
  'session.end': async () => ({}),
  'session.stillHere': async () => ({}),
  'session.dropCompanion': async () => ({}),
  'sync.status': async () => ({ pending: 0, online: true, lastSuccessAt: null, problem: null }),
} as unknown as Handlers;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-host-'));
  mkdirSync(join(dir, 'www/assets'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  writeFileSync(join(dir, 'www/assets/app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'www/.secret.js'), 'secret');
  writeFileSync(join(dir, 'outside.js'), 'outside');
  symlinkSync(join(dir, 'outside.js'), join(dir, 'www/assets/link.js'));
  writeFileSync(join(dir, 'bridge.js'), 'window.kiosk = 1;');
  host = await startBrowserHost({
    core: {
      handlers,
      handle: (m, p) => dispatch(handlers, m, p, () => undefined),
      onEvent: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    rendererDir: join(dir, 'www'),
    bridgeFile: join(dir, 'bridge.js'),
    logger: silentLogger,
    token: 'launch-token-0123456789',
  });
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves files inside the root only', async () => {
    const www = join(dir, 'www');
    expect(await resolveStatic(www, 'GET', '/')).toMatchObject({ status: 200 });
    expect(await resolveStatic(www, 'GET', '/assets/app.js?v=1')).toMatchObject({ status: 200 });
    for (const p of ['/../outside.js', '/assets/%2e%2e/%2e%2e/outside.js', '/.secret.js', '/assets/..%2F..%2Foutside.js']) {
      expect((await resolveStatic(www, 'GET', p)).status).toBe(403);
    }
    expect((await resolveStatic(www, 'GET', '/assets/link.js')).status).toBe(403);
    expect((await resolveStatic(www, 'GET', '/%E0%A4%A')).status).toBe(400);
    expect((await resolveStatic(www, 'GET', '/a%00.js')).status).toBe(400);
    expect((await resolveStatic(www, 'GET', '/missing.js')).status).toBe(404);
    expect((await resolveStatic(www, 'GET', '/assets/app.exe')).status).toBe(404);
    expect((await resolveStatic(www, 'POST', '/')).status).toBe(405);
    expect((await resolveStatic(www, 'PUT', '/assets/app.js')).status).toBe(405);
  });

  it('serves the page with the bridge first and a strict CSP', async () => {
    const res = await fetch(`${host.origin}/`);
    const html = await res.text();
    expect(html).toMatch(/<head><script src="\/__kiosk\/bridge.js"><\/script>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect((await fetch(`${host.origin}/`, { method: 'POST' })).status).toBe(405);
    // the token never appears in what is served
    expect(html).not.toContain('launch-token');
  });
});

function connect(opts: { token?: string; origin?: string; path?: string }): Promise<{ ws: WebSocket; status: 'open' | number; messages: unknown[] }> {
  const messages: unknown[] = [];
  return new Promise((resolve) => {
    const protocols = [PROTOCOL, ...(opts.token !== undefined ? [`${TOKEN_PROTOCOL_PREFIX}${opts.token}`] : [])];
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}${opts.path ?? SOCKET_PATH}`, protocols, {
      headers: opts.origin !== undefined ? { origin: opts.origin } : {},
    });
    ws.on('message', (d) => messages.push(decodeWire(d.toString())));
    ws.once('open', () => resolve({ ws, status: 'open', messages }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0, messages }));
    ws.once('error', () => undefined);
  });
}

describe('the contract socket', () => {
  it('refuses a wrong token, a foreign origin, no token, or another path', async () => {
    expect((await connect({ token: 'wrong', origin: host.origin })).status).toBe(403);
    expect((await connect({ token: 'launch-token-0123456789', origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect({ origin: host.origin })).status).toBe(403);
    expect((await connect({ token: 'launch-token-0123456789' })).status).toBe(403);
    expect((await connect({ token: 'launch-token-0123456789', origin: host.origin, path: '/other' })).status).toBe(403);
  });

  it('carries requests with bytes, responses and events; ignores garbage', async () => {
    const { ws, status, messages } = await connect({ token: 'launch-token-0123456789', origin: host.origin });
    expect(status).toBe('open');
    ws.send('not json');
    ws.send(encodeWire({ id: 'x', method: 1 }));
    ws.send(encodeWire({ id: 1, method: 'capture.analyse', params: { image: new Uint8Array(1234), mime: 'image/png' } }));
    ws.send(encodeWire({ id: 2, method: 'pin.submit', params: { pin: 'abc' } }));
    await expect.poll(() => messages.filter((m) => (m as { kind: string }).kind === 'response').length).toBe(2);
    const byId = Object.fromEntries(
      messages.filter((m) => (m as { kind: string }).kind === 'response').map((m) => [(m as { id: number }).id, (m as { outcome: unknown }).outcome]),
    );
    expect(byId[1]).toMatchObject({ ok: true, value: { text: 'bytes:1234' } });
    expect(byId[2]).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    // the current state is pushed on connection, and core events are relayed
    await expect.poll(() => messages).toContainEqual({ kind: 'event', event: { type: 'state', state: { screen: 'attract' } } });
    for (const l of listeners) l({ type: 'ocr.progress', progress: 0.5, stage: 'recognizing' });
    await expect.poll(() => messages).toContainEqual({ kind: 'event', event: { type: 'ocr.progress', progress: 0.5, stage: 'recognizing' } });
    ws.close();
  });
});
