/**
 * A pool of warm OCR worker threads. Jobs queue when every worker is busy. A worker that crashes, fails to
 * answer in time, or sends something malformed is terminated and replaced; its job is rejected with a typed
 * OcrError and the pool keeps serving. Nothing OCR-heavy runs on the caller's event loop.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { spawnWorker } from '../util/spawn-worker.ts';
import { fromWire, OcrError } from './errors.ts';
import { MAX_INPUT_BYTES } from './preprocess.ts';
import { FromWorker, OcrResult } from './protocol.ts';
import type { OcrStage, TestFault, WorkerInit } from './protocol.ts';
import { prepareTraineddata } from './traineddata.ts';
import type { TwoDDocTrustStore } from './twoddoc-trust.ts';
import { OCR_WORDS } from '../words.ts';

export interface OcrProgress {
  stage: OcrStage;
  /** overall, 0..1 */
  progress: number;
}

export interface AnalyseOptions {
  onProgress?: (p: OcrProgress) => void;
  signal?: AbortSignal;
  /** overrides the pool's job timeout for this job (from its start in a worker, queue time excluded) */
  timeoutMs?: number;
  /** test only: make the worker crash or hang on this job (needs a pool created with testHooks) */
  testFault?: TestFault;
}

export interface OcrPoolOptions {
  /** worker threads, default 1 (each holds ~100 MB: engine and models) */
  size?: number;
  /** where the unpacked language models live (written once, then read only) */
  cacheDir: string;
  logger?: Logger;
  /** a job that runs longer is abandoned and its worker replaced; default 30 s */
  jobTimeoutMs?: number;
  /** a worker that is not warm after this is replaced; default 60 s */
  startTimeoutMs?: number;
  /** accept AnalyseOptions.testFault; never in production */
  testHooks?: boolean;
  /** the certificates 2D-Doc signatures are checked against (loadTwoDDocTrustStore); none: every code is `unknown-authority` */
  twoDDocTrust?: TwoDDocTrustStore;
}

export interface OcrPoolStats {
  workers: number;
  ready: number;
  busy: number;
  queued: number;
  /** workers replaced after a crash, a timeout or a failed start */
  replaced: number;
  /** times an engine tried to reach the network (always 0: the tripwire makes them fail) */
  networkAttempts: number;
}

export interface OcrPool {
  analyse(image: Uint8Array, opts?: AnalyseOptions): Promise<OcrResult>;
  /** resolves when every worker is warm; rejects if they cannot start */
  ready(): Promise<void>;
  stats(): OcrPoolStats;
  close(): Promise<void>;
}

interface Job {
  id: number;
  image: Uint8Array;
  opts: AnalyseOptions;
  enqueuedAt: number;
  startedAt?: number;
  resolve: (r: OcrResult) => void;
  reject: (e: unknown) => void;
  settled: boolean;
  cleanup: () => void;
}

interface Slot {
  id: number;
  /** absent until the models are unpacked */
  worker?: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job?: Job;
  timer?: NodeJS.Timeout;
}

/** After this many workers in a row fail to start, queued jobs are rejected instead of waiting forever. */
const MAX_START_FAILURES = 3;

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

