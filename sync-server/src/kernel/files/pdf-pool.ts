/**
 * Every PDF the server builds or reads is handled in a small pool of worker threads, never on the event
 * loop: pdf-lib is plain JavaScript, and a hostile file can make it loop for ever or fill the memory.
 * Each job runs under a time limit and in a thread whose heap is capped (resourceLimits); a job over its
 * limits has its thread terminated (a fresh one takes its place) and fails with a typed PdfJobError, and
 * the server goes on answering. Two threads by default, so one hostile print does not hold up the others;
 * kept warm between jobs, the modules they run loaded once.
 *
 * A job is a named export of a module (`pdfJob(import.meta.url, 'documentPdf')`): the pool runs what
 * its callers name and imports no feature itself. Inputs are copied to the thread (structured clone);
 * a job's Uint8Array result is transferred back.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn-worker.ts';

/** A job the pool can run: `fn`, exported by the module at `module` (a file: URL), takes an `I`. */
export interface PdfJob<I> {
  readonly module: string;
  readonly fn: string;
  /** never set: carries the input type */
  readonly input?: I;
}

export function pdfJob<I>(module: string, fn: string): PdfJob<I> {
  return { module, fn };
}

export type PdfJobFailure =
  | 'timeout' // over its time limit: its thread was terminated
  | 'memory' // over its thread's heap limit: the thread died
  | 'crashed' // its thread died otherwise (or could not start)
  | 'busy' // too many jobs waiting, or it waited too long for a thread
  | 'closed' // the pool is closing
  | 'failed'; // the job threw (a file it could not read, a bug)

export class PdfJobError extends Error {
  constructor(
    readonly reason: PdfJobFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PdfJobError';
  }
}

export interface PdfPoolOptions {
  /** worker threads (2) */
  size?: number;
  /** a job's time limit once a thread runs it, ms (20 s) */
  timeoutMs?: number;
  /** how long a job may wait for a free thread, ms (the time limit) */
  waitMs?: number;
  /** jobs waiting at most; more are refused at once ('busy') (16) */
  queueLimit?: number;
  /** each thread's old-generation heap, MB (256) */
  memoryMb?: number;
  /** job modules each thread imports before it takes a job */
  preload?: readonly string[];
  /** start the threads now rather than at the first job */
  warm?: boolean;
}

export interface RunOptions {
  /** this job's time limit, ms (the pool's by default) */
  timeoutMs?: number;
}

interface Queued {
  id: number;
  job: PdfJob<unknown>;
  input: unknown;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (err: PdfJobError) => void;
  waitTimer: NodeJS.Timeout | null;
  runTimer: NodeJS.Timeout | null;
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  job: Queued | null;
}

