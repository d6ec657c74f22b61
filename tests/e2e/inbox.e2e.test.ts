/**
 * Papers sent to an institution reach someone, and their answer reaches the person, through real
 * parts: Camille scans her RIB at the kiosk (fake camera, OCR), has a payslip in her vault too, and from
 * the RIB's screen sends both to the CAF in one message (the payslip added, taken out, added again; a
 * word for the CAF; the confirmation naming both); a CAF instructor logs in the console (Debian Chromium,
 * the console's CSP kept), sees one unread message with two papers, opens the second (served through the
 * access policy, journaled), takes the item and replies; Camille puts her card in again and reads the
 * answer on the home screen, in plain words, then marked seen. axe-core on every screen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIban } from '../../sync-server/protocol/iban.ts';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { renderRib } from '../fixtures/documents.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { openConsolePage } from '../support/console-ui.ts';
import type { ConsolePage } from '../support/console-ui.ts';
import { depositThroughCapture, openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens } from '../support/kiosk-ui.ts';
import type { Stack } from '../support/stack.ts';

let screens: KioskScreens;
let stack: Stack;
let page: Page;
let staff: ConsolePage;
let mediaDir: string;
let iban: string;

async function login(firstName: string): Promise<void> {
  await stack.insert(firstName, 0);
  await page.getByText(`Bonjour ${firstName}`).waitFor({ timeout: 15_000 });
  for (const d of stack.person(firstName).card.pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
}

beforeAll(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-inbox-media-'));
  const rib = await renderRib({ seed: 5151, holder: 'Mme Camille MARTIN' });
  iban = rib.expected.fields.iban;
  await writeY4m(rib.png, join(mediaDir, 'rib.y4m'));
  screens = await openKioskScreens('inbox-', { fakeVideo: join(mediaDir, 'rib.y4m') });
  ({ stack, page } = screens);
  staff = await openConsolePage(screens.browser.browser);
});

afterAll(async () => {
  await staff?.close();
  await screens?.close();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

describe('the institution’s inbox', () => {
  it('two papers sent to the CAF from the kiosk in one message are read and answered in the console, and the person reads the answer', async () => {
    // the person: scan the RIB; a payslip is in her vault too
    await login('Camille');
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('[data-field="iban"]').textContent()).toBe(formatIban(iban));
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    const payslipId = await depositThroughCapture(stack, (await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await stack.core.sync.flushed(30_000);

    // from the RIB's screen: the RIB already chosen, the payslip added, taken out, added again
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('button', { name: /Relevé d’identité bancaire/ }).first().click();
    await page.getByRole('button', { name: 'Envoyer à un organisme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Envoyer des papiers à un organisme' }).waitFor();
    await page.getByText('1 papier choisi sur 10 au plus.').waitFor();
    await screens.ui.expectAccessible('sending, one paper chosen');
    await page.getByRole('button', { name: 'Ajouter un autre papier' }).click();
    const pick = page.getByRole('dialog', { name: 'Quel papier voulez-vous ajouter ?' });
    await pick.waitFor();
    // the RIB is chosen already: only the payslip is offered
    expect(await pick.getByRole('button', { name: /Relevé d’identité bancaire/ }).count()).toBe(0);
    await screens.ui.expectAccessible('sending, adding a paper');
    await pick.getByRole('button', { name: /^Ajouter Bulletin de salaire/ }).click();
    await page.getByText(/« Bulletin de salaire.* » est ajouté à l’envoi\./).waitFor();
    await page.getByText('2 papiers choisis sur 10 au plus.').waitFor();
    await page.getByRole('button', { name: /^Retirer « Bulletin de salaire/ }).click();
    await page.getByText(/« Bulletin de salaire.* » est retiré de l’envoi\./).waitFor();
    await page.getByText('1 papier choisi sur 10 au plus.').waitFor();
    await page.getByRole('button', { name: 'Ajouter un autre papier' }).click();
    await pick.getByRole('button', { name: /^Ajouter Bulletin de salaire/ }).click();
    await page.getByText('2 papiers choisis sur 10 au plus.').waitFor();
    // no institution yet: said, nothing sent
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await page.getByRole('alert').getByText('Choisissez l’organisme qui reçoit les papiers.').waitFor();
    await page.getByRole('button', { name: /Caisse d'allocations familiales/ }).click();
    expect(await page.getByRole('button', { name: /Caisse d'allocations familiales/ }).getAttribute('aria-pressed')).toBe('true');
    // a word for the CAF, typed on the tablet's keyboard
    await page.getByRole('button', { name: 'Écrire un message (si vous voulez)' }).click();
    await page.getByRole('dialog', { name: 'Un message pour l’organisme' }).waitFor();
    await screens.ui.expectAccessible('sending, a message');
    await screens.ui.typeText('voici mes papiers');
    await page.getByRole('button', { name: 'C’est écrit' }).click();
    await page.getByText('voici mes papiers').waitFor();
    await screens.ui.expectAccessible('sending, two papers and the CAF chosen');
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: /^Envoyer ces 2 papiers à Caisse d'allocations familiales/ });
    await confirm.waitFor();
    await confirm.getByText('Relevé d’identité bancaire (RIB)').waitFor();
    await confirm.getByText(/^Bulletin de salaire/).waitFor();
    await screens.ui.expectAccessible('sending, confirmation');
    await confirm.getByRole('button', { name: 'Oui, envoyer' }).click();
    // back on the RIB's screen: the sending names both papers
    await page.getByText(/Vos 2 papiers sont envoyés à Caisse d'allocations familiales.*, dans un seul message : « Relevé d’identité bancaire \(RIB\) », « Bulletin de salaire/).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Relevé d’identité bancaire (RIB)' }).waitFor();
    await stack.core.sync.flushed(30_000);
    const thread = await stack.server.db.selectFrom('threads').selectAll().executeTakeFirstOrThrow();
    expect(thread).toMatchObject({ institution_id: 'caf', application_id: null, assigned_to: null, subject: 'Relevé d’identité bancaire (RIB)' });
    expect(await stack.server.db.selectFrom('messages').select(['body']).where('thread_id', '=', thread.id).execute()).toEqual([{ body: 'voici mes papiers' }]);
    const attached = await stack.server.db.selectFrom('message_attachments').select(['document_id', 'doc_type']).where('message_id', '=', thread.id).execute();
    expect(attached.map((a) => a.doc_type).sort()).toEqual(['payslip', 'rib']);
    expect(attached.map((a) => a.document_id)).toContain(payslipId);
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();

    // the CAF's instructor: the inbox, the paper unread, opened, taken, answered
    const desk = staff.page;
    await desk.goto(`${stack.server.url}/console/connexion`);
    await desk.getByLabel('Identifiant').fill('caf-instructeur');
    await desk.getByLabel('Mot de passe').fill('demo-console-1234');
    await desk.getByRole('button', { name: 'Se connecter' }).click();
    await desk.getByRole('heading', { level: 1, name: 'Demandes à traiter' }).waitFor();
    await desk.getByRole('link', { name: 'Boîte de réception (1 non lu)' }).click();
    await desk.getByRole('heading', { level: 1, name: 'Boîte de réception' }).waitFor();
    const row = desk.getByRole('row').filter({ hasText: 'Camille Martin' });
    await expect.poll(() => row.textContent()).toContain('Non lu');
    expect(await row.textContent()).toContain('2 papiers');
    await staff.expectAccessible('inbox');

    await row.getByRole('link').click();
    await desk.getByRole('heading', { level: 1, name: /^Message : / }).waitFor();
    await desk.getByText('Camille Martin a écrit').waitFor();
    await staff.expectAccessible('inbox thread');
    // both papers in the one message; the instructor opens the second
    await desk.getByRole('link', { name: 'Voir le papier : Relevé d’identité bancaire (RIB)' }).waitFor();
    const link = desk.getByRole('link', { name: /^Voir le papier : Bulletin de salaire/ });
    const href = await link.getAttribute('href');
    expect(href).toContain(payslipId);
    expect(href).toMatch(/^\/console\/boite\/[0-9a-f-]+\/papiers\//);
    // the paper's bytes, with this session's cookie (a new tab would show Chromium's own viewer)
    const file = await staff.context.request.get(`${stack.server.url}${href}`);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toMatch(/^(image\/(jpeg|png|webp)|application\/pdf)$/);
    const read = await stack.server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'document.file.read').where('ground', '=', 'institution-inbox').execute();
    expect(read).toHaveLength(1);

    await desk.getByRole('button', { name: 'Je m’en occupe' }).click();
    await desk.getByText('C’est fait : le message est attribué.').waitFor();
    await desk.getByText('Ce message vous est attribué.').waitFor();
    await desk.getByLabel('Votre réponse').fill('Bonjour Madame Martin, nous avons bien reçu votre RIB. Il est enregistré dans votre dossier.');
    await desk.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await desk.getByText('C’est fait : votre réponse est envoyée. La personne la verra à la borne.').waitFor();
    await staff.expectAccessible('inbox after the reply');
    expect((await stack.server.db.selectFrom('threads').select('assigned_to').executeTakeFirstOrThrow()).assigned_to).not.toBeNull();

    // the person, back at the kiosk: the answer on the home screen, in plain words
    await login('Camille');
    const news = page.locator('.replies');
    await news.getByText(/Caisse d'allocations familiales \(CAF\) a répondu au sujet de vos papiers « Relevé d’identité bancaire \(RIB\) » et 1 autre papier, envoyés ensemble\./).waitFor({ timeout: 15_000 });
    await news.getByText(/Réponse de Julien Martin \(instructeur, CAF\), le /).waitFor();
    await news.getByText(/nous avons bien reçu votre RIB/).waitFor();
    await screens.ui.expectAccessible('home with an institution’s answer');
    await expect.poll(async () => (await stack.server.db.selectFrom('threads').select('person_read_at').executeTakeFirstOrThrow()).person_read_at).not.toBeNull();

    // her journal names the CAF for what its staff did with her paper, never « the platform »
    await page.getByRole('button', { name: /Qui a vu mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Qui a vu mes papiers ?' }).waitFor();
    const caf = page.locator('.journal li').filter({ hasText: 'Caisse d\'allocations familiales (CAF)' });
    await caf.filter({ hasText: 'a répondu à votre envoi' }).first().waitFor();
    await caf.filter({ hasText: 'a ouvert le fichier d’un document' }).first().waitFor();
    expect(await page.locator('.journal li').filter({ hasText: 'Un agent de la plateforme' }).count()).toBe(0);
    await screens.ui.expectAccessible('journal with the CAF’s acts');

    // seen: the kiosk's list now says so, and the home screen will not announce it again
    const again = await stack.core.handle('vault.replies', {});
    expect(again).toMatchObject({ ok: true, value: { replies: [{ seen: true, paperTitle: 'Relevé d’identité bancaire (RIB)', otherPapers: 1 }] } });
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });

  it('the CAF’s accounts page, for its admin only: a new instructor, a mistake said in French', async () => {
    const desk = staff.page;
    await desk.getByRole('button', { name: 'Se déconnecter' }).click();
    await desk.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
    await desk.getByLabel('Identifiant').fill('caf-admin');
    await desk.getByLabel('Mot de passe').fill('demo-console-1234');
    await desk.getByRole('button', { name: 'Se connecter' }).click();
    await desk.getByRole('heading', { level: 1, name: 'Les comptes de l’organisme' }).waitFor();
    expect(desk.url()).toBe(`${stack.server.url}/console/comptes`);
    await staff.expectAccessible('accounts');

    await desk.getByLabel('Nom et prénom').fill('Léa Roux');
    await desk.getByLabel('Identifiant de connexion').fill('caf-roux');
    await desk.getByLabel('Mot de passe de départ').fill('court');
    await desk.getByRole('button', { name: 'Créer le compte' }).click();
    await desk.getByRole('alert').getByText('Le mot de passe doit avoir au moins 12 caractères.').waitFor();
    await staff.expectAccessible('accounts, a mistake');
    await desk.getByLabel('Mot de passe de départ').fill('un-mot-de-passe-long');
    await desk.getByRole('button', { name: 'Créer le compte' }).click();
    await desk.getByText('C’est fait : le compte caf-roux est créé.').waitFor();
    expect(await desk.getByRole('row').filter({ hasText: 'caf-roux' }).textContent()).toContain('Instructeur');
    await staff.expectAccessible('accounts, one created');

    // the inbox is not the admin's: refused in plain words
    await desk.goto(`${stack.server.url}/console/boite`);
    await desk.getByText('Votre compte ne donne pas accès à cette page.').waitFor();
    await staff.expectAccessible('inbox refused to the admin');
  });
});
