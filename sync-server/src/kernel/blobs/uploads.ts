/**
 * The bookkeeping of blob uploads: who started which upload (`blob_uploads`), and the blobs a finished
 * upload became (`blobs`, not referenced by any mutation until one uses it). The tus routes at the edge
 * call these; the limits they enforce are counted here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

async function count(q: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }): Promise<number> {
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Uploads this kiosk started after `since` and has not finished. */
export async function uploadsInFlight(db: Kysely<Database>, kioskId: string, since: string): Promise<number> {
  return count(
    db
      .selectFrom('blob_uploads')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('kiosk_id', '=', kioskId)
      .where('finished_at', 'is', null)
      .where('created_at', '>', since),
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
  await db
    .insertInto('blob_uploads')
    .values({ upload_id: u.uploadId, kiosk_id: u.kioskId, sha256: u.sha256, size: u.size, created_at: new Date().toISOString(), finished_at: null })
    .execute();
}

export async function recordUploadFinished(db: Kysely<Database>, uploadId: string, at: string): Promise<void> {
  await db.updateTable('blob_uploads').set({ finished_at: at }).where('upload_id', '=', uploadId).execute();
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
