/**
 * Institutional deposits through real parts: the CAF's head of service deposits a paper for Camille on
 * the console's « Déposer un papier » page in Debian Chromium (a real browser's multipart upload, the
 * console's CSP kept, axe-core on the empty form, on its errors and after the deposit); the CAF's own
 * system deposits a second one through the API (OAuth client credentials); then Camille inserts her card
 * at the kiosk and is told of both in plain French on her home screen (axe), once.
 */
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../sync-server/src/features/institutions/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, expectScreenSound } from '../support/browser.ts';
import { openConsolePage } from '../support/console-ui.ts';
import type { ConsolePage } from '../support/console-ui.ts';
import { openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens } from '../support/kiosk-ui.ts';

const CAMILLE = 'FAC-K7QM-3XD2-9HRW';
const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

let screens: KioskScreens;
let browser: Browser;
let consolePage: ConsolePage;
let console_: Page;

beforeAll(async () => {
  screens = await openKioskScreens('deposits-');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  consolePage = await openConsolePage(browser);
  console_ = consolePage.page;
  // Camille wrote to the CAF: the CAF serves her
  const { db } = screens.stack.server;
  const camille = await db.selectFrom('persons').select('id').where('identifier', '=', CAMILLE).executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  await db.insertInto('threads').values({ id: randomUUID(), person_id: camille.id, institution_id: 'caf', subject: 'Mon attestation', created_at: now, updated_at: now }).execute();
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await screens?.close();
});

describe('institutional deposits', () => {
  it('the CAF deposits in the console and through its system; Camille is told at the kiosk', async () => {
    const url = screens.stack.server.url;
    await console_.goto(`${url}/console/connexion`);
    await console_.getByLabel('Identifiant').fill('caf-chef');
    await console_.getByLabel('Mot de passe').fill('demo-console-1234');
    await console_.getByRole('button', { name: 'Se connecter' }).click();
    await console_.waitForURL(`${url}/console`);

    await console_.getByRole('navigation').getByRole('link', { name: 'Déposer un papier' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Déposer un papier' }).waitFor();
    await consolePage.expectAccessible('deposit form');

    // no file chosen: the errors, each linked to its field
    await console_.getByLabel('Identifiant de la personne').fill(CAMILLE);
    await console_.getByRole('button', { name: 'Déposer le papier' }).click();
    await console_.getByRole('alert').getByText('Choisissez le fichier du papier.').waitFor();
    await console_.getByRole('alert').getByText('Choisissez le type de papier.').waitFor();
    await consolePage.expectAccessible('deposit form with errors');

    await console_.getByLabel('Type de papier').selectOption({ label: 'Attestation de la CAF' });
    await console_.getByLabel('Titre du papier').fill('Attestation de paiement');
    await console_.getByLabel('Fichier').setInputFiles({ name: 'attestation.pdf', mimeType: 'application/pdf', buffer: TINY_PDF });
    await console_.getByRole('button', { name: 'Déposer le papier' }).click();
    await console_.getByRole('status').getByText('C’est fait : « Attestation de paiement » est dans le coffre de la personne.').waitFor();
    await console_.getByRole('cell', { name: CAMILLE }).first().waitFor();
    await consolePage.expectAccessible('deposit done');
    expect(consolePage.cspViolations).toEqual([]);

    // the CAF's own system, with the credentials the staff CLI gave its IT
    const client = await createClient(screens.stack.server.db, screens.stack.server.dialect, { institutionId: 'caf', name: 'Système de la CAF' }, { kind: 'staff', id: 'staff-cli' });
    if (!client.ok) throw new Error(client.code);
    const token = await fetch(`${url}/api/institutions/v1/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const api = await fetch(`${url}/api/institutions/v1/deposits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ person: CAMILLE, docType: 'caf-certificate', title: 'Attestation de quotient familial', mime: 'application/pdf', content: TINY_PDF.toString('base64') }),
    });
    expect(api.status).toBe(201);

    // Camille at the kiosk
    const { page, stack } = screens;
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    for (const d of stack.person('Camille').card.pin) await page.getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByRole('heading', { name: 'Nouveau dans votre coffre' }).waitFor({ timeout: 15_000 });
    await page.getByText('La CAF a mis un papier dans votre coffre : Attestation de paiement.').waitFor();
    await page.getByText('La CAF a mis un papier dans votre coffre : Attestation de quotient familial.').waitFor();
    await expectScreenSound(page, 'home with the papers institutions deposited');
    await page.getByRole('button', { name: 'Voir mes papiers' }).click();
    await page.getByRole('heading', { name: 'Mes papiers' }).waitFor();
    await page.getByText('Attestation de quotient familial').first().waitFor();

    // told once
    const unseen = await stack.server.db.selectFrom('institution_deposits').select('id').where('seen_at', 'is', null).execute();
    expect(unseen).toEqual([]);
  });
});
