/**
 * Random kills during uploads: the kiosk and the server run as real processes, the kiosk's traffic goes
 * through a slowed link (so an upload takes a moment), and for many rounds documents are queued, then
 * the kiosk, the server or both are killed with SIGKILL at a random moment — once, sometimes twice —
 * and restarted on the same data. Every round the outbox must drain, every queued mutation must be on the
 * server exactly once, and every blob stored.
 *
 * The server keeps the production limit of 8 uploads in progress per kiosk and a short stale delay (so
 * the housekeeping also deletes uploads a killed kiosk left, and resumes meet 404s). The random draws
 * come from one seed, printed when a round fails: `FAC_CHAOS_SEED=<seed>` replays the same draws
 * (`FAC_CHAOS_ROUNDS` changes the number of rounds, `FAC_CHAOS_TRACE=1` prints each round's events).
 * A killed server comes back after a random 0–4 s: sometimes within the upload library's own retries,
 * sometimes not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeedFile, seedDatabase } from '../../sync-server/src/edge/seed.ts';
import { openDatabase } from '../../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../../sync-server/src/kernel/storage/migrate.ts';
import { freshEnv, SEED_PATH } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { freePort } from '../setup/postgres.ts';
import { expectExactlyOnce, newKioskCode, serverHolds, WHO } from '../support/fault-kit.ts';
import { prepareKioskProcess } from '../support/kiosk-process.ts';
import type { KioskProcess, PreparedKioskProcess } from '../support/kiosk-process.ts';
import { startSlowLink } from '../support/slow-link.ts';
import type { SlowLink } from '../support/slow-link.ts';
import { prepareServerProcess } from './server-process.ts';
import type { PreparedServerProcess, ServerProcess } from './server-process.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';

const ROUNDS = Number(process.env.FAC_CHAOS_ROUNDS ?? 20);
const SEED = Number(process.env.FAC_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, seedable, good enough to choose moments and victims */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Victim = 'kiosk' | 'server' | 'both';

