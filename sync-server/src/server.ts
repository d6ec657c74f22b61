/**
 * Builds and starts the server in-process: storage (migrated, seeded if asked), Fastify with the HTTP
 * routes and tus, and socket.io on the same HTTP server. Tests and the kiosk's end-to-end tests use
 * `startServer` directly; `main.ts` wraps it for `npm run server`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Server as IoServer } from 'socket.io';
import { LIMITS } from '../protocol/common.ts';
import { KIOSK_NAMESPACE } from '../protocol/socket.ts';
import { LocalBlobStore } from './blobs/blob-store.ts';
import { registerBlobRoutes } from './blobs/blob-routes.ts';
import { loadCa } from './cards/ca-store.ts';
import type { LoadedCa } from './cards/ca-store.ts';
import { ServerConfig } from './config.ts';
import { httpError } from './http/errors.ts';
import { registerHealth } from './http/health.ts';
import { registerStaffApi } from './http/staff-api.ts';
import { isDatabaseEmpty, readSeedFile, seedDatabase } from './seed.ts';
import { openDatabase } from './storage/database.ts';
import type { Dialect } from './storage/database.ts';
import { migrateToLatest } from './storage/migrate.ts';
import type { Database } from './storage/schema.ts';
import { SyncEngine } from './sync/apply-mutations.ts';
import { attachKioskNamespace } from './sync/kiosk-socket.ts';
import { PushService } from './sync/pushes.ts';

export interface RunningServer {
  url: string;
  port: number;
  db: Kysely<Database>;
  dialect: Dialect;
  /** the platform CA loaded from `<data>/ca/` (null: issuance and revocation signing are off) */
  ca: LoadedCa | null;
  /** server → kiosk pushes; `pushes.revocationsChanged()` after a card was blocked or replaced */
  pushes: PushService;
  close(): Promise<void>;
}

export interface StartOptions {
  /** a pino logger, or false for none; by default a pino logger at the configured level */
  logger?: Logger | false;
  /** push tuning (tests shorten them) */
  pushes?: { ackTimeoutMs?: number; retryDelaysMs?: readonly number[]; pollMs?: number };
}

/** Paths that must never appear in logs, whatever logs them. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'auth.token', 'token', '*.token'];

function createLogger(config: ServerConfig, option: StartOptions['logger']): Logger | false {
  if (option !== undefined) return option;
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } });
}

function urlOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export async function startServer(configInput: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const config = ServerConfig.parse(configInput);
  const blobDir = join(config.dataDir, 'blobs');
  const uploadDir = join(config.dataDir, 'uploads');
  mkdirSync(blobDir, { recursive: true });
  mkdirSync(uploadDir, { recursive: true });

  const { db, dialect, makeDurable } = openDatabase(config.database);
  let app: FastifyInstance | undefined;
  let pushes: PushService | undefined;
  try {
    await migrateToLatest(db, dialect);
    if (config.seedPath !== null && (await isDatabaseEmpty(db))) {
      await seedDatabase(db, await readSeedFile(config.seedPath));
    }

    const logger = createLogger(config, opts.logger);
    const loggerInstance: FastifyBaseLogger | null = logger === false ? null : logger;
    app = loggerInstance === null ? Fastify({ logger: false }) : Fastify({ loggerInstance });
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

    const blobStore = new LocalBlobStore(blobDir);
    registerHealth(app, db, dialect);
    await registerBlobRoutes(app, { db, blobStore, uploadDir });
    await registerStaffApi(app, { db, dialect, blobStore, staffToken: config.staffToken, pushes: pushService });

    const io = new IoServer(app.server, { maxHttpBufferSize: LIMITS.socketMessageBytes, serveClient: false });
    const engine = new SyncEngine({ db, dialect, makeDurable, log });
    attachKioskNamespace(io, { db, engine, log, pushes: pushService });
    // open websockets would keep the HTTP server from closing
    app.addHook('preClose', async () => {
      pushService.close();
      io.of(KIOSK_NAMESPACE).disconnectSockets(true);
      io.engine.close();
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
      close() {
        closing ??= (async () => {
          // in-flight requests get a short grace; a keep-alive connection that goes idle after the
          // close began would otherwise hold it until its keep-alive timeout (72 s)
          const grace = setTimeout(() => running.server.closeAllConnections(), 2000);
          try {
            await running.close();
          } finally {
            clearTimeout(grace);
            await db.destroy();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    pushes?.close();
    if (app) await app.close().catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}
