/**
 * The Electron app end to end, through Playwright's `_electron`: the real main process (kiosk core inside),
 * the sandboxed renderer over IPC, pcscd + vpcd with virtual cards, the virtual box, the sync-server,
 * Chromium's fake camera. Runs when an Electron binary is available (ELECTRON_OVERRIDE_DIST_PATH, and a
 * display); skipped otherwise, with the reason printed once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskTestHooks } from '../../kiosk/main/main.ts';
import { formatIban } from '../../sync-server/protocol/iban.ts';
import { renderRib } from '../fixtures/documents.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { MAIN_BUNDLE, REPO, buildTestBundle, electronExecutable, electronUnavailable, startElectronStack } from './support/electron-stack.ts';
import type { ElectronStack } from './support/electron-stack.ts';

const unavailable = electronUnavailable();
if (unavailable) console.log(`Electron end-to-end tests skipped: ${unavailable}`);
const eit = it.skipIf(unavailable !== null);

interface Kiosk {
  app: ElectronApplication;
  page: Page;
}

async function launchKiosk(stack: ElectronStack, env: Record<string, string> = {}): Promise<Kiosk> {
  // Chromium refuses to sandbox as root; the renderer's own sandbox flag (webPreferences) stays on
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN_BUNDLE];
  const app = await _electron.launch({ executablePath: electronExecutable(), args, cwd: REPO, env: stack.appEnv(env), timeout: 60_000 });
  const page = await app.firstWindow();
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor({ timeout: 60_000 });
  return { app, page };
}

/** The main process's test counters (test builds only). */
function hooks(app: ElectronApplication): Promise<KioskTestHooks> {
  return app.evaluate(() => (globalThis as unknown as { __facKioskTest: KioskTestHooks }).__facKioskTest);
}

/** What the window shows, read from the main process (works across renderer crashes). */
function screen(app: ElectronApplication): Promise<{ url: string; text: string }> {
  return app.evaluate(async ({ BrowserWindow }) => {
    const w = BrowserWindow.getAllWindows()[0];
    if (!w || w.webContents.isCrashed() || w.webContents.isLoading()) return { url: '', text: '' };
    const text: unknown = await w.webContents.executeJavaScript('document.body ? document.body.innerText : ""').catch(() => '');
    return { url: w.webContents.getURL(), text: String(text) };
  });
}

function crashRenderer(app: ElectronApplication): Promise<void> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.forcefullyCrashRenderer());
}

async function typePin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Valider' }).click();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the locked-down window', () => {
  let stack: ElectronStack;
  let kiosk: Kiosk;

  beforeAll(async () => {
    if (unavailable) return;
    buildTestBundle();
    stack = await startElectronStack();
    kiosk = await launchKiosk(stack);
  });

  afterAll(async () => {
    await kiosk?.app.close();
    await stack?.close();
  });

  eit('opens one fullscreen kiosk window on app://kiosk, sandboxed, isolated, without Node', async () => {
    const { app, page } = kiosk;
    const facts = await app.evaluate(({ BrowserWindow }) => {
      const all = BrowserWindow.getAllWindows();
      const w = all[0]!;
      return { windows: all.length, url: w.webContents.getURL(), kiosk: w.isKiosk(), fullscreen: w.isFullScreen(), devTools: w.webContents.isDevToolsOpened() };
    });
    expect(facts).toEqual({ windows: 1, url: 'app://kiosk/', kiosk: true, fullscreen: true, devTools: false });
    // Electron has no getter for a window's web preferences: main records what it passed
    expect((await hooks(app)).window?.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: false });
    const inPage = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      kiosk: Object.keys((window as unknown as { kiosk: object }).kiosk).sort(),
      frozen: Object.isFrozen((window as unknown as { kiosk: object }).kiosk),
    }));
    expect(inPage).toEqual({ require: 'undefined', process: 'undefined', kiosk: ['invoke', 'subscribe'], frozen: true });
  });

  eit('refuses navigation, new windows, and every request off the app origin', async () => {
    const { app, page } = kiosk;
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 7;
    });
    for (const target of ['https://example.org/', 'file:///etc/passwd', 'app://kiosk/_shell/maintenance.html', 'javascript:void(0)']) {
      await page.evaluate((t) => {
        location.href = t;
      }, target);
    }
    await pause(1_000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7); // still the same document
    expect((await screen(app)).url).toBe('app://kiosk/');
    expect(await page.evaluate(() => window.open('https://example.org/') === null)).toBe(true);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    const fetched = await page.evaluate(async (server) => {
      const attempt = (u: string) => fetch(u).then(
        () => 'loaded',
        () => 'refused',
      );
      return [await attempt('https://example.org/'), await attempt(`${server}/health`), await attempt('file:///etc/passwd')];
    }, stack.server.url);
    expect(fetched).toEqual(['refused', 'refused', 'refused']); // the renderer never reaches the network: the core does
  });

  eit('swallows reload, devtools, zoom, close and full-screen shortcuts, lets typing through', async () => {
    const { app, page } = kiosk;
    await page.evaluate(() => {
      const w = window as unknown as { keys: string[] };
      w.keys = [];
      window.addEventListener('keydown', (e) => w.keys.push(e.key), true);
    });
    const before = (await hooks(app)).blockedKeys;
    const shortcuts = ['Control+R', 'F5', 'Control+Shift+I', 'F12', 'Control+W', 'Alt+F4', 'Control+Equal', 'Control+Minus', 'F11', 'Control+P', 'Control+V'];
    for (const k of shortcuts) await page.keyboard.press(k);
    await page.keyboard.press('a');
    await page.keyboard.press('1');
    const after = await hooks(app);
    expect(after.blockedKeys - before).toBeGreaterThanOrEqual(shortcuts.length);
    // the page saw only the characters (and the modifiers pressed on their own)
    const seen = await page.evaluate(() => (window as unknown as { keys: string[] }).keys.filter((k) => !['Control', 'Shift', 'Alt'].includes(k)));
    expect(seen).toEqual(['a', '1']);
    const state = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      return { windows: BrowserWindow.getAllWindows().length, devtools: w.webContents.isDevToolsOpened(), zoom: w.webContents.getZoomFactor(), fullscreen: w.isFullScreen() };
    });
    expect(state).toEqual({ windows: 1, devtools: false, zoom: 1, fullscreen: true });
    await page.mouse.click(200, 200, { button: 'right' });
    await expect.poll(async () => (await hooks(app)).contextMenus).toBeGreaterThan(0);
  });

  eit('validates IPC: a malformed call gets a typed refusal, permissions other than the camera are denied', async () => {
    const { page } = kiosk;
    const outcomes = await page.evaluate(async () => {
      const k = (window as unknown as { kiosk: { invoke(m: unknown, p: unknown): Promise<unknown> } }).kiosk;
      return {
        ok: await k.invoke('state.get', {}),
        proto: await k.invoke('__proto__', {}),
        array: await k.invoke('state.get', [1, 2]),
        date: await k.invoke('state.get', { at: new Date() }),
        unknown: await k.invoke('vault.deleteAll', {}),
      };
    });
    expect(outcomes.ok).toMatchObject({ ok: true });
    for (const o of [outcomes.proto, outcomes.array, outcomes.date]) expect(o).toEqual({ ok: false, error: { code: 'invalid-request', message: 'Demande invalide.' } });
    expect(outcomes.unknown).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    const permissions = await page.evaluate(async () => ({
      microphone: await navigator.mediaDevices.getUserMedia({ audio: true }).then(
        () => 'granted',
        (e: Error) => e.name,
      ),
      notifications: await Notification.requestPermission(),
    }));
    expect(permissions).toEqual({ microphone: 'NotAllowedError', notifications: 'denied' });
  });
});

