/**
 * An agent adapts a request's list of papers to the person's case, through real parts: Sophie's agent
 * card and Camille's card over pcscd in the two slots, the real server, Chromium at 1280×800. A missing
 * piece marked not needed with its reason (typed on the on-screen keyboard), a piece added for this case,
 * that change taken back; what the server keeps; axe-core and the fold on each screen.
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
  screens = await openKioskScreens('adapt-');
  ({ stack, page, ui } = screens);
});

afterAll(async () => {
  await screens?.close();
});

const pieces = () => page.getByRole('list').filter({ has: page.getByRole('heading', { level: 3 }) }).first().getByRole('listitem');
const piece = (label: string | RegExp) => pieces().filter({ has: page.getByRole('heading', { level: 3, name: label }) });

describe('an agent adapts the list of papers', () => {
  it('marks a missing paper not needed with the reason, adds one for this case, takes that back', async () => {
    await ui.accompany('Camille');
    await ui.filePrimeActivite();

    // the first missing piece: « Pas nécessaire », with the reason typed on the keyboard
    const missing = pieces().filter({ has: page.getByRole('button', { name: /^Pas nécessaire/ }) }).first();
    const label = (await missing.getByRole('heading', { level: 3 }).textContent())!.trim();
    await missing.getByRole('button', { name: /^Pas nécessaire/ }).click();
    const dialog = page.getByRole('dialog', { name: `« ${label} » n’est pas nécessaire` });
    await dialog.waitFor();
    expect(await dialog.getByRole('button', { name: 'C’est fait' }).isDisabled()).toBe(true);
    await ui.typeText('pas de compte en banque');
    await ui.expectAccessible('adapt: not needed, the reason');
    await dialog.getByRole('button', { name: 'C’est fait' }).click();
    await page.getByText('La liste des papiers est changée.').waitFor();
    const marked = piece(label);
    await marked.getByText('Pas nécessaire pour vous, selon Sophie Lefèvre, CMS du centre-ville. Pourquoi : pas de compte en banque').waitFor();
    expect(await marked.locator('.badge').first().textContent()).toBe('Pas nécessaire');
    await ui.expectAccessible('adapt: a piece not needed');

    // a piece for this case
    await page.getByRole('button', { name: 'Ajouter un papier à la liste' }).click();
    const add = page.getByRole('dialog', { name: 'Ajouter un papier à la liste' });
    await add.waitFor();
    await ui.typeText('attestation de la soeur');
    await add.getByRole('button', { name: 'Justificatif de domicile' }).click();
    await add.getByLabel(/Pourquoi/).click();
    await ui.typeText('hebergee chez sa soeur');
    await ui.expectAccessible('adapt: add a piece');
    await add.getByRole('button', { name: 'C’est fait' }).click();
    await page.getByText('Le papier est ajouté à la liste.').waitFor();
    const added = piece('attestation de la soeur');
    await added.getByText('Ajouté à la liste par Sophie Lefèvre, CMS du centre-ville. Pourquoi : hebergee chez sa soeur').waitFor();

    // what the server keeps: both changes, by Sophie, for Camille's request
    const rows = await stack.server.db.selectFrom('checklist_adjustments').selectAll().where('withdrawn_at', 'is', null).orderBy('created_at').execute();
    expect(rows.map((r) => [r.kind, r.reason])).toEqual([
      ['not-needed', 'pas de compte en banque'],
      ['added', 'hebergee chez sa soeur'],
    ]);
    const sophie = await stack.server.db.selectFrom('persons').select('id').where('first_name', '=', 'Sophie').executeTakeFirstOrThrow();
    expect(rows.every((r) => r.author_person_id === sophie.id)).toBe(true);

    // taken back: the added piece leaves the list
    await added.getByRole('button', { name: /^Annuler ce changement/ }).click();
    await page.getByText('Le changement est annulé.').waitFor();
    await expect.poll(() => piece('attestation de la soeur').count()).toBe(0);
    await ui.expectAccessible('adapt: the change taken back');
  });
});
