/**
 * The appliance's files (build/appliance): systemd units verified by `systemd-analyze verify`, udev rules
 * by a strict parser (support/udev-rules.ts: Debian 12's udevadm has no `verify`), the shell scripts by
 * bash, the launcher's unpack/rollback logic run for real against a stand-in AppImage and compositor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_PRODUCT_ID, BOX_VENDOR_ID } from '../../drivers/hid/protocol.ts';
import { UdevSyntaxError, parseUdevRules, value } from './support/udev-rules.ts';

const REPO = resolve(import.meta.dirname, '../..');
const APPLIANCE = join(REPO, 'build/appliance');
const read = (p: string) => readFileSync(join(APPLIANCE, p), 'utf8');
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

const work = mkdtempSync(join(tmpdir(), 'fac-appliance-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const hasAnalyze = existsSync(SYSTEMD_ANALYZE);
if (!hasAnalyze) console.log('systemd unit verification skipped: systemd-analyze is not installed');

/** `systemd-analyze verify`: exit 0 and not a word on stderr (it only warns about unknown keys). */
function verify(args: string[], unitPath: string): { status: number | null; stderr: string } {
  const runtime = join(work, 'runtime');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const r = spawnSync(SYSTEMD_ANALYZE, [...args, 'verify', unitPath], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', XDG_RUNTIME_DIR: runtime } });
  return { status: r.status, stderr: r.stderr.trim() };
}

/** A unit file as a map of `section.Key` → values (repeated keys kept in order). */
function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(t);
    if (s) {
      section = s[1]!;
      continue;
    }
    const kv = /^(\w+)=(.*)$/.exec(t);
    if (!kv) throw new Error(`not a unit line: ${t}`);
    const k = `${section}.${kv[1]}`;
    keys.set(k, [...(keys.get(k) ?? []), kv[2]!]);
  }
  return keys;
}

describe.skipIf(!hasAnalyze)('systemd units', () => {
  const LAUNCH_INSTALLED = '/usr/local/lib/facilitateur/kiosk-launch';
  const LAUNCH_REPO = join(APPLIANCE, 'bin/kiosk-launch');

  /**
   * systemd-analyze checks that ExecStart is executable; cage and the installed launcher are not on this
   * machine (nothing is installed here). The unit's ExecStart is the launcher install.sh puts at
   * LAUNCH_INSTALLED, from build/appliance/bin: the check runs with that path replaced by the repository's copy.
   */
  function unitForVerification(text: string): string {
    expect(text).toContain(`ExecStart=${LAUNCH_INSTALLED}\n`);
    expect(read('install.sh')).toContain(`install -D -m 0755 "$SRC/bin/kiosk-launch" "$LIB/kiosk-launch"`);
    expect(read('install.sh')).toContain('LIB=/usr/local/lib/facilitateur');
    return text.replace(`ExecStart=${LAUNCH_INSTALLED}`, `ExecStart=${LAUNCH_REPO}`);
  }

  it('the kiosk user service passes systemd-analyze --user verify', () => {
    const dir = join(work, 'user');
    mkdirSync(dir, { recursive: true });
    const unit = join(dir, 'facilitateur-kiosk.service');
    writeFileSync(unit, unitForVerification(read('systemd/user/facilitateur-kiosk.service')));
    expect(verify(['--user'], unit)).toEqual({ status: 0, stderr: '' });
  });

  it('the verification is real: an unknown key or a missing executable is reported', () => {
    const dir = join(work, 'user-broken');
    mkdirSync(dir, { recursive: true });
    const good = unitForVerification(read('systemd/user/facilitateur-kiosk.service'));
    const typo = join(dir, 'typo.service');
    writeFileSync(typo, good.replace('WatchdogSec=', 'WatchDogSec='));
    expect(verify(['--user'], typo).stderr).toMatch(/Unknown key 'WatchDogSec'/);
    const missing = join(dir, 'missing.service');
    writeFileSync(missing, good.replace(`ExecStart=${LAUNCH_REPO}`, 'ExecStart=/usr/bin/cage -d -- /opt/nowhere'));
    const r = verify(['--user'], missing);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is not executable/);
  });

  it('is a notify service with a watchdog, restarted always, without core dumps', () => {
    const k = unitKeys(read('systemd/user/facilitateur-kiosk.service'));
    expect(k.get('Service.Type')).toEqual(['notify']);
    // the app (cage's child) notifies, through systemd-notify: NotifyAccess=all
    expect(k.get('Service.NotifyAccess')).toEqual(['all']);
    expect(Number(k.get('Service.WatchdogSec')?.[0])).toBeGreaterThanOrEqual(20);
    expect(k.get('Service.Restart')).toEqual(['always']);
    expect(k.get('Service.LimitCORE')).toEqual(['0']);
    expect(k.get('Service.Environment')).toEqual(expect.arrayContaining(['FAC_KIOSK_DATA_DIR=/data/kiosk', 'FAC_APP_DIR=/data/app']));
    expect(k.get('Service.EnvironmentFile')).toEqual(['/etc/facilitateur/kiosk.env', '-/data/config/kiosk.env']);
    // no [Install]: only the kiosk user's login session starts it, never another user's
    expect([...k.keys()].some((key) => key.startsWith('Install.'))).toBe(false);
  });

  it('the tty1 auto-login drop-in passes systemd-analyze verify with Debian’s getty@.service', () => {
    const stock = '/lib/systemd/system/getty@.service';
    expect(existsSync(stock)).toBe(true);
    const dir = join(work, 'system');
    mkdirSync(join(dir, 'getty@tty1.service.d'), { recursive: true });
    copyFileSync(stock, join(dir, 'getty@.service'));
    copyFileSync(join(APPLIANCE, 'systemd/system/getty@tty1.service.d/autologin.conf'), join(dir, 'getty@tty1.service.d/autologin.conf'));
    expect(verify([], join(dir, 'getty@tty1.service'))).toEqual({ status: 0, stderr: '' });
    // the same drop-in with a typo is caught: the drop-in is really read
    writeFileSync(join(dir, 'getty@tty1.service.d/autologin.conf'), read('systemd/system/getty@tty1.service.d/autologin.conf').replace('Type=idle', 'Typ=idle'));
    expect(verify([], join(dir, 'getty@tty1.service')).stderr).toMatch(/Unknown key 'Typ'/);
  });

  it('logs the kiosk user in on tty1 with kiosk-session as its only shell', () => {
    const k = unitKeys(read('systemd/system/getty@tty1.service.d/autologin.conf'));
    const exec = k.get('Service.ExecStart')!;
    expect(exec[0]).toBe(''); // reset Debian's ExecStart first
    expect(exec[1]).toMatch(/^-\/sbin\/agetty --autologin kiosk .*%I \$TERM$/);
    expect(read('install.sh')).toContain('--shell "$LIB/kiosk-session"');
  });
});

