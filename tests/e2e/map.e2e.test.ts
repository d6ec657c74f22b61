/**
 * The map of institutions through real parts: the real server and its directory, Camille's demo card over
 * pcscd, Debian Chromium drawing WebGL in software (SwiftShader), and a base map written at test time as a
 * PMTiles archive of a few streets (tests/support/pmtiles-fixture.ts) installed on the « tablet »: MapLibre
 * draws it from tiles the core reads in the file — nothing from the network. The nearest CAF for a CAF
 * paper and for Camille's request; « Imprimer le plan »; the plain plan when no archive is installed or the
 * one installed is broken. The kiosk reaches the server through a link the test cuts before the map is
 * opened: the map and its places come from the tablet alone (the directory's copy, the archive), then the
 * link comes back for the request. axe-core on every screen; FAC_E2E_SHOTS=<folder> keeps a picture of each (the
 * map's picture is the one to look at).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKiosk } from '../support/browser.ts';
import { openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens } from '../support/kiosk-ui.ts';
import { writeFixtureArchive } from '../support/pmtiles-fixture.ts';
import { startFrozenLink } from '../support/frozen-link.ts';
import type { FrozenLink } from '../support/frozen-link.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-map-e2e-'));
const archive = join(dir, 'exempleville.pmtiles');
const CMS = '45.7640,4.8357,CMS du centre-ville';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const places = (page: Page) => page.locator('.map-places > li.map-place');
const openMap = async (page: Page) => {
  await page.getByRole('button', { name: /^La carte des lieux/ }).click();
  await page.getByRole('heading', { name: 'La carte des lieux d’accueil', level: 1 }).waitFor();
  await places(page).first().waitFor();
};

/** How many pixels of the picture are near a colour of our style (the map's canvas can only be seen, not read back). */
async function pixelsNear(png: Buffer, [r, g, b]: [number, number, number], tolerance = 12): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < info.width * info.height * 3; i += 3) {
    if (Math.abs(data[i]! - r) <= tolerance && Math.abs(data[i + 1]! - g) <= tolerance && Math.abs(data[i + 2]! - b) <= tolerance) n++;
  }
  return n;
}

