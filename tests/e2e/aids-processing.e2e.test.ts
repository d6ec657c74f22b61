/**
 * Processing (issue #7), the whole way through both UIs against one real server: the kiosk (the demo's
 * virtual cards over pcscd, Debian Chromium whose fake camera films a RIB) and the processing console
 * (a second browser context on the same server's `/console`, its CSP kept). Camille files « prime
 * d'activité » with every paper already in her vault and sends it herself, signed with her card. The
 * CAF's head of service opens it, views her RIB, takes it up and asks for the RIB again with a question,
 * then writes to her. At her next login Camille reads the question, scans a new RIB from the dossier: the
 * server attaches it and puts the request back "in processing" by itself. The CAF sees the new RIB and
 * accepts; Camille reads the decision at her next login. axe-core on every new screen state of both UIs.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIban } from '../../sync-server/protocol/iban.ts';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { renderRib } from '../fixtures/documents.ts';
import { renderIdentityCard } from '../fixtures/identity.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { openConsolePage } from '../support/console-ui.ts';
import type { ConsolePage } from '../support/console-ui.ts';
import { depositThroughCapture, kioskUi } from '../support/kiosk-ui.ts';
import type { KioskUi } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

const HOLDER = 'Mme Camille MARTIN';
const QUESTION = 'Votre RIB est illisible : pouvez-vous en donner un nouveau ?';
const MESSAGE = 'Bonjour Camille, nous attendons votre nouveau RIB pour étudier votre demande.';
const REASON = 'Votre prime d’activité sera versée chaque mois à partir de juin.';

let stack: Stack;
let browser: LaunchedBrowser;
let mediaDir: string;
/** the kiosk's screen */
let page: Page;
let kiosk: KioskUi;
/** the console's page, in a context of its own (CSP on) */
let office: ConsolePage;
/** the RIB the camera films: the one she gives again */
let newIban: string;

beforeAll(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  // her first papers go in through the capture path; the camera is kept for the RIB given again
  const rib = await renderRib({ seed: 2026, holder: HOLDER });
  newIban = rib.expected.fields.iban;
  await writeY4m(rib.png, join(mediaDir, 'rib.y4m'));
  stack = await startStack();
  browser = await launchKioskBrowser({ fakeVideo: join(mediaDir, 'rib.y4m') });
  page = browser.page;
  kiosk = kioskUi(page, stack, { shots: process.env.FAC_E2E_SHOTS, shotPrefix: 'processing-kiosk-' });
  office = await openConsolePage(browser.browser);
  // automatic capture stays on: the RIB is taken as soon as it lies still
  await openKiosk(page, stack.host);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
}, 60_000);

afterAll(async () => {
  // both pages first (they hold connections to the host and the server), then the stack: the host, the
  // box simulator before the core, the server last (Stack.close keeps that order)
  await office?.close();
  await browser?.close();
  await stack?.close();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

/** One paper of the dossier on the kiosk, by the heading of its checklist item. */
const kioskPiece = (label: RegExp) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label, level: 3 }) });
/** The state of the request on the kiosk's dossier. */
const kioskState = (state: string) => page.getByRole('listitem').filter({ hasText: 'Prime d’activité (la CAF)' }).getByText(state, { exact: true });

async function applicationState(): Promise<string> {
  return (await stack.server.db.selectFrom('applications').select('state').where('aid_id', '=', 'prime-activite').executeTakeFirstOrThrow()).state;
}

/** What the server attached to the dossier for its RIB item (document, version, file). */
async function attachedRib() {
  return stack.server.db.selectFrom('dossier_pieces').select(['document_id', 'version', 'blob_sha256', 'requested_at']).where('item_id', '=', 'rib').executeTakeFirstOrThrow();
}

/** Opens the RIB paper's page from the console's request page: its image served, and which file it is; then back to the request. */
async function viewRibOnConsole(): Promise<string> {
  const cp = office.page;
  const [response] = await Promise.all([
    cp.waitForResponse((r) => r.url().includes('/pieces/rib'), { timeout: 10_000 }),
    cp.getByRole('link', { name: /Voir le papier : Votre RIB/ }).click(),
  ]);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^image\//);
  const sha = createHash('sha256').update(await response.body()).digest('hex');
  await expect.poll(() => cp.evaluate(() => document.images[0]?.naturalWidth ?? 0)).toBeGreaterThan(0);
  // beside the image, what was read on it
  await cp.getByText('Ce qui a été lu sur ce papier').waitFor();
  await cp.getByText('IBAN', { exact: true }).waitFor();
  await cp.getByRole('link', { name: /Retour à la demande/ }).first().click();
  await cp.getByRole('heading', { level: 1, name: 'Prime d’activité — Camille Martin' }).waitFor();
  return sha;
}

