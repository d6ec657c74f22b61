/**
 * The simulator's page in Debian Chromium, with axe-core: a card held in the latched second slot, the
 * LED driven by a kiosk-side CardBox, the box's button and a forced removal clicked with the keyboard.
 * Slot 1 ("Virtual PCD 00 01"): the kiosk's e2e tests use slot 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { openCardBox, type CardBox, type CardPresentEvent } from '../hid/box.ts';
import { next, until } from '../hid/test-helpers.ts';
import { issueVirtualCard } from './issue.ts';
import { startSimulator, type SimulatorHandle } from './simulator.ts';

let dir: string;
let sim: SimulatorHandle;
let box: CardBox;
let browser: Browser;
let page: Page;

interface Violation {
  id: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core, WCAG 2.0/2.1 A and AA. Written as page-side strings: the drivers' tsconfig has no DOM
 * types (tests/support/browser.ts does the same for the kiosk).
 */
async function violations(p: Page): Promise<Violation[]> {
  if (!(await p.evaluate('typeof axe !== "undefined"'))) await p.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return (await p.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
       .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as Violation[];
}

const describeViolations = (vs: Violation[]) => vs.map((v) => `${v.id}: ${v.help} — ${v.nodes.join(', ')}`).join('\n');

beforeAll(async () => {
  await ensurePcscd();
  dir = mkdtempSync(join(tmpdir(), 'vcard-sime2e-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '142536', holder: { firstName: 'Camille', lastName: 'Martin' } });
  await issueVirtualCard({ dir, serial: '0A1B2C40', identifier: 'FAC-R9TD-4HWN-3GAK', pin: '864209', holder: { firstName: 'Sophie', lastName: 'Lefèvre' } });
  sim = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1', slot: 1 });
  box = openCardBox(sim.boxUrl, { retryMinMs: 20, retryMaxMs: 100 });
  const connected = next(box, 'connected');
  box.start();
  await connected;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 60_000 });
  // axe-core is injected as a script, which the page's CSP (no script at all) would block.
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await box?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('simulator page in a browser', () => {
  it('is accessible empty, and with a card held in a latched slot', async () => {
    await page.goto(sim.url);
    expect(await page.locator('h1').innerText()).toBe('Simulateur de boîtier');
    let found = await violations(page);
    expect(found, describeViolations(found)).toEqual([]);

    await page.getByRole('button', { name: 'Insérer la carte de Sophie Lefèvre dans le second emplacement' }).click();
    await page.waitForURL(/info=inseree/);
    await until(() => box.cardPresent(1) === true, 10_000, 'HID presence');
    await box.setIndicator('reading');
    await box.setLatch(true, 1);
    await until(() => sim.box.latched(1) && sim.box.led().pattern === 'spin', 5000, 'device state');

    await page.goto(`${sim.url}/?info=boitier-verrouille`);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Le boîtier est verrouillé');
    expect(await page.locator('.facts').innerText()).toContain('bleu, tournant (un tour en 1 s) — lecture de la carte en cours');
    found = await violations(page);
    expect(found, describeViolations(found)).toEqual([]);
  });

  it('the box button and a forced removal work from the keyboard', async () => {
    await page.goto(sim.url);
    const pressed = next(box, 'button');
    await page.getByRole('button', { name: 'Bouton du boîtier' }).focus();
    await page.keyboard.press('Enter');
    await pressed;
    await page.waitForURL(/info=bouton/);

    const out = next<CardPresentEvent>(box, 'card-present', (e) => e.slot === 1 && !e.present);
    const force = page.getByRole('button', { name: 'Forcer le retrait de la carte de Sophie Lefèvre' });
    await force.focus();
    // The focused control is visibly outlined.
    const style = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle;
    expect(await force.evaluate(style)).not.toBe('none');
    await page.keyboard.press('Enter');
    await out;
    await page.waitForURL(/info=retrait-force/);
    expect(await page.getByRole('status').first().innerText()).toContain('Aucune carte dans le boîtier.');
    expect(sim.inserted(1)).toBeNull();
  });
});
