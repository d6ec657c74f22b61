/**
 * Builds and starts the server in-process: storage (migrated, seeded if asked), Fastify with the HTTP
 * routes and tus, and socket.io on the same HTTP server. Tests and the kiosk's end-to-end tests use
 * `startServer` directly; `main.ts` wraps it for `npm run server`.
 *
 * Scale-out: on PostgreSQL, socket.io runs with @socket.io/postgres-adapter, so several instances on one
 * database act as one: a push, a revocation or a dropped connection issued through one instance reaches
 * kiosks connected to another. Blobs then belong on S3-compatible storage (FAC_BLOB_STORE).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Server as IoServer } from 'socket.io';
import { LIMITS } from '../../protocol/common.ts';
import { KIOSK_NAMESPACE } from '../../protocol/socket.ts';
import { registerAuthRoutes } from './http/auth-routes.ts';
import { Challenges } from '../features/fleet/index.ts';
import { revokeKiosk } from '../features/fleet/index.ts';
import { openBlobStore } from '../kernel/blobs/open-blob-store.ts';
import { inspectFile } from '../kernel/files/inspect.ts';
import { INSPECT_PDF_JOB } from '../kernel/files/pdf-pages.ts';
import { PdfPool } from '../kernel/files/pdf-pool.ts';
import type { PdfPoolOptions } from '../kernel/files/pdf-pool.ts';
import { DOSSIER_PDF_JOB } from '../features/applications/index.ts';
import { structureOfAgent } from '../features/agents/index.ts';
import { DOCUMENT_PDF_JOB } from '../features/vault/index.ts';
import { runHousekeeping, scheduleHousekeeping } from './jobs/housekeeping.ts';
import { scheduleAgentInactivity } from './jobs/agent-inactivity.ts';
import type { HousekeepingReport } from './jobs/housekeeping.ts';
import { registerBlobRoutes } from './http/blob-routes.ts';
import type { BlobUploadTestHooks } from './http/blob-routes.ts';
import type { BlobStore } from '../kernel/blobs/blob-store.ts';
import { CaError, issuanceSecretsIn, loadCaCertificate, loadRevocationKey, REVOCATION_KEY_RENEW_DAYS, revocationKeyPath } from '../features/cards/index.ts';
import type { CaCertificate, LoadedRevocationKey } from '../features/cards/index.ts';
import { ConfigError, issuanceSecretProblems, productionProblems, ServerConfig } from './config.ts';
import { demoDataProblems } from './production-check.ts';
import { CHECKPOINT_LOG_FILE, CheckpointError, CheckpointLog, loadOrCreateCheckpointKey, parsePinnedKey, publicKeyText } from '../kernel/audit-checkpoints.ts';
import type { CheckpointKey } from '../kernel/audit-checkpoints.ts';
import { registerAuditApi } from './http/audit-api.ts';
import { startAuditTrail } from './jobs/audit-trail.ts';
import type { AuditTrail, AuditTrailOptions } from './jobs/audit-trail.ts';
import type { ServerConfigInput } from './config.ts';
import { registerConsole } from './console/routes.ts';
import { PasswordCheckGate } from '../features/accounts/index.ts';
import { httpError } from './http/errors.ts';
import { registerHealth } from './http/health.ts';
import { registerStaffApi } from './http/staff-api.ts';
import { registerInstitutionApi } from './http/institution-api.ts';
import { registerDirectoryApi } from './http/directory-api.ts';
import { loadZonesApl } from '../features/aids/index.ts';
import type { ZonesApl } from '../features/aids/index.ts';
import { isDatabaseEmpty, readSeedFile, seedDatabase } from './seed.ts';
import { registerKioskStaffApi } from './http/kiosk-api.ts';
import { openDatabase } from '../kernel/storage/database.ts';
import type { Dialect } from '../kernel/storage/database.ts';
import { migrateToLatest } from '../kernel/storage/migrate.ts';
import type { Database } from '../kernel/storage/schema.ts';
import { SyncEngine } from '../features/sync/index.ts';
import { clusterAdapter } from './socket/cluster-adapter.ts';
import type { ClusterAdapter } from './socket/cluster-adapter.ts';
import { attachKioskNamespace } from './socket/kiosk-socket.ts';
import type { KioskNamespace } from './socket/kiosk-socket.ts';
import { attachVaultSocket } from './socket/vault-socket.ts';
import { attachApplicationsSocket } from './socket/applications-socket.ts';
import { attachProcurationsSocket } from './socket/procurations-socket.ts';
import type { AgentStructure } from '../features/procurations/index.ts';
import { PushService } from './socket/pushes.ts';
import type { SyncTestHooks } from '../features/sync/index.ts';
import { HTTP_ANSWER } from '../kernel/words/staff.ts';

export interface RunningServer {
  url: string;
  port: number;
  db: Kysely<Database>;
  dialect: Dialect;
  /** the platform CA's certificate from `<data>/ca/ca.cert.pem` (null: presented cards cannot be checked) */
  ca: CaCertificate | null;
  /** the revocation-signing key from `<data>/ca/revocation-key.pem` (null: no revocation list is published) */
  revocationKey: Pick<LoadedRevocationKey, 'fingerprint' | 'notBefore' | 'notAfter' | 'certificateSerial'> | null;
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
  /** the audit journal's checkpoints and verification (also every `audit.verifyIntervalMs`) */
  audit: AuditTrail;
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
  /** the audit trail's timing (tests shorten it); `verifyIntervalMs` overrides the configuration's */
  audit?: Partial<AuditTrailOptions>;
  /** the console's cap on password checks running at once (default 4) */
  passwordChecks?: number;
  /** fault-injection points for tests only (sync/test-hooks.ts, http/blob-routes.ts); nothing in the configuration sets them */
  hooks?: SyncTestHooks & BlobUploadTestHooks;
  /** the PDF threads' limits (tests shorten them); warm from the start except in test mode */
  pdf?: PdfPoolOptions;
  /**
   * The structure an agent works for, which a procuration names. Structures are not kept yet: until they
   * are, none is known by default and no procuration can be stored; tests pass theirs.
   */
  structureOf?: (agentPersonId: string) => Promise<AgentStructure | null>;
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

