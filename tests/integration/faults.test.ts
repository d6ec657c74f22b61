/**
 * Faults, with real processes and real kills (issue #5): nothing lost, nothing twice.
 *  - the kiosk killed with SIGKILL during a blob upload, before a batch goes out, while a batch is in
 *    flight, and after the server acknowledged but before the outbox purged: after a restart on the same
 *    data folder every document is on the server exactly once and the outbox ends empty;
 *  - the server killed with SIGKILL inside a mutation's transaction, then restarted (SQLite, PostgreSQL);
 *  - the connection dropped between the commit and the acknowledgement;
 *  - duplicated and reordered deliveries from two connections at once;
 *  - the kiosk's disk full (a real 2 MB tmpfs): a clear error, nothing corrupted, and it recovers;
 *  - the kiosk's clock wrong by days: enrollment, authentication, sync and pushes work all the same.
 */
import { installTestCa, signedWrite } from '../../sync-server/test-support/test-ca.ts';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KioskError } from '../../kiosk/contract/schema.ts';
import { silentLogger } from '../../kiosk/core/log.ts';
import { sha256Hex } from '../../kiosk/core/outbox/blob-crypto.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import type { DocumentDeposit, Mutation } from '../../sync-server/protocol/mutations.ts';
import { EVENTS, MutationsAck } from '../../sync-server/protocol/socket.ts';
import { verifyAuditChain } from '../../sync-server/src/kernel/audit.ts';
import { readSeedFile, seedDatabase } from '../../sync-server/src/edge/seed.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { openDatabase } from '../../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../../sync-server/src/kernel/storage/migrate.ts';
import { addKiosk, connectKiosk, depositMutation, DIALECTS, fakeScan, freshEnv, SEED_PATH, tusUpload } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { freePort } from '../setup/postgres.ts';
import { expectExactlyOnce, newKioskCode, serverHolds, WHO } from '../support/fault-kit.ts';
import { startKioskProcess } from '../support/kiosk-process.ts';
import type { KioskProcess } from '../support/kiosk-process.ts';
import { OUTBOX_WORDS } from '../../kiosk/core/words.ts';
import { startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the kiosk killed with SIGKILL, then restarted on the same data folder', () => {
  let env: TestEnv;
  let server: RunningServer;
  const running: KioskProcess[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
  });
  afterEach(async () => {
    for (const k of running.splice(0)) await k.kill();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const start = async (o: Parameters<typeof startKioskProcess>[0]) => {
    const k = await startKioskProcess(o);
    running.push(k);
    return k;
  };

  it('during a blob upload: the upload resumes where it stopped (not from zero), each document arrives once', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    const dataDir = tempDir('fac-fault-upload-');
    const first = await start({ dataDir, url: server.url, enrollmentCode: code, chunkSize: 64 * 1024, pause: { point: 'upload-resume' } });
    const queued = await first.enqueue(3, 300_000, { ...WHO, kioskId });
    const paused = await first.paused();
    // a few blobs go up at once: one of them is stopped after its first chunk
    expect(paused.detail).toMatchObject({ offset: 64 * 1024 });
    const stopped = (paused.detail as { sha256: string }).sha256;
    expect(queued.shas).toContain(stopped);
    await first.kill();
    // the blobs go up a few at a time: each started upload is unfinished at the kill
    const partial = await server.db.selectFrom('blob_uploads').selectAll().where('kiosk_id', '=', kioskId).execute();
    expect(partial.map((u) => u.sha256)).toContain(stopped);
    for (const u of partial) expect(u.finished_at).toBeNull();

    const second = await start({ dataDir, url: server.url, chunkSize: 64 * 1024 });
    await second.waitFor('the outbox drained', (s) => s.status.pending === 0 && s.lastAckedSeq === 3);
    expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
    // resumed: each upload started before the kill is the one finished now (none began again from zero)
    for (const started of partial) {
      const uploads = await server.db.selectFrom('blob_uploads').selectAll().where('sha256', '=', started.sha256).execute();
      expect(uploads).toHaveLength(1);
      expect(uploads[0]!.upload_id).toBe(started.upload_id);
      expect(uploads[0]!.finished_at).not.toBeNull();
    }
    for (const sha of queued.shas) expect(await server.blobStore.has(sha)).toBe(true);
    expect(readdirSync(join(dataDir, 'blobs'))).toEqual([]);
  });

  it('after the server acknowledged a batch but before the outbox purged it: nothing is applied twice', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    const dataDir = tempDir('fac-fault-ack-');
    const first = await start({ dataDir, url: server.url, enrollmentCode: code, batchSize: 5, pause: { point: 'before-acknowledge' } });
    const queued = await first.enqueue(12, 2_000, { ...WHO, kioskId });
    expect((await first.paused()).detail).toMatchObject({ lastSeq: 5, ok: true });
    await first.kill();
    expect((await serverHolds(server.db, kioskId)).applied).toHaveLength(5);

    const second = await start({ dataDir, url: server.url, batchSize: 5 });
    await second.waitFor('the outbox drained', (s) => s.status.pending === 0 && s.lastAckedSeq === 12);
    expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
  });

  it.each([
    ['before a batch is sent', 'hold'],
    ['while a batch is in flight', 'signal'],
  ] as const)('%s: each document arrives once', async (_what, mode) => {
    {
      const { kioskId, code } = await newKioskCode(server.db, server.dialect);
      const dataDir = tempDir('fac-fault-batch-');
      const first = await start({ dataDir, url: server.url, enrollmentCode: code, batchSize: 10, pause: { point: 'before-send', occurrence: 2, mode } });
      const queued = await first.enqueue(30, 1_000, { ...WHO, kioskId });
      expect((await first.paused()).detail).toMatchObject({ seqs: expect.arrayContaining([11]) });
      await first.kill();
      const second = await start({ dataDir, url: server.url, batchSize: 10 });
      await second.waitFor('the outbox drained', (s) => s.status.pending === 0 && s.lastAckedSeq === 30);
      expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
      await second.kill();
    }
  });
});

