/**
 * Where blobs live and the limits on them. The edge reads them from the environment (edge/blob-env.ts):
 *  - `FAC_BLOB_STORE`: unset or `local` → files under `<data>/blobs`; `s3://bucket[/prefix]?endpoint=…&region=…&path-style=true|false`
 *    → an S3-compatible bucket. Credentials come from `FAC_S3_ACCESS_KEY_ID` and `FAC_S3_SECRET_ACCESS_KEY`
 *    (never in the URL, which may be logged), else from the AWS SDK's usual sources.
 *  - `FAC_BLOB_GRACE_HOURS` (24): an upload never finished, or a blob no mutation referenced, is deleted
 *    after this long; `FAC_BLOB_GC_INTERVAL_MINUTES` (60; 0 = never) how often the server looks;
 *  - `FAC_BLOB_MAX_UPLOADS_PER_KIOSK` (8) uploads in progress, `FAC_BLOB_MAX_UNREFERENCED_PER_KIOSK` (500)
 *    blobs uploaded and not referenced yet: beyond, a kiosk's new uploads are refused (429) until it
 *    catches up, so no kiosk can flood the store;
 *  - `FAC_BLOB_UPLOAD_STALE_MINUTES` (5): an unfinished upload that received no byte (and whose offset no
 *    one asked) for this long is stale: it no longer counts as in progress, and the cleanup deletes it.
 *    A kiosk killed or cut off mid-upload thus gets its slots back in minutes, not after the grace period.
 */
import { z } from 'zod';

export const S3StoreConfig = z.object({
  kind: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  /** '' or ending with '/' */
  prefix: z.string().regex(/^(|[A-Za-z0-9!_.*'()/-]{1,200}\/)$/),
  endpoint: z.url({ protocol: /^https?$/ }).nullable(),
  region: z.string().regex(/^[a-z0-9-]{1,40}$/),
  forcePathStyle: z.boolean(),
  accessKeyId: z.string().min(1).nullable(),
  secretAccessKey: z.string().min(1).nullable(),
});
export type S3StoreConfig = z.infer<typeof S3StoreConfig>;

export const BlobStoreConfig = z.discriminatedUnion('kind', [z.object({ kind: z.literal('local') }), S3StoreConfig]);
export type BlobStoreConfig = z.infer<typeof BlobStoreConfig>;

export const BlobsConfig = z.object({
  store: BlobStoreConfig,
  graceMs: z.number().int().positive(),
  /** 0 = no periodic cleanup (the staff command still runs it) */
  gcIntervalMs: z.number().int().nonnegative(),
  maxUploadsPerKiosk: z.number().int().positive(),
  maxUnreferencedPerKiosk: z.number().int().positive(),
  /** an unfinished upload silent for this long stops counting against its kiosk and is cleaned up */
  uploadStaleMs: z.number().int().positive(),
});
export type BlobsConfig = z.infer<typeof BlobsConfig>;

export const DEFAULT_BLOBS_CONFIG: BlobsConfig = {
  store: { kind: 'local' },
  graceMs: 24 * 60 * 60 * 1000,
  gcIntervalMs: 60 * 60 * 1000,
  maxUploadsPerKiosk: 8,
  maxUnreferencedPerKiosk: 500,
  uploadStaleMs: 5 * 60 * 1000,
};