/**
 * What the server holds of the platform's keys, checked before anything starts: the CA's certificate and
 * the revocation-signing key. A file that is there but wrong (unreadable, readable by others, a key that
 * is not its certificate's, a certificate the CA did not issue or issued for another purpose, expired)
 * stops the start (ConfigError), whatever the mode: better no server than one that signs lists kiosks
 * refuse. A missing file only turns a function off.
 */
async function loadServerKeys(dataDir: string): Promise<{ ca: CaCertificate | null; signer: LoadedRevocationKey | null }> {
  try {
    const ca = loadCaCertificate(dataDir);
    if (!ca) {
      if (existsSync(revocationKeyPath(dataDir))) throw new CaError('no-ca-certificate', `${revocationKeyPath(dataDir)} is there, but not the CA certificate (ca.cert.pem) to check it against`);
      return { ca: null, signer: null };
    }
    return { ca, signer: await loadRevocationKey(dataDir, ca.certificate) };
  } catch (e) {
    if (e instanceof CaError) throw new ConfigError([`FAC_DATA_DIR: ${e.message}`]);
    throw e;
  }
}

export async function startServer(configInput: ServerConfigInput, opts: StartOptions = {}): Promise<RunningServer> {
  const config = ServerConfig.parse(configInput);
  // before anything is opened: a production server never starts next to the issuance secrets
  if (config.mode === 'production') {
    const problems = issuanceSecretProblems(config.dataDir);
    if (problems.length > 0) throw new ConfigError(problems);
  }
  const keys = await loadServerKeys(config.dataDir);
  const uploadDir = join(config.dataDir, 'uploads');
  mkdirSync(uploadDir, { recursive: true });
  if (config.blobs.store.kind === 'local') mkdirSync(join(config.dataDir, 'blobs'), { recursive: true });

  const { db, dialect, makeDurable } = openDatabase(config.database);
  const blobStore = openBlobStore(config.blobs.store, config.dataDir);
  // every PDF is built (and every PDF received is opened) in these threads, never on the event loop
  const pdf = new PdfPool({
    preload: [DOCUMENT_PDF_JOB.module, DOSSIER_PDF_JOB.module, INSPECT_PDF_JOB.module],
    warm: config.mode !== 'test',
    ...opts.pdf,
  });
  let app: FastifyInstance | undefined;
  let pushes: PushService | undefined;
  let cluster: ClusterAdapter | null = null;
  let kioskNs: KioskNamespace | undefined;
  let stopHousekeeping: () => void = () => {};
  let stopAgentInactivity: () => void = () => {};
  let trail: AuditTrail | undefined;
  try {
    await migrateToLatest(db, dialect);
    if (config.mode === 'production') {
      // demo settings and the demo seed's data are refused, as a bad configuration is (main.ts exits 2)
      const problems = [...productionProblems({ staffToken: config.staffToken, seedPath: config.seedPath }), ...(await demoDataProblems(db))];
      if (problems.length > 0) throw new ConfigError(problems);
    }
    if (config.seedPath !== null && (await isDatabaseEmpty(db))) {
      await seedDatabase(db, await readSeedFile(config.seedPath));
    }
    // the audit checkpoints' key: in the data folder, never in the database
    const auditDir = join(config.dataDir, 'audit');
    let checkpointKey: CheckpointKey;
    try {
      checkpointKey = loadOrCreateCheckpointKey(auditDir, config.audit.publicKey === null ? null : parsePinnedKey(config.audit.publicKey));
    } catch (err) {
      if (err instanceof CheckpointError) throw new ConfigError([`audit checkpoint key: ${err.message}`]);
      throw err;
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
      void reply.code(status).send(httpError(code, status >= 500 ? HTTP_ANSWER.internal : HTTP_ANSWER.invalid));
    });
    app.setNotFoundHandler((_request, reply) => {
      void reply.code(404).send(httpError('unknown', 'Introuvable.'));
    });

    const { ca, signer } = keys;
    const secrets = issuanceSecretsIn(config.dataDir);
    if (secrets.length > 0) {
      log.warn({ files: secrets, mode: config.mode }, 'the platform CA key or the card admin secret is in the server data dir: tolerated in demo and test only, refused in production');
    }
    if (ca) log.info({ subject: ca.subject, fingerprint: ca.fingerprint, notAfter: ca.notAfter.toISOString() }, 'platform CA certificate loaded');
    else log.warn({ dir: join(config.dataDir, 'ca') }, 'no platform CA certificate: presented cards cannot be checked, revocation lists are off');
    if (signer) {
      const days = Math.floor((signer.notAfter.getTime() - Date.now()) / 86_400_000);
      const at = { fingerprint: signer.fingerprint, notAfter: signer.notAfter.toISOString() };
      if (days < REVOCATION_KEY_RENEW_DAYS) log.warn({ ...at, days }, 'the revocation-signing key expires soon: issue a new one on the issuance station (npm run staff -- ca revocation-key issue)');
      else log.info(at, 'revocation-signing key loaded');
    } else if (ca) {
      log.warn({ path: revocationKeyPath(config.dataDir) }, 'no revocation-signing key: revocation lists are not published (npm run staff -- ca revocation-key issue, on the issuance station)');
    }
    const pushService = new PushService({ db, dialect, log, signer, ...opts.pushes });
    pushes = pushService;
    await pushService.start();
    const challenges = await Challenges.open(db);

    if (config.database.kind === 'postgres') cluster = clusterAdapter(config.database.url, log);
    const adapter = cluster?.adapter;
    const io = new IoServer(app.server, {
      maxHttpBufferSize: LIMITS.socketMessageBytes,
      serveClient: false,
      ...(adapter ? { adapter } : {}),
    });
    const dropKiosk = (kioskId: string) => kioskNs?.dropKiosk(kioskId);

    const auditTrail = startAuditTrail({ db, key: checkpointKey, log: new CheckpointLog(join(auditDir, CHECKPOINT_LOG_FILE)) }, { verifyIntervalMs: config.audit.verifyIntervalMs, ...opts.audit }, log);
    trail = auditTrail;
    if (config.mode === 'production' && config.audit.publicKey === null) {
      log.warn({ publicKey: publicKeyText(checkpointKey.publicKey) }, 'audit checkpoint key not pinned: set FAC_AUDIT_PUBLIC_KEY to this public key');
    }

    registerHealth(app, db, dialect);
    await registerAuditApi(app, { staffToken: config.staffToken, trail: auditTrail });
    await registerAuthRoutes(app, { db, dialect, challenges, onKeyReplaced: dropKiosk });
    await registerBlobRoutes(app, {
      db,
      blobStore,
      uploadDir,
      limits: config.blobs,
      inspect: (file, mime) => inspectFile(pdf, { path: file }, mime),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
    });
    await registerStaffApi(app, { db, dialect, blobStore, staffToken: config.staffToken, pushes: pushService, pdf });
    await registerInstitutionApi(app, { db, dialect, blobStore, pdf });
    let communes: ZonesApl | null = null;
    await registerDirectoryApi(app, { db, dialect, staffToken: config.staffToken, communes: () => (communes ??= loadZonesApl()) });
    await registerKioskStaffApi(app, { db, dialect, staffToken: config.staffToken, pushes: pushService, dropKiosk });
    await registerConsole(app, { db, dialect, blobStore, pdf, ...(opts.passwordChecks !== undefined ? { passwordChecks: new PasswordCheckGate(opts.passwordChecks) } : {}) });

    const engine = new SyncEngine({ db, dialect, makeDurable, log, blobStore, caCertificate: () => ca?.certificate ?? null, ...(opts.hooks ? { hooks: opts.hooks } : {}) });
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
    attachVaultSocket(io, { db, dialect, blobStore, ca: () => ca, log, pdf });
    attachApplicationsSocket(io, { db, dialect, blobStore, ca: () => ca, log, pdf });
    attachProcurationsSocket(io, { db, dialect, blobStore, ca: () => ca, log, pdf, structureOf: opts.structureOf ?? ((agentPersonId) => structureOfAgent(db, agentPersonId)) });

    const housekeeping = { db, store: blobStore, uploadDir, graceMs: config.blobs.graceMs, uploadStaleMs: config.blobs.uploadStaleMs };
    const gc = (o: { now?: Date } = {}) => runHousekeeping(housekeeping, o);
    stopHousekeeping = scheduleHousekeeping(housekeeping, config.blobs.gcIntervalMs, log);
    stopAgentInactivity = scheduleAgentInactivity({ db, dialect }, log);

    // open websockets would keep the HTTP server from closing
    app.addHook('preClose', async () => {
      stopHousekeeping();
      stopAgentInactivity();
      await auditTrail.stop();
      pushService.close();
      ns.close();
      io.of(KIOSK_NAMESPACE).disconnectSockets(true);
      io.engine.close();
      // the cluster adapter's LISTEN connection and timers (io.close() would close the HTTP server too)
      cluster?.stopping();
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
      revocationKey: signer ? { fingerprint: signer.fingerprint, notBefore: signer.notBefore, notAfter: signer.notAfter, certificateSerial: signer.certificateSerial } : null,
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
      audit: auditTrail,
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
            await pdf.close();
            await cluster?.end();
            await blobStore.close().catch(() => {});
            await db.destroy();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    stopHousekeeping();
    stopAgentInactivity();
    await trail?.stop().catch(() => {});
    pushes?.close();
    kioskNs?.close();
    if (app) await app.close().catch(() => {});
    await pdf.close();
    await cluster?.end();
    await blobStore.close().catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}
