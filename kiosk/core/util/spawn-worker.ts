/**
 * Start a worker thread from a module URL, whether the code runs as TypeScript (tsx, vitest) or as a
 * compiled build.
 *
 * A plain `new Worker(file.ts)` fails with ERR_UNKNOWN_FILE_EXTENSION: worker threads do not inherit the
 * loader hooks that tsx or vitest installed in the parent. For a `.ts` URL we start a tiny eval worker that
 * registers tsx's ESM hooks inside the new thread first, then imports the real module.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

const TS_EXTENSIONS = /\.(?:ts|mts|cts)$/;

let tsxApiHref: string | undefined;

function tsxApi(): string {
  // Resolved once, from here: the worker's eval code has no module context to resolve bare specifiers from.
  tsxApiHref ??= import.meta.resolve('tsx/esm/api');
  return tsxApiHref;
}

export function spawnWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (url.protocol !== 'file:') throw new TypeError(`spawnWorker: file: URL expected, got ${url.protocol}`);
  if (!TS_EXTENSIONS.test(url.pathname)) return new Worker(url, options);
  const code =
    `import(${JSON.stringify(tsxApi())})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })` +
    // An import failure must end the thread with an error event, not an unhandled rejection warning.
    `.catch((err) => { process.nextTick(() => { throw err; }); });`;
  return new Worker(code, { ...options, eval: true });
}
