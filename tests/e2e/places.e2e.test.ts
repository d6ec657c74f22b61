/**
 * A structure's places in the directory, in Debian Chromium against the real server process (the console's
 * CSP kept, axe-core evaluated over the DevTools protocol on every screen): the CMS's admin opens « Lieux
 * d’accueil » from the menu, sends a form with mistakes (each error said and tied to its field), adds a
 * France Services, finds it with the public directory's offices by its postcode, then removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../integration/server-process.ts';
import type { ServerProcess } from '../integration/server-process.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.ts';
import { openConsolePage } from '../support/console-ui.ts';
import type { ConsolePage } from '../support/console-ui.ts';
import { DEMO_SEED, STAFF_TOKEN } from '../support/stack.ts';

let dir: string;
let server: ServerProcess;
let browser: Browser;
let consolePage: ConsolePage;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-places-e2e-'));
  const dataDir = join(dir, 'server');
  server = await startServerProcess({
    config: { mode: 'test', host: '127.0.0.1', port: 0, dataDir, database: { kind: 'sqlite', file: join(dataDir, 'facilitateur.sqlite') }, staffToken: STAFF_TOKEN, logLevel: 'silent', seedPath: DEMO_SEED },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  consolePage = await openConsolePage(browser);
  page = consolePage.page;
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the places a structure adds to the directory', () => {
  it('the CMS’s admin adds a France Services, finds it by postcode, removes it', async () => {
    await page.goto(`${server.url}/console/connexion`);
    await page.getByLabel('Identifiant').fill('cms-admin');
    await page.getByLabel('Mot de passe').fill('demo-console-1234');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Les agents de la structure' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Lieux d’accueil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Les lieux d’accueil' }).waitFor();
    await page.getByText('Votre structure n’a encore ajouté aucun lieu.').waitFor();
    await consolePage.expectAccessible('places');

    await page.getByLabel('Type de lieu').selectOption({ label: 'Espace France Services' });
    await page.getByLabel('Nom du lieu').fill('France Services de la Guillotière');
    await page.getByLabel('Adresse (numéro et rue)').fill('18 rue de Marseille');
    await page.getByLabel('Code postal', { exact: true }).fill('6907');
    await page.getByLabel('Commune', { exact: true }).fill('Lyon');
    await page.getByLabel('Latitude (facultatif)').fill('45,7512');
    await page.getByRole('button', { name: 'Ajouter ce lieu' }).click();
    await page.getByRole('alert').getByText('Le code postal a 5 chiffres.').waitFor();
    await page.getByRole('alert').getByText('Écrivez la latitude et la longitude, ou laissez les deux vides.').waitFor();
    expect(await page.getByLabel('Code postal', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await consolePage.expectAccessible('places with errors');

    await page.getByLabel('Code postal', { exact: true }).fill('69007');
    await page.getByLabel('Longitude (facultatif)').fill('4,8420');
    await page.getByLabel('Téléphone (facultatif)').fill('04 00 00 12 34');
    await page.getByLabel('Horaires, en clair (facultatif)').fill('Du lundi au vendredi de 9 h à 12 h.');
    await page.getByRole('button', { name: 'Ajouter ce lieu' }).click();
    await page.getByRole('status').getByText('Le lieu est ajouté à l’annuaire.').waitFor();
    await page.getByRole('rowheader', { name: 'France Services de la Guillotière' }).waitFor();
    await consolePage.expectAccessible('place added');

    await page.getByLabel('Une commune ou un code postal').fill('69007');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await page.getByText('1 lieu pour Lyon', { exact: false }).waitFor();
    await consolePage.expectAccessible('places search');

    await page.getByRole('button', { name: 'Retirer : France Services de la Guillotière' }).click();
    await page.getByRole('status').getByText('Le lieu est retiré de l’annuaire.').waitFor();
    await page.getByText('Votre structure n’a encore ajouté aucun lieu.').waitFor();
    expect(consolePage.cspViolations).toEqual([]);
  });
});
