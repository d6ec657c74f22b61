/**
 * The kiosk screens' common gestures for the journeys that share them (aids, processing): axe-core on a
 * screen (with an optional picture of it), the PIN pad, a login with a demo card and the card taken out,
 * the questionnaire's digits; and a paper put in the vault through the core's capture path, without the
 * camera.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectScreenSound, launchKioskBrowser, openKiosk } from './browser.ts';
import type { LaunchedBrowser } from './browser.ts';
import { startStack } from './stack.ts';
import type { Stack, StackOptions } from './stack.ts';

export interface KioskUi {
  /** axe-core on the screen as it is: zero violations; its main actions in view */
  expectAccessible(screen: string): Promise<void>;
  typePin(pin: string): Promise<void>;
  /** the person's card in the main slot, their PIN: the home screen */
  login(firstName: string): Promise<void>;
  /** the person takes the card: the session ends at once, wherever they were */
  logout(): Promise<void>;
  /** Sophie, the demo agent, logs in with her card alone */
  loginAgent(): Promise<void>;
  /** Sophie logs in with her agent card, then `person` joins with their card in the second slot and their PIN */
  accompany(person: string): Promise<void>;
  /** letters, spaces and the signs of the on-screen keyboard, typed key by key (lowercase) */
  typeText(text: string): Promise<void>;
  /** the digits of the questionnaire, typed on its on-screen pad into the field */
  typeNumber(label: string | RegExp, digits: string): Promise<void>;
  /** "Continuer" */
  next(): Promise<void>;
  /**
   * from home: asks for the prime d'activité, as a tenant, salaried, French, without children, single; the
   * request's screen. `aids`: the home button's name (« Les aides de Camille » for an agent acting for her).
   */
  filePrimeActivite(aids?: RegExp): Promise<void>;
  /** an estimate's first questions: lives in France, alone, `age`, no incapacity rate, no child, « pas de logement fixe » chosen (not yet continued) */
  estimateAloneWithoutHome(age: string): Promise<void>;
  /** on to the estimate's last question, « Je ne le sais pas » to the revenu fiscal de référence, then the result */
  estimateWithoutTaxIncome(): Promise<void>;
}

