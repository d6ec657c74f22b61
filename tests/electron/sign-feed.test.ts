/**
 * The release's feed signing (build/release/sign-feed.ts) against what the kiosk checks
 * (kiosk/main/update-signature.ts), through electron-updater's own feed parser.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FeedError, parseFeed, signFeed, stageFeed } from '../../build/release/sign-feed.ts';
import { SIGNATURE_FIELD, verifyUpdateInfo } from '../../kiosk/main/update-signature.ts';

const REPO = resolve(import.meta.dirname, '../..');
const keys = generateKeyPairSync('ed25519');
const PRIVATE = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const dir = mkdtempSync(join(tmpdir(), 'fac-feed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const APPIMAGE = Buffer.from('pretend AppImage bytes 1.2.0');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');
const feedPath = join(dir, 'latest-linux.yml');

/** The feed as electron-builder writes it. */
function writeFeed(): void {
  writeFileSync(join(dir, 'Facilitateur-1.2.0-x86_64.AppImage'), APPIMAGE);
  writeFileSync(
    feedPath,
    [
      'version: 1.2.0',
      'files:',
      '  - url: Facilitateur-1.2.0-x86_64.AppImage',
      `    sha512: ${sha512(APPIMAGE)}`,
      `    size: ${APPIMAGE.length}`,
      '    blockMapSize: 1234',
      'path: Facilitateur-1.2.0-x86_64.AppImage',
      `sha512: ${sha512(APPIMAGE)}`,
      "releaseDate: '2026-03-02T10:00:00.000Z'",
      '',
    ].join('\n'),
  );
}

beforeEach(writeFeed);

describe('signing the feed', () => {
  it('signs what the kiosk verifies, read by electron-updater’s parser', async () => {
    await expect(signFeed(feedPath, PRIVATE)).resolves.toMatchObject({ version: '1.2.0' });
    const info = parseFeed(readFileSync(feedPath, 'utf8'));
    expect(verifyUpdateInfo(info, PUBLIC)).toMatchObject({ ok: true, version: '1.2.0' });
    // the rest of the yml is as electron-builder wrote it
    expect(readFileSync(feedPath, 'utf8')).toContain("releaseDate: '2026-03-02T10:00:00.000Z'");
  });

  it('signs again in place (one signature line)', async () => {
    await signFeed(feedPath, PRIVATE);
    await signFeed(feedPath, PRIVATE);
    expect(readFileSync(feedPath, 'utf8').match(new RegExp(`^${SIGNATURE_FIELD}:`, 'gm'))).toHaveLength(1);
  });

  it('refuses to sign a feed whose files changed after the build', async () => {
    writeFileSync(join(dir, 'Facilitateur-1.2.0-x86_64.AppImage'), Buffer.concat([APPIMAGE, Buffer.from('tampered')]));
    await expect(signFeed(feedPath, PRIVATE)).rejects.toThrow(FeedError);
    expect(readFileSync(feedPath, 'utf8')).not.toContain(SIGNATURE_FIELD);
  });

  it('refuses what is not a feed', async () => {
    writeFileSync(feedPath, 'just: a yaml\n');
    await expect(signFeed(feedPath, PRIVATE)).rejects.toThrow(/not an update feed/);
  });

  it('a feed edited after signing no longer verifies on the kiosk', async () => {
    await signFeed(feedPath, PRIVATE);
    writeFileSync(feedPath, readFileSync(feedPath, 'utf8').replace('version: 1.2.0', 'version: 9.9.9'));
    expect(verifyUpdateInfo(parseFeed(readFileSync(feedPath, 'utf8')), PUBLIC)).toMatchObject({ ok: false, reason: 'bad feed signature' });
  });
});

describe('staged rollout', () => {
  it('sets stagingPercentage where electron-updater reads it, and the signature still holds', async () => {
    await signFeed(feedPath, PRIVATE);
    stageFeed(feedPath, 10);
    stageFeed(feedPath, 50);
    const info = parseFeed(readFileSync(feedPath, 'utf8')) as { stagingPercentage?: unknown };
    expect(info.stagingPercentage).toBe(50);
    expect(readFileSync(feedPath, 'utf8').match(/^stagingPercentage:/gm)).toHaveLength(1);
    expect(verifyUpdateInfo(info, PUBLIC).ok).toBe(true);
  });

  it('refuses a percentage that is not 0–100', () => {
    for (const p of [-1, 101, 12.5, Number.NaN]) expect(() => stageFeed(feedPath, p)).toThrow(FeedError);
  });
});

describe('the command line', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'build/release/sign-feed.ts'), ...args], { encoding: 'utf8', cwd: REPO });

  it('signs and stages', () => {
    const keyFile = join(dir, 'update-key.pem');
    writeFileSync(keyFile, PRIVATE, { mode: 0o600 });
    const sign = cli('sign', '--feed', feedPath, '--key', keyFile);
    expect(sign.status, sign.stderr).toBe(0);
    expect(sign.stdout).toContain('signed');
    const stage = cli('stage', '--feed', feedPath, '--percent', '25');
    expect(stage.status, stage.stderr).toBe(0);
    expect(verifyUpdateInfo(parseFeed(readFileSync(feedPath, 'utf8')), PUBLIC).ok).toBe(true);
  });

  it('says how to use it', () => {
    const r = cli('publish');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--feed');
  });
});
