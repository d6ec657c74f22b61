/**
 * Installing a verified update on the appliance, and the launcher's rollback handshake
 * (build/appliance/bin/kiosk-launch). The appliance runs the app unpacked from
 * `$FAC_APP_DIR/Facilitateur.AppImage`; installing = replacing that file atomically, then exiting:
 * systemd restarts the service and the launcher unpacks the new version. A version that fails to show its
 * window three times is rolled back by the launcher and its digest listed in `rejected-sha256`, which the
 * updater consults so the same file is never installed again.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, createReadStream, fsyncSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** The file the launcher keeps the digests of rolled-back versions in (next to the AppImage). */
export function rejectedListPath(appImage: string): string {
  return join(dirname(appImage), 'rejected-sha256');
}

/** Was this exact file rolled back before? */
export async function isRejected(file: string, listPath: string): Promise<boolean> {
  let list: string;
  try {
    list = readFileSync(listPath, 'utf8');
  } catch {
    return false;
  }
  const digests = new Set(list.split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{64}$/.test(l)));
  if (digests.size === 0) return false;
  return digests.has(await sha256File(file));
}

/** Replaces the AppImage atomically (copy beside it, fsync, rename), executable. */
export function installAppImage(downloaded: string, target: string): void {
  if (!isAbsolute(target) || target.includes('\0')) throw new Error(`not an absolute path: ${target}`);
  const tmp = `${target}.new`;
  rmSync(tmp, { force: true });
  copyFileSync(downloaded, tmp);
  chmodSync(tmp, 0o755);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}

/** The window showed: tell the launcher this version starts (it counts failed starts otherwise). */
export function confirmLaunch(env: Record<string, string | undefined>): boolean {
  const file = env.FAC_LAUNCH_ATTEMPTS_FILE;
  if (!file || !isAbsolute(file) || !file.endsWith('/launch-attempts')) return false;
  rmSync(file, { force: true });
  return true;
}
