/**
 * Whether the server answers, as the kiosk's sync client tells it: over the real sync-server, behind a
 * TCP link that can freeze (the server's process stopped, a link that holds the packets). The socket stays
 * open, so socket.io alone would call the server fine for most of a minute; the client calls it
 * unreachable at the first unanswered request, cuts the next reads short, and calls it back as soon as the
 * server says anything again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kiosk/core/log.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient, UNRESPONSIVE_TIMEOUT_MS } from '../../kiosk/core/sync/client.ts';
import { SYNC_PROBLEM } from '../../kiosk/core/words.ts';
import type { SyncStatus } from '../../kiosk/contract/schema.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { startFrozenLink } from '../support/frozen-link.ts';
import type { FrozenLink } from '../support/frozen-link.ts';

describe('the server stops answering', () => {
  let env: TestEnv;
  let server: RunningServer;
  let link: FrozenLink;
  let dir: string;
  let db: Db;
  let client: SyncClient;
  const seen: SyncStatus[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    const u = new URL(server.url);
    link = await startFrozenLink({ host: u.hostname, port: Number(u.port) });
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-reach-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const { code } = await createEnrollment(server.db, server.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
    client = new SyncClient({ url: link.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 1000 });
    client.onStatus((s) => seen.push(s));
    client.start();
    await until('the kiosk connected', () => client.connected);
  });

  afterAll(async () => {
    await client?.stop();
    await link?.close();
    await server?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  it('says so at the first unanswered request, cuts the next ones short, and takes it back when the server answers', async () => {
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
    expect(client.status()).toMatchObject({ online: true, problem: null });

    link.freeze();
    await expect(client.request(VAULT_EVENTS.institutions, {}, 1500)).rejects.toThrow();
    // the socket still looks open: only the client's own reckoning says the server is gone
    expect(client.connected).toBe(true);
    expect(client.status()).toMatchObject({ online: false, problem: SYNC_PROBLEM.unresponsive });
    expect(seen.at(-1)).toMatchObject({ online: false, problem: SYNC_PROBLEM.unresponsive });

    // a read asked with a long wait is cut short while the server is silent
    const started = Date.now();
    await expect(client.request(VAULT_EVENTS.institutions, {}, 20_000)).rejects.toThrow();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(UNRESPONSIVE_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(UNRESPONSIVE_TIMEOUT_MS + 1500);

    // the link lets the held packets through: the late answers arrive, the server counts as there again
    link.thaw();
    await until('the server answers again', () => client.status().online);
    expect(client.status().problem).toBeNull();
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
  }, 30_000);
});
