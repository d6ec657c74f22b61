/**
 * Aid applications on both engines: the happy path with its history and journal, a wrong event that
 * changes nothing, two concurrent submissions of which exactly one wins, unknown aid or person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { readSeedFile, seedDatabase } from '../../edge/seed.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { CAMILLE, countRows, DIALECTS, freshEnv, SEED_PATH, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { createApplication, fireEvent, getApplication, history, queue } from './applications.ts';
import type { ApplicationActor } from './applications.ts';
import type { ApplicationEvent } from './state-machine.ts';

const APPLICANT: ApplicationActor = { kind: 'applicant', id: CAMILLE.identifier };
const SYSTEM: ApplicationActor = { kind: 'system', id: 'pieces-check' };
const CAF: ApplicationActor = { kind: 'institution', id: 'staff-caf-1' };

describe.each(DIALECTS)('aid applications (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });

  const create = async (identifier: string = CAMILLE.identifier, aidId = 'rsa') => {
    const r = await createApplication(storage.db, dialect, { personIdentifier: identifier, aidId, actor: APPLICANT });
    if (!r.ok) throw new Error(r.reason);
    return r.application;
  };
  const fire = (applicationId: string, event: ApplicationEvent, actor: ApplicationActor, message?: string) =>
    fireEvent(storage.db, dialect, { applicationId, event, actor, ...(message !== undefined ? { message } : {}) });

  it('goes from draft to accepted, with the history in order and the journal chained', async () => {
    const app = await create();
    expect(app).toMatchObject({ state: 'draft', aidId: 'rsa', submittedAt: null, decidedAt: null });

    const steps: [ApplicationEvent, ApplicationActor, string | undefined, string][] = [
      ['start-collecting', APPLICANT, undefined, 'collecting-pieces'],
      ['all-pieces-present', SYSTEM, undefined, 'ready'],
      ['submit', APPLICANT, undefined, 'submitted'],
      ['take-up', CAF, undefined, 'in-processing'],
      ['request-information', CAF, 'Merci de joindre votre dernier bulletin de salaire', 'information-requested'],
      ['information-provided', APPLICANT, 'Bulletin de novembre déposé', 'in-processing'],
      ['accept', CAF, 'Droits ouverts au 1er décembre', 'accepted'],
    ];
    for (const [event, actor, message, to] of steps) {
      const r = await fire(app.id, event, actor, message);
      expect(r, event).toMatchObject({ ok: true, application: { state: to }, transition: { event, to } });
    }

    const now = await getApplication(storage.db, app.id);
    expect(now).toMatchObject({ state: 'accepted', decisionReason: 'Droits ouverts au 1er décembre' });
    expect(now?.submittedAt).not.toBeNull();
    expect(now?.decidedAt).not.toBeNull();

    const h = await history(storage.db, app.id);
    expect(h.map((t) => [t.seq, t.from, t.event, t.to, t.actor.kind])).toEqual([
      [1, null, 'create', 'draft', 'applicant'],
      [2, 'draft', 'start-collecting', 'collecting-pieces', 'applicant'],
      [3, 'collecting-pieces', 'all-pieces-present', 'ready', 'system'],
      [4, 'ready', 'submit', 'submitted', 'applicant'],
      [5, 'submitted', 'take-up', 'in-processing', 'institution'],
      [6, 'in-processing', 'request-information', 'information-requested', 'institution'],
      [7, 'information-requested', 'information-provided', 'in-processing', 'applicant'],
      [8, 'in-processing', 'accept', 'accepted', 'institution'],
    ]);
    expect(h[5]?.message).toBe('Merci de joindre votre dernier bulletin de salaire');

    const journal = await storage.db.selectFrom('audit_journal').selectAll().where('detail', 'like', `%${app.id}%`).orderBy('seq').execute();
    expect(journal.map((j) => [j.action, j.actor_kind])).toEqual([
      ['application.create', 'person'],
      ['application.start-collecting', 'person'],
      ['application.all-pieces-present', 'system'],
      ['application.submit', 'person'],
      ['application.take-up', 'staff'],
      ['application.request-information', 'staff'],
      ['application.information-provided', 'person'],
      ['application.accept', 'staff'],
    ]);
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });

    expect((await queue(storage.db, { aidIds: ['rsa'], states: ['accepted'] })).map((a) => [a.id, a.personIdentifier])).toContainEqual([app.id, CAMILLE.identifier]);
    expect(await queue(storage.db, { aidIds: ['aah'], states: ['accepted'] })).toEqual([]);
    expect(await queue(storage.db, { aidIds: [], states: ['accepted'] })).toEqual([]);
  });

  it('a wrong event changes nothing: no state, no history, no journal entry', async () => {
    const app = await create();
    const before = { transitions: await countRows(storage.db, 'application_transitions'), journal: await countRows(storage.db, 'audit_journal') };
    expect(await fire(app.id, 'submit', APPLICANT)).toEqual({ ok: false, reason: 'not-allowed-in-state' });
    expect(await fire(app.id, 'all-pieces-present', APPLICANT)).toEqual({ ok: false, reason: 'actor-not-allowed' });
    expect(await fire('00000000-0000-0000-0000-000000000000', 'start-collecting', APPLICANT)).toEqual({ ok: false, reason: 'unknown-application' });

    await fire(app.id, 'all-pieces-present', SYSTEM);
    await fire(app.id, 'submit', APPLICANT);
    await fire(app.id, 'take-up', CAF);
    const mid = { transitions: await countRows(storage.db, 'application_transitions'), journal: await countRows(storage.db, 'audit_journal') };
    expect(mid.transitions - before.transitions).toBe(3);
    expect(await fire(app.id, 'refuse', CAF)).toEqual({ ok: false, reason: 'message-required' });
    expect(await fire(app.id, 'refuse', CAF, '   ')).toEqual({ ok: false, reason: 'message-required' });
    expect(await getApplication(storage.db, app.id)).toMatchObject({ state: 'in-processing', decidedAt: null, decisionReason: null });
    expect({ transitions: await countRows(storage.db, 'application_transitions'), journal: await countRows(storage.db, 'audit_journal') }).toEqual(mid);

    expect(await fire(app.id, 'refuse', CAF, 'Ressources au-dessus du plafond')).toMatchObject({ ok: true, application: { state: 'refused', decisionReason: 'Ressources au-dessus du plafond' } });
    expect(await fire(app.id, 'withdraw', APPLICANT)).toEqual({ ok: false, reason: 'already-decided' });
    expect(await fire(app.id, 'close', CAF)).toMatchObject({ ok: true, application: { state: 'closed' } });
    expect(await fire(app.id, 'close', CAF)).toEqual({ ok: false, reason: 'terminal' });
  });

  it('two concurrent submissions: exactly one succeeds, recorded once', async () => {
    const app = await create(YANIS.identifier, 'aah');
    await fire(app.id, 'all-pieces-present', SYSTEM);
    const yanis: ApplicationActor = { kind: 'applicant', id: YANIS.identifier };
    const results = await Promise.all([fire(app.id, 'submit', yanis), fire(app.id, 'submit', yanis)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'not-allowed-in-state' }]);
    expect((await history(storage.db, app.id)).map((t) => t.event)).toEqual(['create', 'all-pieces-present', 'submit']);
    expect(await getApplication(storage.db, app.id)).toMatchObject({ state: 'submitted' });
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('many concurrent submissions of several applications: one success each, the journal stays chained', async () => {
    const apps = await Promise.all([create(), create(), create()]);
    for (const a of apps) await fire(a.id, 'all-pieces-present', SYSTEM);
    const results = await Promise.all(apps.flatMap((a) => Array.from({ length: 6 }, () => fire(a.id, 'submit', APPLICANT))));
    expect(results.filter((r) => r.ok)).toHaveLength(apps.length);
    for (const a of apps) expect((await history(storage.db, a.id)).map((t) => t.event)).toEqual(['create', 'all-pieces-present', 'submit']);
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('refuses an unknown aid, an unknown person, and an institution creating an application', async () => {
    const before = await countRows(storage.db, 'applications');
    expect(await createApplication(storage.db, dialect, { personIdentifier: CAMILLE.identifier, aidId: 'aide-imaginaire', actor: APPLICANT })).toEqual({ ok: false, reason: 'unknown-aid' });
    expect(await createApplication(storage.db, dialect, { personIdentifier: 'FAC-0000-0000-0000', aidId: 'rsa', actor: APPLICANT })).toEqual({ ok: false, reason: 'unknown-person' });
    expect(await createApplication(storage.db, dialect, { personIdentifier: CAMILLE.identifier, aidId: 'rsa', actor: CAF })).toEqual({ ok: false, reason: 'actor-not-allowed' });
    expect(await countRows(storage.db, 'applications')).toBe(before);
  });
});
