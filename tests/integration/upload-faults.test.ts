/**
 * Uploads cut by faults, with real processes, real kills and a real (slowed) network: the outbox never
 * stalls on an upload.
 *  - a blob under 1 MiB (one PATCH), the kiosk killed while the server holds part of it: the restarted
 *    kiosk resumes that upload from the URL it saved before the first byte;
 *  - the server killed mid-upload and down longer than the upload library's own retries: the upload is
 *    resumed when it is back, not started again (which would hold a second upload slot);
 *  - the server killed once every byte of an upload was in, before it stored the blob (mid-PATCH): the
 *    kiosk does not take the upload for done, uploads it anew, and the batch goes through with no
 *    `blob_missing`;
 *  - blobs the server lost before their mutations came: one `blob_missing`, the batch's blobs asked
 *    again and re-uploaded, the batch sent again — not refused one mutation at a time;
 *  - upload URLs of a former server address: not waited for.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kiosk/core/log.ts';
import { sha256Hex } from '../../kiosk/core/outbox/blob-crypto.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import type { SyncClientOptions } from '../../kiosk/core/sync/client.ts';
import type { DocumentDeposit } from '../../sync-server/protocol/mutations.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { readSeedFile, seedDatabase } from '../../sync-server/src/edge/seed.ts';
import { openDatabase } from '../../sync-server/src/kernel/storage/database.ts';
import type { Database as ServerDatabase } from '../../sync-server/src/kernel/storage/schema.ts';
import { migrateToLatest } from '../../sync-server/src/kernel/storage/migrate.ts';
import { freshEnv, SEED_PATH, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { freePort } from '../setup/postgres.ts';
import { expectExactlyOnce, newKioskCode, serverHolds, WHO } from '../support/fault-kit.ts';
import { startKioskProcess } from '../support/kiosk-process.ts';
import type { KioskProcess } from '../support/kiosk-process.ts';
import { startSlowLink } from '../support/slow-link.ts';
import type { SlowLink } from '../support/slow-link.ts';
import { startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';
import { installTestCa, signedWrite } from '../../sync-server/test-support/test-ca.ts';
import { pngOfSize } from '../../sync-server/test-support/png.ts';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function deposit(bytes: Uint8Array): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: WHO.owner,
      docType: 'rib',
      fields: {},
      ocrText: 'RIB',
      file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: WHO.cardSerial },
    },
  };
}

/** A kiosk's outbox in this process, with `count` deposits of `size` random bytes queued. */
function queuedOutbox(kioskId: string, count: number, size: number): { db: Db; outbox: Outbox; ids: string[]; documentIds: string[]; shas: string[] } {
  const dir = tempDir('fac-upload-kiosk-');
  const db = openKioskDb(join(dir, 'outbox.sqlite'));
  const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  const q = { ids: [] as string[], documentIds: [] as string[], shas: [] as string[] };
  for (let i = 0; i < count; i++) {
    // a real image (the server decodes every upload), signed by the demo card as at the box
    const bytes = pngOfSize(size);
    const body = deposit(bytes);
    q.ids.push(outbox.enqueue(signedWrite(kioskId, body), [{ bytes, mime: 'image/png' }]).id);
    q.documentIds.push(body.payload.documentId);
    q.shas.push(body.payload.file.sha256);
  }
  return { db, outbox, ...q };
}

const uploadsOf = (db: Kysely<ServerDatabase>, kioskId: string) => db.selectFrom('blob_uploads').selectAll().where('kiosk_id', '=', kioskId).execute();

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** The first upload of this kiosk of which the server holds some bytes but not all. */
async function partlyUploaded(db: Kysely<ServerDatabase>, uploadDir: string, kioskId: string, timeoutMs = 30_000) {
  return until(
    'part of a blob on the server',
    async () => {
      for (const u of await uploadsOf(db, kioskId)) {
        const held = sizeOf(join(uploadDir, u.upload_id));
        if (u.finished_at === null && held > 0 && held < u.size) return { uploadId: u.upload_id, sha256: u.sha256, held, size: u.size };
      }
      return null;
    },
    timeoutMs,
  );
}

