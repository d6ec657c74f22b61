/**
 * Orphan cleanup: what kiosks uploaded but never used. It deletes
 *  - uploads never completed that went silent (no byte received, no offset asked) for the stale delay
 *    (minutes: a kiosk killed mid-upload, or one that started the blob anew), tus files and bookkeeping;
 *    and, after the grace period, the bookkeeping of finished ones;
 *  - blobs no applied mutation ever referenced (`referenced_at` null), after the grace period, row then bytes,
 *  - bytes in the store that no row describes (a crash between storing and recording), after the grace period.
 * Run periodically by the server's housekeeping job (edge/jobs/housekeeping.ts) and by `npm run staff -- blobs gc`. Safe to run from several processes
 * at once: each deletion is conditional, and a blob a mutation references meanwhile is kept (the mutation
 * locks the row and sets `referenced_at` in its transaction; the deletion re-checks it); so is an upload
 * that showed life meanwhile.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { BlobStore } from './blob-store.ts';
import { deleteFinishedUploadRows, deleteStaleUploads } from './uploads.ts';

export interface GcOptions {
  db: Kysely<Database>;
  store: BlobStore;
  /** the tus upload folder */
  uploadDir: string;
  graceMs: number;
  /** an unfinished upload silent this long is deleted (never later than the grace period) */
  uploadStaleMs: number;
  now?: Date;
  /** report what would go, delete nothing */
  dryRun?: boolean;
}

export interface GcReport {
  uploadsDeleted: number;
  blobsDeleted: number;
  strayBytesDeleted: number;
  /** blobs kept because something referenced them after all */
  kept: number;
}

export async function collectOrphanBlobs(o: GcOptions): Promise<GcReport> {
  const { db, store } = o;
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - o.graceMs).toISOString();
  const report: GcReport = { uploadsDeleted: 0, blobsDeleted: 0, strayBytesDeleted: 0, kept: 0 };

  // 1. uploads never completed and silent for the stale delay; and the bookkeeping of finished ones
  const staleBefore = new Date(now.getTime() - Math.min(o.uploadStaleMs, o.graceMs)).toISOString();
  report.uploadsDeleted = await deleteStaleUploads(db, o.uploadDir, staleBefore, o.dryRun);
  if (!o.dryRun) await deleteFinishedUploadRows(db, cutoff);

  // 2. blobs never referenced: the row first (conditionally), then the bytes
  const orphans = await db.selectFrom('blobs').select('sha256').where('referenced_at', 'is', null).where('created_at', '<', cutoff).execute();
  for (const { sha256 } of orphans) {
    if (o.dryRun) {
      report.blobsDeleted++;
      continue;
    }
    let deleted = 0;
    try {
      const r = await db.deleteFrom('blobs').where('sha256', '=', sha256).where('referenced_at', 'is', null).executeTakeFirst();
      deleted = Number(r.numDeletedRows);
    } catch {
      // a foreign key says something uses it after all (written without a mutation): keep it, and say so
      await db.updateTable('blobs').set({ referenced_at: now.toISOString() }).where('sha256', '=', sha256).where('referenced_at', 'is', null).execute();
    }
    if (deleted === 0) {
      report.kept++;
      continue;
    }
    await store.delete(sha256);
    report.blobsDeleted++;
  }

  // 3. bytes without a row, old enough not to be an upload being recorded right now
  const graceEnd = new Date(now.getTime() - o.graceMs);
  for await (const b of store.list()) {
    if (b.modifiedAt >= graceEnd) continue;
    const row = await db.selectFrom('blobs').select('sha256').where('sha256', '=', b.sha256).executeTakeFirst();
    if (row) continue;
    report.strayBytesDeleted++;
    if (!o.dryRun) await store.delete(b.sha256);
  }

  return report;
}