describe.each(DIALECTS)('the server killed with SIGKILL inside a transaction, then restarted (%s)', (dialect) => {
  let env: TestEnv;
  let port: number;
  let proc: ServerProcess | null = null;
  let client: SyncClient | null = null;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    await installTestCa(env.config.dataDir);
    port = await freePort();
    const storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    await storage.db.destroy();
  });
  afterAll(async () => {
    await client?.stop();
    await proc?.kill();
    await env?.cleanup();
  });

  it('keeps what committed, loses the transaction it was in, and the kiosk delivers the rest exactly once', async () => {
    const config = { ...env.config, port };
    const storage = openDatabase(env.config.database);
    try {
      const { kioskId, code } = await newKioskCode(storage.db, storage.dialect);
      const dir = tempDir('fac-fault-server-');
      const db = openKioskDb(join(dir, 'outbox.sqlite'));
      const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
      const queued = { ids: [] as string[], documentIds: [] as string[] };
      for (let i = 0; i < 6; i++) {
        const bytes = fakeScan(3_000);
        const body: DocumentDeposit = {
          type: 'vault.document.deposit',
          payload: {
            documentId: randomUUID(),
            owner: WHO.owner,
            docType: 'rib',
            fields: {},
            ocrText: 'RIB',
            file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.length },
            capturedAt: new Date().toISOString(),
            ground: { kind: 'own-card', cardSerial: WHO.cardSerial },
          },
        };
        queued.ids.push(outbox.enqueue(signedWrite(kioskId, body), [{ bytes, mime: 'image/png' }]).id);
        queued.documentIds.push(body.payload.documentId);
      }
      proc = await startServerProcess({ config, pauseBeforeCommitSeq: 3 });
      // batches of two: [1, 2] commits, the server dies inside the transaction of [3, 4]
      client = new SyncClient({ url: proc.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 300, ackTimeoutMs: 5_000, batchSize: 2 });
      client.start();
      expect(await proc.paused()).toEqual({ kioskId, seq: 3 });
      await proc.kill();

      const after = await serverHolds(storage.db, kioskId);
      expect(after.applied.map((a) => a.seq)).toEqual([1, 2]);
      expect(after.versions).toHaveLength(2);
      expect(after.lastSeq).toBe(2);
      expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });

      proc = await startServerProcess({ config });
      await client.flushed(20_000);
      expectExactlyOnce(await serverHolds(storage.db, kioskId), queued);
      expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
      await client.stop();
      client = null;
      db.close();
    } finally {
      await storage.db.destroy();
    }
  });
});

