/**
 * Test support: the life of a socket test suite on one engine — a fresh database and data folder, the
 * platform CA, a real server on loopback, and the kiosk sockets a test opens, closed after each test. The
 * suite's own variables are set through `ready` once it is all up, so the tests read them as before.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { initCa } from '../src/features/cards/index.ts';
import type { LoadedCa } from '../src/features/cards/index.ts';
import { startServer } from '../src/edge/server.ts';
import type { RunningServer, StartOptions } from '../src/edge/server.ts';
import { freshEnv } from './test-env.ts';
import type { TestEnv } from './test-env.ts';

export interface SocketSuite {
  env: TestEnv;
  ca: LoadedCa;
  server: RunningServer;
}

export function socketSuite(
  dialect: 'sqlite' | 'postgres',
  ready: (s: SocketSuite) => void,
  o: { server?: Omit<StartOptions, 'logger'> } = {},
): { sockets: Socket[]; ask: (socket: Socket, event: string, ...args: unknown[]) => Promise<unknown> } {
  const sockets: Socket[] = [];
  let env: TestEnv | undefined;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    env = await freshEnv(dialect);
    const ca = await initCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false, ...o.server });
    ready({ env, ca, server });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });
  return { sockets, ask: (socket, event, ...args) => socket.timeout(10_000).emitWithAck(event, ...args) };
}
