/**
 * Where the kiosk's at-rest data key comes from (it seals blobs, the personal columns of the database
 * and the device key). Three providers, one interface:
 *  - the appliance: a systemd credential sealed by the TPM (`systemd-credential`), decrypted by systemd
 *    into the service's private credentials folder at start; never on disk in clear (build/APPLIANCE.md);
 *  - Electron on a desktop with a real keystore: sealed by `safeStorage` (kiosk/main/key-store.ts);
 *  - the browser host, and Electron without either: a 0600 key file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { privateFile } from './private-files.ts';

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

/** The name of the systemd credential holding the data key (`LoadCredentialEncrypted=fac-data-key:…`). */
export const DATA_KEY_CREDENTIAL = 'fac-data-key';

/** 32 raw bytes, or their base64 on one line (what `systemd-creds encrypt` was given). */
function parseKey(raw: Buffer, where: string): Buffer {
  if (raw.length === 32) return Buffer.from(raw);
  const k = Buffer.from(raw.toString('utf8').trim(), 'base64');
  if (k.length !== 32) throw new KeyFileError(`${where} is corrupt (expected 32 bytes)`);
  return k;
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
      privateFile(path);
      key = parseKey(readFileSync(path), `key file ${path}`);
      return key;
    },
  };
}

/**
 * The data key as a systemd credential: `$CREDENTIALS_DIRECTORY/<name>`, which systemd fills at the
 * service's start from a credential sealed by the TPM. Never created here: a kiosk whose credential is
 * missing stops with a clear error rather than sealing data with a key nobody else holds.
 */
export function credentialKeyProvider(name: string = DATA_KEY_CREDENTIAL, env: Record<string, string | undefined> = process.env): KeyProvider {
  let key: Buffer | null = null;
  return {
    dataKey() {
      if (key) return key;
      const dir = env.CREDENTIALS_DIRECTORY;
      if (!dir) throw new KeyFileError(`no systemd credentials for this process (CREDENTIALS_DIRECTORY unset): the credential ${name} cannot be read`);
      const path = join(dir, name);
      if (!existsSync(path)) throw new KeyFileError(`the systemd credential ${name} is missing`);
      key = parseKey(readFileSync(path), `the systemd credential ${name}`);
      return key;
    },
  };
}

/** What FAC_DATA_KEY names: `file` (the data folder's data.key), `file:/path`, `systemd-credential[:name]`. */
export type DataKeySource = { kind: 'file'; path: string | null } | { kind: 'systemd-credential'; name: string };

export function parseDataKeySource(spec: string): DataKeySource | null {
  if (spec === 'file') return { kind: 'file', path: null };
  if (spec.startsWith('file:') && spec.length > 'file:/'.length && spec[5] === '/') return { kind: 'file', path: spec.slice(5) };
  if (spec === 'systemd-credential') return { kind: 'systemd-credential', name: DATA_KEY_CREDENTIAL };
  const m = /^systemd-credential:([A-Za-z0-9_.-]{1,64})$/.exec(spec);
  return m ? { kind: 'systemd-credential', name: m[1]! } : null;
}

export function dataKeyProvider(source: DataKeySource, dataDir: string): KeyProvider {
  return source.kind === 'systemd-credential' ? credentialKeyProvider(source.name) : keyFileProvider(source.path ?? join(dataDir, 'data.key'));
}
