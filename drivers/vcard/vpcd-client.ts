/**
 * Connects a virtual card to vpcd (the vsmartcard PC/SC reader driver loaded by pcscd).
 * Protocol: TCP to 127.0.0.1:35963 (reader 0) / :35964 (reader 1); every message is a 2-byte
 * big-endian length + payload. A 1-byte payload is a control code (0 power off, 1 power on, 2 reset,
 * 4 get ATR: answer the ATR); a longer one is a command APDU: answer the response APDU.
 * Connected = card inserted; closing the socket = card removed.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../log.ts';
import { VcardError } from './errors.ts';
import { VirtualOpenPgpCard, type VirtualCardModelOptions } from './openpgp-card.ts';
import { loadCardState, saveCardState } from './state.ts';

export const VPCD_BASE_PORT = 35963;

const CTRL_OFF = 0;
const CTRL_ON = 1;
const CTRL_RESET = 2;
const CTRL_ATR = 4;

export interface VirtualCardOptions {
  /** Reader slot: 0 → port 35963 ("Virtual PCD 00 00"), 1 → 35964 ("Virtual PCD 00 01"). */
  slot?: 0 | 1;
  host?: string;
  /** Overrides the port derived from the slot. */
  port?: number;
  /** Delay before answering each APDU (to pull the card in the middle of a command in tests). */
  respondDelayMs?: number;
  /** Reconnect when vpcd drops the connection (pcscd restarted) while the card should be inserted. Default true. */
  reconnect?: boolean;
  /** How long insert() waits for vpcd to poll the card. Default 10 s. */
  insertTimeoutMs?: number;
  logger?: Logger;
}

export interface VirtualCardEvents {
  /** vpcd polled the card (it is in the reader). */
  inserted: [];
  /** The connection to vpcd ended (removed, or pcscd went away). */
  disconnected: [];
}

export class VirtualCard extends EventEmitter<VirtualCardEvents> {
  readonly card: VirtualOpenPgpCard;
  respondDelayMs: number;

  private readonly host: string;
  private readonly port: number;
  private readonly reconnect: boolean;
  private readonly insertTimeoutMs: number;
  private readonly log: Logger;

  private wanted = false;
  private socket: Socket | null = null;
  private polled = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 200;
  private queue: Promise<void> = Promise.resolve();

  constructor(card: VirtualOpenPgpCard, opts: VirtualCardOptions = {}) {
    super();
    this.card = card;
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? VPCD_BASE_PORT + (opts.slot ?? 0);
    this.respondDelayMs = opts.respondDelayMs ?? 0;
    this.reconnect = opts.reconnect ?? true;
    this.insertTimeoutMs = opts.insertTimeoutMs ?? 10_000;
    this.log = opts.logger ?? silentLogger;
  }

  /** A virtual card backed by its state file (changes are written back atomically). */
  static fromFile(
    path: string,
    opts: VirtualCardOptions & Pick<VirtualCardModelOptions, 'forceChunk' | 'strictLe'> = {},
  ): VirtualCard {
    const state = loadCardState(path);
    const model = new VirtualOpenPgpCard(state, {
      persist: (s) => saveCardState(path, s),
      forceChunk: opts.forceChunk,
      strictLe: opts.strictLe,
      logger: opts.logger,
    });
    return new VirtualCard(model, opts);
  }

  /** True while the card sits in the reader (connected to vpcd and polled by it). */
  get inserted(): boolean {
    return this.socket !== null && this.polled;
  }

  /** Inserts the card; resolves once vpcd has polled it (asked for the ATR or powered it). */
  async insert(): Promise<void> {
    if (this.wanted && this.inserted) return;
    this.wanted = true;
    this.cancelReconnect();
    try {
      await this.connectOnce();
    } catch (e) {
      this.wanted = false;
      throw e;
    }
  }

