/**
 * Resumable blob upload with tus (DESIGN.md §5). The upload URL is kept in the outbox row from the
 * moment the server gives it, before the first byte, whatever the blob's size: an upload cut by a crash,
 * a lost network or a server restart resumes where it stopped instead of starting a new upload on the
 * server (which would hold one of the kiosk's upload slots until it goes stale there).
 *
 * A blob counts as held by the server only on the server's word: the answer to the PATCH that carried
 * its last byte (the server answers it once the blob is hashed and stored), or `HEAD blob-exists`. When
 * the last answer was lost — a resumed upload whose bytes are all there but never became a blob, as
 * when the server died between the last byte and the storing — blob-exists decides, and a blob it does
 * not have is uploaded anew.
 *
 * Every request carries a short-lived session token (device-auth.ts), fetched again when the server no
 * longer takes it.
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
  /**
   * An upload that neither sends a byte nor gets an answer for this long is abandoned (and resumed by
   * the next attempt): a half-open connection must not hold the outbox for ever. 60 s.
   */
  stallTimeoutMs?: number;
  hooks?: SyncClientTestHooks;
  random?: () => number;
}

/** How one tus run ended: the server stored the blob, or it has every byte and said nothing more. */
type UploadOutcome = 'stored' | 'unconfirmed';

/** Attempts within one `ensureUploaded` (the sync client's backoff takes over after them). */
const ATTEMPTS = 3;

export class BlobUploader {
  constructor(private readonly opts: BlobUploaderOptions) {}

  private async authHeader(): Promise<string> {
    return kioskAuthorization(await this.opts.auth.token());
  }

