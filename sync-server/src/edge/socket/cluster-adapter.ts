/**
 * The socket.io cluster adapter on PostgreSQL (@socket.io/postgres-adapter), with its own small pool so
 * its LISTEN connection stays off the queries' pool.
 *
 * The adapter takes that connection in the background and, when it is closed before the connection
 * arrived (a server stopped right after it started), never gives it back: ending the pool then waited
 * for ever, and so did the server's close. So once the server is stopping, a connection the adapter
 * still gets is handed straight back (its wait never ends: a pending promise holds nothing), and any
 * connection it holds but did not release is closed before the pool ends — once: a query still running on
 * it releases it again when it fails, and a second release would throw.
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';

export interface ClusterAdapter {
  adapter: ReturnType<typeof createAdapter>;
  /** from now on the adapter gets no connection (call before closing the namespaces' adapters) */
  stopping(): void;
  /** ends the adapter's pool, whatever the adapter still holds */
  end(): Promise<void>;
  /** the adapter's own pool (its LISTEN connection, its NOTIFYs) */
  readonly pool: pg.Pool;
}

export function clusterAdapter(url: string, log: FastifyBaseLogger): ClusterAdapter {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {});
  const held = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => held.add(client));
  pool.on('release', (_err, client) => held.delete(client));
  let closing = false;
  // pool.query takes its connection through connect(callback): both forms are guarded
  type Done = (release?: unknown) => void;
  type Callback = (err: Error | undefined, client: pg.PoolClient | undefined, done: Done) => void;
  const connect = pool.connect.bind(pool) as (cb?: Callback) => Promise<pg.PoolClient> | undefined;
  const guarded = (cb?: Callback): Promise<pg.PoolClient> | undefined => {
    if (cb) {
      return connect((err, client, done) => {
        if (!err && closing) done();
        else cb(err, client, done);
      });
    }
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      if (!closing) return client;
      client.release();
      return new Promise<never>(() => {});
    });
  };
  (pool as unknown as { connect: typeof guarded }).connect = guarded;
  return {
    pool,
    adapter: createAdapter(pool, { errorHandler: (err) => log.warn({ err }, 'socket.io adapter error') }),
    stopping() {
      closing = true;
    },
    async end() {
      closing = true;
      for (const client of [...held]) {
        // a query of the adapter may still be running on it (a NOTIFY, a heartbeat): when its connection
        // is destroyed, pool.query releases it again, which pg-pool throws as an uncaught exception. The
        // checkout's release is made to act once.
        const release = client.release.bind(client);
        let released = false;
        client.release = (err?: Error | boolean) => {
          if (released) return;
          released = true;
          release(err);
        };
        client.release(true);
      }
      await pool.end().catch(() => {});
    },
  };
}