export function createOcrPool(options: OcrPoolOptions): OcrPool {
  const size = Math.max(1, Math.floor(options.size ?? 1));
  const jobTimeoutMs = options.jobTimeoutMs ?? 30_000;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const log = options.logger?.child({ module: 'ocr' });
  const tripwireChannel = `facilitateur-ocr-network-${randomUUID()}`;
  const init: WorkerInit = {
    cacheDir: options.cacheDir,
    tripwireChannel,
    testHooks: options.testHooks === true,
    twoDDocTrust: options.twoDDocTrust?.toEntries() ?? [],
  };

  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextJobId = 1;
  let nextSlotId = 1;
  let replaced = 0;
  let networkAttempts = 0;
  let startFailures = 0;
  let closed = false;
  let readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  const tripwire = new BroadcastChannel(tripwireChannel);
  tripwire.onmessage = () => {
    networkAttempts++;
    log?.error('OCR engine attempted a network access (blocked)');
  };
  tripwire.unref();

  // Models are unpacked once per pool; after a failure (disk full, read-only folder) the next refill retries.
  let prepared = prepareTraineddata(options.cacheDir);
  let prepareFailed = false;
  prepared.catch(() => {
    prepareFailed = true;
  });

  function settle(job: Job, outcome: { result: OcrResult } | { error: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup();
    if ('result' in outcome) job.resolve(outcome.result);
    else job.reject(outcome.error);
  }

  function notifyReady(): void {
    if (slots.length === size && slots.every((s) => s.state === 'idle' || s.state === 'busy')) {
      const waiters = readyWaiters;
      readyWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  function failAllWaiting(error: OcrError): void {
    for (const job of queue.splice(0)) settle(job, { error });
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const w of waiters) w.reject(error);
  }

  function retire(slot: Slot, why: 'crash' | 'timeout' | 'start-failed' | 'protocol', detail: string): void {
    if (slot.state === 'dead') return;
    const wasStarting = slot.state === 'starting';
    slot.state = 'dead';
    clearTimeout(slot.timer);
    void slot.worker?.terminate();
    const idx = slots.indexOf(slot);
    if (idx >= 0) slots.splice(idx, 1);
    if (closed) return;
    replaced++;
    log?.warn({ worker: slot.id, why, detail }, 'OCR worker replaced');
    if (slot.job) {
      const code = why === 'timeout' ? 'timeout' : 'worker-crashed';
      settle(slot.job, { error: new OcrError(code, { detail: `worker ${slot.id}: ${detail}` }) });
      slot.job = undefined;
    }
    if (wasStarting) {
      startFailures++;
      if (startFailures >= MAX_START_FAILURES) {
        failAllWaiting(new OcrError('worker-crashed', { detail: `OCR workers fail to start: ${detail}` }));
        // Try again only when someone asks: a broken install must not spin.
        return;
      }
    }
    spawn();
  }

  function onMessage(slot: Slot, raw: unknown): void {
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) {
      retire(slot, 'protocol', `malformed message: ${parsed.error.message.slice(0, 300)}`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        if (slot.state !== 'starting') return;
        clearTimeout(slot.timer);
        slot.state = 'idle';
        startFailures = 0;
        log?.info({ worker: slot.id, initMs: Math.round(msg.initMs) }, 'OCR worker warm');
        notifyReady();
        dispatch();
        return;
      case 'init-failed':
        retire(slot, 'start-failed', msg.detail);
        return;
      case 'progress': {
        const job = slot.job;
        if (!job || job.id !== msg.jobId || job.settled) return;
        try {
          job.opts.onProgress?.({ stage: msg.stage, progress: msg.progress });
        } catch (err) {
          log?.warn({ err }, 'OCR progress listener threw');
        }
        return;
      }
      case 'result':
      case 'error': {
        const job = slot.job;
        if (!job || job.id !== msg.jobId) {
          retire(slot, 'protocol', `answer for job ${msg.jobId}, expected ${job?.id ?? 'none'}`);
          return;
        }
        clearTimeout(slot.timer);
        slot.job = undefined;
        slot.state = 'idle';
        const now = performance.now();
        if (msg.type === 'result') {
          const queueMs = (job.startedAt ?? now) - job.enqueuedAt;
          const result = OcrResult.safeParse({ ...msg.result, elapsedMs: now - job.enqueuedAt, timings: { ...msg.result.timings, queueMs } });
          if (result.success) {
            log?.debug({ worker: slot.id, docType: result.data.docType, elapsedMs: Math.round(result.data.elapsedMs) }, 'OCR job done');
            if (!job.settled) {
              try {
                job.opts.onProgress?.({ stage: 'done', progress: 1 });
              } catch (err) {
                log?.warn({ err }, 'OCR progress listener threw');
              }
            }
            settle(job, { result: result.data });
          } else settle(job, { error: new OcrError('worker-crashed', { detail: `invalid result: ${result.error.message.slice(0, 300)}` }) });
        } else {
          settle(job, { error: fromWire(msg.error) });
        }
        dispatch();
        return;
      }
    }
  }

  function spawn(): void {
    const slot: Slot = { id: nextSlotId++, state: 'starting' };
    void prepared.then(
      () => {
        if (closed || slot.state === 'dead') return;
        const worker = spawnWorker(WORKER_URL, { workerData: init, name: `ocr-${slot.id}` });
        slot.worker = worker;
        worker.on('message', (m: unknown) => onMessage(slot, m));
        worker.on('error', (err) => retire(slot, 'crash', `error: ${String(err)}`));
        worker.on('exit', (code) => retire(slot, 'crash', `exited with code ${code}`));
        slot.timer = setTimeout(() => retire(slot, 'start-failed', `not warm after ${startTimeoutMs} ms`), startTimeoutMs);
        slot.timer.unref();
      },
      (err: unknown) => {
        if (closed) return;
        slot.state = 'dead';
        slots.splice(slots.indexOf(slot), 1);
        failAllWaiting(new OcrError('worker-crashed', { detail: `cannot prepare OCR models: ${String(err)}` }));
      },
    );
    slots.push(slot);
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (slot.state !== 'idle' || !slot.worker) continue;
      const job = queue.shift();
      if (!job) return;
      slot.state = 'busy';
      slot.job = job;
      job.startedAt = performance.now();
      // A copy is transferred: the caller keeps its buffer, and the worker gets it without a second copy.
      // (Not `.slice()`: on a Node Buffer it is a view, and transferring it would detach the caller's memory.)
      const image = new Uint8Array(job.image.byteLength);
      image.set(job.image);
      slot.worker.postMessage({ type: 'job', jobId: job.id, image, ...(job.opts.testFault ? { fault: job.opts.testFault } : {}) }, [image.buffer]);
      const timeoutMs = job.opts.timeoutMs ?? jobTimeoutMs;
      slot.timer = setTimeout(() => retire(slot, 'timeout', `job ${job.id} over ${timeoutMs} ms`), timeoutMs);
      slot.timer.unref();
    }
  }

  /** Bring the pool back to full size (after start failures gave up). */
  function refill(): void {
    if (closed) return;
    if (startFailures >= MAX_START_FAILURES) startFailures = 0;
    if (prepareFailed && slots.length < size) {
      prepareFailed = false;
      prepared = prepareTraineddata(options.cacheDir);
      prepared.catch(() => {
        prepareFailed = true;
      });
    }
    while (slots.length < size) spawn();
  }

  for (let i = 0; i < size; i++) spawn();

  return {
    analyse(image, opts = {}) {
      if (closed) return Promise.reject(new OcrError('worker-crashed', { detail: 'OCR pool closed' }));
      if (!(image instanceof Uint8Array)) return Promise.reject(new OcrError('bad-image', { detail: 'image is not a Uint8Array' }));
      if (image.byteLength === 0) return Promise.reject(new OcrError('bad-image', { message: OCR_WORDS.empty, detail: 'empty input' }));
      if (image.byteLength > MAX_INPUT_BYTES) return Promise.reject(new OcrError('too-large', { detail: `input of ${image.byteLength} bytes` }));
      if (opts.testFault && !init.testHooks) return Promise.reject(new TypeError('testFault needs a pool created with testHooks'));
      if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
      refill();
      return new Promise<OcrResult>((resolve, reject) => {
        const job: Job = { id: nextJobId++, image, opts, enqueuedAt: performance.now(), resolve, reject, settled: false, cleanup: () => {} };
        const signal = opts.signal;
        if (signal) {
          // A running job is not interrupted (restarting a warm engine costs more than finishing); its
          // result is dropped. A queued job just leaves the queue.
          const onAbort = () => {
            const i = queue.indexOf(job);
            if (i >= 0) queue.splice(i, 1);
            settle(job, { error: signal.reason });
          };
          signal.addEventListener('abort', onAbort, { once: true });
          job.cleanup = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(job);
        try {
          opts.onProgress?.({ stage: 'queued', progress: 0 });
        } catch {
          // a listener's failure is not the job's
        }
        dispatch();
      });
    },

    ready() {
      if (closed) return Promise.reject(new OcrError('worker-crashed', { detail: 'OCR pool closed' }));
      refill();
      return new Promise<void>((resolve, reject) => {
        readyWaiters.push({ resolve, reject });
        notifyReady();
      });
    },

    stats() {
      return {
        workers: slots.length,
        ready: slots.filter((s) => s.state === 'idle' || s.state === 'busy').length,
        busy: slots.filter((s) => s.state === 'busy').length,
        queued: queue.length,
        replaced,
        networkAttempts,
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      const error = new OcrError('worker-crashed', { message: OCR_WORDS.interrupted, detail: 'OCR pool closed' });
      failAllWaiting(error);
      const all = slots.splice(0);
      for (const s of all) {
        clearTimeout(s.timer);
        if (s.job) settle(s.job, { error });
        s.state = 'dead';
      }
      await Promise.all(all.map((s) => (s.worker ? s.worker.terminate() : Promise.resolve(0))));
      tripwire.close();
      await prepared.catch(() => {});
    },
  };
}
