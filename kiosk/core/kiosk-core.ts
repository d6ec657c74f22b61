/**
 * The kiosk core: sessions (card + box), capture and its OCR pool, the outbox and the sync client,
 * wired together and exposed as the handlers of the kiosk contract. Transport-agnostic plain Node: the
 * Electron main process and the browser host both feed it requests and forward its events (DESIGN.md §3).
 */
import { join } from 'node:path';
import type { ReaderManager } from '../../drivers/pcsc/index.ts';
import { openCardBox } from '../../drivers/hid/index.ts';
import type { Handlers } from '../contract/dispatch.ts';
import { dispatch } from '../contract/dispatch.ts';
import type { DeviceStatus, KioskEvent, LossNotice, Outcome } from '../contract/schema.ts';
import { KioskError } from '../contract/schema.ts';
import { CaptureService } from './capture/capture.ts';
import { CardLosses } from './capture/losses.ts';
import { PageProcessor } from './capture/page-processor.ts';
import type { KioskConfig } from './config.ts';
import type { Logger } from './log.ts';
import { createOcrPool, loadTwoDDocTrustStore } from './ocr/index.ts';
import type { OcrPool } from './ocr/index.ts';
import { Outbox } from './outbox/outbox.ts';
import { RevocationStore } from './session/revocations.ts';
import { SessionManager } from './session/session.ts';
import type { BoxLink } from './session/session.ts';
import { TrustError, loadPinnedCa } from './session/trust.ts';
import type { PinnedCa } from './session/trust.ts';
import { openKioskDb } from './storage/db.ts';
import type { Db } from './storage/db.ts';
import { dataKeyProvider } from './storage/keys.ts';
import { privateDataDir } from './storage/private-files.ts';
import type { KeyProvider } from './storage/keys.ts';
import { SyncClient } from './sync/client.ts';
import type { KioskSettings } from '../../sync-server/protocol/socket.ts';
import { VaultService } from './vault/vault.ts';
import { SessionDocuments } from './vault/session-documents.ts';
import { printPdf } from './vault/print.ts';
import { AidsService } from './aids/aids.ts';
import { ProcurationService } from './procurations/procurations.ts';
import { LocalEstimates } from './aids/local-estimate.ts';
import { letterPdf } from './aids/letter.ts';
import { MapTiles } from './map/tiles.ts';
import { papersFromCatalogue } from './map/papers.ts';
import { planPdf } from './map/plan-pdf.ts';
import { PersonSessions } from './sync/person-session.ts';
import { DirectoryKeeper, DirectoryStore } from './directory/directory.ts';
import { PDFDocument } from 'pdf-lib';
import { ENROLLMENT_PROBLEM, KIOSK_REPLY_WORDS, SERVER_WORDS } from './words.ts';

