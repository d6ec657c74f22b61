/**
 * What the person is told when things go wrong, through real parts (virtual box and cards over pcscd,
 * the kiosk core, the renderer in Debian Chromium with its fake camera, the sync-server behind a TCP link
 * that can freeze): a card pulled while a paper is being checked → the next login says what was lost and
 * what was kept, once; a server that stops answering → the vault shows the offline banner and the tablet's
 * own list within seconds, not after a long spinner; a paper sent to an institution while it does not answer
 * stays chosen, the sending waits in the outbox and arrives once it answers. axe-core checks every screen.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRib } from '../fixtures/documents.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { startFrozenLink } from '../support/frozen-link.ts';
import type { FrozenLink } from '../support/frozen-link.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

const SHOTS = process.env.FAC_SHOTS_DIR ?? '/tmp/cards-shots';
const LOST = 'Votre dernier papier (RIB) n’a pas été rangé : la carte a été retirée. Reprenez-le en photo.';

let stack: Stack;
let link: FrozenLink;
let browser: LaunchedBrowser;
let page: Page;
let mediaDir: string;

async function expectAccessible(screen: string): Promise<void> {
  await expectScreenSound(page, screen);
}

async function login(firstName: string): Promise<void> {
  await stack.insert(firstName);
  await page.getByText(`Bonjour ${firstName}`).waitFor({ timeout: 15_000 });
  for (const d of stack.person(firstName).card.pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
}

/** pcscd polls vpcd: give it time to see the card gone before it goes in again */
async function pullCard(): Promise<void> {
  await stack.remove(0, { force: true });
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  await expect.poll(() => stack.box.inserted(0)).toBeNull();
  await new Promise((r) => setTimeout(r, 900));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  const rib = await renderRib({ seed: 777, holder: 'Mme Camille MARTIN' });
  await writeY4m(rib.png, join(mediaDir, 'rib.y4m'));
  // the kiosk reaches the server only through the link
  stack = await startStack({
    syncUrl: async (serverUrl) => {
      const u = new URL(serverUrl);
      link = await startFrozenLink({ host: u.hostname, port: Number(u.port) });
      return link.url;
    },
  });
  browser = await launchKioskBrowser({ fakeVideo: join(mediaDir, 'rib.y4m') });
  page = browser.page;
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await link?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

describe('a card pulled while a paper is being checked', () => {
  it('says at the next login what was lost and what was kept, once', async () => {
    await login('Camille');
    // a first paper saved: it is in the outbox, so it is kept
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    // a second one photographed and read, being checked: the card is pulled
    await page.getByRole('button', { name: 'Ajouter un autre papier' }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await pullCard();
    expect(stack.core.session.open).toBeNull();
    // nothing of it in clear on the tablet's disk: the notice is sealed, the card found by a keyed hash
    const rows = stack.core.db.prepare('SELECT card_key, sealed FROM card_notices').all() as { card_key: string; sealed: Buffer }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.card_key).not.toContain(stack.person('Camille').card.serial);
    expect(rows[0]!.sealed.toString('latin1')).not.toContain('rib');

    await login('Camille');
    await page.getByText(LOST).waitFor();
    await page.getByText('Le papier déjà rangé est bien gardé (RIB).').waitFor();
    await expectAccessible('home with the lost paper');
    await page.screenshot({ path: join(SHOTS, 'lost-paper.png') });
    // it stays while this session lasts, until read
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Mes papiers' }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByText(LOST).waitFor();
    await page.getByRole('button', { name: 'J’ai compris' }).click();
    expect(await page.getByText(LOST).count()).toBe(0);
    await pullCard();
    // told once: not at the login after
    await login('Camille');
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.getByText(LOST).count()).toBe(0);
    expect(stack.core.db.prepare('SELECT COUNT(*) AS n FROM card_notices').get()).toEqual({ n: 0 });
    await pullCard();
  });
});

