/**
 * The bookkeeping of blob uploads: who started which upload (`blob_uploads`), and the blobs a finished
 * upload became (`blobs`, not referenced by any mutation until one uses it). The tus routes at the edge
 * call these; the limits they enforce are counted here.
 *
 * An upload is *live* while it shows life: created, a byte received or its offset asked within the stale
 * delay (`BlobsConfig.uploadStaleMs`). Only live uploads count against a kiosk's limit: one abandoned by
 * a kiosk that was killed, cut off or that started the same blob anew must not hold its slot for a day.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

async function count(q: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }): Promise<number> {
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** tus upload ids as the edge accepts them: the only names ever joined to the upload folder */
const UPLOAD_ID = /^[0-9A-Za-z_-]{1,128}$/;

/** Unfinished uploads of this kiosk that showed life after `liveSince` (ISO time). */
export async function uploadsInFlight(db: Kysely<Database>, kioskId: string, liveSince: string): Promise<number> {
  return count(
    db
      .selectFrom('blob_uploads')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('kiosk_id', '=', kioskId)
      .where('finished_at', 'is', null)
      .where((eb) => eb(eb.fn.coalesce('touched_at', 'created_at'), '>', liveSince)),
  );
}

/** Blobs this kiosk uploaded that no applied mutation references yet. */
export async function unreferencedBlobs(db: Kysely<Database>, kioskId: string): Promise<number> {
  return count(
    db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('uploaded_by', '=', kioskId)
      .where('referenced_at', 'is', null),
  );
}

export async function recordUploadStarted(db: Kysely<Database>, u: { uploadId: string; kioskId: string; sha256: string; size: number }): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('blob_uploads')
    .values({ upload_id: u.uploadId, kiosk_id: u.kioskId, sha256: u.sha256, size: u.size, created_at: now, finished_at: null, touched_at: now })
    .execute();
}

/** The upload showed life (bytes arrived, its offset was asked). A finished one is left as it is. */
export async function touchUpload(db: Kysely<Database>, uploadId: string, at: string): Promise<void> {
  await db.updateTable('blob_uploads').set({ touched_at: at }).where('upload_id', '=', uploadId).where('finished_at', 'is', null).execute();
}

export async function recordUploadFinished(db: Kysely<Database>, uploadId: string, at: string): Promise<void> {
  await db.updateTable('blob_uploads').set({ finished_at: at }).where('upload_id', '=', uploadId).execute();
}

/** Deletes an unfinished upload's files in the tus folder (its bytes and its `.json` description). */
export async function removeUploadFiles(uploadDir: string, uploadId: string): Promise<void> {
  if (!UPLOAD_ID.test(uploadId)) return;
  await rm(join(uploadDir, uploadId), { force: true });
  await rm(join(uploadDir, `${uploadId}.json`), { force: true });
}

/**
 * A kiosk starts an upload of a blob it had started before and not finished (its URL was lost with a
 * crash, or the server lost the upload's end): the older uploads are given up at once, row then files,
 * so they hold no slot. Only the same kiosk's: another kiosk's upload of the same bytes is its own.
 * Returns how many were released.
 */
export async function releaseUploadsOf(db: Kysely<Database>, uploadDir: string, o: { kioskId: string; sha256: string }): Promise<number> {
  const older = await db
    .selectFrom('blob_uploads')
    .select('upload_id')
    .where('kiosk_id', '=', o.kioskId)
    .where('sha256', '=', o.sha256)
    .where('finished_at', 'is', null)
    .execute();
  let released = 0;
  for (const { upload_id } of older) {
    // the row first, and only while still unfinished: an upload finishing right now keeps its bytes
    const r = await db.deleteFrom('blob_uploads').where('upload_id', '=', upload_id).where('finished_at', 'is', null).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) continue;
    await removeUploadFiles(uploadDir, upload_id);
    released++;
  }
  return released;
}

/**
 * Deletes unfinished uploads silent since before `staleBefore` (ISO time), row then files; each deletion
 * re-checks the row, so an upload that showed life meanwhile is kept. Returns how many went (with
 * `dryRun`, how many would).
 */
export async function deleteStaleUploads(db: Kysely<Database>, uploadDir: string, staleBefore: string, dryRun = false): Promise<number> {
  const stale = await db
    .selectFrom('blob_uploads')
    .select('upload_id')
    .where('finished_at', 'is', null)
    .where((eb) => eb(eb.fn.coalesce('touched_at', 'created_at'), '<', staleBefore))
    .execute();
  if (dryRun) return stale.length;
  let deleted = 0;
  for (const { upload_id } of stale) {
    const r = await db
      .deleteFrom('blob_uploads')
      .where('upload_id', '=', upload_id)
      .where('finished_at', 'is', null)
      .where((eb) => eb(eb.fn.coalesce('touched_at', 'created_at'), '<', staleBefore))
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) continue;
    await removeUploadFiles(uploadDir, upload_id);
    deleted++;
  }
  return deleted;
}

/** Drops the bookkeeping of uploads that finished before `before` (ISO time). */
export async function deleteFinishedUploadRows(db: Kysely<Database>, before: string): Promise<void> {
  await db.deleteFrom('blob_uploads').where('finished_at', 'is not', null).where('created_at', '<', before).execute();
}

/** The blob a finished upload became (kept as it is if another upload stored the same bytes before). */
export async function recordBlob(db: Kysely<Database>, b: { sha256: string; size: number; mime: string; uploadedBy: string | null; at: string }): Promise<void> {
  await db
    .insertInto('blobs')
    .values({ sha256: b.sha256, size: b.size, mime: b.mime, created_at: b.at, uploaded_by: b.uploadedBy, referenced_at: null })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

export async function blobRecorded(db: Kysely<Database>, sha256: string): Promise<boolean> {
  return (await db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
}

/** The server refused this file at the end of its upload: a mutation naming it is refused for good. */
export async function recordRefusedBlob(db: Kysely<Database>, r: { sha256: string; kioskId: string | null; problem: string; at: string }): Promise<void> {
  await db
    .insertInto('refused_blobs')
    .values({ sha256: r.sha256, kiosk_id: r.kioskId, problem: r.problem.slice(0, 200), refused_at: r.at })
    .onConflict((oc) => oc.column('sha256').doUpdateSet({ problem: r.problem.slice(0, 200), refused_at: r.at }))
    .execute();
}

/** Of these hashes, the files refused at upload, with why. */
export async function refusedBlobs(db: Kysely<Database>, sha256s: readonly string[]): Promise<Map<string, string>> {
  if (sha256s.length === 0) return new Map();
  const rows = await db.selectFrom('refused_blobs').select(['sha256', 'problem']).where('sha256', 'in', [...sha256s]).execute();
  return new Map(rows.map((r) => [r.sha256, r.problem]));
}
