/**
 * Content-addressed blob storage behind one narrow interface: local files (the embedded default) or an
 * S3-compatible bucket (`s3-blob-store.ts`), chosen by configuration (`blob-config.ts`).
 * `putFile` verifies the hash itself: nothing enters the store under a wrong name. It always writes
 * (an identical blob is simply written again): the orphan cleanup may be deleting the same bytes at that
 * very moment, and rewriting is what keeps "a row in `blobs` ⇒ the bytes are there" true.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LIMITS, Sha256 } from '../../../protocol/common.ts';

export type PutResult = { ok: true; size: number } | { ok: false; reason: 'hash_mismatch'; actual: string };

export interface StoredBlob {
  sha256: string;
  size: number;
  modifiedAt: Date;
}

export interface BlobStore {
  readonly kind: 'local' | 's3';
  has(sha256: string): Promise<boolean>;
  /**
   * Moves a finished upload file into the store if its SHA-256 is `sha256` (the file is gone afterwards);
   * on mismatch the file is left where it is (the caller deletes the upload).
   */
  putFile(sha256: string, file: string): Promise<PutResult>;
  /** The bytes as a stream (an error on the stream if they are gone). */
  read(sha256: string): Readable;
  /** size in bytes, or null if absent */
  size(sha256: string): Promise<number | null>;
  /** Removes the bytes; absent already is fine. */
  delete(sha256: string): Promise<void>;
  /** Everything stored (for the cleanup of bytes that no row describes). */
  list(): AsyncIterable<StoredBlob>;
  close(): Promise<void>;
}

/**
 * A blob's bytes in memory, for what must hold the whole file (a PDF to build, a socket answer), refused
 * past `limit` bytes (the blob limit by default) instead of filling the memory.
 */
export async function readBlob(store: BlobStore, sha256: string, limit: number = LIMITS.blobBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of store.read(sha256)) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('file too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const HEX2 = /^[0-9a-f]{2}$/;
const SHA = /^[0-9a-f]{64}$/;

/** Files under `<root>/ab/cd/<sha256>`: two levels of fan-out keep directories small. */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    // the name is a path component: only a well-formed hash may become one
    const sha = Sha256.parse(sha256);
    return join(this.root, sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== null;
  }

  async size(sha256: string): Promise<number | null> {
    // a stat of a local file takes microseconds: synchronously, rather than a thread-pool round trip
    // for every mutation the sync engine applies
    try {
      const s = statSync(this.pathOf(sha256));
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  }

  read(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async putFile(sha256: string, file: string): Promise<PutResult> {
    const target = this.pathOf(sha256);
    const actual = await sha256OfFile(file);
    if (actual !== sha256) return { ok: false, reason: 'hash_mismatch', actual };
    const { size } = await stat(file);
    await mkdir(dirname(target), { recursive: true });
    // rename is atomic on one file system (uploads live under the same data folder), so a reader never
    // sees a half-written blob; renaming over an identical blob replaces it just as atomically
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await copyFile(file, tmp);
      await rename(tmp, target);
      await unlink(file);
    }
    return { ok: true, size };
  }

  async delete(sha256: string): Promise<void> {
    try {
      await unlink(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async *list(): AsyncIterable<StoredBlob> {
    const dirs = async (dir: string): Promise<string[]> => {
      try {
        return (await readdir(dir)).filter((n) => HEX2.test(n)).sort();
      } catch {
        return [];
      }
    };
    for (const a of await dirs(this.root)) {
      for (const b of await dirs(join(this.root, a))) {
        let names: string[];
        try {
          names = await readdir(join(this.root, a, b));
        } catch {
          continue;
        }
        for (const name of names.sort()) {
          if (!SHA.test(name) || name.slice(0, 2) !== a || name.slice(2, 4) !== b) continue;
          try {
            const s = await stat(join(this.root, a, b, name));
            if (s.isFile()) yield { sha256: name, size: s.size, modifiedAt: s.mtime };
          } catch {
            // deleted meanwhile
          }
        }
      }
    }
  }

  async close(): Promise<void> {}
}
