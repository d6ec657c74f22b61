/**
 * Blob uploads over tus (resumable), mounted in Fastify at TUS_PATH, plus an existence check so a kiosk
 * can skip re-uploading. Every request carries `Authorization: Kiosk <kioskId>:<session token>` (a
 * short-lived token the kiosk obtained by signing a challenge; auth/kiosk-auth.ts).
 * An upload becomes a blob only once its SHA-256 matches the `sha256` metadata the kiosk declared.
 * A kiosk cannot flood the store: uploads in progress and blobs it uploaded that no mutation references
 * yet are counted, and beyond the limits new uploads are refused with 429 until it catches up.
 * Nor can it store a file that is not what it says: once its hash matches, an upload is checked in full
 * (an image decoded, a PDF opened with limits: `deps.inspect`) and refused with 422 when it fails, nothing
 * stored. The bytes are the kiosk's, named by their SHA-256, so they are checked, never rewritten.
 * Nor can a kiosk lock itself out (killed mid-upload, or cut off longer than its retries last): only live
 * uploads count (a byte received or the offset asked within `uploadStaleMs`, kernel/blobs/uploads.ts),
 * and a new upload of a blob the same kiosk had started before releases the older one at once.
 */
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS as TUS_EVENTS, Server as TusServer } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { FileMime, LIMITS, Sha256 } from '../../../protocol/common.ts';
import { parseKioskAuthorization, TUS_PATH } from '../../../protocol/socket.ts';
import type { KioskAuth } from '../../../protocol/socket.ts';
import { verifyKioskToken } from '../../features/fleet/index.ts';
import { sendError } from './errors.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { sha256OfFile } from '../../kernel/blobs/blob-store.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { FileVerdict } from '../../kernel/files/inspect.ts';
import {
  blobRecorded,
  recordBlob,
  recordRefusedBlob,
  recordUploadFinished,
  recordUploadStarted,
  releaseUploadsOf,
  touchUpload,
  unreferencedBlobs,
  uploadsInFlight,
} from '../../kernel/blobs/uploads.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';

/** Status sent when the uploaded bytes do not hash to the declared SHA-256 (tus leaves 460+ to servers). */
export const HASH_MISMATCH_STATUS = 460;
/** Status sent when the uploaded bytes are not the file they are declared as (an image that does not decode…). */
export const UNREADABLE_FILE_STATUS = 422;
export const BLOB_EXISTS_PATH = '/sync/blob-exists/';
/**
 * However alive, an unfinished upload is refused (410) a day after its creation; the kiosk then starts it
 * again. Silent ones go much sooner (`uploadStaleMs`, by the housekeeping).
 */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

export interface BlobLimits {
  /** live uploads (created and not finished, not stale) per kiosk */
  maxUploadsPerKiosk: number;
  /** blobs a kiosk uploaded that no applied mutation references yet */
  maxUnreferencedPerKiosk: number;
  /** an unfinished upload with no byte received and no offset asked for this long stops counting */
  uploadStaleMs: number;
}

/**
 * Fault-injection point for the fault tests (a server killed once all of an upload's bytes are in, before
 * it stored the blob). Passed in code only, through `startServer(config, { hooks })`.
 */
export interface BlobUploadTestHooks {
  beforeUploadFinish?(u: { kioskId: string | null; sha256: string; uploadId: string }): Promise<void> | void;
}

export interface BlobRoutesDeps {
  db: Kysely<Database>;
  blobStore: BlobStore;
  /** where tus keeps uploads in progress (always local: an upload is hashed there before it is stored) */
  uploadDir: string;
  limits: BlobLimits;
  /** checks a finished upload's file in full (kernel/files/inspect.ts) before it is stored */
  inspect(file: string, mime: FileMime): Promise<FileVerdict>;

  hooks?: BlobUploadTestHooks;
}

const UploadMetadata = z.object({ sha256: Sha256, mime: FileMime });
const BlobParams = z.object({ sha256: Sha256 });
const UploadId = z.string().regex(/^[0-9A-Za-z_-]{1,128}$/);

/** tus hooks report failures by throwing `{ status_code, body }`. */
function tusFailure(status_code: number, body: string): { status_code: number; body: string } {
  return { status_code, body };
}

