import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confirmLaunch, installAppImage, isRejected, rejectedListPath, sha256File } from './appimage-install.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-appimage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installing an AppImage', () => {
  it('replaces the file atomically and leaves it executable', () => {
    const target = join(dir, 'Facilitateur.AppImage');
    const download = join(dir, 'download.AppImage');
    writeFileSync(target, 'old version', { mode: 0o755 });
    writeFileSync(download, 'new version', { mode: 0o644 });
    installAppImage(download, target);
    expect(readFileSync(target, 'utf8')).toBe('new version');
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(existsSync(`${target}.new`)).toBe(false);
    expect(() => installAppImage(download, 'relative/Facilitateur.AppImage')).toThrow(/absolute/);
  });

  it('knows the versions the launcher rolled back', async () => {
    const file = join(dir, 'candidate.AppImage');
    writeFileSync(file, 'a version that crashed');
    const list = rejectedListPath(join(dir, 'Facilitateur.AppImage'));
    expect(list).toBe(join(dir, 'rejected-sha256'));
    expect(await isRejected(file, list)).toBe(false); // no list yet
    writeFileSync(list, 'garbage\n\n');
    expect(await isRejected(file, list)).toBe(false);
    const digest = createHash('sha256').update('a version that crashed').digest('hex');
    expect(await sha256File(file)).toBe(digest);
    writeFileSync(list, `${'0'.repeat(64)}\n${digest}\n`);
    expect(await isRejected(file, list)).toBe(true);
  });
});

describe('launch confirmation', () => {
  it('removes the launcher’s attempt counter once the window shows', () => {
    const counter = join(dir, 'launch-attempts');
    writeFileSync(counter, '2\n');
    expect(confirmLaunch({ FAC_LAUNCH_ATTEMPTS_FILE: counter })).toBe(true);
    expect(existsSync(counter)).toBe(false);
    expect(confirmLaunch({})).toBe(false);
  });

  it('deletes nothing but the counter, whatever the environment says', () => {
    const precious = join(dir, 'outbox.sqlite');
    writeFileSync(precious, 'data');
    expect(confirmLaunch({ FAC_LAUNCH_ATTEMPTS_FILE: precious })).toBe(false);
    expect(confirmLaunch({ FAC_LAUNCH_ATTEMPTS_FILE: 'launch-attempts' })).toBe(false);
    expect(existsSync(precious)).toBe(true);
  });
});
