/**
 * The processing console in Debian Chromium, under its own CSP (no bypass, unlike the kiosk's context):
 * a browser context of its own, every CSP violation of the console's pages collected, and axe-core
 * evaluated over the DevTools protocol (an injected script tag would be refused by the CSP).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { accessibilityViolations, describeViolations } from './browser.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** CSP violations reported by the console's pages (a served piece excepted) */
  cspViolations: string[];
  /** axe-core on the page as it is: zero violations, and no CSP violation so far */
  expectAccessible(screen: string): Promise<void>;
  close(): Promise<void>;
}

/** `FAC_E2E_SHOTS=<folder>`: a full-page picture of each screen checked (to look at the pages). */
export async function openConsolePage(browser: Browser, opts: { shots?: string | undefined } = { shots: process.env.FAC_E2E_SHOTS }): Promise<ConsolePage> {
  let shot = 0;
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    // a piece is served under "default-src 'none'": Chromium's own image viewer then cannot style
    // itself (and says so); only the console's pages are held to zero violations
    if (/Content Security Policy/i.test(m.text()) && !m.location().url.includes('/pieces/')) cspViolations.push(`${m.location().url}: ${m.text()}`);
  });
  return {
    context,
    page,
    cspViolations,
    async expectAccessible(screen) {
      // the console's CSP forbids injected scripts; an evaluation over the DevTools protocol is not one
      if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
      const violations = await accessibilityViolations(page);
      expect(violations, `${screen}:\n${describeViolations(violations)}`).toEqual([]);
      expect(cspViolations, `${screen}: CSP violations`).toEqual([]);
      if (opts.shots) {
        mkdirSync(opts.shots, { recursive: true });
        const name = `console-${String(++shot).padStart(2, '0')}-${screen.replace(/[^a-z0-9]+/gi, '-')}.png`;
        await page.screenshot({ path: join(opts.shots, name), fullPage: true });
      }
    },
    close: () => context.close().catch(() => undefined),
  };
}
