/**
 * Server → kiosk pushes (DESIGN.md §5): each carries an id, is recorded in `kiosk_pushes`, and is sent
 * again with the same id until the kiosk acknowledges it: after a missed acknowledgement (with backoff,
 * while the kiosk stays connected) and at every reconnection (its hello). Acknowledgements are
 * validated: a malformed one is refused with a typed `invalid` error and the push stays unacknowledged.
 *
 * Two families of kinds:
 *  - versioned, the newest wins: `revocations` (the signed list) and `config` (the kiosk's settings);
 *    the kiosk says in its hello which versions it holds and gets only what is newer;
 *  - queued, each delivered once, in order: `admin-command`, `application-status`. A kiosk's refusal
 *    of a queued push is final (recorded, not sent again).
 *
 * Whoever changes something calls `revocationsChanged()`, `settingsChanged(kioskId)` or
 * `queue(kioskId, kind, body)`: every server instance learns it at once through the socket.io adapter
 * (PostgreSQL), and changes made by another process (the staff CLI) are picked up by polling.
 */
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type { Json } from '../../../protocol/canonical-json.ts';
import { KioskId } from '../../../protocol/common.ts';
import type { RevocationList } from '../../../protocol/revocation.ts';
import { SERVER_EVENTS } from '../../../protocol/events.ts';
import { EVENTS, KioskSettings, PushMessage } from '../../../protocol/socket.ts';
import type { AdminCommand, ApplicationStatusBody, PushKind } from '../../../protocol/socket.ts';
import { CaError, latestRevocationList, latestRevocationVersion, publishRevocationList } from '../../features/cards/index.ts';
import type { RevocationSigner } from '../../features/cards/index.ts';
import { readKioskSettings, writeKioskSettings } from '../../features/fleet/index.ts';
import {
  ackVersionsUpTo,
  insertQueuedPush,
  kiosksWithUnsentPushes,
  markSent,
  nextQueuedPushes,
  pushIdFor,
  recordOutcome,
} from '../../kernel/push-queue.ts';
import type { PushOutcome, QueuedKind } from '../../kernel/push-queue.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { PUSH_ANSWER } from '../../kernel/words/staff.ts';

export interface PushOutcomeEvent {
  kioskId: string;
  pushId: string;
  kind: PushKind;
  /** the version of a versioned kind; 0 for queued kinds */
  version: number;
  outcome: PushOutcome;
}

export interface PushServiceOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  log: FastifyBaseLogger;
  /** the server's revocation-signing key; without it no list can be signed (kiosks then get nothing) */
  signer: RevocationSigner | null;
  ackTimeoutMs?: number;
  /** delays of the retries after a missed acknowledgement while connected; then only at reconnection */
  retryDelaysMs?: readonly number[];
  /** how often to look for changes made by another process; 0 = never */
  pollMs?: number;
}

type QueuedBody = { 'admin-command': AdminCommand; 'application-status': ApplicationStatusBody };

type Step = 'revocations' | 'config' | 'queued';
const ALL_STEPS: readonly Step[] = ['revocations', 'config', 'queued'];
/** Queued pushes sent per round; the rest follow in the next round. */
const QUEUED_PER_ROUND = 50;
/** The instances' wake-up message over the adapter: which kiosks (or all) and what changed. */
const WAKE_EVENT = 'fac:pushes';
const WakeMessage = z.object({ kiosks: z.union([z.literal('all'), z.array(KioskId).max(10_000)]), steps: z.array(z.enum(['revocations', 'config', 'queued'])) });
/** The polling fallback only looks at pushes this recent (older ones go out at each kiosk's hello). */
const SWEEP_WINDOW_MS = 10 * 60_000;

interface Connected {
  kioskId: string;
  /** versions the kiosk holds (from its hello, then its acknowledgements) */
  held: { revocations: number; config: number };
  /** false until the kiosk's hello: nothing is pushed before it says what it holds */
  helloDone: boolean;
  /** what to look at in the next round */
  pending: Set<Step>;
  /** the hello said which versions the kiosk holds: older pending versioned pushes can be closed */
  helloHeld: boolean;
  chain: Promise<void>;
  retry: NodeJS.Timeout | null;
  attempt: number;
}

