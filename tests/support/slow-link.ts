/**
 * A slow network link for the fault tests: a TCP proxy on loopback whose kiosk → server direction is
 * held to `bytesPerSecond` (answers come back at full speed). An upload then takes seconds instead of
 * milliseconds, so a test can kill a process while the server holds part of a blob, and know it did.
 * Real sockets, real HTTP and WebSocket traffic: nothing of the kiosk or the server is replaced.
 *
 * The link reads what the kiosk sends at once and lets it through at the rate. When the kiosk's side of a
 * connection goes (killed: the kernel closes its sockets), what had not gone through yet is lost with
 * it and the server's side is cut: the server holds exactly what the link let through.
 */
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface SlowLink {
  /** where the kiosk connects (http://127.0.0.1:port) */
  url: string;
  /** changes the rate of every connection, open or new (null: full speed) */
  setRate(bytesPerSecond: number | null): void;
  /** closes the proxy and every connection through it */
  close(): Promise<void>;
}

/** the rate is kept over slices of this long */
const SLICE_MS = 50;

export async function startSlowLink(target: { host: string; port: number }, bytesPerSecond: number | null): Promise<SlowLink> {
  let rate = bytesPerSecond;
  const drops = new Set<() => void>();
  const server = createServer((client: Socket) => {
    const upstream = connect(target.port, target.host);
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | null = null;
    let waitingForDrain = false;
    let gone = false;
    const drop = () => {
      if (gone) return;
      gone = true;
      queue.length = 0;
      if (timer) clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      drops.delete(drop);
    };
    drops.add(drop);
    const pump = () => {
      if (gone || timer || waitingForDrain || queue.length === 0) return;
      let slice: Buffer;
      if (rate === null) {
        slice = Buffer.concat(queue.splice(0));
      } else {
        const budget = Math.max(1, Math.floor((rate * SLICE_MS) / 1000));
        const head = queue[0]!;
        slice = head.subarray(0, budget);
        if (slice.length === head.length) queue.shift();
        else queue[0] = head.subarray(budget);
      }
      if (!upstream.write(slice)) {
        waitingForDrain = true;
        upstream.once('drain', () => {
          waitingForDrain = false;
          pump();
        });
      }
      if (rate === null) return;
      timer = setTimeout(() => {
        timer = null;
        pump();
      }, (slice.length / rate) * 1000);
    };
    client.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      pump();
    });
    // neither HTTP nor WebSocket clients half-close: the kiosk's side ending means it is gone
    client.on('end', drop);
    client.on('close', drop);
    client.on('error', drop);
    upstream.on('close', drop);
    upstream.on('error', drop);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    setRate(r) {
      rate = r;
    },
    close() {
      for (const drop of [...drops]) drop();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
