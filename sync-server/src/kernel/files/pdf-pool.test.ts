/**
 * The PDF pool with real worker threads and real pdf-lib: a job that loops (pdf-lib on the 75-byte PNG)
 * or fills its heap is stopped at its limits with a typed error, while the event loop and the other
 * thread go on working, and the pool carries on with a fresh thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { malformedPng75 } from '../../../test-support/hostile-files.ts';
import { EAT_MEMORY, ECHO, EMBED_PNG, FAIL } from '../../../test-support/pdf-jobs.ts';
import { PdfJobError, PdfPool } from './pdf-pool.ts';

let pool: PdfPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const decoded = (v: unknown) => new TextDecoder().decode(v as Uint8Array);

/** The longest the event loop was kept from a 20 ms timer while `work` ran. */
async function worstLag(work: Promise<unknown>): Promise<number> {
  let worst = 0;
  let done = false;
  void work.catch(() => {}).finally(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    worst = Math.max(worst, performance.now() - t0 - 20);
  }
  return worst;
}

describe('PDF pool', () => {
  it('runs a job in a thread and gives its bytes back', async () => {
    pool = new PdfPool({ size: 1, preload: [ECHO.module] });
    expect(decoded(await pool.run(ECHO, { text: 'bonjour' }))).toBe('echo: bonjour');
    expect(decoded(await pool.run(ECHO, { text: 'encore' }))).toBe('echo: encore');
    expect(pool.stats()).toMatchObject({ threads: 1, busy: 0, queued: 0, restarts: 0 });
  });

  it('stops pdf-lib looping on a 75-byte PNG at the time limit, while the other thread and the event loop go on', async () => {
    pool = new PdfPool({ size: 2, timeoutMs: 1500, preload: [EMBED_PNG.module] });
    await pool.warmUp();
    const started = performance.now();
    const hostile = pool.run(EMBED_PNG, { png: new Uint8Array(malformedPng75()) });
    // the other thread still answers, quickly, while the hostile job spins
    expect(decoded(await pool.run(ECHO, { text: 'à côté' }))).toBe('echo: à côté');
    expect(await worstLag(hostile)).toBeLessThan(500);
    const err = await hostile.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PdfJobError);
    expect((err as PdfJobError).reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(10_000);
    // a fresh thread took its place
    expect(decoded(await pool.run(ECHO, { text: 'après' }))).toBe('echo: après');
    expect(pool.stats().restarts).toBe(1);
  });

  it('ends a job that fills its heap (the thread dies, not the server) and carries on', async () => {
    pool = new PdfPool({ size: 1, memoryMb: 48, timeoutMs: 30_000 });
    await expect(pool.run(EAT_MEMORY, {})).rejects.toMatchObject({ reason: 'memory' });
    expect(decoded(await pool.run(ECHO, { text: 'vivant' }))).toBe('echo: vivant');
  });

  it('says when a job threw, and keeps its thread', async () => {
    pool = new PdfPool({ size: 1 });
    await expect(pool.run(FAIL, {})).rejects.toMatchObject({ reason: 'failed', message: 'this file cannot be read' });
    expect(decoded(await pool.run(ECHO, { text: 'ok' }))).toBe('echo: ok');
    expect(pool.stats().restarts).toBe(0);
  });

  it('refuses jobs beyond its queue, and those that wait too long, as busy', async () => {
    pool = new PdfPool({ size: 1, queueLimit: 1, timeoutMs: 1000, waitMs: 300, preload: [EMBED_PNG.module] });
    await pool.warmUp();
    const spinning = pool.run(EMBED_PNG, { png: new Uint8Array(malformedPng75()) });
    // the first waits for the spinning thread, the second finds the queue full
    const waiting = pool.run(ECHO, { text: 'attend' });
    await expect(pool.run(ECHO, { text: 'de trop' })).rejects.toMatchObject({ reason: 'busy' });
    await expect(waiting).rejects.toMatchObject({ reason: 'busy' });
    await expect(spinning).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('fails what runs and waits when it closes', async () => {
    pool = new PdfPool({ size: 1, timeoutMs: 10_000 });
    await pool.warmUp();
    const spinning = pool.run(EMBED_PNG, { png: new Uint8Array(malformedPng75()) }).catch((e: unknown) => e);
    const waiting = pool.run(ECHO, { text: 'attend' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await pool.close();
    expect(await spinning).toMatchObject({ reason: 'closed' });
    expect(await waiting).toMatchObject({ reason: 'closed' });
    await expect(pool.run(ECHO, { text: 'trop tard' })).rejects.toMatchObject({ reason: 'closed' });
  });
});
