/**
 * A paper in someone else's name, through real parts: the fake camera films a RIB for « Claire MARTIN »
 * while Camille MARTIN is at the box. The check screen asks whose it is before it is saved; « quelqu'un de
 * mon foyer : mon conjoint » goes with the deposit (signed by her card) into the server's
 * `document_versions.holder_answer`; « Le retirer » keeps nothing. Then she sends a request with that RIB,
 * and the console's page of the request says the paper's name first, with her answer.
 * FAC_E2E_SHOTS=<folder>: a picture of each step, for a person to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { renderRib } from '../fixtures/documents.ts';
import { renderIdentityCard } from '../fixtures/identity.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { openConsolePage } from '../support/console-ui.ts';
import type { ConsolePage } from '../support/console-ui.ts';
import { depositThroughCapture, kioskUi } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

/** FAC_E2E_SHOTS=<folder>: pictures of the screens, for a person to look at; none without it */
const SHOTS = process.env.FAC_E2E_SHOTS;

let stack: Stack;
let browser: LaunchedBrowser;
let page: Page;
let mediaDir: string;
let office: ConsolePage | undefined;

async function expectAccessible(screen: string): Promise<void> {
  await expectScreenSound(page, screen);
}

async function shot(name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The RIB filmed is read, and the check screen asks about its holder. */
async function untilAsked(): Promise<void> {
  await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
  await page.getByText(/^Ce papier est au nom de .*Claire MARTIN\. Est-ce bien le vôtre \?$/i).waitFor();
}

async function versions(): Promise<{ holder_answer: string | null }[]> {
  return stack.server.db.selectFrom('document_versions').select(['holder_answer']).execute();
}

beforeAll(async () => {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  const rib = await renderRib({ seed: 4242, holder: 'MME Claire MARTIN' });
  await writeY4m(rib.png, join(mediaDir, 'rib.y4m'));
  stack = await startStack();
  browser = await launchKioskBrowser({ fakeVideo: join(mediaDir, 'rib.y4m') });
  page = browser.page;
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
});

afterAll(async () => {
  await office?.close();
  await browser?.close();
  await stack?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

describe('a paper in someone else’s name', () => {
  it('is asked about; the answer « mon conjoint » is saved with it on the server', async () => {
    expect(stack.person('Camille').lastName).toBe('Martin');
    await kioskUi(page, stack).login('Camille');
    expect(await versions()).toEqual([]);
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await untilAsked();
    const question = page.getByRole('group', { name: /Ce papier est au nom de/ });
    await shot('1-question');
    await expectAccessible('check: whose paper');

    // every choice is a large target
    for (const b of await question.getByRole('button').all()) {
      const box = (await b.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.width).toBeGreaterThanOrEqual(44);
    }

    // saving before answering is refused, in plain words, and nothing leaves
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await question.getByRole('alert').filter({ hasText: 'Répondez d’abord à la question : à qui est ce papier ?' }).waitFor();
    await shot('2-answer-first');

    // someone of the household: who is asked next
    await question.getByRole('button', { name: 'C’est quelqu’un de mon foyer', exact: true }).click();
    await expect.poll(() => question.getByRole('button', { name: 'C’est quelqu’un de mon foyer', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const who = page.getByRole('group', { name: 'Qui est cette personne ?' });
    await who.waitFor();
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await question.getByRole('alert').filter({ hasText: 'Dites d’abord qui est cette personne.' }).waitFor();
    for (const name of ['mon conjoint', 'mon enfant', 'mon parent', 'une autre personne']) await who.getByRole('button', { name, exact: true }).waitFor();
    await who.getByRole('button', { name: 'mon conjoint', exact: true }).click();
    await expect.poll(() => who.getByRole('button', { name: 'mon conjoint', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => question.getByRole('alert').count()).toBe(0);
    await shot('3-household-conjoint');
    await expectAccessible('check: someone of the household, who');
    await stack.core.sync.flushed(30_000);
    expect(await versions()).toEqual([]);

    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    await stack.core.sync.flushed(30_000);
    const saved = await versions();
    expect(saved).toHaveLength(1);
    expect(JSON.parse(saved[0]!.holder_answer!)).toEqual({ answer: 'household', relation: 'conjoint' });
  });

  it('« Le retirer » keeps nothing and goes back home', async () => {
    await page.getByRole('button', { name: 'Ajouter un autre papier' }).click();
    await untilAsked();
    await page.getByRole('button', { name: /^Le retirer/ }).click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await shot('4-taken-back');
    await stack.core.sync.flushed(30_000);
    expect(await versions()).toHaveLength(1);
  });

  it('the console says whose name the RIB is in, with her answer', async () => {
    const kiosk = kioskUi(page, stack);
    // her other papers for the request go in through the capture path
    await depositThroughCapture(stack, (await renderIdentityCard({ seed: 3, font: 'DejaVu Sans', mrzFont: 'DejaVu Sans Mono' })).png, 'identity-card');
    await depositThroughCapture(stack, (await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await stack.core.sync.flushed(30_000);

    await kiosk.filePrimeActivite();
    const sendNow = page.getByRole('button', { name: /Envoyer maintenant/ });
    await expect.poll(() => sendNow.isEnabled(), { timeout: 15_000 }).toBe(true);
    await sendNow.click();
    await page.getByRole('button', { name: 'C’est bon, je signe' }).click();
    await page.getByRole('heading', { name: 'Tapez votre code pour signer' }).waitFor();
    await kiosk.typePin(stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Votre demande est envoyée.' }).waitFor({ timeout: 15_000 });

    office = await openConsolePage(browser.browser, { shots: undefined });
    const cp = office.page;
    await cp.goto(`${stack.server.url}/console`);
    await cp.getByLabel('Identifiant').fill('caf-chef');
    await cp.getByLabel('Mot de passe').fill('demo-console-1234');
    await cp.getByRole('button', { name: 'Se connecter' }).click();
    await cp.getByRole('link', { name: 'Prime d’activité — demande de Camille Martin' }).click();
    await cp.getByRole('heading', { level: 1, name: 'Prime d’activité — Camille Martin' }).waitFor();
    const rib = cp.getByRole('listitem').filter({ has: cp.getByRole('heading', { name: /Votre RIB/, level: 3 }) });
    const note = rib.getByRole('note');
    await note.getByText(/^Ce papier est au nom de .*Claire MARTIN\.$/i).waitFor();
    await note.getByText('La personne a répondu : « C’est quelqu’un de mon foyer : mon conjoint. »', { exact: true }).waitFor();
    if (SHOTS) await rib.screenshot({ path: join(SHOTS, '5-console-rib.png') });
    await office.expectAccessible('console: the RIB in another name, with her answer');
  });
});
