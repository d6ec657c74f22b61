/**
 * Builds and starts the server in-process: storage (migrated, seeded if asked), Fastify with the HTTP
 * routes and tus, and socket.io on the same HTTP server. Tests and the kiosk's end-to-end tests use
 * `startServer` directly; `main.ts` wraps it for `npm run server`.
 *
 * Scale-out: on PostgreSQL, socket.io runs with @socket.io/postgres-adapter, so several instances on one
 * database act as one: a push, a revocation or a dropped connection issued through one instance reaches
 * kiosks connected to another. Blobs then belong on S3-compatible storage (FAC_BLOB_STORE).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAdapter } from '@socket.io/postgres-adapter';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Server as IoServer } from 'socket.io';
import { LIMITS } from '../../protocol/common.ts';
import { KIOSK_NAMESPACE } from '../../protocol/socket.ts';
import { registerAuthRoutes } from './http/auth-routes.ts';
import { Challenges } from '../features/fleet/index.ts';
import { revokeKiosk } from '../features/fleet/index.ts';
import { openBlobStore } from '../kernel/blobs/open-blob-store.ts';
import { runHousekeeping, scheduleHousekeeping } from './jobs/housekeeping.ts';
import type { HousekeepingReport } from './jobs/housekeeping.ts';
import { registerBlobRoutes } from './http/blob-routes.ts';
import type { BlobUploadTestHooks } from './http/blob-routes.ts';
import type { BlobStore } from '../kernel/blobs/blob-store.ts';
import { loadCa } from '../features/cards/index.ts';
import type { LoadedCa } from '../features/cards/index.ts';
import { ServerConfig } from './config.ts';
import type { ServerConfigInput } from './config.ts';
import { registerConsole } from './console/routes.ts';
import { httpError } from './http/errors.ts';
import { registerHealth } from './http/health.ts';
import { registerStaffApi } from './http/staff-api.ts';
import { isDatabaseEmpty, readSeedFile, seedDatabase } from './seed.ts';
import { registerKioskStaffApi } from './http/kiosk-api.ts';
import { openDatabase } from '../kernel/storage/database.ts';
import type { Dialect } from '../kernel/storage/database.ts';
import { migrateToLatest } from '../kernel/storage/migrate.ts';
import type { Database } from '../kernel/storage/schema.ts';
import { SyncEngine } from '../features/sync/index.ts';
import { attachKioskNamespace } from './socket/kiosk-socket.ts';
import type { KioskNamespace } from './socket/kiosk-socket.ts';
import { attachVaultSocket } from './socket/vault-socket.ts';
import { attachApplicationsSocket } from './socket/applications-socket.ts';
import { PushService } from './socket/pushes.ts';
import type { SyncTestHooks } from '../features/sync/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  db: Kysely<Database>;
  dialect: Dialect;
  /** the platform CA loaded from `<data>/ca/` (null: issuance and revocation signing are off) */
  ca: LoadedCa | null;
  /** server → kiosk pushes; `pushes.revocationsChanged()` after a card was blocked or replaced */
  pushes: PushService;
  blobStore: BlobStore;
  io: IoServer;
  /** kiosk administration that needs the live connections */
  kiosks: {
    /** revokes a kiosk and drops its connections on every instance; false when it was revoked already */
    revoke(kioskId: string): Promise<boolean>;
    /** kiosk ids connected to this instance */
    connected(): string[];
  };
  /** runs the orphan cleanup now (the server also runs it every `blobs.gcIntervalMs`) */
  collectGarbage(o?: { now?: Date }): Promise<HousekeepingReport>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** a pino logger, or false for none; by default a pino logger at the configured level */
  logger?: Logger | false;
  /** push tuning (tests shorten them) */
  pushes?: { ackTimeoutMs?: number; retryDelaysMs?: readonly number[]; pollMs?: number };
  /** how often each instance looks for kiosks revoked by another process (2 s; 0 = never) */
  revocationPollMs?: number;
  /** fault-injection points for tests only (sync/test-hooks.ts, http/blob-routes.ts); nothing in the configuration sets them */
  hooks?: SyncTestHooks & BlobUploadTestHooks;
}

