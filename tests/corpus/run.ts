/**
 * Runs corpus entries through an OCR pool and scores them: shared by the accuracy test and the bench (the
 * pool is passed in, so this file imports nothing from the OCR code).
 */
import type { Entry } from './corpus.ts';
import { render } from './corpus.ts';
import type { FieldResult, Outcome } from './score.ts';
import { scoreOne } from './score.ts';

export interface Analyser {
  analyse(bytes: Uint8Array): Promise<{ docType: string; fields: Record<string, FieldResult | undefined> }>;
}

/** Every entry, clean and degraded; pictures are queued so a pool of several workers stays busy. */
export async function runEntries(pool: Analyser, list: readonly Entry[], opts: { clean?: boolean; degraded?: boolean; ahead?: number; onPicture?: (buf: Buffer, o: Outcome) => void } = {}): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const jobs: Promise<void>[] = [];
  for (const e of list) {
    const r = await render(e);
    const pictures: [string, Buffer][] = [];
    if (opts.clean !== false) pictures.push(['clean', r.clean]);
    if (opts.degraded !== false) pictures.push([e.variant, r.degraded]);
    for (const [variant, buf] of pictures) {
      jobs.push(
        (async () => {
          const t = performance.now();
          // a failed job is scored as nothing read
          const result = await pool.analyse(buf).catch(() => null);
          const o = scoreOne({ part: e.part, kind: e.kind, variant, id: e.id, ms: performance.now() - t }, r.fields, result);
          out.push(o);
          opts.onPicture?.(buf, o);
        })(),
      );
      // a few pictures ahead of the pool keep its workers busy without the whole corpus in memory; none
      // ahead when the caller times each picture alone (latency, not throughput)
      while (jobs.length > (opts.ahead ?? 6)) await jobs.shift();
    }
  }
  await Promise.all(jobs);
  return out.sort((a, b) => (a.id === b.id ? a.variant.localeCompare(b.variant) : a.id.localeCompare(b.id, 'en', { numeric: true })));
}
