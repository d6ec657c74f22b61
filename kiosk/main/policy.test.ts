import { describe, expect, it } from 'vitest';
import { allowNavigation, allowPermission, isAppUrl, trustedSender, webPreferences } from './policy.ts';

describe('Electron policies', () => {
  it('locks the renderer down', () => {
    const p = webPreferences('/x/preload.cjs', false);
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: false, webviewTag: false });
  });

  it('recognises only our own origin', () => {
    expect(isAppUrl('app://kiosk/')).toBe(true);
    for (const u of ['app://kiosk.evil/', 'app://evil/', 'https://kiosk/', 'app://user:pw@kiosk/', 'file:///etc/passwd', 'javascript:alert(1)', '', 'app:kiosk']) {
      expect(isAppUrl(u)).toBe(false);
    }
  });

  it('never navigates away', () => {
    expect(allowNavigation('app://kiosk/', 'app://kiosk/')).toBe(true);
    for (const u of ['https://example.org/', 'app://kiosk/other.html', 'file:///', 'chrome://settings', 'data:text/html,hi']) {
      expect(allowNavigation(u, 'app://kiosk/')).toBe(false);
    }
  });

  it('allows the camera only, only for us', () => {
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['video'] })).toBe(true);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'app://kiosk/', mediaTypes: [] })).toBe(false);
    expect(allowPermission({ permission: 'media', requestingUrl: 'https://evil/', mediaTypes: ['video'] })).toBe(false);
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'usb', 'hid']) {
      expect(allowPermission({ permission: p, requestingUrl: 'app://kiosk/' })).toBe(false);
    }
  });

  it('trusts IPC only from our main frame', () => {
    expect(trustedSender('app://kiosk/', true)).toBe(true);
    expect(trustedSender('app://kiosk/', false)).toBe(false);
    expect(trustedSender('https://evil/', true)).toBe(false);
    expect(trustedSender(undefined, true)).toBe(false);
  });
});
