/**
 * The aid space of the kiosk core through its contract, against the real server, over real pcscd with
 * the demo's virtual cards (tests/support/stack.ts): catalogue, simulation, filing, the checklist filled
 * from the vault, signing by the card for automatic sending (a wrong PIN sends nothing), papers scanned
 * afterwards that make the server send it by itself, the receipt, a decision pushed live and kept as a
 * notice, and the plain words when the server cannot be reached.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMonth, renderCafCertificate, renderPayslip } from '../../../tests/fixtures/admin.ts';
import { renderRib } from '../../../tests/fixtures/documents.ts';
import { renderIdentityCard } from '../../../tests/fixtures/identity.ts';
import { startStack } from '../../../tests/support/stack.ts';
import type { Stack } from '../../../tests/support/stack.ts';
import { coreCalls, until } from '../../../tests/support/core-calls.ts';
import type { KioskEvent, Params } from '../../contract/schema.ts';

let stack: Stack;
const events: KioskEvent[] = [];

const { call, ok, login } = coreCalls(() => stack);

async function logout(): Promise<void> {
  await ok('session.end', {});
  await stack.remove(0, { force: true });
  await until('the attract screen', () => stack.core.session.state.screen === 'attract', 15_000);
  // pcscd polls vpcd's readers (about every 400 ms): a card put in before it saw this one leave would go unseen
  await new Promise((r) => setTimeout(r, 1000));
}

/** A paper through the capture path the screens use (OCR, check, confirm), then synced. */
async function deposit(png: Buffer, docType: string): Promise<string> {
  const analysis = await ok('capture.analyse', { image: new Uint8Array(png), mime: 'image/png' });
  expect(analysis.docType).toBe(docType);
  const fields = Object.fromEntries(Object.entries(analysis.fields).map(([k, f]) => [k, f.value]));
  // a paper in another name is asked about: these papers stand for the person's own
  const { documentId } = await ok('capture.confirm', { captureId: analysis.captureId, fields, ...(analysis.holder ? { holderAnswer: { answer: 'mine' as const } } : {}) });
  return documentId;
}

const SALARIED_TENANT: Params<'applications.create'>['situation'] = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };

beforeAll(async () => {
  stack = await startStack();
  stack.core.onEvent((e) => events.push(e));
  await until('the kiosk online', () => stack.core.sync.connected, 15_000);
});

afterAll(async () => {
  await stack?.close();
});

