/**
 * Blob uploads over tus (resumable), mounted in Fastify at TUS_PATH, plus an existence check so a kiosk
 * can skip re-uploading. Every request carries `Authorization: Kiosk <kioskId>:<token>`.
 * An upload becomes a blob only once its SHA-256 matches the `sha256` metadata the kiosk declared.
 */
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { FileMime, LIMITS, Sha256 } from '../../protocol/common.ts';
import { parseKioskAuthorization, TUS_PATH } from '../../protocol/socket.ts';
import type { KioskAuth } from '../../protocol/socket.ts';
import { verifyKiosk } from '../auth/kiosk-auth.ts';
import { sendError } from '../http/errors.ts';
import type { Database } from '../storage/schema.ts';
import type { BlobStore } from './blob-store.ts';

/** Status sent when the uploaded bytes do not hash to the declared SHA-256 (tus leaves 460+ to servers). */
export const HASH_MISMATCH_STATUS = 460;
export const BLOB_EXISTS_PATH = '/sync/blob-exists/';
/** An unfinished upload is dropped after a day; the kiosk then starts it again. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

export interface BlobRoutesDeps {
  db: Kysely<Database>;
  blobStore: BlobStore;
  /** where tus keeps uploads in progress; on the same file system as the blob store */
  uploadDir: string;
}

const UploadMetadata = z.object({ sha256: Sha256, mime: FileMime });
const BlobParams = z.object({ sha256: Sha256 });
const UploadId = z.string().regex(/^[0-9A-Za-z_-]{1,128}$/);

/** tus hooks report failures by throwing `{ status_code, body }`. */
function tusFailure(status_code: number, body: string): { status_code: number; body: string } {
  return { status_code, body };
}

export async function registerBlobRoutes(app: FastifyInstance, deps: BlobRoutesDeps): Promise<void> {
  const { db, blobStore, uploadDir } = deps;
  const datastore = new FileStore({ directory: uploadDir, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });
  const tusPath = TUS_PATH.replace(/\/$/, '');

  const tus = new TusServer({
    path: tusPath,
    datastore,
    maxSize: LIMITS.blobBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    async onUploadCreate(req, upload) {
      // the Fastify route has authenticated the request already; this only records who owns the upload
      const auth = parseKioskAuthorization(req.headers.get('authorization') ?? undefined);
      if (!auth) throw tusFailure(401, 'unauthorized\n');
      if (upload.sizeIsDeferred || upload.size === undefined || upload.size <= 0) {
        throw tusFailure(400, 'Upload-Length is required and must be positive\n');
      }
      const meta = UploadMetadata.safeParse(upload.metadata ?? {});
      if (!meta.success) throw tusFailure(400, 'Upload-Metadata must carry sha256 (64 hex digits) and mime (image/jpeg, image/png, image/webp or application/pdf)\n');
      return { metadata: { sha256: meta.data.sha256, mime: meta.data.mime, kioskId: auth.kioskId } };
    },
    async onUploadFinish(_req, upload) {
      const meta = UploadMetadata.parse(upload.metadata ?? {});
      const file = join(uploadDir, upload.id);
      const put = await blobStore.putFile(meta.sha256, file);
      if (!put.ok) {
        await datastore.remove(upload.id).catch(() => {});
        throw tusFailure(HASH_MISMATCH_STATUS, `blob_mismatch: the uploaded bytes do not hash to ${meta.sha256}\n`);
      }
      try {
        await db
          .insertInto('blobs')
          .values({ sha256: meta.sha256, size: put.size, mime: meta.mime, created_at: new Date().toISOString() })
          .onConflict((oc) => oc.column('sha256').doNothing())
          .execute();
      } finally {
        // the bytes are in the blob store now; only the upload's bookkeeping is left to drop. If the row
        // insert failed, the kiosk uploads again and the stored bytes are reused.
        await datastore.configstore.delete(upload.id);
      }
      return {};
    },
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
    if (auth && (await verifyKiosk(db, auth))) return auth;
    await sendError(reply, 401, 'unauthorized', 'Identifiants de borne absents ou invalides.');
    return null;
  }

  /** An upload in progress may be touched only by the kiosk that created it. */
  async function ownsUpload(auth: KioskAuth, url: string): Promise<boolean> {
    const path = url.split('?')[0] ?? '';
    const id = UploadId.safeParse(decodeURIComponent(path.slice(TUS_PATH.length)));
    if (!id.success) return true; // tus answers 404 itself
    try {
      const upload = await datastore.getUpload(id.data);
      return upload.metadata?.kioskId === auth.kioskId;
    } catch {
      return true; // unknown upload: tus answers 404 itself
    }
  }

  await app.register(async (scope) => {
    // tus reads the request body itself: Fastify must leave the stream untouched
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const tusHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const auth = await authenticate(request, reply);
      if (!auth) return;
      if (request.method !== 'POST' && request.method !== 'OPTIONS' && !(await ownsUpload(auth, request.url))) {
        await sendError(reply, 404, 'unknown', 'Envoi inconnu.');
        return;
      }
      reply.hijack();
      await tus.handle(request.raw, reply.raw);
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
    if (!params.success) return sendError(reply, 400, 'invalid', 'Empreinte SHA-256 invalide.');
    const row = await db.selectFrom('blobs').select('sha256').where('sha256', '=', params.data.sha256).executeTakeFirst();
    return reply.code(row ? 200 : 404).send();
  });
}
