import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyFileError, credentialKeyProvider, dataKeyProvider, keyFileProvider } from './keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the data key', () => {
  it('is made once in a 0600 key file, tightened if loosened, refused if corrupt', () => {
    const path = join(dir, 'data.key');
    const key = keyFileProvider(path).dataKey();
    expect(key).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    expect(keyFileProvider(path).dataKey().equals(key)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'short.key'), randomBytes(8).toString('base64'), { mode: 0o600 });
    expect(() => keyFileProvider(join(dir, 'short.key')).dataKey()).toThrow(KeyFileError);
  });

  it('comes from the systemd credential when the service has one, never made up when it has not', () => {
    const creds = mkdtempSync(join(dir, 'creds-'));
    const key = randomBytes(32);
    writeFileSync(join(creds, 'fac-data-key'), `${key.toString('base64')}\n`, { mode: 0o400 });
    writeFileSync(join(creds, 'raw-key'), key, { mode: 0o400 });
    expect(credentialKeyProvider(undefined, { CREDENTIALS_DIRECTORY: creds }).dataKey().equals(key)).toBe(true);
    expect(credentialKeyProvider('raw-key', { CREDENTIALS_DIRECTORY: creds }).dataKey().equals(key)).toBe(true);
    expect(() => credentialKeyProvider(undefined, {}).dataKey()).toThrow(/CREDENTIALS_DIRECTORY/);
    expect(() => credentialKeyProvider('other', { CREDENTIALS_DIRECTORY: creds }).dataKey()).toThrow(KeyFileError);
    // the message names the credential, never its content
    writeFileSync(join(creds, 'bad'), 'tooshort', { mode: 0o400 });
    const bad = () => credentialKeyProvider('bad', { CREDENTIALS_DIRECTORY: creds }).dataKey();
    expect(bad).toThrow(/credential bad is corrupt/);
    expect(bad).not.toThrow(/tooshort/);
  });

  it('is the file named by FAC_DATA_KEY, or data.key in the data folder', () => {
    const own = join(dir, 'elsewhere.key');
    const k = dataKeyProvider({ kind: 'file', path: own }, join(dir, 'data')).dataKey();
    expect(Buffer.from(readFileSync(own, 'utf8'), 'base64').equals(k)).toBe(true);
    const d = mkdtempSync(join(dir, 'data-'));
    dataKeyProvider({ kind: 'file', path: null }, d).dataKey();
    expect(statSync(join(d, 'data.key')).isFile()).toBe(true);
  });
});
