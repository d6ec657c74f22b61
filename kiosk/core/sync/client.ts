/**
 * The sync client (DESIGN.md §5): drains the outbox to the server in seq order over socket.io,
 * uploading each referenced blob first (tus, resumable: blob-upload.ts), and purges what the server
 * acknowledges. It never gives up and never drops a mutation: a failed drain is tried again with
 * exponential backoff and jitter, spread over minutes (at once when the connection comes back, a
 * document is queued or staff ask for `sync-now`); it survives restarts (everything it needs is in the
 * outbox) and reports a status the screen can show. A blob the server turns out not to have is uploaded
 * again and its batch sent again, rather than refused one mutation at a time.
 *
 * It also owns the kiosk's identity towards the server: enrollment with a one-time code at first start
 * (device.ts), a signed challenge at every connection (device-auth.ts), and the end of it all when the
 * server says the kiosk is revoked. Server pushes are answered once per id (push-ledger.ts).
 */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { LIMITS } from '../../../sync-server/protocol/common.ts';
import { SERVER_EVENTS, ackSchema, describeIssues } from '../../../sync-server/protocol/events.ts';
import type { AckOf, EventName, RequestOf } from '../../../sync-server/protocol/events.ts';
import {
  EVENTS,
  HANDSHAKE_ERROR,
  KIOSK_NAMESPACE,
} from '../../../sync-server/protocol/socket.ts';
import type { AdminCommand, ApplicationStatusBody, KioskSettings, PushAck, PushMessage } from '../../../sync-server/protocol/socket.ts';
import type { SyncStatus } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { SealedDataError } from '../storage/sealed-rows.ts';
import { Backoff } from './backoff.ts';
import { BlobUploadError, BlobUploader } from './blob-upload.ts';
import { DeviceAuth, DeviceAuthError } from './device-auth.ts';
import { DeviceIdentity, EnrollmentError } from './device.ts';
import { ENROLLMENT_PROBLEM, KIOSK_REPLY_WORDS, SYNC_PROBLEM } from '../words.ts';
import type { DeviceInfo } from './device.ts';
import { PushLedger } from './push-ledger.ts';
import type { SyncClientTestHooks } from './test-hooks.ts';

export interface SyncClientOptions {
  url: string;
  /**
   * Former configuration (kiosk id and shared token). The token is not used any more: the kiosk
   * authenticates with its enrolled device key, and its id is the one the server gave at enrollment.
   */
  auth?: { kioskId: string; token?: string };
  outbox: Outbox;
  logger: Logger;
  /** the device identity; by default kept in the outbox's database, sealed with its key provider */
  device?: DeviceIdentity;
  /**
   * One-time enrollment code for a kiosk that has no device key yet. Default: FAC_ENROLLMENT_CODE from
   * the environment (until the Electron shell's first-start screen calls `enroll(code)`).
   */
  enrollmentCode?: string | null;
  batchSize?: number;
  ackTimeoutMs?: number;
  /** ceiling of the reconnection backoff (with jitter); one server, so a short one */
  reconnectDelayMaxMs?: number;
  /**
   * ceiling of the backoff between failed drains while connected (with jitter): 5 minutes, so a server
   * that refuses for a while (full, overloaded) is not hammered, and the kiosk still never gives up
   */
  retryDelayMaxMs?: number;
  /** tus chunk size (1 MiB) */
  chunkSize?: number;
  /**
   * how long a connection attempt may take, from the signed challenge to the server's welcome (15 s):
   * socket.io's own timeout covers only the transport's opening, not the server's answer after it
   */
  connectTimeoutMs?: number;
  /** what the kiosk holds, sent in the hello so the server pushes only what is newer */
  revocationsVersion?: () => number;
  /** the revocation list pushes (the kiosk core checks the CA signature); the answer is the acknowledgement */
  onPush?: (push: PushMessage) => Promise<PushAck>;
  /** settings pushed by staff (display name, idle timeout…), after they were stored */
  onSettings?: (settings: KioskSettings, version: number) => void;
  /** admin commands other than `sync-now` (which the client carries out itself) */
  onAdminCommand?: (command: AdminCommand) => Promise<PushAck> | PushAck;
  /** application status changes (the applications issue shows them) */
  onApplicationStatus?: (status: ApplicationStatusBody) => Promise<PushAck> | PushAck;
  /** fault-test pause points; never set by the kiosk core */
  testHooks?: SyncClientTestHooks;
}