describe('the kiosk killed mid-upload of a blob under 1 MiB', () => {
  let env: TestEnv;
  let server: RunningServer;
  let link: SlowLink | null = null;
  const running: KioskProcess[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
  });
  afterEach(async () => {
    for (const k of running.splice(0)) await k.kill();
    await link?.close();
    link = null;
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('resumes from the URL saved before the first byte: the same upload, from where the server stood', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    link = await startSlowLink({ host: '127.0.0.1', port: server.port }, 48 * 1024);
    const dataDir = tempDir('fac-upload-small-');
    // the default chunk (1 MiB): the whole blob goes in one PATCH
    const first = await startKioskProcess({ dataDir, url: link.url, enrollmentCode: code });
    running.push(first);
    const queued = await first.enqueue(1, 400_000, { ...WHO, kioskId });
    const partial = await partlyUploaded(server.db, join(env.config.dataDir, 'uploads'), kioskId);
    await first.kill();
    const heldAtKill = sizeOf(join(env.config.dataDir, 'uploads', partial.uploadId));
    expect(heldAtKill).toBeGreaterThan(0);
    expect(heldAtKill).toBeLessThan(400_000);

    // the same address (the upload URL is the server's), now at full speed
    link.setRate(null);
    const second = await startKioskProcess({ dataDir, url: link.url });
    running.push(second);
    await second.waitFor('the outbox drained', (s) => s.status.pending === 0 && s.lastAckedSeq === 1, 30_000);
    expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
    // one upload for the blob, the one begun before the kill, finished now
    const uploads = await uploadsOf(server.db, kioskId);
    expect(uploads.map((u) => [u.upload_id, u.sha256])).toEqual([[partial.uploadId, queued.shas[0]]]);
    expect(uploads[0]!.finished_at).not.toBeNull();
    // and resumed where the server stood: no new upload, no byte sent from zero again
    const requests = second.events.filter((e) => e.name === 'upload-request').map((e) => e.detail as { method: string; offset: number | null });
    expect(requests.map((r) => r.method)).not.toContain('POST');
    const patches = requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    expect(patches[0]!.offset).toBeGreaterThanOrEqual(heldAtKill);
    expect(await server.blobStore.has(queued.shas[0]!)).toBe(true);
  });
});

describe('the server killed during uploads, then restarted', () => {
  let env: TestEnv;
  let port: number;
  let proc: ServerProcess | null = null;
  let link: SlowLink | null = null;
  let storage: ReturnType<typeof openDatabase>;
  const clients: { client: SyncClient; db: Db }[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite', false);
    await installTestCa(env.config.dataDir);
    port = await freePort();
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      await c.client.stop();
      c.db.close();
    }
    await proc?.kill();
    proc = null;
    await link?.close();
    link = null;
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });

  const config = () => ({ ...env.config, port });
  const uploadDir = () => join(env.config.dataDir, 'uploads');
  const client = (outbox: Outbox, db: Db, url: string, code: string, extra: Partial<SyncClientOptions> = {}) => {
    const c = new SyncClient({ url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 300, retryDelayMaxMs: 2000, ackTimeoutMs: 10_000, ...extra });
    clients.push({ client: c, db });
    c.start();
    return c;
  };

  it('down longer than the upload library’s retries, mid-PATCH: each upload resumed when it is back, none begun again', async () => {
    const { kioskId, code } = await newKioskCode(storage.db, storage.dialect);
    const k = queuedOutbox(kioskId, 2, 400_000);
    proc = await startServerProcess({ config: config() });
    link = await startSlowLink({ host: '127.0.0.1', port }, 48 * 1024);
    const sync = client(k.outbox, k.db, link.url, code);
    const partial = await partlyUploaded(storage.db, uploadDir(), kioskId);
    await proc.kill();
    const before = await uploadsOf(storage.db, kioskId);
    // its retries (0, 0.5, 2 s) run out against a dead server; the outbox keeps the URL
    await new Promise((r) => setTimeout(r, 4000));
    proc = await startServerProcess({ config: config() });
    link.setRate(null);
    await sync.flushed(30_000);

    expectExactlyOnce(await serverHolds(storage.db, kioskId), k);
    const after = await uploadsOf(storage.db, kioskId);
    // the upload cut mid-PATCH is the one finished; no blob has a second upload
    expect(after.find((u) => u.sha256 === partial.sha256)).toMatchObject({ upload_id: partial.uploadId, finished_at: expect.any(String) });
    expect(new Set(after.map((u) => u.sha256)).size).toBe(after.length);
    for (const u of before) expect(after.find((a) => a.upload_id === u.upload_id)?.finished_at).toEqual(expect.any(String));
    expect(proc.acks().filter((a) => !a.ok)).toEqual([]);
  });

  it('killed once every byte was in but before the blob was stored: the kiosk uploads it anew, the batch goes through, no blob_missing', async () => {
    const { kioskId, code } = await newKioskCode(storage.db, storage.dialect);
    // several chunks each, so the upload URLs were saved even before this change
    const k = queuedOutbox(kioskId, 4, 200_000);
    proc = await startServerProcess({ config: config(), pauseBeforeUploadFinish: true });
    const sync = client(k.outbox, k.db, `http://127.0.0.1:${port}`, code, { chunkSize: 64 * 1024, batchSize: 10 });
    const paused = await proc.paused(30_000);
    expect(k.shas).toContain((paused as { sha256: string }).sha256);
    await proc.kill();
    const cut = await uploadsOf(storage.db, kioskId);
    const complete = cut.filter((u) => u.finished_at === null && sizeOf(join(uploadDir(), u.upload_id)) === u.size);
    expect(complete.length).toBeGreaterThan(0);
    expect(await storage.db.selectFrom('blobs').select('sha256').where('sha256', 'in', k.shas).execute()).toEqual([]);

    proc = await startServerProcess({ config: config() });
    await sync.flushed(30_000);
    expectExactlyOnce(await serverHolds(storage.db, kioskId), k);
    expect(proc.acks().filter((a) => a.kioskId === kioskId && !a.ok)).toEqual([]);
    // the uploads the server never finished were released when the kiosk started those blobs anew
    expect((await uploadsOf(storage.db, kioskId)).filter((u) => u.finished_at === null)).toEqual([]);
    for (const u of complete) expect(existsSync(join(uploadDir(), u.upload_id))).toBe(false);
  });
});

