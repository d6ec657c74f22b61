/**
 * Electron main process: thin. It hosts the kiosk core, serves the renderer from the `app://kiosk`
 * protocol, locks the window down and relays the kiosk contract over IPC. Everything that matters
 * lives in kiosk/core and is tested without Electron; the decisions here are pure functions (policy.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, app, ipcMain, protocol, safeStorage, session } from 'electron';
import type { Event as ElectronEvent, WebContentsWillNavigateEventParams } from 'electron';
import { loadKioskConfig } from '../core/config.ts';
import { createKioskCore } from '../core/kiosk-core.ts';
import { createLogger } from '../core/log.ts';
import type { KeyProvider } from '../core/storage/keys.ts';
import { contentSecurityPolicy, readStatic, resolveStatic } from '../host/static-files.ts';
import { APP_ORIGIN, APP_SCHEME, allowNavigation, allowPermission, trustedSender, webPreferences } from './policy.ts';

const rendererDir = join(import.meta.dirname, '../renderer/dist');
const preloadFile = join(import.meta.dirname, 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

/** The data key sealed by the OS keystore. */
function safeStorageKeys(dir: string): KeyProvider {
  const file = join(dir, 'data.key.sealed');
  return {
    dataKey() {
      if (!existsSync(file)) writeFileSync(file, safeStorage.encryptString(randomBytes(32).toString('base64')), { mode: 0o600 });
      return Buffer.from(safeStorage.decryptString(readFileSync(file)), 'base64');
    },
  };
}

if (!app.requestSingleInstanceLock()) app.exit(0);

app.whenReady().then(() => {
  const config = loadKioskConfig();
  const logger = createLogger('kiosk', config.logLevel);
  const core = createKioskCore({ config, logger, keys: safeStorageKeys(config.dataDir) });
  const devTools = !app.isPackaged && process.env.FAC_DEVTOOLS === '1';

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const r = await resolveStatic(rendererDir, request.method, url.pathname);
    if (r.status !== 200) return new Response(null, { status: r.status });
    return new Response(new Uint8Array(await readStatic(r.file)), {
      headers: { 'content-type': r.type, 'content-security-policy': contentSecurityPolicy("'self'"), 'x-content-type-options': 'nosniff' },
    });
  });

  session.defaultSession.setPermissionRequestHandler((wc, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(allowPermission({ permission, requestingUrl: details.requestingUrl ?? wc.getURL(), ...(mediaTypes ? { mediaTypes } : {}) }));
  });
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    allowPermission({ permission, requestingUrl: requestingOrigin, mediaTypes: ['video'] }),
  );

  const win = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    backgroundColor: '#f6f3ec',
    webPreferences: webPreferences(preloadFile, devTools),
  });
  win.webContents.on('will-navigate', (event: ElectronEvent<WebContentsWillNavigateEventParams>) => {
    if (!allowNavigation(event.url, win.webContents.getURL())) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('context-menu', (e) => e.preventDefault());

  ipcMain.handle('kiosk:invoke', async (event, method: unknown, params: unknown) => {
    if (!trustedSender(event.senderFrame?.url, event.senderFrame === event.sender.mainFrame)) {
      logger.warn('IPC from an untrusted frame refused');
      return { ok: false, error: { code: 'transport', message: 'Refusé.' } };
    }
    return core.handle(method, params);
  });
  core.onEvent((e) => {
    if (!win.isDestroyed()) win.webContents.send('kiosk:event', e);
  });

  void win.loadURL(`${APP_ORIGIN}/`);
  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
}, (err: unknown) => {
  console.error(err);
  app.exit(1);
});
