/**
 * A PDF worker thread (pdf-pool.ts starts it): runs one job at a time, a named export of a job module,
 * and posts its result back (a PDF's bytes are transferred, not copied). The modules it is told to
 * preload are imported before it says it is ready, so the first job does not pay for loading them.
 * A job that loops or eats memory is the pool's to stop: this thread is simply terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface JobMessage {
  id: number;
  module: string;
  fn: string;
  input: unknown;
}

const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs as a worker thread');

// pdf-lib narrates what it finds wrong in a file on the console: a hostile file must not fill the server's log
console.log = () => {};
console.warn = () => {};
console.info = () => {};

const modules = new Map<string, Promise<Record<string, unknown>>>();
function load(href: string): Promise<Record<string, unknown>> {
  let m = modules.get(href);
  if (!m) {
    m = import(href) as Promise<Record<string, unknown>>;
    modules.set(href, m);
  }
  return m;
}

async function run(msg: JobMessage): Promise<unknown> {
  const job = (await load(msg.module))[msg.fn];
  if (typeof job !== 'function') throw new Error(`no job ${msg.fn} in ${msg.module}`);
  return (job as (input: unknown) => unknown)(msg.input);
}

port.on('message', (msg: JobMessage) => {
  run(msg).then(
    (value) => port.postMessage({ id: msg.id, ok: true, value }, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []),
    (err: unknown) => port.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message.slice(0, 300) : 'job failed' }),
  );
});

const preload = (workerData as { preload?: unknown } | null)?.preload;
Promise.all((Array.isArray(preload) ? preload.filter((p): p is string => typeof p === 'string') : []).map(load)).then(
  () => port.postMessage({ ready: true }),
  (err: unknown) => {
    // a module that does not load is a broken install: end the thread, the pool reports it
    process.nextTick(() => {
      throw err;
    });
  },
);
