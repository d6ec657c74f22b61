/**
 * The institutions' API over real HTTP on loopback, on both databases: the OAuth 2.0 client credentials
 * grant (HTTP Basic), bearer tokens (missing, wrong, expired, of a revoked client, without the scope),
 * rotation with its grace period, and deposits — stored, journaled with the client as actor, the
 * person's notice written; replayed by idempotency key (stored once), refused with another body under
 * the same key (409); the same answer for an unknown person and one the institution does not serve;
 * oversize (413), files that are not what they claim and hostile files, malformed bodies. Nothing is
 * stored on any refusal.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { randomIdentifier } from '../../../protocol/identifier.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, grantToken, purgeExpiredInstitutionTokens, revokeClient, rotateClientSecret } from '../../features/institutions/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { countRows, DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { installTestCa } from '../../../test-support/test-ca.ts';
import { addPerson } from '../../../test-support/test-cards.ts';
import type { TestPerson } from '../../../test-support/test-cards.ts';
import { hostileFiles, wrongMagic } from '../../../test-support/hostile-files.ts';
import { randomPng } from '../../../test-support/png.ts';

const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const CLI = { kind: 'staff', id: 'staff-cli' } as const;
const API = '/api/institutions/v1';

describe.each(DIALECTS)('institutions API on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let caf: { id: string; secret: string };
  let served: TestPerson;
  let stranger: TestPerson;

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const askToken = (authorization: string | null, body = 'grant_type=client_credentials') =>
    fetch(`${server.url}${API}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) }, body });
  async function tokenOf(c: { id: string; secret: string }): Promise<string> {
    const r = await askToken(basic(c.id, c.secret));
    expect(r.status).toBe(200);
    return ((await r.json()) as { access_token: string }).access_token;
  }
  const paper = (person: string, o: Record<string, unknown> = {}) => ({ person, docType: 'caf-certificate', title: 'Attestation de paiement', issuedOn: '2026-11-30', mime: 'application/pdf', content: TINY_PDF.toString('base64'), ...o });
  const post = (token: string | null, body: unknown, key: string | null = randomUUID(), extra: Record<string, string> = {}) =>
    fetch(`${server.url}${API}/deposits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(key ? { 'idempotency-key': key } : {}), ...extra },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const stored = async () => ({ documents: await countRows(server.db, 'documents'), deposits: await countRows(server.db, 'institution_deposits'), journal: await countRows(server.db, 'audit_journal') });

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    const created = await createClient(server.db, server.dialect, { institutionId: 'caf', name: 'Système de la CAF' }, CLI);
    if (!created.ok) throw new Error(created.code);
    caf = created;
    served = await addPerson(server.db);
    stranger = await addPerson(server.db);
    // the person wrote to the CAF: the CAF serves them
    const now = new Date().toISOString();
    await server.db.insertInto('threads').values({ id: randomUUID(), person_id: served.id, institution_id: 'caf', subject: 'Question', created_at: now, updated_at: now }).execute();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('grants a short-lived bearer token for the client credentials, and refuses anything else as the RFC says', async () => {
    const r = await askToken(basic(caf.id, caf.secret), 'grant_type=client_credentials&scope=deposits%3Awrite');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown, token_type: 'Bearer', expires_in: 600, scope: 'deposits:write' });
    // the token is stored as a hash only
    const tokens = await server.db.selectFrom('institution_tokens').select('token_hash').where('client_id', '=', caf.id).execute();
    expect(tokens.every((t) => /^[0-9a-f]{64}$/.test(t.token_hash))).toBe(true);
    const secretRow = await server.db.selectFrom('institution_clients').select('secret_hash').where('id', '=', caf.id).executeTakeFirstOrThrow();
    expect(secretRow.secret_hash).not.toContain(caf.secret);

    for (const auth of [null, basic(caf.id, `${caf.secret}x`), basic('caf-unknown', caf.secret), `Bearer ${caf.secret}`, 'Basic !!!']) {
      const bad = await askToken(auth);
      expect(bad.status, String(auth)).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) as unknown });
    }
    const grant = await askToken(basic(caf.id, caf.secret), 'grant_type=password&username=a&password=b');
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const scope = await askToken(basic(caf.id, caf.secret), 'grant_type=client_credentials&scope=vault%3Aread');
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });
    const json = await fetch(`${server.url}${API}/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(caf.id, caf.secret) }, body: '{"grant_type":"client_credentials"}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('deposits a paper for a person the institution serves: stored, journaled with the client as actor, the person told; a retry stores nothing twice', async () => {
    const token = await tokenOf(caf);
    const before = await stored();
    const key = randomUUID();
    const r = await post(token, paper(served.identifier), key);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { depositId: string; documentId: string; sha256: string; title: string; receivedAt: string };
    expect(body).toEqual({ depositId: expect.any(String), documentId: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), title: 'Attestation de paiement', receivedAt: expect.any(String) });
    const doc = await server.db.selectFrom('documents').selectAll().where('id', '=', body.documentId).executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ owner_person_id: served.id, vault: 'institutional', doc_type: 'caf-certificate', institution_id: 'caf', title: 'Attestation de paiement', issued_on: '2026-11-30' });
    const entry = await server.db.selectFrom('audit_journal').selectAll().where('document_id', '=', body.documentId).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'document.issue', actor_kind: 'staff', actor_id: `institution-client:${caf.id}`, ground: 'institution-deposit', subject_person_id: served.id });
    expect(JSON.parse(entry.detail)).toMatchObject({ via: 'api', clientId: caf.id, institutionId: 'caf' });
    expect(await server.db.selectFrom('institution_deposits').select(['person_id', 'client_id', 'seen_at']).where('id', '=', body.depositId).executeTakeFirst()).toEqual({ person_id: served.id, client_id: caf.id, seen_at: null });
    expect(await stored()).toEqual({ documents: before.documents + 1, deposits: before.deposits + 1, journal: before.journal + 1 });

    // the same request again (a timeout on the institution's side): the same answer, nothing stored
    const again = await post(token, paper(served.identifier), key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(body);
    expect((await stored()).documents).toBe(before.documents + 1);

    // the same key for another paper: refused, nothing stored
    const other = await post(token, paper(served.identifier, { title: 'Autre' }), key);
    expect(other.status).toBe(409);
    expect(await other.json()).toEqual({ error: { code: 'conflict', message: expect.stringContaining('clé') as unknown } });
    expect(await stored()).toEqual({ documents: before.documents + 1, deposits: before.deposits + 1, journal: before.journal + 1 });
    expect((await verifyAuditChain(server.db)).ok).toBe(true);
  });

  it('answers a person the institution does not serve exactly as a person who does not exist', async () => {
    const token = await tokenOf(caf);
    const before = await stored();
    const a = await post(token, paper(stranger.identifier));
    const unknownIdentifier = randomIdentifier((n) => new Uint8Array(randomBytes(n)));
    const b = await post(token, paper(unknownIdentifier));
    expect(a.status).toBe(404);
    expect(b.status).toBe(404);
    expect(await a.json()).toEqual(await b.json());
    expect(await stored()).toEqual(before);
  });

  it('refuses missing, wrong, expired and revoked tokens (401 with WWW-Authenticate) and a token without the scope (403)', async () => {
    const before = await stored();
    const none = await post(null, paper(served.identifier));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="facilitateur-institutions"');
    const wrong = await post('not-a-token-we-gave', paper(served.identifier));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // the CAF's secret is not a token
    expect((await post(caf.secret, paper(served.identifier))).status).toBe(401);

    const old = await grantToken(server.db, { clientId: caf.id, secret: caf.secret, scope: null }, new Date(Date.now() - 11 * 60_000));
    if (!old.ok) throw new Error(old.error);
    const expired = await post(old.accessToken, paper(served.identifier));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // the housekeeping drops the expired token, and only it
    const tokens = async () => (await server.db.selectFrom('institution_tokens').select('token_hash').execute()).length;
    const held = await tokens();
    expect(await purgeExpiredInstitutionTokens(server.db)).toBe(1);
    expect(await tokens()).toBe(held - 1);

    // a client given another scope only
    const other = await createClient(server.db, server.dialect, { institutionId: 'caf', name: 'Lecture seule' }, CLI);
    if (!other.ok) throw new Error(other.code);
    await server.db.updateTable('institution_clients').set({ scopes: 'deposits:read' }).where('id', '=', other.id).execute();
    const narrow = await post(await tokenOf(other), paper(served.identifier));
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="deposits:write"/);

    // revoked: its live token stops at once, and it gets no new one
    const doomed = await createClient(server.db, server.dialect, { institutionId: 'caf', name: 'Ancien système' }, CLI);
    if (!doomed.ok) throw new Error(doomed.code);
    const live = await tokenOf(doomed);
    expect(await revokeClient(server.db, server.dialect, doomed.id, CLI)).toMatchObject({ ok: true, changed: true });
    expect((await post(live, paper(served.identifier))).status).toBe(401);
    expect((await askToken(basic(doomed.id, doomed.secret))).status).toBe(401);
    const journal = await server.db.selectFrom('audit_journal').select('action').where('action', 'like', 'institution-client.%').execute();
    expect(journal.map((j) => j.action)).toEqual(expect.arrayContaining(['institution-client.create', 'institution-client.revoke']));
    expect((await stored()).documents).toBe(before.documents);
    expect((await stored()).deposits).toBe(before.deposits);
  });

  it('rotates a secret: the former one works for the grace period, or not at all', async () => {
    const c = await createClient(server.db, server.dialect, { institutionId: 'caf', name: 'Rotation' }, CLI);
    if (!c.ok) throw new Error(c.code);
    const r1 = await rotateClientSecret(server.db, server.dialect, { id: c.id }, CLI);
    if (!r1.ok) throw new Error(r1.code);
    expect(r1.previousUntil).not.toBeNull();
    expect((await askToken(basic(c.id, c.secret))).status).toBe(200);
    expect((await askToken(basic(c.id, r1.secret))).status).toBe(200);
    const r2 = await rotateClientSecret(server.db, server.dialect, { id: c.id, graceHours: 0 }, CLI);
    if (!r2.ok) throw new Error(r2.code);
    expect((await askToken(basic(c.id, r1.secret))).status).toBe(401);
    expect((await askToken(basic(c.id, c.secret))).status).toBe(401);
    expect((await askToken(basic(c.id, r2.secret))).status).toBe(200);
  });

  it('refuses malformed requests with a typed error, and stores nothing', async () => {
    const token = await tokenOf(caf);
    const before = await stored();
    const noKey = await post(token, paper(served.identifier), null);
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toEqual({ error: { code: 'invalid', message: expect.stringContaining('Idempotency-Key') as unknown } });
    for (const body of [
      'not json',
      '{"person":',
      {},
      paper(served.identifier, { docType: 'passeport-magique' }),
      paper(served.identifier, { person: 'FAC-K7QM-3XD2-9HRX' }),
      paper(served.identifier, { mime: 'image/svg+xml' }),
      paper(served.identifier, { content: 'pas du base64 !' }),
      paper(served.identifier, { issuedOn: '30/11/2026' }),
      paper(served.identifier, { extra: 'field' }),
      paper(served.identifier, { title: 'x'.repeat(201) }),
    ]) {
      const r = await post(token, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await r.json()).toEqual({ error: { code: 'invalid', message: expect.any(String) as unknown } });
    }
    const french = await post(token, paper(served.identifier, { docType: 'passeport-magique' }));
    expect(await french.json()).toEqual({ error: { code: 'invalid', message: 'Demande invalide (docType) : valeur non prévue' } });
    const text = await post(token, 'person=x', randomUUID(), { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    const xml = await post(token, '<deposit/>', randomUUID(), { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toEqual({ error: { code: 'invalid', message: expect.any(String) as unknown } });
    const backwards = await post(token, paper(served.identifier, { issuedOn: '2026-11-30', expiresOn: '2026-01-01' }));
    expect(backwards.status).toBe(422);
    expect(await stored()).toEqual(before);
  });

  it('refuses an oversize body (413) before reading it', async () => {
    const token = await tokenOf(caf);
    const before = await stored();
    const big = JSON.stringify(paper(served.identifier, { content: 'A'.repeat(21 * 1024 * 1024) }));
    const r = await post(token, big);
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: { code: 'too_large', message: expect.stringContaining('15 Mo') as unknown } });
    // without a token, the same body is refused for the token
    expect((await post(null, big)).status).toBe(401);
    expect(await stored()).toEqual(before);
  });

  it('refuses a file that is not what it claims and every hostile file, stores nothing, and still answers /health', async () => {
    const token = await tokenOf(caf);
    const before = await stored();
    const magic = await wrongMagic();
    const cases = [
      { name: 'PNG nommé PDF', bytes: randomPng(), mime: 'application/pdf' },
      { name: 'JPEG nommé PNG', bytes: magic.jpegAsPng, mime: 'image/png' },
      ...(await hostileFiles()).filter((f) => f.bytes.length > 0),
    ];
    for (const f of cases) {
      const r = await post(token, paper(served.identifier, { mime: f.mime, content: f.bytes.toString('base64') }));
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect([422, 503], `${f.name}: ${JSON.stringify(body)}`).toContain(r.status);
      expect(body.error.message.length, f.name).toBeGreaterThan(5);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
    expect(await stored()).toEqual(before);
    // a real image passes, re-encoded
    const png = await post(token, paper(served.identifier, { mime: 'image/png', content: randomPng(40, 30).toString('base64') }));
    expect(png.status).toBe(201);
  });
});