/**
 * While the server is known not to answer (connected, but silent: a frozen process, a link that holds
 * the packets), a read waits no longer than this: the screen then says so and shows what the tablet has,
 * instead of a spinner for the whole of the caller's timeout.
 */
export const UNRESPONSIVE_TIMEOUT_MS = 2500;

export class OfflineRequestError extends Error {
  constructor() {
    super('not connected to the sync server');
    this.name = 'OfflineRequestError';
  }
}

/**
 * The server answered a request with something its acknowledgement's schema refuses (protocol/events.ts).
 * Says where, never what: the answer may hold a person's data.
 */
export class MalformedAnswerError extends Error {
  constructor(
    readonly event: EventName,
    readonly issues: string,
  ) {
    super(`malformed answer to ${event}: ${issues}`);
    this.name = 'MalformedAnswerError';
  }
}

type ConnectOutcome = 'connected' | 'revoked' | 'unauthorized' | 'failed';

/**
 * A batch that fits in one socket message: the server closes a connection whose message is larger than
 * LIMITS.socketMessageBytes, so a batch of papers with long OCR texts would be refused again and again.
 * The first mutation always goes (a single one is far under the limit); a quarter is kept for the envelope.
 */
function withinMessageLimit<M>(batch: readonly M[]): M[] {
  const budget = Math.floor(LIMITS.socketMessageBytes * 0.75);
  const out: M[] = [];
  let bytes = 0;
  for (const m of batch) {
    const size = Buffer.byteLength(JSON.stringify(m));
    if (out.length > 0 && bytes + size > budget) break;
    out.push(m);
    bytes += size;
  }
  return out;
}

/** How long the screen says a paper was refused by the server. */
const REFUSAL_NOTICE_MS = 15 * 60_000;

/** Blob uploads run side by side (the server allows more per kiosk: blob-routes.ts). */
const UPLOAD_CONCURRENCY = 4;

/**
 * Times in a row a batch is sent again at once after `blob_missing` (its blobs asked again and uploaded
 * in between); past that, the backoff.
 */
const BLOB_MISSING_RESENDS = 2;