export async function registerBlobRoutes(app: FastifyInstance, deps: BlobRoutesDeps): Promise<void> {
  const { db, blobStore, uploadDir, limits, hooks } = deps;
  const datastore = new FileStore({ directory: uploadDir, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });
  const tusPath = TUS_PATH.replace(/\/$/, '');

  /** a sign of life of an upload; bookkeeping only, so a failure is logged and the upload goes on */
  const touch = async (uploadId: string): Promise<void> => {
    await touchUpload(db, uploadId, new Date().toISOString()).catch((err: unknown) => app.log.warn({ err }, 'upload activity not recorded'));
  };

  const tus = new TusServer({
    path: tusPath,
    datastore,
    maxSize: LIMITS.blobBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    // while bytes flow, the upload is marked alive this often (well within the stale delay)
    postReceiveInterval: Math.max(100, Math.min(10_000, Math.floor(limits.uploadStaleMs / 4))),
    async onUploadCreate(req, upload) {
      // the Fastify route has authenticated the request already; this records who owns the upload
      const auth = parseKioskAuthorization(req.headers.get('authorization') ?? undefined);
      if (!auth) throw tusFailure(401, 'unauthorized\n');
      if (upload.sizeIsDeferred || upload.size === undefined || upload.size <= 0) {
        throw tusFailure(400, 'Upload-Length is required and must be positive\n');
      }
      const meta = UploadMetadata.safeParse(upload.metadata ?? {});
      if (!meta.success) throw tusFailure(400, 'Upload-Metadata must carry sha256 (64 hex digits) and mime (image/jpeg, image/png, image/webp or application/pdf)\n');
      // the kiosk starts this blob anew: what it had started of it before will never be resumed
      await releaseUploadsOf(db, uploadDir, { kioskId: auth.kioskId, sha256: meta.data.sha256 });
      const liveSince = new Date(Date.now() - limits.uploadStaleMs).toISOString();
      const inFlight = await uploadsInFlight(db, auth.kioskId, liveSince);
      if (inFlight >= limits.maxUploadsPerKiosk) throw tusFailure(429, `too_many_uploads: at most ${limits.maxUploadsPerKiosk} uploads in progress per kiosk\n`);
      const unreferenced = await unreferencedBlobs(db, auth.kioskId);
      if (unreferenced >= limits.maxUnreferencedPerKiosk) {
        throw tusFailure(429, `too_many_blobs: at most ${limits.maxUnreferencedPerKiosk} uploaded files waiting for their document\n`);
      }
      await recordUploadStarted(db, { uploadId: upload.id, kioskId: auth.kioskId, sha256: meta.data.sha256, size: upload.size });
      return { metadata: { sha256: meta.data.sha256, mime: meta.data.mime, kioskId: auth.kioskId } };
    },
    async onUploadFinish(_req, upload) {
      const meta = UploadMetadata.parse(upload.metadata ?? {});
      const kioskId = typeof upload.metadata?.kioskId === 'string' ? upload.metadata.kioskId : null;
      await hooks?.beforeUploadFinish?.({ kioskId, sha256: meta.sha256, uploadId: upload.id });
      const file = join(uploadDir, upload.id);
      const refused = await refusedFile(file, meta);
      if (refused) {
        await datastore.remove(upload.id).catch(() => {});
        await recordUploadFinished(db, upload.id, new Date().toISOString());
        // for good (not "too busy"): the mutation that names this file will be refused, not wait for it
        if (!refused.retry) await recordRefusedBlob(db, { sha256: meta.sha256, kioskId, problem: refused.problem, at: new Date().toISOString() });
        throw tusFailure(refused.retry ? 503 : UNREADABLE_FILE_STATUS, `unreadable_file: ${refused.problem}: ${refused.message}\n`);
      }
      const put = await blobStore.putFile(meta.sha256, file);
      const now = new Date().toISOString();
      if (!put.ok) {
        await datastore.remove(upload.id).catch(() => {});
        await recordUploadFinished(db, upload.id, now);
        throw tusFailure(HASH_MISMATCH_STATUS, `blob_mismatch: the uploaded bytes do not hash to ${meta.sha256}\n`);
      }
      try {
        await recordBlob(db, { sha256: meta.sha256, size: put.size, mime: meta.mime, uploadedBy: kioskId, at: now });
        await recordUploadFinished(db, upload.id, now);
      } finally {
        // the bytes are in the blob store now; only the upload's bookkeeping is left to drop. If the row
        // insert failed, the kiosk uploads again and the stored bytes are written again.
        await datastore.configstore.delete(upload.id);
      }
      return {};
    },
  });

  /**
   * Why a finished upload's file is refused, or null. Checked only once it hashes right: bytes damaged on
   * the way are a mismatch (the kiosk uploads them again), which putFile reports.
   */
  async function refusedFile(file: string, meta: { sha256: string; mime: FileMime }): Promise<Extract<FileVerdict, { ok: false }> | null> {
    if ((await sha256OfFile(file)) !== meta.sha256) return null;
    const verdict = await deps.inspect(file, meta.mime);
    return verdict.ok ? null : verdict;
  }

  tus.on(TUS_EVENTS.POST_RECEIVE, (_req, upload) => {
    // the last chunk's event would only race the finish, which closes the row
    if (upload.size === undefined || upload.offset < upload.size) void touch(upload.id);
  });

  const cleanup = (): void => {
    tus.cleanUpExpiredUploads().catch((err: unknown) => app.log.warn({ err }, 'expired uploads cleanup failed'));
  };
  cleanup();
  const timer = setInterval(cleanup, CLEANUP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<KioskAuth | null> {
    const auth = parseKioskAuthorization(request.headers.authorization);
    const verdict = auth ? await verifyKioskToken(db, auth) : 'unauthorized';
    if (auth && verdict === 'ok') return auth;
    if (verdict === 'revoked') await sendError(reply, 403, 'forbidden', HTTP_ANSWER.kioskRevoked);
    else await sendError(reply, 401, 'unauthorized', HTTP_ANSWER.badKioskCredentials);
    return null;
  }

  /**
   * An upload in progress may be touched only by the kiosk that created it. `id` is set when the upload
   * exists and is this kiosk's; otherwise tus answers (404) itself.
   */
  async function ownUpload(auth: KioskAuth, url: string): Promise<{ allowed: boolean; id: string | null }> {
    const path = url.split('?')[0] ?? '';
    let decoded: string;
    try {
      decoded = decodeURIComponent(path.slice(TUS_PATH.length));
    } catch {
      return { allowed: true, id: null };
    }
    const id = UploadId.safeParse(decoded);
    if (!id.success) return { allowed: true, id: null };
    try {
      const upload = await datastore.getUpload(id.data);
      return upload.metadata?.kioskId === auth.kioskId ? { allowed: true, id: id.data } : { allowed: false, id: null };
    } catch {
      return { allowed: true, id: null };
    }
  }

  await app.register(async (scope) => {
    // tus reads the request body itself: Fastify must leave the stream untouched
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const tusHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const auth = await authenticate(request, reply);
      if (!auth) return;
      let owned: string | null = null;
      if (request.method !== 'POST' && request.method !== 'OPTIONS') {
        const own = await ownUpload(auth, request.url);
        if (!own.allowed) {
          await sendError(reply, 404, 'unknown', HTTP_ANSWER.unknownUpload);
          return;
        }
        owned = own.id;
      }
      // a kiosk asking where its upload stands is about to resume it: alive
      if (owned && request.method === 'HEAD') await touch(owned);
      reply.hijack();
      await tus.handle(request.raw, reply.raw);
      // bytes arrived (a finished upload is left as it is)
      if (owned && request.method === 'PATCH') await touch(owned);
    };
    // no GET: uploads are write-only; stored blobs are read through the staff API and its policy
    const methods = ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS'];
    scope.route({ method: methods, url: tusPath, handler: tusHandler });
    scope.route({ method: methods, url: `${tusPath}/*`, handler: tusHandler });
  });

  app.head(`${BLOB_EXISTS_PATH}:sha256`, async (request, reply) => {
    const auth = await authenticate(request, reply);
    if (!auth) return reply;
    const params = BlobParams.safeParse(request.params);
    if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badSha256);
    // the row and the bytes: a blob whose bytes went missing must be uploaded again
    const present = (await blobRecorded(db, params.data.sha256)) && (await blobStore.has(params.data.sha256));
    return reply.code(present ? 200 : 404).send();
  });
}
