/**
 * Watches PC/SC readers and cards through pcscd and hands out card connections.
 *
 * It survives the failures of a kiosk's life without an app restart: pcscd killed and restarted (the
 * PC/SC context is re-created with backoff, `status` events bracket the outage), readers unplugged and
 * back, cards pulled in the middle of a command (the command rejects with `card-removed`, the
 * connection is released, the next insertion is reported as usual).
 */
import { EventEmitter } from 'node:events';
import type { ResponseApdu } from './apdu.ts';
import type { CardConnection, TransmitOptions } from './connection.ts';
import { PcscError } from './errors.ts';
import { exchange } from './exchange.ts';
import { silentLogger, type Logger } from '../log.ts';
import {
  conclusiveErrorCode,
  errorMessage,
  loadNative,
  pcscCodeOf,
  SCARD,
  type NativeContext,
  type NativeReader,
  type NativeStatus,
} from './native.ts';

export interface ReaderManagerOptions {
  logger?: Logger;
  /** Timeout of each APDU exchange (and of connect). Default 5000 ms. */
  commandTimeoutMs?: number;
  /** Only readers whose name passes are watched. */
  readerFilter?: (name: string) => boolean;
  /** Default 'exclusive': no other application can talk to the card during a session. */
  shareMode?: 'exclusive' | 'shared';
  /** Backoff when pcscd is unreachable. Defaults 250 ms → 2000 ms. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * After an ambiguous transmit failure, how long to wait for pcscd to report the card gone before
   * calling it `transmit-failed` rather than `card-removed`. Default 1500 ms (pcscd polls every 400 ms).
   */
  removalGraceMs?: number;
}

export interface CardInsertedEvent {
  reader: string;
  atr: Buffer;
}

export interface ReaderManagerEvents {
  'reader-added': [name: string];
  'reader-removed': [name: string];
  'card-inserted': [event: CardInsertedEvent];
  'card-removed': [event: { reader: string }];
  status: [event: { available: boolean }];
}

interface ReaderEntry {
  name: string;
  native: NativeReader;
  present: boolean;
  state: number;
  atr: Buffer | null;
  connection: PcscConnection | null;
  connecting: boolean;
  /** Notified when the card leaves or the reader goes. */
  goneWaiters: Set<() => void>;
}

// Room for an extended response (65536 data bytes + SW) so the driver never truncates.
const RECV_MAX = 0x10000 + 2;
const DISCONNECT_TIMEOUT_MS = 2000;

export class ReaderManager extends EventEmitter<ReaderManagerEvents> {
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly filter: (name: string) => boolean;
  private readonly shareMode: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly removalGraceMs: number;

