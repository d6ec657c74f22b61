/**
 * A slow network link for the fault tests: a TCP proxy on loopback whose kiosk → server direction is
 * held to `bytesPerSecond` (answers come back at full speed). An upload then takes seconds instead of
 * milliseconds, so a test can kill a process while the server holds part of a blob, and know it did.
 * Real sockets, real HTTP and WebSocket traffic: nothing of the kiosk or the server is replaced.
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

export async function startSlowLink(target: { host: string; port: number }, bytesPerSecond: number | null): Promise<SlowLink> {
  let rate = bytesPerSecond;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (rate === null) {
        if (!upstream.write(chunk)) {
          client.pause();
          upstream.once('drain', () => client.resume());
        }
        return;
      }
      // a chunk at a time, then a pause as long as the rate says that chunk took
      client.pause();
      upstream.write(chunk);
      const t = setTimeout(() => client.resume(), (chunk.length / rate) * 1000);
      t.unref();
    });
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
      for (const s of sockets) s.destroy();
      sockets.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
