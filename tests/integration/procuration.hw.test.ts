/**
 * The procuration numérique made by the kiosk core through its contract, over real pcscd with the demo's
 * virtual cards in two vpcd slots (tests/support/stack.ts), against the real server: Sophie (agent) logs
 * in, Camille joins with her card and PIN; Camille's card signs, Sophie's countersigns (a wrong agent PIN
 * first: Camille is not asked again), the server stores it and its facts say verified and in force; it is
 * renewed with the same choices (the first one ends); her list, the printed copy, Sophie's caseload.
 * Sophie alone then acts for Camille on it: her vault, a paper scanned for her (into her vault, proven by
 * Sophie's card alone, marked as put in by Sophie on the procuration), and back to her own workspace.
 * Then Camille alone withdraws it with her card, the facts say it is over, and Sophie can no longer act
 * on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parisDay } from '../../sync-server/protocol/format.ts';
import { factsFor } from '../../sync-server/src/features/procurations/index.ts';
import { lastMonth, renderPayslip } from '../fixtures/admin.ts';
import { depositThroughCapture } from '../support/kiosk-ui.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';
import { coreCalls, until } from '../support/core-calls.ts';
import type { Params } from '../../kiosk/contract/schema.ts';

const STRUCTURE = { id: 'cms-centre', name: 'CMS du Centre' };
const DAY = 86_400_000;
const dayIn = (days: number) => parisDay(new Date(Date.now() + days * DAY));

let stack: Stack;

const { call, ok, login } = coreCalls(() => stack);

const personId = async (firstName: string) => (await stack.server.db.selectFrom('persons').select('id').where('first_name', '=', firstName).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  stack = await startStack({
    // structures are another feature's: Sophie works for the CMS du Centre
    structureOf: async (id) => ((await stack.server.db.selectFrom('persons').select('first_name').where('id', '=', id).executeTakeFirst())?.first_name === 'Sophie' ? STRUCTURE : null),
  });
  await until('the kiosk online', () => stack.core.sync.connected, 15_000);
});

afterAll(async () => {
  await stack?.close();
});

describe('the procuration numérique in the kiosk core, over pcscd', () => {
  it('Camille’s card signs, Sophie’s countersigns; stored, verified, in force; then Camille withdraws it with her card', async () => {
    const scope = {
      aids: ['*'],
      categories: ['identity' as const, 'income' as const, 'housing' as const],
      actions: ['consult' as const, 'scan-for' as const, 'file' as const, 'send-without-me' as const],
    };
    const make = (o: Partial<Params<'procuration.make'>> = {}) =>
      call('procuration.make', { scope, from: dayIn(0), until: dayIn(180), personPin: stack.person('Camille').card.pin, agentPin: stack.person('Sophie').card.pin, ...o });

    await login('Sophie');
    expect(await ok('procuration.caseload', {})).toEqual({ people: [] });
    // Camille is not there yet: nothing to sign
    expect(await make()).toMatchObject({ ok: false, error: { code: 'no-session', message: expect.stringMatching(/doivent être dans la tablette/) } });

    await stack.insert('Camille', 1);
    await until('Camille’s join PIN', () => {
      const s = stack.core.session.state;
      return s.screen === 'session' && s.joining?.step === 'pin';
    }, 15_000);
    expect(await ok('pin.submit', { pin: stack.person('Camille').card.pin, purpose: 'join' })).toEqual({ outcome: 'open' });

    // too long: said before any card signs
    expect(await make({ until: dayIn(400) })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: 'Les dates ne vont pas : une procuration dure d’un jour à un an.' } });

    // Camille's card signs; Sophie's PIN is wrong: nothing is sent, and her retry does not ask Camille again
    expect(await make({ agentPin: '000000' })).toEqual({ ok: true, value: { outcome: 'wrong', who: 'agent', triesLeft: 2 } });
    expect(await stack.server.db.selectFrom('procurations').select('id').execute()).toEqual([]);
    const made = await make({ personPin: '999999' });
    if (!made.ok || made.value.outcome !== 'made') throw new Error(`not made: ${JSON.stringify(made)}`);
    expect(made.value).toMatchObject({ renewed: null, until: dayIn(180) });
    const first = made.value.id;

    // renewed with the same choices, without starting over: the first one ends when the new one is stored
    expect((await ok('procuration.renewable', {})).procuration).toMatchObject({ id: first, state: 'in-force', scope });
    const renewal = await make({ until: dayIn(200), renews: first });
    if (!renewal.ok || renewal.value.outcome !== 'made') throw new Error(`not renewed: ${JSON.stringify(renewal)}`);
    expect(renewal.value).toMatchObject({ renewed: first, until: dayIn(200) });
    const id = renewal.value.id;
    expect((await ok('procuration.renewable', {})).procuration).toMatchObject({ id });

    const [camille, sophie] = [await personId('Camille'), await personId('Sophie')];
    const facts = () => factsFor(stack.server.db, { personId: camille, agentPersonId: sophie, procurationId: id, day: dayIn(0) }, stack.server.ca);
    expect(await facts()).toEqual({ id, personId: camille, agentPersonId: sophie, inForce: true, verified: true, categories: scope.categories, actions: scope.actions, aids: ['*'] });
    const row = await stack.server.db.selectFrom('procurations').select(['person_card_serial', 'agent_card_serial', 'kiosk_id', 'structure_id', 'text']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ person_card_serial: stack.person('Camille').card.serial, agent_card_serial: stack.person('Sophie').card.serial, structure_id: STRUCTURE.id });
    expect(JSON.parse(row.text)).toMatchObject({ person: { name: 'Camille Martin' }, agent: { name: 'Sophie Lefèvre', structure: STRUCTURE }, madeAt: { kioskId: row.kiosk_id } });

    const mine = await ok('procuration.mine', {});
    expect(mine.procurations).toMatchObject([
      { id, agent: { name: 'Sophie Lefèvre' }, structure: STRUCTURE, state: 'in-force', aidsWords: ['toutes mes démarches'] },
      { id: first, state: 'renewed' },
    ]);
    expect(await ok('procuration.caseload', {})).toEqual({ people: [expect.objectContaining({ procurationId: id, firstName: 'Camille', lastName: 'Martin' })] });
    expect(await ok('procuration.print', { procurationId: id })).toEqual({ pages: 1, printed: false });

    const leave = async (slots: (0 | 1)[]) => {
      await ok('session.end', {});
      for (const slot of slots) await stack.remove(slot, { force: true });
      await until('the attract screen', () => stack.core.session.state.screen === 'attract', 15_000);
      await new Promise((r) => setTimeout(r, 1000));
    };

    // Sophie alone acts for Camille on it
    await leave([1, 0]);
    await login('Sophie');
    expect(await call('vault.list', {})).toMatchObject({ ok: false, error: { code: 'no-session' } });
    expect(await ok('procuration.act', { procurationId: id })).toEqual({ firstName: 'Camille', lastName: 'Martin', until: dayIn(200) });
    // the one it renewed is over: refused, and the agent still acts on the new one
    expect(await call('procuration.act', { procurationId: first })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(stack.core.session.state).toMatchObject({ screen: 'session', firstName: 'Sophie', companion: null, actingFor: { procurationId: id, firstName: 'Camille', actions: scope.actions } });
    // only Camille herself withdraws it
    expect(await call('procuration.revoke', { procurationId: id })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/Seule la personne/) } });
    const documentId = await depositThroughCapture(stack, (await renderPayslip({ seed: 1, font: 'DejaVu Sans', month: lastMonth() })).png, 'payslip');
    await stack.core.sync.flushed(30_000);
    const stored = await stack.server.db
      .selectFrom('documents')
      .innerJoin('document_versions', 'document_versions.document_id', 'documents.id')
      .select(['documents.owner_person_id', 'document_versions.deposited_by'])
      .where('documents.id', '=', documentId)
      .executeTakeFirstOrThrow();
    expect(stored.owner_person_id).toBe(camille);
    expect(JSON.parse(stored.deposited_by ?? '{}')).toMatchObject({ agentIdentifier: stack.person('Sophie').identifier, procurationId: id, ground: 'procuration' });
    expect((await ok('vault.list', {})).items.map((i) => i.id)).toContain(documentId);
    // back to her own workspace: Camille's papers are closed again
    expect(await ok('procuration.stopActing', {})).toEqual({});
    expect(stack.core.session.state).toMatchObject({ screen: 'session', actingFor: null });
    expect(await call('vault.list', {})).toMatchObject({ ok: false, error: { code: 'no-session' } });

    // Camille, alone at the kiosk, withdraws it with her card
    await leave([0]);
    await login('Camille');
    expect(await call('procuration.caseload', {})).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await ok('procuration.revoke', { procurationId: id, reason: 'je n’en ai plus besoin' })).toEqual({});
    expect(await facts()).toMatchObject({ inForce: false, verified: true });
    expect((await ok('procuration.mine', {})).procurations).toMatchObject([
      { id, state: 'revoked-person', stateLabel: 'Retirée par vous' },
      { id: first, state: 'renewed' },
    ]);
    expect(await call('procuration.revoke', { procurationId: id })).toMatchObject({ ok: false, error: { message: 'Cette procuration est déjà finie.' } });

    // Sophie's next attempt is refused by the server, in plain words
    await leave([0]);
    await login('Sophie');
    expect(await call('procuration.act', { procurationId: id })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/Cette procuration ne peut pas servir/) } });
    expect(stack.core.session.state).toMatchObject({ screen: 'session', actingFor: null });
  });
});
