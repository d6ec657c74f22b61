/**
 * The sync-server in a child process, for the fault tests that kill it with SIGKILL. With
 * `pauseBeforeCommitSeq`, the child stops inside the transaction of the mutation with that seq, after
 * all its writes and before the commit, and says so: a SIGKILL then lands mid-transaction. The pause
 * is the server's test hook (`startServer(config, { hooks })`), passed here in code; nothing in the
 * server's configuration can turn it on.
 *
 * This file is both the parent's API and, run with FAC_TEST_SERVER_CHILD=1, the child.
 */
import { fork } from 'node:child_process';
import type { ServerConfigInput } from '../../sync-server/src/edge/config.ts';

export interface ServerProcessOptions {
  config: ServerConfigInput;
  pauseBeforeCommitSeq?: number;
}

export interface ServerProcess {
  url: string;
  /** resolves when the child stopped inside the transaction */
  paused(timeoutMs?: number): Promise<{ kioskId: string; seq: number }>;
  kill(): Promise<void>;
  /** SIGTERM and wait */
  stop(): Promise<void>;
  stderr(): string;
}

type FromChild = { type: 'ready'; url: string } | { type: 'paused'; kioskId: string; seq: number };

const SELF = import.meta.filename;

export function startServerProcess(o: ServerProcessOptions, startTimeoutMs = 20_000): Promise<ServerProcess> {
  const child = fork(SELF, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAC_TEST_SERVER_CHILD: '1', FAC_TEST_SERVER_OPTIONS: JSON.stringify(o) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pausedValue: { kioskId: string; seq: number } | null = null;
  let onPaused: ((v: { kioskId: string; seq: number }) => void) | null = null;
  child.on('message', (raw: unknown) => {
    const m = raw as FromChild;
    if (m.type === 'paused') {
      pausedValue = { kioskId: m.kioskId, seq: m.seq };
      onPaused?.(pausedValue);
    }
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server process did not start\n${stderr.slice(-2000)}`));
    }, startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      reject(new Error(`server process exited before it was ready (${code ?? signal})\n${stderr.slice(-2000)}`));
    });
    child.on('message', (raw: unknown) => {
      const m = raw as FromChild;
      if (m.type !== 'ready') return;
      clearTimeout(t);
      resolve({
        url: m.url,
        paused(timeoutMs = 20_000) {
          if (pausedValue) return Promise.resolve(pausedValue);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`server process did not pause\n${stderr.slice(-2000)}`)), timeoutMs);
            onPaused = (v) => {
              clearTimeout(timer);
              res(v);
            };
          });
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
        stderr: () => stderr,
      });
    });
  });
}

async function childMain(): Promise<void> {
  const o = JSON.parse(process.env.FAC_TEST_SERVER_OPTIONS ?? '{}') as ServerProcessOptions;
  const { startServer } = await import('../../sync-server/src/edge/server.ts');
  const server = await startServer(o.config, {
    logger: false,
    hooks: {
      beforeCommit: async (m) => {
        if (m.seq === o.pauseBeforeCommitSeq) {
          process.send?.({ type: 'paused', kioskId: m.kioskId, seq: m.seq } satisfies FromChild);
          await new Promise(() => {}); // until SIGKILL
        }
      },
    },
  });
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', url: server.url } satisfies FromChild);
}

if (process.env.FAC_TEST_SERVER_CHILD === '1' && process.send) {
  childMain().catch((err: unknown) => {
    process.stderr.write(`server child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