type Reply = { ready: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

const WORKER = new URL(import.meta.url.endsWith('.ts') ? './pdf-worker.ts' : './pdf-worker.js', import.meta.url);

export class PdfPool {
  private readonly slots: Slot[];
  private readonly queue: Queued[] = [];
  private readonly timeoutMs: number;
  private readonly waitMs: number;
  private readonly queueLimit: number;
  private readonly memoryMb: number;
  private readonly preload: readonly string[];
  private nextId = 1;
  private closed = false;
  private readyWaiters: (() => void)[] = [];
  private startFailures = 0;
  /** threads terminated or lost (tests and logs) */
  restarts = 0;

  constructor(options: PdfPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.waitMs = options.waitMs ?? this.timeoutMs;
    this.queueLimit = options.queueLimit ?? 16;
    this.memoryMb = options.memoryMb ?? 256;
    this.preload = options.preload ?? [];
    this.slots = Array.from({ length: Math.max(1, options.size ?? 2) }, () => ({ worker: null, ready: false, job: null }));
    if (options.warm) for (const slot of this.slots) this.spawn(slot);
  }

  run<I>(job: PdfJob<I>, input: I, options: RunOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new PdfJobError('closed', 'the PDF pool is closed'));
    if (this.queue.length >= this.queueLimit) return Promise.reject(new PdfJobError('busy', `${this.queue.length} PDF jobs waiting already`));
    return new Promise((resolve, reject) => {
      const queued: Queued = { id: this.nextId++, job, input, timeoutMs: options.timeoutMs ?? this.timeoutMs, resolve, reject, waitTimer: null, runTimer: null };
      queued.waitTimer = setTimeout(() => {
        const at = this.queue.indexOf(queued);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(new PdfJobError('busy', `no PDF thread free within ${this.waitMs} ms`));
      }, this.waitMs);
      this.queue.push(queued);
      this.pump();
    });
  }

  /** Starts every thread and resolves once all of them have loaded their modules (a warm pool). */
  warmUp(): Promise<void> {
    if (this.closed) return Promise.resolve();
    for (const slot of this.slots) if (!slot.worker) this.spawn(slot);
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** How many threads are alive, busy, and how many jobs wait (tests, logs). */
  stats(): { threads: number; busy: number; queued: number; restarts: number } {
    return {
      threads: this.slots.filter((s) => s.worker).length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      restarts: this.restarts,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    for (const q of this.queue.splice(0)) this.settle(q, new PdfJobError('closed', 'the PDF pool is closing'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker, job } = slot;
        slot.worker = null;
        slot.job = null;
        slot.ready = false;
        if (job) this.settle(job, new PdfJobError('closed', 'the PDF pool is closing'));
        await worker?.terminate();
      }),
    );
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.worker) this.spawn(slot);
      else if (slot.ready && !slot.job) this.dispatch(slot, this.queue.shift()!);
    }
  }

  private spawn(slot: Slot): void {
    const worker = spawnWorker(WORKER, {
      workerData: { preload: [...this.preload] },
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    // an idle pool never keeps the process alive; a running job's timer does
    worker.unref();
    slot.worker = worker;
    slot.ready = false;
    worker.on('message', (reply: Reply) => {
      if (slot.worker !== worker) return;
      if ('ready' in reply) {
        slot.ready = true;
        this.startFailures = 0;
        if (this.slots.every((s) => s.ready)) for (const resolve of this.readyWaiters.splice(0)) resolve();
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = null;
      if (reply.ok) this.settle(job, null, reply.value);
      else this.settle(job, new PdfJobError('failed', reply.message));
      this.pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      this.lost(slot, worker, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed', err.message);
    });
    worker.on('exit', (code) => this.lost(slot, worker, 'crashed', `thread exited (${code})`));
  }

  private dispatch(slot: Slot, job: Queued): void {
    slot.job = job;
    if (job.waitTimer) clearTimeout(job.waitTimer);
    job.waitTimer = null;
    job.runTimer = setTimeout(() => {
      const worker = slot.worker;
      if (slot.job !== job || !worker) return;
      this.lost(slot, worker, 'timeout', `over its time limit of ${job.timeoutMs} ms`);
      void worker.terminate();
    }, job.timeoutMs);
    slot.worker!.postMessage({ id: job.id, module: job.job.module, fn: job.job.fn, input: job.input });
  }

  /** A thread ended (terminated for a job over its limits, out of memory, crashed): its job fails, another thread starts. */
  private lost(slot: Slot, worker: Worker, reason: PdfJobFailure, detail: string): void {
    if (slot.worker !== worker) return;
    const job = slot.job;
    const wasReady = slot.ready;
    slot.worker = null;
    slot.job = null;
    slot.ready = false;
    if (this.closed) return;
    this.restarts += 1;
    if (job) this.settle(job, new PdfJobError(reason, detail));
    if (!wasReady && !job && ++this.startFailures >= 3) {
      // threads that cannot even start (a broken install): fail what waits instead of retrying for ever
      this.startFailures = 0;
      for (const q of this.queue.splice(0)) this.settle(q, new PdfJobError('crashed', `PDF threads do not start: ${detail}`));
      return;
    }
    // the pool stays warm: a thread lost is replaced at once
    this.spawn(slot);
    this.pump();
  }

  private settle(job: Queued, err: PdfJobError | null, value?: unknown): void {
    if (job.waitTimer) clearTimeout(job.waitTimer);
    if (job.runTimer) clearTimeout(job.runTimer);
    job.waitTimer = null;
    job.runTimer = null;
    if (err) job.reject(err);
    else job.resolve(value);
  }
}
