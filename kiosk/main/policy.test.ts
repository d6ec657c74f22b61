import { describe, expect, it } from 'vitest';
import {
  APP_PAGE,
  allowNavigation,
  allowPermission,
  allowPermissionCheck,
  allowRequest,
  devToolsAllowed,
  isAppPage,
  isAppUrl,
  kioskSwitches,
  schemePrivileges,
  securityHeaders,
  trustedSender,
  webPreferences,
  windowOptions,
} from './policy.ts';

/** URLs that must never count as ours. */
const HOSTILE_URLS = [
  'app://kiosk.evil/',
  'app://evil/',
  'app://evil.kiosk/',
  'app://kiosk:8080/',
  'app://user:pw@kiosk/',
  'app://kiosk@evil/',
  'APP://evil/',
  'https://kiosk/',
  'http://app.kiosk/',
  'file:///etc/passwd',
  'file://kiosk/',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'blob:https://evil/uuid',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'about:blank',
  'app:kiosk',
  'app:/kiosk/',
  '',
  ' app://kiosk/',
  `app://kiosk/${'a'.repeat(5000)}`,
];

describe('window and renderer', () => {
  it('locks the renderer down', () => {
    const p = webPreferences('/x/preload.cjs', false);
    expect(p).toMatchObject({
      preload: '/x/preload.cjs',
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
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
    expect(webPreferences('/x', true).devTools).toBe(true);
  });

  it('opens one fullscreen kiosk window without frame, shown once painted', () => {
    const w = windowOptions('/x/preload.cjs', false);
    expect(w).toMatchObject({ kiosk: true, fullscreen: true, frame: false, show: false, closable: false, resizable: false, movable: false, minimizable: false });
    expect(w.webPreferences.sandbox).toBe(true);
    expect(windowOptions('/x', true).closable).toBe(true);
  });

  it('registers the scheme as a secure standard origin that nothing else may read', () => {
    expect(schemePrivileges()).toMatchObject({ standard: true, secure: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false });
  });

  it('switches off pinch zoom and swipe navigation', () => {
    const names = kioskSwitches().map(([n]) => n);
    expect(names).toContain('disable-pinch');
    expect(kioskSwitches()).toContainEqual(['overscroll-history-navigation', '0']);
  });

  it('allows devtools only unpackaged or in a test build, and only when asked for', () => {
    expect(devToolsAllowed({ isPackaged: false, testBuild: false, env: { FAC_DEVTOOLS: '1' } })).toBe(true);
    expect(devToolsAllowed({ isPackaged: true, testBuild: true, env: { FAC_DEVTOOLS: '1' } })).toBe(true);
    expect(devToolsAllowed({ isPackaged: true, testBuild: false, env: { FAC_DEVTOOLS: '1' } })).toBe(false);
    expect(devToolsAllowed({ isPackaged: false, testBuild: false, env: {} })).toBe(false);
    expect(devToolsAllowed({ isPackaged: false, testBuild: false, env: { FAC_DEVTOOLS: 'true' } })).toBe(false);
  });

  it('serves everything with a strict set of headers', () => {
    const h = securityHeaders("default-src 'none'");
    expect(h['content-security-policy']).toBe("default-src 'none'");
    expect(h).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin' });
    expect(h['permissions-policy']).toContain('microphone=()');
  });
});

describe('origin', () => {
  it('recognises only our own origin', () => {
    expect(isAppUrl('app://kiosk/')).toBe(true);
    expect(isAppUrl('app://kiosk')).toBe(true);
    // Chromium canonicalises a standard scheme's host to lower case; anything else is not what it sends
    expect(isAppUrl('app://KIOSK/assets/x.js')).toBe(false);
    expect(isAppUrl('app://kiosk/\n')).toBe(false);
    for (const u of HOSTILE_URLS) expect(isAppUrl(u), u).toBe(false);
    for (const v of [undefined, null, 42, {}, ['app://kiosk/'], { toString: () => 'app://kiosk/' }]) expect(isAppUrl(v)).toBe(false);
  });

  it('knows the app page from the rest of the origin', () => {
    expect(isAppPage(APP_PAGE)).toBe(true);
    expect(isAppPage('app://kiosk/#/scan')).toBe(true);
    for (const u of ['app://kiosk/_shell/maintenance.html', 'app://kiosk/index.html', 'app://kiosk/?x=1', 'app://kiosk/assets/a.js', ...HOSTILE_URLS]) {
      expect(isAppPage(u), u).toBe(false);
    }
  });
});

describe('navigation', () => {
  it('never navigates away', () => {
    expect(allowNavigation('app://kiosk/', 'app://kiosk/')).toBe(true);
    expect(allowNavigation('app://kiosk/', 'app://kiosk/_shell/maintenance.html')).toBe(true);
    expect(allowNavigation('app://kiosk/', '')).toBe(true);
    const targets = [...HOSTILE_URLS, 'https://example.org/', 'app://kiosk/other.html', 'app://kiosk/_shell/maintenance.html', 'app://kiosk/?next=https://evil/', 'file:///', 'chrome://gpu'];
    for (const u of targets) expect(allowNavigation(u, 'app://kiosk/'), u).toBe(false);
  });

  it('refuses a navigation from a page that is not ours', () => {
    expect(allowNavigation('app://kiosk/', 'https://evil/')).toBe(false);
    expect(allowNavigation('app://kiosk/', 'file:///tmp/x.html')).toBe(false);
    expect(allowNavigation('app://kiosk/', undefined)).toBe(false);
  });
});

describe('permissions', () => {
  it('allows the camera only, only for us', () => {
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['video'] })).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['audio'] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: [] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/' })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['video', 42] })).toBe(false);
    for (const u of HOSTILE_URLS) expect(allowPermission({ permission: 'media', requestingUrl: u, mediaTypes: ['video'] }), u).toBe(false);
    const others = ['geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'usb', 'hid', 'serial', 'display-capture', 'fullscreen', 'pointerLock', 'keyboardLock', 'midi', 'midiSysex', 'fileSystem', 'window-management', 'unknown', 'Media', ''];
    for (const p of others) expect(allowPermission({ permission: p, requestingUrl: 'app://kiosk/', mediaTypes: ['video'] }), p).toBe(false);
  });

  it('answers permission checks the same way, from the top frame only', () => {
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://kiosk', mediaType: 'video', isMainFrame: true })).toBe(true);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://kiosk', mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://kiosk', mediaType: 'unknown', isMainFrame: true })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://kiosk', isMainFrame: true })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://kiosk', mediaType: 'video', isMainFrame: false })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'https://evil', mediaType: 'video', isMainFrame: true })).toBe(false);
    expect(allowPermissionCheck({ permission: 'hid', requestingOrigin: 'app://kiosk', isMainFrame: true })).toBe(false);
    expect(allowPermissionCheck({ permission: 'serial', requestingOrigin: 'app://kiosk', isMainFrame: true })).toBe(false);
  });
});

