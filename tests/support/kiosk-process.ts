/**
 * A kiosk's outbox and sync client in a child process, for the fault tests: the parent queues
 * documents, watches, and kills the child with SIGKILL at a chosen moment, then starts a new one on the
 * same data folder. Control goes over Node's IPC channel.
 *
 * Pause points (test-only, passed in code to the SyncClient's `testHooks`) stop the child right where a
 * crash is interesting: the second chunk of a blob upload, before a batch is sent, after the server's
 * acknowledgement arrived but before the outbox purged. The child then reports `paused` and waits
 * forever, so the parent's SIGKILL lands exactly there.
 *
 * `clockOffsetMs` shifts the child's wall clock (Date), not its monotonic clock, to show the protocol
 * does not depend on the kiosk's time.
 *
 * `prepareKioskProcess` loads a child's modules ahead of time and opens the kiosk only when asked (with
 * its options): a test that restarts the kiosk often keeps one ready, and a restart then takes a moment.
 *
 * This file is both the parent's API and, run with FAC_TEST_KIOSK_CHILD=1, the child.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncStatus } from '../../kiosk/contract/schema.ts';
import type { DeviceInfo } from '../../kiosk/core/sync/device.ts';
import type { DocumentDeposit } from '../../sync-server/protocol/mutations.ts';
import { pngOfSize } from '../../sync-server/test-support/png.ts';
import { pino } from 'pino';

export type PausePoint = 'upload-resume' | 'before-send' | 'before-acknowledge';

export interface KioskProcessOptions {
  dataDir: string;
  url: string;
  enrollmentCode?: string | null;
  /** added to the child's Date (days: 86_400_000 × n) */
  clockOffsetMs?: number;
  /**
   * stop at the n-th time (1 = first) this point is reached; `signal` only reports it and goes on (the
   * parent's SIGKILL then lands while the step is under way)
   */
  pause?: { point: PausePoint; occurrence?: number; mode?: 'hold' | 'signal' };
  chunkSize?: number;
  batchSize?: number;
  /** ceiling of the sync client's backoff between failed drains (2 s here; minutes on a real kiosk) */
  retryDelayMaxMs?: number;
}

export interface Enqueued {
  seqs: number[];
  ids: string[];
  documentIds: string[];
  shas: string[];
}

export interface ChildStatus {
  status: SyncStatus;
  identity: DeviceInfo;
  lastAckedSeq: number;
  now: string;
}

type ToChild =
  | { type: 'enqueue'; requestId: string; count: number; size: number; owner: string; cardSerial: string; kioskId: string }
  | { type: 'status'; requestId: string };

type FromChild =
  | { type: 'loaded' }
  | { type: 'ready' }
  | { type: 'enqueued'; requestId: string; result: Enqueued }
  | { type: 'status'; requestId: string; result: ChildStatus }
  | { type: 'paused'; point: PausePoint; detail: Record<string, unknown> }
  | { type: 'event'; name: string; detail: unknown }
  | { type: 'failed'; requestId?: string; message: string };

export interface KioskProcess {
  readonly pid: number;
  /** queues `count` deposits of `size` random bytes each (one transaction each, as the kiosk does) */
  /** deposits signed by the seed's demo card `cardSerial` for kiosk `kioskId` (sync-server/test-support/test-ca.ts) */
  enqueue(count: number, size: number, who: { owner: string; cardSerial: string; kioskId: string }): Promise<Enqueued>;
  status(): Promise<ChildStatus>;
  /** resolves when the child stopped at its pause point */
  paused(timeoutMs?: number): Promise<{ point: PausePoint; detail: Record<string, unknown> }>;
  /** events the child reported (settings received, `upload-request`: each tus request `{ sha256, method, offset }`…) */
  readonly events: { name: string; detail: unknown }[];
  /** polls the child's status until `ok` says so */
  waitFor(what: string, ok: (s: ChildStatus) => boolean, timeoutMs?: number): Promise<ChildStatus>;
  /** SIGKILL, and wait for the process to be gone */
  kill(): Promise<void>;
  /** the child's stderr so far (for failure messages) */
  stderr(): string;
}

const SELF = import.meta.filename;

export interface PreparedKioskProcess {
  /** opens the kiosk in the loaded child */
  start(o: KioskProcessOptions, startTimeoutMs?: number): Promise<KioskProcess>;
  /** SIGKILL, unused */
  kill(): Promise<void>;
}

function forkChild(env: Record<string, string>): { child: ChildProcess; stderr: () => string; exited: Promise<void> } {
  const child: ChildProcess = fork(SELF, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAC_TEST_KIOSK_CHILD: '1', FAC_ENROLLMENT_CODE: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, stderr: () => stderr, exited };
}

export function startKioskProcess(o: KioskProcessOptions, startTimeoutMs = 20_000): Promise<KioskProcess> {
  const { child, stderr, exited } = forkChild({ FAC_TEST_KIOSK_OPTIONS: JSON.stringify(o) });
  return watchKioskChild(child, stderr, exited, startTimeoutMs);
}

