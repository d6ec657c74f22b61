/**
 * The aid catalogue people can scan, through real parts: the real server and its catalogue, Camille's demo
 * card over pcscd, Debian Chromium at the tablet's 1280×800. Short cards with a pictogram, « Estimer » before
 * « Faire la demande », a search that ignores accents and says when nothing matches, a QR code read back
 * with zxing to the aid's official address; nothing chosen for the person at filing; an estimate « sans
 * logement fixe » whose answers the filing questionnaire takes without asking again. axe-core on each
 * screen. FAC_E2E_SHOTS=<folder> keeps a picture of each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBarcodes } from 'zxing-wasm/reader';
import { prepareBarcodeReader } from '../../kiosk/core/ocr/barcode.ts';
import { euros } from '../../sync-server/protocol/format.ts';
import { FilingSituation } from '../../sync-server/protocol/applications.ts';
import { estimate, loadRules } from '../../sync-server/src/features/aids/index.ts';
import { AnswersSchema, situationFromAnswers } from '../../sync-server/protocol/estimate/answers.ts';
import { LAST_ESTIMATE_MONTH, SituationSchema } from '../../sync-server/protocol/estimate/situation.ts';
import { launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { kioskUi } from '../support/kiosk-ui.ts';
import type { KioskUi } from '../support/kiosk-ui.ts';
import { REPO, startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

let stack: Stack;
let browser: LaunchedBrowser;
let page: Page;
let ui: KioskUi;

const SCREEN_HEIGHT = 800;
const catalogue = JSON.parse(readFileSync(join(REPO, 'assets/aids/catalogue.json'), 'utf8')) as {
  aids: { id: string; name: string; family: string; officialUrl: string }[];
};
const aidNamed = (id: string) => catalogue.aids.find((a) => a.id === id)!;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchKioskBrowser();
  page = browser.page;
  ui = kioskUi(page, stack, { shots: process.env.FAC_E2E_SHOTS, shotPrefix: 'catalogue-' });
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const cards = () => page.getByRole('article');
const card = (name: string | RegExp) => page.getByRole('article', { name });
const search = () => page.getByRole('searchbox', { name: 'Chercher une aide' });
const status = () => page.getByRole('status').filter({ hasText: /aide/ });

describe('the aid catalogue', () => {
  it('compact cards with pictograms, Estimer first, a search that ignores accents, a QR code that holds the official address', async () => {
    await ui.login('Camille');
    await page.getByRole('button', { name: /^Mes aides/ }).click();
    await page.getByRole('button', { name: 'Demander une aide' }).click();
    await page.getByRole('heading', { name: 'Demander une aide', level: 1 }).waitFor();
    await expect.poll(() => cards().count()).toBe(catalogue.aids.length);

    await ui.expectAccessible('cards');
    // at most 3 screens of the tablet, where there were 9
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height, `catalogue height ${height}px`).toBeLessThanOrEqual(3 * SCREEN_HEIGHT);

    // one pictogram a card, hidden from screen readers, one drawing per family
    const pictos = page.locator('article svg.pictogram');
    expect(await pictos.count()).toBe(catalogue.aids.length);
    for (const svg of await pictos.all()) expect(await svg.getAttribute('aria-hidden')).toBe('true');
    const drawn = new Set(await pictos.evaluateAll((els) => els.map((e) => e.innerHTML)));
    expect(drawn.size).toBe(new Set(catalogue.aids.map((a) => a.family)).size);

    // each card: « Estimer » before « Faire la demande » when the aid can be estimated
    let estimable = 0;
    for (const article of await cards().all()) {
      const words = await article.locator(':scope > .aid-actions button.button').allInnerTexts();
      const file = words.findIndex((w) => w.startsWith('Faire la demande'));
      expect(file, words.join(' | ')).toBeGreaterThanOrEqual(0);
      const estimate = words.findIndex((w) => w.startsWith('Estimer'));
      if (estimate >= 0) {
        estimable++;
        expect(estimate).toBeLessThan(file);
      }
    }
    expect(estimable).toBeGreaterThanOrEqual(4);
    // no long address to note down
    expect(await page.getByText(/https?:\/\//).count()).toBe(0);

    // search with the on-screen keyboard, without accents
    await search().click();
    const keyboard = page.getByRole('group', { name: 'Chercher une aide' });
    for (const ch of 'energie') await keyboard.getByRole('button', { name: ch, exact: true }).click();
    await expect.poll(() => search().inputValue()).toBe('energie');
    await expect.poll(() => cards().count()).toBe(1);
    await card('Chèque énergie').waitFor();
    await status().getByText('1 aide trouvée.').waitFor();
    await ui.expectAccessible('search with the keyboard');
    await page.getByRole('button', { name: 'Fermer le clavier' }).click();
    await expect.poll(() => keyboard.count()).toBe(0);

    // with accents and capitals, typed on a real keyboard too
    await search().fill('ÉNERGIE');
    await expect.poll(() => cards().count()).toBe(1);
    await card('Chèque énergie').waitFor();
    // the start of a word: « allocation » finds « Allocations familiales »
    await search().fill('allocation');
    await card('Allocations familiales').waitFor();
    const found = await cards().count();
    expect(found).toBeGreaterThan(1);
    expect(found).toBeLessThan(catalogue.aids.length);
    await status().getByText(`${found} aides trouvées.`).waitFor();
    // nothing: said plainly
    await search().fill('trottinette');
    await expect.poll(() => cards().count()).toBe(0);
    await page.getByRole('status').getByText('Aucune aide ne correspond.').waitFor();
    await ui.expectAccessible('nothing matches');
    await page.getByRole('button', { name: 'Tout effacer' }).click();
    await expect.poll(() => cards().count()).toBe(catalogue.aids.length);

    // details behind « En savoir plus »: who handles it, and a QR code a phone reads
    const prime = card('Prime d’activité');
    expect(await prime.getByText('la CAF', { exact: true }).isVisible()).toBe(false);
    const more = prime.getByRole('button', { name: /^En savoir plus/ });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.click();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    await prime.getByText('la CAF', { exact: true }).waitFor();
    const qr = prime.getByRole('img', { name: /Code QR/ });
    expect(await qr.evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
    await prime.getByText('service-public.fr', { exact: true }).waitFor();
    await prepareBarcodeReader();
    const [read, ...others] = await readBarcodes(new Uint8Array(await qr.screenshot()), { formats: ['QRCode'] });
    expect(others).toEqual([]);
    expect(read?.text).toBe(aidNamed('prime-activite').officialUrl);
    await ui.expectAccessible('more about an aid');
    await more.click();
    expect(await prime.getByText('la CAF', { exact: true }).isVisible()).toBe(false);
  });

  it('nothing is chosen for the person at filing: the partner aid of the RSA is a question', async () => {
    await card(/Revenu de solidarité active/).getByRole('button', { name: /Faire la demande/ }).click();
    await page.getByRole('heading', { name: /Voulez-vous demander aussi : Complémentaire santé solidaire/ }).waitFor();
    const answers = page.getByRole('group', { name: /Voulez-vous demander aussi/ }).getByRole('button');
    expect(await answers.count()).toBe(2);
    for (const a of await answers.all()) expect(await a.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('input:checked').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Continuer' }).isDisabled()).toBe(true);
    await ui.expectAccessible('filing: the partner aid, not chosen');
    await page.getByRole('button', { name: 'Arrêter' }).click();
    await page.getByRole('heading', { name: 'Demander une aide', level: 1 }).waitFor();
  });

  it('an estimate « sans logement fixe », then filing takes its answers without asking them again', async () => {
    await card(/Revenu de solidarité active/).getByRole('button', { name: /Estimer mon droit/ }).click();
    await ui.estimateAloneWithoutHome('40');
    expect(await page.getByRole('button', { name: 'Je n’ai pas de logement fixe' }).getAttribute('aria-pressed')).toBe('true');
    await ui.expectAccessible('estimate: without a fixed home');
    await ui.next();
    await page.getByRole('heading', { name: 'Vos ressources par mois' }).waitFor();
    await ui.estimateWithoutTaxIncome();

    // the engine's own figure for the same answers, and its words: no forfait logement
    // the month the kiosk estimates: this one, or the last the rules know
    const today = new Date().toISOString().slice(0, 7);
    const answers = AnswersSchema.parse({ residesInFrance: true, couple: false, adults: [{ age: 40, resources: {} }], children: [], housing: { status: 'homeless' } });
    const expected = estimate(SituationSchema.parse(situationFromAnswers(answers, today < LAST_ESTIMATE_MONTH ? today : LAST_ESTIMATE_MONTH)), loadRules()).results.find(
      (r) => r.aid === 'rsa',
    )!;
    expect(expected.monthlyAmount).toBeGreaterThan(0);
    const rsa = page.getByRole('article', { name: /Revenu de solidarité active/ });
    await rsa.getByText(`Environ ${euros(expected.monthlyAmount!)} par mois`).waitFor();
    await rsa.getByText('Vous n’avez pas de logement fixe : on ne compte pas de forfait logement.').waitFor();
    await ui.expectAccessible('estimate results without a fixed home');

    // filing from the estimate: the partner aid asked, then the estimate's answers shown, not asked again
    await rsa.getByRole('button', { name: /Faire la demande/ }).click();
    await page.getByRole('heading', { name: /Voulez-vous demander aussi/ }).waitFor();
    await page.getByRole('button', { name: 'Oui', exact: true }).click();
    await ui.next();
    await page.getByRole('heading', { name: 'Vous avez déjà répondu à ces questions' }).waitFor();
    const answered = (question: string) => page.getByRole('listitem').filter({ hasText: question });
    await answered('Où habitez-vous ?').getByText('Je n’ai pas de logement fixe', { exact: true }).waitFor();
    await answered('Avez-vous des enfants à charge ?').getByText('Non', { exact: true }).waitFor();
    await answered('Vivez-vous en couple ?').getByText('Non', { exact: true }).waitFor();
    expect(await page.getByText('Vous avez répondu :').count()).toBe(3);
    await ui.expectAccessible('filing: the estimate’s answers');

    // « Changer »: that question comes back with the answer given, the others stay
    await page.getByRole('button', { name: 'Changer : Vivez-vous en couple ?' }).click();
    await page.getByRole('heading', { name: 'Vivez-vous en couple ?' }).waitFor();
    // the pressed answer's name starts with its tick
    expect(await page.getByRole('group', { name: 'Vivez-vous en couple ?' }).getByRole('button', { name: /Non$/ }).getAttribute('aria-pressed')).toBe('true');
    await ui.next();
    // only what the estimate did not ask
    await page.getByRole('heading', { name: 'Que faites-vous en ce moment ?' }).waitFor();
    for (const a of await page.getByRole('group', { name: 'Que faites-vous en ce moment ?' }).getByRole('button').all()) {
      expect(await a.getAttribute('aria-pressed')).toBe('false');
    }
    await page.getByRole('button', { name: 'Je cherche un emploi' }).click();
    await ui.next();
    await page.getByRole('button', { name: 'Française' }).click();
    await page.getByRole('button', { name: 'Créer ma demande' }).click();
    await page.getByRole('heading', { name: /Revenu de solidarité active/, level: 1 }).waitFor();
    // Camille is 17: the request says why the RSA is unlikely, before anything is signed or sent
    await page.getByRole('note').getByText('Vous avez 17 ans. Le RSA est pour les personnes de 25 ans ou plus.', { exact: false }).waitFor();
    await ui.expectAccessible('a 17-year-old’s RSA request, warned before sending');

    // the request holds the RSA and the CSS the person chose, and the estimate's answers
    const rsaApp = await stack.server.db.selectFrom('applications').select(['dossier_id']).where('aid_id', '=', 'rsa').executeTakeFirstOrThrow();
    if (rsaApp.dossier_id === null) throw new Error('the request has no dossier');
    const filed = await stack.server.db.selectFrom('applications').select('aid_id').where('dossier_id', '=', rsaApp.dossier_id).execute();
    expect(filed.map((a) => a.aid_id).sort()).toEqual(['css', 'rsa']);
    const dossier = await stack.server.db.selectFrom('dossiers').select('situation').where('id', '=', rsaApp.dossier_id).executeTakeFirstOrThrow();
    expect(FilingSituation.parse(JSON.parse(dossier.situation))).toEqual({ housing: 'homeless', activity: ['job-seeker'], nationality: 'french', children: false, couple: false });
  });
});
