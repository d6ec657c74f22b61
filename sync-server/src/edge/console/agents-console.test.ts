/**
 * The structure admin's page of agents, through Fastify inject, on both engines: the list, a level
 * changed, a suspension and a reactivation, an agent attached by their card identifier — each journaled
 * with the admin as actor — and the refusals: another structure's admin, an institution's head of
 * service, no CSRF token, a person who is no agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../features/accounts/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { addPerson, TEST_STRUCTURE } from '../../../test-support/test-cards.ts';
import { CAMILLE, DIALECTS, freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { readSeedFile, seedDatabase } from '../seed.ts';
import { registerConsole } from './routes.ts';

const PASSWORD = 'demo-console-1234';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SOPHIE = 'FAC-R9TD-4HWN-3GAK';

const cookiesOf = (res: LightMyRequestResponse): Map<string, string> => {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.split('=')[0]!, c.split(';')[0]!.split('=').slice(1).join('=')]));
};
const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.each(DIALECTS)('structure admin console (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let app: FastifyInstance;
  let blobDir: string;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    // a second structure (the test agents') and its admin
    await addPerson(storage.db, { role: 'agent', firstName: 'Luc', lastName: 'Moreau', level: 'accueil' });
    await storage.db
      .insertInto('staff_accounts')
      .values({ id: randomUUID(), login: 'ccas-admin', display_name: 'Admin CCAS', institution_id: null, role: 'structure-admin', structure_id: TEST_STRUCTURE.id, password_hash: await hashPassword(PASSWORD), created_at: new Date().toISOString(), disabled_at: null })
      .execute();
    blobDir = mkdtempSync(join(tmpdir(), 'fac-agents-console-'));
    app = Fastify({ logger: false });
    await registerConsole(app, { db: storage.db, dialect: storage.dialect, blobStore: new LocalBlobStore(blobDir) });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await storage?.db.destroy();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
    await env?.cleanup();
  });

  async function login(name: string) {
    const page = await app.inject({ method: 'GET', url: '/console/connexion' });
    const res = await app.inject({
      method: 'POST',
      url: '/console/connexion',
      headers: { ...FORM, cookie: `fac_console_login=${cookiesOf(page).get('fac_console_login')}` },
      payload: new URLSearchParams({ csrf: csrfOf(page.body), login: name, password: PASSWORD }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    const cookie = `fac_console=${cookiesOf(res).get('fac_console')}`;
    return {
      cookie,
      get: (url: string) => app.inject({ method: 'GET', url, headers: { cookie } }),
      post: (url: string, body: Record<string, string>) => app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams(body).toString() }),
    };
  }

  async function adminOf(name: string) {
    const b = await login(name);
    const page = await b.get('/console/agents');
    expect(page.statusCode).toBe(200);
    const csrf = csrfOf(page.body);
    return { ...b, csrf, change: (body: Record<string, string>) => b.post('/console/agents/changement', { csrf, ...body }) };
  }

  const profileOf = async (identifier: string) =>
    storage.db
      .selectFrom('agent_profiles')
      .innerJoin('persons', 'persons.id', 'agent_profiles.person_id')
      .select(['agent_profiles.level', 'agent_profiles.structure_id', 'agent_profiles.suspended_at', 'agent_profiles.suspended_reason'])
      .where('persons.identifier', '=', identifier)
      .executeTakeFirst();
  const lastAudit = async () => storage.db.selectFrom('audit_journal').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();

  it('sends the structure admin to their agents: name, identifier, level, state; never to the requests', async () => {
    const b = await login('cms-admin');
    const home = await b.get('/console');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/console/agents');
    const page = await b.get('/console/agents');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('CMS du centre-ville');
    expect(page.body).toContain('Sophie Lefèvre');
    expect(page.body).toContain(SOPHIE);
    expect(page.body).toContain('Travail social');
    expect(page.body).toContain('Actif');
    // the other structure's agent is not listed
    expect(page.body).not.toContain('Luc Moreau');
  });

  it('changes a level, suspends and reactivates, each journaled with the admin as actor', async () => {
    const a = await adminOf('cms-admin');
    const account = await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', 'cms-admin').executeTakeFirstOrThrow();
    let res = await a.change({ action: 'level', identifier: SOPHIE, level: 'accueil' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/agents?fait=oui');
    expect(await profileOf(SOPHIE)).toMatchObject({ level: 'accueil', suspended_at: null });
    let entry = await lastAudit();
    expect(entry).toMatchObject({ actor_kind: 'staff', actor_id: account.id, action: 'agent.level', subject_person_id: null, ground: 'structure-administration' });
    expect(JSON.parse(entry.detail)).toMatchObject({ structureId: 'structure-cms-centre', identifier: SOPHIE, from: 'travail-social', to: 'accueil' });

    res = await a.change({ action: 'level', identifier: SOPHIE, level: 'accueil' });
    expect(res.headers.location).toBe('/console/agents?fait=inchange');

    res = await a.change({ action: 'suspend', identifier: SOPHIE });
    expect(res.statusCode).toBe(303);
    expect(await profileOf(SOPHIE)).toMatchObject({ suspended_reason: 'admin' });
    expect((await lastAudit()).action).toBe('agent.suspend');
    expect((await a.get('/console/agents')).body).toContain('Suspendu par la structure');

    res = await a.change({ action: 'reactivate', identifier: SOPHIE });
    expect(res.statusCode).toBe(303);
    expect(await profileOf(SOPHIE)).toMatchObject({ suspended_at: null, suspended_reason: null });
    entry = await lastAudit();
    expect(entry.action).toBe('agent.reactivate');
    await a.change({ action: 'level', identifier: SOPHIE, level: 'travail-social' });
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('attaches an agent without a structure by the identifier on their card; refuses a beneficiary, another structure’s agent, a mistyped identifier', async () => {
    const a = await adminOf('cms-admin');
    const newcomer = await addPerson(storage.db, { role: 'agent', firstName: 'Inès', lastName: 'Garcia', level: null });
    const res = await a.change({ action: 'attach', identifier: newcomer.identifier, level: 'accompagnement' });
    expect(res.statusCode).toBe(303);
    expect(await profileOf(newcomer.identifier)).toMatchObject({ level: 'accompagnement', structure_id: 'structure-cms-centre' });
    expect((await lastAudit()).action).toBe('agent.attach');
    expect((await a.get('/console/agents')).body).toContain('Inès Garcia');

    const before = await storage.db.selectFrom('audit_journal').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const beneficiary = await a.change({ action: 'attach', identifier: CAMILLE.identifier, level: 'accueil' });
    expect(beneficiary.statusCode).toBe(400);
    expect(beneficiary.body).toContain('n’est pas une carte d’agent');
    const luc = (await storage.db.selectFrom('persons').select('identifier').where('first_name', '=', 'Luc').executeTakeFirstOrThrow()).identifier;
    const other = await a.change({ action: 'attach', identifier: luc, level: 'accueil' });
    expect(other.statusCode).toBe(403);
    expect(await profileOf(luc)).toMatchObject({ structure_id: TEST_STRUCTURE.id, level: 'accueil' });
    const typo = await a.change({ action: 'attach', identifier: 'FAC-XXXX', level: 'accueil' });
    expect(typo.statusCode).toBe(400);
    const after = await storage.db.selectFrom('audit_journal').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses another structure’s admin, an institution’s account, and a form without its CSRF token: nothing changes', async () => {
    const other = await adminOf('ccas-admin');
    expect((await other.get('/console/agents')).body).not.toContain('Sophie');
    const attempts: Record<string, string>[] = [
      { action: 'level', identifier: SOPHIE, level: 'accueil' },
      { action: 'suspend', identifier: SOPHIE },
    ];
    for (const body of attempts) {
      const res = await other.change(body);
      expect(res.statusCode).toBe(403);
    }
    expect(await profileOf(SOPHIE)).toMatchObject({ level: 'travail-social', suspended_at: null });

    const caf = await login('caf-chef');
    expect((await caf.get('/console/agents')).statusCode).toBe(403);
    const cafPost = await caf.post('/console/agents/changement', { csrf: 'x', action: 'suspend', identifier: SOPHIE });
    expect(cafPost.statusCode).toBe(403);
    expect(await profileOf(SOPHIE)).toMatchObject({ suspended_at: null });

    const mine = await adminOf('cms-admin');
    const noCsrf = await mine.post('/console/agents/changement', { action: 'suspend', identifier: SOPHIE });
    expect(noCsrf.statusCode).toBe(403);
    expect(await profileOf(SOPHIE)).toMatchObject({ suspended_at: null });

    // no session at all: the login
    const anon = await app.inject({ method: 'GET', url: '/console/agents' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/console/connexion');
  });

  it('lists the procurations given to its agents and withdraws one; another structure’s admin cannot', async () => {
    const ids = async (identifier: string) => (await storage.db.selectFrom('persons').select('id').where('identifier', '=', identifier).executeTakeFirstOrThrow()).id;
    const camille = await ids(CAMILLE.identifier);
    const sophie = await ids(SOPHIE);
    const id = randomUUID();
    const today = new Date().toISOString().slice(0, 10);
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const scope = { aids: ['*'], categories: ['identity', 'income'], actions: ['consult', 'send-without-me'] };
    // the row as the store keeps it (what this page reads); the signatures are the store's tests' business
    const text = {
      context: 'FACILITATEUR-PROCURATION-V1',
      id,
      person: { identifier: CAMILLE.identifier, name: 'Camille Martin', cardSerial: CAMILLE.card },
      agent: { identifier: SOPHIE, name: 'Sophie Lefèvre', cardSerial: '0A1B2C40', structure: { id: 'structure-cms-centre', name: 'CMS du centre-ville' } },
      scope,
      from: today,
      until,
      madeAt: { kioskId: 'borne-cms-centre-1', place: 'Tablette du CMS du centre-ville' },
      createdAt: new Date().toISOString(),
      renews: null,
    };
    await storage.db
      .insertInto('procurations')
      .values({
        id,
        person_id: camille,
        agent_person_id: sophie,
        structure_id: 'structure-cms-centre',
        text: JSON.stringify(text),
        person_signature: 'x',
        agent_signature: 'x',
        person_certificate: 'x',
        agent_certificate: 'x',
        person_card_serial: CAMILLE.card,
        agent_card_serial: '0A1B2C40',
        from_day: today,
        until_day: until,
        scope: JSON.stringify(scope),
        kiosk_id: 'borne-cms-centre-1',
        created_at: text.createdAt,
        stored_at: text.createdAt,
        revoked_at: null,
        revoked_by: null,
        revoked_reason: null,
        renews: null,
      })
      .execute();

    // another structure's admin neither sees it nor withdraws it
    const other = await adminOf('ccas-admin');
    expect((await other.get('/console/agents')).body).not.toContain('Camille Martin');
    const refused = await other.post('/console/agents/procuration-retrait', { csrf: other.csrf, id, reason: 'essai' });
    expect(refused.headers.location).toBe('/console/agents?fait=terminee');
    expect((await storage.db.selectFrom('procurations').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow()).revoked_at).toBeNull();

    const a = await adminOf('cms-admin');
    const page = (await a.get('/console/agents')).body;
    expect(page).toContain('Les procurations en cours');
    expect(page).toContain('Camille Martin');
    expect(page).toContain('envoyer mes demandes sans moi');
    // without its CSRF token nothing happens
    expect((await a.post('/console/agents/procuration-retrait', { id, reason: 'départ' })).statusCode).toBe(403);
    const done = await a.post('/console/agents/procuration-retrait', { csrf: a.csrf, id, reason: 'L’agente quitte le CMS' });
    expect(done.headers.location).toBe('/console/agents?fait=retiree');
    expect(await storage.db.selectFrom('procurations').select(['revoked_by', 'revoked_reason']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ revoked_by: 'structure', revoked_reason: 'L’agente quitte le CMS' });
    expect(await lastAudit()).toMatchObject({ action: 'procuration.revoke', subject_person_id: camille, actor_id: 'cms-admin' });
    const after = (await a.get('/console/agents?fait=retiree')).body;
    expect(after).toContain('La procuration est retirée.');
    expect(after).not.toContain('Camille Martin');
    // twice: already over
    expect((await a.post('/console/agents/procuration-retrait', { csrf: a.csrf, id })).headers.location).toBe('/console/agents?fait=terminee');
    expect((await verifyAuditChain(storage.db)).ok).toBe(true);
  });

  it('logs the structure admin out', async () => {
    const a = await adminOf('cms-admin');
    const res = await a.post('/console/deconnexion', { csrf: a.csrf });
    expect(res.statusCode).toBe(303);
    expect((await a.get('/console/agents')).statusCode).toBe(303);
  });
});
