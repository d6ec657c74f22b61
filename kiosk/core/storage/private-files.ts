/**
 * Everything the kiosk keeps on disk is for its own user only: folders 0700, files 0600 (the database
 * and its -wal/-shm, the key file, sealed blobs). Created that way, and checked and tightened at every
 * start, so a file made looser by hand, by a restore or by an older version does not stay so.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The data folder cannot be made private: not ours, or not a folder. Says where, never what it holds. */
export class PrivateFilesError extends Error {
  constructor(
    readonly path: string,
    readonly problem: 'not-a-folder' | 'not-a-file' | 'not-owned' | 'cannot-tighten',
  ) {
    super(`${path}: ${problem === 'not-owned' ? 'owned by another user' : problem === 'cannot-tighten' ? 'its mode cannot be tightened' : problem.replace(/-/g, ' ')}`);
    this.name = 'PrivateFilesError';
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw err;
  }
}

function tighten(path: string, st: Stats, mode: number): boolean {
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && st.uid !== uid) throw new PrivateFilesError(path, 'not-owned');
  if ((st.mode & 0o777 & ~mode) === 0) return false;
  try {
    chmodSync(path, mode);
  } catch {
    throw new PrivateFilesError(path, 'cannot-tighten');
  }
  return true;
}

/**
 * Creates the folder (and its parents) 0700 if missing; tightens it if looser. True if it changed it.
 * The folder itself may be a link (a data partition mounted elsewhere); what is inside is not followed.
 */
export function privateDir(path: string): boolean {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = statSync(path);
  if (!st.isDirectory()) throw new PrivateFilesError(path, 'not-a-folder');
  return tighten(path, st, PRIVATE_DIR_MODE);
}

/**
 * Tightens the file to 0600 if it exists (and is looser); with `create`, makes it empty and 0600 if
 * missing. True if it changed a mode.
 */
export function privateFile(path: string, opts: { create?: boolean } = {}): boolean {
  let st = statOrNull(path);
  if (!st) {
    if (!opts.create) return false;
    closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
    st = lstatSync(path);
  }
  if (!st.isFile()) throw new PrivateFilesError(path, 'not-a-file');
  return tighten(path, st, PRIVATE_FILE_MODE);
}

/**
 * The start check of the whole data folder: created 0700 if missing; every folder under it 0700, every
 * file 0600. Links are neither followed nor changed. Returns how many modes it tightened.
 */
export function privateDataDir(root: string): number {
  let tightened = privateDir(root) ? 1 : 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (tighten(path, lstatSync(path), PRIVATE_DIR_MODE)) tightened++;
        walk(path);
      } else if (entry.isFile()) {
        if (tighten(path, lstatSync(path), PRIVATE_FILE_MODE)) tightened++;
      }
    }
  };
  walk(root);
  return tightened;
}
