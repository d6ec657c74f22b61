/**
 * The tablet as staff run it (issue #5), through real parts: first start without a link to the server
 * (the enrollment screen, a wrong code refused in plain words, the right code typed on the on-screen
 * keyboard), then settings and commands pushed from the server's staff API: the tablet's name in the
 * top bar, a shorter inactivity delay, a session ended from afar, the screens reloaded, and the area of
 * the directory the tablet keeps (its copy that area's at once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { STACK_KIOSK_ID, STAFF_TOKEN, startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';
import { importAnnuaire } from '../../sync-server/src/features/institutions/index.ts';

const ANNUAIRE = join(import.meta.dirname, '../fixtures/annuaire/base-donnees-locales.json');

let stack: Stack;
let browser: LaunchedBrowser;
let page: Page;

async function expectAccessible(screen: string): Promise<void> {
  await expectScreenSound(page, screen);
}

async function typeOnKeyboard(text: string): Promise<void> {
  const keyboard = page.getByRole('group', { name: 'Clavier' });
  for (const ch of text.toLowerCase()) await keyboard.getByRole('button', { name: ch, exact: true }).click();
}

async function staff(method: 'POST' | 'PUT', path: string, body: unknown): Promise<Response> {
  const res =
    method === 'POST'
      ? await stack.staffPost(path, body)
      : await fetch(`${stack.server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res;
}

beforeAll(async () => {
  stack = await startStack({ enrolled: false });
  browser = await launchKioskBrowser({});
  page = browser.page;
  await openKiosk(page, stack.host);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('first start and staff commands', () => {
  it('enrolls with the one-time code, then follows pushed settings and commands', async () => {
    await page.getByRole('heading', { name: 'Enregistrer cette tablette' }).waitFor();
    await expectAccessible('enrollment');

    // a code that is not one: refused in plain words, nothing stored
    await typeOnKeyboard('abcd1234');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('alert').getByText(/16 caractères/).waitFor();
    expect(stack.core.sync.identity().state).not.toBe('enrolled');

    // the code staff created on the server
    const res = await staff('POST', '/api/staff/kiosks', { id: STACK_KIOSK_ID });
    const { code } = (await res.json()) as { code: string };
    await page.getByLabel('Code d’enregistrement').fill('');
    await typeOnKeyboard(code.replace(/-/g, ''));
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor({ timeout: 20_000 });
    expect(stack.core.sync.identity()).toMatchObject({ state: 'enrolled', kioskId: STACK_KIOSK_ID });
    await expect.poll(() => stack.core.sync.status().online, { timeout: 15_000 }).toBe(true);

    // settings pushed by staff: the name in the top bar, a shorter inactivity delay
    await staff('PUT', `/api/staff/kiosks/${STACK_KIOSK_ID}/settings`, { displayName: 'CMS du centre — accueil', idleTimeoutS: 20, idleWarningS: 10 });
    await page.getByText('CMS du centre — accueil').waitFor({ timeout: 15_000 });

    // a session, ended from afar by staff (a card left behind)
    const camille = stack.person('Camille');
    await stack.insert('Camille', 0);
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    for (const d of camille.card.pin) await page.getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    // the new delay holds: the countdown appears after 10 s without a touch, not 90
    await page.getByRole('alertdialog').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: /Je suis là/ }).click();
    await staff('POST', `/api/staff/kiosks/${STACK_KIOSK_ID}/commands`, { command: 'end-session', reason: 'carte oubliée' });
    await page.getByRole('heading', { name: 'Au revoir' }).waitFor({ timeout: 15_000 });
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();

    // reload: the screens come back where things stand
    await page.evaluate(() => ((window as unknown as { beforeReload: boolean }).beforeReload = true));
    await staff('POST', `/api/staff/kiosks/${STACK_KIOSK_ID}/commands`, { command: 'reload' });
    await expect.poll(() => page.evaluate(() => (window as unknown as { beforeReload?: boolean }).beforeReload ?? false), { timeout: 15_000 }).toBe(false);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await page.getByText('CMS du centre — accueil').waitFor();

    // the directory's area set by staff: the tablet's copy becomes that area's at once, the rest dropped
    const listed = async () => {
      const out = await stack.core.handle('institutions.list', {});
      return out.ok ? (out.value as { institutions: { id: string; city: string }[] }).institutions : [];
    };
    await expect.poll(async () => (await listed()).length, { timeout: 15_000 }).toBe(6);
    expect(await importAnnuaire(stack.server.db, stack.server.dialect, readFileSync(ANNUAIRE, 'utf8'), { actor: { kind: 'staff', id: 'e2e' } })).toMatchObject({ ok: true });
    await staff('PUT', `/api/staff/kiosks/${STACK_KIOSK_ID}/settings`, { displayName: 'CMS du centre — accueil', idleTimeoutS: 20, idleWarningS: 10, directoryArea: ['38'] });
    await expect.poll(async () => (await listed()).map((i) => i.city).sort(), { timeout: 15_000 }).toEqual(['38000 Grenoble', '38100 Grenoble', '38130 Échirolles']);
  });
});
