/**
 * The procuration numérique on screen, through real parts: Sophie's agent card and Camille's card over
 * pcscd in the two slots of the box, the real server, Chromium at 1280×800. Made together — chosen in
 * plain words, signed by Camille's card then countersigned by Sophie's, each with its own code; Sophie
 * alone then finds Camille among the people she follows; Camille alone reads « Qui peut agir pour moi ? »
 * and withdraws it in two taps; Sophie's list is then empty. axe-core and the fold on every screen.
 * FAC_E2E_SHOTS=<folder> keeps a picture of each.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens, KioskUi } from '../support/kiosk-ui.ts';
import type { Stack } from '../support/stack.ts';

let screens: KioskScreens;
let stack: Stack;
let page: Page;
let ui: KioskUi;

beforeAll(async () => {
  screens = await openKioskScreens('procuration-');
  ({ stack, page, ui } = screens);
});

afterAll(async () => {
  await screens?.close();
});

/** Both cards out, the box ready for the next person. */
async function bothOut(): Promise<void> {
  await page.getByRole('button', { name: 'Terminer' }).click();
  await page.getByText('Retirez les 2 cartes.').waitFor();
  await stack.remove(0);
  await stack.remove(1);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  await expect.poll(() => stack.box.inserted(0) === null && stack.box.inserted(1) === null).toBe(true);
  await new Promise((r) => setTimeout(r, 900));
}

const rows = () => stack.server.db.selectFrom('procurations').selectAll().execute();

describe('a procuration numérique', () => {
  it('is made together: chosen in plain words, signed by Camille’s card, countersigned by Sophie’s', async () => {
    await ui.accompany('Camille');
    await page.getByRole('button', { name: 'Faire une procuration' }).click();
    await page.getByRole('heading', { name: 'Une procuration pour Camille', level: 1 }).waitFor();
    // nothing is chosen for the person
    expect(await page.getByRole('button', { pressed: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lire et signer' }).isDisabled()).toBe(true);
    await ui.expectAccessible('procuration: the choices');
    for (const name of ['Regarder vos papiers', 'Ajouter des papiers pour vous', 'Envoyer vos demandes sans vous', 'Identité', 'Revenus', 'Toutes les démarches', '1 mois']) {
      await page.getByRole('button', { name, exact: true }).click();
    }
    await page.getByText(/^Jusqu’au .* compris$/).waitFor();
    await page.getByRole('button', { name: 'Lire et signer' }).click();

    await page.getByRole('heading', { name: 'Camille, tapez votre code pour signer' }).waitFor();
    await ui.expectAccessible('procuration: Camille signs');
    await ui.typePin(stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Sophie, tapez votre code pour signer aussi' }).waitFor();
    // a wrong code from the agent signs nothing more, and says how many tries are left
    await ui.typePin('000000');
    await page.getByText(/Code faux\. Il reste 2 essais\./).waitFor();
    expect(await rows()).toHaveLength(0);
    await ui.typePin(stack.person('Sophie').card.pin);
    await page.getByRole('heading', { name: 'La procuration est faite.' }).waitFor({ timeout: 15_000 });
    await ui.expectAccessible('procuration: made');

    const [made] = await rows();
    expect(made).toMatchObject({ revoked_at: null });
    expect(JSON.parse(made!.text)).toMatchObject({ scope: { aids: ['*'], categories: ['identity', 'income'], actions: ['consult', 'scan-for', 'send-without-me'] } });
    await page.getByRole('button', { name: 'C’est fini' }).click();
    await bothOut();
  });

  it('Sophie alone finds Camille among the people she follows', async () => {
    await ui.loginAgent();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).click();
    await page.getByRole('heading', { name: 'Les personnes que je suis', level: 1 }).waitFor();
    await page.getByRole('heading', { name: /^Camille / }).waitFor();
    await ui.expectAccessible('procuration: the agent’s people');
    await page.getByRole('button', { name: 'Retour' }).click();
    await ui.logout();
  });

  it('Camille reads who may act for her and withdraws it in two taps; Sophie’s list is then empty', async () => {
    await ui.login('Camille');
    await page.getByRole('button', { name: /^Qui peut agir pour moi/ }).click();
    await page.getByRole('heading', { name: 'Qui peut agir pour moi ?', level: 1 }).waitFor();
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /^Sophie Lefèvre, / }) });
    await item.getByText(/envoyer mes demandes sans moi/).waitFor();
    await ui.expectAccessible('procuration: who may act for me');
    await item.getByRole('button', { name: 'Retirer cette procuration' }).click();
    await page.getByRole('alertdialog', { name: 'Retirer la procuration de Sophie Lefèvre ?' }).waitFor();
    await ui.expectAccessible('procuration: withdraw?');
    await page.getByRole('button', { name: 'Oui, je la retire' }).click();
    await page.getByText('La procuration est retirée.').waitFor();
    await page.getByText('Personne. Vous n’avez pas donné de procuration.').waitFor();
    expect((await rows())[0]?.revoked_at).not.toBeNull();
    await page.getByRole('button', { name: 'Retour' }).click();
    await ui.logout();

    await ui.loginAgent();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).click();
    await page.getByText('Personne ne vous a donné de procuration pour le moment.').waitFor();
    await ui.logout();
  });
});
