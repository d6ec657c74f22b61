import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Handlers } from '../contract/dispatch.ts';
import { dispatch } from '../contract/dispatch.ts';
import type { KioskEvent } from '../contract/schema.ts';
import { decodeWire, encodeWire } from '../contract/wire.ts';
import { silentLogger } from '../core/log.ts';
import { LAUNCH_PROTOCOL_PREFIX, PROTOCOL, SESSION_PROTOCOL_PREFIX, SOCKET_PATH, startBrowserHost } from './server.ts';
import type { BrowserHost } from './server.ts';
import { resolveStatic } from './static-files.ts';

let dir: string;
let host: BrowserHost;
let fastHost: BrowserHost;
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
    holder: null,
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
  const core = {
    handlers,
    handle: (m: unknown, p: unknown) => dispatch(handlers, m, p, () => undefined),
    onEvent: (l: (e: KioskEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  host = await startBrowserHost({ core, rendererDir: join(dir, 'www'), bridgeFile: join(dir, 'bridge.js'), logger: silentLogger });
  fastHost = await startBrowserHost({ core, rendererDir: join(dir, 'www'), bridgeFile: join(dir, 'bridge.js'), logger: silentLogger, launchCodeTtlMs: 200 });
});

afterAll(async () => {
  await host.close();
  await fastHost.close();
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
    // no credential is ever in what is served
    expect(html).not.toMatch(/launch=|fac\.session\.|token/);
  });
});

type Credential = { launch: string } | { session: string } | Record<string, never>;

function connect(
  opts: { credential?: Credential; origin?: string; path?: string; to?: BrowserHost } = {},
): Promise<{ ws: WebSocket; status: 'open' | number; messages: unknown[]; closed: Promise<void> }> {
  const to = opts.to ?? host;
  const messages: unknown[] = [];
  const c = opts.credential ?? {};
  const protocols = [PROTOCOL, ...('launch' in c ? [`${LAUNCH_PROTOCOL_PREFIX}${c.launch}`] : 'session' in c ? [`${SESSION_PROTOCOL_PREFIX}${c.session}`] : [])];
  return new Promise((resolve) => {
    const ws = new WebSocket(`${to.origin.replace('http', 'ws')}${opts.path ?? SOCKET_PATH}`, protocols, {
      headers: { origin: opts.origin ?? to.origin },
    });
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.on('message', (d) => messages.push(decodeWire(d.toString())));
    ws.once('open', () => resolve({ ws, status: 'open', messages, closed }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0, messages, closed }));
    ws.once('error', () => undefined);
  });
}

const codeOf = (url: string): string => new URL(url).hash.replace(/^#launch=/, '');

/** A renderer that came in with a fresh launch code: its socket and the session token it was given. */
async function launched(to: BrowserHost = host): Promise<{ ws: WebSocket; messages: unknown[]; token: string; code: string; closed: Promise<void> }> {
  const code = codeOf(to.launchUrl());
  const r = await connect({ credential: { launch: code }, to });
  expect(r.status).toBe('open');
  await expect.poll(() => r.messages.find((m) => (m as { kind: string }).kind === 'session')).toBeDefined();
  const token = (r.messages.find((m) => (m as { kind: string }).kind === 'session') as { token: string }).token;
  return { ws: r.ws, messages: r.messages, token, code, closed: r.closed };
}

describe('the contract socket', () => {
  it('refuses a wrong credential, a foreign origin, no credential, or another path', async () => {
    const code = codeOf(host.launchUrl());
    expect((await connect({ credential: { launch: 'wrong' } })).status).toBe(403);
    expect((await connect({ credential: { session: 'wrong' } })).status).toBe(403);
    expect((await connect({ credential: { launch: code }, origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect({})).status).toBe(403);
    expect((await connect({ credential: { launch: codeOf(host.launchUrl()) }, path: '/other' })).status).toBe(403);
    // a code shown with a foreign origin was not presented: still good
    const r = await connect({ credential: { launch: code } });
    expect(r.status).toBe('open');
    r.ws.close();
    await r.closed;
  });

  it('exchanges a launch code once for the session token; one client only; the token brings the renderer back', async () => {
    const first = await launched();
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(host.held()).toBe(true);
    // the code is burnt: reused, it is refused, even once the session is free again
    expect((await connect({ credential: { launch: first.code } })).status).toBe(403);
    // one client only: another connection is refused even with the valid token or a fresh code
    expect((await connect({ credential: { session: first.token } })).status).toBe(403);
    const fresh = codeOf(host.launchUrl());
    expect((await connect({ credential: { launch: fresh } })).status).toBe(403);
    // the renderer reloads: its token brings it back, and only it
    first.ws.close();
    await first.closed;
    await expect.poll(() => host.held()).toBe(false);
    expect((await connect({ credential: { launch: first.code } })).status).toBe(403);
    expect((await connect({ credential: { launch: fresh } })).status).toBe(403); // burnt when refused above
    const back = await connect({ credential: { session: first.token } });
    expect(back.status).toBe('open');
    expect(back.messages.some((m) => (m as { kind: string }).kind === 'session')).toBe(false);
    expect((await connect({ credential: { session: first.token } })).status).toBe(403);
    back.ws.close();
    await back.closed;

    // a new launch starts a new session: the old token and the codes issued before are void
    const stale = codeOf(host.launchUrl());
    const second = await launched();
    expect(second.token).not.toBe(first.token);
    second.ws.close();
    await second.closed;
    await expect.poll(() => host.held()).toBe(false);
    expect((await connect({ credential: { session: first.token } })).status).toBe(403);
    expect((await connect({ credential: { launch: stale } })).status).toBe(403);
    const again = await connect({ credential: { session: second.token } });
    expect(again.status).toBe('open');
    again.ws.close();
    await again.closed;
  });

  it('lets a launch code expire', async () => {
    const code = codeOf(fastHost.launchUrl());
    await new Promise((r) => setTimeout(r, 300));
    expect((await connect({ credential: { launch: code }, to: fastHost })).status).toBe(403);
    const ok = await launched(fastHost);
    ok.ws.close();
    await ok.closed;
  });

  it('frees the session when a handshake fails half-way', async () => {
    await expect.poll(() => host.held()).toBe(false);
    // a valid credential but a broken WebSocket handshake (no key): refused by the socket library
    const { port } = new URL(host.origin);
    const answer = await new Promise<string>((resolve) => {
      const raw = createConnection({ host: '127.0.0.1', port: Number(port) }, () => {
        raw.write(
          [
            `GET ${SOCKET_PATH} HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            'Connection: Upgrade',
            'Upgrade: websocket',
            `Origin: ${host.origin}`,
            `Sec-WebSocket-Protocol: ${PROTOCOL}, ${LAUNCH_PROTOCOL_PREFIX}${codeOf(host.launchUrl())}`,
            '',
            '',
          ].join('\r\n'),
        );
      });
      let got = '';
      raw.on('data', (d) => (got += d.toString()));
      raw.on('close', () => resolve(got));
      raw.on('error', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await expect.poll(() => host.held()).toBe(false);
    const ok = await launched();
    ok.ws.close();
    await ok.closed;
  });

  it('carries requests with bytes, responses and events; ignores garbage', async () => {
    const { ws, messages } = await launched();
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
