/**
 * Revocation pushes over a real socket.io connection to startServer, on SQLite and PostgreSQL: a kiosk
 * holding an old list gets the current one after its hello; a block reaches a connected kiosk; an
 * unacknowledged push is sent again (same id) while connected and after a reconnection; a malformed
 * acknowledgement is refused with a typed error and leaves the push unacknowledged. The server holds
 * only the CA certificate and its revocation-signing key: the lists carry that key's certificate and
 * check the way a kiosk checks them (protocol/revocation-signer.ts).
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyRevocationList } from '../../../protocol/revocation-signer.ts';
import { RevocationList } from '../../../protocol/revocation.ts';
import { EVENTS, HelloAck, PushMessage } from '../../../protocol/socket.ts';
import type { PushOf } from '../../../protocol/socket.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { blockCard, caRevocationSigner, issuanceSecretsIn } from '../../features/cards/index.ts';
import { latestRevocationVersion, publishRevocationList } from '../../features/cards/index.ts';
import { installTestPlatform } from '../../../test-support/test-ca.ts';
import type { TestPlatform } from '../../../test-support/test-ca.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, CAMILLE, connectKiosk, DIALECTS, freshEnv, STAFF_TOKEN, until, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk as EnrolledKiosk } from '../../../test-support/test-env.ts';
import type { PushOutcomeEvent } from './pushes.ts';

const AMINATA_CARD = '0A1B2C3F';

type AckMode = 'ok' | 'silent' | 'malformed' | 'refuse';

interface TestKiosk {
  auth: EnrolledKiosk;
  socket: Socket;
  received: PushOf<'revocations'>[];
  ackMode: AckMode;
}

describe.each(DIALECTS)('revocation pushes on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let ca: LoadedCa;
  let platform: TestPlatform;
  const open: Socket[] = [];
  /** what a kiosk pinned to the platform CA says of a list */
  const kioskCheck = (list: RevocationList) => verifyRevocationList(RevocationList.parse(list), { caCertificate: ca.certificate, now: new Date() });

  beforeAll(async () => {
    env = await freshEnv(dialect);
    platform = await installTestPlatform(env.config.dataDir);
    ca = platform.ca;
    server = await startServer(env.config, { logger: false, pushes: { ackTimeoutMs: 1000, retryDelaysMs: [150, 150], pollMs: 150 } });
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  /** A kiosk that records every push and answers as told (the answer mode can change mid-test). */
  async function kiosk(auth?: EnrolledKiosk, ackMode: AckMode = 'ok'): Promise<TestKiosk> {
    const a = auth ?? (await addKiosk(server.db));
    const socket = await connectKiosk(server.url, a);
    open.push(socket);
    const k: TestKiosk = { auth: a, socket, received: [], ackMode };
    socket.on(EVENTS.push, (raw: unknown, ack: (answer: unknown) => void) => {
      const m = PushMessage.parse(raw);
      if (m.kind === 'revocations') k.received.push(m);
      if (k.ackMode === 'ok') ack({ ok: true });
      else if (k.ackMode === 'malformed') ack({ ok: 'yes', version: 3 });
      else if (k.ackMode === 'refuse') ack({ ok: false, error: { code: 'invalid', message: 'signature fausse' } });
    });
    return k;
  }

  async function hello(k: TestKiosk, revocationsVersion?: number): Promise<HelloAck> {
    return HelloAck.parse(
      await k.socket.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString(), ...(revocationsVersion === undefined ? {} : { revocationsVersion }) }),
    );
  }


  const pushesOf = (kioskId: string) => server.db.selectFrom('kiosk_pushes').selectAll().where('kiosk_id', '=', kioskId).orderBy('created_at').execute();
  const outcomes: PushOutcomeEvent[] = [];
  beforeAll(() => {
    server.pushes.on('outcome', (e) => outcomes.push(e));
  });

  it('published a first signed list at start, signed by its revocation-signing key, which a kiosk accepts', async () => {
    expect(issuanceSecretsIn(env.config.dataDir)).toEqual([]);
    expect(server.ca?.fingerprint).toBe(ca.fingerprint);
    expect(server.revocationKey?.fingerprint).toBe(platform.revocationKey.fingerprint);
    const r = await fetch(`${server.url}/api/staff/revocations`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(r.status).toBe(200);
    const list = RevocationList.parse(await r.json());
    expect(list).toMatchObject({ version: 1, revoked: [], signerCertificate: Buffer.from(platform.revocationKey.certificate).toString('base64url') });
    expect(kioskCheck(list)).toMatchObject({ ok: true, signer: { kind: 'revocation-key', info: { fingerprint: platform.revocationKey.fingerprint } } });
  });

  it('pushes the current list to a kiosk holding an older one, right after its hello, and records the ack', async () => {
    const k = await kiosk();
    expect(await hello(k, 0)).toMatchObject({ ok: true });
    const push = await until('the push', () => k.received[0]);
    expect(push).toMatchObject({ kind: 'revocations', body: { version: 1 } });
    const row = await until('the ack', async () => (await pushesOf(k.auth.kioskId)).find((p) => p.acked_at !== null));
    expect(row).toMatchObject({ push_id: push.id, kind: 'revocations', version: 1, attempts: 1, last_error: null });

    // a kiosk up to date gets nothing; nor does one that has not said hello
    const upToDate = await kiosk();
    await hello(upToDate, 1);
    const silent = await kiosk();
    await new Promise((r) => setTimeout(r, 400));
    expect(upToDate.received).toEqual([]);
    expect(silent.received).toEqual([]);
    expect(await pushesOf(upToDate.auth.kioskId)).toEqual([]);
  });

  it('pushes a kiosk that does not say which version it holds (an older kiosk)', async () => {
    const k = await kiosk();
    await hello(k);
    expect(await until('the push', () => k.received[0])).toMatchObject({ body: { version: 1 } });
  });

  it('sends a block to every connected kiosk: a new signed version naming the card', async () => {
    const a = await kiosk();
    const b = await kiosk();
    await hello(a, 1);
    await hello(b, 1);
    const before = await latestRevocationVersion(server.db);
    const r = await fetch(`${server.url}/api/staff/cards/${CAMILLE.card.toLowerCase()}/block`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stolen' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ serial: CAMILLE.card, status: 'blocked', changed: true, revocationsVersion: before + 1 });
    for (const k of [a, b]) {
      const push = await until('the push', () => k.received.find((p) => p.body.version === before + 1));
      expect(push.body.revoked).toEqual([{ cardSerial: CAMILLE.card, reason: 'stolen', at: expect.any(String) }]);
      expect(kioskCheck(push.body)).toMatchObject({ ok: true, signer: { kind: 'revocation-key' } });
      await until('the ack', async () => (await pushesOf(k.auth.kioskId)).find((p) => p.version === before + 1 && p.acked_at !== null));
    }
    // blocking again changes nothing and publishes nothing
    const again = await fetch(`${server.url}/api/staff/cards/${CAMILLE.card}/block`, { method: 'POST', headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(await again.json()).toEqual({ serial: CAMILLE.card, status: 'blocked', changed: false, revocationsVersion: before + 1 });
    const card = await server.db.selectFrom('cards').selectAll().where('serial', '=', CAMILLE.card).executeTakeFirstOrThrow();
    expect(card).toMatchObject({ status: 'blocked', revocation_reason: 'stolen' });
    const journal = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'card.block').execute();
    expect(journal).toHaveLength(1);
    expect(JSON.parse(journal[0]!.detail)).toEqual({ cardSerial: CAMILLE.card, reason: 'stolen' });
  });

  it('picks up a list published by another process (the staff CLI, another instance) by polling', async () => {
    const k = await kiosk();
    const current = await latestRevocationVersion(server.db);
    await hello(k, current);
    await blockCard(server.db, server.dialect, { serial: YANIS.card, reason: 'lost', actor: { kind: 'staff', id: 'other-process' } });
    // an issuance station publishing with the CA key itself: kiosks accept that list too
    const { list } = await publishRevocationList(server.db, server.dialect, caRevocationSigner(ca));
    expect(list.version).toBe(current + 1);
    const push = await until('the push', () => k.received.find((p) => p.body.version === current + 1));
    expect(push.body.revoked.map((r) => r.cardSerial)).toEqual([CAMILLE.card, YANIS.card]);
    expect(push.body.signerCertificate).toBeUndefined();
    expect(kioskCheck(push.body)).toMatchObject({ ok: true, signer: { kind: 'ca' } });
  });

  it('retries an unacknowledged push with the same id while connected, then at reconnection, until acknowledged', async () => {
    const k = await kiosk(undefined, 'silent');
    await hello(k, 0);
    // first send, then the two retries of retryDelaysMs, then nothing more while connected
    await until('three sends', () => k.received.length >= 3);
    await new Promise((r) => setTimeout(r, 800));
    expect(k.received).toHaveLength(3);
    const ids = new Set(k.received.map((p) => p.id));
    expect(ids.size).toBe(1);
    const [row] = await pushesOf(k.auth.kioskId);
    expect(row).toMatchObject({ attempts: 3, acked_at: null, last_error: 'timeout' });

    // the kiosk comes back (restarted): same push, same id, and this time it answers
    k.socket.close();
    const again = await kiosk(k.auth, 'ok');
    await hello(again, 0);
    const push = await until('the push after reconnection', () => again.received[0]);
    expect(push.id).toBe([...ids][0]);
    const acked = await until('the ack', async () => (await pushesOf(k.auth.kioskId)).find((p) => p.acked_at !== null));
    expect(acked).toMatchObject({ push_id: push.id, attempts: 4, last_error: null });
    expect(await pushesOf(k.auth.kioskId)).toHaveLength(1);
  });

  it('refuses a malformed acknowledgement with a typed error: the push stays unacknowledged', async () => {
    const k = await kiosk(undefined, 'malformed');
    await hello(k, 0);
    const push = await until('the push', () => k.received[0]);
    const outcome = await until('the outcome', () => outcomes.find((o) => o.pushId === push.id));
    expect(outcome).toMatchObject({ kioskId: k.auth.kioskId, kind: 'revocations', outcome: { status: 'invalid-ack', error: { code: 'invalid', message: expect.stringMatching(/Accusé de réception invalide/) } } });
    const [row] = await pushesOf(k.auth.kioskId);
    expect(row!.acked_at).toBeNull();
    expect(row!.last_error).toMatch(/^invalid-ack: invalid:/);
    // not retried while connected (a bad answer is not a lost one); it is at the next hello
    await new Promise((r) => setTimeout(r, 500));
    expect(k.received).toHaveLength(1);
    k.ackMode = 'ok';
    await hello(k, 0);
    await until('the ack', async () => (await pushesOf(k.auth.kioskId)).find((p) => p.acked_at !== null));
  });

  it('records a kiosk’s refusal (it could not verify the list) and tries again at its next hello', async () => {
    const k = await kiosk(undefined, 'refuse');
    await hello(k, 0);
    const push = await until('the push', () => k.received[0]);
    const outcome = await until('the outcome', () => outcomes.find((o) => o.pushId === push.id));
    expect(outcome.outcome).toEqual({ status: 'refused', error: { code: 'invalid', message: 'signature fausse' } });
    expect((await pushesOf(k.auth.kioskId))[0]!.last_error).toBe('refused: invalid: signature fausse');
  });

  it('refuses a hello with a malformed revocationsVersion', async () => {
    const k = await kiosk();
    for (const revocationsVersion of [-1, 1.5, '2', null]) {
      const ack = HelloAck.parse(await k.socket.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString(), revocationsVersion }));
      expect(ack, String(revocationsVersion)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(k.received).toEqual([]);
  });

  it('validates the block request: serial, reason, unknown card, token', async () => {
    const post = (serial: string, body?: unknown, token = STAFF_TOKEN) =>
      fetch(`${server.url}/api/staff/cards/${serial}/block`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const cases: Array<[string, unknown, number, string]> = [
      ['XYZ', { reason: 'lost' }, 400, 'invalid'],
      ['0A1B2C3D0', { reason: 'lost' }, 400, 'invalid'],
      [AMINATA_CARD, { reason: 'replaced' }, 400, 'invalid'],
      [AMINATA_CARD, { reason: 'lost', extra: 1 }, 400, 'invalid'],
      [AMINATA_CARD, ['lost'], 400, 'invalid'],
      ['0B0B0B0B', { reason: 'lost' }, 404, 'unknown'],
    ];
    for (const [serial, body, status, code] of cases) {
      const r = await post(serial, body);
      expect(r.status, `${serial} ${JSON.stringify(body)}`).toBe(status);
      expect(await r.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
    expect((await post(AMINATA_CARD, { reason: 'lost' }, 'wrong-token-wrong-token')).status).toBe(401);
    const card = await server.db.selectFrom('cards').select('status').where('serial', '=', AMINATA_CARD).executeTakeFirstOrThrow();
    expect(card.status).toBe('active');
  });
});

describe('revocations without a platform CA', () => {
  let env: TestEnv;
  let server: RunningServer;
  beforeAll(async () => {
    env = await freshEnv('sqlite');
    server = await startServer(env.config, { logger: false });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('still blocks the card, says no list is published, and pushes nothing', async () => {
    expect(server.ca).toBeNull();
    const list = await fetch(`${server.url}/api/staff/revocations`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(list.status).toBe(404);
    const r = await fetch(`${server.url}/api/staff/cards/${CAMILLE.card}/block`, { method: 'POST', headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(await r.json()).toEqual({ serial: CAMILLE.card, status: 'blocked', changed: true, revocationsVersion: null });
    const socket = await connectKiosk(server.url, await addKiosk(server.db));
    const received: unknown[] = [];
    socket.on(EVENTS.push, (m: unknown) => received.push(m));
    await socket.timeout(5000).emitWithAck(EVENTS.hello, { clientTime: new Date().toISOString(), revocationsVersion: 0 });
    await new Promise((res) => setTimeout(res, 300));
    socket.close();
    expect(received).toEqual([]);
  });
});