describe('IPC sender', () => {
  const ok = { frameUrl: 'app://kiosk/', isMainFrame: true, webContentsId: 7 };

  it('trusts IPC only from our window’s top frame on the app page', () => {
    expect(trustedSender(ok, 7)).toBe(true);
    expect(trustedSender({ ...ok, isMainFrame: false }, 7)).toBe(false); // a subframe
    expect(trustedSender({ ...ok, webContentsId: 8 }, 7)).toBe(false); // another webContents (devtools, a forged one)
    expect(trustedSender(ok, null)).toBe(false); // our window is gone
    expect(trustedSender({ ...ok, frameUrl: undefined }, 7)).toBe(false); // the frame is gone
    expect(trustedSender({ ...ok, frameUrl: 'app://kiosk/_shell/maintenance.html' }, 7)).toBe(false);
    for (const u of HOSTILE_URLS) expect(trustedSender({ ...ok, frameUrl: u }, 7), u).toBe(false);
  });
});

describe('requests of the renderer', () => {
  it('lets through only our origin and in-memory URLs of our origin', () => {
    for (const u of ['app://kiosk/', 'app://kiosk/assets/index-abc.js', 'data:image/png;base64,AAAA', 'blob:app://kiosk/0b7c-11']) {
      expect(allowRequest(u, false), u).toBe(true);
    }
    const refused = ['https://example.org/', 'http://127.0.0.1:7390/api', 'ws://127.0.0.1:7380/', 'wss://evil/', 'file:///etc/passwd', 'ftp://evil/', 'blob:https://evil/uuid', 'chrome://gpu', 'devtools://devtools/x', 'app://evil/', 'not a url', ''];
    for (const u of refused) expect(allowRequest(u, false), u).toBe(false);
    expect(allowRequest(42, false)).toBe(false);
  });

  it('lets devtools load its own pages only when devtools are allowed', () => {
    expect(allowRequest('devtools://devtools/bundled/inspector.html', true)).toBe(true);
    expect(allowRequest('devtools://devtools/bundled/inspector.html', false)).toBe(false);
    expect(allowRequest('https://example.org/', true)).toBe(false);
  });
});
