/**
 * The server's housekeeping: on a schedule, each part of the server clears what it alone knows to be
 * stale — orphan blobs and abandoned uploads (kernel), used challenges and expired kiosk sessions
 * (fleet), expired console sessions and login failures that no longer count (accounts), the directory's
 * change log older than kiosks need and the institutions' expired bearer tokens (institutions). No part purges
 * another's tables; this job only calls them in turn.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { purgeExpiredConsoleSessions, purgeLoginFailures } from '../../features/accounts/index.ts';
import { purgeExpiredNonces, purgeExpiredSessions } from '../../features/fleet/index.ts';
import { pruneDirectoryChanges, purgeExpiredInstitutionTokens } from '../../features/institutions/index.ts';
import { collectOrphanBlobs } from '../../kernel/blobs/blob-gc.ts';
import type { GcReport } from '../../kernel/blobs/blob-gc.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export interface HousekeepingReport extends GcReport {
  /** challenges, kiosk sessions, console sessions, login failures and institutions' bearer tokens dropped */
  authRowsDeleted: number;
  /** directory changes older than a kiosk's copy is trusted for (such a kiosk gets it all again) */
  directoryChangesDeleted: number;
}

export interface HousekeepingDeps {
  db: Kysely<Database>;
  store: BlobStore;
  uploadDir: string;
  graceMs: number;
  uploadStaleMs: number;
}

/** One round of every purge, in turn. */
export async function runHousekeeping(deps: HousekeepingDeps, o: { now?: Date } = {}): Promise<HousekeepingReport> {
  const now = o.now ?? new Date();
  const blobs = await collectOrphanBlobs({ db: deps.db, store: deps.store, uploadDir: deps.uploadDir, graceMs: deps.graceMs, uploadStaleMs: deps.uploadStaleMs, now });
  const t = now.getTime();
  let authRowsDeleted = 0;
  authRowsDeleted += await purgeExpiredSessions(deps.db, t);
  authRowsDeleted += await purgeExpiredNonces(deps.db, t);
  authRowsDeleted += await purgeLoginFailures(deps.db, t);
  authRowsDeleted += await purgeExpiredConsoleSessions(deps.db, t);
  authRowsDeleted += await purgeExpiredInstitutionTokens(deps.db, t);
  const directoryChangesDeleted = await pruneDirectoryChanges(deps.db, 180, now);
  return { ...blobs, authRowsDeleted, directoryChangesDeleted };
}

/** Runs the housekeeping every `intervalMs` (0: never); returns the function that stops it. */
export function scheduleHousekeeping(deps: HousekeepingDeps, intervalMs: number, log: FastifyBaseLogger): () => void {
  if (intervalMs <= 0) return () => {};
  const timer = setInterval(() => {
    runHousekeeping(deps).then(
      (r) => {
        if (r.uploadsDeleted + r.blobsDeleted + r.strayBytesDeleted > 0) log.info(r, 'orphan blobs cleaned up');
      },
      (err: unknown) => log.warn({ err }, 'housekeeping failed'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
