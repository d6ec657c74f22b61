/**
 * The host side of the loopback TCP link to the virtual box (the simulator's box, `tcp://…`).
 * Nothing listening = box unplugged (connect returns null, the box looks again with backoff).
 */
import { connect, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../log.ts';
import { errorText, HidError } from './errors.ts';
import { BOX_FRAMES, encodeFrame, FRAME, FrameDecoder } from './frames.ts';
import type { HidConnector, HidTransport } from './transport.ts';

const CONNECT_TIMEOUT_MS = 2000;

interface FeatureWaiter {
  reportId: number;
  resolve: (r: Uint8Array) => void;
  reject: (e: HidError) => void;
}

class TcpTransport implements HidTransport {
  readonly kind = 'tcp' as const;
  private readonly decoder = new FrameDecoder(BOX_FRAMES);
  private readonly waiters: FeatureWaiter[] = [];
  private readonly early: Uint8Array[] = [];
  private reportListener: ((r: Uint8Array) => void) | null = null;
  private closeListener: ((e: HidError | null) => void) | null = null;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly log: Logger,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.log.debug({ err: e.message }, 'virtual box link error'));
    socket.on('close', () => this.finish(null));
  }

  onReport(listener: (report: Uint8Array) => void): void {
    this.reportListener = listener;
    for (const r of this.early.splice(0)) listener(r);
  }

  onClose(listener: (error: HidError | null) => void): void {
    this.closeListener = listener;
  }

  write(report: Uint8Array): Promise<void> {
    return this.send(FRAME.OUTPUT, report);
  }

  getFeature(reportId: number, _length: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new HidError('transport-closed', 'the virtual box link is closed'));
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiters.push({ reportId, resolve, reject });
      this.send(FRAME.GET_FEATURE, Uint8Array.of(reportId)).catch(reject);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectWaiters(new HidError('closed', 'link closed by the host'));
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private send(kind: number, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new HidError('transport-closed', 'the virtual box link is closed'));
    let frame: Buffer;
    try {
      frame = encodeFrame(kind, payload);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      this.socket.write(frame, (err) => (err ? reject(new HidError('write-failed', `virtual box write failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail(e instanceof HidError ? e : new HidError('bad-frame', errorText(e)));
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      if (f.kind === FRAME.INPUT) {
        if (this.reportListener) this.reportListener(f.payload);
        else this.early.push(f.payload);
        continue;
      }
      const w = this.waiters.shift();
      if (!w) {
        this.fail(new HidError('bad-frame', 'feature answer nobody asked for'));
        return;
      }
      if (f.payload[0] !== w.reportId) {
        this.fail(new HidError('bad-frame', `feature answer for 0x${f.payload[0]!.toString(16)}, asked 0x${w.reportId.toString(16)}`));
        w.reject(new HidError('bad-frame', 'feature answer out of order'));
        return;
      }
      if (f.kind === FRAME.FEATURE_STALL) w.reject(new HidError('feature-unsupported', `the box has no feature report 0x${w.reportId.toString(16)}`));
      else w.resolve(f.payload);
    }
  }

  /** A protocol violation by the peer: drop the link, say why. */
  private fail(e: HidError): void {
    this.log.warn({ err: e.message }, 'virtual box link: protocol error, closing');
    this.finish(e);
    this.socket.destroy();
  }

  private finish(err: HidError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectWaiters(err ?? new HidError('transport-closed', 'the virtual box closed the link'));
    this.closeListener?.(err);
  }

  private rejectWaiters(e: HidError): void {
    for (const w of this.waiters.splice(0)) w.reject(e);
  }
}

export interface TcpConnectorOptions {
  host: string;
  port: number;
  logger?: Logger | undefined;
}

export function tcpConnector(opts: TcpConnectorOptions): HidConnector {
  const log = opts.logger ?? silentLogger;
  return {
    kind: 'tcp',
    description: `tcp://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`,
    connect(): Promise<HidTransport | null> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host: opts.host, port: opts.port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new HidError('timeout', `no answer from the virtual box at ${opts.host}:${opts.port}`));
        }, CONNECT_TIMEOUT_MS);
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.removeAllListeners('error');
          resolve(new TcpTransport(socket, log));
        });
        socket.once('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          socket.destroy();
          // Nothing listening is the virtual box unplugged, not an error.
          if (e.code === 'ECONNREFUSED') resolve(null);
          else reject(new HidError('open-failed', `cannot reach the virtual box at ${opts.host}:${opts.port}: ${e.message}`, { cause: e }));
        });
      });
    },
  };
}
