/**
 * The structure admin's places of the directory in the console, through Fastify inject, on both engines:
 * the CMS's admin adds a France Services (the errors of a bad form said by field in French, nothing stored),
 * changes and removes it — each journaled with the admin as actor and written to the change log the tablets
 * follow —, finds it by commune or postcode with the annuaire's offices; another structure's admin can
 * neither change nor remove it, nor an entry the platform's staff added; an institution's account is kept
 * out; a form without its CSRF token changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../features/accounts/index.ts';
import { addLocalEntry } from '../../features/institutions/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { TEST_STRUCTURE } from '../../../test-support/test-cards.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import { consoleLogin, DEMO_CONSOLE_PASSWORD, openConsoleApp } from '../../../test-support/console-session.ts';
import type { ConsoleTestApp } from '../../../test-support/console-session.ts';

const FRANCE_SERVICES = {
  kind: 'france-services',
  name: 'France Services de la Guillotière',
  address: '18 rue de Marseille',
  postcode: '69007',
  city: 'Lyon',
  phone: '04 00 00 12 34',
  email: '',
  website: 'https://exemple.fr/fs-guillotiere',
  hoursNote: 'Du lundi au vendredi de 9 h à 12 h, sur rendez-vous l’après-midi.',
  lat: '45,7512',
  lon: '4,8420',
};

describe.each(DIALECTS)('the places a structure adds to the directory (%s)', (dialect) => {
  let t: ConsoleTestApp;
  let storage: Storage;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await openConsoleApp(dialect);
    ({ storage, app } = t);
    // a second structure's admin (the test agents' structure is created by the seed of the test cards)
    await storage.db.insertInto('structures').values({ id: TEST_STRUCTURE.id, kind: 'ccas', name: TEST_STRUCTURE.name, address: null, created_at: new Date().toISOString(), disabled_at: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await storage.db
      .insertInto('staff_accounts')
      .values({ id: randomUUID(), login: 'ccas-admin', display_name: 'Admin CCAS', institution_id: null, role: 'structure-admin', structure_id: TEST_STRUCTURE.id, password_hash: await hashPassword(DEMO_CONSOLE_PASSWORD), created_at: new Date().toISOString(), disabled_at: null })
      .execute();
    // one entry the platform's staff added (command line): no structure's to change
    expect((await addLocalEntry(storage.db, storage.dialect, { kind: 'staff', id: 'staff-cli' }, { kind: 'association', name: 'Point d’accès au droit', address: '2 place Guichard', postcode: '69003', city: 'Lyon', lat: null, lon: null }, 'pad-guichard')).ok).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (name: string) => consoleLogin(app, name, { landing: '/console/lieux' });

  const entries = async () => storage.db.selectFrom('institutions').select(['id', 'name', 'kind', 'postcode', 'lat', 'lon', 'added_by_structure', 'removed_at']).where('source', '=', 'local').where('id', 'like', 'local-%').execute();
  const lastAudit = async () => storage.db.selectFrom('audit_journal').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
  const changes = async () => Number((await storage.db.selectFrom('directory_changes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses a bad form by field, in French, and stores nothing', async () => {
    const admin = await login('cms-admin');
    expect(admin.first.statusCode).toBe(200);
    expect(admin.first.body).toContain('Les lieux d’accueil');
    expect(admin.first.body).toContain('aria-current="page"');
    const before = await changes();
    const res = await admin.post('/console/lieux', { csrf: admin.csrf, ...FRANCE_SERVICES, postcode: '6900', lat: 'nord', email: 'pas-une-adresse', kind: 'prefecture' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Le code postal a 5 chiffres.');
    expect(res.body).toContain('La latitude est un nombre entre -90 et 90, avec la longitude.');
    expect(res.body).toContain('Cette adresse e-mail n’est pas valide.');
    expect(res.body).toContain('Choisissez le type de lieu.');
    // what was typed comes back, each error tied to its field
    expect(res.body).toContain('value="France Services de la Guillotière"');
    expect(res.body).toMatch(/id="postcode"[^>]*aria-invalid="true"/);
    // one coordinate without the other
    const half = await admin.post('/console/lieux', { csrf: admin.csrf, ...FRANCE_SERVICES, lon: '' });
    expect(half.statusCode).toBe(400);
    expect(half.body).toMatch(/id="lon"[^>]*aria-describedby="position-indication lon-erreur"[^>]*aria-invalid="true"/);
    expect(half.body).toContain('Écrivez la latitude et la longitude, ou laissez les deux vides.');
    expect(await entries()).toEqual([]);
    expect(await changes()).toBe(before);
    // without its CSRF token: refused, nothing stored
    expect((await admin.post('/console/lieux', { ...FRANCE_SERVICES })).statusCode).toBe(403);
    expect(await entries()).toEqual([]);
  });

  it('adds a France Services, journaled and sent to the tablets; finds it by commune; changes then removes it', async () => {
    const admin = await login('cms-admin');
    const before = await changes();
    const added = await admin.post('/console/lieux', { csrf: admin.csrf, ...FRANCE_SERVICES });
    expect(added.statusCode, added.body).toBe(303);
    expect(added.headers.location).toBe('/console/lieux?fait=ajoute');
    const [row] = await entries();
    expect(row).toMatchObject({ name: 'France Services de la Guillotière', kind: 'france-services', postcode: '69007', lat: 45.7512, lon: 4.842, added_by_structure: 'structure-cms-centre', removed_at: null });
    expect(await changes()).toBe(before + 1);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'directory.local.add', actor_kind: 'staff' });
    expect((await admin.get('/console/lieux?fait=ajoute')).body).toContain('Le lieu est ajouté à l’annuaire.');

    // the search: by postcode and by name of commune, the staff's entry and the structure's
    const byPostcode = await admin.get('/console/lieux?q=69007');
    expect(byPostcode.statusCode).toBe(200);
    expect(byPostcode.body).toContain('France Services de la Guillotière');
    const byName = await admin.get(`/console/lieux?q=${encodeURIComponent('Lyon')}`);
    expect(byName.body).toContain('Point d’accès au droit');
    expect((await admin.get('/console/lieux?q=x')).statusCode).toBe(400);
    expect((await admin.get('/console/lieux?q=Zzzville')).body).toContain('Aucun lieu connu pour « Zzzville »');

    const id = row!.id;
    const form = await admin.get(`/console/lieux/${id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Modifier : France Services de la Guillotière');
    expect(form.body).toContain('value="45,7512"');
    const changed = await admin.post(`/console/lieux/${id}`, { csrf: admin.csrf, ...FRANCE_SERVICES, phone: '04 00 00 99 99' });
    expect(changed.headers.location).toBe('/console/lieux?fait=modifie');
    expect((await storage.db.selectFrom('institutions').select('phone').where('id', '=', id).executeTakeFirstOrThrow()).phone).toBe('04 00 00 99 99');
    expect((await lastAudit()).action).toBe('directory.local.change');
    const again = await admin.post(`/console/lieux/${id}`, { csrf: admin.csrf, ...FRANCE_SERVICES, phone: '04 00 00 99 99' });
    expect(again.headers.location).toBe('/console/lieux?fait=inchange');

    // another structure's admin: not theirs to see, change or remove
    const other = await login('ccas-admin');
    expect(other.first.body).not.toContain('France Services de la Guillotière');
    expect((await other.get(`/console/lieux/${id}`)).statusCode).toBe(404);
    expect((await other.post(`/console/lieux/${id}`, { csrf: other.csrf, ...FRANCE_SERVICES, name: 'Détourné' })).statusCode).toBe(404);
    expect((await other.post(`/console/lieux/${id}/retrait`, { csrf: other.csrf })).statusCode).toBe(404);
    // nor the platform staff's entry, for either
    expect((await admin.post('/console/lieux/pad-guichard', { csrf: admin.csrf, ...FRANCE_SERVICES })).statusCode).toBe(404);
    expect((await admin.post('/console/lieux/pad-guichard/retrait', { csrf: admin.csrf })).statusCode).toBe(404);
    expect((await storage.db.selectFrom('institutions').select(['name', 'removed_at']).where('id', 'in', [id, 'pad-guichard']).orderBy('id').execute()).map((r) => [r.name, r.removed_at])).toEqual([
      ['France Services de la Guillotière', null],
      ['Point d’accès au droit', null],
    ]);

    const removed = await admin.post(`/console/lieux/${id}/retrait`, { csrf: admin.csrf });
    expect(removed.headers.location).toBe('/console/lieux?fait=retire');
    expect((await entries())[0]!.removed_at).not.toBeNull();
    expect((await lastAudit()).action).toBe('directory.local.remove');
    expect((await admin.get('/console/lieux')).body).toContain('Votre structure n’a encore ajouté aucun lieu.');
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('keeps an institution’s account out', async () => {
    const caf = await consoleLogin(app, 'caf-chef');
    expect((await caf.get('/console/lieux')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/console/lieux' })).statusCode).toBe(303);
  });
});
