/**
 * The digital vault on the kiosk screens (issue #4), through real parts: scan a RIB with the fake camera,
 * find it in "Mes papiers" (by issuer, by search), open it, replace it (versions), print it (PDF), send it
 * to an institution, read the journal, delete it; then an agent with the beneficiary present.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIban } from '../../sync-server/protocol/iban.ts';
import { readKioskSettings, writeKioskSettings } from '../../sync-server/src/features/fleet/index.ts';
import { renderRib } from '../fixtures/documents.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { expectScreenSound } from '../support/browser.ts';
import { openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens } from '../support/kiosk-ui.ts';
import { STACK_KIOSK_ID, STAFF_TOKEN } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

let screens: KioskScreens;
let stack: Stack;
let page: Page;
let mediaDir: string;
let iban: string;

async function expectAccessible(screen: string): Promise<void> {
  await expectScreenSound(page, screen);
}

async function login(firstName: string, slot: 0 | 1 = 0): Promise<void> {
  await stack.insert(firstName, slot);
  const scope = slot === 0 ? page : page.getByRole('dialog');
  await scope.getByText(`Bonjour ${firstName}`).waitFor({ timeout: 15_000 });
  for (const d of stack.person(firstName).card.pin) await scope.getByRole('button', { name: d, exact: true }).click();
  await scope.getByRole('button', { name: 'Valider' }).click();
}

/** Scan with automatic capture (the fake camera holds still), check, confirm. */
async function scanRib(): Promise<void> {
  await page.getByRole('heading', { name: /Posez votre document/ }).waitFor();
  await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
  await expect.poll(() => page.locator('[data-field="iban"]').textContent()).toBe(formatIban(iban));
  await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
  await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
  await stack.core.sync.flushed(30_000);
}