describe('the kiosk and the server killed at random moments during uploads', () => {
  let env: TestEnv;
  let port: number;
  let storage: ReturnType<typeof openDatabase>;
  let link: SlowLink;
  let server: ServerProcess | null = null;
  /** the next server and kiosk, their modules loaded ahead (seconds of CPU), so a restart takes a moment, as systemd's would */
  let spare: Promise<PreparedServerProcess> | null = null;
  let kiosk: KioskProcess | null = null;
  let spareKiosk: Promise<PreparedKioskProcess> | null = null;
  const dirs: string[] = [];

  beforeAll(async () => {
    env = await freshEnv('sqlite', false);
    await installTestCa(env.config.dataDir);
    port = await freePort();
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    // 1 MB/s from the kiosk: a round's uploads take a second or two, long enough to be cut
    link = await startSlowLink({ host: '127.0.0.1', port }, 1024 * 1024);
  });
  afterAll(async () => {
    await kiosk?.kill();
    await server?.kill();
    await (await spare?.catch(() => null))?.kill();
    await (await spareKiosk?.catch(() => null))?.kill();
    await link?.close();
    await storage?.db.destroy();
    await env?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`drains every round, exactly once (${ROUNDS} rounds)`, async () => {
    const random = seeded(SEED);
    const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const config = { ...env.config, port, blobs: { ...env.config.blobs, uploadStaleMs: 4000, gcIntervalMs: 1000 } };
    const dataDir = mkdtempSync(join(tmpdir(), 'fac-chaos-kiosk-'));
    dirs.push(dataDir);
    /** likewise for the kiosk: the spare opens the same data folder the killed one left */
    const startKiosk = async (o: { chunkSize: number; enrollmentCode?: string }) => {
      const next = spareKiosk ?? prepareKioskProcess(60_000);
      spareKiosk = prepareKioskProcess(60_000);
      spareKiosk.catch(() => undefined);
      return (await next).start({ dataDir, url: link.url, ...o }, 60_000);
    };
    /** the spare becomes the server (after `downMs`: a restart may outlast the upload library's own retries) */
    const startServer = async (downMs: number) => {
      const next = spare ?? prepareServerProcess({ config }, 60_000);
      // the one after loads meanwhile (a failure shows when it is used)
      spare = prepareServerProcess({ config }, 60_000);
      spare.catch(() => undefined);
      const [prepared] = await Promise.all([next, new Promise((res) => setTimeout(res, downMs))]);
      return prepared.start(60_000);
    };
    /** resolves once an upload of this round is on the server and unfinished (or after `timeoutMs`) */
    const uploadUnderWay = async (kioskId: string, since: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const row = await storage.db
          .selectFrom('blob_uploads')
          .select('upload_id')
          .where('kiosk_id', '=', kioskId)
          .where('finished_at', 'is', null)
          .where('created_at', '>=', since)
          .executeTakeFirst();
        if (row) return;
        await new Promise((res) => setTimeout(res, 20));
      }
    };

    const { kioskId, code } = await newKioskCode(storage.db, storage.dialect);
    server = await startServer(0);
    kiosk = await startKiosk({ enrollmentCode: code, chunkSize: 1024 * 1024 });
    await kiosk.waitFor('enrolled', (s) => s.identity.state === 'enrolled', 30_000);

    const queued = { ids: [] as string[], documentIds: [] as string[], shas: [] as string[] };
    const stats = { kills: 0, midUpload: 0, byVictim: { kiosk: 0, server: 0, both: 0 } as Record<Victim, number> };
    for (let round = 0; round < ROUNDS; round++) {
      const trace: string[] = [];
      const t0 = Date.now();
      const note = (what: string) => trace.push(`+${Date.now() - t0} ms ${what}`);
      try {
        // a few papers, most under one chunk, some over
        const count = between(2, 4);
        const sizes = Array.from({ length: count }, () => (random() < 0.75 ? between(20_000, 600_000) : between(1_100_000, 1_400_000)));
        const roundStart = new Date().toISOString();
        for (const size of sizes) {
          const e = await kiosk.enqueue(1, size, { ...WHO, kioskId });
          queued.ids.push(...e.ids);
          queued.documentIds.push(...e.documentIds);
          queued.shas.push(...e.shas);
        }
        note(`queued ${sizes.join(', ')} bytes`);
        const kills = random() < 0.25 ? 2 : 1;
        for (let k = 0; k < kills; k++) {
          // most kills aimed at an upload under way (a random moment after one began), the others anywhere
          const aimed = random() < 0.7;
          const delay = between(0, aimed ? 300 : 1500);
          const r = random();
          const victim: Victim = r < 0.45 ? 'kiosk' : r < 0.8 ? 'server' : 'both';
          if (aimed) await uploadUnderWay(kioskId, roundStart, 3000);
          await new Promise((res) => setTimeout(res, delay));
          if (victim !== 'server') await kiosk.kill();
          if (victim !== 'kiosk') await server.kill();
          const unfinished = await storage.db
            .selectFrom('blob_uploads')
            .select('upload_id')
            .where('kiosk_id', '=', kioskId)
            .where('finished_at', 'is', null)
            .where('created_at', '>=', roundStart)
            .execute();
          stats.kills++;
          stats.byVictim[victim]++;
          if (unfinished.length > 0) stats.midUpload++;
          note(`killed ${victim} ${aimed ? 'during an upload, ' : ''}after ${delay} ms (${unfinished.length} uploads unfinished)`);
          // drawn before the restarts, so the draws do not depend on which finishes first
          const chunkSize = random() < 0.5 ? 256 * 1024 : 1024 * 1024;
          const downMs = between(0, 4000);
          const [s, k2] = await Promise.all([victim !== 'kiosk' ? startServer(downMs) : null, victim !== 'server' ? startKiosk({ chunkSize }) : null]);
          if (s) server = s;
          if (k2) kiosk = k2;
          note('restarted');
        }
        const total = queued.ids.length;
        await kiosk.waitFor('the outbox drained', (s) => s.status.pending === 0 && s.lastAckedSeq === total, 90_000);
        note('drained');
        if (process.env.FAC_CHAOS_TRACE) console.info(`round ${round + 1}: ${trace.join('; ')}`);
        if (process.env.FAC_TEST_KIOSK_LOG === '1' && Date.now() - t0 > 8000) console.info(`round ${round + 1} kiosk log:\n${kiosk.stderr().slice(-6000)}`);
        expectExactlyOnce(await serverHolds(storage.db, kioskId), queued);
        const stored = await storage.db.selectFrom('blobs').select('sha256').where('sha256', 'in', queued.shas).execute();
        expect(stored).toHaveLength(new Set(queued.shas).size);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        const logs = `server stderr: ${server?.stderr().slice(-1500) ?? ''}\nkiosk stderr: ${kiosk?.stderr().slice(-1500) ?? ''}`;
        throw new Error(`upload chaos failed — replay with FAC_CHAOS_SEED=${SEED} (round ${round + 1} of ${ROUNDS}: ${trace.join('; ')})\n${why}\n${logs}`, { cause: err });
      }
    }
    console.info(`upload chaos, seed ${SEED}: ${ROUNDS} rounds, ${stats.kills} kills (kiosk ${stats.byVictim.kiosk}, server ${stats.byVictim.server}, both ${stats.byVictim.both}), ${stats.midUpload} during an upload`);
    // the test is about uploads: most kills must have cut one
    expect(stats.midUpload, `seed ${SEED}`).toBeGreaterThanOrEqual(Math.ceil(stats.kills / 3));
  }, 300_000);
});
