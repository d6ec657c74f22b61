/**
 * The browser host's own window: Debian's Chromium, started by the host through playwright-core. Playwright
 * drives Chromium over a pipe (`--remote-debugging-pipe`, file descriptors 3 and 4, not a port), so the
 * kiosk's address with its launch code goes to the browser by that pipe: it is on no command line (which
 * anyone on the machine can read in /proc/<pid>/cmdline) and in no output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface KioskWindowOptions {
  /** the address to open once (`BrowserHost.launchUrl()`) */
  url: string;
  /** no display (tests, a smoke check): Chromium without a window */
  headless?: boolean;
  /** Chromium's fake camera fed from a y4m file (the demo's RIB) */
  fakeCameraY4m?: string;
  executablePath?: string;
}

export interface KioskWindow {
  page: Page;
  close(): Promise<void>;
}

export async function openKioskWindow(o: KioskWindowOptions): Promise<KioskWindow> {
  // a throw-away profile: the session token the page keeps in sessionStorage goes with it
  const profile = mkdtempSync(join(tmpdir(), 'fac-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: o.executablePath ?? CHROMIUM,
      headless: o.headless ?? false,
      viewport: null,
      // no "controlled by automated software" bar on a kiosk screen
      ignoreDefaultArgs: ['--enable-automation'],
      args: [
        '--kiosk',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--use-fake-ui-for-media-stream',
        ...(o.fakeCameraY4m ? ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${o.fakeCameraY4m}`] : []),
      ],
      timeout: 60_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(o.url);
  return {
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
