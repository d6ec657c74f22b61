/**
 * Resumable blob upload with tus (DESIGN.md §5). The upload URL is kept in the outbox row, so an
 * upload cut by a crash or a lost network resumes where it stopped. Every request carries a
 * short-lived session token (device-auth.ts), fetched again when the server no longer takes it.
 */
import * as tus from 'tus-js-client';
import { TUS_PATH, kioskAuthorization } from '../../../sync-server/protocol/socket.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { DeviceAuth } from './device-auth.ts';
import type { SyncClientTestHooks } from './test-hooks.ts';

export class BlobUploadError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'BlobUploadError';
  }
}

export interface BlobUploaderOptions {
  baseUrl: string;
  auth: DeviceAuth;
  outbox: Outbox;
  chunkSize?: number;
  hooks?: SyncClientTestHooks;
}

export class BlobUploader {
  constructor(private readonly opts: BlobUploaderOptions) {}

  private async authHeader(): Promise<string> {
    return kioskAuthorization(await this.opts.auth.token());
  }

  async existsOnServer(sha256: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.opts.baseUrl}/sync/blob-exists/${sha256}`, {
        method: 'HEAD',
        headers: { authorization: await this.authHeader() },
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      if (res.status === 401 && attempt === 0) {
        this.opts.auth.invalidate();
        continue;
      }
      throw new BlobUploadError(`blob-exists answered ${res.status}`, res.status, res.status >= 500);
    }
  }

  /**
   * Makes sure the server holds the blob; resumes an earlier upload when the outbox knows its URL.
   * Returns true when it had to be uploaded or found on the server (the caller marks it uploaded, for
   * many blobs in one transaction), false when the outbox knew it was there already.
   */
  async ensureUploaded(sha256: string): Promise<boolean> {
    const { outbox } = this.opts;
    const row = outbox.blob(sha256);
    if (!row) throw new BlobUploadError(`blob ${sha256} is not in the outbox`, null, false);
    if (row.uploaded) return false;
    if (await this.existsOnServer(sha256)) return true;
    const bytes = outbox.readBlob(sha256);
    let uploadUrl = row.uploadUrl;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.upload(sha256, row.mime, bytes, uploadUrl);
        break;
      } catch (err) {
        const status = err instanceof BlobUploadError ? err.status : null;
        if (attempt >= 2) throw err;
        if (status === 401) {
          // the token ran out (or the kiosk was re-enrolled): a new one, same upload
          this.opts.auth.invalidate();
          uploadUrl = outbox.blob(sha256)?.uploadUrl ?? null;
        } else if (uploadUrl && (status === 404 || status === 410 || status === 409)) {
          // an expired or unknown resume URL: start again from zero, once
          outbox.setUploadUrl(sha256, null);
          uploadUrl = null;
        } else {
          throw err;
        }
      }
    }
    return true;
  }

  private async upload(sha256: string, mime: string, bytes: Buffer, uploadUrl: string | null): Promise<void> {
    const { outbox, hooks } = this.opts;
    const chunkSize = this.opts.chunkSize ?? 1024 * 1024;
    // a refused or revoked kiosk fails here, with its own error, rather than inside tus
    await this.opts.auth.token();
    return new Promise((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        endpoint: `${this.opts.baseUrl}${TUS_PATH}`,
        uploadUrl,
        metadata: { sha256, mime },
        chunkSize,
        retryDelays: [0, 500, 2000],
        storeFingerprintForResuming: false,
        onBeforeRequest: async (req) => {
          req.setHeader('Authorization', await this.authHeader());
          if (hooks?.beforeUploadRequest) {
            const offset = req.getHeader('Upload-Offset');
            await hooks.beforeUploadRequest({ sha256, method: req.getMethod(), url: req.getURL(), size: bytes.length, offset: offset === undefined ? null : Number(offset) });
          }
        },
        onShouldRetry: (err) => {
          const status = err.originalResponse?.getStatus() ?? 0;
          return status === 0 || (status >= 500 && status !== 507);
        },
        onUploadUrlAvailable: () => {
          // kept for a crash: only an upload of several chunks has something worth resuming (and each
          // write is an fsync of the kiosk database)
          if (upload.url && bytes.length > chunkSize) outbox.setUploadUrl(sha256, upload.url);
        },
        onSuccess: () => resolve(),
        onError: (err) => {
          const status = (err as tus.DetailedError).originalResponse?.getStatus() ?? null;
          if (status === 460) outbox.setUploadUrl(sha256, null);
          reject(
            new BlobUploadError(
              `upload of ${sha256.slice(0, 12)}… failed${status ? ` (${status})` : ''}: ${err.message.split('\n')[0]}`,
              status,
              status === null || status >= 500 || status === 429,
            ),
          );
        },
      });
      upload.start();
    });
  }
}
