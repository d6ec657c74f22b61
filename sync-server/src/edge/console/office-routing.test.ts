/**
 * A request goes to the office that serves where the person files, and only that office sees it, on both
 * engines. The directory holds two more CAF offices than the demo's: the Rhône's (serving Lyon) and
 * Paris's. A person files at a kiosk that stands in a Lyon CMS: the dossier says where it will go, the
 * manifest the card signs names the Rhône's CAF, and the signing stores it. In the console, the Rhône's
 * head of service sees the request, opens its piece and writes (the thread is the Rhône's); Paris's sees
 * nothing (the queue, the page, the piece and the message answer as for an unknown request), and does not
 * serve the person for deposits. A request sent before offices were named is still seen by every office of
 * its kind. The ranking itself (communes served, postcode, département, distance, id) is tested alone.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dossier, Manifest } from '../../../protocol/applications.ts';
import { loadCatalogue, loadZonesApl } from '../../features/aids/index.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { createConsoleAccount } from '../../features/accounts/index.ts';
import { applicantOf, communesOfAddress, createDossier, officeFor, prepareSubmission, rankOffices, submitSigned, viewDossier } from '../../features/applications/index.ts';
import type { Applicant, OfficeRow } from '../../features/applications/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { addLocalEntry, servesPerson } from '../../features/institutions/index.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { fileDossier, piece } from '../../../test-support/console-fixtures.ts';
import { addKiosk, CAMILLE, DIALECTS } from '../../../test-support/test-env.ts';
import { installTestCa } from '../../../test-support/test-ca.ts';
import { addPerson, certify, signManifest } from '../../../test-support/test-cards.ts';
import { consoleLogin, DEMO_CONSOLE_PASSWORD, openConsoleApp } from '../../../test-support/console-session.ts';
import type { ConsoleTestApp } from '../../../test-support/console-session.ts';

const STAFF = { kind: 'staff', id: 'test' } as const;

describe('the ranking of offices', () => {
  const office = (id: string, postcode: string, o: { communes?: string[]; lat?: number; lon?: number } = {}): OfficeRow => ({
    id,
    kind: 'caf',
    name: id,
    address: '1 rue',
    postcode,
    city: 'x',
    lat: o.lat ?? null,
    lon: o.lon ?? null,
    phone: null,
    email: null,
    website: null,
    hours: null,
    hours_note: null,
    communes: o.communes ? JSON.stringify(o.communes) : null,
    source: 'annuaire',
    annuaire_modified: null,
    updated_at: null,
    removed_at: null,
    added_by_structure: null,
  });
  const lyon3 = { communes: ['69123', '69383'], postcode: '69003', lat: 45.76, lon: 4.85 };

  it('puts first the office serving the commune, then the same postcode, then the département, nearest first, then the id', () => {
    const offices = [
      office('a-paris', '75015', { communes: ['75056'], lat: 48.84, lon: 2.29 }),
      office('b-villeurbanne', '69100', { lat: 45.77, lon: 4.88 }),
      office('c-lyon-sans-liste', '69003'),
      office('d-rhone', '69200', { communes: ['69123', '69259'], lat: 45.7, lon: 4.88 }),
      office('e-givors', '69700', { lat: 45.59, lon: 4.77 }),
    ];
    expect(rankOffices(offices, lyon3).map((o) => o.id)).toEqual(['d-rhone', 'c-lyon-sans-liste', 'b-villeurbanne', 'e-givors', 'a-paris']);
    // no place known: the first by id, whatever order the rows came in (what the platform did before)
    expect(rankOffices([...offices].reverse(), null).map((o) => o.id)[0]).toBe('a-paris');
    // two offices alike: the smaller id, never the order of the rows
    expect(rankOffices([office('z', '69003'), office('y', '69003')], lyon3).map((o) => o.id)).toEqual(['y', 'z']);
  });

  it('takes an office of the same département, Corsica’s and overseas included, before one elsewhere', () => {
    const ajaccio = { communes: ['2A004'], postcode: '20000', lat: null, lon: null };
    expect(rankOffices([office('a-bastia', '20200'), office('b-marseille', '13001'), office('c-ajaccio', '20090')], ajaccio).map((o) => o.id)).toEqual(['c-ajaccio', 'a-bastia', 'b-marseille']);
    const saintDenis = { communes: ['97411'], postcode: '97400', lat: null, lon: null };
    expect(rankOffices([office('a-guadeloupe', '97100'), office('b-reunion', '97490')], saintDenis).map((o) => o.id)).toEqual(['b-reunion', 'a-guadeloupe']);
  });

  it('finds the commune of an address: named in its postcode, with its arrondissement; a CEDEX aside', () => {
    const zones = loadZonesApl();
    expect(communesOfAddress(zones, '69003', 'Lyon').sort()).toEqual(['69123', '69383']);
    expect(communesOfAddress(zones, '75015', 'PARIS CEDEX 15').sort()).toEqual(['75056', '75115']);
    expect(communesOfAddress(zones, '20000', 'Ajaccio')).toEqual(['2A004']);
    expect(communesOfAddress(zones, 'abcde', 'Lyon')).toEqual([]);
  });
});

describe.each(DIALECTS)('a request goes to the office serving where the person files (%s)', (dialect) => {
  let t: ConsoleTestApp;
  let storage: Storage;
  let app: FastifyInstance;
  let ca: LoadedCa;
  let catalogue: AidCatalogue;
  let lyonKiosk: string;
  let parisKiosk: string;

  beforeAll(async () => {
    t = await openConsoleApp(dialect);
    ({ storage, app } = t);
    ca = await installTestCa(t.env.config.dataDir);
    catalogue = await loadCatalogue();
    const entry = (name: string, address: string, postcode: string, city: string, lat: number, lon: number, communes?: string[]) => ({ name, address, postcode, city, lat, lon, ...(communes ? { communes } : {}) });
    for (const [id, kind, e] of [
      ['caf-rhone', 'caf', entry('CAF du Rhône', '67 boulevard Vivier Merle', '69003', 'Lyon', 45.7606, 4.8583, ['69123', '69259', '69266'])],
      ['caf-paris', 'caf', entry('CAF de Paris', '50 rue du Docteur Finlay', '75015', 'Paris', 48.8497, 2.2878, ['75056'])],
      ['cms-lyon', 'cms', entry('CMS Lyon 3e', '12 rue Paul Bert', '69003', 'Lyon', 45.7596, 4.8466)],
      ['cms-paris', 'cms', entry('CMS Paris 15e', '3 place Cambronne', '75015', 'Paris', 48.8475, 2.3017)],
    ] as const) {
      const r = await addLocalEntry(storage.db, storage.dialect, STAFF, { kind, ...e }, id);
      expect(r.ok).toBe(true);
    }
    lyonKiosk = (await addKiosk(storage.db)).kioskId;
    parisKiosk = (await addKiosk(storage.db)).kioskId;
    await storage.db.updateTable('kiosks').set({ institution_id: 'cms-lyon' }).where('id', '=', lyonKiosk).execute();
    await storage.db.updateTable('kiosks').set({ institution_id: 'cms-paris' }).where('id', '=', parisKiosk).execute();
    for (const [login, institutionId] of [
      ['rhone-chef', 'caf-rhone'],
      ['paris-chef', 'caf-paris'],
    ] as const) {
      await createConsoleAccount(storage.db, storage.dialect, { login, name: login, institutionId, password: DEMO_CONSOLE_PASSWORD });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** signed in, each POST with the account's CSRF token */
  async function login(name: string) {
    const session = await consoleLogin(app, name);
    return { get: session.get, post: (url: string, body: Record<string, string>) => session.post(url, { csrf: session.csrf, ...body }) };
  }

  it('names the Rhône’s CAF before signing, in the manifest the card signs, and stores it when signed', async () => {
    const p = await addPerson(storage.db, { firstName: 'Yanis', lastName: 'Roche' });
    const applicant: Applicant = applicantOf({ id: randomUUID(), kioskId: lyonKiosk, personId: p.id, identifier: p.identifier, firstName: p.firstName, cardSerial: p.card, role: p.role, consent: null, expiresAt: Date.now() + 60_000 });
    const filed = await createDossier(storage.db, storage.dialect, { applicant, aidIds: ['prime-activite'], situation: { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false }, catalogue });
    if (!filed.ok) throw new Error(filed.error.message);
    const dossierId = filed.value.dossierId;

    const before = await viewDossier(storage.db, storage.dialect, applicant, dossierId, catalogue);
    if (!before.ok) throw new Error(before.error.message);
    expect(Dossier.parse(before.value).aids[0]!.office).toEqual({ id: 'caf-rhone', name: 'CAF du Rhône', address: '67 boulevard Vivier Merle', postcode: '69003', city: 'Lyon' });

    const deps = { db: storage.db, dialect: storage.dialect, ca: () => ca, catalogue };
    const prepared = await prepareSubmission(deps, applicant, { dossierId, mode: 'automatic', ground: { kind: 'beneficiary-signature' } });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const manifest = Manifest.parse(prepared.value);
    expect(manifest.aids.map((a) => a.institutionId)).toEqual(['caf-rhone']);

    // a manifest edited to send it elsewhere is not what the server would build: refused, nothing stored
    const card = await certify(ca, p);
    const edited = { ...manifest, aids: manifest.aids.map((a) => ({ ...a, institutionId: 'caf-paris' })) };
    const refused = await submitSigned(deps, applicant, { dossierId, manifest: edited, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, edited) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await storage.db.selectFrom('applications').select('institution_id').where('dossier_id', '=', dossierId).execute()).toEqual([{ institution_id: null }]);

    const signed = await submitSigned(deps, applicant, { dossierId, manifest, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, manifest) });
    expect(signed.ok).toBe(true);
    expect(await storage.db.selectFrom('applications').select('institution_id').where('dossier_id', '=', dossierId).execute()).toEqual([{ institution_id: 'caf-rhone' }]);

    // from a kiosk in Paris, the same request would go to Paris's CAF; from a kiosk standing nowhere, to the first CAF
    const paris = { communes: communesOfAddress(loadZonesApl(), '75015', 'Paris'), postcode: '75015', lat: 48.8475, lon: 2.3017 };
    expect((await officeFor(storage.db, 'caf', paris))?.id).toBe('caf-paris');
    expect((await officeFor(storage.db, 'caf', null))?.id).toBe('caf');
    expect(await officeFor(storage.db, 'no-such-kind', paris)).toBeNull();
  });

  it('shows a request sent to the Rhône’s CAF to its staff only; Paris’s sees nothing of it', async () => {
    const filed = await fileDossier(
      { db: storage.db, dialect: storage.dialect, blobStore: t.blobStore },
      { personIdentifier: CAMILLE.identifier, aids: ['prime-activite'], pieces: [piece('rib', 'RIB de Camille', 'rib')], office: 'caf-rhone' },
    );
    const id = filed.applications['prime-activite']!;
    const rhone = await login('rhone-chef');
    const paris = await login('paris-chef');

    expect((await rhone.get('/console')).body).toContain(id);
    expect((await paris.get('/console')).body).not.toContain(id);
    expect((await paris.get(`/console?q=${encodeURIComponent('Martin')}`)).body).not.toContain(id);
    expect((await rhone.get(`/console/demandes/${id}`)).statusCode).toBe(200);
    expect((await paris.get(`/console/demandes/${id}`)).statusCode).toBe(404);
    expect((await rhone.get(`/console/demandes/${id}/pieces/rib`)).statusCode).toBe(200);
    expect((await paris.get(`/console/demandes/${id}/pieces/rib`)).statusCode).toBe(404);
    expect((await paris.post(`/console/demandes/${id}/message`, { body: 'Bonjour' })).statusCode).toBe(404);

    const written = await rhone.post(`/console/demandes/${id}/message`, { body: 'Bonjour, nous avons bien reçu votre demande.' });
    expect(written.statusCode).toBe(303);
    expect(await storage.db.selectFrom('threads').select('institution_id').where('application_id', '=', id).execute()).toEqual([{ institution_id: 'caf-rhone' }]);

    // deposits: the Rhône's CAF serves this person (a request it handles), Paris's does not
    const person = await storage.db.selectFrom('persons').select('id').where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    expect(await servesPerson(storage.db, catalogue, { id: 'caf-rhone', kind: 'caf' }, person.id)).toBe(true);
    expect(await servesPerson(storage.db, catalogue, { id: 'caf-paris', kind: 'caf' }, person.id)).toBe(false);
  });

  it('still shows a request sent before offices were named to every office of its kind', async () => {
    const filed = await fileDossier(
      { db: storage.db, dialect: storage.dialect, blobStore: t.blobStore },
      { personIdentifier: CAMILLE.identifier, aids: ['rsa'], pieces: [piece('rib', 'RIB', 'rib')] },
    );
    const id = filed.applications['rsa']!;
    for (const who of ['rhone-chef', 'paris-chef', 'caf-chef']) expect((await (await login(who)).get(`/console/demandes/${id}`)).statusCode, who).toBe(200);
  });
});
