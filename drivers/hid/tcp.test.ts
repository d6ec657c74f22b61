/**
 * The loopback TCP link against hostile peers: a "box" that sends garbage, lies or stays silent, and a
 * "host" that breaks the framing. Errors are typed, nothing crashes, the host reconnects.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openCardBox, type CardBox, type CardBoxOptions } from './box.ts';
import type { HidError } from './errors.ts';
import { encodeFrame, FRAME, FrameDecoder, HOST_FRAMES } from './frames.ts';
import { encodeDeviceInfo, encodeStatusReport, REPORT_ID } from './protocol.ts';
import { deviceState, next, recorder, until } from './test-helpers.ts';
import { startVirtualBoxServer } from './virtual-box-server.ts';
import { VirtualBox } from './virtual-box.ts';

const FAST: CardBoxOptions = { retryMinMs: 10, retryMaxMs: 40, answerTimeoutMs: 300 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const INFO = encodeDeviceInfo({ protocolVersion: 1, firmware: { major: 1, minor: 0, patch: 0 }, slots: 2, latch: true, button: true, led: true });

/** A fake box on loopback: `onConnection` decides what each connection gets. */
async function fakeBox(onConnection: (socket: Socket, index: number) => void): Promise<{ url: string; connections: () => number; server: Server }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s, count++);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return { url: `tcp://127.0.0.1:${port}`, connections: () => count, server };
}

/** Answers the handshake like a real box, then hands over to `after`. */
function politeThen(socket: Socket, after: (s: Socket) => void): void {
  const dec = new FrameDecoder(HOST_FRAMES);
  let seq = 0;
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    for (const f of dec.push(chunk)) {
      if (f.kind === FRAME.GET_FEATURE) socket.write(encodeFrame(FRAME.FEATURE, INFO));
      else if (f.payload[0] === REPORT_ID.STATUS_REQUEST) {
        socket.write(encodeFrame(FRAME.INPUT, encodeStatusReport({ presentMask: 0, lockedMask: 0, buttonHeld: false, seq: seq++ })));
        if (!done) {
          done = true;
          setTimeout(() => after(socket), 20);
        }
      }
    }
  });
}

function track(box: CardBox) {
  cleanups.push(() => box.close());
  return recorder(box);
}

describe('host against a hostile box', () => {
  it('garbage instead of frames: bad-frame error, link dropped, tries again, no crash', async () => {
    const fake = await fakeBox((s) => s.write(Buffer.from('HTTP/1.1 200 OK\r\n\r\nhello')));
    const box = openCardBox(fake.url, FAST);
    const rec = track(box);
    box.start();
    await until(() => fake.connections() >= 3, 5000, 'reconnections');
    expect(rec.errors.map((e) => e.code)).toEqual(['bad-frame']); // reported once, not at every attempt
    expect(box.connected).toBe(false);
  });

  it('an oversized frame length is refused before any payload is buffered', async () => {
    const fake = await fakeBox((s) => s.write(Buffer.from([FRAME.INPUT, 0xff, 0xff])));
    const box = openCardBox(fake.url, FAST);
    const rec = track(box);
    const err = next<HidError>(box, 'error');
    box.start();
    expect((await err).message).toMatch(/length 65535/);
    expect(rec.events).not.toContain('connected 2');
  });

  it('a device without the magic is not a box; one that never answers times out', async () => {
    const liar = await fakeBox((s) => s.on('data', () => s.write(encodeFrame(FRAME.FEATURE, Uint8Array.of(REPORT_ID.DEVICE_INFO, 1, 2, 3, 4, 5, 6, 7, 8)))));
    const a = openCardBox(liar.url, FAST);
    const ra = track(a);
    a.start();
    await until(() => ra.errors.length > 0, 5000, 'not-a-box');
    expect(ra.errors[0]!.code).toBe('not-a-box');

    const mute = await fakeBox(() => undefined);
    const b = openCardBox(mute.url, FAST);
    const rb = track(b);
    b.start();
    await until(() => rb.errors.length > 0, 5000, 'timeout');
    expect(rb.errors[0]!.code).toBe('timeout');
    await until(() => mute.connections() >= 2, 5000, 'a second attempt');
  });

  it('an answer nobody asked for, or a stall, is refused', async () => {
    // Two answers to the one request the host makes: the second is unsolicited, whatever the timing.
    const eager = await fakeBox((s) => s.write(Buffer.concat([encodeFrame(FRAME.FEATURE, INFO), encodeFrame(FRAME.FEATURE, INFO)])));
    const a = openCardBox(eager.url, FAST);
    const ra = track(a);
    a.start();
    await until(() => ra.errors.length > 0, 5000, 'bad-frame');
    expect(ra.errors[0]!.code).toBe('bad-frame');

    const stall = await fakeBox((s) => s.on('data', () => s.write(encodeFrame(FRAME.FEATURE_STALL, Uint8Array.of(REPORT_ID.DEVICE_INFO)))));
    const b = openCardBox(stall.url, FAST);
    const rb = track(b);
    b.start();
    await until(() => rb.errors.length > 0, 5000, 'feature-unsupported');
    expect(rb.errors[0]!.code).toBe('feature-unsupported');
  });

  it('garbage after a good handshake: connected, error, disconnected, connected again', async () => {
    const fake = await fakeBox((s, i) => politeThen(s, (sock) => (i === 0 ? sock.write(Buffer.from([0x99, 0, 1, 0])) : undefined)));
    const box = openCardBox(fake.url, FAST);
    const rec = track(box);
    box.start();
    await until(() => rec.events.filter((e) => e.startsWith('connected')).length >= 2, 5000, 'reconnection');
    expect(rec.events.slice(0, 4)).toEqual(['connected 2', 'error bad-frame', 'disconnected', 'connected 2']);
  });
});