  private context: NativeContext | null = null;
  private generation = 0;
  private readonly entries = new Map<string, ReaderEntry>();
  private readonly ignored = new Set<NativeReader>();
  private availableState: boolean | undefined;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(opts: ReaderManagerOptions = {}) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.timeoutMs = opts.commandTimeoutMs ?? 5000;
    this.filter = opts.readerFilter ?? (() => true);
    this.shareMode = opts.shareMode === 'shared' ? SCARD.SHARE_SHARED : SCARD.SHARE_EXCLUSIVE;
    this.retryMinMs = opts.retryMinMs ?? 250;
    this.retryMaxMs = opts.retryMaxMs ?? 2000;
    this.removalGraceMs = opts.removalGraceMs ?? 1500;
    this.retryDelay = this.retryMinMs;
  }

  /** Starts watching. Events for readers and cards already present follow shortly. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.createContext();
  }

  /** Whether pcscd is reachable (undefined before the first attempt). */
  get available(): boolean | undefined {
    return this.availableState;
  }

  readers(): string[] {
    return [...this.entries.keys()];
  }

  cardPresent(reader: string): boolean {
    return this.entries.get(reader)?.present ?? false;
  }

  /** ATR of the card in the reader, if any. */
  atr(reader: string): Buffer | null {
    const e = this.entries.get(reader);
    return e?.present ? e.atr : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.connection?.disconnect()));
    for (const e of entries) this.closeNativeReader(e.native);
    for (const r of this.ignored) this.closeNativeReader(r);
    this.ignored.clear();
    this.closeContext();
    this.removeAllListeners();
  }

  // ---- context lifecycle ----

  private setAvailable(available: boolean): void {
    if (this.availableState === available) return;
    this.availableState = available;
    this.log.info({ available }, available ? 'pcscd available' : 'pcscd unavailable');
    this.emit('status', { available });
  }

  private createContext(): void {
    if (this.closed) return;
    let ctx: NativeContext;
    try {
      ctx = loadNative()();
    } catch (e) {
      this.log.debug({ err: errorMessage(e), retryInMs: this.retryDelay }, 'cannot establish PC/SC context');
      this.setAvailable(false);
      this.scheduleRetry();
      return;
    }
    const gen = ++this.generation;
    this.context = ctx;
    this.retryDelay = this.retryMinMs;
    ctx.on('reader', (r) => this.onReader(gen, r));
    ctx.on('error', (err) => this.onContextError(gen, err));
    this.setAvailable(true);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.createContext();
    }, delay);
  }

  private closeContext(): void {
    const ctx = this.context;
    this.context = null;
    if (!ctx) return;
    try {
      ctx.close();
    } catch (e) {
      this.log.warn({ err: errorMessage(e) }, 'closing PC/SC context failed');
    }
  }

  private closeNativeReader(r: NativeReader): void {
    try {
      r.close();
    } catch (e) {
      this.log.warn({ err: errorMessage(e), reader: r.name }, 'closing reader watcher failed');
    }
  }

  private onContextError(gen: number, err: unknown): void {
    if (gen !== this.generation || this.closed) return;
    this.log.warn({ err: errorMessage(err) }, 'PC/SC context lost');
    this.generation++; // late events from the dead context are ignored
    for (const e of [...this.entries.values()]) this.dropReader(e, 'pcsc-unavailable');
    for (const r of this.ignored) this.closeNativeReader(r);
    this.ignored.clear();
    this.closeContext();
    this.setAvailable(false);
    this.scheduleRetry();
  }

  // ---- readers and cards ----

  private onReader(gen: number, native: NativeReader): void {
    const name = native.name;
    if (gen !== this.generation || this.closed) {
      this.closeNativeReader(native);
      return;
    }
    if (!this.filter(name)) {
      this.ignored.add(native);
      native.on('error', () => undefined);
      return;
    }
    const previous = this.entries.get(name);
    if (previous) this.dropReader(previous, 'reader-gone');
    const entry: ReaderEntry = {
      name,
      native,
      present: false,
      state: 0,
      atr: null,
      connection: null,
      connecting: false,
      goneWaiters: new Set(),
    };
    this.entries.set(name, entry);
    native.on('status', (s) => {
      if (this.entries.get(name) === entry && gen === this.generation) this.onStatus(entry, s);
    });
    native.on('end', () => {
      if (this.entries.get(name) === entry) this.dropReader(entry, 'reader-gone');
    });
    native.on('error', (err) => this.log.debug({ reader: name, err: errorMessage(err) }, 'reader watcher error'));
    this.log.info({ reader: name }, 'reader added');
    this.emit('reader-added', name);
  }

  private onStatus(entry: ReaderEntry, status: NativeStatus): void {
    const state = status.state;
    const present = (state & SCARD.STATE_PRESENT) !== 0 && (state & SCARD.STATE_MUTE) === 0;
    // pcsc-lite counts card events in the upper 16 bits: a changed count while "present" on both
    // sides means the card was swapped between two polls.
    const swapped = entry.present && present && state >>> 16 !== entry.state >>> 16;
    entry.state = state;
    if (entry.present && (!present || swapped)) this.cardGone(entry, 'card-removed');
    if (present && !entry.present) {
      entry.present = true;
      entry.atr = status.atr && Buffer.isBuffer(status.atr) ? Buffer.from(status.atr) : Buffer.alloc(0);
      this.log.info({ reader: entry.name, atr: entry.atr.toString('hex') }, 'card inserted');
      this.emit('card-inserted', { reader: entry.name, atr: Buffer.from(entry.atr) });
    }
  }

  private cardGone(entry: ReaderEntry, reason: 'card-removed' | 'reader-gone' | 'pcsc-unavailable'): void {
    const wasPresent = entry.present;
    entry.present = false;
    entry.atr = null;
    const conn = entry.connection;
    if (conn) {
      entry.connection = null;
      conn.invalidate(reason);
    }
    for (const w of entry.goneWaiters) w();
    entry.goneWaiters.clear();
    if (wasPresent) {
      this.log.info({ reader: entry.name }, 'card removed');
      this.emit('card-removed', { reader: entry.name });
    }
  }

  private dropReader(entry: ReaderEntry, reason: 'reader-gone' | 'pcsc-unavailable'): void {
    if (this.entries.get(entry.name) !== entry) return;
    this.entries.delete(entry.name);
    this.cardGone(entry, reason);
    this.closeNativeReader(entry.native);
    this.log.info({ reader: entry.name }, 'reader removed');
    this.emit('reader-removed', entry.name);
  }

  /** Resolves true when the card leaves (or the reader goes) within `ms`. */
  private waitGone(entry: ReaderEntry, ms: number): Promise<boolean> {
    if (!entry.present || this.entries.get(entry.name) !== entry) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (gone: boolean) => {
        clearTimeout(timer);
        entry.goneWaiters.delete(onGone);
        resolve(gone);
      };
      const onGone = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      entry.goneWaiters.add(onGone);
    });
  }

  /** Turns a transport failure into a typed error, waiting briefly to tell a pulled card from a glitch. */
  private async classifyFailure(entry: ReaderEntry, err: unknown, what: string): Promise<PcscError> {
    if (err instanceof PcscError && err.code !== 'malformed-response') return err;
    const pcscCode = pcscCodeOf(err);
    const conclusive = conclusiveErrorCode(pcscCode);
    if (conclusive) return new PcscError(conclusive, `${what}: ${errorMessage(err)}`, { cause: err, pcscCode });
    if (await this.waitGone(entry, this.removalGraceMs)) {
      const readerGone = this.entries.get(entry.name) !== entry;
      return new PcscError(readerGone ? 'reader-gone' : 'card-removed', `${what}: ${readerGone ? 'reader gone' : 'card removed'}`, {
        cause: err,
        pcscCode,
      });
    }
    if (err instanceof PcscError) return err;
    return new PcscError('transmit-failed', `${what}: ${errorMessage(err)}`, { cause: err, pcscCode });
  }

  /** Opens a connection to the card in `reader`. One connection per reader at a time. */
  async connect(reader: string): Promise<CardConnection> {
    if (this.closed) throw new PcscError('connection-closed', 'reader manager is closed');
    const entry = this.entries.get(reader);
    if (!entry) {
      if (this.availableState === false) throw new PcscError('pcsc-unavailable', 'pcscd is not available');
      throw new PcscError('reader-gone', `no reader named "${reader}"`);
    }
    if (entry.connection || entry.connecting) throw new PcscError('reader-busy', `reader "${reader}" already has a connection`);
    if (!entry.present) throw new PcscError('no-card', `no card in reader "${reader}"`);
    entry.connecting = true;
    try {
      const native = entry.native;
      const protocol = await new Promise<number>((resolve, reject) => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          reject(new PcscError('timeout', `connect to "${reader}" timed out`));
        }, this.timeoutMs);
        native.connect({ share_mode: this.shareMode, protocol: SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1 }, (err, proto) => {
          clearTimeout(timer);
          if (timedOut) {
            if (!err) native.disconnect(SCARD.RESET_CARD, () => undefined);
            return;
          }
          if (err) {
            reject(err);
            return;
          }
          if (typeof proto !== 'number') {
            // The addon skips SCardConnect when it believes it is still connected.
            native.connected = false;
            reject(new PcscError('transmit-failed', 'stale native connection state; retry'));
            return;
          }
          resolve(proto);
        });
      }).catch(async (err: unknown) => {
        throw await this.classifyFailure(entry, err, `connect to "${reader}"`);
      });
      if (this.entries.get(reader) !== entry || !entry.present) {
        native.disconnect(SCARD.RESET_CARD, () => undefined);
        throw new PcscError('card-removed', `card left "${reader}" while connecting`);
      }
      const conn: PcscConnection = new PcscConnection(
        entry,
        {
          classify: (err, what) => this.classifyFailure(entry, err, what),
          release: () => {
            if (entry.connection === conn) entry.connection = null;
          },
        },
        protocol,
        entry.atr ?? Buffer.alloc(0),
        this.timeoutMs,
        this.log,
      );
      entry.connection = conn;
      this.log.debug({ reader, protocol }, 'card connected');
      return conn;
    } finally {
      entry.connecting = false;
    }
  }
}

