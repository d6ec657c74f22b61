/**
 * The kiosk core: session, capture, OCR pool, outbox and sync client, wired together and exposed as
 * the handlers of the kiosk contract. Transport-agnostic plain Node: the Electron main process and the
 * browser host both feed it requests and forward its events (DESIGN.md §3).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Handlers } from '../contract/dispatch.ts';
import { dispatch } from '../contract/dispatch.ts';
import type { KioskEvent, Outcome } from '../contract/schema.ts';
import type { ReaderManager } from '../../drivers/pcsc/index.ts';
import { CaptureService } from './capture/capture.ts';
import type { KioskConfig } from './config.ts';
import type { Logger } from './log.ts';
import { createOcrPool } from './ocr/index.ts';
import type { OcrPool } from './ocr/index.ts';
import { Outbox } from './outbox/outbox.ts';
import { SessionManager } from './session/session.ts';
import { openKioskDb } from './storage/db.ts';
import type { Db } from './storage/db.ts';
import { keyFileProvider } from './storage/keys.ts';
import type { KeyProvider } from './storage/keys.ts';
import { OfflineError, SyncClient } from './sync/client.ts';

export interface KioskCoreOptions {
  config: KioskConfig;
  logger: Logger;
  /** the OS keystore in Electron; a protected key file otherwise */
  keys?: KeyProvider;
  readers?: ReaderManager;
  ocr?: OcrPool;
}

export interface KioskCore {
  readonly handlers: Handlers;
  readonly sync: SyncClient;
  readonly outbox: Outbox;
  readonly session: SessionManager;
  readonly db: Db;
  handle(method: unknown, params: unknown): Promise<Outcome>;
  onEvent(listener: (e: KioskEvent) => void): () => void;
  close(): Promise<void>;
}

export function createKioskCore(opts: KioskCoreOptions): KioskCore {
  const { config, logger } = opts;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openKioskDb(join(config.dataDir, 'outbox.sqlite'));
  const keys = opts.keys ?? keyFileProvider(join(config.dataDir, 'data.key'));
  const outbox = new Outbox(db, join(config.dataDir, 'blobs'), keys);
  outbox.purgeSession(); // a crash may have left one behind
  const listeners = new Set<(e: KioskEvent) => void>();
  const emit = (e: KioskEvent) => {
    for (const l of listeners) l(e);
  };

  const sync = new SyncClient({
    url: config.syncUrl,
    auth: { kioskId: config.kioskId, token: config.kioskToken },
    outbox,
    logger: logger.child({ part: 'sync' }),
  });
  sync.onStatus((s) => emit({ type: 'sync', sync: s }));

  const session = new SessionManager({
    reader: config.reader,
    logger: logger.child({ part: 'session' }),
    ...(opts.readers ? { readers: opts.readers } : {}),
    lookup: async (identifier) => {
      try {
        const ack = await sync.lookupCardholder(identifier, config.cardholderTimeoutMs);
        if (ack.ok) return { firstName: ack.firstName, role: ack.role };
        return ack.error.code === 'unknown' ? 'unknown' : 'offline';
      } catch (err) {
        if (!(err instanceof OfflineError)) logger.warn({ err: (err as Error).message }, 'cardholder lookup failed');
        return 'offline';
      }
    },
  });

  const ocr = opts.ocr ?? createOcrPool({ size: config.ocrWorkers, cacheDir: join(config.dataDir, 'tessdata'), logger: logger.child({ part: 'ocr' }) });
  const capture = new CaptureService({
    ocr,
    outbox,
    logger: logger.child({ part: 'capture' }),
    session: () => session.requireSession(),
    onProgress: (stage, progress) => emit({ type: 'ocr.progress', stage, progress }),
  });

  session.on('state', (state) => emit({ type: 'state', state }));
  session.on('ended', () => {
    capture.wipe();
    outbox.purgeSession();
  });

  const handlers: Handlers = {
    'state.get': async () => ({ state: session.state, sync: sync.status() }),
    'pin.submit': async ({ pin }) => session.submitPin(pin),
    'capture.analyse': async ({ image, mime }) => capture.analyse(image, mime),
    'capture.confirm': async ({ captureId, fields }) => capture.confirm(captureId, fields),
    'capture.discard': async ({ captureId }) => {
      capture.discard(captureId);
      return {};
    },
    'session.end': async () => {
      session.finish();
      return {};
    },
    'sync.status': async () => sync.status(),
  };

  sync.start();
  session.start();

  return {
    handlers,
    sync,
    outbox,
    session,
    db,
    handle: (method, params) =>
      dispatch(handlers, method, params, (err, m) => logger.error({ err, method: m }, 'kiosk request failed')),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await session.close();
      await sync.stop();
      await ocr.close();
      db.close();
    },
  };
}
