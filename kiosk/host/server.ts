/**
 * The browser host: where Electron is absent (tests, the demo), the renderer runs in Chromium and the
 * kiosk contract crosses a loopback WebSocket instead of Electron IPC. The socket needs the per-launch
 * token (in the URL fragment, never sent over HTTP) and our own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { WireRequest, decodeWire, encodeWire } from '../contract/wire.ts';
import type { KioskCore } from '../core/kiosk-core.ts';
import type { Logger } from '../core/log.ts';
import { contentSecurityPolicy, readStatic, resolveStatic } from './static-files.ts';

export const BRIDGE_PATH = '/__kiosk/bridge.js';
export const SOCKET_PATH = '/__kiosk/ws';
export const TOKEN_PROTOCOL_PREFIX = 'fac.token.';
export const PROTOCOL = 'fac.v1';
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface BrowserHostOptions {
  core: Pick<KioskCore, 'handle' | 'onEvent' | 'handlers'>;
  rendererDir: string;
  bridgeFile: string;
  logger: Logger;
  host?: string;
  port?: number;
  token?: string;
}

export interface BrowserHost {
  /** the URL to open, token included in the fragment */
  url: string;
  origin: string;
  close(): Promise<void>;
}

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  let origin = '';

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

  server.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const given = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length) ?? '';
    const okPath = (req.url ?? '').split('?')[0] === SOCKET_PATH;
    const okOrigin = req.headers.origin === origin;
    if (!okPath || !okOrigin || !sameSecret(given, token)) {
      opts.logger.warn({ okPath, okOrigin }, 'refused a kiosk socket');
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
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
    url: `${origin}/#token=${token}`,
    origin,
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