export class SyncClient {
  private socket: Socket | null = null;
  readonly device: DeviceIdentity;
  private readonly deviceAuth: DeviceAuth;
  private readonly uploader: BlobUploader;
  private readonly ledger: PushLedger;
  private readonly backoff: Backoff;
  private readonly reconnect: Backoff;
  private readonly connectTimeoutMs: number;
  private draining: Promise<void> | null = null;
  private again = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private helloDone = false;
  /** when the server last refused a mutation for good (the screen says so for REFUSAL_NOTICE_MS) */
  private lastRefusalAt: number | null = null;
  /** what that refusal says: a sending to an institution is not a paper left out of the vault */
  private lastRefusalWords: string = SYNC_PROBLEM.refused;
  private lastSuccessAt: string | null = null;
  private problem: string | null = SYNC_PROBLEM.offline;
  /**
   * A request went unanswered on an open socket: socket.io itself notices a silent server only after
   * its ping timeout (most of a minute), during which the screen would say all is well. Cleared by the
   * first packet the server sends (an answer, a ping) or a new connection.
   */
  private unresponsive = false;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private stopped = true;
  private connecting = false;
  private enrollmentCode: string | null;
  private wakeLoop: (() => void) | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: SyncClientOptions) {
    this.device = opts.device ?? new DeviceIdentity(opts.outbox.db, opts.outbox.keys);
    this.deviceAuth = new DeviceAuth(this.device, opts.url);
    this.uploader = new BlobUploader({
      baseUrl: opts.url,
      auth: this.deviceAuth,
      outbox: opts.outbox,
      ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
      ...(opts.testHooks ? { hooks: opts.testHooks } : {}),
    });
    this.ledger = new PushLedger(opts.outbox.db);
    this.ledger.purge();
    this.reconnect = new Backoff(500, opts.reconnectDelayMaxMs ?? 10_000);
    this.backoff = new Backoff(1000, opts.retryDelayMaxMs ?? 5 * 60_000);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
    const fromEnv = process.env.FAC_ENROLLMENT_CODE?.trim();
    this.enrollmentCode = opts.enrollmentCode !== undefined ? opts.enrollmentCode : fromEnv ? fromEnv : null;
    this.unsubscribe = opts.outbox.onChange(() => {
      this.emitStatus();
      this.kick();
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const socket = io(`${this.opts.url}${KIOSK_NAMESPACE}`, {
      autoConnect: false,
      // reconnections are ours: each needs a fresh signed challenge
      reconnection: false,
      transports: ['websocket'],
      timeout: 10_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.opts.logger.info({ url: this.opts.url, kioskId: this.device.kioskId }, 'sync connected');
      this.helloDone = false;
      this.problem = null;
      this.unresponsive = false;
      // anything the server sends proves it answers again
      socket.io.engine?.on('packet', () => this.heard());
      this.backoff.reset();
      this.reconnect.reset();
      this.emitStatus();
      this.kick();
    });
    socket.on('disconnect', (reason) => {
      this.opts.logger.warn({ reason }, 'sync disconnected');
      this.helloDone = false;
      this.unresponsive = false;
      if (!this.device.revoked) this.problem = SYNC_PROBLEM.offline;
      this.emitStatus();
      if (!this.stopped && !this.device.revoked) this.scheduleConnect(this.reconnect.next());
    });
    socket.on(EVENTS.revoked, () => this.revoked('the server revoked this kiosk'));
    socket.on(EVENTS.push, (raw: unknown, ack?: (a: PushAck) => void) => {
      void this.receivePush(raw).then((a) => {
        if (typeof ack === 'function') ack(a);
      });
    });
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeLoop?.();
    this.socket?.disconnect();
    this.socket = null;
    await this.draining?.catch(() => undefined);
  }

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** The enrolled identity (state, kiosk id and name). */
  identity(): DeviceInfo {
    return this.device.info();
  }

  /** The settings staff pushed to this kiosk (version 0 and `{}`: none). */
  settings(): { version: number; settings: KioskSettings } {
    return this.ledger.settings();
  }

  /**
   * Enrolls this kiosk with a one-time code (the first-start screen). Resolves with the identity, or
   * with the problem to show in simple French.
   */
  async enroll(code: string): Promise<{ ok: true; identity: DeviceInfo } | { ok: false; problem: string }> {
    try {
      const identity = await this.device.enroll(this.opts.url, code);
      this.enrollmentCode = null;
      this.opts.logger.info({ kioskId: identity.kioskId }, 'kiosk enrolled');
      this.problem = SYNC_PROBLEM.offline;
      this.emitStatus();
      this.wakeLoop?.();
      return { ok: true, identity };
    } catch (err) {
      const problem = err instanceof EnrollmentError ? ENROLLMENT_PROBLEM[err.code] : ENROLLMENT_PROBLEM.server;
      this.opts.logger.warn({ err: errMessage(err) }, 'enrollment failed');
      this.problem = problem;
      this.emitStatus();
      return { ok: false, problem };
    }
  }

  status(): SyncStatus {
    return {
      pending: this.opts.outbox.pendingCount(),
      online: this.connected && !this.unresponsive,
      lastSuccessAt: this.lastSuccessAt,
      problem: this.connected && this.unresponsive && !this.device.revoked ? SYNC_PROBLEM.unresponsive : this.problem,
    };
  }

  /** Whether the server answers (connected, and no request left unanswered since it last said something). */
  get reachable(): boolean {
    return this.connected && !this.unresponsive;
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A request/answer with the server over the sync socket (vault reads, the aid space…), typed and
   * checked by the events table (protocol/events.ts): the answer is validated with the event's
   * acknowledgement schema before the caller sees it. Offline → OfflineRequestError at once; no answer
   * in time → the socket's timeout error; an answer the schema refuses → MalformedAnswerError.
   */
  async request<E extends EventName>(event: E, payload: RequestOf<E>, timeoutMs: number): Promise<AckOf<E>> {
    const socket = this.socket;
    if (!socket?.connected) throw new OfflineRequestError();
    return this.ask(socket, event, payload, this.unresponsive ? Math.min(timeoutMs, UNRESPONSIVE_TIMEOUT_MS) : timeoutMs);
  }

  /** One event of the table on this socket, its answer checked against the table's acknowledgement schema. */
  private async ask<E extends EventName>(socket: Socket, event: E, payload: RequestOf<E>, timeoutMs: number): Promise<AckOf<E>> {
    let raw: unknown;
    try {
      raw = await socket.timeout(timeoutMs).emitWithAck(event, payload);
    } catch (err) {
      // no answer in time on a socket that still looks open: the server is silent, say so now
      if (socket.connected && !this.unresponsive) {
        this.opts.logger.warn({ event, timeoutMs }, 'the server did not answer in time');
        this.unresponsive = true;
        this.emitStatus();
      }
      throw err;
    }
    this.heard();
    const parsed = ackSchema(event).safeParse(raw);
    if (!parsed.success) throw new MalformedAnswerError(event, describeIssues(parsed.error));
    return parsed.data;
  }

  /** Resolves once the outbox is empty (or rejects after timeoutMs): for tests and orderly shutdown. */
  async flushed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.opts.outbox.pendingCount() > 0) {
      if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---- connection -------------------------------------------------------------------------------

  private scheduleConnect(delayMs: number): void {
    setTimeout(() => void this.connectLoop(), delayMs).unref();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeLoop = done;
    });
  }

  /** Enrolls if needed, then connects with a freshly signed challenge; retries with backoff until it can. */
  private async connectLoop(): Promise<void> {
    if (this.connecting || this.stopped) return;
    this.connecting = true;
    try {
      while (!this.stopped && !this.connected) {
        if (this.device.revoked) {
          this.revoked('this kiosk was revoked');
          return;
        }
        if (!this.device.enrolled) {
          if (this.enrollmentCode === null) {
            this.setProblem(SYNC_PROBLEM.notEnrolled);
            await this.sleep(60_000);
            continue;
          }
          const r = await this.enroll(this.enrollmentCode);
          if (!r.ok) {
            // a refused code will not get better by itself; the network will
            if (r.problem !== ENROLLMENT_PROBLEM.offline) this.enrollmentCode = null;
            await this.sleep(this.reconnect.next());
          }
          continue;
        }
        const outcome = await this.connectOnce();
        if (outcome === 'connected') return;
        if (outcome === 'revoked') {
          this.revoked('the server refused this kiosk as revoked');
          return;
        }
        this.setProblem(outcome === 'unauthorized' ? SYNC_PROBLEM.unauthorized : SYNC_PROBLEM.offline);
        // a kiosk the server does not know keeps trying, slowly: staff may be fixing it right now
        await this.sleep(outcome === 'unauthorized' ? Math.max(5_000, this.reconnect.next()) : this.reconnect.next());
      }
    } catch (err) {
      this.opts.logger.error({ err: errMessage(err) }, 'sync connection loop failed');
      if (!this.stopped) this.scheduleConnect(this.reconnect.next());
    } finally {
      this.connecting = false;
    }
  }

  private async connectOnce(): Promise<ConnectOutcome> {
    const socket = this.socket;
    if (!socket) return 'failed';
    let handshake;
    try {
      handshake = await this.deviceAuth.handshake('socket');
    } catch (err) {
      this.opts.logger.warn({ err: errMessage(err) }, 'sync challenge failed');
      if (err instanceof DeviceAuthError && err.code === 'revoked') return 'revoked';
      return 'failed';
    }
    if (this.stopped) return 'failed';
    return new Promise<ConnectOutcome>((resolve) => {
      const done = (o: ConnectOutcome) => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('connect_error', onError);
        socket.off('disconnect', onClosed);
        resolve(o);
      };
      const onConnect = () => done('connected');
      const onError = (err: Error) => {
        this.opts.logger.warn({ err: err.message }, 'sync connection refused or failed');
        done(err.message === HANDSHAKE_ERROR.revoked ? 'revoked' : err.message === HANDSHAKE_ERROR.unauthorized ? 'unauthorized' : 'failed');
      };
      // the transport opened and closed again before the server's welcome: socket.io then says
      // « disconnect » only, neither « connect » nor « connect_error », and the attempt is over
      const onClosed = (reason: string) => {
        this.opts.logger.warn({ reason }, 'sync connection closed before the server welcomed it');
        done('failed');
      };
      // opened but never welcomed (a server that stopped between the two): give up and try afresh
      const timer = setTimeout(() => {
        this.opts.logger.warn({ timeoutMs: this.connectTimeoutMs }, 'sync connection not welcomed in time');
        socket.disconnect();
        done('failed');
      }, this.connectTimeoutMs);
      timer.unref();
      socket.on('connect', onConnect);
      socket.on('connect_error', onError);
      socket.on('disconnect', onClosed);
      socket.auth = handshake;
      socket.connect();
    });
  }

  private revoked(why: string): void {
    if (!this.device.revoked) this.opts.logger.error({ why }, 'kiosk revoked: synchronisation stops');
    this.device.markRevoked();
    this.deviceAuth.invalidate();
    this.problem = SYNC_PROBLEM.revoked;
    this.emitStatus();
    if (this.socket?.connected) this.socket.disconnect();
  }

  /** The server sent something: it answers. */
  private heard(): void {
    if (!this.unresponsive) return;
    this.opts.logger.info('the server answers again');
    this.unresponsive = false;
    this.emitStatus();
  }

  private setProblem(problem: string): void {
    if (this.problem !== problem) {
      this.problem = problem;
      this.emitStatus();
    }
  }

  // ---- pushes -----------------------------------------------------------------------------------

  private async receivePush(raw: unknown): Promise<PushAck> {
    const parsed = SERVER_EVENTS[EVENTS.push].message.safeParse(raw);
    if (!parsed.success) {
      this.opts.logger.warn('malformed push from the server');
      return { ok: false, error: { code: 'invalid', message: 'push illisible' } };
    }
    const push = parsed.data;
    const before = this.ledger.answered(push.id);
    if (before) {
      this.opts.logger.info({ pushId: push.id, kind: push.kind }, 'push received again: answered without applying it twice');
      return before;
    }
    try {
      switch (push.kind) {
        case 'revocations': {
          if (!this.opts.onPush) return { ok: false, error: { code: 'unknown', message: KIOSK_REPLY_WORDS.pushNotHandled } };
          const ack = await this.opts.onPush(push);
          // a refusal (list not signed by our CA…) is not recorded: the next attempt is looked at again
          if (ack.ok) this.ledger.record(push.id, push.kind, ack);
          return ack;
        }
        case 'config': {
          const outcome = this.ledger.applySettings(push.id, push.body);
          this.opts.logger.info({ version: push.body.version, outcome }, 'settings received');
          if (outcome === 'applied') this.opts.onSettings?.(push.body.settings, push.body.version);
          return { ok: true };
        }
        case 'admin-command': {
          // recorded before it runs: a command is carried out at most once, even across a crash
          this.ledger.record(push.id, push.kind, { ok: true });
          const ack = await this.runCommand(push.body);
          this.ledger.record(push.id, push.kind, ack);
          this.opts.logger.info({ command: push.body.command, ok: ack.ok }, 'admin command');
          return ack;
        }
        case 'application-status': {
          const ack = this.opts.onApplicationStatus ? await this.opts.onApplicationStatus(push.body) : { ok: true as const };
          this.ledger.record(push.id, push.kind, ack);
          return ack;
        }
      }
    } catch (err) {
      this.opts.logger.error({ err: errMessage(err), kind: push.kind }, 'push handling failed');
      return { ok: false, error: { code: 'internal', message: KIOSK_REPLY_WORDS.kioskError } };
    }
  }

  private async runCommand(command: AdminCommand): Promise<PushAck> {
    if (command.command === 'sync-now') {
      this.backoff.reset();
      this.kick();
      return { ok: true };
    }
    if (this.opts.onAdminCommand) return this.opts.onAdminCommand(command);
    return { ok: false, error: { code: 'unknown', message: KIOSK_REPLY_WORDS.commandNotHandled } };
  }

  // ---- drain ------------------------------------------------------------------------------------

  /** Starts a drain now, or right after the running one. */
  kick(): void {
    if (this.stopped || !this.connected) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.draining = this.drain()
      .then(() => {
        this.backoff.reset();
      })
      .catch((err: unknown) => {
        if (err instanceof DeviceAuthError && err.code === 'revoked') {
          this.revoked('blob upload refused: kiosk revoked');
          return;
        }
        const delay = this.backoff.next();
        this.opts.logger.warn({ err: errMessage(err), retryInMs: delay }, 'sync drain failed');
        // a queued row that does not open will not open by retrying: someone must look at this tablet
        if (err instanceof SealedDataError) this.problem = SYNC_PROBLEM.rejected;
        if (this.problem === null) this.problem = SYNC_PROBLEM.retrying;
        this.emitStatus();
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, delay);
      })
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const ackTimeout = this.opts.ackTimeoutMs ?? 30_000;
    const { outbox } = this.opts;
    const hooks = this.opts.testHooks;
    if (!this.helloDone) {
      const hello = await this.ask(
        socket,
        EVENTS.hello,
        {
          // informative only: the server never relies on the kiosk's clock
          clientTime: new Date().toISOString(),
          ...(this.opts.revocationsVersion ? { revocationsVersion: this.opts.revocationsVersion() } : {}),
          configVersion: this.ledger.settings().version,
        },
        ackTimeout,
      );
      if (!hello.ok) {
        if (hello.error.code === 'forbidden') this.revoked('hello refused: kiosk revoked');
        throw new Error(`hello refused: ${hello.error.code}`);
      }
      const outcome = outbox.reconcile(hello.lastSeq, hello.lastId);
      if (outcome === 'renumbered') {
        this.opts.logger.warn({ serverLastSeq: hello.lastSeq }, 'outbox was not in step with the server: queued mutations renumbered');
      }
      this.helloDone = true;
    }
    // blobs the outbox believes uploaded that the server said it lacks: asked again before the resend
    let recheck = new Set<string>();
    let missingResends = 0;
    for (;;) {
      const batch = withinMessageLimit(outbox.pending(this.opts.batchSize ?? 50));
      if (batch.length === 0) break;
      await this.uploadBlobsOf(batch, recheck);
      await hooks?.beforeSend?.(batch);
      const ack = await this.ask(socket, EVENTS.mutations, { mutations: batch }, ackTimeout);
      await hooks?.beforeAcknowledge?.(ack, batch);
      // refused for good (no proof of the card, a blocked card…): the server used up its seq and
      // journaled it on the person; it goes with the acknowledgement below, and the screen says so
      const refused = (ack.results ?? []).filter((r) => r.status === 'refused');
      for (const r of refused) this.opts.logger.warn({ seq: r.seq, id: r.id, code: r.error.code }, 'mutation refused by the server for good');
      if (ack.lastSeq !== undefined) outbox.acknowledge(ack.lastSeq);
      if (!ack.ok) {
        const { error } = ack;
        if (error.code === 'gap' && error.expectedSeq !== undefined) {
          outbox.acknowledge(error.expectedSeq - 1);
          const first = outbox.pending(1)[0];
          if (first && first.seq > error.expectedSeq) throw new Error(`server expects seq ${error.expectedSeq}, the outbox starts at ${first.seq}`);
          continue;
        }
        if (error.code === 'blob_missing' && error.seq !== undefined) {
          // cleaned up as an orphan, lost with a restore, or an upload the server never finished: the
          // others of this batch may be gone too, so every blob of what is left of it is asked again
          // (and uploaded if missing) and the batch sent again
          const from = error.seq;
          recheck = new Set(batch.filter((m) => m.seq >= from).flatMap((m) => m.blobs));
          if (++missingResends <= BLOB_MISSING_RESENDS) continue;
          // for the next drain, after the backoff: those blobs are not believed uploaded any more
          for (const sha of recheck) outbox.markUploaded(sha, false);
          throw new Error(`server is missing a blob of seq ${error.seq}`);
        }
        if (error.seq !== undefined) outbox.recordError(error.seq, `${error.code}: ${error.message}`);
        if (error.code === 'invalid' || error.code === 'forbidden' || error.code === 'unknown') {
          this.problem = SYNC_PROBLEM.rejected;
        }
        throw new Error(`server refused mutations: ${error.code} ${error.message}`);
      }
      recheck = new Set();
      missingResends = 0;
      this.lastSuccessAt = new Date().toISOString();
      if (refused.length > 0) {
        this.lastRefusalAt = Date.now();
        const types = new Map(batch.map((m) => [m.id, m.type] as const));
        this.lastRefusalWords = refused.every((r) => types.get(r.id) === 'vault.document.send') ? SYNC_PROBLEM.sendRefused : SYNC_PROBLEM.refused;
      }
      this.problem = this.afterDrain(socket);
      this.emitStatus();
    }
    this.lastSuccessAt = new Date().toISOString();
    this.problem = this.afterDrain(socket);
    this.emitStatus();
  }

  /**
   * What the screen says once a batch went through: a refusal if there was one; otherwise all is well —
   * unless the connection dropped meanwhile (its handler said "offline", which stays true).
   */
  private afterDrain(socket: Socket): string | null {
    // said for a while, whatever drains next: the person at the kiosk must get to read it
    if (this.lastRefusalAt !== null && Date.now() - this.lastRefusalAt < REFUSAL_NOTICE_MS) return this.lastRefusalWords;
    return socket.connected ? null : this.problem;
  }

  /**
   * Uploads the blobs a batch references, a few at a time (the server accepts UPLOAD_CONCURRENCY in
   * progress per kiosk and more), and records them as uploaded in one transaction. Those in `recheck`
   * are asked of the server even if the outbox believes them uploaded.
   */
  private async uploadBlobsOf(batch: readonly { seq: number; blobs: string[] }[], recheck: ReadonlySet<string>): Promise<void> {
    const { outbox } = this.opts;
    const work = [...new Map(batch.flatMap((m) => m.blobs.map((sha) => [sha, m.seq] as const))).entries()];
    const done: string[] = [];
    let failure: unknown = null;
    let next = 0;
    const worker = async () => {
      while (failure === null && next < work.length) {
        const [sha, seq] = work[next++]!;
        try {
          if (await this.uploader.ensureUploaded(sha, { recheck: recheck.has(sha) })) done.push(sha);
        } catch (err) {
          if (err instanceof BlobUploadError) outbox.recordError(seq, err.message);
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, work.length) }, worker));
    outbox.markUploadedMany(done);
    if (failure !== null) throw failure;
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
