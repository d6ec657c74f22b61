/**
 * Content-addressed blob storage. The interface stays narrow so an S3-compatible store can replace the
 * local one later. `putFile` verifies the hash itself: nothing enters the store under a wrong name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Sha256 } from '../../protocol/common.ts';

export type PutResult = { ok: true; size: number } | { ok: false; reason: 'hash_mismatch'; actual: string };

export interface BlobStore {
  has(sha256: string): Promise<boolean>;
  /**
   * Moves a finished upload file into the store if its SHA-256 is `sha256`; on mismatch the file is left
   * where it is (the caller deletes the upload). Idempotent: storing a blob already present is fine.
   */
  putFile(sha256: string, file: string): Promise<PutResult>;
  read(sha256: string): Readable;
  /** size in bytes, or null if absent */
  size(sha256: string): Promise<number | null>;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Files under `<root>/ab/cd/<sha256>`: two levels of fan-out keep directories small. */
export class LocalBlobStore implements BlobStore {
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
    try {
      const s = await stat(this.pathOf(sha256));
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
    if (await this.has(sha256)) {
      await unlink(file);
      return { ok: true, size };
    }
    await mkdir(dirname(target), { recursive: true });
    // rename is atomic on one file system (uploads live under the same data folder), so a reader never
    // sees a half-written blob
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
}