describe('udev rules', () => {
  const box = parseUdevRules(read('udev/70-facilitateur-box.rules'), '70-facilitateur-box.rules');
  const camera = parseUdevRules(read('udev/71-facilitateur-camera.rules'), '71-facilitateur-camera.rules');

  it('give the box’s hidraw node to the kiosk user, by the ids of drivers/hid', () => {
    const hid = box.find((r) => value(r, 'SUBSYSTEM') === 'hidraw')!;
    expect(value(hid, 'ATTRS', 'idVendor')).toBe(hex4(BOX_VENDOR_ID));
    expect(value(hid, 'ATTRS', 'idProduct')).toBe(hex4(BOX_PRODUCT_ID));
    expect(value(hid, 'MODE')).toBe('0660');
    expect(value(hid, 'GROUP')).toBe('kiosk');
    expect(value(hid, 'TAG')).toBe('uaccess');
    const usb = box.find((r) => value(r, 'SUBSYSTEM') === 'usb')!;
    expect([value(usb, 'ATTR', 'idVendor'), value(usb, 'ATTR', 'idProduct'), value(usb, 'ATTR', 'power/control')]).toEqual([hex4(BOX_VENDOR_ID), hex4(BOX_PRODUCT_ID), 'on']);
  });

  it('give video4linux capture devices to the kiosk user', () => {
    const v4l = camera.find((r) => value(r, 'SUBSYSTEM') === 'video4linux')!;
    expect(value(v4l, 'ENV', 'ID_V4L_CAPABILITIES')).toBe('*:capture:*');
    expect(value(v4l, 'TAG')).toBe('uaccess');
  });

  it('the camera model template becomes valid rules once install.sh fills it in', () => {
    const template = read('udev/72-facilitateur-camera-model.rules.in');
    expect(new Set(template.match(/@[A-Z]+@/g))).toEqual(new Set(['@VID@', '@PID@']));
    expect(read('install.sh')).toContain('sed -e "s/@VID@/$vid/g" -e "s/@PID@/$pid/g"');
    const rules = parseUdevRules(template.replaceAll('@VID@', '1778').replaceAll('@PID@', '0d06'), '72');
    expect(value(rules.find((r) => value(r, 'SUBSYSTEM') === 'video4linux')!, 'SYMLINK')).toBe('facilitateur-camera');
  });

  it('the parser refuses what udev would misread or reject', () => {
    const bad = [
      'SUBSYSTEM=="hidraw", MODE="0660",', // trailing comma
      'SUBSYSTEM=="hidraw" MODE="0660"', // missing comma
      'SUBSYSTEM == "hidraw"', // spaces around the operator
      'SUBSYSTM=="hidraw", MODE="0660"', // unknown key
      'SUBSYSTEM="hidraw", MODE="0660"', // assignment to a match-only key
      'SUBSYSTEM=="hidraw", MODE=="0660"', // match on an assignment-only key
      'ATTRS=="1209", MODE="0660"', // ATTRS without {attribute}
      'SUBSYSTEM{x}=="hidraw"', // {attribute} where none is taken
      'SUBSYSTEM=="hidraw", MODE="660x"', // not octal
      'SUBSYSTEM=="hidraw", MODE="0668"', // not octal
      'SUBSYSTEM=="hidraw", GROUP="kiosk users"', // not a group name
      "SUBSYSTEM=='hidraw'", // single quotes
      'SUBSYSTEM=="hid"raw"', // stray quote
      'SUBSYSTEM=="hidraw, MODE="0660"', // unterminated value
      'MODE="0666"', // no match at all: every device of the system
      'SUBSYSTEM=="hidraw", GOTO="nowhere"', // GOTO without LABEL
      'LABEL="end", SUBSYSTEM=="hidraw"', // LABEL with other pairs
      'RUN{shell}+="/bin/sh -c x"', // unknown RUN type
      'SUBSYSTEM=="hidraw", \\', // continuation
      'SUBSYSTEM=="hidraw", MODE="0660" ', // trailing whitespace
    ];
    for (const text of bad) expect(() => parseUdevRules(text, 'hostile.rules'), text).toThrow(UdevSyntaxError);
    // and accepts what udev documents
    expect(parseUdevRules('KERNEL=="video[0-9]*", ENV{ID_V4L_CAPABILITIES}=="*:capture:*", SYMLINK+="cam-%n", RUN{builtin}+="uaccess"\nLABEL="x"')).toHaveLength(2);
  });

  it('every rules file in build/appliance/udev parses', () => {
    const files = readdirSync(join(APPLIANCE, 'udev'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files.filter((x) => x.endsWith('.rules'))) expect(() => parseUdevRules(read(`udev/${f}`), f), f).not.toThrow();
    for (const f of files) expect(read('install.sh'), f).toContain(`udev/${f}`);
  });
});

describe('install.sh and the scripts', () => {
  it('are valid bash', () => {
    for (const f of ['install.sh', 'bin/kiosk-launch', 'bin/kiosk-session']) {
      const r = spawnSync('/bin/bash', ['-n', join(APPLIANCE, f)], { encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  it('installs only files that exist in the repository', () => {
    const script = read('install.sh');
    const refs = [...script.matchAll(/"\$SRC\/([^"$]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(existsSync(join(APPLIANCE, r)), r).toBe(true);
  });

  it('stops before changing anything: unknown options, an ordinary user', () => {
    // never run for real here: as `nobody`, so that even a regression in the option parsing stops at the root check
    const asNobody = process.getuid?.() === 0 ? ({ encoding: 'utf8', uid: 65534, gid: 65534 } as const) : ({ encoding: 'utf8' } as const);
    const unknown = spawnSync('/bin/bash', [join(APPLIANCE, 'install.sh'), '--frobnicate'], asNobody);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown option --frobnicate/);
    const user = spawnSync('/bin/bash', [join(APPLIANCE, 'install.sh'), '--no-packages'], asNobody);
    expect(user.status).toBe(1);
    expect(user.stderr).toMatch(/run as root/);
    const help = spawnSync('/bin/bash', [join(APPLIANCE, 'install.sh'), '--help'], asNobody);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--read-only');
  });

  it('writes a read-only fstab block between markers it can replace', () => {
    const block = read('etc/fstab.facilitateur').trimEnd().split('\n');
    const script = read('install.sh');
    const begin = /MARK_BEGIN='([^']+)'/.exec(script)![1]!;
    const end = /MARK_END='([^']+)'/.exec(script)![1]!;
    expect(block[0]!.startsWith(begin)).toBe(true);
    expect(block.at(-1)).toBe(end);
    const entries = block.filter((l) => !l.startsWith('#')).map((l) => l.trim().split(/\s+/));
    for (const e of entries) expect(e, e.join(' ')).toHaveLength(6);
    const byTarget = Object.fromEntries(entries.map((e) => [e[1], e]));
    expect(byTarget['/']).toBeUndefined(); // the root line is the system's own, made `ro` by install.sh
    expect(byTarget['/data']![0]).toBe('LABEL=FAC-DATA');
    expect(byTarget['/data']![3]).toMatch(/nosuid/);
    for (const t of ['/tmp', '/var/tmp', '/var/log']) expect(byTarget[t]![2], t).toBe('tmpfs');
    expect(byTarget['/var/log/journal']![0]).toBe('/data/log/journal');
  });
});

describe('kiosk-launch', () => {
  let dir: string;
  let launch: string;
  let appDir: string;
  let cageLog: string;
  let extractLog: string;

  /** A stand-in AppImage: the runtime's --appimage-extract, unpacking an app that says its version. */
  function writeAppImage(version: string): void {
    const file = join(appDir, 'Facilitateur.AppImage');
    writeFileSync(
      file,
      `#!/bin/bash\n# version ${version}\n[ "$1" = --appimage-extract ] || exit 9\necho extract >>"${extractLog}"\nmkdir -p squashfs-root\nprintf '#!/bin/sh\\necho ${version}\\n' >squashfs-root/facilitateur\nchmod +x squashfs-root/facilitateur\n`,
    );
    chmodSync(file, 0o755);
  }

  function run(): { status: number | null; stderr: string; cage: string[] } {
    rmSync(cageLog, { force: true });
    const r = spawnSync('/bin/bash', [launch], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', FAC_APP_DIR: appDir } });
    const cage = existsSync(cageLog) ? readFileSync(cageLog, 'utf8').trim().split('\n') : [];
    return { status: r.status, stderr: r.stderr, cage };
  }

  const attempts = () => (existsSync(join(appDir, 'launch-attempts')) ? readFileSync(join(appDir, 'launch-attempts'), 'utf8').trim() : null);
  const extracts = () => (existsSync(extractLog) ? readFileSync(extractLog, 'utf8').trim().split('\n').length : 0);
  const currentVersion = () => execFileSync(join(appDir, 'current/facilitateur'), { encoding: 'utf8' }).trim();

  beforeAll(() => {
    dir = join(work, 'launch');
    appDir = join(dir, 'app');
    mkdirSync(appDir, { recursive: true });
    cageLog = join(dir, 'cage.log');
    extractLog = join(dir, 'extract.log');
    // cage is not installed here: the launcher's copy execs a stand-in that records how it was called
    const cage = join(dir, 'cage');
    writeFileSync(cage, `#!/bin/bash\n{ echo "$*"; echo "APPIMAGE=$APPIMAGE"; echo "ATTEMPTS=$FAC_LAUNCH_ATTEMPTS_FILE"; } >"${cageLog}"\n`);
    chmodSync(cage, 0o755);
    launch = join(dir, 'kiosk-launch');
    const script = read('bin/kiosk-launch');
    expect(script).toContain('exec /usr/bin/cage -d -- "$CURRENT/facilitateur"');
    writeFileSync(launch, script.replace('exec /usr/bin/cage ', `exec ${cage} `));
  });

  it('fails clearly without an app', () => {
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no app at/);
  });

  it('unpacks the AppImage once, then runs it in cage with the updater’s and launcher’s variables', () => {
    writeAppImage('1.0.0');
    const r = run();
    expect(r.status).toBe(0);
    expect(r.cage[0]).toBe(`-d -- ${appDir}/current/facilitateur --ozone-platform=wayland`);
    expect(r.cage).toContain(`APPIMAGE=${appDir}/Facilitateur.AppImage`);
    expect(r.cage).toContain(`ATTEMPTS=${appDir}/launch-attempts`);
    expect(currentVersion()).toBe('1.0.0');
    expect(attempts()).toBe('1');
    run();
    expect(extracts()).toBe(1); // unchanged AppImage: not unpacked again
    expect(attempts()).toBe('2');
  });

  it('counts from zero again once the app confirmed its start', () => {
    rmSync(join(appDir, 'launch-attempts')); // what confirmLaunch() does when the window shows
    run();
    expect(attempts()).toBe('1');
  });

  it('unpacks a new version and keeps the previous one', () => {
    rmSync(join(appDir, 'launch-attempts'));
    writeAppImage('1.1.0');
    run();
    expect(extracts()).toBe(2);
    expect(currentVersion()).toBe('1.1.0');
    expect(execFileSync(join(appDir, 'previous/facilitateur'), { encoding: 'utf8' }).trim()).toBe('1.0.0');
  });

  it('rolls back after three starts that never showed a window, and lists the bad file', () => {
    const bad = execFileSync('sha256sum', [join(appDir, 'Facilitateur.AppImage')], { encoding: 'utf8' }).split(' ')[0];
    run();
    run(); // attempts 1, 2, 3 for 1.1.0 (the previous test made the first)
    expect(attempts()).toBe('3');
    const r = run();
    expect(r.stderr).toMatch(/rolling back/);
    expect(currentVersion()).toBe('1.0.0');
    expect(readFileSync(join(appDir, 'Facilitateur.AppImage'), 'utf8')).toContain('# version 1.0.0');
    expect(readFileSync(join(appDir, 'rejected-sha256'), 'utf8').trim()).toBe(bad);
    expect(existsSync(join(appDir, 'Facilitateur.AppImage.failed'))).toBe(true);
    expect(attempts()).toBe('1');
    expect(extracts()).toBe(2); // the rollback reused the unpacked previous version
  });
});