export class PushService extends EventEmitter<{ outcome: [PushOutcomeEvent] }> {
  private readonly sockets = new Map<Socket, Connected>();
  private readonly byKiosk = new Map<string, Set<Socket>>();
  private readonly ackTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private pollTimer: NodeJS.Timeout | null = null;
  private knownVersion = 0;
  private listCache: RevocationList | null = null;
  private nsp: Namespace | null = null;
  private clustered = false;
  private closed = false;

  constructor(private readonly opts: PushServiceOptions) {
    super();
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? [5_000, 30_000, 120_000];
  }

  /**
   * Publishes the list if cards changed since the last version, or if another key signed it (a rotation),
   * then starts watching for changes.
   */
  async start(): Promise<void> {
    if (this.opts.signer) await publishRevocationList(this.opts.db, this.opts.dialect, this.opts.signer, { whenSignerChanged: true });
    this.knownVersion = await latestRevocationVersion(this.opts.db);
    const pollMs = this.opts.pollMs ?? 3_000;
    if (pollMs > 0) {
      this.pollTimer = setInterval(() => void this.poll(), pollMs);
      this.pollTimer.unref();
    }
  }

  /**
   * The kiosk namespace: other instances' wake-ups arrive on it; with a cluster adapter (several
   * instances on one PostgreSQL) this instance's changes are announced on it too.
   */
  bind(nsp: Namespace, o: { clustered: boolean }): void {
    this.nsp = nsp;
    this.clustered = o.clustered;
    nsp.on(WAKE_EVENT, (raw: unknown) => {
      const m = WakeMessage.safeParse(raw);
      if (m.success) this.wakeLocal(m.data.kiosks, m.data.steps);
    });
  }

