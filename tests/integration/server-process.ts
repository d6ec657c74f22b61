/**
 * The sync-server in a child process, for the fault tests that kill it with SIGKILL. With
 * `pauseBeforeCommitSeq`, the child stops inside the transaction of the mutation with that seq, after
 * all its writes and before the commit, and says so: a SIGKILL then lands mid-transaction. With
 * `pauseBeforeUploadFinish`, it stops once every byte of an upload is in, before the blob is hashed and
 * stored (the PATCH carrying the last byte is still unanswered): a SIGKILL then lands mid-PATCH. The
 * pauses are the server's test hooks (`startServer(config, { hooks })`), passed here in code; nothing in
 * the server's configuration can turn them on.
 *
 * The child reports every batch's acknowledgement (`acks()`), so a test can tell what the kiosk was told.
 *
 * `prepareServerProcess` loads a child's modules (seconds of CPU) ahead of time and starts the server only
 * when asked: a test that restarts the server often keeps one ready, and a restart then takes a moment.
 *
 * This file is both the parent's API and, run with FAC_TEST_SERVER_CHILD=1, the child.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ServerConfigInput } from '../../sync-server/src/edge/config.ts';

export interface ServerProcessOptions {
  config: ServerConfigInput;
  pauseBeforeCommitSeq?: number;
  pauseBeforeUploadFinish?: boolean;
}

export type Paused = { kioskId: string; seq: number } | { kioskId: string | null; sha256: string; uploadId: string };

/** A batch's acknowledgement as the child sent it: ok, or the refusal's code and seq. */
export interface AckSeen {
  kioskId: string;
  ok: boolean;
  code: string | null;
  seq: number | null;
}

export interface ServerProcess {
  url: string;
  /** resolves when the child stopped at its pause point */
  paused(timeoutMs?: number): Promise<Paused>;
  /** the acknowledgements sent so far */
  acks(): readonly AckSeen[];
  kill(): Promise<void>;
  /** SIGTERM and wait */
  stop(): Promise<void>;
  stderr(): string;
}

type FromChild = { type: 'loaded' } | { type: 'ready'; url: string } | { type: 'paused'; at: Paused } | ({ type: 'ack' } & AckSeen);

const SELF = import.meta.filename;

export interface PreparedServerProcess {
  /** starts the server in the loaded child */
  start(startTimeoutMs?: number): Promise<ServerProcess>;
  /** SIGKILL, unused */
  kill(): Promise<void>;
}

