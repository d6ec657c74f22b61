/**
 * Standard tools read the virtual card through pcscd: GnuPG (`gpg --card-status` via scdaemon) and
 * OpenSC (`openpgp-tool`). Skipped, with the reason printed, when a tool is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { issueVirtualCard } from './issue.ts';
import { vpcdReaderName } from './test-helpers.ts';
import { VirtualCard } from './vpcd-client.ts';

const run = promisify(execFile);
const SLOT = 1;
const hasGpg = existsSync('/usr/bin/gpg') && existsSync('/usr/lib/gnupg/scdaemon');
const hasOpenSc = existsSync('/usr/bin/openpgp-tool');
if (!hasGpg) console.warn('interop: GnuPG/scdaemon not installed, gpg test skipped');
if (!hasOpenSc) console.warn('interop: OpenSC openpgp-tool not installed, OpenSC test skipped');

let dir: string;
let vcard: VirtualCard;

beforeEach(async () => {
  await ensurePcscd();
  // Short path: gpg-agent sockets live in GNUPGHOME and Unix socket paths are limited in length.
  dir = mkdtempSync('/tmp/vci-');
  const path = await issueVirtualCard({
    dir,
    serial: '0A1B2C3D',
    identifier: 'FAC-K7QM-3XD2-9HRW',
    pin: '142536',
    holder: { firstName: 'Camille', lastName: 'Martin' },
  });
  vcard = VirtualCard.fromFile(path, { slot: SLOT });
  await vcard.insert();
  await new Promise((r) => setTimeout(r, 600)); // let pcscd finish powering the card up
});

afterEach(async () => {
  await vcard.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('interoperability with standard OpenPGP card tools', () => {
  it.skipIf(!hasGpg)('gpg --card-status reads the card', async () => {
    const home = join(dir, 'g');
    await run('mkdir', ['-m', '700', home]);
    writeFileSync(join(home, 'scdaemon.conf'), `disable-ccid\npcsc-shared\nreader-port "${vpcdReaderName(SLOT)}"\n`);
    const env = { ...process.env, GNUPGHOME: home, LANG: 'C', LC_ALL: 'C' };
    try {
      const { stdout } = await run('gpg', ['--batch', '--no-tty', '--card-status'], { env, timeout: 30_000 });
      console.info(`gpg --card-status:\n${stdout}`);
      expect(stdout).toContain('Application ID ...: D276000124010304FF000A1B2C3D0000');
      expect(stdout).toMatch(/Serial number \.+: 0A1B2C3D/);
      expect(stdout).toContain('Login data .......: FAC-K7QM-3XD2-9HRW');
      expect(stdout).toContain('Name of cardholder: Camille Martin');
      expect(stdout).toContain('nistp256');
      expect(stdout).toMatch(/PIN retry counter : 3 0 3/);
      expect(stdout).toMatch(/Signature key \.+: [0-9A-F]{4} /);
      expect(stdout).toMatch(/Authentication key: [0-9A-F]{4} /);
    } finally {
      await run('gpgconf', ['--kill', 'all'], { env, timeout: 10_000 }).catch(() => undefined);
    }
  });

  it.skipIf(!hasOpenSc)('OpenSC openpgp-tool reads the card', async () => {
    const { stdout } = await run('openpgp-tool', ['--reader', String(SLOT)], { timeout: 30_000 });
    console.info(`openpgp-tool:\n${stdout}`);
    expect(stdout).toMatch(/Account:\s+FAC-K7QM-3XD2-9HRW/);
    expect(stdout).toMatch(/Name:\s+Martin Camille/);
    expect(stdout).toMatch(/Language:\s+fr/);
  });

  it.skipIf(!hasOpenSc)('OpenSC PKCS#15 emulation lists the card keys and PINs', async () => {
    const { stdout } = await run('pkcs15-tool', ['--reader', String(SLOT), '--dump'], { timeout: 30_000 });
    console.info(`pkcs15-tool --dump (head):\n${stdout.split('\n').slice(0, 12).join('\n')}`);
    expect(stdout).toContain('PKCS#15 Card [OpenPGP card]');
    expect(stdout).toContain('Serial number  : ff000a1b2c3d');
    expect(stdout).toContain('Private EC Key [Signature key]');
    expect(stdout).toContain('Private EC Key [Authentication key]');
    expect(stdout).toContain('Public EC Key [Authentication key]');
  });
});