describe('virtual box server against a hostile host', () => {
  it('drops a host that breaks the framing; the box and the other host carry on', async () => {
    const device = new VirtualBox();
    const server = await startVirtualBoxServer({ box: device, port: 0 });
    cleanups.push(() => server.close());
    const box = openCardBox(server.url, FAST);
    track(box);
    const connected = next(box, 'connected');
    box.start();
    await connected;

    const port = server.port;
    const raw = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void raw.destroy());
    await new Promise<void>((r) => raw.once('connect', () => r()));
    // A valid frame with a malformed report first: counted by the firmware, link kept.
    raw.write(encodeFrame(FRAME.OUTPUT, Uint8Array.of(REPORT_ID.LED, 1, 2)));
    await until(() => device.malformedReports === 1, 5000, 'malformed counted');
    expect(server.connections()).toBe(2);
    const closed = new Promise<void>((r) => raw.once('close', () => r()));
    raw.write(Buffer.from('\x00\x00\x00garbage'));
    await closed;
    expect(server.protocolErrors).toBe(1);

    device.setCardPresent(0, true);
    expect(await next(box, 'card-present')).toEqual({ slot: 0, present: true });
    await box.setIndicator('ok');
    await deviceState(device, () => device.led().pattern === 'steady');
    expect(server.connections()).toBe(1);
  });

  it('unplugged: nothing listens (no error on the host); plugged: the host connects again', async () => {
    const device = new VirtualBox({ plugged: false });
    const server = await startVirtualBoxServer({ box: device, port: 0 });
    cleanups.push(() => server.close());
    const box = openCardBox(server.url, FAST);
    const rec = track(box);
    box.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.events).toEqual([]);
    const connected = next(box, 'connected');
    device.plug();
    await connected;
    expect(server.url).toBe(`tcp://127.0.0.1:${server.port}`);
  });

  it('with no host left the latches open (a crashed kiosk keeps no card prisoner)', async () => {
    const device = new VirtualBox();
    const server = await startVirtualBoxServer({ box: device, port: 0 });
    cleanups.push(() => server.close());
    const raw = connect({ host: '127.0.0.1', port: server.port });
    await new Promise<void>((r) => raw.once('connect', () => r()));
    raw.write(encodeFrame(FRAME.OUTPUT, Uint8Array.of(REPORT_ID.LATCH, 0b11, 0b11)));
    await deviceState(device, () => device.latched(0) && device.latched(1));
    raw.destroy();
    await deviceState(device, () => !device.latched(0) && !device.latched(1) && device.hostCount === 0);
  });

  it('listens on loopback only', async () => {
    await expect(startVirtualBoxServer({ box: new VirtualBox(), host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
