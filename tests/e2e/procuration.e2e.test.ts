/**
 * The procuration numérique on screen, through real parts: Sophie's agent card and Camille's card over
 * pcscd in the two slots of the box, the real server, Chromium at 1280×800 whose fake camera films a RIB
 * in Camille's name. Made together — chosen in plain words, signed by Camille's card then countersigned
 * by Sophie's, each with its own code. Sophie alone then finds Camille among the people she follows, acts
 * for her: files her request, scans her RIB into it (« déposé par » Sophie, on the procuration), and sends
 * it without her, signed by her own agent card. Camille alone reads in « Qui peut agir pour moi ? » what
 * Sophie did and withdraws it in two taps; Sophie's list is then empty and her next attempt is refused
 * by the server in plain words. axe-core and the fold on every screen. FAC_E2E_SHOTS=<folder> keeps a
 * picture of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { renderRib } from '../fixtures/documents.ts';
import { renderIdentityCard } from '../fixtures/identity.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { depositThroughCapture, openKioskScreens } from '../support/kiosk-ui.ts';
import type { KioskScreens, KioskUi } from '../support/kiosk-ui.ts';
import type { Stack } from '../support/stack.ts';

let screens: KioskScreens;
let stack: Stack;
let page: Page;
let ui: KioskUi;
let mediaDir: string;

beforeAll(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  // the camera films Camille's RIB: the paper Sophie scans for her request
  await writeY4m((await renderRib({ seed: 4242, holder: 'Mme Camille MARTIN' })).png, join(mediaDir, 'rib.y4m'));
  screens = await openKioskScreens('procuration-', { fakeVideo: join(mediaDir, 'rib.y4m') });
  ({ stack, page, ui } = screens);
});

afterAll(async () => {
  await screens?.close();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

/** Both cards out, the box ready for the next person. */
async function bothOut(): Promise<void> {
  await page.getByRole('button', { name: 'Terminer' }).click();
  await page.getByText('Retirez les 2 cartes.').waitFor();
  await stack.remove(0);
  await stack.remove(1);
  await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
  await expect.poll(() => stack.box.inserted(0) === null && stack.box.inserted(1) === null).toBe(true);
  await new Promise((r) => setTimeout(r, 900));
}

const rows = () => stack.server.db.selectFrom('procurations').selectAll().execute();

