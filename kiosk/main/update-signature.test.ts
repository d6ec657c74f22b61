import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGNATURE_FIELD, signUpdateInfo, updateSigningMessage, verifyDownloadedFile, verifyUpdateInfo } from './update-signature.ts';

const pem = (k: { export(o: { type: 'spki' | 'pkcs8'; format: 'pem' }): string | Buffer }, type: 'spki' | 'pkcs8') => k.export({ type, format: 'pem' }).toString();
const release = generateKeyPairSync('ed25519');
const RELEASE_PUB = pem(release.publicKey, 'spki');
const RELEASE_PRIV = pem(release.privateKey, 'pkcs8');
const other = generateKeyPairSync('ed25519');

const dir = mkdtempSync(join(tmpdir(), 'fac-update-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = Buffer.from('an AppImage, pretend');
const sha512 = createHash('sha512').update(bytes).digest('base64');
const facts = { version: '1.4.0', files: [{ url: 'Facilitateur-1.4.0.AppImage', sha512, size: bytes.length }] };
const feed = (over: Record<string, unknown> = {}) => ({ ...facts, path: facts.files[0]!.url, releaseDate: '2026-01-01T00:00:00Z', [SIGNATURE_FIELD]: signUpdateInfo(facts, RELEASE_PRIV), ...over });

describe('signed update feed', () => {
  it('accepts a feed signed by the release key', () => {
    expect(verifyUpdateInfo(feed(), RELEASE_PUB)).toEqual({ ok: true, version: '1.4.0', files: facts.files });
    // fields outside the signature (staged rollout, dates) may change
    expect(verifyUpdateInfo(feed({ stagingPercentage: 10, releaseDate: 'later' }), RELEASE_PUB).ok).toBe(true);
  });

  it('refuses a feed changed after signing', () => {
    const tampered = [
      feed({ version: '1.4.1' }),
      feed({ files: [{ ...facts.files[0], sha512: createHash('sha512').update('evil').digest('base64') }] }),
      feed({ files: [{ ...facts.files[0], url: 'Evil-1.4.0.AppImage' }] }),
      feed({ files: [{ ...facts.files[0], size: 1 }] }),
      feed({ files: [...facts.files, { url: 'extra.AppImage', sha512, size: 3 }] }),
    ];
    for (const t of tampered) expect(verifyUpdateInfo(t, RELEASE_PUB)).toMatchObject({ ok: false, reason: 'bad feed signature' });
  });

  it('refuses a feed signed by another key, unsigned or malformed', () => {
    expect(verifyUpdateInfo(feed({ [SIGNATURE_FIELD]: signUpdateInfo(facts, pem(other.privateKey, 'pkcs8')) }), RELEASE_PUB)).toMatchObject({ ok: false, reason: 'bad feed signature' });
    const { [SIGNATURE_FIELD]: _gone, ...unsigned } = feed();
    expect(verifyUpdateInfo(unsigned, RELEASE_PUB).ok).toBe(false);
    for (const bad of [null, 'yaml', 42, [], {}, feed({ version: 'latest' }), feed({ files: [] }), feed({ files: [{ url: '../../etc/passwd', sha512 }] }), feed({ [SIGNATURE_FIELD]: 'not base64!' })]) {
      expect(verifyUpdateInfo(bad, RELEASE_PUB).ok).toBe(false);
    }
  });

  it('refuses everything when the app has no usable update key', () => {
    expect(verifyUpdateInfo(feed(), null)).toMatchObject({ ok: false, reason: 'no update key built into this app' });
    expect(verifyUpdateInfo(feed(), 'not a key').ok).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(verifyUpdateInfo(feed(), pem(rsa.publicKey, 'spki'))).toMatchObject({ ok: false, reason: 'the built-in update key is not Ed25519' });
    expect(() => signUpdateInfo(facts, pem(rsa.privateKey, 'pkcs8'))).toThrow(/Ed25519/);
  });

  it('signs a message independent of the order of the files', () => {
    const a = { url: 'a.AppImage', sha512, size: 1 };
    const b = { url: 'b.AppImage', sha512, size: 2 };
    expect(updateSigningMessage({ version: '1.0.0', files: [a, b] }).equals(updateSigningMessage({ version: '1.0.0', files: [b, a] }))).toBe(true);
    expect(updateSigningMessage({ version: '1.0.0', files: [a] }).toString()).toMatch(/^facilitateur-kiosk-update-v1\n1\.0\.0\n/);
  });
});

describe('downloaded file', () => {
  it('must be one of the signed files, byte for byte', async () => {
    const good = join(dir, 'good.AppImage');
    const bad = join(dir, 'bad.AppImage');
    writeFileSync(good, bytes);
    writeFileSync(bad, Buffer.concat([bytes, Buffer.from('!')]));
    expect(await verifyDownloadedFile(good, facts.files)).toBe(true);
    expect(await verifyDownloadedFile(bad, facts.files)).toBe(false);
    await expect(verifyDownloadedFile(join(dir, 'missing'), facts.files)).rejects.toThrow();
  });
});
