/**
 * One warm worker thread for page processing, jobs in order; a worker that dies or hangs is replaced and
 * its job fails with a typed error, so the next capture works.
 */
import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { spawnWorker } from '../util/spawn-worker.ts';
import { CaptureError } from './process.ts';
import type { CaptureProblem, ProcessedPage, Turn } from './process.ts';

const Point = z.object({ x: z.number(), y: z.number() });
const Reply = z.discriminatedUnion('ok', [
  z.object({
    id: z.number(),
    ok: z.literal(true),
    page: z.object({
      archive: z.instanceof(Uint8Array),
      thumbnail: z.instanceof(Uint8Array),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      sheet: z.tuple([Point, Point, Point, Point]).nullable(),
      quality: z.object({ brightness: z.number(), sharpness: z.number(), contrast: z.number() }),
    }),
  }),
  z.object({ id: z.number(), ok: z.literal(false), problem: z.enum(['blurry', 'dark', 'empty', 'unreadable']), detail: z.string() }),
]);

interface Pending {
  resolve: (p: ProcessedPage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class PageProcessor {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly timeoutMs = 20_000) {}

  process(bytes: Uint8Array, turn: Turn = 0): Promise<ProcessedPage> {
    if (this.closed) return Promise.reject(new CaptureError('unreadable', 'page processor closed'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CaptureError('unreadable', 'page processing timed out'));
        this.restart();
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      // a copy: the caller keeps its bytes (they are the original still)
      worker.postMessage({ id, bytes: new Uint8Array(bytes), turn });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll('page processor closed');
    await this.worker?.terminate();
    this.worker = null;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // from source: worker.ts beside this file; in the Electron bundle: page-worker.js beside main.mjs
    // (the OCR pool's worker is the bundle's worker.js)
    const w = spawnWorker(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './page-worker.js', import.meta.url));
    w.unref();
    w.on('message', (raw: unknown) => {
      const r = Reply.safeParse(raw);
      if (!r.success) return;
      const p = this.pending.get(r.data.id);
      if (!p) return;
      this.pending.delete(r.data.id);
      clearTimeout(p.timer);
      if (r.data.ok) {
        const page = r.data.page;
        p.resolve({ ...page, archive: Buffer.from(page.archive), thumbnail: Buffer.from(page.thumbnail) });
      } else {
        p.reject(new CaptureError(r.data.problem as CaptureProblem, r.data.detail));
      }
    });
    w.on('error', () => this.restart());
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = null;
        this.failAll('page worker stopped');
      }
    });
    this.worker = w;
    return w;
  }

  private restart(): void {
    const w = this.worker;
    this.worker = null;
    this.failAll('page worker restarted');
    void w?.terminate();
  }

  private failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new CaptureError('unreadable', reason));
      this.pending.delete(id);
    }
  }
}
