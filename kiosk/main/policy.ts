/**
 * The Electron shell's security decisions as pure functions (no `electron` import), so they are unit
 * tested in plain Node, hostile inputs included (DESIGN.md §6, Electron security checklist). main.ts only
 * wires them to Electron's hooks.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The one page of the app; everything else the window may show is served under SHELL_PREFIX. */
export const APP_PAGE = `${APP_ORIGIN}/`;

/**
 * Privileges of the `app:` scheme. standard + secure: a real origin and a secure context (getUserMedia
 * needs one); supportFetchAPI: Vite's module scripts are fetched. Not corsEnabled (nothing else may read
 * it), no bypassCSP, no service workers, no code cache.
 */
export function schemePrivileges() {
  return {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: false,
    bypassCSP: false,
    allowServiceWorkers: false,
    stream: false,
    codeCache: false,
  } as const;
}

/**
 * Chromium switches of every build: no pinch zoom on the touch screen, no swipe-to-go-back, no
 * background chatter with Google services.
 */
export function kioskSwitches(): Array<[string] | [string, string]> {
  return [['disable-pinch'], ['overscroll-history-navigation', '0'], ['disable-features', 'Translate,MediaRouter,OptimizationHints'], ['no-default-browser-check'], ['disable-component-update']];
}

export interface WebPreferencesPolicy {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  safeDialogs: true;
  /** middle click would open links in new windows */
  disableBlinkFeatures: 'Auxclick';
  enableWebSQL: false;
  devTools: boolean;
}

export function webPreferences(preload: string, devTools: boolean): WebPreferencesPolicy {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    enableWebSQL: false,
    devTools,
  };
}

export interface WindowOptionsPolicy {
  kiosk: true;
  fullscreen: true;
  frame: false;
  show: false;
  autoHideMenuBar: true;
  closable: boolean;
  minimizable: false;
  maximizable: false;
  resizable: false;
  movable: false;
  backgroundColor: string;
  title: string;
  webPreferences: WebPreferencesPolicy;
}

/** The one window: fullscreen kiosk, no frame, shown once painted (no white flash). */
export function windowOptions(preload: string, devTools: boolean): WindowOptionsPolicy {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    show: false,
    autoHideMenuBar: true,
    // in development a closable window is handy; the appliance has no way to close it anyway (no frame, Alt+F4 swallowed)
    closable: devTools,
    minimizable: false,
    maximizable: false,
    resizable: false,
    movable: false,
    backgroundColor: '#f6f3ec',
    title: 'Facilitateur',
    webPreferences: webPreferences(preload, devTools),
  };
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Is this URL our own app origin? (parsed, never prefix-matched) */
export function isAppUrl(raw: unknown): boolean {
  // Chromium hands us canonical URLs: anything with spaces or control characters around is not one of them
  if (typeof raw !== 'string' || raw.length > 4096 || raw !== raw.trim() || hasControlCharacter(raw)) return false;
  try {
    const u = new URL(raw);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}

/** The app's page itself (not the maintenance page, not a file under it). */
export function isAppPage(raw: unknown): boolean {
  if (!isAppUrl(raw)) return false;
  const u = new URL(raw as string);
  return u.pathname === '/' && u.search === '';
}

/** The kiosk never navigates: the one page is the app; any other navigation is refused. */
export function allowNavigation(target: unknown, current: unknown): boolean {
  return isAppPage(target) && (current === '' || isAppUrl(current));
}

export interface PermissionRequest {
  permission: string;
  requestingUrl: unknown;
  mediaTypes?: readonly unknown[] | undefined;
}

/** Only the camera (video, no microphone), only for our origin. */
export function allowPermission(req: PermissionRequest): boolean {
  if (!isAppUrl(req.requestingUrl)) return false;
  if (req.permission !== 'media') return false;
  const types = req.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

export interface PermissionCheck {
  permission: string;
  requestingOrigin: unknown;
  /** 'video' | 'audio' | 'unknown' for `media`, absent otherwise */
  mediaType?: string | undefined;
  isMainFrame?: boolean | undefined;
}

/** Chromium's synchronous permission checks: the same rule, and only from the top frame. */
export function allowPermissionCheck(c: PermissionCheck): boolean {
  if (c.isMainFrame === false) return false;
  return allowPermission({ permission: c.permission, requestingUrl: c.requestingOrigin, mediaTypes: c.mediaType === undefined ? [] : [c.mediaType] });
}

export interface SenderFacts {
  /** `event.senderFrame?.url`; undefined when the frame is gone */
  frameUrl: string | undefined;
  /** `event.senderFrame === event.sender.mainFrame` */
  isMainFrame: boolean;
  /** `event.sender.id` */
  webContentsId: number;
}

/** IPC comes only from our own window's top frame, showing the app page. */
export function trustedSender(s: SenderFacts, windowWebContentsId: number | null): boolean {
  return windowWebContentsId !== null && s.webContentsId === windowWebContentsId && s.isMainFrame && isAppPage(s.frameUrl);
}

/**
 * Every request the renderer's session makes (webRequest): only our own origin, and the in-memory
 * `blob:`/`data:` URLs the camera preview and images use. No network at all: the core does the networking.
 */
export function allowRequest(raw: unknown, devTools: boolean): boolean {
  if (isAppUrl(raw)) return true;
  if (typeof raw !== 'string') return false;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol === 'data:') return true;
  if (u.protocol === 'blob:') return isAppUrl(raw.slice('blob:'.length));
  return devTools && (u.protocol === 'devtools:' || u.protocol === 'chrome-extension:');
}

export interface DevToolsFacts {
  isPackaged: boolean;
  testBuild: boolean;
  env: Record<string, string | undefined>;
}

/** Devtools only on a developer's machine (unpackaged) or in a test build, and only when asked for. */
export function devToolsAllowed(f: DevToolsFacts): boolean {
  return (!f.isPackaged || f.testBuild) && f.env.FAC_DEVTOOLS === '1';
}

/** Response headers of everything the `app:` protocol serves (the renderer talks to no server: connect-src 'none'). */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), usb=(), hid=(), serial=(), bluetooth=(), payment=(), fullscreen=()',
  };
}
