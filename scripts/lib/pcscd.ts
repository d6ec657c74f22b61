/** Starts pcscd (with Debian's vpcd driver) if it is not running, and waits for vpcd's port. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

export const VPCD_HOST = '127.0.0.1';
export const VPCD_PORT = 35963;

export function pcscdRunning(): boolean {
  try {
    execFileSync('pgrep', ['-x', 'pcscd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function portOpen(port: number, host = VPCD_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function waitForVpcd(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(VPCD_PORT))) {
    if (Date.now() > deadline) throw new Error(`vpcd is not listening on ${VPCD_HOST}:${VPCD_PORT}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * vpcd writes each message in two pieces; with delayed ACKs on loopback every APDU waits ~40 ms (a
 * test-machine artefact: real readers are USB). Quick ACKs on the loopback route remove it. Root only;
 * best effort. scripts/services.sh does the same for the shell commands.
 */
export function quickAckOnLoopback(): void {
  if (process.getuid?.() !== 0) return;
  try {
    const table = execFileSync('ip', ['route', 'show', 'table', 'local'], { encoding: 'utf8' });
    if (/^local 127\.0\.0\.1 .*quickack 1/m.test(table)) return;
    execFileSync('ip', ['route', 'replace', 'local', '127.0.0.1', 'dev', 'lo', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', 'table', 'local', 'quickack', '1'], { stdio: 'ignore' });
  } catch {
    // no iproute2 or not allowed: only slower
  }
}

/** Starts pcscd in the background when absent (there is no systemd here), then waits for vpcd. */
export async function ensurePcscd(): Promise<void> {
  quickAckOnLoopback();
  if (!existsSync('/usr/sbin/pcscd')) throw new Error('pcscd is not installed: run scripts/setup.sh');
  if (!existsSync('/etc/reader.conf.d/vpcd')) throw new Error('vsmartcard-vpcd is not installed: run scripts/setup.sh');
  if (!pcscdRunning()) {
    const child = spawn('/usr/sbin/pcscd', ['--foreground'], { detached: true, stdio: 'ignore' });
    child.unref();
  }
  await waitForVpcd();
}

/** Kills pcscd and starts it again (used by recovery tests). */
export async function restartPcscd(): Promise<void> {
  try {
    execFileSync('pkill', ['-x', 'pcscd']);
  } catch {
    // not running
  }
  const deadline = Date.now() + 10_000;
  while (pcscdRunning() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await ensurePcscd();
}