/** Paths that must never appear in logs, whatever logs them. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'auth.token', 'auth.signature', 'token', '*.token'];

function createLogger(config: ServerConfig, option: StartOptions['logger']): Logger | false {
  if (option !== undefined) return option;
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } });
}

function urlOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export async function startServer(configInput: ServerConfigInput, opts: StartOptions = {}): Promise<RunningServer> {
  const config = ServerConfig.parse(configInput);
  const uploadDir = join(config.dataDir, 'uploads');
  mkdirSync(uploadDir, { recursive: true });
  if (config.blobs.store.kind === 'local') mkdirSync(join(config.dataDir, 'blobs'), { recursive: true });

  const { db, dialect, makeDurable } = openDatabase(config.database);
  const blobStore = openBlobStore(config.blobs.store, config.dataDir);
  let app: FastifyInstance | undefined;
  let pushes: PushService | undefined;
  let adapterPool: pg.Pool | null = null;
  let kioskNs: KioskNamespace | undefined;
  let stopHousekeeping: () => void = () => {};
  try {
    await migrateToLatest(db, dialect);
    if (config.seedPath !== null && (await isDatabaseEmpty(db))) {
      await seedDatabase(db, await readSeedFile(config.seedPath));
    }

    const logger = createLogger(config, opts.logger);
    const loggerInstance: FastifyBaseLogger | null = logger === false ? null : logger;
    // behind the reverse proxies named in FAC_TRUST_PROXY only: request.ip and request.protocol from their headers
    const trustProxy = config.trustProxy.length > 0 ? [...config.trustProxy] : false;
    app = loggerInstance === null ? Fastify({ logger: false, trustProxy }) : Fastify({ loggerInstance, trustProxy });
    const log = app.log;

    app.setErrorHandler((err: { statusCode?: number; message?: string }, request, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      if (status >= 500) request.log.error({ err }, 'request failed');
      const code = status === 413 ? 'too_large' : status >= 500 ? 'internal' : 'invalid';
      void reply.code(status).send(httpError(code, status >= 500 ? 'Erreur interne du serveur.' : 'Requête invalide.'));
    });
    app.setNotFoundHandler((_request, reply) => {
      void reply.code(404).send(httpError('unknown', 'Introuvable.'));
    });

    const ca = await loadCa(config.dataDir);
    if (ca) log.info({ subject: ca.subject, fingerprint: ca.fingerprint, notAfter: ca.notAfter.toISOString() }, 'platform CA loaded');
    else log.warn({ dir: join(config.dataDir, 'ca') }, 'no platform CA: card issuance and revocation lists are off (npm run staff -- ca init)');
    const pushService = new PushService({ db, dialect, log, ca, ...opts.pushes });
    pushes = pushService;
    await pushService.start();
    const challenges = await Challenges.open(db);

    let adapter: ReturnType<typeof createAdapter> | undefined;
    if (config.database.kind === 'postgres') {
      // the adapter keeps one connection LISTENing; its own small pool keeps it off the queries' pool
      adapterPool = new pg.Pool({ connectionString: config.database.url, max: 3 });
      adapterPool.on('error', () => {});
      adapter = createAdapter(adapterPool, { errorHandler: (err) => log.warn({ err }, 'socket.io adapter error') });
    }
    const io = new IoServer(app.server, {
      maxHttpBufferSize: LIMITS.socketMessageBytes,
      serveClient: false,
      ...(adapter ? { adapter } : {}),
    });
    const dropKiosk = (kioskId: string) => kioskNs?.dropKiosk(kioskId);

    registerHealth(app, db, dialect);
    await registerAuthRoutes(app, { db, dialect, challenges, onKeyReplaced: dropKiosk });
    await registerBlobRoutes(app, { db, blobStore, uploadDir, limits: config.blobs, ...(opts.hooks ? { hooks: opts.hooks } : {}) });
    await registerStaffApi(app, { db, dialect, blobStore, staffToken: config.staffToken, pushes: pushService });
    await registerKioskStaffApi(app, { db, dialect, staffToken: config.staffToken, pushes: pushService, dropKiosk });
    await registerConsole(app, { db, dialect, blobStore });

    const engine = new SyncEngine({ db, dialect, makeDurable, log, blobStore, ...(opts.hooks ? { hooks: opts.hooks } : {}) });
    const ns = attachKioskNamespace(io, {
      db,
      engine,
      log,
      pushes: pushService,
      challenges,
      clustered: adapter !== undefined,
      ...(opts.revocationPollMs !== undefined ? { revocationPollMs: opts.revocationPollMs } : {}),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
    });
    kioskNs = ns;
    pushService.bind(io.of(KIOSK_NAMESPACE), { clustered: adapter !== undefined });
    attachVaultSocket(io, { db, dialect, blobStore, ca: () => ca, log });
    attachApplicationsSocket(io, { db, dialect, blobStore, ca: () => ca, log });

    const housekeeping = { db, store: blobStore, uploadDir, graceMs: config.blobs.graceMs, uploadStaleMs: config.blobs.uploadStaleMs };
    const gc = (o: { now?: Date } = {}) => runHousekeeping(housekeeping, o);
    stopHousekeeping = scheduleHousekeeping(housekeeping, config.blobs.gcIntervalMs, log);

    // open websockets would keep the HTTP server from closing
    app.addHook('preClose', async () => {
      stopHousekeeping();
      pushService.close();
      ns.close();
      io.of(KIOSK_NAMESPACE).disconnectSockets(true);
      io.engine.close();
      // the cluster adapter's LISTEN connection and timers (io.close() would close the HTTP server too)
      io.of(KIOSK_NAMESPACE).adapter.close();
      io.of('/').adapter.close();
    });

    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const url = urlOf(config.host, port);
    const running = app;
    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      db,
      dialect,
      ca,
      pushes: pushService,
      blobStore,
      io,
      kiosks: {
        async revoke(kioskId) {
          const r = await revokeKiosk(db, dialect, { kioskId, actor: { kind: 'staff', id: 'server' } });
          ns.dropKiosk(kioskId);
          return r.changed;
        },
        connected: () => ns.connectedKiosks(),
      },
      collectGarbage: gc,
      close() {
        closing ??= (async () => {
          // in-flight requests get a short grace; a keep-alive connection that goes idle after the
          // close began would otherwise hold it until its keep-alive timeout (72 s)
          const grace = setTimeout(() => running.server.closeAllConnections(), 2000);
          try {
            await running.close();
          } finally {
            clearTimeout(grace);
            await adapterPool?.end().catch(() => {});
            await blobStore.close().catch(() => {});
            await db.destroy();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    stopHousekeeping();
    pushes?.close();
    kioskNs?.close();
    if (app) await app.close().catch(() => {});
    await adapterPool?.end().catch(() => {});
    await blobStore.close().catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}
