/**
 * A server on PostgreSQL stopped right after it started (the cluster adapter still taking its LISTEN
 * connection) closes at once: its close used to wait for ever on the adapter's pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startServer } from '../server.ts';
import { clusterAdapter } from './cluster-adapter.ts';
import { freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';

describe('the cluster adapter on PostgreSQL', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await freshEnv('postgres');
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('lets a server stopped right after its start close', async () => {
    for (let i = 0; i < 3; i++) {
      const server = await startServer({ ...env.config, seedPath: null }, { logger: false });
      const closed = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still closing after 8 s'), 8000).unref())]);
      expect(closed, `start ${i}`).toBe('closed');
    }
  });

  it('ends while one of its queries still runs, without a second release thrown as an uncaught exception', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const db = env.config.database;
      if (db.kind !== 'postgres') throw new Error('a PostgreSQL test');
      const cluster = clusterAdapter(db.url, pino({ level: 'silent' }));
      // a NOTIFY or a heartbeat of the adapter, still running when the server stops
      const running = cluster.pool.query('SELECT pg_sleep(5)').then(
        () => 'finished',
        () => 'failed',
      );
      await new Promise((r) => setTimeout(r, 200));
      await cluster.end();
      expect(await running).toBe('failed');
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