describe('blobs the server lost before their mutations came', () => {
  let env: TestEnv;
  let server: RunningServer;
  const acks: { kioskId: string; ok: boolean; code: string | null }[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, {
      logger: false,
      hooks: {
        beforeAck: ({ kioskId, ack }) => {
          acks.push({ kioskId, ok: ack.ok, code: ack.ok ? null : ack.error.code });
          return 'send';
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('one blob_missing: the batch’s blobs are asked again, the missing uploaded, the batch sent again', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    const k = queuedOutbox(kioskId, 8, 20_000);
    let lost = false;
    const sync = new SyncClient({
      url: server.url,
      outbox: k.outbox,
      logger: silentLogger,
      enrollmentCode: code,
      reconnectDelayMaxMs: 300,
      ackTimeoutMs: 10_000,
      testHooks: {
        beforeSend: async () => {
          if (lost) return;
          lost = true;
          // every blob uploaded, none referenced yet: a cleanup (or a restore) takes them all
          await server.collectGarbage({ now: new Date(Date.now() + 3 * 86_400_000) });
          for (const sha of k.shas) expect(await server.blobStore.has(sha)).toBe(false);
        },
      },
    });
    sync.start();
    try {
      await sync.flushed(20_000);
    } finally {
      await sync.stop();
      k.db.close();
    }
    expect(lost).toBe(true);
    expectExactlyOnce(await serverHolds(server.db, kioskId), k);
    expect(acks.filter((a) => a.kioskId === kioskId && !a.ok).map((a) => a.code)).toEqual(['blob_missing']);
    for (const sha of k.shas) expect(await server.blobStore.has(sha)).toBe(true);
  });

  it('an upload begun on the server’s former address is not waited for: the blob is uploaded to the current one', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    const k = queuedOutbox(kioskId, 2, 30_000);
    // as a kiosk moved to a new server address leaves it: URLs nobody answers at any more
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (const sha of k.shas) k.outbox.setUploadUrl(sha, `${dead}/sync/blobs/0123456789abcdef`);
    const sync = new SyncClient({ url: server.url, outbox: k.outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 300, retryDelayMaxMs: 2000 });
    sync.start();
    try {
      await sync.flushed(20_000);
    } finally {
      await sync.stop();
      k.db.close();
    }
    expectExactlyOnce(await serverHolds(server.db, kioskId), k);
  });
});
