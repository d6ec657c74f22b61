/**
 * The institution's inbox and accounts in the console, through Fastify inject, on both engines: papers a
 * person sent to the CAF (two in one message) read by an instructor — unread per member of staff, each
 * paper's bytes through the access policy and journaled —, assignment (the head of service hands out, an
 * instructor takes what is nobody's and no longer sees another's), a reply the person's side then reads,
 * and the refusals: a depositor and an institution admin kept to their pages (403), an instructor who may
 * not decide, another institution's account that sees nothing, a form without its CSRF token, a disabled
 * account. The institution admin creates an account with a role, changes a role and disables one of its
 * own institution's, never another's; the role constraints of migration 0021 hold on both engines.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markRepliesSeen, repliesForPerson } from '../../features/inbox/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { fileDossier, piece } from '../../../test-support/console-fixtures.ts';
import { randomPng } from '../../../test-support/png.ts';
import { CAMILLE, DIALECTS, freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { readSeedFile, seedDatabase } from '../seed.ts';
import { registerConsole } from './routes.ts';

const PASSWORD = 'demo-console-1234';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const cookiesOf = (res: LightMyRequestResponse): Map<string, string> => {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.split('=')[0]!, c.split(';')[0]!.split('=').slice(1).join('=')]));
};
const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.each(DIALECTS)('institution inbox and accounts (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let app: FastifyInstance;
  let blobDir: string;
  let blobStore: LocalBlobStore;
  /** Camille's message to the CAF: two papers */
  let sent: { threadId: string; documents: { id: string; bytes: Buffer }[] };
  let prime: string;

  /** A sending as `applyDocumentSend` leaves it: a thread, its first message (same id), the papers copied. */
  async function sendToInstitution(o: { institutionId: string; titles: string[]; note: string }) {
    const person = await storage.db.selectFrom('persons').select('id').where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    const at = new Date().toISOString();
    const threadId = randomUUID();
    const documents: { id: string; bytes: Buffer }[] = [];
    await storage.db.transaction().execute(async (trx) => {
      await trx.insertInto('threads').values({ id: threadId, person_id: person.id, institution_id: o.institutionId, subject: o.titles[0]!, created_at: at, updated_at: at }).execute();
      await trx.insertInto('messages').values({ id: threadId, thread_id: threadId, author_kind: 'person', author_id: CAMILLE.identifier, body: o.note, created_at: at }).execute();
      for (const title of o.titles) {
        const bytes = randomPng(20, 14);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const file = join(blobDir, `in-${sha256}`);
        writeFileSync(file, bytes);
        expect((await blobStore.putFile(sha256, file)).ok).toBe(true);
        await trx.insertInto('blobs').values({ sha256, size: bytes.length, mime: 'image/png', created_at: at, uploaded_by: null, referenced_at: at }).execute();
        const id = randomUUID();
        await trx.insertInto('documents').values({ id, owner_person_id: person.id, vault: 'personal', doc_type: 'proof-of-address', institution_id: null, current_version: 1, title, created_at: at, updated_at: at }).execute();
        await trx.insertInto('document_versions').values({ document_id: id, version: 1, fields: '{}', ocr_text: '', blob_sha256: sha256, captured_at: at, created_at: at, source_kiosk_id: null, source_mutation_id: null }).execute();
        await trx.insertInto('message_attachments').values({ message_id: threadId, document_id: id, version: 1, doc_type: 'proof-of-address', title, blob_sha256: sha256 }).execute();
        documents.push({ id, bytes });
      }
    });
    return { threadId, documents };
  }

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    blobDir = mkdtempSync(join(tmpdir(), 'fac-inbox-console-'));
    blobStore = new LocalBlobStore(join(blobDir, 'blobs'));
    app = Fastify({ logger: false });
    await registerConsole(app, { db: storage.db, dialect: storage.dialect, blobStore });
    await app.ready();
    sent = await sendToInstitution({ institutionId: 'caf', titles: ['Quittance de loyer', 'Facture d’électricité'], note: 'Bonjour, voici mes justificatifs de domicile.' });
    const filed = await fileDossier({ db: storage.db, dialect: storage.dialect, blobStore }, { personIdentifier: CAMILLE.identifier, aids: ['prime-activite'], pieces: [piece('rib', 'RIB', 'rib')] });
    prime = filed.applications['prime-activite']!;
  });
  afterAll(async () => {
    await app?.close();
    await storage?.db.destroy();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
    await env?.cleanup();
  });

  async function login(name: string, password = PASSWORD) {
    const page = await app.inject({ method: 'GET', url: '/console/connexion' });
    const res = await app.inject({
      method: 'POST',
      url: '/console/connexion',
      headers: { ...FORM, cookie: `fac_console_login=${cookiesOf(page).get('fac_console_login')}` },
      payload: new URLSearchParams({ csrf: csrfOf(page.body), login: name, password }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    const cookie = `fac_console=${cookiesOf(res).get('fac_console')}`;
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
    // any page of the account carries its CSRF token (the logout form)
    const csrf = csrfOf((await get((await get('/console')).headers.location ?? '/console')).body);
    return {
      get,
      csrf,
      post: (url: string, body: Record<string, string>) => app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams(body).toString() }),
    };
  }

  const idOf = async (login: string) => (await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', login).executeTakeFirstOrThrow()).id;
  const lastAudit = async () => storage.db.selectFrom('audit_journal').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
  const threadRow = async () => storage.db.selectFrom('threads').selectAll().where('id', '=', sent.threadId).executeTakeFirstOrThrow();
  const messageCount = async () => Number((await storage.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('thread_id', '=', sent.threadId).executeTakeFirstOrThrow()).n);

  it('lands each role on its page: requests, deposits, accounts', async () => {
    const chef = await login('caf-chef');
    expect((await chef.get('/console')).statusCode).toBe(200);
    const depot = await login('caf-depot');
    let res = await depot.get('/console');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/depots');
    const admin = await login('caf-admin');
    res = await admin.get('/console');
    expect(res.headers.location).toBe('/console/comptes');
    expect((await admin.get('/console/comptes')).body).toContain('Les comptes de l’organisme');
  });

  it('shows the instructor the papers sent to the CAF, unread for them until they open it, and journals the reading', async () => {
    const ins = await login('caf-instructeur');
    const list = await ins.get('/console/boite');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Quittance de loyer');
    expect(list.body).toContain('Camille');
    expect(list.body).toContain('2 papiers');
    expect(list.body).toContain('Non lu');
    expect(list.body).toMatch(/Boîte de réception \(1 non lu\)/);

    const page = await ins.get(`/console/boite/${sent.threadId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bonjour, voici mes justificatifs de domicile.');
    expect(page.body).toContain('Voir le papier : Quittance de loyer');
    expect(page.body).toContain('Voir le papier : Facture d’électricité');
    const entry = await lastAudit();
    expect(entry).toMatchObject({ actor_kind: 'staff', actor_id: await idOf('caf-instructeur'), action: 'inbox.thread.read', ground: 'institution-inbox' });

    // read for the instructor, still unread for the head of service
    expect((await ins.get('/console/boite')).body).not.toContain('>Non lu<');
    expect((await (await login('caf-chef')).get('/console/boite')).body).toContain('Non lu');
  });

  it('serves each paper of the message through the access policy, journaled as read on the inbox ground', async () => {
    const ins = await login('caf-instructeur');
    for (const d of sent.documents) {
      const res = await ins.get(`/console/boite/${sent.threadId}/papiers/${sent.threadId}/${d.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.rawPayload.equals(d.bytes)).toBe(true);
      const entry = await lastAudit();
      expect(entry).toMatchObject({ action: 'document.file.read', ground: 'institution-inbox', document_id: d.id, actor_id: await idOf('caf-instructeur') });
    }
    // a document of another message, or no document at all: nothing served, nothing journaled
    const before = (await lastAudit()).seq;
    expect((await ins.get(`/console/boite/${sent.threadId}/papiers/${sent.threadId}/${randomUUID()}`)).statusCode).toBe(404);
    expect((await ins.get(`/console/boite/${sent.threadId}/papiers/pas-un-id/${sent.documents[0]!.id}`)).statusCode).toBe(404);
    expect((await lastAudit()).seq).toBe(before);
  });

  it('shows another institution nothing, and keeps a depositor and an admin out of the inbox', async () => {
    const mdph = await login('mdph-chef');
    const list = await mdph.get('/console/boite');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Quittance de loyer');
    expect((await mdph.get(`/console/boite/${sent.threadId}`)).statusCode).toBe(404);
    expect((await mdph.get(`/console/boite/${sent.threadId}/papiers/${sent.threadId}/${sent.documents[0]!.id}`)).statusCode).toBe(404);
    const replied = await mdph.post(`/console/boite/${sent.threadId}/reponse`, { csrf: mdph.csrf, body: 'Je ne devrais pas pouvoir répondre.' });
    expect(replied.statusCode).toBe(404);

    for (const who of ['caf-depot', 'caf-admin']) {
      const b = await login(who);
      const page = await b.get('/console/boite');
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('Votre compte ne donne pas accès à cette page.');
      expect((await b.get(`/console/boite/${sent.threadId}/papiers/${sent.threadId}/${sent.documents[0]!.id}`)).statusCode).toBe(403);
      expect((await b.get(`/console/demandes/${prime}`)).statusCode).toBe(403);
      expect((await b.post(`/console/boite/${sent.threadId}/reponse`, { csrf: b.csrf, body: 'Non.' })).statusCode).toBe(403);
    }
    // a depositor or an admin is not offered as an assignee either
    expect(await messageCount()).toBe(1);
  });

  it('lets an instructor work a request but not decide it', async () => {
    const ins = await login('caf-instructeur');
    const page = await ins.get(`/console/demandes/${prime}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('value="accept"');
    const res = await ins.post(`/console/demandes/${prime}/decision`, { csrf: ins.csrf, action: 'accept', confirme: 'oui' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('c’est au chef de service');
    expect((await storage.db.selectFrom('applications').select('state').where('id', '=', prime).executeTakeFirstOrThrow()).state).toBe('submitted');
    const taken = await ins.post(`/console/demandes/${prime}/decision`, { csrf: ins.csrf, action: 'take-up' });
    expect(taken.statusCode).toBe(303);
    expect((await storage.db.selectFrom('applications').select('state').where('id', '=', prime).executeTakeFirstOrThrow()).state).toBe('in-processing');
  });

  it('assigns: an instructor takes what is nobody’s, the head of service hands out, another’s item leaves the instructor’s list', async () => {
    const ins = await login('caf-instructeur');
    const chef = await login('caf-chef');
    // not to someone else
    let res = await ins.post(`/console/boite/${sent.threadId}/attribution`, { csrf: ins.csrf, assignee: await idOf('caf-chef') });
    expect(res.statusCode).toBe(403);
    expect((await threadRow()).assigned_to).toBeNull();
    res = await ins.post(`/console/boite/${sent.threadId}/attribution`, { csrf: ins.csrf, assignee: await idOf('caf-instructeur') });
    expect(res.statusCode).toBe(303);
    expect((await threadRow()).assigned_to).toBe(await idOf('caf-instructeur'));
    expect(await lastAudit()).toMatchObject({ action: 'inbox.assign', ground: 'institution-inbox', actor_id: await idOf('caf-instructeur') });
    expect((await ins.get('/console/boite?voir=a-moi')).body).toContain('Quittance de loyer');
    expect((await ins.get('/console/boite?voir=non-attribues')).body).not.toContain('Quittance de loyer');

    // the depositor reads no inbox: not an assignee
    res = await chef.post(`/console/boite/${sent.threadId}/attribution`, { csrf: chef.csrf, assignee: await idOf('caf-depot') });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choisissez une personne de la liste.');
    res = await chef.post(`/console/boite/${sent.threadId}/attribution`, { csrf: chef.csrf, assignee: await idOf('caf-chef') });
    expect(res.statusCode).toBe(303);
    expect((await ins.get('/console/boite')).body).not.toContain('Quittance de loyer');
    expect((await ins.get(`/console/boite/${sent.threadId}`)).statusCode).toBe(404);
    // without its CSRF token: nothing changes
    res = await chef.post(`/console/boite/${sent.threadId}/attribution`, { csrf: 'faux', assignee: '' });
    expect(res.statusCode).toBe(403);
    expect((await threadRow()).assigned_to).toBe(await idOf('caf-chef'));
    // a hostile value: refused, nothing changes
    res = await chef.post(`/console/boite/${sent.threadId}/attribution`, { csrf: chef.csrf, assignee: "x' or 1=1 --" });
    expect(res.statusCode).toBe(400);
    res = await chef.post(`/console/boite/${sent.threadId}/attribution`, { csrf: chef.csrf, assignee: '' });
    expect(res.statusCode).toBe(303);
    expect((await threadRow()).assigned_to).toBeNull();
  });

  it('sends a reply the person then reads, and refuses an empty one or one without its CSRF token', async () => {
    const ins = await login('caf-instructeur');
    let res = await ins.post(`/console/boite/${sent.threadId}/reponse`, { csrf: ins.csrf, body: '   ' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Écrivez votre réponse.');
    res = await ins.post(`/console/boite/${sent.threadId}/reponse`, { body: 'Sans jeton.' });
    expect(res.statusCode).toBe(403);
    res = await ins.post(`/console/boite/${sent.threadId}/reponse`, { csrf: ins.csrf, body: 'x'.repeat(4001) });
    expect(res.statusCode).toBe(400);
    expect(await messageCount()).toBe(1);

    res = await ins.post(`/console/boite/${sent.threadId}/reponse`, { csrf: ins.csrf, body: 'Bien reçu, merci.\r\nVotre dossier est complet.' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/boite?fait=reponse');
    expect((await ins.get(res.headers.location!)).body).toContain('C’est fait : votre réponse est envoyée.');
    expect((await ins.get('/console/boite?voir=autre')).statusCode).toBe(400);
    expect(await messageCount()).toBe(2);
    expect(await lastAudit()).toMatchObject({ action: 'inbox.reply', ground: 'institution-inbox' });

    const person = await storage.db.selectFrom('persons').select('id').where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    let replies = await repliesForPerson(storage.db, person.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ paperTitle: 'Quittance de loyer', institutionName: expect.stringContaining('CAF'), authorName: 'Julien Martin (instructeur, CAF)', body: 'Bien reçu, merci.\nVotre dossier est complet.', seen: false });
    // someone else's ids mark nothing
    expect(await markRepliesSeen(storage.db, randomUUID(), [replies[0]!.id])).toBe(0);
    expect(await markRepliesSeen(storage.db, person.id, [replies[0]!.id])).toBe(1);
    replies = await repliesForPerson(storage.db, person.id);
    expect(replies[0]!.seen).toBe(true);
    expect((await ins.get(`/console/boite/${sent.threadId}`)).body).toContain('Julien Martin (instructeur, CAF) (');
  });

  it('lets the institution admin create an account with a role, change a role, disable one; never another institution’s or their own', async () => {
    const admin = await login('caf-admin');
    const adminId = await idOf('caf-admin');
    let res = await admin.post('/console/comptes/creation', { csrf: admin.csrf, name: 'Léa Roux', login: 'caf-roux', role: 'instructor', password: 'court' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Le mot de passe doit avoir au moins 12 caractères.');
    res = await admin.post('/console/comptes/creation', { csrf: admin.csrf, name: 'Léa Roux', login: 'caf-roux', role: 'instructor', password: 'un-mot-de-passe-long' });
    expect(res.statusCode).toBe(303);
    expect(await storage.db.selectFrom('staff_accounts').select(['role', 'institution_id']).where('login', '=', 'caf-roux').executeTakeFirstOrThrow()).toEqual({ role: 'instructor', institution_id: 'caf' });
    expect(await lastAudit()).toMatchObject({ action: 'console-account.create', actor_id: adminId, ground: 'staff-administration' });
    res = await admin.post('/console/comptes/creation', { csrf: admin.csrf, name: 'Autre', login: 'caf-roux', role: 'depositor', password: 'un-mot-de-passe-long' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Cet identifiant est déjà pris.');

    res = await admin.post('/console/comptes/changement', { csrf: admin.csrf, login: 'caf-roux', action: 'role', role: 'depositor' });
    expect(res.statusCode).toBe(303);
    expect(await lastAudit()).toMatchObject({ action: 'console-account.role', actor_id: adminId });
    expect(JSON.parse((await lastAudit()).detail)).toMatchObject({ from: 'instructor', to: 'depositor' });

    // another institution's account, their own: 403, nothing changed
    res = await admin.post('/console/comptes/changement', { csrf: admin.csrf, login: 'mdph-chef', action: 'disable' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Ce compte est celui d’un autre organisme');
    expect((await storage.db.selectFrom('staff_accounts').select('disabled_at').where('login', '=', 'mdph-chef').executeTakeFirstOrThrow()).disabled_at).toBeNull();
    res = await admin.post('/console/comptes/changement', { csrf: admin.csrf, login: 'caf-admin', action: 'role', role: 'institution' });
    expect(res.statusCode).toBe(403);
    expect((await storage.db.selectFrom('staff_accounts').select('role').where('login', '=', 'caf-admin').executeTakeFirstOrThrow()).role).toBe('institution-admin');
    // a role that does not exist, no CSRF token: refused
    expect((await admin.post('/console/comptes/changement', { csrf: admin.csrf, login: 'caf-roux', action: 'role', role: 'boss' })).statusCode).toBe(400);
    expect((await admin.post('/console/comptes/changement', { login: 'caf-roux', action: 'disable' })).statusCode).toBe(403);

    // the head of service manages no accounts
    const chef = await login('caf-chef');
    expect((await chef.post('/console/comptes/changement', { csrf: chef.csrf, login: 'caf-roux', action: 'disable' })).statusCode).toBe(403);

    // a disabled account's open session ends at once
    const roux = await login('caf-roux', 'un-mot-de-passe-long');
    expect((await roux.get('/console')).headers.location).toBe('/console/depots');
    res = await admin.post('/console/comptes/changement', { csrf: admin.csrf, login: 'caf-roux', action: 'disable' });
    expect(res.statusCode).toBe(303);
    expect(await lastAudit()).toMatchObject({ action: 'console-account.disable', actor_id: adminId });
    res = await roux.get('/console');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/console\/connexion/);
    expect((await verifyAuditChain(storage.db)).ok).toBe(true);
  });

  it('keeps the role constraints in the database: no unknown role, an institution role needs its institution', async () => {
    const row = { password_hash: 'x', created_at: new Date().toISOString(), disabled_at: null, display_name: 'X' };
    await expect(storage.db.insertInto('staff_accounts').values({ ...row, id: randomUUID(), login: 'bad-role', institution_id: 'caf', role: 'boss' as never }).execute()).rejects.toThrow();
    await expect(storage.db.insertInto('staff_accounts').values({ ...row, id: randomUUID(), login: 'no-owner', institution_id: null, role: 'instructor' }).execute()).rejects.toThrow();
    await storage.db.insertInto('staff_accounts').values({ ...row, id: randomUUID(), login: 'ok-depot', institution_id: 'caf', role: 'depositor' }).execute();
  });
});