describe('a procuration numérique', () => {
  it('is made together: chosen in plain words, signed by Camille’s card, countersigned by Sophie’s', async () => {
    await ui.accompany('Camille');
    await page.getByRole('button', { name: 'Faire une procuration' }).click();
    await page.getByRole('heading', { name: 'Une procuration pour Camille', level: 1 }).waitFor();
    // nothing is chosen for the person
    expect(await page.getByRole('button', { pressed: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lire et signer' }).isDisabled()).toBe(true);
    await ui.expectAccessible('procuration: the choices');
    for (const name of [
      'Regarder vos papiers',
      'Ajouter des papiers pour vous',
      'Commencer une demande pour vous',
      'Envoyer vos demandes sans vous',
      'Identité',
      'Revenus',
      'Banque (RIB)',
      'Toutes les démarches',
      '1 mois',
    ]) {
      await page.getByRole('button', { name, exact: true }).click();
    }
    await page.getByText(/^Jusqu’au .* compris$/).waitFor();
    await page.getByRole('button', { name: 'Lire et signer' }).click();

    await page.getByRole('heading', { name: 'Camille, tapez votre code pour signer' }).waitFor();
    await ui.expectAccessible('procuration: Camille signs');
    await ui.typePin(stack.person('Camille').card.pin);
    await page.getByRole('heading', { name: 'Sophie, tapez votre code pour signer aussi' }).waitFor();
    // a wrong code from the agent signs nothing more, and says how many tries are left
    await ui.typePin('000000');
    await page.getByText(/Code faux\. Il reste 2 essais\./).waitFor();
    expect(await rows()).toHaveLength(0);
    await ui.typePin(stack.person('Sophie').card.pin);
    await page.getByRole('heading', { name: 'La procuration est faite.' }).waitFor({ timeout: 15_000 });
    await ui.expectAccessible('procuration: made');

    const [made] = await rows();
    expect(made).toMatchObject({ revoked_at: null });
    expect(JSON.parse(made!.text)).toMatchObject({
      scope: { aids: ['*'], categories: ['identity', 'income', 'bank'], actions: ['consult', 'scan-for', 'file', 'send-without-me'] },
    });
    await page.getByRole('button', { name: 'C’est fini' }).click();
    // while both are here, two of her papers go into her vault (her request will take them)
    await depositThroughCapture(stack, (await renderIdentityCard({ seed: 3, font: 'DejaVu Sans', mrzFont: 'DejaVu Sans Mono' })).png, 'identity-card');
    await depositThroughCapture(stack, (await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await stack.core.sync.flushed(30_000);
    await bothOut();
  });

  it('Sophie alone acts for Camille: files her request, scans her RIB into it, sends it without her, signed by her own card', async () => {
    const [procuration] = await rows();
    await ui.loginAgent();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).click();
    await page.getByRole('heading', { name: 'Les personnes que je suis', level: 1 }).waitFor();
    await page.getByRole('heading', { name: /^Camille / }).waitFor();
    // what Camille allowed, said of her to Sophie
    await page.getByText(/Regarder ses papiers, .*Envoyer ses demandes en son absence/).waitFor();
    await ui.expectAccessible('procuration: the agent’s people');

    // a search through all her people's papers: Camille's identity card, which opens for her
    await page.getByLabel('Chercher un papier chez les personnes que je suis').click();
    await ui.typeText('identite');
    await page.getByRole('button', { name: 'Chercher', exact: true }).click();
    await page.getByText('1 papier trouvé.').waitFor();
    await ui.expectAccessible('the agent searches her people’s papers');
    await page.getByRole('button', { name: /Papier de Camille Martin/ }).click();
    await page.getByText('Vous agissez pour Camille Martin, avec sa procuration.').waitFor();
    await page.getByRole('heading', { name: /Carte d’identité/, level: 1 }).waitFor();
    // she may not delete it: only Camille can
    expect(await page.getByRole('button', { name: /Supprimer/ }).count()).toBe(0);
    await ui.expectAccessible('acting for Camille: a paper found');
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('button', { name: 'Arrêter d’agir pour Camille' }).click();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).click();
    await page.getByRole('button', { name: 'Agir pour Camille Martin' }).click();

    // her home, under a banner that says for whom, until when, and that it is journaled
    await page.getByText('Vous agissez pour Camille Martin, avec sa procuration.').waitFor();
    await page.getByText(/^Jusqu’au .* compris\. Tout ce que vous faites est écrit dans son journal\.$/).waitFor();
    await page.getByText(/Elle vous permet de : Regarder ses papiers, /).waitFor();
    expect(await page.getByRole('button', { name: /^Qui peut agir pour moi/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Mon journal/ }).count()).toBe(0);
    await ui.expectAccessible('acting for Camille: home');

    // her vault: the papers she allowed, put in with Sophie beside her; the screens speak of her papers, not Sophie's
    expect(await page.getByRole('button', { name: /^Mes papiers/ }).count()).toBe(0);
    await page.getByRole('button', { name: /^Les papiers de Camille/ }).click();
    await page.getByRole('heading', { name: 'Les papiers de Camille', level: 1 }).waitFor();
    await page.getByRole('button', { name: /Carte d’identité/ }).first().waitFor();
    await ui.expectAccessible('acting for Camille: her vault');
    await page.getByRole('button', { name: 'Retour', exact: true }).click();

    // her request, filed by Sophie; the identity card and the payslip are taken from her vault
    // the questions are about Camille: asked as to her, and said so
    await page.getByRole('button', { name: /^Les aides de Camille/ }).click();
    await page.getByRole('button', { name: 'Demander une aide' }).click();
    await page.getByRole('article', { name: 'Prime d’activité' }).getByRole('button', { name: /Faire la demande/ }).click();
    await page.getByText('Répondez pour Camille : ici, « vous » veut dire Camille.').waitFor();
    await ui.expectAccessible('acting for Camille: her request’s questions');
    await page.getByRole('button', { name: 'Arrêter' }).click();
    await page.getByRole('heading', { name: 'Demander une aide', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Retour' }).last().click();
    await page.getByRole('heading', { name: 'Les aides de Camille', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await ui.filePrimeActivite(/^Les aides de Camille/);
    await page.getByText('La demande de Camille', { exact: true }).waitFor();
    const piece = (label: RegExp) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label, level: 3 }) });
    await piece(/Votre RIB/).getByRole('button', { name: /Le scanner maintenant/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await page.getByText('Relevé d’identité bancaire (RIB)').first().waitFor();
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByText('Le papier est ajouté à sa demande.').waitFor();
    await stack.core.sync.flushed(30_000);

    // in her vault, marked as put in by Sophie on the procuration
    const rib = await stack.server.db
      .selectFrom('document_versions')
      .innerJoin('documents', 'documents.id', 'document_versions.document_id')
      .select(['document_versions.deposited_by', 'documents.owner_person_id'])
      .where('documents.doc_type', '=', 'rib')
      .executeTakeFirstOrThrow();
    const camille = await stack.server.db.selectFrom('persons').select('id').where('identifier', '=', stack.person('Camille').identifier).executeTakeFirstOrThrow();
    expect(rib.owner_person_id).toBe(camille.id);
    expect(JSON.parse(rib.deposited_by ?? '{}')).toMatchObject({ agentIdentifier: stack.person('Sophie').identifier, procurationId: procuration!.id });

    // sent without her: Sophie's card signs, on the procuration
    await page.getByRole('button', { name: /^Envoyer maintenant pour Camille/ }).click();
    await page.getByRole('heading', { name: 'Vérifiez avant d’envoyer', level: 1 }).waitFor();
    await page.getByText('La carte de Sophie signe la demande.').waitFor();
    await page.getByText('Avec la procuration de Camille. Camille le verra dans son journal.').waitFor();
    await ui.expectAccessible('acting for Camille: what will be sent');
    await page.getByRole('button', { name: 'C’est bon, je signe' }).click();
    await page.getByRole('heading', { name: 'Tapez votre code d’agent pour signer' }).waitFor();
    await ui.typePin(stack.person('Sophie').card.pin);
    await page.getByRole('heading', { name: 'La demande de Camille est envoyée.' }).waitFor({ timeout: 15_000 });
    await ui.expectAccessible('acting for Camille: sent');
    const signed = await stack.server.db.selectFrom('dossiers').select(['ground', 'signer_identifier', 'submitted_at']).executeTakeFirstOrThrow();
    expect(signed.signer_identifier).toBe(stack.person('Sophie').identifier);
    expect(signed.submitted_at).not.toBeNull();
    expect(JSON.parse(signed.ground ?? '{}')).toEqual({ kind: 'procuration', procurationId: procuration!.id });

    // back to her own workspace
    await page.getByRole('button', { name: 'Voir la demande de Camille' }).click();
    await page.getByRole('button', { name: 'Retour aux aides de Camille' }).click();
    await page.getByRole('heading', { name: 'Les demandes de Camille' }).waitFor();
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('button', { name: 'Arrêter d’agir pour Camille' }).click();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).waitFor();
    await ui.logout();
  });

  it('Camille reads who may act for her and withdraws it in two taps; Sophie’s list is then empty', async () => {
    await ui.login('Camille');
    // in her vault, the RIB says who put it in for her
    await page.getByRole('button', { name: /^Mes papiers/ }).click();
    await page.getByRole('button', { name: /Déposé par Sophie Lefèvre/ }).first().waitFor();
    await ui.expectAccessible('her vault: a paper put in by the agent');
    await page.getByRole('button', { name: 'Retour', exact: true }).click();
    await page.getByRole('button', { name: /^Qui peut agir pour moi/ }).click();
    await page.getByRole('heading', { name: 'Qui peut agir pour moi ?', level: 1 }).waitFor();
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /^Sophie Lefèvre, / }) });
    await item.getByText(/envoyer mes demandes sans moi/).waitFor();
    // what Sophie did for her, from the journal
    await item.getByText(/^A fait [1-9]\d* choses? pour vous/).waitFor();
    await ui.expectAccessible('procuration: who may act for me');
    await item.getByRole('button', { name: 'Retirer cette procuration' }).click();
    await page.getByRole('alertdialog', { name: 'Retirer la procuration de Sophie Lefèvre ?' }).waitFor();
    await ui.expectAccessible('procuration: withdraw?');
    await page.getByRole('button', { name: 'Oui, je la retire' }).click();
    await page.getByText('La procuration est retirée.').waitFor();
    await page.getByText('Personne. Vous n’avez pas donné de procuration.').waitFor();
    expect((await rows())[0]?.revoked_at).not.toBeNull();
    await page.getByRole('button', { name: 'Retour' }).click();
    await ui.logout();

    await ui.loginAgent();
    await page.getByRole('button', { name: /^Les personnes que je suis/ }).click();
    await page.getByText('Personne ne vous a donné de procuration pour le moment.').waitFor();
    // the next attempt on the withdrawn procuration (as from a list read before): the server refuses it, in plain words
    const [withdrawn] = await rows();
    const answer = await page.evaluate(
      (procurationId) => (window as unknown as { kiosk: { invoke(m: string, p: unknown): Promise<unknown> } }).kiosk.invoke('procuration.act', { procurationId }),
      withdrawn!.id,
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const refused = (answer as { error: { message: string } }).error.message;
    expect(refused).toMatch(/procuration/i);
    // the server's words, not a code
    expect(refused).not.toMatch(/[a-z]+_[a-z]+/);
    await page.getByRole('button', { name: 'Retour' }).click();
    await ui.logout();
  });
});
