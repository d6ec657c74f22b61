/**
 * Where the outbox's data key is kept in the Electron app. With a real OS keystore (Secret Service,
 * KWallet) the key is sealed by it. On the appliance there is none: Electron's safeStorage would fall
 * back to `basic_text`, an obfuscation with a fixed password, so the key is a 0600 file on the data
 * partition instead, whose protection is the partition's encryption (LUKS bound to the TPM, build/APPLIANCE.md).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { KeyProvider } from '../core/storage/keys.ts';

export type StorageBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

const REAL_KEYSTORES: ReadonlySet<string> = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

export function chooseKeyStore(backend: string, encryptionAvailable: boolean): 'os-keystore' | 'key-file' {
  return encryptionAvailable && REAL_KEYSTORES.has(backend) ? 'os-keystore' : 'key-file';
}

export interface Sealer {
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

export class SealedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedKeyError';
  }
}

/** A 32-byte key sealed by the OS keystore, created once (atomically); never silently replaced. */
export function sealedKeyProvider(file: string, sealer: Sealer): KeyProvider {
  let key: Buffer | null = null;
  return {
    dataKey() {
      if (key) return key;
      if (!existsSync(file)) {
        const tmp = `${file}.tmp`;
        const fd = openSync(tmp, 'w', 0o600);
        try {
          writeSync(fd, sealer.encryptString(randomBytes(32).toString('base64')));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, file);
      }
      let plain: string;
      try {
        plain = sealer.decryptString(readFileSync(file));
      } catch {
        // a new keystore (or a copied disk) cannot open it: the outbox stays sealed rather than being replaced
        throw new SealedKeyError(`the sealed data key ${file} cannot be opened by this keystore`);
      }
      const k = Buffer.from(plain, 'base64');
      if (k.length !== 32) throw new SealedKeyError(`the sealed data key ${file} is corrupt`);
      key = k;
      return k;
    },
  };
}
