/** The capture worker thread: page processing (sharp + pixel work) off the core's event loop. */
import { parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { CaptureError, processPage } from './process.ts';

const Job = z.object({ id: z.number().int(), bytes: z.instanceof(Uint8Array), turn: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]) });

parentPort?.on('message', (raw: unknown) => {
  const job = Job.safeParse(raw);
  if (!job.success) return;
  const { id, bytes, turn } = job.data;
  processPage(bytes, turn).then(
    (page) => parentPort?.postMessage({ id, ok: true, page }),
    (err: unknown) =>
      parentPort?.postMessage({
        id,
        ok: false,
        problem: err instanceof CaptureError ? err.problem : 'unreadable',
        detail: err instanceof Error ? err.message : String(err),
      }),
  );
});
