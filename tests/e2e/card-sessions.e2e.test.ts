/**
 * Card sessions on the kiosk screens (issue #3), through real parts: the virtual box (switches, latch,
 * LED) and certified virtual cards over pcscd, the kiosk core, the renderer in Debian Chromium, and the
 * sync-server for the revocation list. axe-core checks every screen.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDICATOR_LED } from '../../drivers/hid/indicators.ts';
import type { Indicator } from '../../drivers/hid/indicators.ts';
import type { Page } from 'playwright-core';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { kioskUi } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  await expectScreenSound(page, screen);
}

async function typePin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Valider' }).click();
}

/** FAC_E2E_SHOTS=<folder>: pictures of the screens, for a person to look at; none without it */
const SHOTS = process.env.FAC_E2E_SHOTS;

function ledIs(stack: Stack, indicator: Indicator): boolean {
  const led = stack.box.box.led();
  const want = INDICATOR_LED[indicator];
  return led.pattern === want.pattern && led.r === want.r && led.g === want.g && led.b === want.b;
}

/** pcscd polls vpcd: give it time to see a card gone before the next one goes in the same slot */
async function settle(stack: Stack): Promise<void> {
  await expect.poll(() => stack.box.inserted(0) === null && stack.box.inserted(1) === null).toBe(true);
  await new Promise((r) => setTimeout(r, 900));
}

/** Sophie logs in with her agent card, then Camille joins with hers in the second slot and her PIN. */
const accompany = (page: Page, stack: Stack) => kioskUi(page, stack).accompany('Camille');

describe('card sessions on screen', () => {
  let stack: Stack;
  let browser: LaunchedBrowser;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchKioskBrowser();
    page = browser.page;
    await openKiosk(page, stack.host, { auto: false });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('says how many tries are left after a wrong PIN, then opens; the latch holds the card', async () => {
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor();
    expect(stack.box.box.led()).toMatchObject({ pattern: 'blink' });
    // the card PIN is 6 to 8 digits: the pad says so, Valider waits for 6, a 9th digit is not taken
    await page.getByText('Votre code a 6 chiffres. Il peut aussi en avoir 7 ou 8.').waitFor();
    const validate = page.getByRole('button', { name: 'Valider' });
    const digit = (d: string) => page.getByRole('button', { name: d, exact: true }).click();
    for (const d of '12345') await digit(d);
    expect(await validate.isDisabled()).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByText('Ce code est trop court. Tapez au moins 6 chiffres.').waitFor();
    await digit('6');
    expect(await validate.isEnabled()).toBe(true);
    for (const d of '789') await digit(d);
    await page.getByText('Un code a 8 chiffres au plus.').waitFor();
    await page.getByRole('img', { name: '8 chiffres tapés' }).waitFor();
    for (let i = 0; i < 8; i++) await page.getByRole('button', { name: 'Effacer' }).click();
    await page.getByRole('img', { name: 'Aucun chiffre tapé' }).waitFor();
    expect(await validate.isDisabled()).toBe(true);
    await typePin(page, '000000');
    // nothing was sent for the short code: this wrong one is the first try lost
    await page.getByText('Ce code est faux. Il vous reste 2 essais.').waitFor();
    await expectAccessible(page, 'pin, wrong code');
    await typePin(page, stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    expect(stack.box.box.latched(0)).toBe(true);
    // "Terminer": the session ends, the latch opens, the card comes out normally
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByText('Vous pouvez retirer votre carte.').waitFor();
    await expectAccessible(page, 'remove card');
    expect(stack.box.box.latched(0)).toBe(false);
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await settle(stack);
  });

  it('blocks the card at the third wrong PIN and says what to do', async () => {
    await stack.insert('Aminata');
    await page.getByText('Bonjour Aminata').waitFor();
    await typePin(page, '000000');
    await page.getByText('Il vous reste 2 essais').waitFor();
    await typePin(page, '000001');
    await page.getByText('Il vous reste 1 essai. Ensuite, la carte sera bloquée.').waitFor();
    await typePin(page, '000002');
    await page.getByRole('heading', { name: 'Votre carte est bloquée.' }).waitFor();
    await page.getByText('allez voir un agent à l’accueil').waitFor();
    await expectAccessible(page, 'blocked');
    expect(stack.box.box.led()).toMatchObject({ pattern: 'blink' });
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await settle(stack);
  });

  it('lets a beneficiary join an agent with their own card and PIN', async () => {
    await stack.insert('Sophie');
    await page.getByText('Bonjour Sophie').waitFor();
    await typePin(page, stack.person('Sophie').card.pin);
    await page.getByText('Vous êtes connecté(e) comme agent.').waitFor();
    expect(await page.getByRole('button', { name: /Ajouter un papier/ }).isDisabled()).toBe(true);
    await expectAccessible(page, 'agent home');
    await stack.insert('Camille', 1);
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Bonjour Camille').waitFor();
    await dialog.getByText('pour être accompagné(e) par Sophie').waitFor();
    await expectAccessible(page, 'join PIN');
    for (const d of stack.person('Camille').card.pin) await dialog.getByRole('button', { name: d, exact: true }).click();
    await dialog.getByRole('button', { name: 'Valider' }).click();
    await page.getByText('Vous accompagnez Camille.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Ajouter un papier/ }).isEnabled()).toBe(true);
    await expectAccessible(page, 'agent with beneficiary');
    // the beneficiary takes their card back: the agent goes on alone
    await stack.remove(1);
    await page.getByText('Pour aider une personne, elle met sa carte').waitFor();
    expect(await page.getByText('Camille').count()).toBe(0);
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await settle(stack);
  });

  it('asks for both cards at the end of an accompanied session, and invites the next person only when both are out', async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    await accompany(page, stack);
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByText('Retirez les 2 cartes.').waitFor();
    await expectAccessible(page, 'remove both cards');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'remove-both.png') });
    expect(ledIs(stack, 'attention')).toBe(true);
    // the agent takes hers: the beneficiary's card is still in the second slot
    await stack.remove(0);
    await page.getByText('Il reste une carte dans le boîtier. Retirez-la.').waitFor();
    await expectAccessible(page, 'one card left');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'one-left.png') });
    // long enough for pcscd and the box switch to have said the main card left
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.getByRole('heading', { name: 'Insérez votre carte' }).count()).toBe(0);
    expect(ledIs(stack, 'attention')).toBe(true);
    await stack.remove(1);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await expect.poll(() => ledIs(stack, 'waiting')).toBe(true);
    await settle(stack);
  });

  it('asks for the card left behind when the agent pulls hers during an accompanied session', async () => {
    await accompany(page, stack);
    await stack.remove(0, { force: true });
    await page.getByText('La session est fermée, car la carte a été retirée.').waitFor();
    await page.getByText('Il reste une carte dans le boîtier. Retirez-la.').waitFor();
    expect(stack.core.session.open).toBeNull();
    await expectAccessible(page, 'pulled, one card left');
    await stack.remove(1);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await settle(stack);
  });

  it('refuses a card blocked by staff: the revocation list reaches the kiosk and holds offline', async () => {
    const yanis = stack.person('Yanis');
    const res = await stack.staffPost(`/api/staff/cards/${yanis.card.serial}/block`, { reason: 'lost' });
    expect(res.status).toBe(200);
    await expect.poll(() => stack.core.revocations.isRevoked(yanis.card.serial), { timeout: 15_000 }).toBe(true);
    await stack.insert('Yanis');
    await page.getByRole('heading', { name: 'Cette carte ne marche plus.' }).waitFor();
    await expectAccessible(page, 'revoked');
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await settle(stack);
    // the server goes away: the kiosk still refuses it, and still lets Camille in
    await stack.server.close();
    await stack.insert('Yanis');
    await page.getByRole('heading', { name: 'Cette carte ne marche plus.' }).waitFor();
    await stack.remove(0);
    await settle(stack);
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor();
    await typePin(page, stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });
});