/** Pages of the PDF the server made (its page objects sit in compressed object streams: parse it). */
async function countPdfPages(bytes: Uint8Array): Promise<number> {
  try {
    return (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount();
  } catch {
    throw new KioskError('transport', SERVER_WORDS.unreadableDocument);
  }
}

export interface KioskCoreOptions {
  config: KioskConfig;
  logger: Logger;
  /** the OS keystore in Electron; a protected key file otherwise */
  keys?: KeyProvider;
  readers?: ReaderManager;
  ocr?: OcrPool;
  box?: BoxLink & { start(): void; close(): Promise<void> };
}

export interface KioskCore {
  readonly handlers: Handlers;
  readonly sync: SyncClient;
  readonly outbox: Outbox;
  readonly session: SessionManager;
  readonly revocations: RevocationStore;
  readonly db: Db;
  handle(method: unknown, params: unknown): Promise<Outcome>;
  onEvent(listener: (e: KioskEvent) => void): () => void;
  close(): Promise<void>;
}

/** Requests that are not the person doing something (they do not keep a session awake). */
const PASSIVE = new Set(['state.get', 'sync.status', 'device.enroll']);

export function createKioskCore(opts: KioskCoreOptions): KioskCore {
  const { config, logger } = opts;
  // the data folder is for this user only: checked and tightened at every start
  const tightened = privateDataDir(config.dataDir);
  if (tightened > 0) logger.warn({ tightened }, 'data folder had files or folders readable by others: tightened');
  const keys = opts.keys ?? dataKeyProvider(config.dataKey, config.dataDir);
  const db = openKioskDb(join(config.dataDir, 'outbox.sqlite'), keys);
  const outbox = new Outbox(db, join(config.dataDir, 'blobs'), keys);
  const documents = new SessionDocuments(db, keys);
  const losses = new CardLosses(db, keys);
  documents.purge(); // a crash may have left one behind
  const revocations = new RevocationStore(db);
  const listeners = new Set<(e: KioskEvent) => void>();
  const emit = (e: KioskEvent) => {
    for (const l of listeners) l(e);
  };

  // the pinned CA: read at start, and again later if it was not installed yet
  let ca: PinnedCa | null = null;
  let caCheckedAt = 0;
  const trust = (): PinnedCa | null => {
    if (ca || Date.now() - caCheckedAt < 2000) return ca;
    caCheckedAt = Date.now();
    try {
      ca = loadPinnedCa(config.caCertPath);
      logger.info({ fingerprint: ca.fingerprint256 }, 'platform CA pinned');
    } catch (err) {
      if (err instanceof TrustError) logger.error({ err: err.message }, 'no usable platform CA: cards cannot be checked');
      else throw err;
    }
    return ca;
  };
  trust();

  const box = opts.box ?? openCardBox(config.box, { logger: logger.child({ part: 'box' }) });

  // the person's server session needs the sync client and the session, each of which calls back into it: late binding
  let people: PersonSessions | null = null;
  let syncRef: SyncClient | null = null;
  const session = new SessionManager({
    readers: { main: config.reader, second: config.readerSecond },
    trust,
    isRevoked: (serial) => revocations.isRevoked(serial),
    // the id the server gave at enrollment (the card's login signature is bound to it)
    kioskId: () => syncRef?.identity().kioskId ?? config.kioskId,
    logger: logger.child({ part: 'session' }),
    idle: { timeoutMs: config.idleTimeoutMs, warningMs: config.idleWarningMs },
    box,
    ...(opts.readers ? { readerManager: opts.readers } : {}),
    serverChallenge: () => people?.challenge() ?? Promise.resolve(null),
    onAuthenticated: (proof) => people?.onAuthenticated(proof),
  });

  /** set once the directory's keeper exists (the sync client, made first, tells it of new settings) */
  let directoryRef: DirectoryKeeper | null = null;
  const sync = new SyncClient({
    url: config.syncUrl,
    auth: { kioskId: config.kioskId, token: config.kioskToken },
    outbox,
    logger: logger.child({ part: 'sync' }),
    revocationsVersion: () => revocations.version(),
    onPush: async (push) => {
      switch (push.kind) {
        case 'revocations': {
          const pinned = trust();
          const r = pinned ? revocations.receive(push.body, pinned.der) : null;
          if (!r || r.outcome === 'refused') {
            logger.error({ version: push.body.version, ...(r ? { problem: r.problem, detail: r.detail } : { problem: 'no-ca' }) }, 'revocation list refused: not signed by the pinned CA or a key it certified for it');
            return { ok: false, error: { code: 'forbidden', message: KIOSK_REPLY_WORDS.listNotSigned } };
          }
          logger.info({ version: push.body.version, revoked: push.body.revoked.length, result: r.outcome, signer: r.signer }, 'revocation list received');
          if (r.outcome === 'applied') session.revocationsChanged();
          return { ok: true };
        }
        default:
          return { ok: false, error: { code: 'unknown', message: KIOSK_REPLY_WORDS.pushNotHandled } };
      }
    },
    // the core keeps no status: the screens read the request again; the server keeps the notice for the next login
    onApplicationStatus: (status) => {
      logger.info({ applicationId: status.applicationId, status: status.status }, 'application status changed');
      emit({ type: 'applications.changed', applicationId: status.applicationId });
      return { ok: true };
    },
    onSettings: (settings) => {
      applySettings(settings);
      emit({ type: 'device', device: deviceStatus() });
      // the directory's area may be another now: its copy is asked for at once, not in hours
      void directoryRef?.refresh();
    },
    onAdminCommand: (command) => {
      logger.info({ command: command.command }, 'admin command from staff');
      if (command.command === 'end-session') {
        session.finish();
        return { ok: true };
      }
      if (command.command === 'reload') {
        emit({ type: 'reload' });
        return { ok: true };
      }
      return { ok: false, error: { code: 'unknown', message: KIOSK_REPLY_WORDS.commandNotHandled } };
    },
  });
  syncRef = sync;

  /** Settings staff pushed win over the local configuration; what they leave out keeps it. */
  function applySettings(settings: KioskSettings): void {
    const timeoutMs = (settings.idleTimeoutS ?? config.idleTimeoutMs / 1000) * 1000;
    const warningMs = Math.min((settings.idleWarningS ?? config.idleWarningMs / 1000) * 1000, timeoutMs - 5000);
    session.setIdle({ timeoutMs, warningMs });
  }
  applySettings(sync.settings().settings);

  function deviceStatus(): DeviceStatus {
    const d = sync.identity();
    return { state: d.state, kioskId: d.kioskId, name: sync.settings().settings.displayName ?? d.name };
  }
  let lastDeviceState = sync.identity().state;
  sync.onStatus((s) => {
    emit({ type: 'sync', sync: s });
    // enrolled, or revoked by the server: the screens follow
    const now = sync.identity().state;
    if (now !== lastDeviceState) {
      lastDeviceState = now;
      emit({ type: 'device', device: deviceStatus() });
    }
  });

  people = new PersonSessions({ sync, session, logger: logger.child({ part: 'person-session' }) });
  const thePeople = people;
  const theVault = new VaultService({ sync, session, people, outbox, documents, logger: logger.child({ part: 'vault' }) });
  // the directory of institutions, kept here so the map and « where to get it » work offline
  const directory = new DirectoryKeeper({ store: new DirectoryStore(db), sync, logger: logger.child({ part: 'directory' }) });
  directoryRef = directory;
  const aids = new AidsService({
    people,
    session,
    logger: logger.child({ part: 'aids' }),
    local: new LocalEstimates({ rulesDir: config.aidRulesDir, dataDir: config.dataDir, logger: logger.child({ part: 'estimates' }) }),
  });
  const procurations = new ProcurationService({
    people,
    session,
    logger: logger.child({ part: 'procurations' }),
    kioskId: () => sync.identity().kioskId ?? config.kioskId,
    place: () => deviceStatus().name ?? sync.identity().kioskId ?? config.kioskId,
  });

  /** What the server answers, or `fallback` when it cannot be reached (any other failure goes on). */
  async function unlessOffline<T>(ask: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await ask();
    } catch (err) {
      if (err instanceof KioskError && err.code === 'offline') return fallback;
      throw err;
    }
  }

  /** A PDF printed on the kiosk's printer, when it has one (the renderer never prints itself). */
  async function print(bytes: Uint8Array): Promise<{ pages: number; printed: boolean }> {
    const pages = await countPdfPages(bytes);
    const printed = config.printer ? await printPdf(config.printer, bytes, logger) : false;
    return { pages, printed };
  }

  /** Whose vault the session works on, with the card that stands for it: the person's own, or the agent's acting on a procuration. */
  const sessionSubject = () => {
    const s = session.subject();
    return { ...s, cardSerial: s.cardSerial ?? session.requireSession().cardSerial };
  };

  // the map: the base map installed on the tablet, the papers' issuers from the catalogue installed beside the rules
  const mapTiles = new MapTiles(config.mapTiles, logger.child({ part: 'map' }));
  let mapPapers: ReturnType<typeof papersFromCatalogue> | null = null;

  const ocr = opts.ocr ?? createOcrPool({ size: config.ocrWorkers, cacheDir: join(config.dataDir, 'tessdata'), logger: logger.child({ part: 'ocr' }), twoDDocTrust: twoDDocTrust(config, logger) });
  const pages = new PageProcessor();
  const capture = new CaptureService({
    ocr,
    pages,
    outbox,
    documents,
    logger: logger.child({ part: 'capture' }),
    session: () => sessionSubject(),
    ground: () => session.ground(),
    prove: (body) => session.proveWrite(body),
    onProgress: (stage, progress) => emit({ type: 'ocr.progress', stage, progress }),
    losses,
    endReason: () => session.lastEndReason,
  });
  /** the notices told in this session (taken out of the database at the first ask, shown until it ends) */
  let toldLosses: { cardSerial: string; notices: LossNotice[] } | null = null;
  const lossesOfSubject = (): LossNotice[] => {
    const subject = sessionSubject();
    if (toldLosses?.cardSerial !== subject.cardSerial) toldLosses = { cardSerial: subject.cardSerial, notices: losses.take(subject.cardSerial) };
    return toldLosses.notices;
  };

  session.on('state', (state) => emit({ type: 'state', state }));
  session.on('idle', (secondsLeft) => emit({ type: 'idle', secondsLeft }));
  const wipe = () => {
    toldLosses = null;
    capture.wipe();
    documents.purge();
  };
  session.on('ended', () => {
    wipe();
    thePeople.sessionEnded();
    aids.sessionEnded();
    procurations.sessionEnded();
  });
  session.on('companion-ended', () => {
    wipe();
    thePeople.companionEnded();
    aids.sessionEnded();
    procurations.sessionEnded();
  });

  const handlers: Handlers = {
    'state.get': async () => ({ state: session.state, sync: sync.status(), device: deviceStatus() }),
    'device.enroll': async ({ code }) => {
      if (sync.identity().state === 'enrolled') return { device: deviceStatus() };
      const r = await sync.enroll(code);
      if (!r.ok) throw new KioskError(r.problem === ENROLLMENT_PROBLEM.offline ? 'offline' : 'invalid-request', r.problem);
      return { device: deviceStatus() };
    },
    'pin.submit': async ({ pin, purpose }) => session.submitPin(pin, purpose),
    'capture.analyse': async ({ image, mime }) => capture.analyse(image, mime),
    'capture.confirm': async ({ captureId, fields, replaces, holderAnswer }) => capture.confirm(captureId, fields, replaces, holderAnswer),
    'capture.addPage': async ({ captureId, image, mime }) => capture.addPage(captureId, image, mime),
    'capture.rotate': async ({ captureId, page, turn }) => capture.rotate(captureId, page, turn),
    'capture.removePage': async ({ captureId, page }) => capture.removePage(captureId, page),
    'capture.discard': async ({ captureId }) => {
      capture.discard(captureId);
      return {};
    },
    'session.end': async () => {
      session.finish();
      return {};
    },
    'session.stillHere': async () => {
      session.stillHere();
      return {};
    },
    'session.dropCompanion': async () => {
      session.dropCompanion();
      return {};
    },
    'session.losses': async () => ({ notices: lossesOfSubject() }),
    'sync.status': async () => sync.status(),
    'vault.list': async () => theVault.list(),
    'vault.search': async ({ query }) => ({ items: await theVault.search(query) }),
    'vault.open': async ({ documentId }) => theVault.open(documentId),
    'vault.image': async ({ documentId, preview }) => theVault.image(documentId, preview),
    'vault.print': async ({ documentId, letterTo }) => print(await theVault.pdf(documentId, letterTo)),
    'vault.delete': async ({ documentId }) => {
      await theVault.delete(documentId);
      return {};
    },
    'vault.send': async ({ documentIds, institutionId, note }) => {
      await theVault.send(documentIds, institutionId, note);
      return {};
    },
    'vault.journal': async () => ({ entries: await theVault.journal() }),
    'vault.notices': async () => ({ notices: await theVault.notices() }),
    'vault.noticesSeen': async ({ ids }) => {
      await theVault.noticesSeen(ids);
      return {};
    },
    'vault.replies': async () => ({ replies: await theVault.replies() }),
    'vault.repliesSeen': async ({ ids }) => {
      await theVault.repliesSeen(ids);
      return {};
    },
    'institutions.list': async () => ({ institutions: await directory.institutions() }),
    'map.info': async () => {
      mapPapers ??= papersFromCatalogue(join(config.aidRulesDir, '..', 'catalogue.json'), logger);
      return { base: await mapTiles.info(), place: config.mapPlace, papers: mapPapers };
    },
    'map.tile': async ({ z, x, y }) => ({ bytes: await mapTiles.tile(z, x, y) }),
    'map.print': async (req) => {
      session.subject(); // the kiosk's printer serves the people at the box
      return print((await planPdf(req)).bytes);
    },
    'aids.catalogue': async () => aids.catalogue(),
    'aids.simulate': async ({ situation }) => aids.simulate(situation),
    'aids.communes': async ({ query }) => ({ communes: aids.communes(query) }),
    // without the server an estimate's questions are simply not filled in: the person types the amounts
    'aids.taxNotice': async () => ({ notice: await unlessOffline(() => theVault.taxNoticeIncome(), null) }),
    'aids.payslips': async ({ months }) => ({ payslips: await unlessOffline(() => theVault.payslipPay(months), []) }),
    'aids.cafHousingBenefit': async () => ({ benefit: await unlessOffline(() => theVault.cafHousingBenefit(), null) }),
    'applications.list': async () => aids.list(),
    'applications.create': async ({ aidIds, situation }) => ({ dossierId: await aids.create(aidIds, situation) }),
    'applications.get': async ({ dossierId }) => aids.get(dossierId),
    'applications.choosePiece': async ({ dossierId, itemId, documentId }) => {
      await aids.choosePiece(dossierId, itemId, documentId);
      return {};
    },
    'applications.adapt': async ({ dossierId, change }) => aids.adapt(dossierId, change),
    'applications.prepare': async ({ dossierId, mode, ground }) => aids.prepare(dossierId, mode, ground),
    'applications.sign': async ({ dossierId, mode, ground, pin }) => aids.sign(dossierId, mode, ground, pin),
    'applications.withdraw': async ({ dossierId }) => {
      await aids.withdraw(dossierId);
      return {};
    },
    'applications.message': async ({ dossierId, body, applicationId }) => {
      await aids.message(dossierId, body, applicationId);
      return {};
    },
    'applications.printReceipt': async ({ dossierId }) => print(await aids.pdf(dossierId, 'receipt')),
    'applications.printDossier': async ({ dossierId }) => print(await aids.pdf(dossierId, 'dossier')),
    'applications.printLetter': async ({ to, body }) => {
      session.subject(); // only inside a session
      return print(await letterPdf({ to, body }));
    },
    'procuration.make': async (p) => procurations.make(p),
    'procuration.mine': async () => ({ procurations: await procurations.mine() }),
    'procuration.renewable': async () => ({ procuration: await procurations.renewable() }),
    'procuration.revoke': async ({ procurationId, reason }) => {
      await procurations.revoke(procurationId, reason);
      return {};
    },
    'procuration.caseload': async () => ({ people: await procurations.caseload() }),
    'procuration.search': async ({ query }) => ({ hits: await procurations.search(query) }),
    'procuration.act': async ({ procurationId }) => {
      // what was being scanned for someone else stays theirs: the next person's vault starts clean
      capture.wipe();
      aids.sessionEnded();
      return procurations.actFor(procurationId);
    },
    'procuration.stopActing': async () => {
      capture.wipe();
      aids.sessionEnded();
      procurations.stopActing();
      return {};
    },
    'procuration.print': async ({ procurationId }) => print(await procurations.pdf(procurationId)),
    'applications.noticesSeen': async ({ ids }) => {
      await aids.noticesSeen(ids);
      return {};
    },
  };

  box.start();
  sync.start();
  directory.start();
  session.start();

  return {
    handlers,
    sync,
    outbox,
    session,
    revocations,
    db,
    handle: (method, params) => {
      if (typeof method === 'string' && !PASSIVE.has(method)) session.stillHere();
      return dispatch(handlers, method, params, (err, m) => logger.error({ err, method: m }, 'kiosk request failed'));
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      directory.stop();
      await session.close();
      await sync.stop();
      await box.close();
      await ocr.close();
      await pages.close();
      await mapTiles.close();
      db.close();
    },
  };
}

/**
 * The 2D-Doc trust store installed with the appliance. A bad file costs that certificate only (its codes
 * then say the tablet cannot check them), never the start: the problems go to the log for whoever installs.
 */
function twoDDocTrust(config: KioskConfig, logger: Logger) {
  const { store, problems } = loadTwoDDocTrustStore(config.twoDDocTrustDir);
  for (const problem of problems) logger.warn({ problem }, '2D-Doc trust store: left out');
  logger.info({ dir: config.twoDDocTrustDir, ...store.size() }, '2D-Doc trust store loaded');
  return store;
}
