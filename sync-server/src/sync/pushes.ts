/**
 * Server → kiosk pushes (DESIGN.md §5): each carries an id, is recorded in `kiosk_pushes`, and is sent
 * again with the same id until the kiosk acknowledges it: after a missed acknowledgement (with backoff,
 * while the kiosk stays connected) and at every reconnection (its hello). Acknowledgements are
 * validated: a malformed one is refused with a typed `invalid` error and the push stays unacknowledged.
 *
 * The only kind so far is the revocation list. `revocationsChanged()` is the one function to call after
 * a card is blocked or replaced; changes made elsewhere (the staff CLI, another server instance) are
 * picked up by polling the latest published version.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Socket } from 'socket.io';
import type { RevocationList } from '../../protocol/revocation.ts';
import { EVENTS, PushAck } from '../../protocol/socket.ts';
import type { ProtocolError, PushMessage } from '../../protocol/socket.ts';
import { latestRevocationList, latestRevocationVersion, publishRevocationList } from '../cards/revocations.ts';
import type { LoadedCa } from '../cards/ca-store.ts';
import type { Dialect } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';

export type PushOutcome =
  | { status: 'acked' }
  /** the kiosk answered { ok: false } */
  | { status: 'refused'; error: ProtocolError }
  /** the kiosk's answer does not match PushAck: not recorded as acknowledged */
  | { status: 'invalid-ack'; error: ProtocolError }
  | { status: 'timeout' }
  | { status: 'disconnected' };

export interface PushOutcomeEvent {
  kioskId: string;
  pushId: string;
  kind: PushMessage['kind'];
  version: number;
  outcome: PushOutcome;
}

export interface PushServiceOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  log: FastifyBaseLogger;
  /** the platform CA; without it no list can be signed (kiosks then get nothing) */
  ca: LoadedCa | null;
  ackTimeoutMs?: number;
  /** delays of the retries after a missed acknowledgement while connected; then only at reconnection */
  retryDelaysMs?: readonly number[];
  /** how often to look for a version published by another process; 0 = never */
  pollMs?: number;
}

interface Connected {
  kioskId: string;
  /** the revocation list version the kiosk holds (from its hello, then its acknowledgements) */
  held: number;
  /** false until the kiosk's hello: nothing is pushed before it says what it holds */
  helloDone: boolean;
  chain: Promise<void>;
  retry: NodeJS.Timeout | null;
  attempt: number;
}

export class PushService extends EventEmitter<{ outcome: [PushOutcomeEvent] }> {
  private readonly sockets = new Map<Socket, Connected>();
  private readonly ackTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private pollTimer: NodeJS.Timeout | null = null;
  private knownVersion = 0;
  private closed = false;

  constructor(private readonly opts: PushServiceOptions) {
    super();
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? [5_000, 30_000, 120_000];
  }

  get ca(): LoadedCa | null {
    return this.opts.ca;
  }

  /** Publishes the list if cards changed since the last version, then starts watching for new ones. */
  async start(): Promise<void> {
    if (this.opts.ca) await publishRevocationList(this.opts.db, this.opts.dialect, this.opts.ca);
    this.knownVersion = await latestRevocationVersion(this.opts.db);
    const pollMs = this.opts.pollMs ?? 3_000;
    if (pollMs > 0) {
      this.pollTimer = setInterval(() => void this.poll(), pollMs);
      this.pollTimer.unref();
    }
  }