interface ConnectionHooks {
  classify(err: unknown, what: string): Promise<PcscError>;
  /** The connection ended: the reader accepts a new one. */
  release(): void;
}

class PcscConnection implements CardConnection {
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: number;

  private failure: PcscError | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private disconnecting: Promise<void> | null = null;

  constructor(
    private readonly entry: ReaderEntry,
    private readonly hooks: ConnectionHooks,
    protocol: number,
    atr: Buffer,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.reader = entry.name;
    this.protocol = protocol;
    this.atr = new Uint8Array(atr);
  }

  transmit(apdu: Uint8Array, opts?: TransmitOptions): Promise<ResponseApdu> {
    // Serialised: a GET RESPONSE sequence must not interleave with another command.
    const run = () => this.transmitNow(apdu, opts?.timeoutMs ?? this.timeoutMs);
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private async transmitNow(apdu: Uint8Array, timeoutMs: number): Promise<ResponseApdu> {
    if (this.failure) throw this.failure;
    if (apdu.length < 4) throw new PcscError('invalid-argument', 'command APDU shorter than 4 bytes');
    const res = await exchange((bytes) => this.raw(bytes, timeoutMs), apdu);
    this.log.debug({ reader: this.reader, ins: apdu[1], sw: res.sw.toString(16), len: res.data.length }, 'apdu');
    return res;
  }

  private async raw(bytes: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    const native = this.entry.native;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          reject(new PcscError('timeout', `command timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        native.transmit(Buffer.from(bytes), RECV_MAX, this.protocol, (err, data) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else if (!Buffer.isBuffer(data) || data.length < 2) {
            // vpcd answers nothing when the card goes away mid-command.
            reject(new PcscError('malformed-response', `response of ${Buffer.isBuffer(data) ? data.length : 'no'} bytes`));
          } else resolve(new Uint8Array(data));
        });
      });
    } catch (err) {
      if (err instanceof PcscError && err.code === 'timeout') {
        // The native call is still pending and holds the reader: this connection cannot be reused.
        this.fail(new PcscError('connection-closed', 'connection unusable after a command timeout'));
        throw err;
      }
      const e = await this.hooks.classify(err, 'transmit');
      if (e.code !== 'malformed-response' && e.code !== 'transmit-failed') this.fail(e);
      throw e;
    }
  }

  private fail(e: PcscError): void {
    if (!this.failure) this.failure = e;
  }

  /** The card or reader went away: fail pending and future commands, free the native handle. */
  invalidate(reason: 'card-removed' | 'reader-gone' | 'pcsc-unavailable'): void {
    const message = reason === 'card-removed' ? 'card removed' : reason === 'reader-gone' ? 'reader gone' : 'pcscd unavailable';
    this.fail(new PcscError(reason, message));
    void this.disconnect();
  }

  disconnect(): Promise<void> {
    this.disconnecting ??= this.doDisconnect();
    return this.disconnecting;
  }

  private async doDisconnect(): Promise<void> {
    this.fail(new PcscError('connection-closed', 'connection closed'));
    this.hooks.release();
    const native = this.entry.native;
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DISCONNECT_TIMEOUT_MS);
      try {
        // Reset: the card forgets verified PINs when the session ends.
        native.disconnect(SCARD.RESET_CARD, (err) => {
          clearTimeout(timer);
          if (err) this.log.debug({ reader: this.reader, err: errorMessage(err) }, 'disconnect failed');
          resolve(!err);
        });
      } catch (e) {
        clearTimeout(timer);
        this.log.debug({ reader: this.reader, err: errorMessage(e) }, 'disconnect threw');
        resolve(false);
      }
    });
    // The addon keeps `connected` set when SCardDisconnect fails (card gone): clear it so the next
    // connect really connects.
    if (!ok) native.connected = false;
  }
}
