/**
 * The browser host hands the renderer its session without argv or stdout, to one client only
 * (kiosk/README.md, "The browser host's session"): the token is in no output of `npm run kiosk`, on no
 * Chromium command line (/proc/<pid>/cmdline, readable by anyone on the machine), a second client is
 * refused even with the valid token, a launch code works once. Real core, real Chromium.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LAUNCH_PROTOCOL_PREFIX, PROTOCOL, SESSION_PROTOCOL_PREFIX, SOCKET_PATH } from '../../kiosk/host/server.ts';
import { openKioskWindow } from '../../kiosk/host/window.ts';
import type { KioskWindow } from '../../kiosk/host/window.ts';
import { launchKioskBrowser } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { REPO, startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

const SESSION_KEY = 'fac.kiosk.session';

/** Every process's command line, with its parent: what any local user can read. */
function processes(): { pid: number; ppid: number; cmdline: string }[] {
  const out: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The Chromium processes started (directly or not) by `root`. */
function chromiumUnder(root: number): { pid: number; cmdline: string }[] {
  const all = processes();
  const mine = new Set([root]);
  let size = 0;
  while (mine.size !== size) {
    size = mine.size;
    for (const p of all) if (mine.has(p.ppid)) mine.add(p.pid);
  }
  return all.filter((p) => mine.has(p.pid) && p.pid !== root && /chromium/.test(p.cmdline));
}

function socketStatus(origin: string, credential: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}${SOCKET_PATH}`, [PROTOCOL, credential], { headers: { origin } });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

const tokenOf = (page: Page) => page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY);
const stateGet = (page: Page) =>
  page.evaluate(() => (window as unknown as { kiosk: { invoke(m: string, p: unknown): Promise<{ ok: boolean }> } }).kiosk.invoke('state.get', {}));

describe('the host opens its own Chromium window', () => {
  let stack: Stack;
  let kioskWindow: KioskWindow | null = null;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await kioskWindow?.close();
    await stack?.close();
  });

  it('hands over the session by the pipe, never on a command line; one client only; a reload comes back', async () => {
    const url = stack.host.launchUrl();
    const code = new URL(url).hash.replace('#launch=', '');
    kioskWindow = await openKioskWindow({ url, headless: true });
    const { page } = kioskWindow;
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    const token = await tokenOf(page);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // the code left the address at once
    expect(page.url()).not.toContain(code);

    // Chromium's command lines: driven over a pipe, no address, no code, no token
    const chromium = chromiumUnder(process.pid);
    expect(chromium.length).toBeGreaterThan(0);
    expect(chromium.some((p) => p.cmdline.includes('--remote-debugging-pipe'))).toBe(true);
    for (const p of chromium) {
      expect(p.cmdline).not.toContain(token!);
      expect(p.cmdline).not.toContain(code);
      expect(p.cmdline).not.toContain(stack.host.origin);
    }
    // nor any other process on the machine
    for (const p of processes()) expect(p.cmdline.includes(token!), `process ${p.pid}`).toBe(false);

    // one client only: the valid token, a fresh code, the used code — all refused while the window holds it
    expect(await socketStatus(stack.host.origin, `${SESSION_PROTOCOL_PREFIX}${token}`)).toBe(403);
    expect(await socketStatus(stack.host.origin, `${LAUNCH_PROTOCOL_PREFIX}${new URL(stack.host.launchUrl()).hash.slice(8)}`)).toBe(403);
    expect(await socketStatus(stack.host.origin, `${LAUNCH_PROTOCOL_PREFIX}${code}`)).toBe(403);
    // a second tab of the same browser gets nothing either
    const other = await page.context().newPage();
    await other.goto(stack.host.origin);
    expect(await stateGet(other)).toMatchObject({ ok: false, error: { code: 'transport' } });
    await other.close();
    expect(await stateGet(page)).toMatchObject({ ok: true });

    // a reload (the staff's "reload" command, a crash) comes back with the tab's token
    await page.reload();
    await expect.poll(async () => (await stateGet(page)).ok, { timeout: 15_000 }).toBe(true);
    expect(await tokenOf(page)).toBe(token);
    // and the used code is still refused once the session is free
    await kioskWindow.close();
    kioskWindow = null;
    await expect.poll(() => stack.host.held()).toBe(false);
    expect(await socketStatus(stack.host.origin, `${LAUNCH_PROTOCOL_PREFIX}${code}`)).toBe(403);
  });
});

// what `npm run kiosk` prints (its logs included) is checked on the real command, below
describe('npm run kiosk without a display', () => {
  let dir: string;
  let child: ChildProcess | null = null;
  let browser: LaunchedBrowser | null = null;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-host-token-'));
  });
  afterEach(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints an address with a one-time launch code only; the token it is exchanged for is printed nowhere', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'kiosk/host/main.ts'), '--no-open'], {
      cwd: REPO,
      env: {
        ...env,
        FAC_KIOSK_DATA_DIR: join(dir, 'kiosk'),
        FAC_HOST_PORT: '0',
        FAC_SYNC_URL: 'http://127.0.0.1:9',
        FAC_BOX: 'none',
        FAC_CA_CERT: join(dir, 'no-ca.pem'),
        FAC_LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\/#launch=[A-Za-z0-9_-]+/.exec(output), { timeout: 60_000, interval: 200 }).not.toBeNull();
    const url = /http:\/\/127\.0\.0\.1:\d+\/#launch=[A-Za-z0-9_-]+/.exec(output)![0];
    const origin = new URL(url).origin;
    const code = new URL(url).hash.replace('#launch=', '');

    browser = await launchKioskBrowser();
    await browser.page.goto(url);
    await expect.poll(() => tokenOf(browser!.page), { timeout: 15_000 }).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const token = (await tokenOf(browser.page))!;
    expect(await stateGet(browser.page)).toMatchObject({ ok: true });

    expect(await socketStatus(origin, `${LAUNCH_PROTOCOL_PREFIX}${code}`)).toBe(403); // used
    expect(await socketStatus(origin, `${SESSION_PROTOCOL_PREFIX}${token}`)).toBe(403); // held by the renderer
    for (const p of chromiumUnder(process.pid)) {
      expect(p.cmdline).not.toContain(token);
      expect(p.cmdline).not.toContain(code);
    }
    await new Promise((r) => setTimeout(r, 300)); // what the host logs about the refusals
    expect(output).toContain('refused a kiosk socket');
    expect(output).not.toContain(token);
    expect(output.split(code).length - 1).toBe(1); // printed once, as the address
  });
});