describe('inactivity', () => {
  let stack: Stack;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    stack = await startStack({ idleTimeoutS: 15, idleWarningS: 8 });
    browser = await launchKioskBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('warns with a countdown, "Je suis là" keeps the session, then it closes', async () => {
    const { page } = browser;
    await openKiosk(page, stack.host, { auto: false });
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor();
    await typePin(page, stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    const dialog = page.getByRole('alertdialog', { name: 'Êtes-vous toujours là ?' });
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByText(/La session va se fermer dans \d+ secondes?\./).waitFor();
    await expectAccessible(page, 'idle warning');
    await dialog.getByRole('button', { name: 'Je suis là' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    // no answer this time
    await dialog.waitFor({ timeout: 15_000 });
    await page.getByText('La session est fermée, car la tablette n’a pas été utilisée pendant un moment.').waitFor({ timeout: 15_000 });
    expect(stack.core.session.open).toBeNull();
    expect(stack.box.box.latched(0)).toBe(false);
    await expectAccessible(page, 'closed for inactivity');
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });

  it('after an accompanied session closed for inactivity, asks for both cards', async () => {
    const { page } = browser;
    await new Promise((r) => setTimeout(r, 900));
    await accompany(page, stack);
    // nobody touches the screen
    await page.getByText('La session est fermée, car la tablette n’a pas été utilisée pendant un moment.').waitFor({ timeout: 30_000 });
    await page.getByText('Retirez les 2 cartes.').waitFor();
    expect(ledIs(stack, 'attention')).toBe(true);
    await stack.remove(1);
    await page.getByText('Vous pouvez retirer votre carte.').waitFor();
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });
});