describe.each(DIALECTS)('delivery faults against the server (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let dropFor: string | null = null;
  const acksSeen: { kioskId: string; statuses: string[] }[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, {
      logger: false,
      hooks: {
        beforeAck: ({ kioskId, ack }) => {
          acksSeen.push({ kioskId, statuses: (ack.results ?? []).map((r) => r.status) });
          if (kioskId === dropFor) {
            dropFor = null;
            return 'drop';
          }
          return 'send';
        },
      },
    });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('connection dropped between the commit and the acknowledgement: the kiosk learns at its next hello, resends nothing', async () => {
    const { kioskId, code } = await newKioskCode(server.db, server.dialect);
    const dir = tempDir('fac-fault-drop-');
    const db = openKioskDb(join(dir, 'outbox.sqlite'));
    const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const queued = { ids: [] as string[], documentIds: [] as string[] };
    for (let i = 0; i < 8; i++) {
      const bytes = fakeScan(2_000);
      const documentId = randomUUID();
      const body: DocumentDeposit = {
        type: 'vault.document.deposit',
        payload: { documentId, owner: WHO.owner, docType: 'rib', fields: {}, ocrText: '', file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.length }, capturedAt: new Date().toISOString(), ground: { kind: 'own-card', cardSerial: WHO.cardSerial } },
      };
      queued.ids.push(outbox.enqueue(signedWrite(kioskId, body), [{ bytes, mime: 'image/png' }]).id);
      queued.documentIds.push(documentId);
    }
    dropFor = kioskId;
    const client = new SyncClient({ url: server.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 300, ackTimeoutMs: 5_000 });
    client.start();
    try {
      await client.flushed(20_000);
    } finally {
      await client.stop();
      db.close();
    }
    expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
    const mine = acksSeen.filter((a) => a.kioskId === kioskId);
    expect(mine[0]!.statuses).toEqual(Array(8).fill('applied'));
    // nothing came back as a duplicate: the hello told the kiosk where the server stood
    expect(mine.slice(1).flatMap((a) => a.statuses)).not.toContain('duplicate');
  });

  it('duplicated and reordered deliveries over two connections at once: each mutation applied once, in seq order', async () => {
    const k = await addKiosk(server.db);
    const n = 20;
    const blobs = Array.from({ length: n }, () => fakeScan(200));
    for (const b of blobs) expect((await tusUpload(server.url, k, b, { sha256: sha256Hex(b), mime: 'image/png' })).ok).toBe(true);
    const mutations: Mutation[] = blobs.map((blob, i) => depositMutation({ kioskId: k.kioskId, seq: i + 1, blob }));
    const [s1, s2] = [await connectKiosk(server.url, k), await connectKiosk(server.url, k)];
    sockets.push(s1, s2);
    const send = async (s: Socket, batch: Mutation[]) => MutationsAck.parse(await s.timeout(10_000).emitWithAck(EVENTS.mutations, { mutations: batch }));
    // a deterministic shuffle: each round resends a window around where the server stands, out of
    // order, with duplicates of what was applied already, on both connections at once
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let lastSeq = 0;
    for (let round = 0; lastSeq < n && round < 40; round++) {
      const from = Math.max(0, lastSeq - 3);
      const window = mutations.slice(from, Math.min(n, lastSeq + 6));
      const shuffled = [...window, ...window.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      // a batch may not hold the same seq twice: split duplicates across the two connections
      const seen = new Set<number>();
      const one: Mutation[] = [];
      const two: Mutation[] = [];
      for (const m of shuffled) {
        (seen.has(m.seq) ? two : one).push(m);
        seen.add(m.seq);
      }
      const acks = await Promise.all([send(s1, one), ...(two.length > 0 ? [send(s2, two)] : [])]);
      for (const a of acks) {
        if (!a.ok) expect(a.error.code).toBe('gap');
        lastSeq = Math.max(lastSeq, a.lastSeq ?? 0);
      }
    }
    expect(lastSeq).toBe(n);
    const applied = await server.db.selectFrom('applied_mutations').select(['seq', 'id']).where('kiosk_id', '=', k.kioskId).orderBy('seq').execute();
    expect(applied).toEqual(mutations.map((m) => ({ seq: m.seq, id: m.id })));
    // applied in seq order: the journal recorded the deposits in that order
    const journal = await server.db.selectFrom('audit_journal').select(['seq', 'detail']).where('action', '=', 'document.deposit').orderBy('seq').execute();
    const order = journal.map((j) => (JSON.parse(j.detail) as { mutationId?: string }).mutationId).filter((id) => mutations.some((m) => m.id === id));
    expect(order).toEqual(mutations.map((m) => m.id));
  });
});

