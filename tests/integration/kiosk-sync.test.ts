/**
 * The kiosk's outbox and sync client against the real sync-server (SQLite and PostgreSQL): drained in
 * order with blobs uploaded first, purged after acknowledgement, resumed after the server was down,
 * nothing resent when the server already applied it, and renumbered when the kiosk's database is new.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kiosk/core/log.ts';
import { sha256Hex } from '../../kiosk/core/outbox/blob-crypto.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import type { DocumentDeposit } from '../../sync-server/protocol/mutations.ts';
import { EVENTS, KIOSK_NAMESPACE } from '../../sync-server/protocol/socket.ts';
import { startServer } from '../../sync-server/src/server.ts';
import type { RunningServer } from '../../sync-server/src/server.ts';
import { CAMILLE, DEMO_KIOSK, DIALECTS, STAFF_TOKEN, freshEnv } from '../../sync-server/src/testing/test-env.ts';
import type { TestEnv } from '../../sync-server/src/testing/test-env.ts';
import { freePort } from '../setup/postgres.ts';

function deposit(bytes: Uint8Array): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: CAMILLE.identifier,
      docType: 'rib',
      fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.95, confirmed: true } },
      ocrText: 'RIB',
      file: { sha256: sha256Hex(bytes), mime: 'image/jpeg', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: CAMILLE.card },
    },
  };
}

async function staffDocuments(server: RunningServer): Promise<{ id: string }[]> {
  const res = await fetch(`${server.url}/api/staff/persons/${CAMILLE.identifier}/documents`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
  return ((await res.json()) as { documents: { id: string }[] }).documents;
}

describe.each(DIALECTS)('kiosk sync against the server (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer | null;
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  let client: SyncClient | null;
  let port: number;

  const start = async () => {
    server = await startServer({ ...env.config, port }, { logger: false });
  };
  const newClient = () => {
    client = new SyncClient({ url: `http://127.0.0.1:${port}`, auth: DEMO_KIOSK, outbox, logger: silentLogger, ackTimeoutMs: 10_000, reconnectDelayMaxMs: 1000 });
    client.start();
    return client;
  };

  beforeEach(async () => {
    env = await freshEnv(dialect);
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-sync-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    server = null;
    client = null;
  });

  afterEach(async () => {
    await client?.stop();
    await server?.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await env.cleanup();
  });

  it('drains the outbox in order, uploads the blobs, and purges what was acknowledged', async () => {
    await start();
    const images = Array.from({ length: 5 }, () => randomBytes(150_000));
    for (const img of images) outbox.enqueue(deposit(img), [{ bytes: img, mime: 'image/jpeg' }]);
    const statuses: number[] = [];
    const c = newClient();
    c.onStatus((s) => statuses.push(s.pending));
    await c.flushed(30_000);
    expect(outbox.lastAckedSeq()).toBe(5);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
    expect(c.status()).toMatchObject({ pending: 0, online: true, problem: null });
    expect(statuses.at(-1)).toBe(0);
    const docs = await staffDocuments(server!);
    expect(docs).toHaveLength(5);
    // the server holds exactly the bytes the kiosk had
    for (const img of images) {
      const res = await fetch(`${server!.url}/api/staff/blobs/${sha256Hex(img)}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
      expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(sha256Hex(img));
    }
  });

  it('keeps everything while the server is down, says so, and delivers once it is back', async () => {
    const c = newClient();
    const img = randomBytes(50_000);
    outbox.enqueue(deposit(img), [{ bytes: img, mime: 'image/jpeg' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.status()).toMatchObject({ pending: 1, online: false });
    expect(c.status().problem).toMatch(/connexion/);
    await start();
    await c.flushed(30_000);
    expect(await staffDocuments(server!)).toHaveLength(1);
    // and again after a server restart
    await server!.close();
    const img2 = randomBytes(50_000);
    outbox.enqueue(deposit(img2), [{ bytes: img2, mime: 'image/jpeg' }]);
    await start();
    await c.flushed(30_000);
    expect(await staffDocuments(server!)).toHaveLength(2);
    expect(outbox.lastAckedSeq()).toBe(2);
  }, 90_000);

  it('does not resend what the server applied when the acknowledgement was lost', async () => {
    await start();
    const img = randomBytes(20_000);
    outbox.enqueue(deposit(img), [{ bytes: img, mime: 'image/jpeg' }]);
    // deliver it behind the client's back, as if the ack had been lost on the way
    const uploader = newClient();
    await uploader.flushed(20_000);
    await uploader.stop();
    client = null;
    // the server has seq 1; a fresh outbox row 1 would be a duplicate: rebuild that situation
    db.prepare("UPDATE meta SET value = '0' WHERE key = 'last_acked_seq'").run();
    const raw = io(`http://127.0.0.1:${port}${KIOSK_NAMESPACE}`, { auth: DEMO_KIOSK, transports: ['websocket'] });
    const hello = (await raw.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString() })) as { lastSeq: number };
    raw.disconnect();
    expect(hello.lastSeq).toBe(1);
    const before = (await staffDocuments(server!)).length;
    const img2 = randomBytes(20_000);
    outbox.enqueue(deposit(img2), [{ bytes: img2, mime: 'image/jpeg' }]);
    await newClient().flushed(20_000);
    expect((await staffDocuments(server!)).length).toBe(before + 1);
    expect(outbox.lastAckedSeq()).toBe(2);
  });

  it('renumbers after the server when the kiosk database was replaced, losing nothing', async () => {
    await start();
    const first = randomBytes(10_000);
    outbox.enqueue(deposit(first), [{ bytes: first, mime: 'image/jpeg' }]);
    await newClient().flushed(20_000);
    await client!.stop();
    // a reinstalled kiosk: new database, same kiosk identity
    db.close();
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-sync-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const again = randomBytes(10_000);
    outbox.enqueue(deposit(again), [{ bytes: again, mime: 'image/jpeg' }]);
    await newClient().flushed(20_000);
    expect(await staffDocuments(server!)).toHaveLength(2);
    expect(outbox.lastAckedSeq()).toBe(2);
  });
});