describe('card login and capture', () => {
  let stack: ElectronStack;
  let kiosk: Kiosk;
  let mediaDir: string;
  let expected: { iban: string; bic: string };

  beforeAll(async () => {
    if (unavailable) return;
    buildTestBundle();
    mediaDir = mkdtempSync(join(tmpdir(), 'fac-electron-media-'));
    const rib = await renderRib({ seed: 4242, holder: 'Mme Camille MARTIN' });
    expected = rib.expected.fields;
    const video = join(mediaDir, 'rib.y4m');
    await writeY4m(rib.png, video);
    stack = await startElectronStack();
    kiosk = await launchKiosk(stack, { FAC_FAKE_CAMERA_Y4M: video });
  });

  afterAll(async () => {
    await kiosk?.app.close();
    await stack?.close();
    if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
  });

  eit('logs in with a card and its PIN, over IPC', async () => {
    const { page } = kiosk;
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    await typePin(page, stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    expect(stack.box.box.latched(0)).toBe(true);
  });

  eit('captures a RIB with the document camera (fake device in this test build) and reads it', async () => {
    const { page } = kiosk;
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    const take = page.getByRole('button', { name: 'Prendre la photo' });
    await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
    await take.click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 90_000 });
    await expect.poll(() => page.locator('[data-field="iban"]').textContent()).toBe(formatIban(expected.iban));
    expect(await page.locator('[data-field="bic"]').textContent()).toBe(expected.bic);
  });

  eit('ends the session when the card leaves', async () => {
    await stack.remove(0, { force: true });
    await kiosk.page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor({ timeout: 10_000 });
  });
});

describe('recovery', () => {
  let stack: ElectronStack;
  let kiosk: Kiosk;

  beforeAll(async () => {
    if (unavailable) return;
    buildTestBundle();
    stack = await startElectronStack();
    kiosk = await launchKiosk(stack);
  });

  afterAll(async () => {
    await kiosk?.app.close();
    await stack?.close();
  });

  eit('a renderer crash ends the open session safely and reloads the page; the core lives on', async () => {
    const { app, page } = kiosk;
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    await typePin(page, stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    expect(stack.box.box.latched(0)).toBe(true);
    await crashRenderer(app);
    // the page comes back on the "take your card" screen: the session was ended, the latch opened
    await expect.poll(async () => (await screen(app)).text, { timeout: 30_000 }).toContain('Vous pouvez retirer votre carte.');
    expect(stack.box.box.latched(0)).toBe(false);
    expect((await hooks(app)).recoveries).toEqual(['renderer-gone:reload']);
    await stack.remove(0);
    await expect.poll(async () => (await screen(app)).text, { timeout: 15_000 }).toContain('Insérez votre carte');
  });

  eit('a crash loop shows the maintenance screen, backs off, then brings the app back', async () => {
    const { app } = kiosk;
    await crashRenderer(app); // second failure in the window: reloaded at once
    await expect.poll(async () => (await screen(app)).text, { timeout: 30_000 }).toContain('Insérez votre carte');
    await crashRenderer(app); // third: a loop
    await expect.poll(async () => screen(app), { timeout: 30_000 }).toMatchObject({ url: 'app://kiosk/_shell/maintenance.html', text: expect.stringContaining('La borne ne marche pas pour le moment.') });
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL())).toContain('maintenance');
    // after the back-off the app is loaded again
    await expect.poll(async () => (await screen(app)).text, { timeout: 60_000 }).toContain('Insérez votre carte');
    expect((await hooks(app)).recoveries.at(-1)).toBe('renderer-gone:reload');
  });
});
