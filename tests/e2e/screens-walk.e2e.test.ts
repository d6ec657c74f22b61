/**
 * A walk through the person's screens at the tablet's 1280×800, measured: on each screen the main
 * actions (the action bar) are wholly in view, with the page at its top and at its bottom; axe-core finds
 * nothing; a picture of each is kept for a person to look at (FAC_SHOTS_DIR, default /tmp/walk-shots).
 * The longest screens are sought on purpose: a photographed payslip whose month is not printed and which
 * names someone else (two questions above the main action, the number pad open), the request's page with
 * its list of papers, its thread and its history.
 * Real parts: the server, Camille's demo card over pcscd, Chromium's fake camera filming the payslip.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { mainActionsOutOfView, expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { kioskUi } from '../support/kiosk-ui.ts';
import type { KioskUi } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';
import { dateFr } from '../../sync-server/protocol/format.ts';

const SHOTS = process.env.FAC_SHOTS_DIR ?? '/tmp/walk-shots';
const MONTH = lastMonth();
const MONTH_TYPED = `${MONTH.slice(5, 7)}/${MONTH.slice(0, 4)}`;
const MONTH_WORDS = dateFr(`${MONTH}-15`).replace(/^15 /, '');

let stack: Stack;
let browser: LaunchedBrowser;
let page: Page;
let ui: KioskUi;
let mediaDir: string;
let step = 0;
const walked: string[] = [];

/**
 * One screen of the walk: its picture, axe-core, its main actions in view. `bar`: whether the screen has
 * main actions (the card and PIN screens have none: the card and the pad are the gesture).
 */
async function screen(name: string, bar = true): Promise<void> {
  await expectScreenSound(page, name);
  const fold = await mainActionsOutOfView(page);
  // as the person sees it: the top of the screen, the bar over the bottom
  await page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
  if (bar) {
    expect(fold.bars, `${name}: a screen's main actions are in its action bar`).toBeGreaterThanOrEqual(1);
    // one row of buttons: the bar leaves the screen to what the person reads
    const height = (await page.locator('[data-main-actions]').last().boundingBox())!.height;
    expect(height, `${name}: the action bar's height`).toBeLessThanOrEqual(130);
  }
  walked.push(name);
}

/** The element lies wholly in the window, above the action bar. */
async function expectAboveBar(what: string, el: ReturnType<Page['locator']>): Promise<void> {
  const box = (await el.boundingBox())!;
  const bar = (await page.locator('[data-main-actions]').last().boundingBox())!;
  expect(box.y, `${what}: top in view`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `${what}: above the action bar`).toBeLessThanOrEqual(bar.y + 1);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-walk-'));
  const payslip = await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: MONTH, withoutPeriod: true });
  await writeY4m(payslip.png, join(mediaDir, 'payslip.y4m'));
  stack = await startStack();
  browser = await launchKioskBrowser({ fakeVideo: join(mediaDir, 'payslip.y4m') });
  page = browser.page;
  ui = kioskUi(page, stack);
  // the photo is taken by the person's tap: the scan screen is seen as it waits
  await openKiosk(page, stack.host, { auto: false });
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