describe('the map, drawn offline from the archive installed on the tablet', () => {
  let s: KioskScreens;
  let link: FrozenLink | undefined;
  const tileCalls: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    writeFixtureArchive(archive);
    s = await openKioskScreens('map-', {
      webgl: true,
      stack: {
        mapTiles: archive,
        mapPlace: CMS,
        // the kiosk reaches the server only through a link the test can cut
        syncUrl: async (serverUrl) => {
          const u = new URL(serverUrl);
          link = await startFrozenLink({ host: u.hostname, port: Number(u.port) });
          return link.url;
        },
      },
    });
    // every tile the map draws is asked of the core, which reads it in the file
    const handlers = s.stack.core.handlers as Record<string, (p: never) => Promise<unknown>>;
    const tile = handlers['map.tile']!;
    handlers['map.tile'] = (p: never) => {
      const { z, x, y } = p as { z: number; x: number; y: number };
      tileCalls.push(`${z}/${x}/${y}`);
      return tile(p);
    };
    const origin = new URL(s.page.url()).origin;
    s.page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) outside.push(r.url());
    });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    await link?.close();
  });

  it('from home, with the server out of reach: the base map from the archive, the places nearest first, their distance and way', async () => {
    const { page, ui } = s;
    await ui.login('Camille');
    await ui.expectAccessible('home-with-map');
    // the server is gone from here on: what follows comes from the tablet alone
    link!.freeze();
    link!.cutAll();
    await page.locator('.offline-banner').getByText('Pas de connexion avec le serveur.').waitFor({ timeout: 30_000 });
    // meanwhile staff add the Rhône's CAF to the directory: the tablet learns of it only once back online
    const added = await s.stack.staffPost('/api/staff/directory', { id: 'caf-rhone', kind: 'caf', name: 'CAF du Rhône', address: '67 boulevard Vivier Merle', postcode: '69003', city: 'Lyon', lat: 45.7606, lon: 4.8583, communes: ['69123'] });
    expect(added.status).toBe(201);
    await openMap(page);
    const canvas = page.locator('.base-map-canvas');
    await expect.poll(() => canvas.getAttribute('data-map-idle'), { timeout: 60_000 }).toBe('true');
    expect(await canvas.getAttribute('role')).toBe('img');
    expect(await canvas.getAttribute('aria-label')).toMatch(/^Carte des lieux d’accueil : 6 lieux sont marqués/);
    expect(tileCalls.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);

    // the picture holds our style's water, parks and the big streets' fill: tiles were decoded and drawn
    const shot = await canvas.screenshot();
    expect(await pixelsNear(shot, [0xa9, 0xcd, 0xe6]), 'water').toBeGreaterThan(500);
    expect(await pixelsNear(shot, [0xff, 0xf4, 0xd6]), 'main streets').toBeGreaterThan(200);
    // the numbered markers and « you are here »
    expect(await page.locator('.map-marker:not(.here)').count()).toBe(6);
    expect(await page.locator('.map-marker.here').count()).toBe(1);

    // the list: the CMS where the tablet is first, the CAF 670 m south-east
    const first = places(page).first();
    await expect.poll(() => first.locator('h3').innerText()).toBe('Centre médico-social du centre-ville');
    expect(await first.innerText()).toContain('C’est ici : vous y êtes.');
    const caf = places(page).filter({ hasText: 'Caisse d\'allocations familiales (CAF)' });
    await expect.poll(() => caf.innerText()).toMatch(/À 6[5-9]0 mètres vers le sud-est d’ici\.\s+Environ 15 minutes à pied\./);
    expect(await caf.innerText()).toContain('Horaires non connus : téléphonez avant d’y aller.');
    await expect.poll(() => page.getByText('Fond de carte : © contributeurs OpenStreetMap').count()).toBe(1);
    await ui.expectAccessible('map-all');
  });

  it('a CAF paper: where to get it, the CAF first, shown on the map', async () => {
    const { page, ui } = s;
    await page.getByRole('group', { name: 'Montrer' }).getByRole('button', { name: 'Où trouver un papier' }).click();
    await page.getByRole('group', { name: 'Quel papier cherchez-vous ?' }).getByRole('button', { name: 'Attestation de la CAF' }).click();
    await page.getByText('Attestation de la CAF : la CAF vous le donne.').waitFor();
    const first = places(page).first();
    await expect.poll(() => first.locator('h3').innerText()).toBe('Caisse d\'allocations familiales (CAF)');
    expect(await first.innerText()).toContain('Donne : Attestation de la CAF.');
    expect(await first.getAttribute('class')).toContain('strong');
    await first.getByRole('button', { name: 'Montrer sur la carte : Caisse d\'allocations familiales (CAF)' }).click();
    await expect.poll(() => page.locator('.map-marker.selected').innerText()).toBe('1');
    await page.waitForTimeout(500);
    await expect.poll(() => page.locator('.base-map-canvas').getAttribute('data-map-idle'), { timeout: 30_000 }).toBe('true');
    await ui.expectAccessible('map-caf-paper');

    // a paper no office of this directory gives: said, the others still listed
    await page.getByRole('group', { name: 'Quel papier cherchez-vous ?' }).getByRole('button', { name: 'Titre de séjour' }).click();
    await page.getByText('Aucun lieu de ce type n’est connu près d’ici. Demandez à un agent.').waitFor();
    expect(await places(page).count()).toBe(6);
    await ui.expectAccessible('map-no-prefecture');
  });

  it('« Pour mes demandes »: who handles Camille’s request, and « Imprimer le plan »', async () => {
    const { page, ui } = s;
    // the server is back: the request is filed
    link!.thaw();
    await expect.poll(() => page.locator('.offline-banner').count(), { timeout: 30_000 }).toBe(0);
    await page.getByRole('button', { name: 'Retour' }).click();
    await ui.filePrimeActivite();
    await page.getByRole('button', { name: 'Retour à mes aides' }).click();
    await page.getByRole('heading', { name: 'Mes aides', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await openMap(page);
    await page.getByRole('group', { name: 'Montrer' }).getByRole('button', { name: 'Pour mes demandes' }).click();
    await page.getByText('Prime d’activité : c’est la CAF qui s’en occupe.').waitFor();
    const first = places(page).first();
    await expect.poll(() => first.innerText()).toContain('S’occupe de votre demande : Prime d’activité.');
    await ui.expectAccessible('map-requests');

    await page.getByRole('button', { name: 'Imprimer le plan' }).click();
    // the kiosk of the tests has no printer: the PDF is made, counted, and the screen says to ask an agent
    await page.getByText(/^C’est prêt \(\d+ pages?\), mais cette tablette n’a pas d’imprimante/).waitFor();
    await ui.expectAccessible('map-printed');
    expect(outside).toEqual([]);
  });

  it('« Pour ma commune »: the person types where they live, the offices serving it come first', async () => {
    const { page, ui } = s;
    // the list is read when the map opens: opened again, it holds what the tablet learnt once back online
    await page.getByRole('button', { name: 'Retour' }).click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await openMap(page);
    await page.getByRole('group', { name: 'Montrer' }).getByRole('button', { name: 'Pour ma commune' }).click();
    const field = page.getByLabel('Dans quelle commune habitez-vous ? Tapez son nom ou son code postal.');
    await field.fill('Zzzville');
    await page.getByText('Cette tablette ne connaît pas cette commune.', { exact: false }).waitFor();
    await ui.expectAccessible('map-commune-unknown');
    await field.fill('Lyon');
    const choice = page.getByRole('group', { name: 'Choisissez votre commune' }).getByRole('button', { name: 'Lyon (69001 à 69009)', exact: true });
    await choice.click();
    await page.getByText('Votre commune : Lyon (69001 à 69009).').waitFor();
    await page.getByText('Pour Lyon, 1 lieu s’occupe de vous. Il est en premier.').waitFor();
    const first = places(page).first();
    await expect.poll(() => first.locator('h3').innerText()).toBe('CAF du Rhône');
    expect(await first.getAttribute('class')).toContain('strong');
    await ui.expectAccessible('map-commune');
    await page.getByRole('button', { name: 'Changer de commune' }).click();
    await field.waitFor();
  });

  it('under the app’s own CSP (the other steps bypass it for axe): MapLibre’s worker and the tiles load, nothing refused', async () => {
    // the window closes; a new one with the CSP enforced takes the session over with a new launch code
    await s.page.close();
    const context = await s.browser.browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    try {
      await openKiosk(page, s.stack.host);
      await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor({ timeout: 15_000 });
      const before = tileCalls.length;
      await openMap(page);
      await expect.poll(() => page.locator('.base-map-canvas').getAttribute('data-map-idle'), { timeout: 60_000 }).toBe('true');
      expect(tileCalls.length).toBeGreaterThan(before);
      expect(await page.locator('.map-marker').count()).toBeGreaterThan(0);
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the plain plan when the tablet has no base map, or a broken one', () => {
  let s: KioskScreens;
  afterAll(async () => {
    await s?.close();
  });

  it('a broken archive: said in plain words, the plain plan and the list', async () => {
    const broken = join(dir, 'broken.pmtiles');
    writeFileSync(broken, Buffer.from('PMTiles\u0003 mais coupé net'));
    s = await openKioskScreens('map-plan-', { webgl: true, stack: { mapTiles: broken, mapPlace: CMS } });
    const { page, ui } = s;
    await ui.login('Camille');
    await openMap(page);
    await page.getByText('Le fond de carte de cette tablette est abîmé. Le plan simple est affiché à la place. Prévenez un agent.').waitFor();
    expect(await page.locator('.base-map-canvas').count()).toBe(0);
    const plan = page.getByRole('img', { name: 'Plan des lieux d’accueil' });
    await plan.waitFor();
    expect(await plan.locator('circle').count()).toBe(6);
    expect(await places(page).count()).toBe(6);
    await ui.expectAccessible('plan-broken');
    await ui.logout();
  }, 180_000);
});

describe('no archive installed, no place set: the plain plan, the list by name; the map without a card', () => {
  let s: KioskScreens;
  afterAll(async () => {
    await s?.close();
  });

  it('the plain plan, no distances said from nowhere, print still works', async () => {
    s = await openKioskScreens('map-none-', {});
    const { page, ui } = s;
    // someone without a card: the places, from the card screen; nothing of anyone's, no printing
    await ui.expectAccessible('attract');
    await page.getByRole('button', { name: 'Voir les lieux d’accueil près d’ici' }).click();
    await page.getByRole('heading', { name: 'La carte des lieux d’accueil', level: 1 }).waitFor();
    await places(page).first().waitFor();
    expect(await places(page).count()).toBe(6);
    expect(await page.getByRole('button', { name: 'Pour mes demandes' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Imprimer le plan' }).count()).toBe(0);
    await ui.expectAccessible('map-without-card');
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    // a card put in while the map is open takes the screen
    await page.getByRole('button', { name: 'Voir les lieux d’accueil près d’ici' }).click();
    await places(page).first().waitFor();
    await ui.login('Camille');
    await openMap(page);
    await page.getByText('Le fond de carte n’est pas installé sur cette tablette. Voici un plan simple.').waitFor();
    await page.getByRole('img', { name: 'Plan des lieux d’accueil' }).waitFor();
    await page.getByRole('heading', { name: 'Les lieux', level: 2 }).waitFor();
    expect(await page.locator('.map-places').innerText()).not.toMatch(/mètres|d’ici/);
    await ui.expectAccessible('plan-none');
    await page.getByRole('button', { name: 'Imprimer le plan' }).click();
    await page.getByText(/^C’est prêt \(\d+ pages?\)/).waitFor();
  }, 180_000);
});