beforeAll(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  const rib = await renderRib({ seed: 4242, holder: 'Mme Camille MARTIN' });
  iban = rib.expected.fields.iban;
  await writeY4m(rib.png, join(mediaDir, 'rib.y4m'));
  // automatic capture stays on here; a seventh office in the directory before the kiosk copies it, so the
  // sending screen offers its search field
  const syncUrl = async (serverUrl: string) => {
    const res = await fetch(`${serverUrl}/api/staff/directory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'cms-venissieux', kind: 'cms', name: 'Centre médico-social de Vénissieux', address: '3 rue Gambetta', postcode: '69200', city: 'Vénissieux', lat: 45.7, lon: 4.88, communes: ['69259'] }),
    });
    expect(res.status, await res.text()).toBe(201);
    return serverUrl;
  };
  screens = await openKioskScreens('vault-', { fakeVideo: join(mediaDir, 'rib.y4m'), stack: { syncUrl } });
  ({ stack, page } = screens);
  // papers go only where someone reads them: the CMS of Vénissieux gets its reader, which the kiosk learns
  // with the directory's next answer (asked at once when staff push the kiosk's settings again)
  await stack.server.db
    .insertInto('staff_accounts')
    .values({ id: randomUUID(), login: 'cms-venissieux-accueil', display_name: 'Accueil du CMS de Vénissieux', institution_id: 'cms-venissieux', role: 'instructor', structure_id: null, password_hash: 'x', created_at: new Date().toISOString(), disabled_at: null })
    .execute();
  const settings = await readKioskSettings(stack.server.db, STACK_KIOSK_ID);
  await writeKioskSettings(stack.server.db, stack.server.dialect, STACK_KIOSK_ID, settings?.settings ?? {});
  const list = stack.core.handlers['institutions.list'] as (p: Record<string, never>) => Promise<{ institutions: { id: string; receivesPapers?: boolean }[] }>;
  for (let waited = 0; (await list({})).institutions.find((i) => i.id === 'cms-venissieux')?.receivesPapers !== true; waited += 200) {
    if (waited > 30_000) throw new Error('the kiosk never learnt that the CMS of Vénissieux reads what is sent');
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await screens?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

describe('the vault on the kiosk', () => {
  it('scan (automatic capture), find, open, replace, print, send, journal, delete', async () => {
    await login('Camille');
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await scanRib();

    // browse: grouped by issuing institution
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Mes papiers' }).waitFor();
    await page.getByRole('heading', { name: 'Banque', level: 2 }).waitFor();
    await expectAccessible('vault list');
    await page.getByRole('button', { name: 'Par type de papier' }).click();
    await page.getByRole('heading', { name: 'Relevé d’identité bancaire (RIB)', level: 2 }).waitFor();

    // search with the on-screen keyboard
    await page.getByRole('button', { name: 'Chercher', exact: true }).click();
    for (const ch of 'banque') await page.getByRole('group', { name: 'Clavier' }).getByRole('button', { name: ch, exact: true }).click();
    await page.getByRole('button', { name: 'Chercher', exact: true }).last().click();
    await page.getByText('1 papier trouvé.').waitFor();
    await expectAccessible('vault search');

    // open it: picture, fields, history
    await page.getByRole('button', { name: /Relevé d’identité bancaire/ }).first().click();
    await page.getByRole('heading', { name: 'Relevé d’identité bancaire (RIB)', level: 1 }).waitFor();
    await page.getByRole('img', { name: /Photo du papier/ }).waitFor();
    await page.getByText(formatIban(iban)).waitFor();
    await page.getByText('Version 1, du').waitFor();
    await expectAccessible('document');

    // replace it with a new photo: version 2, version 1 kept in the history
    await page.getByRole('button', { name: 'Remplacer par une nouvelle photo' }).click();
    await scanRib();
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('button', { name: /Relevé d’identité bancaire/ }).first().click();
    await page.getByText('Version 2, du').waitFor();
    await page.getByText('Version 1, du').waitFor();

    // print: the PDF is made by the server (pages + what was read)
    await page.getByRole('button', { name: 'Imprimer' }).click();
    await page.getByText(/Le document est prêt \([2-9] pages\), mais cette tablette n’a pas d’imprimante/).waitFor();

    // send it to the CAF: a platform message with the document attached
    await page.getByRole('button', { name: 'Envoyer à un organisme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Envoyer des papiers à un organisme' }).waitFor();
    await page.getByRole('button', { name: /Caisse d'allocations familiales/ }).click();
    await expectAccessible('sending');
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await page.getByRole('dialog', { name: /^Envoyer ce papier à Caisse d'allocations familiales/ }).getByRole('button', { name: 'Oui, envoyer' }).click();
    await page.getByText(/Votre papier est envoyé à Caisse d'allocations familiales.* : « Relevé d’identité bancaire \(RIB\) »/).waitFor();
    await stack.core.sync.flushed(30_000);
    const messages = await stack.server.db.selectFrom('message_attachments').selectAll().execute();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ version: 2, doc_type: 'rib' });

    // from the vault's list: nothing chosen yet, said when she sends; the RIB chosen, sent to the mairie
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('button', { name: 'Envoyer des papiers à un organisme' }).click();
    await page.getByText('Aucun papier choisi. Vous pouvez en choisir 10 au plus.').waitFor();
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await page.getByRole('alert').getByText('Choisissez au moins un papier.').waitFor();
    await expectAccessible('sending, nothing chosen');
    await page.getByRole('button', { name: 'Choisir un papier' }).click();
    await page.getByRole('dialog', { name: 'Quel papier voulez-vous ajouter ?' }).getByRole('button', { name: /^Ajouter Relevé d’identité bancaire/ }).click();
    // seven offices: a search field, accents and capitals aside
    await page.getByLabel('Chercher un organisme (nom ou ville)').click();
    await screens.ui.typeText('venissieux');
    await expect.poll(() => page.getByRole('button', { name: /Exempleville/ }).count()).toBe(0);
    await page.getByRole('button', { name: /Centre médico-social de Vénissieux/ }).waitFor();
    for (let i = 0; i < 'venissieux'.length; i++) await page.getByRole('button', { name: 'Effacer la lettre avant le curseur' }).click();
    await screens.ui.typeText('mairie');
    await expect.poll(() => page.getByRole('button', { name: /Caisse d'allocations familiales/ }).count()).toBe(0);
    await screens.ui.expectAccessible('sending, an office searched');
    await page.getByRole('button', { name: /Mairie d'Exempleville/ }).click();
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await page.getByRole('dialog', { name: /^Envoyer ce papier à Mairie d'Exempleville/ }).getByRole('button', { name: 'Oui, envoyer' }).click();
    // back on her list, told what left
    await page.getByRole('heading', { name: 'Mes papiers', level: 1 }).waitFor();
    await page.getByText(/Votre papier est envoyé à Mairie d'Exempleville : « Relevé d’identité bancaire \(RIB\) »/).waitFor();
    await stack.core.sync.flushed(30_000);
    const threads = await stack.server.db.selectFrom('threads').select('institution_id').orderBy('institution_id').execute();
    expect(threads.map((x) => x.institution_id)).toEqual(['caf', 'mairie']);

    // the journal: in plain words, who did what
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('button', { name: /Qui a vu mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Qui a vu mes papiers ?' }).waitFor();
    // her own visit in one line, in the second person, in the order she did things
    // (the paper added, then replaced: one paper; opened and printed: one paper)
    await page.locator('.journal-own').filter({ hasText: /Vous avez ajouté 1 papier, ouvert 1 papier et envoyé 1 papier à un organisme/ }).first().waitFor();
    expect(await page.locator('.journal li').filter({ hasText: /Vous a / }).count()).toBe(0);
    await expectAccessible('journal');

    // delete, with confirmation
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('button', { name: /Relevé d’identité bancaire/ }).first().click();
    await page.getByRole('button', { name: 'Supprimer' }).click();
    await page.getByRole('alertdialog', { name: 'Voulez-vous vraiment supprimer ce papier ?' }).waitFor();
    await expectAccessible('delete confirmation');
    await page.getByRole('button', { name: 'Oui, supprimer' }).click();
    await page.getByText('Le papier est supprimé.').waitFor();
    await page.getByText('Votre coffre est vide pour le moment.').waitFor();
    await stack.core.sync.flushed(30_000);
    expect(await stack.server.db.selectFrom('documents').selectAll().execute()).toHaveLength(0);

    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  });
});
