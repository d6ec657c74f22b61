/**
 * The BlobStore interface on both implementations: local files, and S3 against a real S3-compatible
 * server (s3rver, started here on a loopback port). Then a whole server configured with
 * FAC_BLOB_STORE=s3://…: a kiosk's tus upload lands in the bucket, a mutation applies against it, the
 * staff read streams it back, and the orphan cleanup deletes from the bucket. Configuration parsing too.
 */
import { installTestCa } from '../../../test-support/test-ca.ts';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { startServer } from '../../edge/server.ts';
import type { RunningServer } from '../../edge/server.ts';
import { addKiosk, connectKiosk, depositMutation, fakeScan, freshEnv, sha256Hex, STAFF_TOKEN, tusUpload } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { parseBlobStore } from '../../edge/blob-env.ts';
import { DEFAULT_BLOBS_CONFIG } from './blob-config.ts';
import { openBlobStore } from './open-blob-store.ts';
import type { S3StoreConfig } from './blob-config.ts';
import { LocalBlobStore } from './blob-store.ts';
import type { BlobStore } from './blob-store.ts';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (o: { port: number; address: string; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => S3rverInstance;
// s3rver ships no types; this is the part of its API the tests use
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const BUCKET = 'fac-blobs';

async function startS3(): Promise<{ config: S3StoreConfig; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-s3rver-'));
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  return {
    dir,
    config: { kind: 's3', bucket: BUCKET, prefix: 'blobs/', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function listed(store: BlobStore): Promise<{ sha256: string; size: number; modifiedAt: Date }[]> {
  const out = [];
  for await (const b of store.list()) out.push(b);
  return out;
}

async function readAll(store: BlobStore, sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of store.read(sha)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.each(['local', 's3'] as const)('BlobStore on %s', (kind) => {
  let store: BlobStore;
  let work: string;
  let s3: Awaited<ReturnType<typeof startS3>> | null = null;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fac-blobstore-'));
    if (kind === 's3') {
      s3 = await startS3();
      store = openBlobStore(s3.config, work);
    } else {
      store = new LocalBlobStore(join(work, 'blobs'));
    }
  });
  afterAll(async () => {
    await store?.close();
    await s3?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const upload = (bytes: Buffer) => {
    const file = join(work, `upload-${randomBytes(4).toString('hex')}`);
    writeFileSync(file, bytes);
    return file;
  };

  it('stores a file under its true hash only, and removes the upload file', async () => {
    const bytes = randomBytes(200_000);
    const sha = sha256Hex(bytes);
    const wrong = upload(bytes);
    const claimed = 'e'.repeat(64);
    expect(await store.putFile(claimed, wrong)).toEqual({ ok: false, reason: 'hash_mismatch', actual: sha });
    expect(existsSync(wrong)).toBe(true); // left for the caller to delete
    expect(await store.has(claimed)).toBe(false);
    const file = upload(bytes);
    expect(await store.putFile(sha, file)).toEqual({ ok: true, size: bytes.length });
    expect(existsSync(file)).toBe(false);
    expect(await store.has(sha)).toBe(true);
    expect(await store.size(sha)).toBe(bytes.length);
    expect((await readAll(store, sha)).equals(bytes)).toBe(true);
    // the same bytes again: written again, still one blob
    expect(await store.putFile(sha, upload(bytes))).toMatchObject({ ok: true });
    expect((await listed(store)).filter((b) => b.sha256 === sha)).toHaveLength(1);
  });

  it('lists, deletes (absent is fine), and reports missing bytes as an error on the stream', async () => {
    const bytes = randomBytes(1000);
    const sha = sha256Hex(bytes);
    await store.putFile(sha, upload(bytes));
    expect((await listed(store)).find((b) => b.sha256 === sha)).toMatchObject({ size: 1000, modifiedAt: expect.any(Date) });
    await store.delete(sha);
    await store.delete(sha);
    expect(await store.has(sha)).toBe(false);
    expect(await store.size(sha)).toBeNull();
    await expect(readAll(store, sha)).rejects.toThrow();
    expect(() => store.read('../../etc/passwd')).toThrow();
  });
});

describe('FAC_BLOB_STORE', () => {
  it('defaults to local files and reads an s3:// URL with its endpoint, region, prefix and path style', () => {
    expect(parseBlobStore(undefined, {})).toEqual({ config: { kind: 'local' } });
    expect(parseBlobStore('local', {})).toEqual({ config: { kind: 'local' } });
    expect(parseBlobStore('s3://fac-blobs/prod/scans?endpoint=http://127.0.0.1:9000&region=eu-west-3', { FAC_S3_ACCESS_KEY_ID: 'id', FAC_S3_SECRET_ACCESS_KEY: 'secret' })).toEqual({
      config: { kind: 's3', bucket: 'fac-blobs', prefix: 'prod/scans/', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3', forcePathStyle: true, accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    expect(parseBlobStore('s3://fac-blobs', {})).toEqual({
      config: { kind: 's3', bucket: 'fac-blobs', prefix: '', endpoint: null, region: 'us-east-1', forcePathStyle: false, accessKeyId: null, secretAccessKey: null },
    });
  });

  it('lists every problem: scheme, bucket name, unknown parameters, credentials in the URL or half given, endpoint', () => {
    const problems = (raw: string, env: Record<string, string> = {}) => {
      const r = parseBlobStore(raw, env);
      return 'problems' in r ? r.problems : [];
    };
    expect(problems('ftp://x')).toEqual([expect.stringMatching(/expected "local" or s3:\/\//)]);
    expect(problems('s3://UPPER_case')).toEqual([expect.stringMatching(/bucket name/)]);
    expect(problems('s3://fac-blobs?endpoint=http://h&colour=red')).toEqual([expect.stringMatching(/unknown parameter "colour"/)]);
    expect(problems('s3://key:secret@fac-blobs')).toEqual([expect.stringMatching(/no credentials in the URL/)]);
    expect(problems('s3://fac-blobs', { FAC_S3_ACCESS_KEY_ID: 'id' })).toEqual([expect.stringMatching(/go together/)]);
    expect(problems('s3://fac-blobs?endpoint=ftp://h')).toEqual([expect.stringMatching(/endpoint/)]);
    expect(problems('s3://fac-blobs?path-style=maybe')).toEqual([expect.stringMatching(/path-style/)]);
  });
});

describe('a server on S3-compatible storage', () => {
  let env: TestEnv;
  let server: RunningServer;
  let s3: Awaited<ReturnType<typeof startS3>>;

  beforeAll(async () => {
    s3 = await startS3();
    env = await freshEnv('sqlite');
    await installTestCa(env.config.dataDir);
    server = await startServer({ ...env.config, blobs: { ...DEFAULT_BLOBS_CONFIG, store: s3.config, graceMs: 60_000 } }, { logger: false });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
    await s3?.close();
  });

  it('keeps uploads in the bucket, applies mutations against them, serves them to staff, and cleans orphans there', async () => {
    expect(server.blobStore.kind).toBe('s3');
    const k = await addKiosk(server.db);
    const used = fakeScan(120_000);
    const orphan = fakeScan(5_000);
    for (const b of [used, orphan]) expect(await tusUpload(server.url, k, b, { sha256: sha256Hex(b), mime: 'image/png' }, { chunkSize: 50_000 })).toMatchObject({ ok: true });
    expect(existsSync(join(env.config.dataDir, 'blobs'))).toBe(false);
    expect(readdirSync(join(env.config.dataDir, 'uploads'))).toEqual([]);
    expect(await server.blobStore.has(sha256Hex(used))).toBe(true);

    const socket = await connectKiosk(server.url, k);
    try {
      const ack = MutationsAck.parse(await socket.timeout(10_000).emitWithAck(EVENTS.mutations, { mutations: [depositMutation({ kioskId: k.kioskId, seq: 1, blob: used })] }));
      expect(ack).toMatchObject({ ok: true, lastSeq: 1 });
    } finally {
      socket.close();
    }
    const res = await fetch(`${server.url}/api/staff/blobs/${sha256Hex(used)}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(sha256Hex(used));

    const report = await server.collectGarbage({ now: new Date(Date.now() + 120_000) });
    expect(report).toMatchObject({ blobsDeleted: 1, kept: 0 });
    expect(await server.blobStore.has(sha256Hex(orphan))).toBe(false);
    expect(await server.blobStore.has(sha256Hex(used))).toBe(true);
  });
});
