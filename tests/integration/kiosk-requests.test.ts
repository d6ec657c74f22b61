/**
 * The kiosk's requests to the server, typed and checked by the events table (protocol/events.ts), over
 * the real sync-server: a well-formed answer reaches the caller as its schema parsed it, a refusal as a
 * typed refusal, and an answer the schema refuses never reaches it — the sync client throws a typed
 * MalformedAnswerError that says where, never what. The malformed answers are put on the wire by the
 * server's own socket (a listener that answers first), as a faulty or hostile server would.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kiosk/core/log.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { MalformedAnswerError, OfflineRequestError, SyncClient } from '../../kiosk/core/sync/client.ts';
import { KIOSK_NAMESPACE } from '../../sync-server/protocol/socket.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';

const SECRET = 'FR7630006000011234567890189';

describe('kiosk requests against the server', () => {
  let env: TestEnv;
  let server: RunningServer;
  let dir: string;
  let db: Db;
  let client: SyncClient;

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-requests-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const { code } = await createEnrollment(server.db, server.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
    client = new SyncClient({ url: server.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 1000 });
    client.start();
    await until('the kiosk connected', () => client.connected);
  });

  afterAll(async () => {
    await client?.stop();
    await server?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  /** The server's socket for this kiosk answers `event` with `answer` before its own handler can. */
  function answerFirst(event: string, answer: unknown): () => void {
    const sockets = [...server.io.of(KIOSK_NAMESPACE).sockets.values()];
    expect(sockets).toHaveLength(1);
    const listener = (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') (ack as (a: unknown) => void)(answer);
    };
    sockets[0]!.prependListener(event, listener);
    return () => sockets[0]!.off(event, listener);
  }

  it('gets a typed answer, parsed by its schema', async () => {
    const ack = await client.request(VAULT_EVENTS.institutions, {}, 5000);
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.institutions.length).toBeGreaterThan(0);
    for (const i of ack.institutions) expect(Object.keys(i).sort()).toEqual(['address', 'city', 'id', 'kind', 'lat', 'lon', 'name', 'postcode', 'source']);
  });

  it('gets the server’s refusal as a typed refusal, not an error', async () => {
    const ack = await client.request(VAULT_EVENTS.list, { sessionId: randomUUID() }, 5000);
    expect(ack).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) as unknown } });
    // a request the server's schema refuses (the type system would not let the core write it)
    const bad = await client.request(VAULT_EVENTS.list, { sessionId: 'pas-une-session' }, 5000);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('refuses a malformed answer with a typed error naming the event and where, never the values', async () => {
    const malformed: unknown[] = [
      null,
      'ok',
      42,
      [],
      { ok: true },
      { ok: 'true', institutions: [] },
      { ok: true, institutions: [{ id: SECRET }] },
      { ok: true, institutions: 'Caf de Lyon' },
      { ok: true, institutions: [{ id: 'caf', kind: 'caf', name: SECRET, address: '', postcode: '', city: '', lat: 91, lon: 0 }] },
      { ok: false, error: SECRET },
      { ok: false, error: { code: 'forbidden' } },
    ];
    for (const answer of malformed) {
      const undo = answerFirst(VAULT_EVENTS.institutions, answer);
      try {
        const err = await client.request(VAULT_EVENTS.institutions, {}, 5000).then(
          (value) => ({ value }),
          (e: unknown) => e,
        );
        expect(err, JSON.stringify(answer)).toBeInstanceOf(MalformedAnswerError);
        const e = err as MalformedAnswerError;
        expect(e.event).toBe(VAULT_EVENTS.institutions);
        expect(e.message).toContain(VAULT_EVENTS.institutions);
        expect(e.message).not.toContain(SECRET);
        expect(e.issues).not.toContain(SECRET);
      } finally {
        undo();
      }
    }
    // the socket and the schema-checked path still work
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
  });

  it('says which member is wrong in an answer that is nearly right', async () => {
    const undo = answerFirst(VAULT_EVENTS.challenge, { ok: true, nonce: 'pas+du+base64url', expiresAt: new Date().toISOString() });
    try {
      await expect(client.request(VAULT_EVENTS.challenge, {}, 5000)).rejects.toMatchObject({ name: 'MalformedAnswerError', issues: expect.stringMatching(/^nonce: /) as unknown });
    } finally {
      undo();
    }
  });

  it('refuses at once when offline', async () => {
    await client.stop();
    await expect(client.request(VAULT_EVENTS.institutions, {}, 5000)).rejects.toBeInstanceOf(OfflineRequestError);
  });
});
