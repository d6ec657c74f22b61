/**
 * Kiosk enrollment and device authentication against startServer, on SQLite and PostgreSQL: one-time
 * codes (hashed, expiring, single use), device keys (P-256 only, proof of possession), signed one-time
 * challenges for the socket and for session tokens (replays, another kiosk's challenge, a signature made
 * for the other purpose, an expired challenge), short-lived tokens, and revocation: refused at once,
 * live connections dropped and told why.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_PATH, ENROLL_PATH, enrollmentPayload, EVENTS, HelloAck, normalizeEnrollmentCode, TOKEN_PATH, TokenResponse } from '../../../protocol/socket.ts';
import type { KioskHandshake } from '../../../protocol/socket.ts';
import { Challenges } from '../../features/fleet/index.ts';
import { loadServerSecret } from '../../kernel/secrets.ts';
import { createEnrollment, KioskAdminError, revokeKiosk } from '../../features/fleet/index.ts';
import { tokenHash } from '../../kernel/secrets.ts';
import { BLOB_EXISTS_PATH } from '../http/blob-routes.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, connectKiosk, DIALECTS, fetchChallenge, freshEnv, handshakeFor, signChallenge, STAFF_TOKEN, until } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';

const ACTOR = { kind: 'staff', id: 'test' } as const;

function p256(): { privateKey: KeyObject; publicKey: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url') };
}

function proofOf(privateKey: KeyObject, code: string, publicKey: string): string {
  return sign('sha256', Buffer.from(enrollmentPayload(normalizeEnrollmentCode(code)!, publicKey)), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}


describe.each(DIALECTS)('kiosk enrollment and authentication on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    server = await startServer(env.config, { logger: false, revocationPollMs: 100 });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const enroll = (body: unknown) => post(ENROLL_PATH, body);
  const newKiosk = async (name = 'Borne de test') => {
    const id = `borne-${Math.random().toString(36).slice(2, 10)}`;
    return createEnrollment(server.db, server.dialect, { kioskId: id, name, actor: ACTOR });
  };
  const connect = (auth: TestKiosk | Record<string, unknown>) =>
    connectKiosk(server.url, auth).then(
      (s) => {
        sockets.push(s);
        return 'connected';
      },
      (err: Error) => err.message,
    );

  describe('enrollment', () => {
    it('registers the device key with a one-time code, stored hashed, and journals it', async () => {
      const e = await newKiosk('Tablette de la mairie');
      expect(e.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      const key = p256();
      const r = await enroll({ code: e.code, publicKey: key.publicKey, proof: proofOf(key.privateKey, e.code, key.publicKey) });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ kioskId: e.kioskId, name: 'Tablette de la mairie', institutionId: null });
      const row = await server.db.selectFrom('kiosks').selectAll().where('id', '=', e.kioskId).executeTakeFirstOrThrow();
      expect(row.public_key).toBe(key.publicKey);
      const codes = await server.db.selectFrom('kiosk_enrollments').selectAll().where('kiosk_id', '=', e.kioskId).execute();
      expect(codes).toHaveLength(1);
      expect(codes[0]!.code_hash).toBe(tokenHash(normalizeEnrollmentCode(e.code)!));
      expect(JSON.stringify(codes)).not.toContain(normalizeEnrollmentCode(e.code));
      const journal = await server.db.selectFrom('audit_journal').select(['action', 'detail']).where('action', 'like', 'kiosk.%').execute();
      expect(journal.map((j) => j.action)).toEqual(expect.arrayContaining(['kiosk.enrollment-code', 'kiosk.enrolled']));
      expect(JSON.stringify(journal)).not.toContain(normalizeEnrollmentCode(e.code));
    });

    it('answers the same key presenting the same code again (a crash before the kiosk saved the answer), refuses any other reuse', async () => {
      const e = await newKiosk();
      const key = p256();
      const body = { code: e.code.toLowerCase().replace(/-/g, ' '), publicKey: key.publicKey, proof: proofOf(key.privateKey, e.code, key.publicKey) };
      expect((await enroll(body)).status).toBe(200);
      expect((await enroll(body)).status).toBe(200);
      const thief = p256();
      const stolen = await enroll({ code: e.code, publicKey: thief.publicKey, proof: proofOf(thief.privateKey, e.code, thief.publicKey) });
      expect(stolen.status).toBe(403);
      expect(await stolen.json()).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/périmé ou déjà utilisé/) } });
      expect((await server.db.selectFrom('kiosks').select('public_key').where('id', '=', e.kioskId).executeTakeFirstOrThrow()).public_key).toBe(key.publicKey);
    });

    it('refuses unknown, expired and malformed codes, keys that are not P-256, and a proof made with another key', async () => {
      const e = await newKiosk();
      const key = p256();
      const good = { code: e.code, publicKey: key.publicKey, proof: proofOf(key.privateKey, e.code, key.publicKey) };
      const expired = await createEnrollment(server.db, server.dialect, { kioskId: e.kioskId, ttlMs: 60_000, now: new Date(Date.now() - 120_000), actor: ACTOR });
      const other = p256();
      const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const p384Key = p384.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
      const cases: Array<[string, unknown, number]> = [
        ['unknown code', { ...good, code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', proof: proofOf(key.privateKey, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', key.publicKey) }, 403],
        ['expired code', { code: expired.code, publicKey: key.publicKey, proof: proofOf(key.privateKey, expired.code, key.publicKey) }, 403],
        ['too short', { ...good, code: 'ABCD' }, 403],
        ['not base 32', { ...good, code: 'UUUU-UUUU-UUUU-UUUU' }, 403],
        ['proof by another key', { ...good, proof: proofOf(other.privateKey, e.code, key.publicKey) }, 400],
        ['proof of another code', { ...good, proof: proofOf(key.privateKey, expired.code, key.publicKey) }, 400],
        ['P-384 key', { ...good, publicKey: p384Key, proof: proofOf(key.privateKey, e.code, p384Key) }, 400],
        ['RSA key', { ...good, publicKey: rsa }, 400],
        ['garbage key', { ...good, publicKey: 'A'.repeat(120) }, 400],
        ['extra member', { ...good, kioskId: 'borne-autre' }, 400],
        ['missing proof', { code: good.code, publicKey: good.publicKey }, 400],
        ['not an object', ['code'], 400],
        ['not JSON', '{"code":', 400],
      ];
      for (const [what, body, status] of cases) {
        const r = await enroll(body);
        expect(r.status, what).toBe(status);
        expect(((await r.json()) as { error: { code: string } }).error.code, what).toMatch(/^(invalid|forbidden)$/);
      }
      expect((await post(ENROLL_PATH, { ...good, pad: 'x'.repeat(10_000) })).status).toBe(413);
      expect((await server.db.selectFrom('kiosks').select('public_key').where('id', '=', e.kioskId).executeTakeFirstOrThrow()).public_key).toBeNull();
      // the good one still works afterwards
      expect((await enroll(good)).status).toBe(200);
    });

    it('refuses a revoked kiosk’s codes; reinstating it forgets the old key', async () => {
      const e = await newKiosk();
      const pending = await createEnrollment(server.db, server.dialect, { kioskId: e.kioskId, actor: ACTOR });
      const old = p256();
      expect((await enroll({ code: e.code, publicKey: old.publicKey, proof: proofOf(old.privateKey, e.code, old.publicKey) })).status).toBe(200);
      await revokeKiosk(server.db, server.dialect, { kioskId: e.kioskId, actor: ACTOR });
      const fresh = p256();
      expect((await enroll({ code: pending.code, publicKey: fresh.publicKey, proof: proofOf(fresh.privateKey, pending.code, fresh.publicKey) })).status).toBe(403);
      await expect(createEnrollment(server.db, server.dialect, { kioskId: e.kioskId, actor: ACTOR })).rejects.toThrow(KioskAdminError);
      const back = await createEnrollment(server.db, server.dialect, { kioskId: e.kioskId, reinstate: true, actor: ACTOR });
      const oldKiosk = { kioskId: e.kioskId, privateKey: old.privateKey, publicKey: old.publicKey, token: 'x'.repeat(43) };
      expect(await connect(oldKiosk)).toBe('unauthorized');
      expect((await enroll({ code: back.code, publicKey: fresh.publicKey, proof: proofOf(fresh.privateKey, back.code, fresh.publicKey) })).status).toBe(200);
      expect(await connect({ kioskId: e.kioskId, privateKey: fresh.privateKey, publicKey: fresh.publicKey, token: 'x'.repeat(43) })).toBe('connected');
      expect(await connect(oldKiosk)).toBe('unauthorized');
    });

    it('through the staff API: creates a kiosk and its code, lists it, refuses bad input and a missing token', async () => {
      const staff = (method: string, path: string, body?: unknown, token = STAFF_TOKEN) =>
        fetch(`${server.url}/api/staff${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const r = await staff('POST', '/kiosks', { id: 'borne-caf-2', name: 'Tablette CAF', institutionId: 'caf', validityHours: 2 });
      expect(r.status).toBe(201);
      const created = (await r.json()) as { code: string; kioskId: string; expiresAt: string; newKiosk: boolean };
      expect(created).toMatchObject({ kioskId: 'borne-caf-2', newKiosk: true, institutionId: 'caf' });
      expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(1.9 * 3_600_000);
      const list = (await (await staff('GET', '/kiosks')).json()) as { kiosks: { id: string; status: string; pendingCodes: number }[] };
      expect(list.kiosks.find((k) => k.id === 'borne-caf-2')).toMatchObject({ status: 'not-enrolled', pendingCodes: 1 });
      for (const bad of [{ id: 'X' }, { id: 'borne-neuve' }, { id: 'borne-caf-2', validityHours: 10_000 }, { id: 'borne-caf-3', name: 'x', institutionId: 'nulle-part' }, { id: 'borne-caf-2', extra: true }]) {
        expect((await staff('POST', '/kiosks', bad)).status, JSON.stringify(bad)).toBe(400);
      }
      expect((await staff('POST', '/kiosks', { id: 'borne-caf-2' }, 'wrong-token-wrong-token')).status).toBe(401);
      expect((await staff('POST', '/kiosks/borne-inconnue/revoke')).status).toBe(404);
      const revoked = await staff('POST', '/kiosks/borne-caf-2/revoke');
      expect(await revoked.json()).toMatchObject({ kioskId: 'borne-caf-2', changed: true });
      expect((await staff('POST', '/kiosks', { id: 'borne-caf-2' })).status).toBe(409);
    });
  });

  describe('challenges and session tokens', () => {
    const token = (h: KioskHandshake | Record<string, unknown>) => post(TOKEN_PATH, h);
    const exists = (auth: { kioskId: string; token: string }) =>
      fetch(`${server.url}${BLOB_EXISTS_PATH}${'0'.repeat(64)}`, { method: 'HEAD', headers: { authorization: `Kiosk ${auth.kioskId}:${auth.token}` } }).then((r) => r.status);

    it('gives a token for a fresh signed challenge, and the token opens blob uploads', async () => {
      const k = await addKiosk(server.db);
      const r = await token(await handshakeFor(server.url, k, 'token'));
      expect(r.status).toBe(200);
      const t = TokenResponse.parse(await r.json());
      expect(t.expiresInS).toBe(900);
      expect(await exists({ kioskId: k.kioskId, token: t.token })).toBe(404);
      // stored hashed only
      const rows = await server.db.selectFrom('kiosk_sessions').select('token_hash').where('kiosk_id', '=', k.kioskId).execute();
      expect(rows.map((x) => x.token_hash)).toContain(tokenHash(t.token));
      expect(JSON.stringify(rows)).not.toContain(t.token);
    });

    it('refuses a replayed challenge, another kiosk’s challenge, a signature made for the socket, a forged or expired challenge', async () => {
      const k = await addKiosk(server.db);
      const other = await addKiosk(server.db);
      const h = await handshakeFor(server.url, k, 'token');
      expect((await token(h)).status).toBe(200);
      expect((await token(h)).status).toBe(401); // replay
      const theirs = await fetchChallenge(server.url, other.kioskId);
      expect((await token({ kioskId: k.kioskId, challenge: theirs, signature: signChallenge(k, theirs, 'token') })).status).toBe(401);
      expect((await token(await handshakeFor(server.url, k, 'socket'))).status).toBe(401);
      const c = await fetchChallenge(server.url, k.kioskId);
      const forged = `${c.slice(0, -2)}${c.endsWith('AA') ? 'AB' : 'AA'}`;
      expect((await token({ kioskId: k.kioskId, challenge: forged, signature: signChallenge(k, forged, 'token') })).status).toBe(401);
      const past = new Challenges(server.db, await loadServerSecret(server.db, 'kiosk-challenge-mac'), () => Date.now() - 5 * 60_000).issue(k.kioskId).challenge;
      expect((await token({ kioskId: k.kioskId, challenge: past, signature: signChallenge(k, past, 'token') })).status).toBe(401);
      // signed by someone else's key
      const c2 = await fetchChallenge(server.url, k.kioskId);
      expect((await token({ kioskId: k.kioskId, challenge: c2, signature: signChallenge(other, c2, 'token') })).status).toBe(401);
      for (const bad of [{}, { kioskId: k.kioskId }, { ...h, extra: 1 }, { ...h, signature: 'abc' }, 'nope']) {
        expect((await token(bad as Record<string, unknown>)).status, JSON.stringify(bad)).toBe(400);
      }
      expect((await post(CHALLENGE_PATH, { kioskId: 'Not An Id' })).status).toBe(400);
    });

    it('refuses an expired token, another kiosk’s token, and every token of a revoked kiosk', async () => {
      const k = await addKiosk(server.db);
      const other = await addKiosk(server.db);
      expect(await exists(k)).toBe(404);
      expect(await exists({ kioskId: other.kioskId, token: k.token })).toBe(401);
      await server.db.updateTable('kiosk_sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('token_hash', '=', tokenHash(k.token)).execute();
      expect(await exists(k)).toBe(401);
      await revokeKiosk(server.db, server.dialect, { kioskId: other.kioskId, actor: ACTOR });
      expect(await exists(other)).toBe(401); // its tokens were deleted
      const r = await token(await handshakeFor(server.url, other, 'token'));
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({ error: { code: 'forbidden', message: 'Cette borne a été révoquée.' } });
    });
  });

  describe('socket handshake', () => {
    it('refuses a replayed handshake, a token-purpose signature, an expired challenge and a kiosk that is not enrolled', async () => {
      const k = await addKiosk(server.db);
      const h = await handshakeFor(server.url, k);
      expect(await connect(h)).toBe('connected');
      expect(await connect(h)).toBe('unauthorized');
      expect(await connect(await handshakeFor(server.url, k, 'token'))).toBe('unauthorized');
      const past = new Challenges(server.db, await loadServerSecret(server.db, 'kiosk-challenge-mac'), () => Date.now() - 5 * 60_000).issue(k.kioskId).challenge;
      expect(await connect({ kioskId: k.kioskId, challenge: past, signature: signChallenge(k, past, 'socket') })).toBe('unauthorized');
      const e = await newKiosk();
      expect(await connect({ ...k, kioskId: e.kioskId })).toBe('unauthorized');
    });

    it('does not depend on the kiosk’s clock: a hello from a kiosk days ahead or behind is answered', async () => {
      const k = await addKiosk(server.db);
      const s = await connectKiosk(server.url, k);
      sockets.push(s);
      for (const days of [-40, 40]) {
        const clientTime = new Date(Date.now() + days * 86_400_000).toISOString();
        expect(HelloAck.parse(await s.emitWithAck(EVENTS.hello, { clientTime }))).toMatchObject({ ok: true, lastSeq: 0 });
      }
    });

    it('drops a revoked kiosk at once, telling it why, whether revoked through the API or by another process', async () => {
      for (const how of ['api', 'other-process'] as const) {
        const k = await addKiosk(server.db);
        const s = await connectKiosk(server.url, k);
        sockets.push(s);
        const told = new Promise<boolean>((resolve) => s.once(EVENTS.revoked, () => resolve(true)));
        const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
        if (how === 'api') {
          const r = await fetch(`${server.url}/api/staff/kiosks/${k.kioskId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
          expect(r.status).toBe(200);
        } else {
          await revokeKiosk(server.db, server.dialect, { kioskId: k.kioskId, actor: ACTOR });
        }
        expect(await told).toBe(true);
        expect(await gone).toBe('io server disconnect');
        await until('not connected', () => !server.kiosks.connected().includes(k.kioskId));
        expect(await connect(k)).toBe('revoked');
      }
    });
  });
});