/** `shots`: a folder where a full-page picture of each screen checked is written, for a person to look at. */
export function kioskUi(page: Page, stack: Stack, opts: { shots?: string | undefined; shotPrefix?: string } = {}): KioskUi {
  let shot = 0;
  const ui: KioskUi = {
    async expectAccessible(screen) {
      if (opts.shots) {
        const name = `${opts.shotPrefix ?? ''}${String(++shot).padStart(2, '0')}-${screen.replace(/[^a-z0-9]+/gi, '-')}.png`;
        await page.screenshot({ path: join(opts.shots, name), fullPage: true });
      }
      await expectScreenSound(page, screen);
    },
    async typePin(pin) {
      const pad = page.getByRole('group', { name: 'Clavier du code' });
      for (const d of pin) await pad.getByRole('button', { name: d, exact: true }).click();
      await pad.getByRole('button', { name: 'Valider' }).click();
    },
    async login(firstName) {
      await stack.insert(firstName);
      await page.getByText(`Bonjour ${firstName}`).waitFor({ timeout: 15_000 });
      await ui.typePin(stack.person(firstName).card.pin);
      await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    },
    async logout() {
      await stack.remove(0, { force: true });
      await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
      // pcscd polls vpcd: give it time to see the card gone before it goes in again
      await expect.poll(() => stack.box.inserted(0) === null).toBe(true);
      await new Promise((r) => setTimeout(r, 900));
    },
    async loginAgent() {
      await stack.insert('Sophie');
      await page.getByText('Bonjour Sophie').waitFor({ timeout: 15_000 });
      await ui.typePin(stack.person('Sophie').card.pin);
      await page.getByText('Vous êtes connecté(e) comme agent.').waitFor();
    },
    async accompany(person) {
      await ui.loginAgent();
      await stack.insert(person, 1);
      const dialog = page.getByRole('dialog');
      await dialog.getByText(`Bonjour ${person}`).waitFor();
      for (const d of stack.person(person).card.pin) await dialog.getByRole('button', { name: d, exact: true }).click();
      await dialog.getByRole('button', { name: 'Valider' }).click();
      await page.getByText(`Vous accompagnez ${person}.`).waitFor();
    },
    async typeText(text) {
      const keyboard = page.getByRole('group', { name: 'Clavier' });
      for (const ch of text.toLowerCase()) await keyboard.getByRole('button', { name: ch === ' ' ? 'Espace' : ch, exact: true }).click();
    },
    async typeNumber(label, digits) {
      await page.getByLabel(label).click();
      const pad = page.getByRole('group', { name: 'Clavier des chiffres' });
      for (const d of digits) await pad.getByRole('button', { name: d, exact: true }).click();
      await expect.poll(() => page.getByLabel(label).inputValue()).toBe(digits);
    },
    next: () => page.getByRole('button', { name: 'Continuer', exact: true }).click(),
    async filePrimeActivite(aids = /^Mes aides/) {
      await page.getByRole('button', { name: aids }).click();
      await page.getByRole('button', { name: 'Demander une aide' }).click();
      await page.getByRole('article', { name: 'Prime d’activité' }).getByRole('button', { name: /Faire la demande/ }).click();
      await page.getByRole('heading', { name: 'Où habitez-vous ?' }).waitFor();
      await page.getByRole('button', { name: 'Je suis locataire' }).click();
      await ui.next();
      await page.getByRole('button', { name: 'Je suis salarié(e)' }).click();
      await ui.next();
      await page.getByRole('button', { name: 'Française' }).click();
      await ui.next();
      await page.getByRole('heading', { name: 'Avez-vous des enfants à charge ?' }).waitFor();
      await page.getByRole('button', { name: 'Non', exact: true }).click();
      await ui.next();
      await page.getByRole('heading', { name: 'Vivez-vous en couple ?' }).waitFor();
      await page.getByRole('button', { name: 'Non', exact: true }).click();
      await page.getByRole('button', { name: 'Créer ma demande' }).click();
      await page.getByRole('heading', { name: 'Prime d’activité', level: 1 }).waitFor();
    },
    async estimateAloneWithoutHome(age) {
      await page.getByRole('button', { name: 'Oui', exact: true }).click();
      await ui.next();
      await page.getByRole('button', { name: 'Seul(e)' }).click();
      await ui.next();
      await ui.typeNumber('Votre âge (en années)', age);
      await ui.next();
      await page.getByRole('button', { name: 'Non, aucun taux' }).click();
      await ui.next();
      await page.getByRole('button', { name: 'Non', exact: true }).click();
      await ui.next();
      await page.getByRole('heading', { name: 'Où habitez-vous ?' }).waitFor();
      await page.getByRole('button', { name: 'Je n’ai pas de logement fixe' }).click();
    },
    async estimateWithoutTaxIncome() {
      await ui.next();
      await page.getByRole('heading', { name: 'Le revenu fiscal de référence de votre foyer' }).waitFor();
      await page.getByRole('button', { name: 'Je ne le sais pas' }).click();
      await page.getByRole('button', { name: 'Voir le résultat' }).click();
      await page.getByRole('heading', { name: 'Votre estimation', level: 1 }).waitFor();
    },
  };
  return ui;
}

/** A paper already in the vault: through the core's capture path (OCR, confirm, outbox, sync), as the scan screen does it. */
export async function depositThroughCapture(stack: Stack, png: Buffer, docType: string): Promise<string> {
  const analysed = await stack.core.handle('capture.analyse', { image: new Uint8Array(png), mime: 'image/png' });
  if (!analysed.ok) throw new Error(analysed.error.message);
  const a = analysed.value as { captureId: string; docType: string; fields: Record<string, { value: string }>; holder: { paperName: string } | null };
  expect(a.docType).toBe(docType);
  // a paper in another name is asked about: these papers stand for the person's own
  const confirmed = await stack.core.handle('capture.confirm', {
    captureId: a.captureId,
    fields: Object.fromEntries(Object.entries(a.fields).map(([k, f]) => [k, f.value])),
    ...(a.holder ? { holderAnswer: { answer: 'mine' } } : {}),
  });
  if (!confirmed.ok) throw new Error(confirmed.error.message);
  return (confirmed.value as { documentId: string }).documentId;
}

export interface KioskScreens {
  stack: Stack;
  browser: LaunchedBrowser;
  page: Page;
  ui: KioskUi;
  close(): Promise<void>;
}

/**
 * What most journeys start from: the real stack, Chromium on the kiosk's « Insérez votre carte », and
 * the gestures (a picture of each screen checked when FAC_E2E_SHOTS names a folder).
 */
export async function openKioskScreens(shotPrefix: string, opts: { fakeVideo?: string; stack?: StackOptions; webgl?: boolean } = {}): Promise<KioskScreens> {
  const stack = await startStack(opts.stack);
  const browser = await launchKioskBrowser({ ...(opts.fakeVideo ? { fakeVideo: opts.fakeVideo } : {}), ...(opts.webgl ? { webgl: true } : {}) });
  const page = browser.page;
  const ui = kioskUi(page, stack, { shots: process.env.FAC_E2E_SHOTS, shotPrefix });
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  return {
    stack,
    browser,
    page,
    ui,
    async close() {
      await browser.close();
      await stack.close();
    },
  };
}
