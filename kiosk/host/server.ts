/**
 * The browser host: where Electron is absent (tests, the demo), the renderer runs in Chromium and the
 * kiosk contract crosses a loopback WebSocket instead of Electron IPC. Whoever holds that socket holds
 * the whole `window.kiosk` API, so:
 *  - the renderer gets in with a **one-time launch code** (`launchUrl()`, in the URL fragment, never sent
 *    over HTTP): burnt at its first presentation, valid a few minutes, exchanged on the socket for the
 *    **session token**, which is never printed nor put on a command line (the bridge keeps it in the
 *    tab's sessionStorage to come back after a reload);
 *  - **one client only**: while a renderer holds the session, any other connection is refused (403),
 *    even with a valid token or code. A new launch code exchanged later starts a new session (a fresh
 *    token; the old one and the other codes are void).
 * Both also need our own origin and path.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { WireRequest, decodeWire, encodeWire } from '../contract/wire.ts';
import type { KioskCore } from '../core/kiosk-core.ts';
import type { Logger } from '../core/log.ts';
import { contentSecurityPolicy, readStatic, resolveStatic } from './static-files.ts';

export const BRIDGE_PATH = '/__kiosk/bridge.js';
export const SOCKET_PATH = '/__kiosk/ws';
/** Sec-WebSocket-Protocol entries carrying the credential (the browser's WebSocket has no other header). */
export const LAUNCH_PROTOCOL_PREFIX = 'fac.launch.';
export const SESSION_PROTOCOL_PREFIX = 'fac.session.';
export const PROTOCOL = 'fac.v1';
/** How long a launch code waits for its renderer. */
export const LAUNCH_CODE_TTL_MS = 10 * 60 * 1000;
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface BrowserHostOptions {
  core: Pick<KioskCore, 'handle' | 'onEvent' | 'handlers'>;
  rendererDir: string;
  bridgeFile: string;
  logger: Logger;
  host?: string;
  port?: number;
  launchCodeTtlMs?: number;
}

export interface BrowserHost {
  origin: string;
  /** A URL to open once, with a fresh one-time launch code in its fragment. */
  launchUrl(): string;
  /** Whether a renderer holds the session now. */
  held(): boolean;
  close(): Promise<void>;
}

const secret = () => randomBytes(24).toString('base64url');

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const host = opts.host ?? '127.0.0.1';
  const ttl = opts.launchCodeTtlMs ?? LAUNCH_CODE_TTL_MS;
  let origin = '';
  /** launch codes not presented yet, with when they expire */
  const launchCodes = new Map<string, number>();
  /** the current session's token (null until a launch code was exchanged) */
  let sessionToken: string | null = null;
  /** the renderer holding the session, or the connection between its accepted handshake and its socket */
  let holder: WebSocket | { opening: Duplex } | null = null;

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch((err: unknown) => {
      opts.logger.error({ err }, 'static file error');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const common = {
      'content-security-policy': contentSecurityPolicy(`'self' ${origin.replace('http', 'ws')}`),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
      'cache-control': 'no-store',
    };
    const path = req.url ?? '/';
    if (path === BRIDGE_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = await readStatic(opts.bridgeFile);
      res.writeHead(200, { ...common, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const r = await resolveStatic(opts.rendererDir, req.method ?? 'GET', path);
    if (r.status !== 200) {
      res.writeHead(r.status, { ...common, ...(r.status === 405 ? { allow: 'GET, HEAD' } : {}) }).end();
      return;
    }
    let body = await readStatic(r.file);
    if (r.file.endsWith('index.html')) {
      // the bridge defines window.kiosk before the renderer's own scripts run
      body = Buffer.from(body.toString('utf8').replace('<head>', `<head><script src="${BRIDGE_PATH}"></script>`));
    }
    res.writeHead(200, { ...common, 'content-type': r.type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();

  /** Burns the code whatever comes next: a code is good for one presentation only. */
  function takeLaunchCode(given: string): boolean {
    const now = Date.now();
    let ok = false;
    for (const [code, expires] of launchCodes) {
      if (expires <= now) launchCodes.delete(code);
      else if (sameSecret(given, code)) {
        launchCodes.delete(code);
        ok = true;
      }
    }
    return ok;
  }

  const isHeld = () => holder !== null && ('opening' in holder || holder.readyState === holder.OPEN);

  server.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const launch = offered.find((p) => p.startsWith(LAUNCH_PROTOCOL_PREFIX))?.slice(LAUNCH_PROTOCOL_PREFIX.length);
    const session = offered.find((p) => p.startsWith(SESSION_PROTOCOL_PREFIX))?.slice(SESSION_PROTOCOL_PREFIX.length);
    const okPath = (req.url ?? '').split('?')[0] === SOCKET_PATH;
    const okOrigin = req.headers.origin === origin;
    const refuse = (why: string) => {
      // says why, never what was offered
      opts.logger.warn({ why }, 'refused a kiosk socket');
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
    };
    if (!okPath || !okOrigin) return refuse(okPath ? 'foreign origin' : 'wrong path');
    const byCode = launch !== undefined && takeLaunchCode(launch);
    const bySession = !byCode && session !== undefined && sessionToken !== null && sameSecret(session, sessionToken);
    if (!byCode && !bySession) return refuse(launch !== undefined ? 'unknown, used or expired launch code' : 'no valid session token');
    if (isHeld()) return refuse('a renderer holds the session');
    const opening = { opening: socket };
    holder = opening;
    // a handshake that fails (a bad key or version) never reaches the callback: its slot is freed here
    socket.once('close', () => {
      if (holder === opening) holder = null;
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      holder = ws;
      if (byCode) {
        // a new session: a fresh token, and nothing issued before it opens the socket any more
        sessionToken = secret();
        launchCodes.clear();
        send(ws, { kind: 'session', token: sessionToken });
      }
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => {
      clients.delete(ws);
      if (holder === ws) holder = null;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'text only');
      void onMessage(ws, data.toString());
    });
    // a fresh renderer (first load, reload after a crash) learns where things stand at once
    void opts.core.handlers['state.get']({}).then(({ state, sync, device }) => {
      send(ws, { kind: 'event', event: { type: 'state', state } });
      send(ws, { kind: 'event', event: { type: 'sync', sync } });
      send(ws, { kind: 'event', event: { type: 'device', device } });
    });
  });

  async function onMessage(ws: WebSocket, text: string): Promise<void> {
    let decoded: unknown;
    try {
      decoded = decodeWire(text);
    } catch {
      opts.logger.warn('unreadable kiosk socket message');
      return;
    }
    const req = WireRequest.safeParse(decoded);
    if (!req.success) {
      opts.logger.warn('malformed kiosk socket message');
      return;
    }
    const outcome = await opts.core.handle(req.data.method, req.data.params);
    send(ws, { kind: 'response', id: req.data.id, outcome });
  }

  function send(ws: WebSocket, message: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
  }

  const unsubscribe = opts.core.onEvent((event) => {
    for (const ws of clients) send(ws, { kind: 'event', event });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostPart}:${port}`;

  return {
    origin,
    launchUrl() {
      const code = secret();
      launchCodes.set(code, Date.now() + ttl);
      return `${origin}/#launch=${code}`;
    },
    held: isHeld,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
