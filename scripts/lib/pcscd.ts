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

/** Starts pcscd in the background when absent (there is no systemd here), then waits for vpcd. */
export async function ensurePcscd(): Promise<void> {
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
