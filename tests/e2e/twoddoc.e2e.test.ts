/**
 * A tax notice with its 2D-Doc, through real parts: the fake camera films an avis d'impôt whose DataMatrix
 * is signed by the test authority (FR99, certificate TS01), and the kiosk holds that authority in its
 * 2D-Doc trust store (FAC_TWODDOC_TRUST_DIR). The check screen says « Vérifié par le code 2D-Doc » with
 * the authority, and stays accessible (axe). Then a forged print (its reference income changed, the code
 * left as signed): the screen says plainly that the income on the paper is not the code's.
 * FAC_E2E_SHOTS=<folder>: a picture of each screen, for a person to look at (as the other browser tests).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTaxNotice } from '../fixtures/admin.ts';
import { TEST_AUTHORITY, writeTrustStore } from '../fixtures/twoddoc.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { kioskUi } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

const SHOTS = process.env.FAC_E2E_SHOTS;

let stack: Stack;
let browser: LaunchedBrowser;
let page: Page;
let dir: string;

beforeAll(async () => {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'fac-twoddoc-'));
  const notice = await renderTaxNotice({ seed: 11, twoDDoc: true, twoDDocModulePx: 6 });
  await writeY4m(notice.png, join(dir, 'notice.y4m'));
  const forged = await renderTaxNotice({ seed: 12, twoDDoc: true, forgePrintedIncome: 9_990, twoDDocModulePx: 6 });
  await writeY4m(forged.png, join(dir, 'forged.y4m'));
  const trustDir = join(dir, 'trust');
  mkdirSync(trustDir);
  writeTrustStore(trustDir);
  stack = await startStack({ twoDDocTrustDir: trustDir });
  browser = await launchKioskBrowser({ fakeVideo: join(dir, 'notice.y4m') });
  page = browser.page;
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a tax notice with its 2D-Doc', () => {
  it('is « Vérifié par le code 2D-Doc » on the check screen, with the authority that signed it', async () => {
    await kioskUi(page, stack).login('Camille');
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    const note = page.getByRole('status').filter({ hasText: 'Vérifié par le code 2D-Doc' });
    await note.waitFor();
    expect(await note.textContent()).toContain(`Le code est signé par ${TEST_AUTHORITY.name} (FR99). Il dit la même chose que le papier.`);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'twoddoc-check-verified.png'), fullPage: true });
    await expectScreenSound(page, 'check: 2D-Doc verified');
  }, 120_000);

  it('says plainly which line of a forged print is not what the code says', async () => {
    await kioskUi(page, stack).logout();
    await browser.close();
    browser = await launchKioskBrowser({ fakeVideo: join(dir, 'forged.y4m') });
    page = browser.page;
    await openKiosk(page, stack.host);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await kioskUi(page, stack).login('Camille');
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    const warning = page.getByRole('alert').filter({ hasText: 'Le code 2D-Doc et le papier ne disent pas la même chose.' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('Le revenu écrit sur le papier n’est pas celui du code 2D-Doc.');
    expect(await page.getByText('Vérifié par le code 2D-Doc').count()).toBe(0);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'twoddoc-check-disagrees.png'), fullPage: true });
    await expectScreenSound(page, 'check: 2D-Doc disagrees with the print');
  }, 120_000);
});
