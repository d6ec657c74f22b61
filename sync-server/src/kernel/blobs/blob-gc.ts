/**
 * Orphan cleanup: what kiosks uploaded but never used. After a grace period it deletes
 *  - uploads never completed (tus files and their bookkeeping),
 *  - blobs no applied mutation ever referenced (`referenced_at` null), row then bytes,
 *  - bytes in the store that no row describes (a crash between storing and recording),
 * Run periodically by the server's housekeeping job (edge/jobs/housekeeping.ts) and by `npm run staff -- blobs gc`. Safe to run from several processes
 * at once: each deletion is conditional, and a blob a mutation references meanwhile is kept (the mutation
 * locks the row and sets `referenced_at` in its transaction; the deletion re-checks it).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { BlobStore } from './blob-store.ts';

export interface GcOptions {
  db: Kysely<Database>;
  store: BlobStore;
  /** the tus upload folder */
  uploadDir: string;
  graceMs: number;
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

const UPLOAD_ID = /^[0-9A-Za-z_-]{1,128}$/;

export async function collectOrphanBlobs(o: GcOptions): Promise<GcReport> {
  const { db, store } = o;
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - o.graceMs).toISOString();
  const report: GcReport = { uploadsDeleted: 0, blobsDeleted: 0, strayBytesDeleted: 0, kept: 0 };

  // 1. uploads never completed; and the bookkeeping of finished ones
  const stale = await db.selectFrom('blob_uploads').select(['upload_id', 'finished_at']).where('created_at', '<', cutoff).execute();
  for (const u of stale) {
    if (u.finished_at === null) {
      report.uploadsDeleted++;
      if (o.dryRun) continue;
      if (UPLOAD_ID.test(u.upload_id)) {
        await rm(join(o.uploadDir, u.upload_id), { force: true });
        await rm(join(o.uploadDir, `${u.upload_id}.json`), { force: true });
      }
    }
    if (!o.dryRun) await db.deleteFrom('blob_uploads').where('upload_id', '=', u.upload_id).execute();
  }

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
