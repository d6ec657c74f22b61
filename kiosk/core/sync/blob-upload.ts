/**
 * Resumable blob upload with tus (DESIGN.md §5). The upload URL is kept in the outbox row, so an
 * upload cut by a crash or a lost network resumes where it stopped.
 */
import * as tus from 'tus-js-client';
import { TUS_PATH, kioskAuthorization } from '../../../sync-server/protocol/socket.ts';
import type { KioskAuth } from '../../../sync-server/protocol/socket.ts';
import type { Outbox } from '../outbox/outbox.ts';

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
  auth: KioskAuth;
  outbox: Outbox;
  chunkSize?: number;
}

export class BlobUploader {
  constructor(private readonly opts: BlobUploaderOptions) {}

  private get authHeader(): string {
    return kioskAuthorization(this.opts.auth);
  }

  async existsOnServer(sha256: string): Promise<boolean> {
    const res = await fetch(`${this.opts.baseUrl}/sync/blob-exists/${sha256}`, {
      method: 'HEAD',
      headers: { authorization: this.authHeader },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new BlobUploadError(`blob-exists answered ${res.status}`, res.status, res.status >= 500);
  }

  /** Makes sure the server holds the blob; resumes an earlier upload when the outbox knows its URL. */
  async ensureUploaded(sha256: string): Promise<void> {
    const { outbox } = this.opts;
    const row = outbox.blob(sha256);
    if (!row) throw new BlobUploadError(`blob ${sha256} is not in the outbox`, null, false);
    if (row.uploaded) return;
    if (await this.existsOnServer(sha256)) {
      outbox.markUploaded(sha256);
      return;
    }
    const bytes = outbox.readBlob(sha256);
    try {
      await this.upload(sha256, row.mime, bytes, row.uploadUrl);
    } catch (err) {
      // an expired or unknown resume URL: start again from zero, once
      const status = err instanceof BlobUploadError ? err.status : null;
      if (row.uploadUrl && (status === 404 || status === 410 || status === 409)) {
        outbox.setUploadUrl(sha256, null);
        await this.upload(sha256, row.mime, bytes, null);
      } else {
        throw err;
      }
    }
    outbox.markUploaded(sha256);
  }

  private upload(sha256: string, mime: string, bytes: Buffer, uploadUrl: string | null): Promise<void> {
    const { outbox } = this.opts;
    return new Promise((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        endpoint: `${this.opts.baseUrl}${TUS_PATH}`,
        uploadUrl,
        metadata: { sha256, mime },
        headers: { authorization: this.authHeader },
        chunkSize: this.opts.chunkSize ?? 1024 * 1024,
        retryDelays: [0, 500, 2000],
        storeFingerprintForResuming: false,
        onShouldRetry: (err) => {
          const status = err.originalResponse?.getStatus() ?? 0;
          return status === 0 || status >= 500 && status !== 507;
        },
        onUploadUrlAvailable: () => {
          if (upload.url) outbox.setUploadUrl(sha256, upload.url);
        },
        onSuccess: () => resolve(),
        onError: (err) => {
          const status = (err as tus.DetailedError).originalResponse?.getStatus() ?? null;
          if (status === 460) outbox.setUploadUrl(sha256, null);
          reject(
            new BlobUploadError(
              `upload of ${sha256.slice(0, 12)}… failed${status ? ` (${status})` : ''}: ${err.message.split('\n')[0]}`,
              status,
              status === null || status >= 500,
            ),
          );
        },
      });
      upload.start();
    });
  }
}
