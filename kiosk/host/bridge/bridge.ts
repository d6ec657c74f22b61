/**
 * Browser-host bridge: defines `window.kiosk` (the same KioskBridge the Electron preload exposes) over
 * the host's loopback WebSocket. Built into dist/bridge.js and injected by the host before the renderer.
 *
 * Getting in (kiosk/host/server.ts): the page is opened once with a one-time launch code in its fragment;
 * the bridge takes it out of the address at once, presents it on the socket, and receives the session
 * token, which it keeps in this tab's sessionStorage (not on disk with a throw-away profile, gone with the
 * tab) to come back after a reload or a dropped connection.
 */
import { decodeWire, encodeWire } from '../../contract/wire-codec.ts';
import type { KioskBridge } from '../../contract/schema.ts';

const SESSION_KEY = 'fac.kiosk.session';
const fragment = new URLSearchParams(location.hash.slice(1));
let launchCode = fragment.get('launch');
if (launchCode !== null) {
  // out of the address bar and the history: the rest of the fragment (auto=0…) stays for the renderer
  fragment.delete('launch');
  const rest = fragment.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}
let sessionToken = sessionStorage.getItem(SESSION_KEY);
const socketUrl = `${location.origin.replace(/^http/, 'ws')}/__kiosk/ws`;

type Pending = { resolve: (v: unknown) => void };
const pending = new Map<number, Pending>();
const listeners = new Set<(e: unknown) => void>();
const queue: string[] = [];
let nextId = 1;
let socket: WebSocket | null = null;
let retryMs = 200;

const transportFailure = {
  ok: false,
  error: { code: 'transport', message: 'La tablette ne répond pas. Patientez un instant.' },
};

function credential(): string[] {
  // a launch code opens a new session (the page was just launched); otherwise this tab's session token
  if (launchCode !== null) return [`fac.launch.${launchCode}`];
  return sessionToken !== null ? [`fac.session.${sessionToken}`] : [];
}

function connect(): void {
  const ws = new WebSocket(socketUrl, ['fac.v1', ...credential()]);
  // a code is good for one try, whatever its outcome
  launchCode = null;
  socket = ws;
  ws.onopen = () => {
    retryMs = 200;
    for (const m of queue.splice(0)) ws.send(m);
  };
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data !== 'string') return;
    let msg: unknown;
    try {
      msg = decodeWire(ev.data);
    } catch {
      return;
    }
    // shapes only: the renderer's contract client validates outcomes and events with zod
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { kind?: unknown; id?: unknown; outcome?: unknown; event?: unknown; token?: unknown };
    if (m.kind === 'session' && typeof m.token === 'string') {
      sessionToken = m.token;
      sessionStorage.setItem(SESSION_KEY, m.token);
    } else if (m.kind === 'response' && typeof m.id === 'number') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      p?.resolve(m.outcome);
    } else if (m.kind === 'event') {
      for (const l of listeners) l(m.event);
    }
  };
  ws.onclose = () => {
    socket = null;
    for (const p of pending.values()) p.resolve(transportFailure);
    pending.clear();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

const bridge: KioskBridge = {
  invoke(method, params) {
    const id = nextId++;
    const text = encodeWire({ id, method, params });
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      if (socket?.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    });
  },
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

Object.defineProperty(window, 'kiosk', { value: Object.freeze(bridge), writable: false, configurable: false });
connect();
