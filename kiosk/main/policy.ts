/**
 * The Electron shell's security decisions as pure functions (no `electron` import), so they are unit
 * tested in plain Node, hostile inputs included (DESIGN.md §6, Electron security checklist).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

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
    devTools,
  };
}

/** Is this URL our own app origin? (parsed, never prefix-matched) */
export function isAppUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The kiosk never navigates: the one page is the app; any other navigation is refused. */
export function allowNavigation(target: string, current: string): boolean {
  return isAppUrl(target) && isAppUrl(current) && new URL(target).pathname === '/';
}

export interface PermissionRequest {
  permission: string;
  requestingUrl: string;
  mediaTypes?: readonly string[];
}

/** Only the camera (video, no microphone), only for our origin. */
export function allowPermission(req: PermissionRequest): boolean {
  if (!isAppUrl(req.requestingUrl)) return false;
  if (req.permission !== 'media') return false;
  const types = req.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** IPC comes only from our own top frame. */
export function trustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return isMainFrame && frameUrl !== undefined && isAppUrl(frameUrl);
}