  close(): void {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const c of this.sockets.values()) if (c.retry) clearTimeout(c.retry);
    this.sockets.clear();
  }

  attach(socket: Socket, kioskId: string): void {
    const c: Connected = { kioskId, held: 0, helloDone: false, chain: Promise.resolve(), retry: null, attempt: 0 };
    this.sockets.set(socket, c);
    socket.on('disconnect', () => {
      if (c.retry) clearTimeout(c.retry);
      this.sockets.delete(socket);
    });
  }

  /** After a kiosk's hello (its acknowledgement already sent): push what it lacks. */
  helloReceived(socket: Socket, revocationsVersion: number | undefined): void {
    const c = this.sockets.get(socket);
    if (!c) return;
    c.held = revocationsVersion ?? 0;
    c.helloDone = true;
    c.attempt = 0;
    this.schedule(socket, c);
  }

  /**
   * The one entry point after a card was blocked or replaced: publishes a new signed list (when the CA
   * is here) and pushes it to every connected kiosk. Returns the current list (null without a CA).
   */
  async revocationsChanged(): Promise<RevocationList | null> {
    if (!this.opts.ca) {
      this.opts.log.warn('revocation not published: no platform CA on this server');
      return null;
    }
    const { list } = await publishRevocationList(this.opts.db, this.opts.dialect, this.opts.ca);
    this.broadcast(list.version);
    return list;
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const version = await latestRevocationVersion(this.opts.db);
      if (version > this.knownVersion) this.broadcast(version);
    } catch (err) {
      this.opts.log.warn({ err }, 'revocation list poll failed');
    }
  }

  private broadcast(version: number): void {
    if (version > this.knownVersion) this.knownVersion = version;
    for (const [socket, c] of this.sockets) {
      if (c.helloDone && c.held < version) {
        c.attempt = 0;
        this.schedule(socket, c);
      }
    }
  }

  /** Runs a delivery after the ones in flight for this socket, so a kiosk gets one push at a time. */
  private schedule(socket: Socket, c: Connected): void {
    if (c.retry) {
      clearTimeout(c.retry);
      c.retry = null;
    }
    c.chain = c.chain.then(() => this.deliverCurrent(socket, c)).catch((err: unknown) => {
      this.opts.log.error({ err, kioskId: c.kioskId }, 'push delivery failed');
    });
  }

  private async deliverCurrent(socket: Socket, c: Connected): Promise<void> {
    if (this.closed || !socket.connected) return;
    const list = await latestRevocationList(this.opts.db);
    if (!list || list.version <= c.held) return;
    const pushId = await this.pushIdFor(c.kioskId, list.version);
    const message: PushMessage = { id: pushId, kind: 'revocations', body: list };
    const outcome = await this.send(socket, message);
    if (this.closed) return; // shutting down: the database may be gone; the push stays pending
    await this.record(pushId, outcome);
    this.emit('outcome', { kioskId: c.kioskId, pushId, kind: 'revocations', version: list.version, outcome });
    if (outcome.status === 'acked') {
      c.held = Math.max(c.held, list.version);
      c.attempt = 0;
      this.opts.log.info({ kioskId: c.kioskId, version: list.version }, 'revocation list acknowledged');
      // a newer version may have been published meanwhile
      if (this.knownVersion > c.held) this.schedule(socket, c);
      return;
    }
    this.opts.log.warn({ kioskId: c.kioskId, version: list.version, pushId, outcome }, 'revocation list not acknowledged');
    // a refusal or a bad answer is retried at the next reconnection only; a silence, a few times now
    if (outcome.status === 'timeout' && socket.connected && c.attempt < this.retryDelaysMs.length) {
      const delay = this.retryDelaysMs[c.attempt++]!;
      c.retry = setTimeout(() => {
        c.retry = null;
        this.schedule(socket, c);
      }, delay);
      c.retry.unref();
    }
  }

  /** The id of the unacknowledged push of this version to this kiosk, created once. */
  private async pushIdFor(kioskId: string, version: number): Promise<string> {
    const { db } = this.opts;
    const pending = await db
      .selectFrom('kiosk_pushes')
      .select('push_id')
      .where('kiosk_id', '=', kioskId)
      .where('kind', '=', 'revocations')
      .where('version', '=', version)
      .where('acked_at', 'is', null)
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    if (pending) return pending.push_id;
    const pushId = randomUUID();
    await db.insertInto('kiosk_pushes').values({ push_id: pushId, kiosk_id: kioskId, kind: 'revocations', version, created_at: new Date().toISOString(), sent_at: null, acked_at: null, last_error: null }).execute();
    return pushId;
  }

  private async send(socket: Socket, message: PushMessage): Promise<PushOutcome> {
    await this.opts.db
      .updateTable('kiosk_pushes')
      .set((eb) => ({ sent_at: new Date().toISOString(), attempts: eb('attempts', '+', 1) }))
      .where('push_id', '=', message.id)
      .execute();
    let raw: unknown;
    try {
      raw = await socket.timeout(this.ackTimeoutMs).emitWithAck(EVENTS.push, message);
    } catch {
      return socket.connected ? { status: 'timeout' } : { status: 'disconnected' };
    }
    const ack = PushAck.safeParse(raw);
    if (!ack.success) {
      const first = ack.error.issues[0];
      return { status: 'invalid-ack', error: { code: 'invalid', message: `Accusé de réception invalide${first && first.path.length > 0 ? ` (${first.path.join('.')})` : ''} : ${first?.message ?? 'format inattendu'}` } };
    }
    return ack.data.ok ? { status: 'acked' } : { status: 'refused', error: ack.data.error };
  }

  private async record(pushId: string, outcome: PushOutcome): Promise<void> {
    const now = new Date().toISOString();
    const q = this.opts.db.updateTable('kiosk_pushes').where('push_id', '=', pushId);
    if (outcome.status === 'acked') await q.set({ acked_at: now, last_error: null }).execute();
    else {
      const error = outcome.status === 'refused' || outcome.status === 'invalid-ack' ? `${outcome.status}: ${outcome.error.code}: ${outcome.error.message}` : outcome.status;
      await q.set({ last_error: error.slice(0, 500) }).execute();
    }
  }
}