describe('the aid space in the kiosk core', () => {
  it('catalogue and simulation, in the person’s words', async () => {
    await login('Camille');
    const cat = await ok('aids.catalogue', {});
    const prime = cat.aids.find((a) => a.id === 'prime-activite');
    expect(prime).toMatchObject({ institutionName: 'la CAF', simulable: true, process: { kind: 'simple' } });
    expect(prime?.officialUrl).toMatch(/^https:\/\//);
    expect(cat.aids.find((a) => a.id === 'rsa')?.process).toMatchObject({ kind: 'bundle', with: [{ id: 'css', name: expect.stringMatching(/santé solidaire/i) }] });
    expect(cat.aids.find((a) => a.id === 'aah')?.process).toMatchObject({ kind: 'linked', after: { id: 'demande-mdph' } });

    const sim = await ok('aids.simulate', {
      situation: {
        residesInFrance: true,
        couple: false,
        adults: [{ age: 30, resources: { salaries: 1000, unemploymentBenefits: 0, pensions: 0, other: 0 } }],
        children: [],
        housing: { status: 'tenant', rent: 550, housingBenefit: 0 },
      },
    });
    const estimate = sim.results.find((r) => r.aid === 'prime-activite');
    expect(estimate).toMatchObject({ eligible: true, canFile: true });
    expect(estimate?.monthlyAmount).toBeGreaterThan(0);
    expect(sim.warnings.join(' ')).toMatch(/estimation/i);

    // the server's own rule, in French, before anything is asked
    const bad = await call('aids.simulate', {
      situation: {
        residesInFrance: true,
        couple: true,
        adults: [{ age: 30, resources: { salaries: 0, unemploymentBenefits: 0, pensions: 0, other: 0 } }],
        children: [],
        housing: { status: 'hosted-free' },
      },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('En couple il faut 2 adultes') } });

    // the housing aid from the tenant's commune, found by its name or its postcode on the tablet's own table
    const byName = await ok('aids.communes', { query: 'toulouse' });
    expect(byName.communes[0]).toMatchObject({ code: '31555', name: 'Toulouse' });
    expect((await ok('aids.communes', { query: '31000' })).communes.map((c) => c.code)).toContain('31555');
    expect((await ok('aids.communes', { query: 'zzzz' })).communes).toEqual([]);
    expect(await call('aids.communes', { query: 'x'.repeat(61) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const tenant = (commune?: string) => ({
      situation: {
        residesInFrance: true,
        couple: false,
        adults: [{ age: 30, resources: { salaries: 900, unemploymentBenefits: 0, pensions: 0, other: 0 } }],
        children: [],
        housing: { status: 'tenant' as const, rent: 550, housingBenefit: 0, ...(commune ? { commune } : {}) },
      },
    });
    const withCommune = (await ok('aids.simulate', tenant('31555'))).results.find((r) => r.aid === 'aides-logement');
    expect(withCommune).toMatchObject({ eligible: true });
    expect(withCommune?.monthlyAmount).toBeGreaterThan(0);
    expect((await ok('aids.simulate', tenant())).results.find((r) => r.aid === 'aides-logement')?.eligible).toBe('unknown');
    expect(await call('aids.simulate', tenant('31999'))).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('31999 n’est pas une commune connue') } });
  });

  it('offers the aide au logement of her newest CAF attestation that names one, for the housing question', async () => {
    expect(await ok('aids.cafHousingBenefit', {})).toEqual({ benefit: null });
    // the first attestation (by its seed) that pays a housing aid
    let attestation = await renderCafCertificate({ seed: 1 });
    for (let seed = 2; !['amount_apl', 'amount_als', 'amount_alf'].some((k) => attestation.expected.fields[k]); seed++) attestation = await renderCafCertificate({ seed });
    const paid = ['amount_apl', 'amount_als', 'amount_alf'].map((k) => attestation.expected.fields[k]).find((v) => v !== undefined);
    await deposit(attestation.png, 'caf-certificate');
    await stack.core.sync.flushed(30_000);
    const { benefit } = await ok('aids.cafHousingBenefit', {});
    expect(benefit).toMatchObject({ month: attestation.expected.fields.period, amount: Number(paid) });
  });

  let dossierId = '';

  it('files, signs for automatic sending (a wrong PIN sends nothing), and the server sends it when the last paper arrives', async () => {
    await deposit((await renderRib({ seed: 4242, holder: 'Mme Camille MARTIN' })).png, 'rib');
    await stack.core.sync.flushed(30_000);

    ({ dossierId } = await ok('applications.create', { aidIds: ['prime-activite'], situation: SALARIED_TENANT }));
    const d = await ok('applications.get', { dossierId });
    expect(d.aids).toMatchObject([{ aidId: 'prime-activite', stateLabel: 'Il manque des papiers', institutionKind: 'caf' }]);
    const status = Object.fromEntries(d.checklist.map((c) => [c.itemId, c.status]));
    expect(status).toEqual({ identite: 'absent', rib: 'present', 'bulletins-salaire': 'absent' });
    expect(d.checklist.find((c) => c.itemId === 'rib')?.document?.title).toMatch(/RIB/);
    expect(d.checklist.find((c) => c.itemId === 'identite')?.docTitles).toEqual(['Carte d’identité', 'Passeport']);
    expect(d).toMatchObject({ canSubmit: false, canSign: true, signedAt: null });

    // sending now needs every paper: the server says which are missing
    const manual = await call('applications.prepare', { dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' } });
    expect(manual).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('Il manque encore des papiers') } });

    const ground = { kind: 'beneficiary-signature' } as const;
    const review = await ok('applications.prepare', { dossierId, mode: 'automatic', ground });
    expect(review).toMatchObject({ mode: 'automatic', signer: 'Camille', aids: [{ aidName: 'Prime d’activité', institutionName: 'la CAF' }] });
    expect(review.pieces.map((p) => [p.itemId, p.documentTitle !== null])).toEqual([
      ['identite', false],
      ['rib', true],
      ['bulletins-salaire', false],
    ]);

    // a wrong PIN: tries left, nothing sent
    expect(await ok('applications.sign', { dossierId, mode: 'automatic', ground, pin: '000000' })).toEqual({ outcome: 'wrong', triesLeft: 2 });
    expect((await stack.server.db.selectFrom('dossiers').select(['signed_at']).where('id', '=', dossierId).executeTakeFirstOrThrow()).signed_at).toBeNull();
    // not what was shown: refused before the card is asked
    expect(await call('applications.sign', { dossierId, mode: 'manual', ground, pin: '142536' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    await ok('applications.prepare', { dossierId, mode: 'automatic', ground });

    const signed = await ok('applications.sign', { dossierId, mode: 'automatic', ground, pin: stack.person('Camille').card.pin });
    expect(signed).toMatchObject({ outcome: 'sent', state: 'waiting-for-pieces', receiptNumber: expect.stringMatching(/^FAC-\d{4}-[0-9A-Z]{8}$/) });
    const waiting = await ok('applications.get', { dossierId });
    expect(waiting).toMatchObject({ mode: 'automatic', canSign: false, submittedAt: null });
    expect(waiting.signedAt).not.toBeNull();
    const receipt = await ok('applications.printReceipt', { dossierId });
    expect(receipt.printed).toBe(false);
    expect(receipt.pages).toBeGreaterThanOrEqual(1);

    // a paper chosen while still on its way from the kiosk is "arriving"
    await ok('applications.choosePiece', { dossierId, itemId: 'identite', documentId: randomUUID() });
    expect((await ok('applications.get', { dossierId })).checklist.find((c) => c.itemId === 'identite')?.status).toBe('arriving');

    // the missing papers, scanned now and chosen for their items (in the outbox, or just arrived)
    const id = await deposit((await renderIdentityCard({ seed: 3, font: 'DejaVu Sans', mrzFont: 'DejaVu Sans Mono' })).png, 'identity-card');
    await ok('applications.choosePiece', { dossierId, itemId: 'identite', documentId: id });
    const slip = await deposit((await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await ok('applications.choosePiece', { dossierId, itemId: 'bulletins-salaire', documentId: slip });
    await stack.core.sync.flushed(30_000);

    const sent = await until('the automatic sending', async () => {
      const v = await ok('applications.get', { dossierId });
      return v.submittedAt ? v : null;
    });
    expect(sent.aids[0]).toMatchObject({ state: 'submitted', stateLabel: 'Envoyée' });
    expect(sent.checklist.every((c) => c.status === 'present')).toBe(true);
    expect((await ok('applications.printDossier', { dossierId })).pages).toBeGreaterThanOrEqual(1);
    const letter = await ok('applications.printLetter', { to: 'votre employeur', body: 'Madame, Monsieur,\n\nJ’ai besoin d’un bulletin de salaire — merci.' });
    expect(letter).toEqual({ pages: 1, printed: false });
  });

  it('what the server did by itself reaches the kiosk at once, and is a notice at the next login', async () => {
    // (an institution's decision goes the same way: tests/e2e/aids.e2e.test.ts)
    const applicationId = (await ok('applications.get', { dossierId })).aids[0]!.applicationId;
    await until('the status pushed to the kiosk', () => events.some((e) => e.type === 'applications.changed' && e.applicationId === applicationId), 15_000);

    await logout();
    await login('Camille');
    const { notices, dossiers } = await ok('applications.list', {});
    expect(dossiers.find((x) => x.dossierId === dossierId)?.aids[0]).toMatchObject({ state: 'submitted', stateLabel: 'Envoyée' });
    expect(notices.find((n) => n.applicationId === applicationId)).toMatchObject({ aidName: 'Prime d’activité', state: 'submitted', stateLabel: 'Envoyée', dossierId });
    await ok('applications.noticesSeen', { ids: notices.map((n) => n.id) });
    expect((await ok('applications.list', {})).notices).toEqual([]);

    // a second request for the same aid is refused in words
    const again = await call('applications.create', { aidIds: ['prime-activite'], situation: SALARIED_TENANT });
    expect(again).toMatchObject({ ok: false, error: { message: expect.stringContaining('Vous avez déjà une demande') } });
  });

  it('a card blocked while signing (third wrong PIN) signs nothing, and the session ends on the card problem', async () => {
    await logout();
    await login('Aminata');
    const { dossierId: theirs } = await ok('applications.create', { aidIds: ['cheque-energie'], situation: SALARIED_TENANT });
    const ground = { kind: 'beneficiary-signature' } as const;
    await ok('applications.prepare', { dossierId: theirs, mode: 'automatic', ground });
    expect(await ok('applications.sign', { dossierId: theirs, mode: 'automatic', ground, pin: '000000' })).toEqual({ outcome: 'wrong', triesLeft: 2 });
    expect(await ok('applications.sign', { dossierId: theirs, mode: 'automatic', ground, pin: '000001' })).toEqual({ outcome: 'wrong', triesLeft: 1 });
    expect(await ok('applications.sign', { dossierId: theirs, mode: 'automatic', ground, pin: '000002' })).toEqual({ outcome: 'blocked' });
    await until('the card refused as blocked', () => {
      const st = stack.core.session.state;
      return st.screen === 'card-problem' && st.problem === 'blocked';
    });
    expect(stack.core.session.open).toBeNull();
    const row = await stack.server.db.selectFrom('dossiers').select(['signed_at', 'signature']).where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(row).toEqual({ signed_at: null, signature: null });
    // nothing can be signed any more without a session
    expect(await call('applications.sign', { dossierId: theirs, mode: 'automatic', ground, pin: stack.person('Aminata').card.pin })).toMatchObject({ ok: false });
    expect((await stack.server.db.selectFrom('dossiers').select(['signed_at']).where('id', '=', theirs).executeTakeFirstOrThrow()).signed_at).toBeNull();
    await stack.remove(0, { force: true });
    await until('the attract screen', () => stack.core.session.state.screen === 'attract', 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    await login('Camille');
  });

  it('without the server, it says so in plain words', async () => {
    await stack.core.sync.stop();
    const r = await call('applications.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'offline', message: expect.stringContaining('besoin d’une connexion') } });
    await logout();
  });
});
