/**
 * A link that can freeze: a TCP proxy on loopback between the kiosk and the server which, when frozen,
 * keeps every connection open but lets nothing through either way — what the kiosk sees of a server
 * process stopped with SIGSTOP, or of a network that holds the packets. Thawed, what was held goes on.
 * Real sockets, real WebSocket traffic: nothing of the kiosk or the server is replaced.
 */
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface FrozenLink {
  /** where the kiosk connects (http://127.0.0.1:port) */
  url: string;
  freeze(): void;
  thaw(): void;
  /**
   * Arms a trap for the next WebSocket through the link: the server's opening packet (engine.io's
   * `0{"sid"…`) goes through, then the link is cut (`cut`: both ends closed) or holds everything (`hold`)
   * — the moment between a transport that opened and the namespace's welcome that never came.
   * Resolves once the trap was sprung.
   */
  trapNextOpening(mode: 'cut' | 'hold'): Promise<void>;
  /** closes every connection through the link (as a server killed at once) */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startFrozenLink(target: { host: string; port: number }): Promise<FrozenLink> {
  let frozen = false;
  let trap: { mode: 'cut' | 'hold'; sprung: () => void } | null = null;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server = createServer((client: Socket) => {
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
    client.pipe(upstream);
    if (trap) {
      // the upstream's bytes looked at before they are passed on, until the opening packet went by
      const armed = trap;
      let seen = '';
      const watch = (chunk: Buffer) => {
        client.write(chunk);
        seen = (seen + chunk.toString('latin1')).slice(-4096);
        if (!seen.includes('0{"sid"') || trap !== armed) return;
        trap = null;
        upstream.off('data', watch);
        if (armed.mode === 'cut') {
          client.destroy();
          upstream.destroy();
        } else {
          client.pause();
          upstream.pause();
          client.unpipe(upstream);
        }
        armed.sprung();
      };
      upstream.on('data', watch);
    } else {
      upstream.pipe(client);
    }
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('frozen link: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    freeze() {
      frozen = true;
      for (const p of pairs) {
        // unpiped: nothing read is passed on, and a paused socket reads nothing more
        p.client.pause();
        p.upstream.pause();
      }
    },
    trapNextOpening(mode) {
      return new Promise<void>((sprung) => {
        trap = { mode, sprung };
      });
    },
    cutAll() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    thaw() {
      frozen = false;
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
