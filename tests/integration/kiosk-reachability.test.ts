/**
 * Whether the server answers, as the kiosk's sync client tells it: over the real sync-server, behind a
 * TCP link that can freeze (the server's process stopped, a link that holds the packets). The socket stays
 * open, so socket.io alone would call the server fine for most of a minute; the client calls it
 * unreachable at the first unanswered request, cuts the next reads short, and calls it back as soon as the
 * server says anything again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncClient} from '../../kiosk/core/sync/client.ts';
import { UNRESPONSIVE_TIMEOUT_MS } from '../../kiosk/core/sync/client.ts';
import { SYNC_PROBLEM } from '../../kiosk/core/words.ts';
import type { SyncStatus } from '../../kiosk/contract/schema.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { until } from '../../sync-server/test-support/test-env.ts';
import type { FrozenLink } from '../support/frozen-link.ts';
import { startLinkedClient } from '../support/linked-client.ts';
import type { LinkedClient } from '../support/linked-client.ts';

describe('the server stops answering', () => {
  let linked: LinkedClient;
  let link: FrozenLink;
  let client: SyncClient;
  const seen: SyncStatus[] = [];

  beforeAll(async () => {
    linked = await startLinkedClient({ reconnectDelayMaxMs: 1000 });
    ({ link, client } = linked);
    client.onStatus((s) => seen.push(s));
  });

  afterAll(async () => {
    await linked?.close();
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
