/**
 * The sync endpoint over a real socket.io-client connection to startServer on 127.0.0.1:0, against both
 * SQLite and PostgreSQL: nothing lost, nothing twice, and bad input stores nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/common.ts';
import { EVENTS, MutationsAck, HelloAck, CardholderAck } from '../../../protocol/socket.ts';
import type { KioskAuth } from '../../../protocol/socket.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import {
  addKiosk,
  CAMILLE,
  connectKiosk,
  countRows,
  DEMO_KIOSK_ID,
  enrollKiosk,
  handshakeFor,
  depositMutation,
  DIALECTS,
  fakeScan,
  freshEnv,
  sha256Hex,
  tusUpload,
  YANIS,
} from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';
import { installTestCa } from '../../../test-support/test-ca.ts';

describe.each(DIALECTS)('sync endpoint on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  async function kiosk(): Promise<{ auth: KioskAuth; socket: Socket }> {
    const auth = await addKiosk(server.db);
    const socket = await connectKiosk(server.url, auth);
    sockets.push(socket);
    return { auth, socket };
  }

  async function send(socket: Socket, payload: unknown): Promise<MutationsAck> {
    return MutationsAck.parse(await socket.timeout(10_000).emitWithAck(EVENTS.mutations, payload));
  }

  /** Uploads a fresh scan over tus, as the kiosk does before sending the mutation. */
  async function uploaded(auth: KioskAuth, size = 1024): Promise<Buffer> {
    const bytes = fakeScan(size);
    const r = await tusUpload(server.url, auth, bytes, { sha256: sha256Hex(bytes), mime: 'image/png' });
    expect(r.ok).toBe(true);
    return bytes;
  }

  async function stateOf(kioskId: string): Promise<{ lastSeq: number; applied: number }> {
    const k = await server.db.selectFrom('kiosks').select('last_seq').where('id', '=', kioskId).executeTakeFirstOrThrow();
    const applied = await server.db.selectFrom('applied_mutations').select('seq').where('kiosk_id', '=', kioskId).execute();
    return { lastSeq: k.last_seq, applied: applied.length };
  }

  it('says hello with the kiosk’s lastSeq', async () => {
    const { socket } = await kiosk();
    const ack = HelloAck.parse(await socket.emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString() }));
    expect(ack).toMatchObject({ ok: true, lastSeq: 0 });
  });

  it('applies mutations in order, each with its document, version and audit entry', async () => {
    const { auth, socket } = await kiosk();
    const blobs = [await uploaded(auth), await uploaded(auth), await uploaded(auth)];
    const batch = blobs.map((blob, i) => depositMutation({ kioskId: auth.kioskId, seq: i + 1, blob }));
    const journalBefore = await countRows(server.db, 'audit_journal');

    const ack = await send(socket, { mutations: batch });
    expect(ack).toEqual({ ok: true, lastSeq: 3, results: batch.map((m) => ({ seq: m.seq, id: m.id, status: 'applied' })) });
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 3, applied: 3 });

    const first = batch[0]!;
    if (first.type !== 'vault.document.deposit') throw new Error('unexpected');
    const doc = await server.db.selectFrom('documents').selectAll().where('id', '=', first.payload.documentId).executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ vault: 'personal', doc_type: 'rib', current_version: 1, institution_id: null });
    const version = await server.db.selectFrom('document_versions').selectAll().where('document_id', '=', doc.id).executeTakeFirstOrThrow();
    expect(version).toMatchObject({ version: 1, blob_sha256: first.payload.file.sha256, source_kiosk_id: auth.kioskId, source_mutation_id: first.id });
    expect(JSON.parse(version.fields)).toEqual(first.payload.fields);
    expect(version.ocr_text).toBe(first.payload.ocrText);

    const entries = await server.db.selectFrom('audit_journal').selectAll().where('seq', '>', journalBefore).orderBy('seq').execute();
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ actor_kind: 'person', actor_id: CAMILLE.identifier, action: 'document.deposit', ground: 'own-card', document_id: doc.id });
    expect(JSON.parse(entries[0]!.detail)).toMatchObject({ kioskId: auth.kioskId, mutationId: first.id, cardSerial: CAMILLE.card, version: 1 });
    expect(entries[0]!.detail).not.toContain('FR76');
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('acknowledges a resent batch as duplicates and applies nothing twice', async () => {
    const { auth, socket } = await kiosk();
    const batch = [depositMutation({ kioskId: auth.kioskId, seq: 1, blob: await uploaded(auth) }), depositMutation({ kioskId: auth.kioskId, seq: 2, blob: await uploaded(auth) })];
    expect((await send(socket, { mutations: batch })).ok).toBe(true);
    const docs = await countRows(server.db, 'documents');
    const journal = await countRows(server.db, 'audit_journal');

    const again = await send(socket, { mutations: batch });
    expect(again).toEqual({ ok: true, lastSeq: 2, results: batch.map((m) => ({ seq: m.seq, id: m.id, status: 'duplicate' })) });
    expect(await countRows(server.db, 'documents')).toBe(docs);
    expect(await countRows(server.db, 'audit_journal')).toBe(journal);

    // a mix: the old one is a duplicate, the next one is applied
    const third = depositMutation({ kioskId: auth.kioskId, seq: 3, blob: await uploaded(auth) });
    const mixed = await send(socket, { mutations: [batch[1], third] });
    expect(mixed).toMatchObject({ ok: true, lastSeq: 3, results: [{ seq: 2, status: 'duplicate' }, { seq: 3, status: 'applied' }] });
  });

  it('refuses a different mutation under an already used seq, or an id already used', async () => {
    const { auth, socket } = await kiosk();
    const m1 = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: await uploaded(auth) });
    expect((await send(socket, { mutations: [m1] })).ok).toBe(true);

    const impostor = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: await uploaded(auth) });
    expect(await send(socket, { mutations: [impostor] })).toMatchObject({ ok: false, error: { code: 'invalid', seq: 1 }, lastSeq: 1, results: [] });

    const reusedId = depositMutation({ kioskId: auth.kioskId, seq: 2, blob: await uploaded(auth), id: m1.id });
    expect(await send(socket, { mutations: [reusedId] })).toMatchObject({ ok: false, error: { code: 'invalid', seq: 2 }, lastSeq: 1 });
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 1, applied: 1 });
  });

  it('stops at a gap with the expected seq, still reporting what was applied before it', async () => {
    const { auth, socket } = await kiosk();
    const [b1, b2, b3] = [await uploaded(auth), await uploaded(auth), await uploaded(auth)];
    const m1 = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: b1! });
    const m3 = depositMutation({ kioskId: auth.kioskId, seq: 3, blob: b3! });

    const onlyTwo = await send(socket, { mutations: [depositMutation({ kioskId: auth.kioskId, seq: 2, blob: b2! })] });
    expect(onlyTwo).toMatchObject({ ok: false, error: { code: 'gap', expectedSeq: 1, seq: 2 }, lastSeq: 0, results: [] });
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 0, applied: 0 });

    const withHole = await send(socket, { mutations: [m1, m3] });
    expect(withHole).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'gap', expectedSeq: 2, seq: 3 }),
      lastSeq: 1,
      results: [{ seq: 1, id: m1.id, status: 'applied' }],
    });
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 1, applied: 1 });
  });

  it('applies a reordered batch in seq order', async () => {
    const { auth, socket } = await kiosk();
    const ms = [1, 2, 3].map(async (seq) => depositMutation({ kioskId: auth.kioskId, seq, blob: await uploaded(auth) }));
    const [m1, m2, m3] = await Promise.all(ms);
    const ack = await send(socket, { mutations: [m3, m1, m2] });
    expect(ack).toMatchObject({ ok: true, lastSeq: 3, results: [{ seq: 1 }, { seq: 2 }, { seq: 3 }] });
    const applied = await server.db.selectFrom('applied_mutations').select(['seq', 'id']).where('kiosk_id', '=', auth.kioskId).orderBy('seq').execute();
    expect(applied).toEqual([m1, m2, m3].map((m) => ({ seq: m!.seq, id: m!.id })));
  });

  it('refuses invalid payloads with a typed error and stores nothing', async () => {
    const { auth, socket } = await kiosk();
    const blob = await uploaded(auth);
    const good = depositMutation({ kioskId: auth.kioskId, seq: 1, blob });
    const withPayload = (p: Record<string, unknown>) => ({ ...good, payload: { ...(good as { payload: object }).payload, ...p } });
    const journal = await countRows(server.db, 'audit_journal');

    const cases: Array<[string, unknown]> = [
      ['not an object', 'hello'],
      ['null', null],
      ['no mutations', { mutations: [] }],
      ['seq as a string', { mutations: [{ ...good, seq: '1' }] }],
      ['seq 0', { mutations: [{ ...good, seq: 0 }] }],
      ['negative seq', { mutations: [{ ...good, seq: -1 }] }],
      ['fractional seq', { mutations: [{ ...good, seq: 1.5 }] }],
      ['id not a uuid', { mutations: [{ ...good, id: 'abc' }] }],
      ['unknown type', { mutations: [{ ...good, type: 'vault.document.explode' }] }],
      ['unknown docType', { mutations: [withPayload({ docType: 'love-letter' })] }],
      ['owner not an identifier', { mutations: [withPayload({ owner: 'Camille' })] }],
      ['oversized OCR text', { mutations: [withPayload({ ocrText: 'x'.repeat(LIMITS.ocrTextChars + 1) })] }],
      ['too many fields', { mutations: [withPayload({ fields: Object.fromEntries(Array.from({ length: LIMITS.fieldsPerDocument + 1 }, (_, i) => [`f${i}`, { value: 'v', confidence: 1, confirmed: true }])) })] }],
      ['file too large', { mutations: [withPayload({ file: { ...good.payload.file, size: LIMITS.blobBytes + 1 } })] }],
      ['unsupported mime', { mutations: [withPayload({ file: { ...good.payload.file, mime: 'text/html' } })] }],
      ['ground of an unsupported kind', { mutations: [withPayload({ ground: { kind: 'procuration', id: 'x' } })] }],
      ['too many mutations', { mutations: Array.from({ length: LIMITS.mutationsPerBatch + 1 }, (_, i) => ({ ...good, seq: i + 1, id: randomUUID() })) }],
      ['blobs list not matching the payload', { mutations: [{ ...good, blobs: [] }] }],
      ['blobs list with another hash', { mutations: [{ ...good, blobs: [sha256Hex(Buffer.from('other'))] }] }],
      ['the same seq twice in the batch', { mutations: [good, { ...good, id: randomUUID() }] }],
      ['the same id twice in the batch', { mutations: [good, { ...good, seq: 2 }] }],
    ];
    for (const [name, payload] of cases) {
      const ack = await send(socket, payload);
      expect(ack.ok, name).toBe(false);
      if (!ack.ok) expect(ack.error.code, name).toBe('invalid');
    }
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 0, applied: 0 });
    expect(await countRows(server.db, 'audit_journal')).toBe(journal);

    // a message without an ack callback, or with no payload at all, does not break the connection
    socket.emit(EVENTS.mutations, { mutations: 'nope' });
    const noPayload = await socket.timeout(5000).emitWithAck(EVENTS.mutations);
    expect(noPayload).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect((await send(socket, { mutations: [good] })).ok).toBe(true);
  });

  it('keeps each kiosk on its own sequence: a kioskId slipped into a mutation is ignored, another kiosk’s ids are refused', async () => {
    const mine = await kiosk();
    const theirs = await kiosk();
    const theirFirst = depositMutation({ kioskId: theirs.auth.kioskId, seq: 1, blob: await uploaded(theirs.auth) });
    expect((await send(theirs.socket, { mutations: [theirFirst] })).ok).toBe(true);
    // replaying the other kiosk's mutation (its id, its seq) under my connection
    expect(await send(mine.socket, { mutations: [{ ...theirFirst, kioskId: theirs.auth.kioskId }] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // a kioskId member pointing elsewhere does not move the mutation to that kiosk's sequence
    const m = depositMutation({ kioskId: mine.auth.kioskId, seq: 1, blob: await uploaded(mine.auth) });
    expect(await send(mine.socket, { mutations: [{ ...m, kioskId: theirs.auth.kioskId }] })).toMatchObject({ ok: true, lastSeq: 1 });
    expect(await stateOf(mine.auth.kioskId)).toEqual({ lastSeq: 1, applied: 1 });
    expect(await stateOf(theirs.auth.kioskId)).toEqual({ lastSeq: 1, applied: 1 });
    const row = await server.db.selectFrom('applied_mutations').select('kiosk_id').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.kiosk_id).toBe(mine.auth.kioskId);
  });

  it('refuses malformed hello and card-holder messages with typed errors, ignores unknown events, and stays usable', async () => {
    const { socket } = await kiosk();
    const ask = async (event: string, payload: unknown) => (await socket.timeout(5000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string } };
    const hellos: unknown[] = [
      null,
      'hello',
      [],
      {},
      { clientTime: 'yesterday' },
      { clientTime: 5 },
      { clientTime: new Date().toISOString(), revocationsVersion: 'x' },
      { clientTime: new Date().toISOString(), configVersion: -1 },
      { clientTime: new Date().toISOString(), configVersion: Number.POSITIVE_INFINITY },
    ];
    for (const h of hellos) expect(await ask(EVENTS.hello, h), JSON.stringify(h)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    for (const c of [{ identifier: 'x'.repeat(41) }, { identifier: { $ne: null } }, { identifier: ['FAC'] }, 'FAC-K7QM-3XD2-9HRW']) {
      expect(await ask(EVENTS.cardholder, c), JSON.stringify(c)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    socket.emit('sync:drop-database', { please: true });
    socket.emit('__proto__', {});
    expect(await ask(EVENTS.hello, { clientTime: new Date().toISOString() })).toMatchObject({ ok: true });
  });

  it('drops a connection whose message exceeds the size limit, storing nothing', async () => {
    const { auth, socket } = await kiosk();
    const blob = await uploaded(auth);
    const big = depositMutation({ kioskId: auth.kioskId, seq: 1, blob });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    socket.emit(EVENTS.mutations, { mutations: [big], padding: 'x'.repeat(LIMITS.socketMessageBytes + 1) }, () => {});
    expect(await disconnected).toMatch(/transport close|transport error/);
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 0, applied: 0 });
  });

  it('answers blob_missing until the blob is uploaded, then applies', async () => {
    const { auth, socket } = await kiosk();
    const blob = fakeScan(4096);
    const m = depositMutation({ kioskId: auth.kioskId, seq: 1, blob });
    expect(await send(socket, { mutations: [m] })).toMatchObject({ ok: false, error: { code: 'blob_missing', seq: 1 }, lastSeq: 0, results: [] });
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 0, applied: 0 });

    expect((await tusUpload(server.url, auth, blob, { sha256: sha256Hex(blob), mime: 'image/png' })).ok).toBe(true);
    expect(await send(socket, { mutations: [m] })).toMatchObject({ ok: true, lastSeq: 1 });
  });

  it('refuses a file whose size or type differs from the uploaded blob', async () => {
    const { auth, socket } = await kiosk();
    const blob = await uploaded(auth);
    const m = depositMutation({ kioskId: auth.kioskId, seq: 1, blob, mime: 'image/jpeg' });
    // no retry can change it: refused for good, its seq used up, nothing stored
    expect(await send(socket, { mutations: [m] })).toMatchObject({ ok: true, lastSeq: 1, results: [{ seq: 1, status: 'refused', error: { code: 'blob_mismatch' } }] });
    expect(await server.db.selectFrom('documents').select('id').where('id', '=', m.payload.documentId).executeTakeFirst()).toBeUndefined();
  });

  it('refuses for good a mutation naming a file the server refused at its upload (not "missing" for ever), and goes on', async () => {
    const { auth, socket } = await kiosk();
    const notAnImage = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(600, 7)]);
    const r = await tusUpload(server.url, auth, notAnImage, { sha256: sha256Hex(notAnImage), mime: 'image/png' });
    expect(r).toMatchObject({ ok: false, status: 422 });
    const bad = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: notAnImage });
    const good = depositMutation({ kioskId: auth.kioskId, seq: 2, blob: await uploaded(auth) });
    expect(await send(socket, { mutations: [bad, good] })).toMatchObject({
      ok: true,
      lastSeq: 2,
      results: [{ seq: 1, status: 'refused', error: { code: 'blob_mismatch' } }, { seq: 2, status: 'applied' }],
    });
    const journal = await server.db.selectFrom('audit_journal').select('detail').where('action', '=', 'mutation.refused').execute();
    expect(journal.some((j) => (JSON.parse(j.detail) as { mutationId: string }).mutationId === bad.id)).toBe(true);
  });

  it('asks the access policy: another person’s card, an unknown card or a blocked card cannot deposit; each refusal uses up its seq and is journaled', async () => {
    const { auth, socket } = await kiosk();
    const docs = await countRows(server.db, 'documents');
    const refused = async (m: ReturnType<typeof depositMutation>, code: string, reason?: string) => {
      const ack = await send(socket, { mutations: [m] });
      expect(ack).toMatchObject({ ok: true, lastSeq: m.seq, results: [{ seq: m.seq, id: m.id, status: 'refused', error: { code, ...(reason ? { message: expect.stringContaining(reason) } : {}) } }] });
    };
    await refused(depositMutation({ kioskId: auth.kioskId, seq: 1, blob: await uploaded(auth), cardSerial: YANIS.card }), 'forbidden', 'not_own_vault');
    await refused(depositMutation({ kioskId: auth.kioskId, seq: 2, blob: await uploaded(auth), cardSerial: 'FFFFFFFF' }), 'forbidden', 'card_unknown');
    await refused(depositMutation({ kioskId: auth.kioskId, seq: 3, blob: await uploaded(auth), owner: 'FAC-0000-0000-0000' }), 'unknown');

    await server.db.updateTable('cards').set({ status: 'blocked' }).where('serial', '=', YANIS.card).execute();
    try {
      await refused(depositMutation({ kioskId: auth.kioskId, seq: 4, blob: await uploaded(auth), owner: YANIS.identifier, cardSerial: YANIS.card }), 'forbidden', 'card_not_active');
    } finally {
      await server.db.updateTable('cards').set({ status: 'active' }).where('serial', '=', YANIS.card).execute();
    }
    expect(await countRows(server.db, 'documents')).toBe(docs);
    const rows = await server.db.selectFrom('applied_mutations').select(['seq', 'outcome']).where('kiosk_id', '=', auth.kioskId).orderBy('seq').execute();
    expect(rows).toEqual([1, 2, 3, 4].map((seq) => ({ seq, outcome: 'refused' })));
    // the journal keeps each attempt (on the person it named, when the platform knows them)
    const journal = await server.db.selectFrom('audit_journal').select(['action', 'detail']).where('action', '=', 'mutation.refused').execute();
    expect(journal.filter((j) => (JSON.parse(j.detail) as { kioskId: string }).kioskId === auth.kioskId)).toHaveLength(4);
    // asked again (a lost acknowledgement), the same answer; and the kiosk goes on with its next mutation
    const again = depositMutation({ kioskId: auth.kioskId, seq: 5, blob: await uploaded(auth) });
    expect(await send(socket, { mutations: [again] })).toMatchObject({ ok: true, lastSeq: 5, results: [{ seq: 5, status: 'applied' }] });
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('adds a version to an existing document of the same owner, and refuses another owner’s document id', async () => {
    const { auth, socket } = await kiosk();
    const documentId = randomUUID();
    const v1 = depositMutation({ kioskId: auth.kioskId, seq: 1, blob: await uploaded(auth), documentId });
    const v2 = depositMutation({ kioskId: auth.kioskId, seq: 2, blob: await uploaded(auth), documentId });
    expect((await send(socket, { mutations: [v1, v2] })).ok).toBe(true);
    const doc = await server.db.selectFrom('documents').select('current_version').where('id', '=', documentId).executeTakeFirstOrThrow();
    expect(doc.current_version).toBe(2);
    expect(await server.db.selectFrom('document_versions').select('version').where('document_id', '=', documentId).orderBy('version').execute()).toEqual([
      { version: 1 },
      { version: 2 },
    ]);

    const hijack = depositMutation({ kioskId: auth.kioskId, seq: 3, blob: await uploaded(auth), documentId, owner: YANIS.identifier, cardSerial: YANIS.card });
    expect(await send(socket, { mutations: [hijack] })).toMatchObject({ ok: true, lastSeq: 3, results: [{ seq: 3, status: 'refused', error: { code: 'forbidden' } }] });
    expect((await server.db.selectFrom('documents').select('current_version').where('id', '=', documentId).executeTakeFirstOrThrow()).current_version).toBe(2);
  });

  it('serializes two batches of the same kiosk: each mutation applied exactly once', async () => {
    const auth = await addKiosk(server.db);
    const [a, b] = [await connectKiosk(server.url, auth), await connectKiosk(server.url, auth)];
    sockets.push(a, b);
    const batch = await Promise.all([1, 2, 3, 4, 5].map(async (seq) => depositMutation({ kioskId: auth.kioskId, seq, blob: await uploaded(auth, 256) })));
    const [ackA, ackB] = await Promise.all([send(a, { mutations: batch }), send(b, { mutations: batch })]);
    expect(ackA.ok && ackB.ok).toBe(true);
    const statuses = [...(ackA.ok ? ackA.results : []), ...(ackB.ok ? ackB.results : [])].map((r) => r.status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(5);
    expect(await stateOf(auth.kioskId)).toEqual({ lastSeq: 5, applied: 5 });
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('greets a cardholder by first name, canonicalising the identifier', async () => {
    const { socket } = await kiosk();
    const ask = async (identifier: unknown) => CardholderAck.parse(await socket.emitWithAck(EVENTS.cardholder, { identifier }));
    expect(await ask(CAMILLE.identifier)).toEqual({ ok: true, firstName: 'Camille', role: 'beneficiary' });
    expect(await ask('fac k7qm 3xd2 9hrw')).toEqual({ ok: true, firstName: 'Camille', role: 'beneficiary' });
    expect(await ask('FAC-R9TD-4HWN-3GAK')).toEqual({ ok: true, firstName: 'Sophie', role: 'agent' });
    expect(await ask('FAC-0000-0000-0000')).toMatchObject({ ok: false, error: { code: 'unknown' } });
    expect(await ask('FAC-K7QM-3XD2-9HRX')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await ask(42)).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  describe('handshake', () => {
    const refusal = (auth: TestKiosk | Record<string, unknown>) =>
      connectKiosk(server.url, auth).then(
        (s) => {
          sockets.push(s);
          return 'connected';
        },
        (err: Error) => err.message,
      );

    it('accepts the seeded demo kiosk once it has a device key, and refuses it before', async () => {
      expect(await refusal({ kioskId: DEMO_KIOSK_ID, token: 'demo-kiosk-token-change-me-0001' })).toBe('unauthorized');
      const demo = await enrollKiosk(server.db, DEMO_KIOSK_ID);
      expect(await refusal(demo)).toBe('connected');
    });

    it('refuses the former shared token, an unknown kiosk, another kiosk’s id and malformed credentials', async () => {
      const mine = await addKiosk(server.db);
      expect(await refusal({ kioskId: mine.kioskId, token: mine.token })).toBe('unauthorized');
      expect(await refusal({ ...(await handshakeFor(server.url, mine)), kioskId: 'borne-inconnue' })).toBe('unauthorized');
      expect(await refusal({ ...(await handshakeFor(server.url, mine)), kioskId: DEMO_KIOSK_ID })).toBe('unauthorized');
      expect(await refusal({ kioskId: mine.kioskId })).toBe('unauthorized');
      expect(await refusal({ kioskId: 'X', challenge: 'short', signature: 'short' })).toBe('unauthorized');
      expect(await refusal({})).toBe('unauthorized');
    });

    it('refuses a revoked kiosk, telling it so', async () => {
      const k = await addKiosk(server.db);
      expect(await refusal(k)).toBe('connected');
      await server.db.updateTable('kiosks').set({ revoked_at: new Date().toISOString() }).where('id', '=', k.kioskId).execute();
      expect(await refusal(k)).toBe('revoked');
    });
  });
});

describe('shutdown', () => {
  it('closes with kiosks still connected, disconnecting them', async () => {
    const env = await freshEnv('sqlite');
    try {
      const server = await startServer(env.config, { logger: false });
      const socket = await connectKiosk(server.url, await addKiosk(server.db));
      const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      await server.close();
      expect(await gone).toMatch(/disconnect|transport close/);
      socket.close();
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    } finally {
      await env.cleanup();
    }
  });
});
