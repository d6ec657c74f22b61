/**
 * What the `app://kiosk` protocol serves: GET only, our host only, paths checked by the browser host's
 * static-file rules (no `..`, no dotfiles, no symlink escape). The renderer's build is at the root; the
 * shell's own pages (the maintenance screen) under SHELL_PREFIX. Plain Node, tested without Electron.
 */
import { contentSecurityPolicy, readStatic, resolveStatic } from '../host/static-files.ts';
import { APP_HOST, APP_SCHEME, securityHeaders } from './policy.ts';

export const SHELL_PREFIX = '/_shell/';
export const MAINTENANCE_PATH = `${SHELL_PREFIX}maintenance.html`;
/** the longest URL the protocol looks at; anything longer is refused before parsing */
export const MAX_URL_LENGTH = 2048;

export type AppRoute =
  | { kind: 'renderer'; path: string }
  | { kind: 'shell'; path: string }
  | { kind: 'refused'; status: 400 | 403 | 404 | 405 };

/** Which tree serves a request, or why none does. */
export function routeAppRequest(method: string, rawUrl: string): AppRoute {
  if (method !== 'GET') return { kind: 'refused', status: 405 };
  if (typeof rawUrl !== 'string' || rawUrl.length > MAX_URL_LENGTH) return { kind: 'refused', status: 400 };
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { kind: 'refused', status: 400 };
  }
  if (url.protocol !== `${APP_SCHEME}:`) return { kind: 'refused', status: 400 };
  if (url.host !== APP_HOST || url.username !== '' || url.password !== '' || url.port !== '') return { kind: 'refused', status: 403 };
  // the path as sent (still percent-encoded): static-files decodes it once and checks every segment
  const path = url.pathname === '' ? '/' : url.pathname;
  if (path.startsWith(SHELL_PREFIX)) return { kind: 'shell', path: path.slice(SHELL_PREFIX.length - 1) };
  if (path === SHELL_PREFIX.slice(0, -1)) return { kind: 'refused', status: 404 };
  return { kind: 'renderer', path };
}

export interface AppRoots {
  /** kiosk/renderer/dist */
  renderer: string;
  /** kiosk/main/static (copied next to the bundle) */
  shell: string;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | null;
}

/** The renderer makes no network request of its own: connect-src 'none'. */
export const APP_CSP = contentSecurityPolicy("'none'");

export async function serveAppRequest(roots: AppRoots, method: string, rawUrl: string): Promise<AppResponse> {
  const headers = securityHeaders(APP_CSP);
  const route = routeAppRequest(method, rawUrl);
  if (route.kind === 'refused') return { status: route.status, headers, body: null };
  const root = route.kind === 'renderer' ? roots.renderer : roots.shell;
  if (route.kind === 'shell' && route.path === '/') return { status: 404, headers, body: null };
  const r = await resolveStatic(root, 'GET', route.path);
  if (r.status !== 200) return { status: r.status, headers, body: null };
  return { status: 200, headers: { ...headers, 'content-type': r.type }, body: new Uint8Array(await readStatic(r.file)) };
}
