/**
 * Where the kiosk's at-rest encryption key comes from. In the Electron app it is sealed with the OS
 * keystore (safeStorage, in kiosk/main); in the browser host it is a protected key file (0600).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';

export interface KeyProvider {
  /** 32 bytes for AES-256-GCM */
  dataKey(): Buffer;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export function keyFileProvider(path: string): KeyProvider {
  let key: Buffer | null = null;
  return {
    dataKey() {
      if (key) return key;
      if (!existsSync(path)) {
        const fresh = randomBytes(32);
        const tmp = `${path}.tmp`;
        const fd = openSync(tmp, 'w', 0o600);
        try {
          writeSync(fd, fresh.toString('base64'));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, path);
      }
      const mode = statSync(path).mode & 0o777;
      if (mode & 0o077) chmodSync(path, 0o600);
      const k = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      if (k.length !== 32) throw new KeyFileError(`key file ${path} is corrupt (expected 32 bytes)`);
      key = k;
      return k;
    },
  };
}
