/**
 * The kiosk's outbox and sync client against the real sync-server (SQLite and PostgreSQL): enrolled
 * with a one-time code at first start, drained in order with blobs uploaded first, purged after
 * acknowledgement, resumed after the server was down, nothing resent when the server already applied
 * it, renumbered when the kiosk's database is new; revoked at once; settings and admin commands pushed
 * and carried out once, even when the server sends them again.
 */
import { installTestCa, signedWrite } from '../../sync-server/test-support/test-ca.ts';
import { createHash, randomUUID } from 'node:crypto';
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
import type { SyncClientOptions } from '../../kiosk/core/sync/client.ts';
import { DeviceAuth } from '../../kiosk/core/sync/device-auth.ts';
import { ENROLLMENT_PROBLEM, SYNC_PROBLEM } from '../../kiosk/core/words.ts';
import type { DocumentDeposit } from '../../sync-server/protocol/mutations.ts';
import { EVENTS, KIOSK_NAMESPACE } from '../../sync-server/protocol/socket.ts';
import type { AdminCommand, KioskSettings } from '../../sync-server/protocol/socket.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { CAMILLE, DEMO_KIOSK_ID, DIALECTS, STAFF_TOKEN, fakeScan, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
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
      file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.byteLength },
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
  let code: string;

  const start = async () => {
    server = await startServer({ ...env.config, port }, { logger: false, pushes: { ackTimeoutMs: 2000, retryDelaysMs: [200], pollMs: 200 }, revocationPollMs: 200 });
  };
  const newCode = async () => (await createEnrollment(server!.db, server!.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } })).code;
  const newClient = (extra: Partial<SyncClientOptions> = {}) => {
    client = new SyncClient({
      url: `http://127.0.0.1:${port}`,
      outbox,
      logger: silentLogger,
      enrollmentCode: code,
      ackTimeoutMs: 10_000,
      reconnectDelayMaxMs: 1000,
      ...extra,
    });
    client.start();
    return client;
  };
  const openKiosk = () => {
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-sync-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  };

  beforeEach(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    port = await freePort();
    openKiosk();
    server = null;
    client = null;
    await start();
    code = await newCode();
  });

  afterEach(async () => {
    await client?.stop();
    await server?.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await env.cleanup();
  });

  it('enrolls at first start with the code, then drains the outbox in order, uploads the blobs, and purges what was acknowledged', async () => {
    const images = Array.from({ length: 5 }, () => fakeScan(150_000));
    for (const img of images) outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img)), [{ bytes: img, mime: 'image/png' }]);
    const statuses: number[] = [];
    const c = newClient();
    c.onStatus((s) => statuses.push(s.pending));
    await c.flushed(30_000);
    expect(c.identity()).toMatchObject({ state: 'enrolled', kioskId: DEMO_KIOSK_ID, name: 'Tablette du CMS du centre-ville' });
    const row = await server!.db.selectFrom('kiosks').select(['public_key', 'enrolled_at']).where('id', '=', DEMO_KIOSK_ID).executeTakeFirstOrThrow();
    expect(row.public_key).toBe(c.device.publicKey);
    // the private key is in the kiosk database, sealed: its PKCS#8 bytes are nowhere in clear
    const stored = db.prepare('SELECT sealed_private_key FROM device').get() as { sealed_private_key: Buffer };
    expect(stored.sealed_private_key.subarray(0, 5).toString()).toBe('FACB1');
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
    // the code was single use: another kiosk database presenting it is refused
    await c.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    openKiosk();
    const other = newClient();
    await until('a refused code', () => other.status().problem === ENROLLMENT_PROBLEM.refused);
    expect(other.identity().state).toBe('pending');
  });

  it('says it is not enrolled without a code, and that a bad code is refused, in plain French', async () => {
    const none = newClient({ enrollmentCode: null });
    await until('not enrolled', () => none.status().problem === SYNC_PROBLEM.notEnrolled);
    expect(none.identity().state).toBe('none');
    await none.stop();
    const wrong = newClient({ enrollmentCode: 'AAAA-BBBB-CCCC-DDDD' });
    await until('refused', () => wrong.status().problem === ENROLLMENT_PROBLEM.refused);
    expect(await wrong.enroll('not a code')).toEqual({ ok: false, problem: ENROLLMENT_PROBLEM['invalid-code'] });
    // the screen gives a good code: enrolled, connected
    expect(await wrong.enroll(code.toLowerCase().replace(/-/g, ' '))).toMatchObject({ ok: true, identity: { kioskId: DEMO_KIOSK_ID } });
    await until('online', () => wrong.status().online);
  });

  it('keeps everything while the server is down, says so, and delivers once it is back', async () => {
    const c = newClient();
    await until('online', () => c.status().online);
    await server!.close();
    const img = fakeScan(50_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img)), [{ bytes: img, mime: 'image/png' }]);
    await until('offline', () => !c.status().online);
    expect(c.status()).toMatchObject({ pending: 1, online: false });
    expect(c.status().problem).toMatch(/connexion/);
    await start();
    await c.flushed(30_000);
    expect(await staffDocuments(server!)).toHaveLength(1);
    // and again after a server restart
    await server!.close();
    const img2 = fakeScan(50_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img2)), [{ bytes: img2, mime: 'image/png' }]);
    await start();
    await c.flushed(30_000);
    expect(await staffDocuments(server!)).toHaveLength(2);
    expect(outbox.lastAckedSeq()).toBe(2);
  }, 90_000);

  it('sends papers with long texts in batches that fit in a socket message (the server closes a larger one)', async () => {
    // 40 papers of 90,000 characters of OCR text: 3.6 MB, over the 2 MB limit of one message
    const text = 'Relevé de compte. '.repeat(5000).slice(0, 90_000);
    for (let i = 0; i < 40; i++) {
      const img = fakeScan(2_000);
      const body = deposit(img);
      body.payload.ocrText = text;
      outbox.enqueue(signedWrite(DEMO_KIOSK_ID, body), [{ bytes: img, mime: 'image/png' }]);
    }
    const c = newClient();
    await c.flushed(60_000);
    expect(await staffDocuments(server!)).toHaveLength(40);
    expect(c.status().problem).toBeNull();
  }, 90_000);

  it('goes on when the server refuses a file for good: that paper is refused and said so, the next one arrives', async () => {
    const broken = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(900, 3)]);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(broken)), [{ bytes: broken, mime: 'image/png' }]);
    const img = fakeScan(3_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img)), [{ bytes: img, mime: 'image/png' }]);
    const c = newClient();
    await c.flushed(30_000);
    expect(await staffDocuments(server!)).toHaveLength(1);
    expect(outbox.lastAckedSeq()).toBe(2);
    expect(c.status().problem).toMatch(/refusé/);
  });

  it('does not resend what the server applied when the acknowledgement was lost', async () => {
    const img = fakeScan(20_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img)), [{ bytes: img, mime: 'image/png' }]);
    const uploader = newClient();
    await uploader.flushed(20_000);
    await uploader.stop();
    client = null;
    // the server has seq 1; a fresh outbox row 1 would be a duplicate: rebuild that situation
    db.prepare("UPDATE meta SET value = '0' WHERE key = 'last_acked_seq'").run();
    const handshake = await new DeviceAuth(uploader.device, `http://127.0.0.1:${port}`).handshake();
    const raw = io(`http://127.0.0.1:${port}${KIOSK_NAMESPACE}`, { auth: handshake, transports: ['websocket'] });
    const hello = (await raw.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString() })) as { lastSeq: number };
    raw.disconnect();
    expect(hello.lastSeq).toBe(1);
    const before = (await staffDocuments(server!)).length;
    const img2 = fakeScan(20_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img2)), [{ bytes: img2, mime: 'image/png' }]);
    await newClient().flushed(20_000);
    expect((await staffDocuments(server!)).length).toBe(before + 1);
    expect(outbox.lastAckedSeq()).toBe(2);
  });

  it('renumbers after the server when the kiosk was reinstalled (new database, new key, new code), losing nothing', async () => {
    const first = fakeScan(10_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(first)), [{ bytes: first, mime: 'image/png' }]);
    const old = newClient();
    await old.flushed(20_000);
    const oldKey = old.device.publicKey;
    await old.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    openKiosk();
    code = await newCode();
    const again = fakeScan(10_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(again)), [{ bytes: again, mime: 'image/png' }]);
    const fresh = newClient();
    await fresh.flushed(20_000);
    expect(fresh.device.publicKey).not.toBe(oldKey);
    expect(await staffDocuments(server!)).toHaveLength(2);
    expect(outbox.lastAckedSeq()).toBe(2);
  });

  it('is refused at once when revoked: live connection dropped, the problem shown, the outbox kept', async () => {
    const c = newClient();
    await until('online', () => c.status().online);
    const r = await fetch(`${server!.url}/api/staff/kiosks/${DEMO_KIOSK_ID}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(await r.json()).toMatchObject({ kioskId: DEMO_KIOSK_ID, changed: true });
    await until('revoked', () => c.status().problem === SYNC_PROBLEM.revoked);
    expect(c.status().online).toBe(false);
    expect(c.identity().state).toBe('revoked');
    const img = fakeScan(5_000);
    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, deposit(img)), [{ bytes: img, mime: 'image/png' }]);
    await new Promise((res) => setTimeout(res, 500));
    expect(c.status()).toMatchObject({ pending: 1, online: false, problem: SYNC_PROBLEM.revoked });
    expect(await staffDocuments(server!)).toHaveLength(0);
    // and it does not come back after a restart of the kiosk
    await c.stop();
    const restarted = newClient();
    await until('still revoked', () => restarted.status().problem === SYNC_PROBLEM.revoked);
    expect(server!.kiosks.connected()).toEqual([]);
  });

  it('receives settings and admin commands, and carries each out once even when the server sends it again', async () => {
    const settings: Array<[KioskSettings, number]> = [];
    const commands: AdminCommand[] = [];
    const c = newClient({
      onSettings: (s, v) => settings.push([s, v]),
      onAdminCommand: (cmd) => {
        commands.push(cmd);
        return { ok: true };
      },
    });
    await until('online', () => c.status().online);
    const staff = (method: string, path: string, body: unknown) =>
      fetch(`${server!.url}/api/staff/kiosks/${DEMO_KIOSK_ID}${path}`, {
        method,
        headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await (await staff('PUT', '/settings', { displayName: 'Borne de l’accueil', idleTimeoutS: 90 })).json()).toEqual({ version: 1, settings: { displayName: 'Borne de l’accueil', idleTimeoutS: 90 } });
    await until('the settings', () => settings.length === 1);
    expect(settings[0]).toEqual([{ displayName: 'Borne de l’accueil', idleTimeoutS: 90 }, 1]);
    expect(c.settings()).toEqual({ version: 1, settings: { displayName: 'Borne de l’accueil', idleTimeoutS: 90 } });

    const posted = await staff('POST', '/commands', { command: 'end-session', reason: 'carte oubliée' });
    expect(posted.status).toBe(202);
    const { pushId } = (await posted.json()) as { pushId: string };
    await until('the command', () => commands.length === 1);
    const acked = await until('the ack', async () => (await server!.db.selectFrom('kiosk_pushes').selectAll().where('push_id', '=', pushId).executeTakeFirst())?.acked_at);
    expect(acked).toBeTruthy();

    // the server "lost" both acknowledgements; at the next hello the command is sent again (same id)
    // and answered from the kiosk's ledger; the settings are not, the hello says version 1 is held
    await server!.db.updateTable('kiosk_pushes').set({ acked_at: null, outcome: null }).where('kiosk_id', '=', DEMO_KIOSK_ID).execute();
    const before = await server!.db.selectFrom('kiosk_pushes').select(['push_id', 'kind', 'attempts']).where('kiosk_id', '=', DEMO_KIOSK_ID).execute();
    await c.stop();
    const restarted = newClient({ onSettings: (s, v) => settings.push([s, v]), onAdminCommand: (cmd) => (commands.push(cmd), { ok: true }) });
    const after = await until('acknowledged again', async () => {
      // the settings and the command (the revocation list of the test CA is another push, not this test's)
      const rows = await server!.db.selectFrom('kiosk_pushes').select(['acked_at', 'attempts', 'push_id', 'kind']).where('kiosk_id', '=', DEMO_KIOSK_ID).where('kind', 'in', ['config', 'admin-command']).execute();
      return rows.every((r) => r.acked_at !== null) ? rows : null;
    });
    const attemptsOf = (rows: { push_id: string; attempts: number }[]) => rows.find((r) => r.push_id === pushId)!.attempts;
    expect(attemptsOf(after)).toBe(attemptsOf(before) + 1);
    expect(after.find((r) => r.kind === 'config')!.attempts).toBe(before.find((r) => r.kind === 'config')!.attempts);
    expect(restarted.status().online).toBe(true);
    expect(commands).toHaveLength(1);
    expect(settings).toHaveLength(1);

    // a command the kiosk does not handle is refused, recorded as such, and not sent again
    await restarted.stop();
    const unhandled = await staff('POST', '/commands', { command: 'reload' });
    const id2 = ((await unhandled.json()) as { pushId: string }).pushId;
    newClient();
    const row = await until('the refusal', async () => (await server!.db.selectFrom('kiosk_pushes').selectAll().where('push_id', '=', id2).executeTakeFirst())?.outcome);
    expect(row).toBe('refused');
    // hostile or wrong staff input: typed errors
    expect((await staff('POST', '/commands', { command: 'rm -rf' })).status).toBe(400);
    expect((await staff('PUT', '/settings', { idleTimeoutS: 2 })).status).toBe(400);
    expect((await staff('PUT', '/settings', { colour: 'red' })).status).toBe(400);
  });
});