  /** Removes the card (closes the connection); pcscd notices at its next poll. */
  async remove(): Promise<void> {
    this.wanted = false;
    this.cancelReconnect();
    const s = this.socket;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private connectOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port });
      let settled = false;
      let timer: NodeJS.Timeout | null = null;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (err) {
          s.destroy();
          reject(err);
        } else resolve();
      };
      let rx: Buffer = Buffer.alloc(0);

      // Bounded from the start: with the slot taken, vpcd's backlog of 0 leaves even connect() hanging.
      timer = setTimeout(
        () => settle(new VcardError('vpcd-timeout', `vpcd on port ${this.port} did not poll the card (is the slot taken?)`)),
        this.insertTimeoutMs,
      );
      s.once('connect', () => {
        s.setNoDelay(true);
        this.socket = s;
        this.polled = false;
      });
      s.on('data', (chunk: Buffer) => {
        rx = rx.length === 0 ? chunk : Buffer.concat([rx, chunk]);
        while (rx.length >= 2) {
          const len = rx.readUInt16BE(0);
          if (rx.length < 2 + len) break;
          const msg = rx.subarray(2, 2 + len);
          rx = rx.subarray(2 + len);
          this.onMessage(s, new Uint8Array(msg), () => settle());
        }
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!settled) {
          const code = err.code === 'ECONNREFUSED' ? 'vpcd-unavailable' : 'io-error';
          settle(new VcardError(code, `cannot connect to vpcd on ${this.host}:${this.port} (${err.code ?? err.message})`, { cause: err }));
        } else this.log.debug({ err: err.message, port: this.port }, 'vpcd connection error');
      });
      s.once('close', () => {
        settle(new VcardError('vpcd-unavailable', `vpcd closed the connection on port ${this.port}`));
        if (this.socket !== s) return;
        this.socket = null;
        this.polled = false;
        this.card.powerOff();
        this.emit('disconnected');
        if (this.wanted && this.reconnect) {
          this.log.info({ port: this.port, serial: this.card.serial }, 'vpcd connection lost, reconnecting');
          this.reconnectDelay = 200;
          this.scheduleReconnect();
        }
      });
    });
  }

  private scheduleReconnect(): void {
    this.cancelReconnect();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.wanted || this.socket) return;
      this.connectOnce().then(
        () => this.log.info({ port: this.port, serial: this.card.serial }, 'virtual card back in the reader'),
        () => {
          if (!this.wanted || this.socket) return;
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, 2000);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
  }

  private onMessage(s: Socket, msg: Uint8Array, onPolled: () => void): void {
    if (msg.length === 0) return;
    if (msg.length === 1) {
      const code = msg[0]!;
      if (code === CTRL_OFF) this.card.powerOff();
      else if (code === CTRL_ON) this.card.powerOn();
      else if (code === CTRL_RESET) this.card.reset();
      else if (code === CTRL_ATR) this.send(s, this.card.atr);
      else {
        this.log.warn({ code }, 'vpcd: unknown control code');
        return;
      }
      if (!this.polled) {
        this.polled = true;
        onPolled();
        this.emit('inserted');
      }
      return;
    }
    // vpcd waits for each answer before sending more; the queue only keeps delayed answers in order.
    this.queue = this.queue.then(async () => {
      if (this.respondDelayMs > 0) await new Promise((r) => setTimeout(r, this.respondDelayMs));
      if (this.socket !== s || s.destroyed) return; // pulled out before answering: the command never ran
      const response = this.card.process(msg);
      this.log.debug({ ins: msg[1], sw: Buffer.from(response.subarray(-2)).toString('hex') }, 'vcard apdu');
      this.send(s, response);
    });
  }

  private send(s: Socket, payload: Uint8Array): void {
    if (payload.length > 0xffff) payload = Uint8Array.of(0x6f, 0x00);
    const frame = Buffer.alloc(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    frame.set(payload, 2);
    s.write(frame);
  }
}
