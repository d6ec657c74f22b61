/** The staff HTTP API, with and without its token; every read is journaled. On both databases. */
import { installTestCa } from '../../../test-support/test-ca.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, CAMILLE, connectKiosk, depositMutation, DIALECTS, fakeScan, freshEnv, sha256Hex, STAFF_TOKEN, tusUpload, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';

describe.each(DIALECTS)('staff API on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let scan: Buffer;
  let deposit: Mutation & { type: 'vault.document.deposit' };
  let documentId: string;

  const get = (path: string, token: string | null = STAFF_TOKEN) =>
    fetch(`${server.url}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });

  const journalOf = async (identifier: string) => {
    const person = await server.db.selectFrom('persons').select('id').where('identifier', '=', identifier).executeTakeFirstOrThrow();
    return server.db.selectFrom('audit_journal').selectAll().where('subject_person_id', '=', person.id).orderBy('seq').execute();
  };

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    const auth = await addKiosk(server.db);
    scan = fakeScan(3000);
    expect(await tusUpload(server.url, auth, scan, { sha256: sha256Hex(scan), mime: 'image/png' })).toMatchObject({ ok: true });
    documentId = randomUUID();
    const m = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: scan, documentId });
    if (m.type !== 'vault.document.deposit') throw new Error('unexpected');
    deposit = m;
    const socket = await connectKiosk(server.url, auth);
    try {
      const ack = MutationsAck.parse(await socket.emitWithAck(EVENTS.mutations, { mutations: [deposit] }));
      expect(ack.ok).toBe(true);
    } finally {
      socket.close();
    }
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('answers /health without a token', async () => {
    const r = await get('/health', null);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, db: dialect });
  });

  it('answers 401 without the token or with a wrong one, and journals nothing', async () => {
    const before = (await journalOf(CAMILLE.identifier)).length;
    for (const token of [null, 'wrong-token-wrong-token', `${STAFF_TOKEN}x`, '']) {
      for (const path of [`/api/staff/documents/${documentId}`, `/api/staff/blobs/${sha256Hex(scan)}`, `/api/staff/persons/${CAMILLE.identifier}/documents`, `/api/staff/persons/${CAMILLE.identifier}/audit`]) {
        const r = await get(path, token);
        expect(r.status, `${path} with ${token}`).toBe(401);
        expect(await r.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
    }
    const basic = await fetch(`${server.url}/api/staff/documents/${documentId}`, { headers: { Authorization: `Basic ${STAFF_TOKEN}` } });
    expect(basic.status).toBe(401);
    expect((await journalOf(CAMILLE.identifier)).length).toBe(before);
  });

  it('reads a document with its versions, and journals the read', async () => {
    const before = (await journalOf(CAMILLE.identifier)).length;
    const r = await get(`/api/staff/documents/${documentId}`);
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toEqual({
      id: documentId,
      owner: CAMILLE.identifier,
      vault: 'personal',
      docType: 'rib',
      version: 1,
      fields: deposit.payload.fields,
      ocrText: deposit.payload.ocrText,
      file: { sha256: sha256Hex(scan), mime: 'image/png', size: scan.length },
      capturedAt: deposit.payload.capturedAt,
      versions: [
        {
          version: 1,
          file: { sha256: sha256Hex(scan), mime: 'image/png', size: scan.length },
          capturedAt: deposit.payload.capturedAt,
          createdAt: expect.any(String),
          source: { kioskId: expect.any(String), mutationId: deposit.id },
        },
      ],
    });
    const journal = await journalOf(CAMILLE.identifier);
    expect(journal.length).toBe(before + 1);
    expect(journal.at(-1)).toMatchObject({ actor_kind: 'staff', action: 'document.read', ground: 'staff-administration', document_id: documentId });
  });

  it('serves a blob’s bytes with its content type, and journals the read', async () => {
    const before = (await journalOf(CAMILLE.identifier)).length;
    const r = await get(`/api/staff/blobs/${sha256Hex(scan)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await r.arrayBuffer()).equals(scan)).toBe(true);
    const journal = await journalOf(CAMILLE.identifier);
    expect(journal.length).toBe(before + 1);
    expect(journal.at(-1)).toMatchObject({ action: 'document.file.read', document_id: documentId });
  });

  it('lists a person’s documents, journaled', async () => {
    const r = await get(`/api/staff/persons/${CAMILLE.identifier.toLowerCase()}/documents`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      owner: CAMILLE.identifier,
      documents: [
        {
          id: documentId,
          vault: 'personal',
          docType: 'rib',
          version: 1,
          file: { sha256: sha256Hex(scan), mime: 'image/png', size: scan.length },
          capturedAt: deposit.payload.capturedAt,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
    });
    expect((await journalOf(CAMILLE.identifier)).at(-1)).toMatchObject({ action: 'vault.list' });
    const empty = await get(`/api/staff/persons/${YANIS.identifier}/documents`);
    expect(await empty.json()).toEqual({ owner: YANIS.identifier, documents: [] });
  });

  it('shows the journal about a person: the deposit and every staff read', async () => {
    const r = await get(`/api/staff/persons/${CAMILLE.identifier}/audit`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { owner: string; entries: Array<{ action: string; actor: { kind: string } }> };
    expect(body.owner).toBe(CAMILLE.identifier);
    expect(body.entries.map((e) => e.action)).toEqual(['document.deposit', 'document.read', 'document.file.read', 'vault.list']);
    expect(body.entries[0]!.actor).toEqual({ kind: 'person', id: CAMILLE.identifier });
    expect((await journalOf(CAMILLE.identifier)).at(-1)).toMatchObject({ action: 'audit.read' });
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('validates parameters and answers JSON errors', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/staff/documents/not-a-uuid', 400, 'invalid'],
      [`/api/staff/documents/${randomUUID()}`, 404, 'unknown'],
      ['/api/staff/blobs/xyz', 400, 'invalid'],
      [`/api/staff/blobs/${sha256Hex(Buffer.from('never uploaded'))}`, 404, 'unknown'],
      ['/api/staff/persons/FAC-K7QM-3XD2-9HRX/documents', 400, 'invalid'],
      ['/api/staff/persons/FAC-0000-0000-0000/documents', 404, 'unknown'],
      ['/api/staff/persons/FAC-0000-0000-0000/audit', 404, 'unknown'],
      ['/api/staff/nothing-here', 404, 'unknown'],
    ];
    for (const [path, status, code] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(await r.json(), path).toEqual({ error: { code, message: expect.any(String) } });
    }
  });
});