describe('the screens at 1280×800', () => {
  it('the card, the PIN, home', async () => {
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 });
    await screen('insert-card', false);
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    await screen('pin', false);
    await ui.typePin(stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await screen('home');
  });

  it('a payslip without its month, in another name: both asked above the main action, the pad beside the date', async () => {
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Posez votre document sous la caméra' }).waitFor();
    const take = page.getByRole('button', { name: 'Prendre la photo' });
    await expect.poll(() => take.isEnabled(), { timeout: 20_000 }).toBe(true);
    await screen('scan');
    await take.click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    const dateQuestion = page.getByRole('group', { name: 'Nous n’avons pas lu la date de ce papier.' });
    await dateQuestion.waitFor();
    await page.getByRole('group', { name: /Ce papier est au nom de/ }).waitFor();
    await screen('check-two-questions');

    // « Oui, c’est juste » without the date: said, and the date's pad brought into view above the bar
    await page.getByRole('group', { name: /Ce papier est au nom de/ }).getByRole('button', { name: 'Oui, c’est le mien' }).click();
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    const field = page.getByLabel('Pour quel mois est ce bulletin de salaire ?', { exact: false });
    await dateQuestion.getByText('Écrivez d’abord la date du papier, ou touchez « Je ne sais pas ».').waitFor();
    const pad = page.getByRole('group', { name: 'Clavier de la date' });
    await pad.waitFor();
    await expect.poll(async () => {
      const f = (await field.boundingBox())!;
      const bar = (await page.locator('[data-main-actions]').last().boundingBox())!;
      return f.y >= 0 && f.y + f.height <= bar.y + 1;
    }).toBe(true);
    await expectAboveBar('the date field', field);
    await screen('check-date-pad-open');

    // a month not yet come is refused in words; the right one is taken
    const key = (ch: string) => pad.getByRole('button', { name: ch === '/' ? 'barre oblique' : ch, exact: true });
    for (const d of '13/2020') await key(d).click();
    await expect.poll(() => field.inputValue()).toBe('13/2020');
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await dateQuestion.getByText('Ce n’est pas une date. Écrivez-la comme dans l’exemple.').waitFor();
    for (let i = 0; i < 7; i++) await pad.getByRole('button', { name: 'Effacer la lettre avant le curseur' }).click();
    await expect.poll(() => field.inputValue()).toBe('');
    for (const d of MONTH_TYPED) await key(d).click();
    await expect.poll(() => field.inputValue()).toBe(MONTH_TYPED);
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    await screen('saved');

    // the server dates it by the month typed: the last day of that month
    await stack.core.sync.flushed(30_000);
    const kept = await stack.server.db.selectFrom('documents').select(['issued_on']).execute();
    expect(kept.map((v) => String(v.issued_on).slice(0, 10))).toEqual([lastDayOf(MONTH)]);
  });

  it('the vault, a paper, the journal', async () => {
    await page.getByRole('button', { name: 'Mes papiers' }).click();
    await page.getByRole('heading', { name: 'Mes papiers' }).waitFor();
    await page.getByText(`Bulletin de ${MONTH_WORDS}`).first().waitFor();
    await screen('vault');
    await page.getByRole('button', { name: /Bulletin de salaire/ }).first().click();
    await page.getByRole('button', { name: 'Imprimer' }).waitFor();
    await screen('document');
    // sending it: the paper chosen, the institutions below, the bar in view; then given up
    await page.getByRole('button', { name: 'Envoyer à un organisme' }).click();
    await page.getByRole('heading', { name: 'Envoyer des papiers à un organisme' }).waitFor();
    await screen('sending');
    await page.getByRole('button', { name: 'Ajouter un autre papier' }).click();
    await page.getByRole('dialog', { name: 'Quel papier voulez-vous ajouter ?' }).getByText('Tous vos papiers sont déjà dans l’envoi.').waitFor();
    await screen('sending, adding a paper');
    await page.getByRole('button', { name: 'Fermer' }).click();
    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.getByRole('button', { name: 'Imprimer' }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('heading', { name: 'Mes papiers' }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('button', { name: /Qui a vu mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Qui a vu mes papiers ?' }).waitFor();
    await screen('journal');
    await page.getByRole('button', { name: 'Retour' }).click();
  });

  it('aids: a request with its long page, the catalogue, an estimate', async () => {
    await page.getByRole('button', { name: /^Mes aides/ }).click();
    await page.getByRole('button', { name: 'Demander une aide' }).waitFor();
    await screen('my-aids');
    await page.getByRole('button', { name: 'Retour' }).last().click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await ui.filePrimeActivite();
    await screen('request');
    // the ways to send are in the page: the bar's « Envoyer ma demande » brings them into view
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await expect.poll(async () => {
      const box = await page.getByRole('group', { name: 'Envoyer ma demande' }).boundingBox();
      return box !== null && box.y >= 0 && box.y < 800;
    }).toBe(true);
    await screen('request-send-choices');
    await page.getByRole('button', { name: 'Retour à mes aides' }).click();

    await page.getByRole('button', { name: 'Demander une aide' }).click();
    await page.getByRole('heading', { name: 'Demander une aide', level: 1 }).waitFor();
    await screen('catalogue');
    await page.getByRole('article', { name: /Revenu de solidarité active/ }).getByRole('button', { name: /Estimer mon droit/ }).click();
    await page.getByRole('button', { name: 'Oui', exact: true }).waitFor();
    await screen('estimate-first-question');
    await page.getByRole('button', { name: 'Oui', exact: true }).click();
    await ui.next();
    await page.getByRole('button', { name: 'Seul(e)' }).click();
    await ui.next();
    await page.getByLabel('Votre âge (en années)').click();
    await page.getByRole('group', { name: 'Clavier des chiffres' }).waitFor();
    await screen('estimate-age-pad');
    await ui.typeNumber('Votre âge (en années)', '40');
    await ui.next();
    await page.getByRole('button', { name: 'Non, aucun taux' }).click();
    await ui.next();
    await page.getByRole('button', { name: 'Non', exact: true }).click();
    await ui.next();
    await page.getByRole('button', { name: 'Je n’ai pas de logement fixe' }).click();
    await ui.next();
    await page.getByRole('heading', { name: 'Vos ressources par mois' }).waitFor();
    await screen('estimate-resources');
    await ui.estimateWithoutTaxIncome();
    await screen('estimate-result');
    await page.getByRole('button', { name: 'Retour' }).last().click();
    await page.getByRole('heading', { name: 'Demander une aide', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).last().click();
  });

  it('the end: « Terminer », then the card out', async () => {
    await page.getByRole('button', { name: 'Retour' }).last().click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByRole('heading', { name: 'Au revoir' }).waitFor();
    await screen('goodbye', false);
    expect(walked.length).toBeGreaterThanOrEqual(18);
  });
});

function lastDayOf(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
