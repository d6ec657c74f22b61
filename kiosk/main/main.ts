/**
 * Electron main process: thin. It hosts the kiosk core, serves the renderer from the `app://kiosk`
 * protocol, locks the one window down, relays the kiosk contract over IPC, recovers from lost processes
 * and talks to systemd. Every decision is a pure function of a sibling module (policy.ts, shortcuts.ts,
 * ipc-guard.ts, recovery.ts, app-protocol.ts…), tested without Electron; this file only wires them.
 */
import { join } from 'node:path';
import { BrowserWindow, Menu, app, ipcMain, powerSaveBlocker, protocol, safeStorage, session } from 'electron';
import type { Session, WebContents } from 'electron';
import { ConfigError, loadKioskConfig } from '../core/config.ts';
import type { KioskConfig } from '../core/config.ts';
import { createKioskCore } from '../core/kiosk-core.ts';
import type { KioskCore } from '../core/kiosk-core.ts';
import { createLogger } from '../core/log.ts';
import type { Logger } from '../core/log.ts';
import { dataKeyProvider, keyFileProvider } from '../core/storage/keys.ts';
import type { KeyProvider } from '../core/storage/keys.ts';
import { MAINTENANCE_PATH, serveAppRequest } from './app-protocol.ts';
import { confirmLaunch } from './appimage-install.ts';
import { BUILD, isTestBuild } from './build-info.ts';
import { cameraSettings, fakeCameraSwitches } from './camera.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, checkInvoke } from './ipc-guard.ts';
import { chooseKeyStore, sealedKeyProvider } from './key-store.ts';
import {
  APP_ORIGIN,
  APP_PAGE,
  APP_SCHEME,
  allowNavigation,
  allowPermission,
  allowPermissionCheck,
  allowRequest,
  devToolsAllowed,
  isAppPage,
  kioskSwitches,
  schemePrivileges,
  windowOptions,
} from './policy.ts';
import type { WindowOptionsPolicy } from './policy.ts';
import { DEFAULT_RECOVERY, UNRESPONSIVE_GRACE_MS, decideRecovery, relaunchPlan } from './recovery.ts';
import type { RecoveryEvent } from './recovery.ts';
import { createSdNotifier } from './sd-notify.ts';
import { shouldBlockInput } from './shortcuts.ts';
import { startUpdater, updatesEnabled } from './updater.ts';

const here = import.meta.dirname; // kiosk/main/dist once bundled
const ROOTS = { renderer: join(here, '../../renderer/dist'), shell: join(here, 'static') };
const PRELOAD = join(here, 'preload.cjs');
const MAINTENANCE_URL = `${APP_ORIGIN}${MAINTENANCE_PATH}`;

/** What the e2e tests read through Playwright's `electronApp.evaluate` (test builds only). */
export interface KioskTestHooks {
  blockedKeys: number;
  contextMenus: number;
  refusedIpc: number;
  refusedRequests: number;
  recoveries: string[];
  camera: unknown;
  /** the options the window was created with */
  window: WindowOptionsPolicy | null;
}

const env = process.env;
const testBuild = isTestBuild(BUILD, app.isPackaged, env);
const devTools = devToolsAllowed({ isPackaged: app.isPackaged, testBuild, env });
const hooks: KioskTestHooks = { blockedKeys: 0, contextMenus: 0, refusedIpc: 0, refusedRequests: 0, recoveries: [], camera: null, window: null };
if (testBuild) (globalThis as { __facKioskTest?: KioskTestHooks }).__facKioskTest = hooks;

// before `ready`: the scheme's privileges and Chromium's switches
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: schemePrivileges() }]);
for (const [name, value] of [...kioskSwitches(), ...fakeCameraSwitches(testBuild, env)]) {
  if (value === undefined) app.commandLine.appendSwitch(name);
  else app.commandLine.appendSwitch(name, value);
}

let logger: Logger = createLogger('kiosk', 'info');
let core: KioskCore | null = null;
let win: BrowserWindow | null = null;
let quitting = false;
const notifier = createSdNotifier({ onError: (err) => logger.warn({ err: err.message }, 'sd_notify failed') });
let stopWatchdog: () => void = () => undefined;

async function shutdown(code: number): Promise<void> {
  if (quitting) return;
  quitting = true;
  stopWatchdog();
  await notifier.stopping();
  try {
    await core?.close(); // ends the open session (the latch opens), closes the outbox
  } catch (err) {
    logger.error({ err }, 'core did not close cleanly');
  }
  app.exit(code);
}

