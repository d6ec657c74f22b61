/** Starts pcscd (with Debian's vpcd driver) if it is not running, and waits for vpcd's port. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

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


/**
 * Is something LISTENING on the port? Read from /proc/net/tcp rather than by connecting: vpcd takes any
 * connection to its port for a card being inserted, so a probe would insert (and remove) a phantom card.
 */
export function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

export async function waitForVpcd(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!listening(VPCD_PORT)) {
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
