/**
 * Serves a `VirtualBox` on loopback TCP (framing in frames.ts / PROTOCOL.md), so a kiosk in another
 * process reaches it with `openCardBox('tcp://127.0.0.1:PORT')`. Each connection is a host that
 * opened the device. Unplugging the box closes every connection and stops listening (the host sees
 * "nothing there", as with a USB box); plugging it listens again on the same port.
 * A peer that breaks the framing is disconnected; the box and the other hosts carry on.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../log.ts';
import { errorText, HidError, isHidError } from './errors.ts';
import { encodeFrame, FRAME, FrameDecoder, HOST_FRAMES } from './frames.ts';
import type { VirtualBox } from './virtual-box.ts';

export interface VirtualBoxServerOptions {
  box: VirtualBox;
  /** Loopback only. Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port (kept across unplug / plug). */
  port: number;
  logger?: Logger;
}

export interface VirtualBoxServer {
  readonly port: number;
  /** `tcp://127.0.0.1:PORT`, the spec for `openCardBox`. */
  readonly url: string;
  /** Hosts connected now. */
  connections(): number;
  /** Connections dropped for breaking the framing. */
  readonly protocolErrors: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startVirtualBoxServer(opts: VirtualBoxServerOptions): Promise<VirtualBoxServer> {
  const { box } = opts;
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new HidError('invalid-argument', `the virtual box listens on loopback only, not ${host}`);
  const log = opts.logger ?? silentLogger;
  const sockets = new Set<Socket>();
  let protocolErrors = 0;
  let closed = false;
  let server: Server | null = null;
  let port = opts.port;

  const serve = (socket: Socket) => {
    if (!box.plugged || closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    const detach = box.attachHost();
    const decoder = new FrameDecoder(HOST_FRAMES);
    const send = (kind: number, payload: Uint8Array) => {
      if (socket.destroyed) return;
      try {
        socket.write(encodeFrame(kind, payload));
      } catch (e) {
        // An empty or oversized report cannot cross a USB endpoint either.
        log.debug({ err: errorText(e) }, 'virtual box: report not sendable, dropped');
      }
    };
    const onInput = (report: Uint8Array) => send(FRAME.INPUT, report);
    box.on('input', onInput);
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        protocolErrors++;
        log.warn({ err: errorText(e) }, 'virtual box: host broke the framing, disconnecting it');
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (socket.destroyed) return;
        if (f.kind === FRAME.OUTPUT) {
          box.receiveOutput(f.payload);
          continue;
        }
        const reportId = f.payload[0]!;
        try {
          send(FRAME.FEATURE, box.readFeature(reportId));
        } catch (e) {
          if (isHidError(e, 'feature-unsupported')) send(FRAME.FEATURE_STALL, Uint8Array.of(reportId));
          else socket.destroy();
        }
      }
    });
    socket.on('error', (e) => log.debug({ err: e.message }, 'virtual box: host link error'));
    socket.on('close', () => {
      sockets.delete(socket);
      box.off('input', onInput);
      detach();
    });
  };

  const listen = async (): Promise<void> => {
    const s = createServer(serve);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', (e) => log.error({ err: e.message }, 'virtual box server error'));
    port = (s.address() as AddressInfo).port;
    server = s;
  };

  const stopListening = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  const onUnplug = () => {
    void stopListening();
  };
  const onPlug = () => {
    if (closed) return;
    listen().catch((e: unknown) => log.error({ err: errorText(e), port }, 'virtual box: cannot listen again after plug'));
  };
  box.on('unplugged', onUnplug);
  box.on('plugged', onPlug);

  if (box.plugged) await listen();
  else if (port === 0) {
    // Reserve a port now so the URL is known before the box is first plugged.
    await listen();
    await stopListening();
  }
  const url = `tcp://${host === '::1' ? '[::1]' : host}:${port}`;
  log.info({ url }, 'virtual box listening');

  return {
    get port() {
      return port;
    },
    url,
    connections: () => sockets.size,
    get protocolErrors() {
      return protocolErrors;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      box.off('unplugged', onUnplug);
      box.off('plugged', onPlug);
      await stopListening();
    },
  };
}
