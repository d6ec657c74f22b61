/**
 * The sync client (DESIGN.md §5): drains the outbox to the server in seq order over socket.io,
 * uploading each referenced blob first (tus), and purges what the server acknowledges. It retries with
 * backoff and jitter, survives restarts (everything it needs is in the outbox) and reports a status
 * the screen can show.
 */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import {
  EVENTS,
  HelloAck,
  KIOSK_NAMESPACE,
  MutationsAck,
  PushMessage,
} from '../../../sync-server/protocol/socket.ts';
import type { KioskAuth, PushAck } from '../../../sync-server/protocol/socket.ts';
import type { SyncStatus } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { Backoff } from './backoff.ts';
import { BlobUploadError, BlobUploader } from './blob-upload.ts';

export interface SyncClientOptions {
  url: string;
  auth: KioskAuth;
  outbox: Outbox;
  logger: Logger;
  batchSize?: number;
  ackTimeoutMs?: number;
  /** ceiling of socket.io's reconnection backoff (with jitter); one server, so a short one */
  reconnectDelayMaxMs?: number;
  /** what the kiosk holds, sent in the hello so the server pushes only what is newer */
  revocationsVersion?: () => number;
  /** server → kiosk pushes (revocation list…); the answer is the acknowledgement */
  onPush?: (push: PushMessage) => Promise<PushAck>;
}

const PROBLEM = {
  offline: 'Pas de connexion pour le moment. Vos documents sont gardés sur la tablette et partiront tout seuls.',
  unauthorized: "Cette tablette n'est pas autorisée par le serveur. Prévenez un agent.",
  rejected: "Un document n'a pas pu être envoyé. Il est gardé sur la tablette. Prévenez un agent.",
  retrying: "L'envoi a échoué. La tablette réessaie toute seule.",
} as const;

export class SyncClient {
  private socket: Socket | null = null;
  private readonly uploader: BlobUploader;
  private readonly backoff = new Backoff(500, 60_000);
  private readonly reconnect = new Backoff(500, 10_000);
  private draining: Promise<void> | null = null;
  private again = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private helloDone = false;
  private lastSuccessAt: string | null = null;
  private problem: string | null = PROBLEM.offline;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: SyncClientOptions) {
    this.uploader = new BlobUploader({ baseUrl: opts.url, auth: opts.auth, outbox: opts.outbox });
    this.unsubscribe = opts.outbox.onChange(() => {
      this.emitStatus();
      this.kick();
    });
  }

  start(): void {
    const socket = io(`${this.opts.url}${KIOSK_NAMESPACE}`, {
      auth: this.opts.auth,
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: this.opts.reconnectDelayMaxMs ?? 10_000,
      randomizationFactor: 0.5,
      timeout: 10_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.opts.logger.info({ url: this.opts.url }, 'sync connected');
      this.helloDone = false;
      this.problem = null;
      this.backoff.reset();
      this.reconnect.reset();
      this.emitStatus();
      this.kick();
    });
    socket.on('disconnect', (reason) => {
      this.opts.logger.warn({ reason }, 'sync disconnected');
      this.helloDone = false;
      this.problem = PROBLEM.offline;
      this.emitStatus();
      // socket.io does not reconnect by itself when the server closed the socket (restart, deploy)
      if (reason === 'io server disconnect' && !this.stopped) {
        const delay = this.reconnect.next();
        setTimeout(() => {
          if (!this.stopped && !socket.connected) socket.connect();
        }, delay).unref();
      }
    });
    socket.on(EVENTS.push, (raw: unknown, ack?: (a: PushAck) => void) => {
      void this.receivePush(raw).then((a) => {
        if (typeof ack === 'function') ack(a);
      });
    });
    socket.on('connect_error', (err) => {
      this.problem = err.message === 'unauthorized' ? PROBLEM.unauthorized : PROBLEM.offline;
      this.opts.logger.warn({ err: err.message }, 'sync connection failed');
      this.emitStatus();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.disconnect();
    this.socket = null;
    await this.draining?.catch(() => undefined);
  }

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  status(): SyncStatus {
    return {
      pending: this.opts.outbox.pendingCount(),
      online: this.connected,
      lastSuccessAt: this.lastSuccessAt,
      problem: this.problem,
    };
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async receivePush(raw: unknown): Promise<PushAck> {
    const push = PushMessage.safeParse(raw);
    if (!push.success) {
      this.opts.logger.warn('malformed push from the server');
      return { ok: false, error: { code: 'invalid', message: 'push illisible' } };
    }
    if (!this.opts.onPush) return { ok: false, error: { code: 'unknown', message: 'push non géré' } };
    try {
      return await this.opts.onPush(push.data);
    } catch (err) {
      this.opts.logger.error({ err: errMessage(err), kind: push.data.kind }, 'push handling failed');
      return { ok: false, error: { code: 'internal', message: 'erreur de la borne' } };
    }
  }

  /** Resolves once the outbox is empty (or rejects after timeoutMs): for tests and orderly shutdown. */
  async flushed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.opts.outbox.pendingCount() > 0) {
      if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

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
        const delay = this.backoff.next();
        this.opts.logger.warn({ err: errMessage(err), retryInMs: delay }, 'sync drain failed');
        if (this.problem === null) this.problem = PROBLEM.retrying;
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
    if (!this.helloDone) {
      const raw: unknown = await socket.timeout(ackTimeout).emitWithAck(EVENTS.hello, {
        clientTime: new Date().toISOString(),
        ...(this.opts.revocationsVersion ? { revocationsVersion: this.opts.revocationsVersion() } : {}),
      });
      const hello = HelloAck.parse(raw);
      if (!hello.ok) throw new Error(`hello refused: ${hello.error.code}`);
      const outcome = outbox.reconcile(hello.lastSeq, hello.lastId);
      if (outcome === 'renumbered') {
        this.opts.logger.warn({ serverLastSeq: hello.lastSeq }, 'outbox was not in step with the server: queued mutations renumbered');
      }
      this.helloDone = true;
    }
    for (;;) {
      const batch = outbox.pending(this.opts.batchSize ?? 50);
      if (batch.length === 0) break;
      for (const m of batch) {
        for (const sha of m.blobs) {
          try {
            await this.uploader.ensureUploaded(sha);
          } catch (err) {
            if (err instanceof BlobUploadError) outbox.recordError(m.seq, err.message);
            throw err;
          }
        }
      }
      const raw: unknown = await socket.timeout(ackTimeout).emitWithAck(EVENTS.mutations, { mutations: batch });
      const parsed = MutationsAck.safeParse(raw);
      if (!parsed.success) throw new Error('malformed acknowledgement from the server');
      const ack = parsed.data;
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
          for (const sha of batch.find((m) => m.seq === error.seq)?.blobs ?? []) outbox.markUploaded(sha, false);
          throw new Error(`server is missing a blob of seq ${error.seq}`);
        }
        if (error.seq !== undefined) outbox.recordError(error.seq, `${error.code}: ${error.message}`);
        if (error.code === 'invalid' || error.code === 'forbidden' || error.code === 'unknown') {
          this.problem = PROBLEM.rejected;
        }
        throw new Error(`server refused mutations: ${error.code} ${error.message}`);
      }
      this.lastSuccessAt = new Date().toISOString();
      this.problem = null;
      this.emitStatus();
    }
    this.lastSuccessAt = new Date().toISOString();
    this.problem = null;
    this.emitStatus();
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
