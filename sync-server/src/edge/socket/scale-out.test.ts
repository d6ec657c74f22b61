/**
 * Scale-out: two server instances that share nothing but one PostgreSQL database (own pools, own
 * socket.io servers, own data folders), joined by @socket.io/postgres-adapter. Polling is switched off
 * on both, so what crosses from one to the other can only have gone through the adapter:
 *  - a card blocked, settings changed, a command queued, a kiosk revoked through instance A reach a
 *    kiosk connected to instance B at once;
 *  - the same kiosk sending its batches to both instances at the same time gets each mutation applied
 *    exactly once, in order (the row lock on the kiosk).
 */
import { installTestCa } from '../../../test-support/test-ca.ts';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, HelloAck, MutationsAck, PushMessage } from '../../../protocol/socket.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, connectKiosk, countRows, depositMutation, fakeScan, freshEnv, sha256Hex, STAFF_TOKEN, tusUpload, until } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';

const AMINATA_CARD = '0A1B2C3F';


describe('two server instances on one PostgreSQL', () => {
  let env: TestEnv;
  let dirB: string;
  let a: RunningServer;
  let b: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv('postgres');
    dirB = mkdtempSync(join(tmpdir(), 'fac-instance-b-'));
    // each instance has its own copy of what a server holds: the CA certificate and the revocation-signing key
    await installTestCa(env.config.dataDir);
    const opts = { logger: false as const, pushes: { pollMs: 0, ackTimeoutMs: 3000 }, revocationPollMs: 0 };
    a = await startServer(env.config, opts);
    cpSync(join(env.config.dataDir, 'ca'), join(dirB, 'ca'), { recursive: true });
    b = await startServer({ ...env.config, dataDir: dirB, seedPath: null }, opts);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    rmSync(dirB, { recursive: true, force: true });
    await env?.cleanup();
  });

  async function kioskOn(server: RunningServer, k?: TestKiosk) {
    const auth = k ?? (await addKiosk(server.db));
    const socket = await connectKiosk(server.url, auth);
    sockets.push(socket);
    const received: PushMessage[] = [];
    socket.on(EVENTS.push, (raw: unknown, ack: (x: unknown) => void) => {
      received.push(PushMessage.parse(raw));
      ack({ ok: true });
    });
    const hello = HelloAck.parse(await socket.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString(), revocationsVersion: 1, configVersion: 0 }));
    expect(hello.ok).toBe(true);
    return { auth, socket, received };
  }

  const staff = (server: RunningServer, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/staff${path}`, {
      method,
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('delivers to a kiosk on B what is issued through A: revocation list, settings, a command', async () => {
    const k = await kioskOn(b);
    expect(b.kiosks.connected()).toContain(k.auth.kioskId);
    expect(a.kiosks.connected()).not.toContain(k.auth.kioskId);

    const blocked = await staff(a, 'POST', `/cards/${AMINATA_CARD}/block`, { reason: 'lost' });
    expect(blocked.status).toBe(200);
    const { revocationsVersion } = (await blocked.json()) as { revocationsVersion: number };
    const list = await until('the revocation list on B', () => k.received.find((p) => p.kind === 'revocations' && p.body.version === revocationsVersion));
    expect(list.kind === 'revocations' && list.body.revoked.map((r) => r.cardSerial)).toEqual([AMINATA_CARD]);

    expect((await staff(a, 'PUT', `/kiosks/${k.auth.kioskId}/settings`, { idleTimeoutS: 60 })).status).toBe(200);
    await until('the settings on B', () => k.received.find((p) => p.kind === 'config' && p.body.settings.idleTimeoutS === 60));

    expect((await staff(a, 'POST', `/kiosks/${k.auth.kioskId}/commands`, { command: 'sync-now' })).status).toBe(202);
    await until('the command on B', () => k.received.find((p) => p.kind === 'admin-command'));
    // every push acknowledged through B is recorded in the shared database
    await until('all acknowledged', async () => {
      const rows = await a.db.selectFrom('kiosk_pushes').select('acked_at').where('kiosk_id', '=', k.auth.kioskId).execute();
      return rows.length >= 3 && rows.every((r) => r.acked_at !== null);
    });
  });

  it('drops a kiosk connected to B at once when it is revoked through A, telling it why', async () => {
    const k = await kioskOn(b);
    const told = new Promise<boolean>((resolve) => k.socket.once(EVENTS.revoked, () => resolve(true)));
    const gone = new Promise<string>((resolve) => k.socket.once('disconnect', (reason) => resolve(reason)));
    const r = await staff(a, 'POST', `/kiosks/${k.auth.kioskId}/revoke`);
    expect(r.status).toBe(200);
    expect(await told).toBe(true);
    expect(await gone).toBe('io server disconnect');
    await until('gone from B', () => !b.kiosks.connected().includes(k.auth.kioskId));
    await expect(connectKiosk(b.url, k.auth)).rejects.toThrow('revoked');
  });

  it('applies each mutation of one kiosk exactly once, in order, when its batches reach both instances at the same time', async () => {
    const k = await addKiosk(a.db);
    const n = 24;
    const blobs = Array.from({ length: n }, () => fakeScan(300));
    // each instance keeps its own files here: the blobs are uploaded to both (in production: S3)
    for (const blob of blobs) {
      for (const server of [a, b]) expect(await tusUpload(server.url, k, blob, { sha256: sha256Hex(blob), mime: 'image/png' })).toMatchObject({ ok: true });
    }
    const mutations = blobs.map((blob, i) => depositMutation({ kioskId: k.kioskId, seq: i + 1, blob }));
    const viaA = await kioskOn(a, k);
    const viaB = await kioskOn(b, k);
    const send = async (socket: Socket, batch: Mutation[]) => MutationsAck.parse(await socket.timeout(20_000).emitWithAck(EVENTS.mutations, { mutations: batch }));
    const docsBefore = await countRows(a.db, 'documents');

    // like a kiosk that reconnected to the other instance and resent: overlapping batches, both ways
    const acks = await Promise.all([
      send(viaA.socket, mutations.slice(0, 16)),
      send(viaB.socket, mutations.slice(0, 16)),
      send(viaB.socket, mutations.slice(8, 24)),
    ]);
    // then whatever the kiosk would resend after gaps, until both say it is all there
    let last = Math.max(...acks.map((x) => x.lastSeq ?? 0));
    for (let round = 0; last < n && round < 10; round++) {
      const ack = await send(round % 2 === 0 ? viaA.socket : viaB.socket, mutations.slice(last));
      acks.push(ack);
      last = ack.lastSeq ?? last;
    }
    expect(last).toBe(n);
    const applied = acks.flatMap((x) => x.results ?? []).filter((r) => r.status === 'applied');
    expect(applied.map((r) => r.seq).sort((x, y) => x - y)).toEqual(mutations.map((m) => m.seq));
    for (const x of acks) if (!x.ok) expect(x.error.code).toBe('gap');
    const rows = await a.db.selectFrom('applied_mutations').select(['seq', 'id']).where('kiosk_id', '=', k.kioskId).orderBy('seq').execute();
    expect(rows).toEqual(mutations.map((m) => ({ seq: m.seq, id: m.id })));
    expect(await countRows(a.db, 'documents')).toBe(docsBefore + n);
    const kiosk = await b.db.selectFrom('kiosks').select('last_seq').where('id', '=', k.kioskId).executeTakeFirstOrThrow();
    expect(kiosk.last_seq).toBe(n);
  });
});