  async existsOnServer(sha256: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.opts.baseUrl}/sync/blob-exists/${sha256}`, {
          method: 'HEAD',
          headers: { authorization: await this.authHeader() },
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new BlobUploadError(`blob-exists: ${err instanceof Error ? err.message : String(err)}`, null, true);
      }
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      if (res.status === 401 && attempt === 0) {
        this.opts.auth.invalidate();
        continue;
      }
      throw new BlobUploadError(`blob-exists answered ${res.status}`, res.status, res.status >= 500 || res.status === 429);
    }
  }

  /**
   * Makes sure the server holds the blob: asks the server first, then resumes the upload the outbox
   * knows of (or starts one). Returns true when the server holds it now (the caller marks it uploaded,
   * for many blobs in one transaction), false when the outbox knew it was there already — unless
   * `recheck`, when the outbox's belief is what is in doubt (the server said a blob was missing).
   */
  async ensureUploaded(sha256: string, o: { recheck?: boolean } = {}): Promise<boolean> {
    const { outbox } = this.opts;
    const row = outbox.blob(sha256);
    if (!row) throw new BlobUploadError(`blob ${sha256} is not in the outbox`, null, false);
    if (row.uploaded && !o.recheck) return false;
    let bytes: Buffer | null = null;
    let last: unknown = null;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      // the server's word before any byte: the blob may be there from an upload whose answer was lost
      if (await this.existsOnServer(sha256)) return true;
      bytes ??= outbox.readBlob(sha256);
      let uploadUrl = outbox.blob(sha256)?.uploadUrl ?? null;
      // an upload begun on another server address (the kiosk was moved to a new one) will never answer
      if (uploadUrl !== null && !uploadUrl.startsWith(`${this.opts.baseUrl}${TUS_PATH}`)) uploadUrl = null;
      try {
        if ((await this.upload(sha256, row.mime, bytes, uploadUrl)) === 'stored') return true;
        // every byte is on the server, which never said it stored them: blob-exists decides on the next
        // turn; an upload the server did not turn into a blob never will, so it is not resumed again
        // (the server releases it when this kiosk starts the blob anew)
        last = new BlobUploadError(`upload of ${sha256.slice(0, 12)}… complete but not confirmed by the server`, null, true);
        outbox.setUploadUrl(sha256, null);
      } catch (err) {
        last = err;
        const status = err instanceof BlobUploadError ? err.status : null;
        if (status === 401) {
          // the token ran out (or the kiosk was re-enrolled): a new one, same upload
          this.opts.auth.invalidate();
        } else if (status === 404 || status === 410) {
          // the upload is gone on the server (expired, cleaned up as stale, released): start anew
          outbox.setUploadUrl(sha256, null);
        } else if (status === 422) {
          // the server refused the file for good (it does not decode): uploading it again changes nothing.
          // Its mutation goes on and is refused for good too, so nothing waits behind it.
          outbox.setUploadUrl(sha256, null);
          return true;
        } else {
          throw err;
        }
      }
    }
    throw last instanceof Error ? last : new BlobUploadError(`upload of ${sha256.slice(0, 12)}… failed`, null, true);
  }

  private async upload(sha256: string, mime: string, bytes: Buffer, uploadUrl: string | null): Promise<UploadOutcome> {
    const { outbox, hooks } = this.opts;
    const chunkSize = this.opts.chunkSize ?? 1024 * 1024;
    const stallMs = this.opts.stallTimeoutMs ?? 60_000;
    const random = this.opts.random ?? Math.random;
    // a refused or revoked kiosk fails here, with its own error, rather than inside tus
    await this.opts.auth.token();
    return new Promise<UploadOutcome>((resolve, reject) => {
      let saved = uploadUrl;
      let lastMethod: string | null = null;
      let settled = false;
      let watchdog: NodeJS.Timeout | null = null;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        if (watchdog) clearTimeout(watchdog);
        f();
      };
      const alive = () => {
        if (watchdog) clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          settle(() => reject(new BlobUploadError(`upload of ${sha256.slice(0, 12)}… stalled for ${stallMs} ms`, null, true)));
          void upload.abort();
        }, stallMs);
        watchdog.unref();
      };
      const upload = new tus.Upload(bytes, {
        endpoint: `${this.opts.baseUrl}${TUS_PATH}`,
        uploadUrl,
        metadata: { sha256, mime },
        chunkSize,
        // a few quick tries for a blip (each resumes from the server's offset); longer outages are the
        // sync client's backoff, minutes apart, resuming from the saved URL
        retryDelays: [0, jitter(500, random), jitter(2000, random)],
        storeFingerprintForResuming: false,
        onBeforeRequest: async (req) => {
          alive();
          req.setHeader('Authorization', await this.authHeader());
          if (hooks?.beforeUploadRequest) {
            const offset = req.getHeader('Upload-Offset');
            await hooks.beforeUploadRequest({ sha256, method: req.getMethod(), url: req.getURL(), size: bytes.length, offset: offset === undefined ? null : Number(offset) });
          }
        },
        onAfterResponse: (req) => {
          alive();
          lastMethod = req.getMethod();
        },
        onProgress: () => alive(),
        onShouldRetry: (err) => {
          const status = err.originalResponse?.getStatus() ?? 0;
          // 409: our offset was stale (a PATCH the server half took); 423: the server still holds the
          // previous connection's lock. Both clear on a resume, which asks the offset again.
          return status === 0 || status === 409 || status === 423 || (status >= 500 && status !== 507);
        },
        onUploadUrlAvailable: () => {
          // before the first byte: what a crash interrupts from now on is resumed, not started again
          if (!upload.url || upload.url === saved) return;
          try {
            outbox.setUploadUrl(sha256, upload.url);
            saved = upload.url;
          } catch (err) {
            // no room to note it: stop here rather than send bytes no one could resume
            settle(() => reject(err));
            void upload.abort();
          }
        },
        onSuccess: () => {
          // only the answer to the PATCH carrying the last byte says the blob was stored; a resume
          // whose HEAD found every byte there says nothing of the kind
          settle(() => resolve(lastMethod === 'PATCH' ? 'stored' : 'unconfirmed'));
        },
        onError: (err) => {
          const status = (err as tus.DetailedError).originalResponse?.getStatus() ?? null;
          try {
            // bytes that did not hash to the blob's name: that upload is over
            if (status === 460) outbox.setUploadUrl(sha256, null);
          } catch {
            // kept: the next attempt asks the server, which answers 404 for it
          }
          settle(() =>
            reject(
              new BlobUploadError(
                `upload of ${sha256.slice(0, 12)}… failed${status ? ` (${status})` : ''}: ${err.message.split('\n')[0]}`,
                status,
                status === null || status >= 500 || status === 429 || status === 423,
              ),
            ),
          );
        },
      });
      alive();
      upload.start();
    });
  }
}

/** `ms` ± 25 %, so that the kiosks of a site that lost the network do not come back in step. */
function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.75 + random() * 0.5));
}
