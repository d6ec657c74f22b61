/** Blob uploads with tus-js-client (Node, Buffer input) against startServer, on both databases. */
import { installTestCa } from '../../../test-support/test-ca.ts';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/common.ts';
import { EVENTS, kioskAuthorization, MutationsAck, TUS_PATH } from '../../../protocol/socket.ts';
import type { KioskAuth } from '../../../protocol/socket.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, connectKiosk, countRows, depositMutation, DIALECTS, fakeScan, freshEnv, sha256Hex, tusUpload } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';
import { BLOB_EXISTS_PATH, HASH_MISMATCH_STATUS } from './blob-routes.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';

describe.each(DIALECTS)('blob uploads on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let auth: KioskAuth;
  let store: LocalBlobStore;
  let uploadDir: string;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    auth = await addKiosk(server.db);
    store = new LocalBlobStore(join(env.config.dataDir, 'blobs'));
    uploadDir = join(env.config.dataDir, 'uploads');
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const exists = (sha: string, a: KioskAuth | null = auth) =>
    fetch(`${server.url}${BLOB_EXISTS_PATH}${sha}`, { method: 'HEAD', headers: a ? { Authorization: kioskAuthorization(a) } : {} }).then((r) => r.status);

  /** Creates an upload with a raw tus POST (to test headers tus-js-client would never send). */
  const createUpload = (a: KioskAuth | null, headers: Record<string, string>) =>
    fetch(`${server.url}${TUS_PATH}`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', ...(a ? { Authorization: kioskAuthorization(a) } : {}), ...headers },
    });

  const meta = (sha: string, mime = 'image/png') =>
    `sha256 ${Buffer.from(sha).toString('base64')},mime ${Buffer.from(mime).toString('base64')}`;

  it('stores a verified upload under blobs/ab/cd/<sha256>, in chunks, and records it', async () => {
    const bytes = fakeScan(300_000);
    const sha = sha256Hex(bytes);
    expect(await exists(sha)).toBe(404);
    const r = await tusUpload(server.url, auth, bytes, { sha256: sha, mime: 'image/png' }, { chunkSize: 64 * 1024 });
    expect(r).toMatchObject({ ok: true });
    expect(store.pathOf(sha)).toBe(join(env.config.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha));
    expect(readFileSync(store.pathOf(sha)).equals(bytes)).toBe(true);
    expect(await server.db.selectFrom('blobs').selectAll().where('sha256', '=', sha).executeTakeFirst()).toMatchObject({ size: bytes.length, mime: 'image/png' });
    expect(await exists(sha)).toBe(200);
    expect(readdirSync(uploadDir)).toEqual([]);

    // the same bytes again: accepted, still one blob
    expect(await tusUpload(server.url, auth, bytes, { sha256: sha, mime: 'image/png' })).toMatchObject({ ok: true });
    expect(await server.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha).execute()).toHaveLength(1);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('refuses bytes that do not match the declared hash, and stores nothing', async () => {
    const bytes = fakeScan(10_000);
    const claimed = sha256Hex(fakeScan(10));
    const blobsBefore = await countRows(server.db, 'blobs');
    const r = await tusUpload(server.url, auth, bytes, { sha256: claimed, mime: 'image/png' });
    expect(r).toMatchObject({ ok: false, status: HASH_MISMATCH_STATUS });
    if (!r.ok) expect(r.body).toMatch(/blob_mismatch/);
    expect(await countRows(server.db, 'blobs')).toBe(blobsBefore);
    expect(existsSync(store.pathOf(claimed))).toBe(false);
    expect(existsSync(store.pathOf(sha256Hex(bytes)))).toBe(false);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('answers 401 without credentials or with wrong ones', async () => {
    const bytes = fakeScan(100);
    const metadata = { sha256: sha256Hex(bytes), mime: 'image/png' };
    const blobsBefore = await countRows(server.db, 'blobs');
    expect(await tusUpload(server.url, null, bytes, metadata)).toMatchObject({ ok: false, status: 401 });
    expect(await tusUpload(server.url, { ...auth, token: `${auth.token}x` }, bytes, metadata)).toMatchObject({ ok: false, status: 401 });
    expect(await exists(metadata.sha256, null)).toBe(401);
    expect((await createUpload(null, { 'Upload-Length': '10', 'Upload-Metadata': meta(metadata.sha256) })).status).toBe(401);
    expect(await countRows(server.db, 'blobs')).toBe(blobsBefore);
    expect(await exists(metadata.sha256)).toBe(404);
  });

  it('answers 413 to an upload larger than the limit', async () => {
    const big = Buffer.alloc(LIMITS.blobBytes + 1);
    const r = await tusUpload(server.url, auth, big, { sha256: sha256Hex(big), mime: 'application/pdf' });
    expect(r).toMatchObject({ ok: false, status: 413 });
    expect((await createUpload(auth, { 'Upload-Length': String(LIMITS.blobBytes + 1), 'Upload-Metadata': meta(sha256Hex(big)) })).status).toBe(413);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('requires sha256 and mime metadata, and a declared length', async () => {
    const sha = sha256Hex(Buffer.from('x'));
    expect((await createUpload(auth, { 'Upload-Length': '1' })).status).toBe(400);
    expect((await createUpload(auth, { 'Upload-Length': '1', 'Upload-Metadata': meta(sha, 'text/html') })).status).toBe(400);
    expect((await createUpload(auth, { 'Upload-Length': '1', 'Upload-Metadata': meta('abc') })).status).toBe(400);
    expect((await createUpload(auth, { 'Upload-Defer-Length': '1', 'Upload-Metadata': meta(sha) })).status).toBe(400);
    expect((await createUpload(auth, { 'Upload-Length': '0', 'Upload-Metadata': meta(sha) })).status).toBe(400);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('keeps an upload in progress private to the kiosk that created it', async () => {
    const other = await addKiosk(server.db);
    const sha = sha256Hex(Buffer.from('partial'));
    const created = await createUpload(auth, { 'Upload-Length': '7', 'Upload-Metadata': meta(sha) });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location.startsWith(TUS_PATH)).toBe(true);
    const head = (a: KioskAuth) =>
      fetch(`${server.url}${location}`, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Authorization: kioskAuthorization(a) } });
    expect((await head(auth)).status).toBe(200);
    expect((await head(other)).status).toBe(404);
    const get = await fetch(`${server.url}${location}`, { headers: { 'Tus-Resumable': '1.0.0', Authorization: kioskAuthorization(auth) } });
    expect(get.status).toBe(404);
    const patch = await fetch(`${server.url}${location}`, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', Authorization: kioskAuthorization(other) },
      body: 'partial',
    });
    expect(patch.status).toBe(404);
    const del = await fetch(`${server.url}${location}`, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0', Authorization: kioskAuthorization(auth) } });
    expect(del.status).toBe(204);
  });

  it('checks existence only for well-formed hashes', async () => {
    expect(await exists('not-a-hash')).toBe(400);
    expect(await exists('A'.repeat(64))).toBe(400);
  });

  it('lets a mutation reference the uploaded blob once it is stored', async () => {
    const bytes = fakeScan(5000);
    expect(await tusUpload(server.url, auth, bytes, { sha256: sha256Hex(bytes), mime: 'image/png' })).toMatchObject({ ok: true });
    const socket: Socket = await connectKiosk(server.url, auth);
    try {
      const ack = MutationsAck.parse(await socket.emitWithAck(EVENTS.mutations, { mutations: [depositMutation({ kioskId: auth.kioskId, seq: 1, blob: bytes })] }));
      expect(ack).toMatchObject({ ok: true, lastSeq: 1, results: [{ seq: 1, status: 'applied' }] });
    } finally {
      socket.close();
    }
  });
});

describe.each(DIALECTS)('blob limits and orphan cleanup on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let store: LocalBlobStore;
  let uploadDir: string;
  const GRACE = 60_000;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(
      { ...env.config, blobs: { ...env.config.blobs, maxUploadsPerKiosk: 2, maxUnreferencedPerKiosk: 3, graceMs: GRACE, gcIntervalMs: 0 } },
      { logger: false },
    );
    store = new LocalBlobStore(join(env.config.dataDir, 'blobs'));
    uploadDir = join(env.config.dataDir, 'uploads');
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const meta = (sha: string) => `sha256 ${Buffer.from(sha).toString('base64')},mime ${Buffer.from('image/png').toString('base64')}`;
  const create = (a: KioskAuth, size = 10) =>
    fetch(`${server.url}${TUS_PATH}`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', Authorization: kioskAuthorization(a), 'Upload-Length': String(size), 'Upload-Metadata': meta(sha256Hex(fakeScan(16))) },
    });
  const later = () => new Date(Date.now() + 2 * GRACE);
  const deposit = async (a: TestKiosk, seq: number, blob: Buffer) => {
    const socket = await connectKiosk(server.url, a);
    try {
      return MutationsAck.parse(await socket.timeout(10_000).emitWithAck(EVENTS.mutations, { mutations: [depositMutation({ kioskId: a.kioskId, seq, blob })] }));
    } finally {
      socket.close();
    }
  };

  it('refuses a kiosk’s uploads beyond its limit of uploads in progress, without touching other kiosks', async () => {
    const k = await addKiosk(server.db);
    const other = await addKiosk(server.db);
    expect((await create(k)).status).toBe(201);
    expect((await create(k)).status).toBe(201);
    const third = await create(k);
    expect(third.status).toBe(429);
    expect(await third.text()).toMatch(/too_many_uploads/);
    expect((await create(other)).status).toBe(201);
    // the cleanup drops the unfinished ones after the grace period; the kiosk may upload again
    const r = await server.collectGarbage({ now: later() });
    expect(r.uploadsDeleted).toBeGreaterThanOrEqual(3);
    expect(readdirSync(uploadDir)).toEqual([]);
    expect(await countRows(server.db, 'blob_uploads')).toBe(0);
    expect((await create(k)).status).toBe(201);
  });

  it('refuses new uploads while a kiosk has too many blobs no mutation uses, until one is used', async () => {
    const k = await addKiosk(server.db);
    const blobs = [fakeScan(500), fakeScan(500), fakeScan(500)];
    for (const b of blobs) expect(await tusUpload(server.url, k, b, { sha256: sha256Hex(b), mime: 'image/png' })).toMatchObject({ ok: true });
    const extra = fakeScan(500);
    const refused = await tusUpload(server.url, k, extra, { sha256: sha256Hex(extra), mime: 'image/png' });
    expect(refused).toMatchObject({ ok: false, status: 429 });
    if (!refused.ok) expect(refused.body).toMatch(/too_many_blobs/);
    expect(await deposit(k, 1, blobs[0]!)).toMatchObject({ ok: true, lastSeq: 1 });
    expect(await tusUpload(server.url, k, extra, { sha256: sha256Hex(extra), mime: 'image/png' })).toMatchObject({ ok: true });
  });

  it('deletes, after the grace period only, blobs no mutation referenced and bytes no row describes; keeps the rest', async () => {
    const k = await addKiosk(server.db);
    const used = fakeScan(800);
    const orphan = fakeScan(800);
    for (const b of [used, orphan]) expect(await tusUpload(server.url, k, b, { sha256: sha256Hex(b), mime: 'image/png' })).toMatchObject({ ok: true });
    expect(await deposit(k, 1, used)).toMatchObject({ ok: true });
    const stray = fakeScan(100);
    const strayFile = join(uploadDir, 'stray');
    writeFileSync(strayFile, stray);
    await store.putFile(sha256Hex(stray), strayFile);

    // within the grace period nothing goes
    expect(await server.collectGarbage()).toMatchObject({ blobsDeleted: 0, strayBytesDeleted: 0 });
    expect(existsSync(store.pathOf(sha256Hex(orphan)))).toBe(true);

    const dry = await server.collectGarbage({ now: later() });
    expect(dry.blobsDeleted).toBeGreaterThanOrEqual(1);
    expect(dry.strayBytesDeleted).toBeGreaterThanOrEqual(1);
    expect(existsSync(store.pathOf(sha256Hex(orphan)))).toBe(false);
    expect(existsSync(store.pathOf(sha256Hex(stray)))).toBe(false);
    expect(await server.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256Hex(orphan)).executeTakeFirst()).toBeUndefined();
    expect(existsSync(store.pathOf(sha256Hex(used)))).toBe(true);
    expect(await server.db.selectFrom('blobs').select('referenced_at').where('sha256', '=', sha256Hex(used)).executeTakeFirstOrThrow()).toMatchObject({ referenced_at: expect.any(String) });
  });

  it('heals a kiosk whose uploaded blob was cleaned up before its mutation came: blob_missing, upload again, applied', async () => {
    const k = await addKiosk(server.db);
    const late = fakeScan(700);
    expect(await tusUpload(server.url, k, late, { sha256: sha256Hex(late), mime: 'image/png' })).toMatchObject({ ok: true });
    await server.collectGarbage({ now: later() });
    const head = await fetch(`${server.url}${BLOB_EXISTS_PATH}${sha256Hex(late)}`, { method: 'HEAD', headers: { Authorization: kioskAuthorization(k) } });
    expect(head.status).toBe(404);
    expect(await deposit(k, 1, late)).toMatchObject({ ok: false, error: { code: 'blob_missing', seq: 1 }, lastSeq: 0 });
    expect(await tusUpload(server.url, k, late, { sha256: sha256Hex(late), mime: 'image/png' })).toMatchObject({ ok: true });
    expect(await deposit(k, 1, late)).toMatchObject({ ok: true, lastSeq: 1 });
  });

  it('treats a row whose bytes are gone as missing, so the kiosk uploads again', async () => {
    const k = await addKiosk(server.db);
    const lost = fakeScan(600);
    expect(await tusUpload(server.url, k, lost, { sha256: sha256Hex(lost), mime: 'image/png' })).toMatchObject({ ok: true });
    await store.delete(sha256Hex(lost));
    const head = await fetch(`${server.url}${BLOB_EXISTS_PATH}${sha256Hex(lost)}`, { method: 'HEAD', headers: { Authorization: kioskAuthorization(k) } });
    expect(head.status).toBe(404);
    expect(await deposit(k, 1, lost)).toMatchObject({ ok: false, error: { code: 'blob_missing' } });
    expect(await tusUpload(server.url, k, lost, { sha256: sha256Hex(lost), mime: 'image/png' })).toMatchObject({ ok: true });
    expect(await deposit(k, 1, lost)).toMatchObject({ ok: true });
  });
});

