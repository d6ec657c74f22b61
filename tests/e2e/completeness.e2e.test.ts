/**
 * A paper scanned without all of it, through real parts: the fake camera films the front of an identity
 * card alone; the check screen says calmly that the back (the side with the address) is missing, with a big
 * « Scanner l’autre côté » and « Enregistrer quand même »; the camera is then given the back, the person
 * presses the button, the page is added and the paper is whole (the note is gone). axe-core on each screen.
 * Chromium opens the fake camera's file anew each time the camera starts, so the next face is put in its
 * place between the two scans. Then the front alone again, kept as it is with « Enregistrer quand même ».
 * FAC_E2E_SHOTS=<folder>: pictures of the screens, for a person to look at (as the other browser tests).
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIdentityCard } from '../fixtures/identity.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens } from '../support/kiosk-ui.ts';
import type { Stack } from '../support/stack.ts';

let screens: KioskScreens;
let stack: Stack;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-completeness-'));
  await writeY4m((await renderIdentityCard({ seed: 3, face: 'front' })).png, join(dir, 'camera.y4m'));
  await writeY4m((await renderIdentityCard({ seed: 3, face: 'back' })).png, join(dir, 'back.y4m'));
  await writeY4m((await renderIdentityCard({ seed: 3, face: 'front' })).png, join(dir, 'front.y4m'));
  screens = await openKioskScreens('completeness-', { fakeVideo: join(dir, 'camera.y4m') });
  ({ stack, page } = screens);
});

afterAll(async () => {
  await screens?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a paper scanned without all of it', () => {
  it('asks for the back of an identity card, scans it, and the card is whole', async () => {
    const { ui } = screens;
    await ui.login('Camille');
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    const note = page.locator('[data-completeness="missing"]');
    await note.waitFor();
    expect(await note.getAttribute('role')).toBe('status');
    expect(await note.textContent()).toContain('Il manque le verso de la carte d’identité (le côté avec l’adresse).');
    expect(await page.getByRole('button', { name: 'Enregistrer quand même' }).isEnabled()).toBe(true);
    await ui.expectAccessible('check: the back of the card is missing');

    // the person turns the card over under the camera
    renameSync(join(dir, 'back.y4m'), join(dir, 'camera.y4m'));
    await note.getByRole('button', { name: 'Scanner l’autre côté' }).click();
    await page.getByRole('heading', { name: 'Retournez le papier et posez l’autre côté sous la caméra' }).waitFor();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await page.getByRole('group', { name: '2 pages' }).waitFor();
    expect(await page.locator('[data-completeness]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Enregistrer quand même' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Oui, c’est juste' }).waitFor();
    await ui.expectAccessible('check: the card is whole');
  }, 180_000);

  it('keeps the card as it is when the person chooses « Enregistrer quand même »: nothing is blocked', async () => {
    renameSync(join(dir, 'front.y4m'), join(dir, 'camera.y4m'));
    await page.getByRole('button', { name: 'Reprendre la photo' }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-completeness="missing"]').waitFor();
    // the card is in Claire MARTIN's name while Camille is at the box: that question is asked as always
    await page.getByRole('group', { name: /Ce papier est au nom de/ }).getByRole('button', { name: 'Oui, c’est le mien' }).click();
    await page.getByRole('button', { name: 'Enregistrer quand même' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    await stack.core.sync.flushed(30_000);
    expect(await stack.server.db.selectFrom('document_versions').select(['pages']).execute()).toEqual([{ pages: 1 }]);
  }, 180_000);
});