process.on('uncaughtException', (err) => {
  // handled here, Electron would show a dialog on the kiosk's screen
  logger.fatal({ err }, 'uncaught exception in the main process');
  void shutdown(70);
});
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection in the main process'));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

/**
 * The at-rest data key: the TPM-sealed systemd credential or a key file when FAC_DATA_KEY names one;
 * otherwise the OS keystore when there is a real one, else a 0600 file (see key-store.ts).
 */
function keyProvider(config: KioskConfig): KeyProvider {
  if (config.dataKey.kind === 'systemd-credential' || config.dataKey.path !== null) return dataKeyProvider(config.dataKey, config.dataDir);
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'unknown';
  return chooseKeyStore(backend, safeStorage.isEncryptionAvailable()) === 'os-keystore'
    ? sealedKeyProvider(join(config.dataDir, 'data.key.sealed'), safeStorage)
    : keyFileProvider(join(config.dataDir, 'data.key'));
}

function hardenSession(ses: Session, appContents: () => WebContents | null): void {
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const ours = wc.id === appContents()?.id && details.isMainFrame;
    callback(ours && allowPermission({ permission, requestingUrl: details.requestingUrl, mediaTypes }));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    allowPermissionCheck({ permission, requestingOrigin, mediaType: details.mediaType, isMainFrame: details.isMainFrame }),
  );
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  // without these handlers Electron would pick the first device by itself
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('will-download', (event) => event.preventDefault());
  ses.setSpellCheckerEnabled(false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = allowRequest(details.url, devTools);
    if (!allowed) {
      hooks.refusedRequests++;
      logger.warn({ url: details.url.slice(0, 200) }, 'renderer request refused');
    }
    callback({ cancel: !allowed });
  });
}

function lockDown(wc: WebContents, recover: (e: RecoveryEvent) => void): void {
  wc.on('will-navigate', (event) => {
    if (!allowNavigation(event.url, wc.getURL())) event.preventDefault();
  });
  wc.on('will-frame-navigate', (event) => {
    // the app has no frames (CSP: default-src 'none'); a subframe never navigates
    if (!event.isMainFrame || !allowNavigation(event.url, wc.getURL())) event.preventDefault();
  });
  wc.on('will-redirect', (event) => {
    if (!allowNavigation(event.url, wc.getURL())) event.preventDefault();
  });
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.on('context-menu', (event) => {
    event.preventDefault();
    hooks.contextMenus++;
  });
  wc.on('before-input-event', (event, input) => {
    if (shouldBlockInput(input)) {
      event.preventDefault();
      hooks.blockedKeys++;
    }
  });
  wc.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  wc.on('zoom-changed', () => wc.setZoomLevel(0));
  wc.on('did-finish-load', () => wc.setZoomLevel(0));
  wc.on('devtools-opened', () => {
    if (!devTools) wc.closeDevTools();
  });

  wc.on('render-process-gone', (_event, details) => recover({ kind: 'renderer-gone', reason: details.reason }));
  let unresponsive: NodeJS.Timeout | null = null;
  wc.on('unresponsive', () => {
    unresponsive ??= setTimeout(() => {
      unresponsive = null;
      logger.error('renderer unresponsive: killing it');
      wc.forcefullyCrashRenderer(); // → render-process-gone ('killed') → recovery
    }, UNRESPONSIVE_GRACE_MS);
  });
  wc.on('responsive', () => {
    if (unresponsive) clearTimeout(unresponsive);
    unresponsive = null;
  });
  wc.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    // -3 = ERR_ABORTED: a load replaced by another one (ours), not a failure
    if (!isMainFrame || code === -3) return;
    logger.error({ code, description, url }, 'page failed to load');
    // the maintenance page itself failing must not loop on itself: the pending retry reloads the app
    if (url !== MAINTENANCE_URL) recover({ kind: 'load-failed', code });
  });
}