describe('a server that stops answering', () => {
  it('shows the offline banner and the tablet’s own list within seconds, then goes back to normal', async () => {
    await login('Camille');
    await expect.poll(() => stack.core.sync.status().online).toBe(true);
    expect(await page.locator('.offline-banner').count()).toBe(0);
    link.freeze();
    const asked = Date.now();
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByText('Sans connexion, vous voyez seulement les papiers gardés sur cette tablette.').waitFor({ timeout: 8000 });
    const took = Date.now() - asked;
    expect(took).toBeLessThan(6000);
    await page.locator('.offline-banner').getByText('Pas de connexion avec le serveur.').waitFor();
    await page.locator('.offline-banner').getByText('Le serveur ne répond pas.', { exact: false }).waitFor();
    await page.locator('.offline-banner').getByText('Vous pouvez quand même ajouter des papiers', { exact: false }).waitFor();
    // the banner comes first on the screen, above the vault and its notices
    const bannerTop = (await page.locator('.offline-banner').boundingBox())!.y;
    const titleTop = (await page.getByRole('heading', { name: 'Mes papiers' }).boundingBox())!.y;
    expect(bannerTop).toBeLessThan(titleTop);
    expect(await page.getByText('Un instant…').count()).toBe(0);
    await expectAccessible('vault, server not answering');
    await page.screenshot({ path: join(SHOTS, 'vault-offline.png') });
    // home says what still works
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByText('Marche sans connexion : le papier attend dans la tablette.').waitFor();
    await expectAccessible('home, server not answering');
    await page.screenshot({ path: join(SHOTS, 'home-offline.png') });
    // the server answers again: the banner goes
    link.thaw();
    await page.locator('.offline-banner').waitFor({ state: 'detached', timeout: 30_000 });
    expect(stack.core.sync.status().online).toBe(true);
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('heading', { name: 'Relevé d’identité bancaire (RIB)', level: 2 }).or(page.getByRole('heading', { name: 'Banque', level: 2 })).first().waitFor({ timeout: 15_000 });
    expect(await page.getByText('Sans connexion, vous voyez seulement').count()).toBe(0);
    await pullCard();
  });
});

describe('papers sent while the server does not answer', () => {
  it('keeps the paper opened chosen, says the list is not there, queues the sending and delivers it once the server answers', async () => {
    await login('Camille');
    await expect.poll(() => stack.core.sync.status().online).toBe(true);
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('button', { name: /Relevé d’identité bancaire/ }).first().click();
    await page.getByRole('heading', { name: 'Relevé d’identité bancaire (RIB)', level: 1 }).waitFor();
    const before = await stack.server.db.selectFrom('threads').select('id').execute();
    link.freeze();
    await page.getByRole('button', { name: 'Envoyer à un organisme' }).click();
    await page.getByText(/^Pas de connexion pour le moment : la liste de vos papiers n’est pas disponible\./).waitFor({ timeout: 8000 });
    // the paper she opened is still the one chosen; the institutions come from the tablet's own directory
    await page.getByText('1 papier choisi sur 10 au plus.').waitFor();
    await page.getByRole('button', { name: /^Retirer « Relevé d’identité bancaire/ }).waitFor();
    await page.getByRole('button', { name: /Caisse d'allocations familiales/ }).click();
    await expectAccessible('sending, server not answering');
    await page.screenshot({ path: join(SHOTS, 'sending-offline.png') });
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await page.getByRole('dialog', { name: /^Envoyer ce papier à Caisse d'allocations familiales/ }).getByRole('button', { name: 'Oui, envoyer' }).click();
    await page.getByText(/Votre papier est envoyé à Caisse d'allocations familiales/).waitFor();
    expect(stack.core.outbox.pending(10).filter((m) => m.type === 'vault.document.send')).toHaveLength(1);
    expect(await stack.server.db.selectFrom('threads').select('id').execute()).toHaveLength(before.length);
    // the server answers again: the sending arrives, once
    link.thaw();
    await stack.core.sync.flushed(30_000);
    const after = await stack.server.db.selectFrom('threads').select(['id', 'institution_id']).execute();
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((x) => !before.some((b) => b.id === x.id))).toEqual([{ id: expect.any(String) as unknown, institution_id: 'caf' }]);
    await pullCard();
  });
});