/** A child with the server's modules loaded, waiting to start it. */
export function prepareServerProcess(o: ServerProcessOptions, loadTimeoutMs = 60_000): Promise<PreparedServerProcess> {
  const child = fork(SELF, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAC_TEST_SERVER_CHILD: '1', FAC_TEST_SERVER_OPTIONS: JSON.stringify(o), FAC_TEST_SERVER_DEFERRED: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(t);
      reject(new Error(`server process exited before it was loaded (${code ?? signal})\n${stderr.slice(-2000)}`));
    };
    const t = setTimeout(() => {
      child.off('exit', onEarlyExit);
      child.kill('SIGKILL');
      reject(new Error(`server process did not load\n${stderr.slice(-2000)}`));
    }, loadTimeoutMs);
    child.once('exit', onEarlyExit);
    const onLoaded = (raw: unknown) => {
      if ((raw as FromChild).type !== 'loaded') return;
      clearTimeout(t);
      child.off('exit', onEarlyExit);
      child.off('message', onLoaded);
      resolve({
        start(startTimeoutMs = 30_000) {
          const started = watchServerChild(child, () => stderr, exited, startTimeoutMs);
          child.send({ type: 'start' });
          return started;
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.on('message', onLoaded);
  });
}

export function startServerProcess(o: ServerProcessOptions, startTimeoutMs = 30_000): Promise<ServerProcess> {
  const child = fork(SELF, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAC_TEST_SERVER_CHILD: '1', FAC_TEST_SERVER_OPTIONS: JSON.stringify(o) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return watchServerChild(child, () => stderr, exited, startTimeoutMs);
}

/** Follows a child until its server is ready, then is its handle. */
function watchServerChild(child: ChildProcess, stderr: () => string, exited: Promise<void>, startTimeoutMs: number): Promise<ServerProcess> {
  let pausedValue: Paused | null = null;
  let onPaused: ((v: Paused) => void) | null = null;
  const acks: AckSeen[] = [];
  child.on('message', (raw: unknown) => {
    const m = raw as FromChild;
    if (m.type === 'paused') {
      pausedValue = m.at;
      onPaused?.(pausedValue);
    } else if (m.type === 'ack') {
      acks.push({ kioskId: m.kioskId, ok: m.ok, code: m.code, seq: m.seq });
    }
  });
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(t);
      reject(new Error(`server process exited before it was ready (${code ?? signal})\n${stderr().slice(-2000)}`));
    };
    const t = setTimeout(() => {
      child.off('exit', onEarlyExit);
      child.kill('SIGKILL');
      reject(new Error(`server process did not start\n${stderr().slice(-2000)}`));
    }, startTimeoutMs);
    child.once('exit', onEarlyExit);
    const onReady = (raw: unknown) => {
      const m = raw as FromChild;
      if (m.type !== 'ready') return;
      clearTimeout(t);
      child.off('exit', onEarlyExit);
      child.off('message', onReady);
      resolve({
        url: m.url,
        paused(timeoutMs = 20_000) {
          if (pausedValue) return Promise.resolve(pausedValue);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`server process did not pause\n${stderr().slice(-2000)}`)), timeoutMs);
            onPaused = (v) => {
              clearTimeout(timer);
              res(v);
            };
          });
        },
        acks: () => acks,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
        stderr,
      });
    };
    child.on('message', onReady);
  });
}

async function childMain(): Promise<void> {
  const o = JSON.parse(process.env.FAC_TEST_SERVER_OPTIONS ?? '{}') as ServerProcessOptions;
  // the test is gone: so are we (a spare waiting to start included)
  process.on('disconnect', () => process.exit(0));
  const { startServer } = await import('../../sync-server/src/edge/server.ts');
  const send = (m: FromChild) => process.send?.(m);
  if (process.env.FAC_TEST_SERVER_DEFERRED === '1') {
    send({ type: 'loaded' });
    await new Promise<void>((resolve) => {
      const onStart = (raw: unknown) => {
        if ((raw as { type?: string }).type !== 'start') return;
        process.off('message', onStart);
        resolve();
      };
      process.on('message', onStart);
    });
  }
  let uploadPaused = false;
  const server = await startServer(o.config, {
    logger: false,
    hooks: {
      beforeCommit: async (m) => {
        if (m.seq === o.pauseBeforeCommitSeq) {
          send({ type: 'paused', at: { kioskId: m.kioskId, seq: m.seq } });
          await new Promise(() => {}); // until SIGKILL
        }
      },
      beforeAck: ({ kioskId, ack }) => {
        send({ type: 'ack', kioskId, ok: ack.ok, code: ack.ok ? null : ack.error.code, seq: ack.ok ? null : (ack.error.seq ?? null) });
        return 'send';
      },
      beforeUploadFinish: async (u) => {
        if (!o.pauseBeforeUploadFinish) return;
        // every upload reaching its end from now on waits too: none is stored before the kill
        if (!uploadPaused) send({ type: 'paused', at: u });
        uploadPaused = true;
        await new Promise(() => {}); // until SIGKILL
      },
    },
  });
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  send({ type: 'ready', url: server.url });
}

if (process.env.FAC_TEST_SERVER_CHILD === '1' && process.send) {
  childMain().catch((err: unknown) => {
    process.stderr.write(`server child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
