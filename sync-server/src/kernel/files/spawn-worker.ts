/**
 * Starts a worker thread from a module URL, whether the server runs as TypeScript (tsx, vitest) or built.
 * A plain `new Worker(file.ts)` fails: worker threads do not inherit the loader hooks tsx or vitest
 * installed in the parent, so a `.ts` entry is started by a tiny eval worker that registers tsx's hooks
 * in the new thread first (the kiosk core does the same for its own workers; the server cannot import it).
 */
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

const TS_EXTENSIONS = /\.(?:ts|mts|cts)$/;

let tsxApiHref: string | undefined;

export function spawnWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (url.protocol !== 'file:') throw new TypeError(`spawnWorker: file: URL expected, got ${url.protocol}`);
  if (!TS_EXTENSIONS.test(url.pathname)) return new Worker(url, options);
  // resolved here: the eval code has no module context to resolve a bare specifier from
  tsxApiHref ??= import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(tsxApiHref)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })` +
    // an import failure ends the thread with an error event, not an unhandled rejection warning
    `.catch((err) => { process.nextTick(() => { throw err; }); });`;
  return new Worker(code, { ...options, eval: true });
}