/** A child with the kiosk's modules loaded, waiting for its options. */
export function prepareKioskProcess(loadTimeoutMs = 60_000): Promise<PreparedKioskProcess> {
  const { child, stderr, exited } = forkChild({ FAC_TEST_KIOSK_DEFERRED: '1' });
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(t);
      reject(new Error(`kiosk process exited before it was loaded (${code ?? signal})\n${stderr().slice(-2000)}`));
    };
    const t = setTimeout(() => {
      child.off('exit', onEarlyExit);
      child.kill('SIGKILL');
      reject(new Error(`kiosk process did not load\n${stderr().slice(-2000)}`));
    }, loadTimeoutMs);
    child.once('exit', onEarlyExit);
    const onLoaded = (raw: unknown) => {
      if ((raw as FromChild).type !== 'loaded') return;
      clearTimeout(t);
      child.off('exit', onEarlyExit);
      child.off('message', onLoaded);
      resolve({
        start(o, startTimeoutMs = 20_000) {
          const started = watchKioskChild(child, stderr, exited, startTimeoutMs);
          child.send({ type: 'start', options: o });
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

/** Follows a child until its kiosk is ready, then is its handle. */
function watchKioskChild(child: ChildProcess, stderrOf: () => string, exited: Promise<void>, startTimeoutMs: number): Promise<KioskProcess> {
  const waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const events: { name: string; detail: unknown }[] = [];
  let pausedResolve: ((v: { point: PausePoint; detail: Record<string, unknown> }) => void) | null = null;
  let pausedValue: { point: PausePoint; detail: Record<string, unknown> } | null = null;

  child.on('message', (raw: unknown) => {
    const m = raw as FromChild;
    if (m.type === 'paused') {
      pausedValue = { point: m.point, detail: m.detail };
      pausedResolve?.(pausedValue);
    } else if (m.type === 'event') {
      events.push({ name: m.name, detail: m.detail });
    } else if (m.type === 'enqueued' || m.type === 'status') {
      waiting.get(m.requestId)?.resolve(m.result);
      waiting.delete(m.requestId);
    } else if (m.type === 'failed' && m.requestId) {
      waiting.get(m.requestId)?.reject(new Error(m.message));
      waiting.delete(m.requestId);
    }
  });
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error(`kiosk process exited\n${stderrOf().slice(-2000)}`));
    waiting.clear();
  });

  const ask = <T>(msg: ToChild): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.set(msg.requestId, { resolve: resolve as (v: unknown) => void, reject });
      child.send(msg);
    });

  const handle: KioskProcess = {
    pid: child.pid ?? -1,
    events,
    enqueue: (count, size, who) => ask<Enqueued>({ type: 'enqueue', requestId: randomUUID(), count, size, ...who }),
    status: () => ask<ChildStatus>({ type: 'status', requestId: randomUUID() }),
    paused(timeoutMs = 20_000) {
      if (pausedValue) return Promise.resolve(pausedValue);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`kiosk process did not pause\n${stderrOf().slice(-2000)}`)), timeoutMs);
        pausedResolve = (v) => {
          clearTimeout(t);
          resolve(v);
        };
      });
    },
    async waitFor(what, ok, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await handle.status();
        if (ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`kiosk process: timed out waiting for ${what}: ${JSON.stringify(s)}\n${stderrOf().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stderr: stderrOf,
  };

  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(t);
      reject(new Error(`kiosk process exited before it was ready (${code ?? signal})\n${stderrOf().slice(-2000)}`));
    };
    const t = setTimeout(() => {
      child.off('exit', onEarlyExit);
      child.kill('SIGKILL');
      reject(new Error(`kiosk process did not start\n${stderrOf().slice(-2000)}`));
    }, startTimeoutMs);
    child.once('exit', onEarlyExit);
    const onReady = (raw: unknown) => {
      if ((raw as FromChild).type !== 'ready') return;
      clearTimeout(t);
      child.off('exit', onEarlyExit);
      child.off('message', onReady);
      resolve(handle);
    };
    child.on('message', onReady);
  });
}

// ---- the child -----------------------------------------------------------------------------------

function shiftClock(offsetMs: number): void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}

function deposit(bytes: Buffer, sha256: string, who: { owner: string; cardSerial: string }): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: who.owner,
      docType: 'rib',
      fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.95, confirmed: true } },
      ocrText: 'RELEVE D IDENTITE BANCAIRE',
      file: { sha256, mime: 'image/png', size: bytes.length },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: who.cardSerial },
    },
  };
}

async function childMain(): Promise<void> {
  const deferred = process.env.FAC_TEST_KIOSK_DEFERRED === '1';
  let o = JSON.parse(process.env.FAC_TEST_KIOSK_OPTIONS ?? '{}') as KioskProcessOptions;
  // before the modules load, so none keeps the real Date (a prepared child shifts it when told)
  if (!deferred && o.clockOffsetMs) shiftClock(o.clockOffsetMs);
  const send = (m: FromChild) => process.send?.(m);
  process.on('disconnect', () => process.exit(0));
  const [{ openKioskDb }, { Outbox }, { keyFileProvider }, { SyncClient }, { silentLogger }, { sha256Hex }, { signedWrite }] = await Promise.all([
    import('../../kiosk/core/storage/db.ts'),
    import('../../kiosk/core/outbox/outbox.ts'),
    import('../../kiosk/core/storage/keys.ts'),
    import('../../kiosk/core/sync/client.ts'),
    import('../../kiosk/core/log.ts'),
    import('../../kiosk/core/outbox/blob-crypto.ts'),
    import('../../sync-server/test-support/test-ca.ts'),
  ]);
  if (deferred) {
    send({ type: 'loaded' });
    o = await new Promise<KioskProcessOptions>((resolve) => {
      const onStart = (raw: unknown) => {
        const m = raw as { type?: string; options?: KioskProcessOptions };
        if (m.type !== 'start' || !m.options) return;
        process.off('message', onStart);
        resolve(m.options);
      };
      process.on('message', onStart);
    });
    if (o.clockOffsetMs) shiftClock(o.clockOffsetMs);
  }
  mkdirSync(o.dataDir, { recursive: true });
  const db = openKioskDb(join(o.dataDir, 'outbox.sqlite'));
  const outbox = new Outbox(db, join(o.dataDir, 'blobs'), keyFileProvider(join(o.dataDir, 'data.key')));
  const reached: Record<PausePoint, number> = { 'upload-resume': 0, 'before-send': 0, 'before-acknowledge': 0 };
  const pauseIf = async (point: PausePoint, detail: Record<string, unknown>) => {
    reached[point]++;
    if (o.pause?.point === point && reached[point] === (o.pause.occurrence ?? 1)) {
      send({ type: 'paused', point, detail });
      if (o.pause.mode !== 'signal') await new Promise(() => {}); // until SIGKILL
    }
  };
  // FAC_TEST_KIOSK_LOG=1: the sync client's log on the child's stderr (shown when a test fails)
  const logger = process.env.FAC_TEST_KIOSK_LOG === '1' ? pino({ level: 'debug' }, pino.destination(2)) : silentLogger;
  const client = new SyncClient({
    url: o.url,
    outbox,
    logger,
    enrollmentCode: o.enrollmentCode ?? null,
    reconnectDelayMaxMs: 500,
    retryDelayMaxMs: o.retryDelayMaxMs ?? 2000,
    ackTimeoutMs: 10_000,
    ...(o.batchSize ? { batchSize: o.batchSize } : {}),
    ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
    onSettings: (settings, version) => send({ type: 'event', name: 'settings', detail: { settings, version } }),
    testHooks: {
      // a PATCH after the first chunk: part of the file is on the server, its URL in the outbox
      beforeUploadRequest: async (r) => {
        send({ type: 'event', name: 'upload-request', detail: { sha256: r.sha256, method: r.method, offset: r.offset } });
        if (r.method === 'PATCH' && r.offset !== null && r.offset > 0) await pauseIf('upload-resume', { sha256: r.sha256, offset: r.offset, size: r.size });
      },
      beforeSend: (batch) => pauseIf('before-send', { seqs: batch.map((m) => m.seq) }),
      beforeAcknowledge: (ack, batch) => pauseIf('before-acknowledge', { lastSeq: ack.lastSeq ?? null, ok: ack.ok, seqs: batch.map((m) => m.seq) }),
    },
  });
  process.on('message', (raw: unknown) => {
    const m = raw as ToChild;
    try {
      if (m.type === 'enqueue') {
        const result: Enqueued = { seqs: [], ids: [], documentIds: [], shas: [] };
        for (let i = 0; i < m.count; i++) {
          // a real image of that size: the server decodes every image it receives
          const bytes = pngOfSize(m.size);
          const sha = sha256Hex(bytes);
          const body = deposit(bytes, sha, m);
          const { seq, id } = outbox.enqueue(signedWrite(m.kioskId, body), [{ bytes, mime: 'image/png' }]);
          result.seqs.push(seq);
          result.ids.push(id);
          result.documentIds.push(body.payload.documentId);
          result.shas.push(sha);
        }
        send({ type: 'enqueued', requestId: m.requestId, result });
      } else if (m.type === 'status') {
        send({ type: 'status', requestId: m.requestId, result: { status: client.status(), identity: client.identity(), lastAckedSeq: outbox.lastAckedSeq(), now: new Date().toISOString() } });
      }
    } catch (err) {
      send({ type: 'failed', requestId: m.requestId, message: err instanceof Error ? err.message : String(err) });
    }
  });
  client.start();
  send({ type: 'ready' });
}

if (process.env.FAC_TEST_KIOSK_CHILD === '1' && process.send) {
  childMain().catch((err: unknown) => {
    process.stderr.write(`kiosk child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