describe.each(DIALECTS)('uploads a kiosk abandoned or started anew, on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let uploadDir: string;
  /** short here; minutes by default (FAC_BLOB_UPLOAD_STALE_MINUTES) */
  const STALE = 2500;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    server = await startServer({ ...env.config, blobs: { ...env.config.blobs, uploadStaleMs: STALE, gcIntervalMs: 0 } }, { logger: false });
    uploadDir = join(env.config.dataDir, 'uploads');
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const tusHeaders = (a: KioskAuth) => ({ 'Tus-Resumable': '1.0.0', Authorization: kioskAuthorization(a) });
  const meta = (sha: string) => `sha256 ${Buffer.from(sha).toString('base64')},mime ${Buffer.from('image/png').toString('base64')}`;
  /** POST: the upload's id, or the refusal */
  const create = async (a: KioskAuth, sha: string, size: number) => {
    const r = await fetch(`${server.url}${TUS_PATH}`, { method: 'POST', headers: { ...tusHeaders(a), 'Upload-Length': String(size), 'Upload-Metadata': meta(sha) } });
    return { status: r.status, body: await r.text(), id: (r.headers.get('location') ?? '').slice(TUS_PATH.length) };
  };
  const patch = (a: KioskAuth, id: string, offset: number, bytes: Buffer) =>
    fetch(`${server.url}${TUS_PATH}${id}`, {
      method: 'PATCH',
      headers: { ...tusHeaders(a), 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      body: new Uint8Array(bytes),
    }).then((r) => r.status);
  const head = (a: KioskAuth, id: string) => fetch(`${server.url}${TUS_PATH}${id}`, { method: 'HEAD', headers: tusHeaders(a) });
  const unfinished = async (kioskId: string) =>
    (await server.db.selectFrom('blob_uploads').select('upload_id').where('kiosk_id', '=', kioskId).where('finished_at', 'is', null).execute()).map((r) => r.upload_id);
  const filesOf = (id: string) => [id, `${id}.json`].filter((f) => existsSync(join(uploadDir, f)));
  const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

  it('eight uploads abandoned: a ninth is refused at first, taken once they went stale, and the cleanup deletes them', async () => {
    const k = await addKiosk(server.db);
    const abandoned: string[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await create(k, sha256Hex(fakeScan(32)), 100);
      expect(c.status).toBe(201);
      abandoned.push(c.id);
    }
    // a few bytes in one of them, as a kiosk killed mid-PATCH leaves it
    expect(await patch(k, abandoned[0]!, 0, fakeScan(10))).toBe(204);
    const lastSign = Date.now();
    const ninth = fakeScan(100);
    const refused = await create(k, sha256Hex(ninth), ninth.length);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/too_many_uploads/);

    await sleepUntil(lastSign + STALE + 300);
    expect(await tusUpload(server.url, k, ninth, { sha256: sha256Hex(ninth), mime: 'image/png' })).toMatchObject({ ok: true });
    expect((await fetch(`${server.url}${BLOB_EXISTS_PATH}${sha256Hex(ninth)}`, { method: 'HEAD', headers: { Authorization: kioskAuthorization(k) } })).status).toBe(200);

    // the housekeeping deletes the stale ones (rows and files) without waiting for the grace period
    expect(await unfinished(k.kioskId)).toHaveLength(8);
    expect((await server.collectGarbage()).uploadsDeleted).toBeGreaterThanOrEqual(8);
    expect(await unfinished(k.kioskId)).toEqual([]);
    for (const id of abandoned) expect(filesOf(id)).toEqual([]);
    expect((await head(k, abandoned[0]!)).status).toBe(404);
  });

  it('an upload still receiving bytes is live: the cleanup keeps it, and it finishes', async () => {
    const k = await addKiosk(server.db);
    const bytes = fakeScan(20);
    const live = await create(k, sha256Hex(bytes), bytes.length);
    const silent = await create(k, sha256Hex(fakeScan(20)), 20);
    expect([live.status, silent.status]).toEqual([201, 201]);
    const t0 = Date.now();
    await sleepUntil(t0 + STALE * 0.6);
    expect(await patch(k, live.id, 0, bytes.subarray(0, 5))).toBe(204);
    await sleepUntil(t0 + STALE * 1.2);
    await server.collectGarbage();
    expect(await unfinished(k.kioskId)).toEqual([live.id]);
    expect(filesOf(silent.id)).toEqual([]);
    const h = await head(k, live.id);
    expect(h.status).toBe(200);
    expect(h.headers.get('upload-offset')).toBe('5');
    expect(await patch(k, live.id, 5, bytes.subarray(5))).toBe(204);
    expect(await unfinished(k.kioskId)).toEqual([]);
    expect(await server.blobStore.has(sha256Hex(bytes))).toBe(true);
  });

  it('a kiosk starting anew a blob it had started releases the older upload at once (not another kiosk’s)', async () => {
    const k = await addKiosk(server.db);
    const other = await addKiosk(server.db);
    const bytes = fakeScan(30);
    const sha = sha256Hex(bytes);
    const first = await create(k, sha, bytes.length);
    expect(await patch(k, first.id, 0, bytes.subarray(0, 10))).toBe(204);
    const theirs = await create(other, sha, bytes.length);
    const again = await create(k, sha, bytes.length);
    expect([first.status, theirs.status, again.status]).toEqual([201, 201, 201]);
    expect(await unfinished(k.kioskId)).toEqual([again.id]);
    expect(filesOf(first.id)).toEqual([]);
    expect((await head(k, first.id)).status).toBe(404);
    expect(await unfinished(other.kioskId)).toEqual([theirs.id]);
    expect((await head(other, theirs.id)).status).toBe(200);

    // a kiosk that lost its upload URLs may start the same blob again and again: never locked out
    for (let i = 0; i < 12; i++) expect((await create(k, sha, bytes.length)).status).toBe(201);
    expect(await unfinished(k.kioskId)).toHaveLength(1);
    const last = (await unfinished(k.kioskId))[0]!;
    expect(await patch(k, last, 0, bytes)).toBe(204);
    expect(await unfinished(k.kioskId)).toEqual([]);
    expect(await server.blobStore.has(sha)).toBe(true);
  });
});
