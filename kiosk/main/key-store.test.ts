import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SealedKeyError, chooseKeyStore, sealedKeyProvider } from './key-store.ts';
import type { Sealer } from './key-store.ts';

/** An OS keystore stand-in: AES-256-GCM under a key of its own, as safeStorage does with the keyring's secret. */
function aesSealer(secret = randomBytes(32)): Sealer {
  return {
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-gcm', secret, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'fac-keystore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('choosing the key store', () => {
  it('uses the OS keystore only when it is a real one', () => {
    expect(chooseKeyStore('gnome_libsecret', true)).toBe('os-keystore');
    expect(chooseKeyStore('kwallet5', true)).toBe('os-keystore');
    expect(chooseKeyStore('gnome_libsecret', false)).toBe('key-file');
    // basic_text: safeStorage "encrypts" with a fixed password: not a protection
    expect(chooseKeyStore('basic_text', true)).toBe('key-file');
    expect(chooseKeyStore('unknown', true)).toBe('key-file');
    expect(chooseKeyStore('', true)).toBe('key-file');
  });
});

describe('sealed data key', () => {
  it('creates a 32-byte key once, sealed, 0600, and reads the same key back', () => {
    const file = join(dir, 'a.sealed');
    const sealer = aesSealer();
    const k1 = sealedKeyProvider(file, sealer).dataKey();
    expect(k1).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from(k1.toString('base64')))).toBe(false);
    expect(sealedKeyProvider(file, sealer).dataKey().equals(k1)).toBe(true);
  });

  it('refuses to open a key sealed by another keystore, and does not replace it', () => {
    const file = join(dir, 'b.sealed');
    sealedKeyProvider(file, aesSealer()).dataKey();
    const before = readFileSync(file);
    expect(() => sealedKeyProvider(file, aesSealer()).dataKey()).toThrow(SealedKeyError);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt key', () => {
    const file = join(dir, 'c.sealed');
    const sealer = aesSealer();
    writeFileSync(file, sealer.encryptString(randomBytes(16).toString('base64')));
    expect(() => sealedKeyProvider(file, sealer).dataKey()).toThrow(/corrupt/);
  });
});
