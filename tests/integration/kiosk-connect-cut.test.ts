/**
 * A connection cut between the transport's opening and the server's welcome: the kiosk must try again.
 * socket.io reports that moment by « disconnect » alone (neither « connect » nor « connect_error »), and
 * a server that opened the transport then stopped never welcomes at all; a kiosk that waited for one of
 * the two stayed offline for good, its papers on the tablet (seen in the upload chaos test: a server
 * killed just as the kiosk reconnected). Real server, real sockets, a TCP link that springs the trap.
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
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { startFrozenLink } from '../support/frozen-link.ts';
import type { FrozenLink } from '../support/frozen-link.ts';

describe('a connection cut before the server welcomed it', () => {
  let env: TestEnv;
  let server: RunningServer;
  let link: FrozenLink;
  let dir: string;
  let db: Db;
  let client: SyncClient;

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    const u = new URL(server.url);
    link = await startFrozenLink({ host: u.hostname, port: Number(u.port) });
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-cut-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const { code } = await createEnrollment(server.db, server.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
    client = new SyncClient({ url: link.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 500, connectTimeoutMs: 1500 });
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

  it('tries again when the link is cut right after the transport opened', async () => {
    const sprung = link.trapNextOpening('cut');
    link.cutAll();
    await until('the kiosk saw it was cut', () => !client.connected, 5000);
    await sprung;
    await until('the kiosk connected again', () => client.connected, 8000);
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
    expect(client.status()).toMatchObject({ online: true, problem: null });
  });

  it('gives up on an opening the server never welcomes, and tries afresh', async () => {
    const sprung = link.trapNextOpening('hold');
    link.cutAll();
    await until('the kiosk saw it was cut', () => !client.connected, 5000);
    await sprung;
    // the held attempt waits no longer than connectTimeoutMs; the next goes through
    await until('the kiosk connected again', () => client.connected, 8000);
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
    expect(client.status()).toMatchObject({ online: true, problem: null });
  });
});