describe('processing, from the kiosk to the console and back', () => {
  it('filed and sent on the kiosk; the CAF asks for the RIB again; scanned again, back in processing by itself; accepted; read at the next login', async () => {
    const camille = stack.person('Camille');

    // 1. Kiosk: every paper already in her vault; she files and sends the request herself
    await kiosk.login('Camille');
    await depositThroughCapture(stack, (await renderIdentityCard({ seed: 3, font: 'DejaVu Sans', mrzFont: 'DejaVu Sans Mono' })).png, 'identity-card');
    const firstRib = await depositThroughCapture(stack, (await renderRib({ seed: 4242, holder: HOLDER })).png, 'rib');
    await depositThroughCapture(stack, (await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await stack.core.sync.flushed(30_000);

    await kiosk.filePrimeActivite();

    // the dossier: the three papers there, "send now" possible
    await kioskPiece(/carte d’identité/).getByText(/Vous l’avez : Carte d’identité, ajouté le/).waitFor();
    await kioskPiece(/Votre RIB/).getByText(/Vous l’avez : Relevé d’identité bancaire \(RIB\), ajouté le/).waitFor();
    await kioskPiece(/bulletins de salaire/).getByText(/Vous l’avez : Bulletin de salaire, ajouté le/).waitFor();
    await kioskState('Prête à envoyer').waitFor();
    const sendNow = page.getByRole('button', { name: /Envoyer maintenant/ });
    await expect.poll(() => sendNow.isEnabled()).toBe(true);
    await sendNow.getByText('Tous les papiers sont là.').waitFor();
    expect(await page.getByRole('button', { name: /Envoyer tout seul/ }).count()).toBe(0);
    await kiosk.expectAccessible('dossier complete, ready to send');

    // manual sending: what is sent, the PIN, the card signs (PSO:CDS over pcscd), the receipt
    await sendNow.click();
    await page.getByRole('heading', { name: 'Vérifiez avant d’envoyer', level: 1 }).waitFor();
    await page.getByText('La demande part maintenant.').waitFor();
    for (const title of ['Carte d’identité', 'Relevé d’identité bancaire (RIB)', 'Bulletin de salaire']) await page.getByRole('listitem').getByText(title, { exact: true }).waitFor();
    await page.getByText('La carte de Camille signe la demande.').waitFor();
    await kiosk.expectAccessible('review before sending now');
    await page.getByRole('button', { name: 'C’est bon, je signe' }).click();
    await page.getByRole('heading', { name: 'Tapez votre code pour signer' }).waitFor();
    await kiosk.typePin(camille.card.pin);
    await page.getByRole('heading', { name: 'Votre demande est envoyée.' }).waitFor({ timeout: 15_000 });
    const receipt = (await page.getByText(/^FAC-\d{4}-[0-9A-Z]{8}$/).textContent()) ?? '';
    const sent = await stack.server.db.selectFrom('dossiers').select(['mode', 'signed_at', 'submitted_at', 'receipt_number', 'signer_card_serial', 'signature']).executeTakeFirstOrThrow();
    expect(sent).toMatchObject({ mode: 'manual', receipt_number: receipt, signer_card_serial: camille.card.serial });
    expect(sent.signature).toBeTruthy();
    expect(sent.submitted_at).not.toBeNull();
    expect(await applicationState()).toBe('submitted');
    await kiosk.expectAccessible('receipt, sent now');
    await page.getByRole('button', { name: 'Voir ma demande' }).click();
    await kioskState('Envoyée').waitFor();
    await page.getByText(/^Envoyée le /).waitFor();
    await kiosk.expectAccessible('dossier sent');

    // she ends her session ("Terminer"), then takes her card
    await page.getByRole('button', { name: 'Retour à mes aides' }).click();
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByText('Vous pouvez retirer votre carte.').waitFor();
    await stack.remove(0);
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await expect.poll(() => stack.box.inserted(0) === null).toBe(true);

    // 2. Console: the CAF's head of service logs in; the request is in the queue
    const cp = office.page;
    await cp.goto(`${stack.server.url}/console`);
    await cp.getByRole('heading', { level: 1, name: 'Se connecter' }).waitFor();
    await office.expectAccessible('console: login');
    await cp.getByLabel('Identifiant').fill('caf-chef');
    await cp.getByLabel('Mot de passe').fill('demo-console-1234');
    await cp.getByRole('button', { name: 'Se connecter' }).click();
    await cp.getByRole('heading', { level: 1, name: 'Demandes à traiter' }).waitFor();
    const request = cp.getByRole('link', { name: 'Prime d’activité — demande de Camille Martin' });
    await request.waitFor();
    await office.expectAccessible('console: queue with the request sent from the kiosk');

    // the request: the situation she declared, her three papers, her card's signature
    await request.click();
    await cp.getByRole('heading', { level: 1, name: 'Prime d’activité — Camille Martin' }).waitFor();
    await cp.getByText('Envoyée (à prendre en charge)').first().waitFor();
    // the situation she declared (the papers' fields, above it, may say « Française » too)
    const situation = cp.locator('h2', { hasText: 'Sa situation' }).locator('xpath=following-sibling::dl[1]');
    const fact = (text: string) => cp.getByRole('definition').getByText(text, { exact: true });
    const declared = (text: string) => situation.getByRole('definition').getByText(text, { exact: true });
    for (const v of ['Locataire', 'Salariée', 'Française']) await declared(v).waitFor();
    const pieces = cp.locator('ul.papers');
    await expect.poll(() => pieces.getByRole('listitem').count()).toBe(3);
    // each paper given, and when, with what was read on it
    for (const title of ['Carte d’identité', 'Relevé d’identité bancaire (RIB)', 'Bulletin de salaire']) {
      await pieces.getByText(new RegExp(`^${title.replace(/[()]/g, '\\$&')}.* donné le `)).first().waitFor();
    }
    await pieces.getByText('Ce qui a été lu sur ce papier').first().waitFor();
    expect(await pieces.getByRole('link', { name: /Voir le papier/ }).count()).toBe(3);
    await fact('Signée par la personne avec sa carte').waitFor();
    await fact(camille.card.serial).waitFor();
    await fact(receipt).waitFor();
    await office.expectAccessible('console: request filed on the kiosk');

    // her RIB, served as it was attached
    const firstAttached = await attachedRib();
    expect(firstAttached.document_id).toBe(firstRib);
    expect(await viewRibOnConsole()).toBe(firstAttached.blob_sha256);

    // taken up, then the RIB asked again with a question, then a message
    await cp.getByRole('button', { name: 'Prendre en charge la demande' }).click();
    await cp.getByRole('status').getByText('C’est fait : la demande est prise en charge.').waitFor();
    await office.expectAccessible('console: taken up');
    await cp.getByLabel('Votre question').fill(QUESTION);
    await cp.getByRole('checkbox', { name: /Votre RIB/ }).check();
    await cp.getByRole('button', { name: 'Envoyer la question' }).click();
    await cp.getByRole('status').getByText('C’est fait : votre question est envoyée à la personne.').waitFor();
    await cp.getByText(/Redemandé le .*: Votre RIB est illisible/).waitFor();
    await office.expectAccessible('console: the RIB asked again');
    await cp.getByLabel('Écrire à la personne').fill(MESSAGE);
    await cp.getByRole('button', { name: 'Envoyer le message' }).click();
    await cp.getByRole('status').getByText('C’est fait : votre message est envoyé.').waitFor();
    await cp.getByRole('list').getByText(MESSAGE).waitFor();
    await office.expectAccessible('console: message written');
    expect(await applicationState()).toBe('information-requested');

    // 3. Kiosk: the question is news at her login; the dossier asks for the RIB again
    await kiosk.login('Camille');
    const news = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Du nouveau' }) });
    await news.getByText('Votre demande de prime d’activité : Le service pose une question.').first().waitFor({ timeout: 15_000 });
    await news.getByText(/Votre RIB est illisible/).waitFor();
    await news.getByText(/nous attendons votre nouveau RIB/).waitFor();
    await kiosk.expectAccessible('home with the question as news');
    await news.getByRole('button', { name: /Voir la demande/ }).first().click();
    await page.getByRole('heading', { name: 'Prime d’activité', level: 1 }).waitFor();
    await kioskState('Le service pose une question').waitFor();
    const question = page.getByRole('note').filter({ has: page.getByRole('heading', { name: 'Le service vous pose une question' }) });
    await question.getByText(/Votre RIB est illisible/).waitFor();
    await question.getByText('Il vous demande à nouveau ces papiers :').waitFor();
    await question.getByRole('listitem').getByText(/^Votre RIB/).waitFor();
    const rib = kioskPiece(/Votre RIB/);
    await rib.getByText('Demandé à nouveau').waitFor();
    // only a version newer than the request counts: her first RIB no longer fills the item
    await rib.getByText('Il manque ce papier.').waitFor();
    await kioskPiece(/bulletins de salaire/).getByText(/Vous l’avez : Bulletin de salaire/).waitFor();
    await kiosk.expectAccessible('dossier with the question and the RIB asked again');
    // what was sent stays readable for the service (it asked about that very paper) until a newer one comes
    expect((await attachedRib()).blob_sha256).toBe(firstAttached.blob_sha256);
    expect(await viewRibOnConsole()).toBe(firstAttached.blob_sha256);

    // she scans a new RIB from the dossier: the camera's, read and confirmed
    await rib.getByRole('button', { name: /Le scanner maintenant/ }).click();
    await page.getByRole('heading', { name: /Posez votre document/ }).waitFor();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await page.getByRole('definition').getByText(formatIban(newIban), { exact: true }).waitFor();
    await kiosk.expectAccessible('check the RIB given again');
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByText('Le papier est ajouté à votre demande.').waitFor();
    await stack.core.sync.flushed(30_000);

    // the server attached it and put the request back in processing by itself; its push reloads the dossier
    await kioskState('En cours d’étude').waitFor({ timeout: 20_000 });
    await rib.getByText(/Vous l’avez : Relevé d’identité bancaire \(RIB\), ajouté le/).waitFor();
    // given again: said so, and nothing more to do for it
    await rib.getByText('Donné de nouveau').waitFor();
    expect(await rib.getByRole('button', { name: /Le scanner maintenant/ }).count()).toBe(0);
    expect(await page.getByRole('note').filter({ has: page.getByRole('heading', { name: 'Le service vous pose une question' }) }).count()).toBe(0);
    const provided = await stack.server.db
      .selectFrom('application_transitions')
      .select(['actor_kind', 'actor_id', 'to_state'])
      .where('event', '=', 'information-provided')
      .execute();
    expect(provided).toEqual([{ actor_kind: 'system', actor_id: 'pieces-check', to_state: 'in-processing' }]);
    const renewed = await attachedRib();
    expect(renewed.document_id).not.toBe(firstRib);
    expect(renewed.blob_sha256).not.toBe(firstAttached.blob_sha256);
    const newRibDoc = await stack.server.db.selectFrom('document_versions').select(['created_at']).where('document_id', '=', renewed.document_id!).executeTakeFirstOrThrow();
    expect(newRibDoc.created_at > renewed.requested_at!).toBe(true);
    await page.getByRole('listitem').filter({ hasText: 'Les papiers demandés sont arrivés.' }).waitFor();
    // the service's message, in the thread
    await page.getByRole('list').getByRole('listitem').filter({ hasText: MESSAGE }).waitFor();
    await kiosk.expectAccessible('dossier back in processing, the service’s message in the thread');
    await kiosk.logout();

    // 4. Console: back in the queue "in processing"; the new RIB; accepted with a reason
    await cp.getByRole('link', { name: 'Demandes à traiter' }).first().click();
    await cp.getByRole('heading', { level: 1, name: 'Demandes à traiter' }).waitFor();
    await cp.getByRole('row').filter({ has: request }).getByText('En cours d’étude').waitFor();
    await request.click();
    await cp.getByRole('heading', { level: 1, name: 'Prime d’activité — Camille Martin' }).waitFor();
    await cp.getByText('État : En cours d’étude.', { exact: false }).waitFor();
    await cp.getByRole('row').filter({ hasText: 'Les papiers redemandés sont arrivés' }).getByRole('cell', { name: 'La plateforme' }).waitFor();
    await pieces.getByRole('listitem').filter({ hasText: 'Votre RIB' }).getByText(/donné de nouveau le /).waitFor();
    await office.expectAccessible('console: in processing with the new RIB');
    expect(await viewRibOnConsole()).toBe(renewed.blob_sha256);
    await cp.getByLabel('Mot pour la personne (facultatif)').fill(REASON);
    await cp.getByLabel('Montant par mois, en euros').fill('607,75');
    await cp.getByLabel('À partir du').fill('2026-05-01');
    await cp.getByRole('checkbox', { name: /Je confirme : j’accepte cette demande/ }).check();
    await cp.getByRole('button', { name: 'Accepter la demande' }).click();
    await cp.getByRole('status').getByText('C’est fait : la demande est acceptée.').waitFor();
    await office.expectAccessible('console: accepted');
    expect(await applicationState()).toBe('accepted');

    // 5. Kiosk: the decision is news at her next login, with the service's words
    await kiosk.login('Camille');
    await news.getByText('Votre demande de prime d’activité : Acceptée.').waitFor({ timeout: 15_000 });
    await news.getByText(REASON, { exact: false }).waitFor();
    // with what is granted, on the Paris calendar
    await news.getByText('Montant : 607,75 € par mois, à partir du 1er mai 2026').waitFor();
    await kiosk.expectAccessible('home with the decision as news');
    await kiosk.logout();
  });
});