async function start(): Promise<void> {
  let config: KioskConfig | null = null;
  let startupProblem: string | null = null;
  try {
    config = loadKioskConfig();
    logger = createLogger('kiosk', config.logLevel);
  } catch (err) {
    startupProblem = err instanceof ConfigError ? err.message : String(err);
  }
  try {
    hooks.camera = cameraSettings(env);
  } catch (err) {
    logger.warn({ err: String(err) }, 'camera settings ignored');
  }
  if (config) {
    try {
      core = createKioskCore({ config, logger, keys: keyProvider(config) });
    } catch (err) {
      startupProblem = String(err);
    }
  }
  if (startupProblem) logger.fatal({ problem: startupProblem }, 'the kiosk cannot start: maintenance screen');

  Menu.setApplicationMenu(null); // no menu, so none of its accelerators (reload, devtools, zoom)
  const ses = session.defaultSession;
  hardenSession(ses, () => (win && !win.isDestroyed() ? win.webContents : null));
  protocol.handle(APP_SCHEME, async (request) => {
    const r = await serveAppRequest(ROOTS, request.method, request.url);
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const options = windowOptions(PRELOAD, devTools);
  hooks.window = options;
  const window = new BrowserWindow(options);
  win = window;
  const wc = window.webContents;

  let history: number[] = [];
  let retry: NodeJS.Timeout | null = null;
  const loadApp = () => void window.loadURL(APP_PAGE).catch(() => undefined);
  const showMaintenance = () => void window.loadURL(MAINTENANCE_URL).catch(() => undefined);
  const recover = (event: RecoveryEvent) => {
    if (quitting) return;
    const step = decideRecovery(history, event, Date.now(), DEFAULT_RECOVERY);
    history = step.history;
    const d = step.decision;
    hooks.recoveries.push(`${event.kind}:${d.action}`);
    logger.warn({ event, decision: d, recent: history.length }, 'recovering');
    if (d.action === 'none') return;
    if (d.endSession && core) {
      // the core outlives the renderer: nobody stays logged in behind a blank or reloaded screen
      void core.handle('session.end', {}).catch(() => undefined);
    }
    if (retry) clearTimeout(retry);
    retry = null;
    if (d.action === 'maintenance') return showMaintenance();
    if (d.maintenance) showMaintenance();
    retry = setTimeout(() => {
      retry = null;
      if (d.action === 'reload') return loadApp();
      const plan = relaunchPlan(env);
      if (plan.selfRelaunch) app.relaunch();
      void shutdown(plan.exitCode);
    }, d.delayMs);
  };
  lockDown(wc, recover);
  app.on('child-process-gone', (_event, details) => recover({ kind: 'child-gone', type: details.type, reason: details.reason }));

  ipcMain.handle(INVOKE_CHANNEL, async (event, ...args: unknown[]) => {
    const frame = event.senderFrame;
    const check = checkInvoke(
      { frameUrl: frame?.url, isMainFrame: frame !== null && frame === event.sender.mainFrame, webContentsId: event.sender.id },
      window.isDestroyed() ? null : wc.id,
      args,
    );
    if (!check.ok) {
      hooks.refusedIpc++;
      logger.warn({ reason: check.reason }, 'IPC refused');
      return check.outcome;
    }
    if (!core) return { ok: false, error: { code: 'internal', message: 'La borne ne marche pas pour le moment.' } };
    return core.handle(check.method, check.params);
  });
  core?.onEvent((e) => {
    if (!window.isDestroyed() && !wc.isCrashed() && isAppPage(wc.getURL())) wc.send(EVENT_CHANNEL, e);
  });

  powerSaveBlocker.start('prevent-display-sleep');
  window.once('ready-to-show', () => {
    window.show();
    if (!startupProblem) confirmLaunch(env); // this version starts: the launcher will not roll it back
    void notifier.ready(startupProblem ? 'maintenance: the kiosk cannot start' : 'kiosk ready');
  });
  app.on('window-all-closed', () => void shutdown(0));
  app.on('second-instance', () => {
    if (!window.isDestroyed()) window.focus();
  });
  stopWatchdog = notifier.startWatchdog(() => !quitting);

  if (!core || !config) return showMaintenance();
  // a tablet not enrolled yet shows the enrollment screen inside the app (renderer + core)
  loadApp();
  const publicKeyPem = BUILD.updatePublicKeyPem;
  if (updatesEnabled(app.isPackaged, env, publicKeyPem) && env.APPIMAGE) {
    const live = core;
    startUpdater({
      logger: logger.child({ part: 'updater' }),
      publicKeyPem,
      appImage: env.APPIMAGE,
      idle: () => live.session.state.screen === 'attract',
      restart: () => void shutdown(0),
    });
  }
}

if (!app.requestSingleInstanceLock()) {
  app.exit(0);
} else {
  app.whenReady().then(start, (err: unknown) => {
    logger.fatal({ err }, 'Electron did not start');
    app.exit(1);
  });
}