  close(): void {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const c of this.sockets.values()) if (c.retry) clearTimeout(c.retry);
    this.sockets.clear();
    this.byKiosk.clear();
  }

  attach(socket: Socket, kioskId: string): void {
    const c: Connected = {
      kioskId,
      held: { revocations: 0, config: 0 },
      helloDone: false,
      pending: new Set(),
      helloHeld: false,
      chain: Promise.resolve(),
      retry: null,
      attempt: 0,
    };
    this.sockets.set(socket, c);
    let set = this.byKiosk.get(kioskId);
    if (!set) this.byKiosk.set(kioskId, (set = new Set()));
    set.add(socket);
    socket.on('disconnect', () => {
      if (c.retry) clearTimeout(c.retry);
      this.sockets.delete(socket);
      const s = this.byKiosk.get(kioskId);
      s?.delete(socket);
      if (s?.size === 0) this.byKiosk.delete(kioskId);
    });
  }

  /** After a kiosk's hello (its acknowledgement already sent): push what it lacks. */
  helloReceived(socket: Socket, held: { revocationsVersion?: number | undefined; configVersion?: number | undefined }): void {
    const c = this.sockets.get(socket);
    if (!c) return;
    c.held = { revocations: held.revocationsVersion ?? 0, config: held.configVersion ?? 0 };
    c.helloDone = true;
    c.helloHeld = true;
    c.attempt = 0;
    this.schedule(socket, c, ALL_STEPS);
  }

  /**
   * The one entry point after a card was blocked or replaced: publishes a new signed list (when the
   * revocation-signing key is here and valid) and pushes it to every connected kiosk, on every instance.
   * Returns the current list (null when none could be signed).
   */
  async revocationsChanged(): Promise<RevocationList | null> {
    if (!this.opts.signer) {
      this.opts.log.warn('revocation not published: no revocation-signing key on this server');
      return null;
    }
    let list: RevocationList;
    try {
      ({ list } = await publishRevocationList(this.opts.db, this.opts.dialect, this.opts.signer));
    } catch (err) {
      if (!(err instanceof CaError)) throw err;
      // an expired key: the card is blocked all the same, the list waits for a new key
      this.opts.log.error({ problem: err.code, detail: err.message }, 'revocation not published: the revocation-signing key cannot sign');
      return null;
    }
    if (list.version > this.knownVersion) this.knownVersion = list.version;
    this.notify('all', ['revocations']);
    return list;
  }

  /**
   * Replaces a kiosk's settings (a new version) and pushes them. Returns the new version and settings.
   * Works for a kiosk that is offline too: it gets them at its next hello.
   */
  async setSettings(kioskId: string, settings: KioskSettings): Promise<{ version: number; settings: KioskSettings } | null> {
    const checked = KioskSettings.parse(settings);
    const version = await writeKioskSettings(this.opts.db, this.opts.dialect, kioskId, checked);
    if (version === null) return null;
    this.notify([kioskId], ['config']);
    return { version, settings: checked };
  }

  /** Queues a push for one kiosk (delivered in order, once); returns its id. */
  async queue<K extends QueuedKind>(kioskId: string, kind: K, body: QueuedBody[K]): Promise<string> {
    const pushId = await insertQueuedPush(this.opts.db, kioskId, kind, body as unknown as Json);
    this.notify([kioskId], ['queued']);
    return pushId;
  }

  /** Wakes the deliveries for these kiosks here and on every other instance. */
  private notify(kiosks: 'all' | string[], steps: Step[]): void {
    this.wakeLocal(kiosks, steps);
    if (this.clustered && this.nsp) {
      try {
        this.nsp.serverSideEmit(WAKE_EVENT, { kiosks, steps });
      } catch (err) {
        this.opts.log.warn({ err }, 'could not tell the other instances about a push');
      }
    }
  }

  private wakeLocal(kiosks: 'all' | readonly string[], steps: readonly Step[]): void {
    if (this.closed) return;
    if (steps.includes('revocations')) this.listCache = null;
    const targets = kiosks === 'all' ? [...this.sockets.keys()] : kiosks.flatMap((k) => [...(this.byKiosk.get(k) ?? [])]);
    for (const socket of targets) {
      const c = this.sockets.get(socket);
      if (c?.helloDone) {
        c.attempt = 0;
        this.schedule(socket, c, steps);
      }
    }
  }

  /** Changes made by another process: a newer revocation list, pushes queued (or settings changed) elsewhere. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const version = await latestRevocationVersion(this.opts.db);
      if (version > this.knownVersion) {
        this.knownVersion = version;
        this.wakeLocal('all', ['revocations']);
      }
      if (this.byKiosk.size > 0) {
        const since = new Date(Date.now() - SWEEP_WINDOW_MS).toISOString();
        const local = (await kiosksWithUnsentPushes(this.opts.db, since)).filter((k) => this.byKiosk.has(k));
        if (local.length > 0) this.wakeLocal(local, ['config', 'queued']);
      }
    } catch (err) {
      if (!this.closed) this.opts.log.warn({ err }, 'push poll failed');
    }
  }

  /** Runs a delivery round after the ones in flight for this socket, so a kiosk gets one push at a time. */
  private schedule(socket: Socket, c: Connected, steps: readonly Step[]): void {
    for (const s of steps) c.pending.add(s);
    if (c.retry) {
      clearTimeout(c.retry);
      c.retry = null;
    }
    c.chain = c.chain.then(() => this.round(socket, c)).catch((err: unknown) => {
      if (!this.closed) this.opts.log.error({ err, kioskId: c.kioskId }, 'push delivery failed');
    });
  }

  private async latestList(): Promise<RevocationList | null> {
    if (this.listCache && this.listCache.version >= this.knownVersion) return this.listCache;
    const list = await latestRevocationList(this.opts.db);
    if (list && list.version > this.knownVersion) this.knownVersion = list.version;
    this.listCache = list;
    return list;
  }

  /** One delivery round: what this kiosk lacks, in order; stops when the kiosk stops answering. */
  private async round(socket: Socket, c: Connected): Promise<void> {
    if (this.closed || !socket.connected || c.pending.size === 0) return;
    const steps = new Set(c.pending);
    c.pending.clear();
    const { db } = this.opts;

    if (c.helloHeld) {
      // what the kiosk says it holds was delivered, even if its acknowledgement was lost on the way
      c.helloHeld = false;
      for (const kind of ['revocations', 'config'] as const) await ackVersionsUpTo(db, c.kioskId, kind, c.held[kind]);
    }

    if (steps.has('revocations')) {
      const list = await this.latestList();
      if (list && list.version > c.held.revocations) {
        const outcome = await this.deliverVersioned(socket, c, { kind: 'revocations', body: list }, list.version);
        if (outcome.status === 'acked') {
          c.held.revocations = Math.max(c.held.revocations, list.version);
          this.opts.log.info({ kioskId: c.kioskId, version: list.version }, 'revocation list acknowledged');
          // a newer version may have been published meanwhile
          if (this.knownVersion > c.held.revocations) c.pending.add('revocations');
        } else if (this.stopAfter(socket, c, outcome, 'revocations')) return;
      }
    }

    if (steps.has('config')) {
      const current = await readKioskSettings(db, c.kioskId);
      if (current && current.version > c.held.config) {
        const outcome = await this.deliverVersioned(socket, c, { kind: 'config', body: current }, current.version);
        if (outcome.status === 'acked') {
          c.held.config = Math.max(c.held.config, current.version);
          // older versions, never sent or not answered, are superseded by this one
          await ackVersionsUpTo(db, c.kioskId, 'config', current.version);
        } else if (this.stopAfter(socket, c, outcome, 'config')) return;
      }
    }

    if (steps.has('queued')) {
      const rows = await nextQueuedPushes(db, c.kioskId, QUEUED_PER_ROUND);
      for (const row of rows) {
        const message = PushMessage.safeParse({ id: row.push_id, kind: row.kind, body: row.body === null ? null : (JSON.parse(row.body) as unknown) });
        if (!message.success) {
          // written by an older version of the server, or by hand: it can never be delivered
          await recordOutcome(this.opts.db, row.push_id, { status: 'refused', error: { code: 'invalid', message: PUSH_ANSWER.unreadable } }, true);
          continue;
        }
        const outcome = await this.send(socket, message.data);
        if (this.closed) return;
        await recordOutcome(this.opts.db, row.push_id, outcome, true);
        this.emit('outcome', { kioskId: c.kioskId, pushId: row.push_id, kind: message.data.kind, version: 0, outcome });
        if (outcome.status !== 'acked' && outcome.status !== 'refused') {
          if (this.stopAfter(socket, c, outcome, 'queued')) return;
          break;
        }
      }
      if (rows.length === QUEUED_PER_ROUND) c.pending.add('queued');
    }
    c.attempt = 0;
    if (c.pending.size > 0) this.schedule(socket, c, []);
  }

  /**
   * After a failed delivery: a silence is retried a few times now (the whole round); a refusal or a
   * bad answer waits for the kiosk's next hello. Returns true when the round must stop here.
   */
  private stopAfter(socket: Socket, c: Connected, outcome: PushOutcome, step: Step): boolean {
    this.opts.log.warn({ kioskId: c.kioskId, step, outcome }, 'push not acknowledged');
    if (outcome.status === 'disconnected') return true;
    if (outcome.status === 'timeout') {
      if (socket.connected && c.attempt < this.retryDelaysMs.length) {
        const delay = this.retryDelaysMs[c.attempt++]!;
        c.retry = setTimeout(() => {
          c.retry = null;
          this.schedule(socket, c, ALL_STEPS);
        }, delay);
        c.retry.unref();
      }
      return true;
    }
    return false; // refused or invalid answer: go on with the other kinds
  }

  private async deliverVersioned(
    socket: Socket,
    c: Connected,
    what: { kind: 'revocations'; body: RevocationList } | { kind: 'config'; body: { version: number; settings: KioskSettings } },
    version: number,
  ): Promise<PushOutcome> {
    const pushId = await pushIdFor(this.opts.db, c.kioskId, what.kind, version);
    const message = { id: pushId, ...what } as PushMessage;
    const outcome = await this.send(socket, message);
    if (this.closed) return outcome; // shutting down: the database may be gone; the push stays pending
    await recordOutcome(this.opts.db, pushId, outcome, false);
    this.emit('outcome', { kioskId: c.kioskId, pushId, kind: what.kind, version, outcome });
    return outcome;
  }

  private async send(socket: Socket, message: PushMessage): Promise<PushOutcome> {
    if (!socket.connected) return { status: 'disconnected' };
    await markSent(this.opts.db, message.id);
    let raw: unknown;
    try {
      raw = await socket.timeout(this.ackTimeoutMs).emitWithAck(EVENTS.push, message);
    } catch {
      return socket.connected ? { status: 'timeout' } : { status: 'disconnected' };
    }
    const ack = SERVER_EVENTS[EVENTS.push].ack.safeParse(raw);
    if (!ack.success) {
      const first = ack.error.issues[0];
      return { status: 'invalid-ack', error: { code: 'invalid', message: PUSH_ANSWER.badAck(first && first.path.length > 0 ? ` (${first.path.join('.')})` : '', first?.message ?? PUSH_ANSWER.unexpectedFormat) } };
    }
    return ack.data.ok ? { status: 'acked' } : { status: 'refused', error: ack.data.error };
  }
}
