/**
 * A kiosk's sync client enrolled on the real server through a link that can freeze, cut or trap its
 * connections (frozen-link.ts): what the tests of the client's reachability and reconnection start from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../kiosk/core/log.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import type { SyncClientOptions } from '../../kiosk/core/sync/client.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import { startFrozenLink } from './frozen-link.ts';
import type { FrozenLink } from './frozen-link.ts';

export interface LinkedClient {
  link: FrozenLink;
  client: SyncClient;
  close(): Promise<void>;
}

/** Started and connected; `options` tunes the client (backoff, timeouts). */
export async function startLinkedClient(options: Partial<Pick<SyncClientOptions, 'reconnectDelayMaxMs' | 'connectTimeoutMs'>>): Promise<LinkedClient> {
  const env = await freshEnv('sqlite');
  await installTestCa(env.config.dataDir);
  const server = await startServer(env.config, { logger: false });
  const u = new URL(server.url);
  const link = await startFrozenLink({ host: u.hostname, port: Number(u.port) });
  const dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-link-'));
  const db = openKioskDb(join(dir, 'outbox.sqlite'));
  const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  const { code } = await createEnrollment(server.db, server.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
  const client = new SyncClient({ url: link.url, outbox, logger: silentLogger, enrollmentCode: code, ...options });
  client.start();
  await until('the kiosk connected', () => client.connected);
  return {
    link,
    client,
    async close() {
      await client.stop();
      await link.close();
      await server.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
      await env.cleanup();
    },
  };
}
