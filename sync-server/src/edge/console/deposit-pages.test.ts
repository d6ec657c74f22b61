/**
 * The console's deposit page through Fastify inject, on both engines: only a session of an account that
 * may deposit reaches it (`mayDeposit`); a paper deposited with the form lands in the person's
 * institutional vault, journaled with the account as actor, listed on the page and told to the person;
 * a missing CSRF token, a person not served (the same words as an unknown one), a bad identifier, a file
 * that is none of PDF/JPEG/PNG, a hostile file, a broken form: refused in French, nothing stored.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../features/accounts/index.ts';
import { mayDeposit, unseenDepositNotices } from '../../features/institutions/index.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';
import { PdfPool } from '../../kernel/files/pdf-pool.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import { countRows, DIALECTS } from '../../../test-support/test-env.ts';
import { addPerson } from '../../../test-support/test-cards.ts';
import type { TestPerson } from '../../../test-support/test-cards.ts';
import { pdfObjectBomb } from '../../../test-support/hostile-files.ts';
import { registerConsole } from './routes.ts';

const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const BOUNDARY = '----faccons0le';

/** A browser's multipart body: the fields, then the file input (empty when no file was chosen). */
function multipart(fields: Record<string, string>, file: { name: string; type: string; bytes: Buffer } | null): Buffer {
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="fichier"; filename="${file?.name ?? ''}"\r\nContent-Type: ${file?.type ?? 'application/octet-stream'}\r\n\r\n`));
  if (file) parts.push(file.bytes);
  parts.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

const pdf = new PdfPool({ size: 1 });
afterAll(() => pdf.close());

describe('who may deposit', () => {
  it('the head of service and the depositor; not a structure admin', () => {
    expect(mayDeposit('institution')).toBe(true);
    expect(mayDeposit('depositor')).toBe(true);
    expect(mayDeposit('structure-admin')).toBe(false);
  });
});

describe.each(DIALECTS)('console deposit page (%s)', (dialect) => {
  let db: Kysely<Database>;
  let app: FastifyInstance;
  let blobDir: string;
  let served: TestPerson;
  let stranger: TestPerson;
  let cafCookie: string;
  let adminCookie: string;

  seededDatabaseSuite(dialect, (s) => ({ db } = s));

  beforeAll(async () => {
    blobDir = mkdtempSync(join(tmpdir(), 'fac-console-deposit-'));
    app = Fastify({ logger: false });
    await registerConsole(app, { db, dialect, blobStore: new LocalBlobStore(blobDir), pdf });
    await app.ready();
    const account = async (login: string) => (await db.selectFrom('staff_accounts').select('id').where('login', '=', login).executeTakeFirstOrThrow()).id;
    cafCookie = `fac_console=${(await createSession(db, await account('caf-chef'))).token}`;
    adminCookie = `fac_console=${(await createSession(db, await account('cms-admin'))).token}`;
    served = await addPerson(db, { firstName: 'Inès' });
    stranger = await addPerson(db);
    const now = new Date().toISOString();
    await db.insertInto('threads').values({ id: randomUUID(), person_id: served.id, institution_id: 'caf', subject: 'Ma question', created_at: now, updated_at: now }).execute();
  });
  afterAll(async () => {
    await app?.close();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });

  const open = (cookie = cafCookie) => app.inject({ method: 'GET', url: '/console/depots', headers: { cookie } });
  async function csrf(): Promise<string> {
    const m = /name="csrf" value="([^"]+)"/.exec((await open()).body);
    if (!m) throw new Error('no csrf');
    return m[1]!;
  }
  const send = async (fields: Record<string, string>, file: { name: string; type: string; bytes: Buffer } | null, o: { csrf?: string | null; cookie?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: '/console/depots',
      headers: { cookie: o.cookie ?? cafCookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: multipart({ ...(o.csrf === null ? {} : { csrf: o.csrf ?? (await csrf()) }), ...fields }, file),
    });
  const stored = async () => ({ documents: await countRows(db, 'documents'), deposits: await countRows(db, 'institution_deposits') });
  const pdfFile = { name: 'attestation.pdf', type: 'application/pdf', bytes: TINY_PDF };

  it('shows the form to the head of service, in French, and keeps out those who may not deposit', async () => {
    const page = await open();
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<h1>Déposer un papier</h1>');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('<label for="identifiant">Identifiant de la personne</label>');
    expect(page.body).toContain('Aucun papier déposé pour l’instant.');
    const none = await app.inject({ method: 'GET', url: '/console/depots' });
    expect(none.statusCode).toBe(303);
    expect(none.headers.location).toBe('/console/connexion');
    // a structure's admin is no institution's staff
    expect((await open(adminCookie)).statusCode).toBe(303);
  });

  it('deposits a paper for a person the institution serves: in the vault, journaled, listed, told', async () => {
    const before = await stored();
    const r = await send({ identifiant: served.identifier.toLowerCase(), type: 'caf-certificate', titre: 'Attestation de paiement de novembre', date: '2026-11-30', fin: '' }, pdfFile);
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toMatch(/^\/console\/depots\?depot=[0-9a-f-]{36}$/);
    const after = await app.inject({ method: 'GET', url: String(r.headers.location), headers: { cookie: cafCookie } });
    expect(after.body).toContain('C’est fait : « Attestation de paiement de novembre » est dans le coffre de la personne.');
    expect(after.body).toContain(served.identifier);
    expect(after.body).toContain('Claire Dubois');
    expect(await stored()).toEqual({ documents: before.documents + 1, deposits: before.deposits + 1 });
    const doc = await db.selectFrom('documents').selectAll().where('owner_person_id', '=', served.id).executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ vault: 'institutional', doc_type: 'caf-certificate', institution_id: 'caf', issued_on: '2026-11-30' });
    const entry = await db.selectFrom('audit_journal').selectAll().where('document_id', '=', doc.id).executeTakeFirstOrThrow();
    const accountId = (await db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-chef').executeTakeFirstOrThrow()).id;
    expect(entry).toMatchObject({ action: 'document.issue', actor_id: accountId, ground: 'institution-deposit' });
    expect((await unseenDepositNotices(db, served.id)).map((n) => n.text)).toEqual(['La CAF a mis un papier dans votre coffre : Attestation de paiement de novembre.']);
  });

  it('refuses bad input in French and stores nothing', async () => {
    const before = await stored();
    const good = { identifiant: served.identifier, type: 'caf-certificate', titre: '', date: '', fin: '' };

    const noCsrf = await send(good, pdfFile, { csrf: null });
    expect(noCsrf.statusCode).toBe(403);

    const badId = await send({ ...good, identifiant: 'FAC-1234' }, pdfFile);
    expect(badId.statusCode).toBe(400);
    expect(badId.body).toContain('Écrivez l’identifiant de la carte');
    expect(badId.body).toContain('aria-invalid="true"');

    // not served, or nobody: the same words
    const notServed = await send({ ...good, identifiant: stranger.identifier }, pdfFile);
    expect(notServed.statusCode).toBe(404);
    expect(notServed.body).toContain('Nous ne trouvons pas cette personne parmi celles que votre organisme suit.');

    const noType = await send({ ...good, type: '' }, pdfFile);
    expect(noType.statusCode).toBe(400);
    expect(noType.body).toContain('Choisissez le type de papier.');

    const badDate = await send({ ...good, date: '31/02/2026' }, pdfFile);
    expect(badDate.statusCode).toBe(400);
    expect(badDate.body).toContain('Écrivez une date comme 15/03/2026.');
    const backwards = await send({ ...good, date: '2026-06-01', fin: '2026-01-01' }, pdfFile);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('Cette date est avant la date du papier.');

    const noFile = await send(good, null);
    expect(noFile.statusCode).toBe(400);
    expect(noFile.body).toContain('Choisissez le fichier du papier.');

    const text = await send(good, { name: 'lettre.pdf', type: 'application/pdf', bytes: Buffer.from('Bonjour, ceci est une lettre.') });
    expect(text.statusCode).toBe(400);
    expect(text.body).toContain('Ce fichier n’est ni un PDF, ni une image JPEG ou PNG.');

    const bomb = await send(good, { name: 'bombe.pdf', type: 'application/pdf', bytes: pdfObjectBomb() });
    expect([400, 503]).toContain(bomb.statusCode);
    expect(bomb.body).toContain('field-error');

    const broken = await app.inject({ method: 'POST', url: '/console/depots', headers: { cookie: cafCookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: 'pas un formulaire' });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('text/html');

    const admin = await send(good, pdfFile, { cookie: adminCookie, csrf: 'x' });
    expect(admin.statusCode).toBe(303);
    expect(await stored()).toEqual(before);
  });
});
