/**
 * sd_notify over the real `systemd-notify` to a notify socket. systemd is not PID 1 here, so the socket's
 * other end is a small Python receiver that speaks the manager's side of the protocol: one datagram per
 * message, and the barrier's file descriptor closed once read (what lets systemd-notify return).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMD_NOTIFY, assignment, createSdNotifier, notifySocket, watchdogIntervalMs } from './sd-notify.ts';

const PYTHON = '/usr/bin/python3';
const missing = [PYTHON, SYSTEMD_NOTIFY].filter((p) => !existsSync(p));
if (missing.length > 0) console.log(`sd_notify round trip skipped: ${missing.join(', ')} not installed`);

const RECEIVER = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    msg, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
    print(json.dumps(msg.decode("utf-8", "replace")), flush=True)
`;

describe('notify protocol, pure parts', () => {
  it('finds the socket only where systemd puts one', () => {
    expect(notifySocket({ NOTIFY_SOCKET: '/run/user/1000/systemd/notify' })).toBe('/run/user/1000/systemd/notify');
    expect(notifySocket({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' })).toBe('@/org/freedesktop/systemd1/notify');
    for (const bad of [undefined, '', 'relative/path', '/x\n/y', `/${'a'.repeat(120)}`, '/a\0b']) expect(notifySocket({ NOTIFY_SOCKET: bad })).toBeNull();
  });

  it('pings at half the watchdog period', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1234' })).toBe(15_000);
    for (const bad of [undefined, '', '-1', '1e9', '30s', '0', '999']) expect(watchdogIntervalMs({ WATCHDOG_USEC: bad }), String(bad)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: 'x' })).toBeNull();
  });

  it('keeps one assignment per line: a newline cannot smuggle in READY=1', () => {
    expect(assignment('STATUS', 'ok\nREADY=1')).toBe('STATUS=ok READY=1');
    expect(assignment('STATUS', 'x'.repeat(1000))).toHaveLength('STATUS='.length + 400);
  });

  it('does nothing outside systemd', async () => {
    const n = createSdNotifier({ env: {} });
    expect(n.active).toBe(false);
    await n.ready('x');
    await n.watchdog();
    expect(n.startWatchdog()).toBeTypeOf('function');
  });
});

describe.skipIf(missing.length > 0)('notify protocol through systemd-notify', () => {
  let dir: string;
  let socketPath: string;
  let receiver: ChildProcessWithoutNullStreams;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fac-notify-'));
    socketPath = join(dir, 'notify');
    receiver = spawn(PYTHON, ['-c', RECEIVER, socketPath]);
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      receiver.once('error', reject);
      receiver.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const msg = JSON.parse(line) as string;
          if (msg === 'listening') resolve();
          else received.push(msg);
        }
      });
    });
  });

  afterAll(() => {
    receiver?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const messages = () => received.filter((m) => m !== 'BARRIER=1');

  it('tells the manager it is ready, its status, and that it stops', async () => {
    const errors: Error[] = [];
    const n = createSdNotifier({ env: { NOTIFY_SOCKET: socketPath }, onError: (e) => errors.push(e) });
    expect(n.active).toBe(true);
    await n.ready('kiosk ready');
    await n.status('two\nlines');
    await n.stopping();
    expect(errors).toEqual([]);
    expect(messages()).toEqual(['READY=1\nSTATUS=kiosk ready', 'STATUS=two lines', 'STOPPING=1']);
    // systemd-notify waited for the manager (the barrier) each time
    expect(received.filter((m) => m === 'BARRIER=1')).toHaveLength(3);
  });

  it('pings the watchdog while healthy, and stops when told', async () => {
    received.length = 0;
    let healthy = true;
    const n = createSdNotifier({ env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' } });
    const stop = n.startWatchdog(() => healthy);
    await expect.poll(() => messages().filter((m) => m === 'WATCHDOG=1').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    healthy = false;
    const seen = messages().length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(messages().length).toBeLessThanOrEqual(seen + 1); // at most one ping already on its way
    stop();
  });

  it('reports a helper that fails, without throwing', async () => {
    const errors: Error[] = [];
    const n = createSdNotifier({ env: { NOTIFY_SOCKET: join(dir, 'nobody-listens') }, onError: (e) => errors.push(e) });
    await n.watchdog();
    expect(errors).toHaveLength(1);
  });
});