function canMountTmpfs(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a small tmpfs';
  const probe = mkdtempSync(join(tmpdir(), 'fac-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return null;
  } catch {
    return 'mount(8) refused (no CAP_SYS_ADMIN in this container)';
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const noMount = canMountTmpfs();
if (noMount) console.warn(`disk-full test skipped: ${noMount}`);

describe.skipIf(noMount !== null)('the kiosk’s disk full (a 2 MB tmpfs)', () => {
  let env: TestEnv;
  let server: RunningServer;
  let mountPoint: string;

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    mountPoint = tempDir('fac-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mountPoint]);
  });
  afterAll(async () => {
    try {
      execFileSync('umount', [mountPoint]);
    } catch {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    }
    await server?.close();
    await env?.cleanup();
  });

  it('refuses with a plain French error, keeps everything queued before intact, and works again once synced', async () => {
    const dataDir = join(mountPoint, 'kiosk');
    const db = openKioskDb(join(mountPoint, 'outbox.sqlite'));
    try {
      const outbox = new Outbox(db, join(dataDir, 'blobs'), keyFileProvider(join(mountPoint, 'data.key')));
      const deposit = (bytes: Buffer): DocumentDeposit => ({
        type: 'vault.document.deposit',
        payload: { documentId: randomUUID(), owner: WHO.owner, docType: 'rib', fields: {}, ocrText: '', file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.length }, capturedAt: new Date().toISOString(), ground: { kind: 'own-card', cardSerial: WHO.cardSerial } },
      });
      // an enrolled kiosk (its identity was written while there was room), offline while the disk fills
      const { kioskId, code } = await newKioskCode(server.db, server.dialect);
      const enrolling = new SyncClient({ url: server.url, outbox, logger: silentLogger, enrollmentCode: code });
      expect(await enrolling.enroll(code)).toMatchObject({ ok: true });

      const stored: string[] = [];
      let failure: unknown = null;
      for (let i = 0; i < 40 && failure === null; i++) {
        const bytes = fakeScan(150_000);
        try {
          outbox.enqueue(signedWrite(kioskId, deposit(bytes)), [{ bytes, mime: 'image/png' }]);
          stored.push(sha256Hex(bytes));
        } catch (err) {
          failure = err;
        }
      }
      expect(failure).toBeInstanceOf(KioskError);
      expect((failure as KioskError).code).toBe('storage');
      expect((failure as KioskError).message).toBe(OUTBOX_WORDS.full);
      expect(stored.length).toBeGreaterThan(3);
      // nothing corrupted: the database checks out, every queued document is there and decrypts
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(outbox.pendingCount()).toBe(stored.length);
      for (const sha of stored) expect(sha256Hex(outbox.readBlob(sha))).toBe(sha);
      // no half-written file keeps the space; the outbox's space reserve is still there for the purge
      expect(readdirSync(join(dataDir, 'blobs')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(join(dataDir, 'space-reserve.bin'))).toBe(true);

      const client = new SyncClient({ url: server.url, outbox, logger: silentLogger, reconnectDelayMaxMs: 300 });
      client.start();
      try {
        await client.flushed(20_000);
      } finally {
        await client.stop();
      }
      expect(readdirSync(join(dataDir, 'blobs'))).toEqual([]);
      expect(existsSync(join(dataDir, 'space-reserve.bin'))).toBe(true);
      for (const sha of stored) expect(await server.blobStore.has(sha)).toBe(true);
      const again = fakeScan(150_000);
      expect(outbox.enqueue(signedWrite(kioskId, deposit(again)), [{ bytes: again, mime: 'image/png' }]).seq).toBe(stored.length + 1);
    } finally {
      db.close();
    }
  });
});

describe('the kiosk’s clock wrong by days', () => {
  let env: TestEnv;
  let server: RunningServer;
  const running: KioskProcess[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false, pushes: { pollMs: 200 } });
  });
  afterAll(async () => {
    for (const k of running.splice(0)) await k.kill();
    await server?.close();
    await env?.cleanup();
  });

  it('enrolls, authenticates, syncs and takes pushes with a clock 9 days ahead or 9 days behind', async () => {
    const DAY = 86_400_000;
    await Promise.all(
      [9 * DAY, -9 * DAY].map(async (offset) => {
        const { kioskId, code } = await newKioskCode(server.db, server.dialect);
        const k = await startKioskProcess({ dataDir: tempDir('fac-fault-clock-'), url: server.url, enrollmentCode: code, clockOffsetMs: offset });
        running.push(k);
        const queued = await k.enqueue(4, 5_000, { ...WHO, kioskId });
        const s = await k.waitFor('drained', (x) => x.status.pending === 0 && x.lastAckedSeq === 4);
        expect(Math.abs(Date.parse(s.now) - Date.now() - offset)).toBeLessThan(60_000);
        expect(s.status.problem).toBeNull();
        expectExactlyOnce(await serverHolds(server.db, kioskId), queued);
        // the server records its own time, whatever the kiosk's clock says
        const applied = await server.db.selectFrom('applied_mutations').select('applied_at').where('kiosk_id', '=', kioskId).execute();
        for (const a of applied) expect(Math.abs(Date.parse(a.applied_at) - Date.now())).toBeLessThan(60_000);
        await server.pushes.setSettings(kioskId, { idleTimeoutS: 300 });
        const deadline = Date.now() + 10_000;
        while (!k.events.some((e) => e.name === 'settings') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(k.events.find((e) => e.name === 'settings')?.detail).toEqual({ settings: { idleTimeoutS: 300 }, version: 1 });
      }),
    );
  });
});
