/**
 * Debian Chromium driven by playwright-core (no downloaded browsers), with Chromium's fake camera fed
 * from a y4m file when given, and axe-core for accessibility checks (WCAG 2.1 A/AA). Playwright talks to
 * Chromium over a pipe: the kiosk's address, launch code included, goes there, never on a command line.
 */
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { BrowserHost } from '../../kiosk/host/server.ts';

const require = createRequire(import.meta.url);
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * `webgl`: WebGL drawn in software (SwiftShader through ANGLE), as the map of institutions needs: the test
 * machine has no GPU, and headless Chromium otherwise refuses WebGL.
 */
export async function launchKioskBrowser(opts: { fakeVideo?: string; locale?: string; webgl?: boolean } = {}): Promise<LaunchedBrowser> {
  // playwright gives each launch a fresh temporary profile
  const args = opts.webgl ? [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : [...CHROMIUM_ARGS];
  if (opts.fakeVideo) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.fakeVideo}`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
  // axe-core is injected as a script: the app's CSP (script-src 'self') would block it otherwise
  const context = await browser.newContext({ bypassCSP: true, locale: opts.locale ?? 'fr-FR', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

/**
 * Opens the kiosk in the page the way the host's own window does: with a fresh one-time launch code
 * (the only way in, kiosk/README.md). `auto: false` turns the automatic capture off.
 */
export async function openKiosk(page: Page, host: Pick<BrowserHost, 'launchUrl'>, opts: { auto?: boolean } = {}): Promise<void> {
  await page.goto(`${host.launchUrl()}${opts.auto === false ? '&auto=0' : ''}`);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.0/2.1, A and AA) on the page; returns the violations, formatted for a failure message. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}

/**
 * The screen's main actions that a person could not reach without scrolling: every button of the
 * screen's action bar (`[data-main-actions]`, of the open dialog when there is one) must lie wholly in
 * the window (or the dialog), at the page's top and at its bottom, the bar fixed while the page scrolls.
 * Returns the buttons out of view, in words for a failure message; `bars` is how many bars the screen has.
 */
export async function mainActionsOutOfView(page: Page): Promise<{ bars: number; outside: string[] }> {
  return page.evaluate(async () => {
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const dialog = Array.from(document.querySelectorAll<HTMLElement>('[aria-modal="true"]')).at(-1) ?? null;
    const scope: ParentNode = dialog ?? document;
    const bars = Array.from(scope.querySelectorAll<HTMLElement>('[data-main-actions]')).filter((b) => b.getClientRects().length > 0);
    const scroller: { scrollTop: number; scrollHeight: number } = dialog ?? document.scrollingElement ?? document.documentElement;
    const view = () => (dialog ? dialog.getBoundingClientRect() : { top: 0, bottom: window.innerHeight });
    const outside = new Set<string>();
    const before = scroller.scrollTop;
    for (const at of ['top', 'bottom'] as const) {
      scroller.scrollTop = at === 'top' ? 0 : scroller.scrollHeight;
      await frame();
      const v = view();
      for (const bar of bars) {
        for (const b of Array.from(bar.querySelectorAll<HTMLElement>('button, a'))) {
          if (b.getClientRects().length === 0) continue;
          const r = b.getBoundingClientRect();
          if (r.top < v.top - 1 || r.bottom > v.bottom + 1) outside.add(`« ${(b.textContent ?? '').trim()} » (page at its ${at}: ${Math.round(r.top)}–${Math.round(r.bottom)} px, view ${Math.round(v.top)}–${Math.round(v.bottom)})`);
        }
      }
    }
    scroller.scrollTop = before;
    await frame();
    return { bars: bars.length, outside: [...outside] };
  });
}

/** A kiosk screen as a person meets it: axe-core finds nothing, and its main actions are in view. */
export async function expectScreenSound(page: Page, screen: string): Promise<void> {
  const violations = await accessibilityViolations(page);
  expect(violations, `${screen}:\n${describeViolations(violations)}`).toEqual([]);
  const fold = await mainActionsOutOfView(page);
  expect(fold.outside, `${screen}: main actions below the fold`).toEqual([]);
}
