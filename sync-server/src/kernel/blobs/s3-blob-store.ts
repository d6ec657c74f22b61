/**
 * Blobs on S3-compatible storage (AWS S3, MinIO, Garage, Ceph…), for servers that scale out: every
 * instance sees the same bytes. Keys are `<prefix>ab/cd/<sha256>` like the local layout. The upload is
 * hashed on local disk before it is sent, so a blob is stored only under its true SHA-256.
 */
import { createReadStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Sha256 } from '../../../protocol/common.ts';
import type { S3StoreConfig } from './blob-config.ts';
import { sha256OfFile } from './blob-store.ts';
import type { BlobStore, PutResult, StoredBlob } from './blob-store.ts';

const SHA = /^[0-9a-f]{64}$/;

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly config: S3StoreConfig) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.accessKeyId && config.secretAccessKey
        ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
        : {}),
      // plain PUTs with a known length: S3-compatible servers do not all speak aws-chunked trailers
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  keyOf(sha256: string): string {
    const sha = Sha256.parse(sha256);
    return `${this.config.prefix}${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== null;
  }

  async size(sha256: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) }));
      return head.ContentLength ?? null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  read(sha256: string): Readable {
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) })).then(
      (res) => {
        const body = res.Body as Readable | undefined;
        if (!body) {
          out.destroy(new Error('empty S3 response'));
          return;
        }
        body.on('error', (err) => out.destroy(err));
        body.pipe(out);
      },
      (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return out;
  }

  async putFile(sha256: string, file: string): Promise<PutResult> {
    const actual = await sha256OfFile(file);
    if (actual !== sha256) return { ok: false, reason: 'hash_mismatch', actual };
    const { size } = await stat(file);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.keyOf(sha256),
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: 'application/octet-stream',
        Metadata: { sha256 },
      }),
    );
    await unlink(file);
    return { ok: true, size };
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) }));
  }

  async *list(): AsyncIterable<StoredBlob> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.config.prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(o.Key.lastIndexOf('/') + 1) ?? '';
        if (!SHA.test(name) || o.Key !== this.keyOf(name)) continue;
        yield { sha256: name, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
