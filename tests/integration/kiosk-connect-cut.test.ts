/**
 * A connection cut between the transport's opening and the server's welcome: the kiosk must try again.
 * socket.io reports that moment by « disconnect » alone (neither « connect » nor « connect_error »), and
 * a server that opened the transport then stopped never welcomes at all; a kiosk that waited for one of
 * the two stayed offline for good, its papers on the tablet (seen in the upload chaos test: a server
 * killed just as the kiosk reconnected). Real server, real sockets, a TCP link that springs the trap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient } from '../../kiosk/core/sync/client.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { until } from '../../sync-server/test-support/test-env.ts';
import type { FrozenLink } from '../support/frozen-link.ts';
import { startLinkedClient } from '../support/linked-client.ts';
import type { LinkedClient } from '../support/linked-client.ts';

describe('a connection cut before the server welcomed it', () => {
  let linked: LinkedClient;
  let link: FrozenLink;
  let client: SyncClient;

  beforeAll(async () => {
    linked = await startLinkedClient({ reconnectDelayMaxMs: 500, connectTimeoutMs: 1500 });
    ({ link, client } = linked);
  });

  afterAll(async () => {
    await linked?.close();
  });

  it.each([
    ['cut right after the transport opened', 'cut'],
    // the held attempt waits no longer than connectTimeoutMs; the next goes through
    ['opened but never welcomed by the server', 'hold'],
  ] as const)('tries again when the link is %s', async (_what, mode) => {
    const sprung = link.trapNextOpening(mode);
    link.cutAll();
    await until('the kiosk saw it was cut', () => !client.connected, 5000);
    await sprung;
    await until('the kiosk connected again', () => client.connected, 8000);
    expect((await client.request(VAULT_EVENTS.institutions, {}, 5000)).ok).toBe(true);
    expect(client.status()).toMatchObject({ online: true, problem: null });
  });
});
