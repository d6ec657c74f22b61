/**
 * The card-holder box as the kiosk sees it: card-present switches per slot (instant, unlike pcscd's
 * polling), the button, the LED ring driven by semantic states, and the optional latch.
 *
 * One `ReportCardBox` logic runs over any `HidConnector` (node-hid, in-process virtual box, loopback
 * TCP). It finds the box, reads its device info, asks for a status report, re-applies the LED state
 * and latches the kiosk last asked for, and only then reports `connected`. A read error or closed
 * link is an unplug: `disconnected`, then it looks for the box again (node-hid has no plug events).
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../log.ts';
import { errorText, HidError } from './errors.ts';
import { INDICATOR_LED, isIndicator, type Indicator } from './indicators.ts';
import { nodeHidConnector, type NodeHidApi } from './node-hid-transport.ts';
import {
  BOX_PRODUCT_ID,
  BOX_VENDOR_ID,
  decodeDeviceInfo,
  decodeInputReport,
  encodeLatchReport,
  encodeLedReport,
  encodeStatusRequest,
  firmwareString,
  REPORT_ID,
  REPORT_LENGTH,
  reportHex,
  type DeviceInfo,
  type SlotCount,
  type StatusReport,
} from './protocol.ts';
import { tcpConnector } from './tcp-transport.ts';
import type { HidConnector, HidTransport, TransportKind } from './transport.ts';

export type Slot = 0 | 1;

export interface BoxInfo {
  protocolVersion: number;
  /** "major.minor.patch" */
  firmware: string;
  slots: SlotCount;
  latch: boolean;
  button: boolean;
  led: boolean;
  transport: TransportKind;
}

export interface CardPresentEvent {
  slot: Slot;
  present: boolean;
}

export interface CardBoxEvents {
  connected: [info: BoxInfo];
  disconnected: [];
  'card-present': [event: CardPresentEvent];
  button: [event: { long: boolean }];
  error: [error: HidError];
}

/**
 * What the kiosk holds. `error` events are emitted only when someone listens (otherwise logged): an
 * unhandled `error` event would crash the process over a bad HID report.
 */
export abstract class CardBox extends EventEmitter<CardBoxEvents> {
  abstract get connected(): boolean;
  /** Starts looking for the box. Events follow; `connected` once it answered. */
  abstract start(): void;
  /** Stops; turns the LED off and releases the latches first when connected. No events after. */
  abstract close(): Promise<void>;
  /**
   * Shows a state on the LED ring (see INDICATOR_LED). Kept and re-applied on every (re)connect;
   * resolves once written, or at once when the box is away or has no LED. Rejects only with
   * `invalid-argument` or `closed`; a failed write is an `error` event.
   */
  abstract setIndicator(state: Indicator): Promise<void>;
  /** Locks or releases a slot's latch (default slot 0). Same keeping rules; no-op without a latch. */
  abstract setLatch(locked: boolean, slot?: Slot): Promise<void>;
  /** Device info while connected, else null. */
  abstract info(): BoxInfo | null;
  /** The switch of a slot while connected (false for a slot the box lacks), else null (unknown). */
  abstract cardPresent(slot: Slot): boolean | null;
  /** Whether a slot's latch is locked, as last reported by the box; null when not connected. */
  abstract latched(slot?: Slot): boolean | null;
}

function checkSlot(slot: unknown): asserts slot is Slot {
  if (slot !== 0 && slot !== 1) throw new HidError('invalid-argument', `slot must be 0 or 1, got ${String(slot)}`);
}

/** A plain reader without HID: never connects, never reports; commands are accepted and ignored. */
export class NullCardBox extends CardBox {
  private closed = false;
  get connected(): boolean {
    return false;
  }
  start(): void {}
  async close(): Promise<void> {
    this.closed = true;
  }
  async setIndicator(state: Indicator): Promise<void> {
    if (!isIndicator(state)) throw new HidError('invalid-argument', `unknown indicator ${String(state)}`);
    if (this.closed) throw new HidError('closed', 'the box is closed');
  }
  async setLatch(locked: boolean, slot: Slot = 0): Promise<void> {
    if (typeof locked !== 'boolean') throw new HidError('invalid-argument', 'locked must be a boolean');
    checkSlot(slot);
    if (this.closed) throw new HidError('closed', 'the box is closed');
  }
  info(): BoxInfo | null {
    return null;
  }
  cardPresent(slot: Slot): boolean | null {
    checkSlot(slot);
    return null;
  }
  latched(slot: Slot = 0): boolean | null {
    checkSlot(slot);
    return null;
  }
}

export interface CardBoxOptions {
  logger?: Logger;
  /** First delay before looking again after a failed attempt; doubles up to `retryMaxMs`. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How long the box has to answer the device-info and status requests. Default 2000 ms. */
  answerTimeoutMs?: number;
}

interface Link {
  transport: HidTransport;
  info: DeviceInfo | null;
  ready: boolean;
  closed: boolean;
  /** Why the transport closed, when it said. */
  closeError: HidError | null;
  /** Rejects when the transport closes: raced against every handshake step. */
  gone: Promise<never>;
  fail: (e: HidError) => void;
  statusWaiter: ((s: StatusReport) => void) | null;
  latestStatus: StatusReport | null;
  lastSeq: number | null;
  statusRequested: boolean;
}

const RELEASE_TIMEOUT_MS = 500;

function asHidError(e: unknown, fallback: HidError['code']): HidError {
  return e instanceof HidError ? e : new HidError(fallback, errorText(e), { cause: e });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HidError('timeout', `the box did not answer ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class ReportCardBox extends CardBox {
  private readonly log: Logger;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly answerTimeoutMs: number;

  private link: Link | null = null;
  private boxInfo: BoxInfo | null = null;
  /** Last reported switch per slot; kept across disconnects so a change while away is reported. */
  private readonly lastPresent: [boolean, boolean] = [false, false];
  private lockedMask = 0;
  private wantedIndicator: Indicator | null = null;
  private readonly wantedLatch: [boolean | null, boolean | null] = [null, null];
  private retryDelay: number;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  /** The last attempt error reported: the same failure every second is reported once. */
  private lastAttemptError: string | null = null;

  constructor(
    private readonly connector: HidConnector,
    opts: CardBoxOptions = {},
  ) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.retryMinMs = opts.retryMinMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 2000;
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 2000;
    this.retryDelay = this.retryMinMs;
  }

  get connected(): boolean {
    return this.boxInfo !== null;
  }

  info(): BoxInfo | null {
    return this.boxInfo;
  }

  cardPresent(slot: Slot): boolean | null {
    checkSlot(slot);
    if (!this.boxInfo) return null;
    return slot < this.boxInfo.slots ? this.lastPresent[slot] : false;
  }

  latched(slot: Slot = 0): boolean | null {
    checkSlot(slot);
    if (!this.boxInfo) return null;
    return (this.lockedMask & (1 << slot)) !== 0;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.log.debug({ where: this.connector.description }, 'card box: looking for the box');
    void this.attempt();
  }

  async setIndicator(state: Indicator): Promise<void> {
    if (!isIndicator(state)) throw new HidError('invalid-argument', `unknown indicator ${String(state)}`);
    if (this.closed) throw new HidError('closed', 'the box is closed');
    this.wantedIndicator = state;
    const link = this.readyLink();
    if (!link || !link.info!.led) return;
    await this.writeOrReport(link, encodeLedReport(INDICATOR_LED[state]), 'LED');
  }

  async setLatch(locked: boolean, slot: Slot = 0): Promise<void> {
    if (typeof locked !== 'boolean') throw new HidError('invalid-argument', 'locked must be a boolean');
    checkSlot(slot);
    if (this.closed) throw new HidError('closed', 'the box is closed');
    this.wantedLatch[slot] = locked;
    const link = this.readyLink();
    if (!link || !link.info!.latch || slot >= link.info!.slots) return;
    const bit = 1 << slot;
    await this.writeOrReport(link, encodeLatchReport({ mask: bit, locked: locked ? bit : 0 }, link.info!.slots), 'latch');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const link = this.link;
    this.link = null;
    this.boxInfo = null;
    if (!link) return;
    if (link.ready && !link.closed) {
      // Never leave a card locked in, nor a ring saying "reading", behind a closed kiosk.
      const info = link.info!;
      const writes: Promise<void>[] = [];
      if (info.led) writes.push(link.transport.write(encodeLedReport(INDICATOR_LED.off)));
      if (info.latch) writes.push(link.transport.write(encodeLatchReport({ mask: (1 << info.slots) - 1, locked: 0 }, info.slots)));
      await withTimeout(Promise.all(writes), RELEASE_TIMEOUT_MS, 'the release').catch((e: unknown) =>
        this.log.warn({ err: errorText(e) }, 'card box: could not release the latch / LED on close'),
      );
    }
    await link.transport.close().catch(() => undefined);
  }

  // ——— connection loop ———

  private readyLink(): Link | null {
    const l = this.link;
    return l && l.ready && !l.closed ? l : null;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delayMs);
    // The box never keeps the process alive on its own.
    this.timer.unref();
  }

  private nextDelay(): number {
    const d = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMaxMs);
    return d;
  }

  private attemptFailed(e: HidError): void {
    const key = `${e.code}:${e.message}`;
    if (key !== this.lastAttemptError) {
      this.lastAttemptError = key;
      this.log.warn({ code: e.code, err: e.message, where: this.connector.description }, 'card box: connection attempt failed');
      this.report(e);
    }
    this.schedule(this.nextDelay());
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.link) return;
    let transport: HidTransport | null;
    try {
      transport = await this.connector.connect();
    } catch (e) {
      if (!this.closed) this.attemptFailed(asHidError(e, 'open-failed'));
      return;
    }
    if (this.closed) {
      await transport?.close().catch(() => undefined);
      return;
    }
    if (!transport) {
      this.schedule(this.nextDelay());
      return;
    }

    let fail: (e: HidError) => void = () => undefined;
    const gone = new Promise<never>((_, reject) => (fail = reject));
    gone.catch(() => undefined);
    const link: Link = {
      transport,
      info: null,
      ready: false,
      closed: false,
      closeError: null,
      gone,
      fail,
      statusWaiter: null,
      latestStatus: null,
      lastSeq: null,
      statusRequested: false,
    };
    this.link = link;
    transport.onReport((r) => this.onReport(link, r));
    transport.onClose((err) => this.onLinkClosed(link, err));

    try {
      await this.handshake(link);
    } catch (e) {
      if (this.link === link) this.link = null;
      await transport.close().catch(() => undefined);
      // The peer's reason (a broken frame) explains the failure better than the step it broke.
      if (!this.closed) this.attemptFailed(link.closeError ?? asHidError(e, 'transport-closed'));
      return;
    }
    if (this.closed || this.link !== link || link.closed) return;

    const info = link.info!;
    link.ready = true;
    this.retryDelay = this.retryMinMs;
    this.lastAttemptError = null;
    this.boxInfo = {
      protocolVersion: info.protocolVersion,
      firmware: firmwareString(info.firmware),
      slots: info.slots,
      latch: info.latch,
      button: info.button,
      led: info.led,
      transport: transport.kind,
    };
    this.log.info({ ...this.boxInfo, where: this.connector.description }, 'card box connected');
    this.emit('connected', this.boxInfo);
    if (this.link === link && link.latestStatus) this.applyStatus(link, link.latestStatus);
  }

  private async handshake(link: Link): Promise<void> {
    const t = link.transport;
    const step = <T>(p: Promise<T>, what: string) => withTimeout(Promise.race([link.gone, p]), this.answerTimeoutMs, what);

    const raw = await step(t.getFeature(REPORT_ID.DEVICE_INFO, REPORT_LENGTH[REPORT_ID.DEVICE_INFO]!), 'the device-info request');
    link.info = decodeDeviceInfo(raw);

    const status = new Promise<StatusReport>((resolve) => (link.statusWaiter = resolve));
    await step(t.write(encodeStatusRequest()), 'the status request');
    await step(status, 'the status request');

    // Re-apply what the kiosk last asked for: a replugged (power-cycled) box starts dark and unlocked.
    const info = link.info;
    if (info.led && this.wantedIndicator !== null) await step(t.write(encodeLedReport(INDICATOR_LED[this.wantedIndicator])), 'the LED command');
    if (info.latch) {
      let mask = 0;
      let locked = 0;
      for (const slot of [0, 1] as const) {
        const want = this.wantedLatch[slot];
        if (want === null || slot >= info.slots) continue;
        mask |= 1 << slot;
        if (want) locked |= 1 << slot;
      }
      if (mask) await step(t.write(encodeLatchReport({ mask, locked }, info.slots)), 'the latch command');
    }
  }

  private onReport(link: Link, report: Uint8Array): void {
    if (link.closed || this.link !== link) return;
    const info = link.info;
    if (!info) return; // before the device info nothing can be decoded; the status request follows
    let decoded;
    try {
      decoded = decodeInputReport(report, info.slots);
    } catch (e) {
      const err = asHidError(e, 'malformed-report');
      this.log.warn({ err: err.message, report: reportHex(report).slice(0, 128) }, 'card box: malformed input report dropped');
      if (!link.ready) {
        link.fail(err);
        return;
      }
      this.report(err);
      // The dropped report may have been a state change: ask for the full state again.
      this.requestStatus(link);
      return;
    }
    switch (decoded.type) {
      case 'unknown':
        this.log.debug({ reportId: decoded.reportId }, 'card box: unknown input report ignored');
        return;
      case 'status':
        link.lastSeq = decoded.seq;
        link.statusRequested = false;
        link.latestStatus = decoded;
        if (!link.ready) {
          link.statusWaiter?.(decoded);
          return;
        }
        this.applyStatus(link, decoded);
        return;
      case 'button': {
        if (!link.ready) return;
        const gap = link.lastSeq !== null && decoded.seq !== ((link.lastSeq + 1) & 0xff);
        link.lastSeq = decoded.seq;
        // A lost report may have been a status change: resynchronise.
        if (gap) this.requestStatus(link);
        this.emit('button', { long: decoded.long });
        return;
      }
    }
  }

  private applyStatus(link: Link, s: StatusReport): void {
    this.lockedMask = s.lockedMask;
    const slots = link.info!.slots;
    for (const slot of [0, 1] as const) {
      const present = slot < slots && (s.presentMask & (1 << slot)) !== 0;
      if (present === this.lastPresent[slot]) continue;
      this.lastPresent[slot] = present;
      this.emit('card-present', { slot, present });
      if (this.link !== link) return; // a listener closed the box
    }
  }

  private requestStatus(link: Link): void {
    if (link.statusRequested || link.closed) return;
    link.statusRequested = true;
    link.transport.write(encodeStatusRequest()).catch((e: unknown) => {
      link.statusRequested = false;
      this.log.warn({ err: errorText(e) }, 'card box: status request failed');
    });
  }

  private async writeOrReport(link: Link, report: Uint8Array, what: string): Promise<void> {
    try {
      await link.transport.write(report);
    } catch (e) {
      if (link.closed) return; // unplugged: re-applied on reconnect
      const err = asHidError(e, 'write-failed');
      this.log.warn({ err: err.message }, `card box: ${what} write failed`);
      this.report(err);
    }
  }

  private onLinkClosed(link: Link, err: HidError | null): void {
    if (link.closed) return;
    link.closed = true;
    link.closeError = err;
    link.fail(err ?? new HidError('transport-closed', 'the box went away'));
    if (this.link !== link) return;
    this.link = null;
    if (!link.ready) return; // the handshake fails and schedules the next attempt
    this.boxInfo = null;
    if (err && err.code !== 'transport-closed') {
      this.log.warn({ code: err.code, err: err.message }, 'card box: link closed on error');
      this.report(err);
    } else {
      this.log.warn({ where: this.connector.description }, 'card box disconnected');
    }
    this.retryDelay = this.retryMinMs;
    this.emit('disconnected');
    this.schedule(this.nextDelay());
  }

  private report(e: HidError): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }
}

export interface HidCardBoxOptions extends CardBoxOptions {
  vendorId?: number;
  productId?: number;
  /** For tests: a stand-in for node-hid's module (devicesAsync, HIDAsync.open). */
  hid?: NodeHidApi;
}

/** The box over USB HID (node-hid). Looks for it every second while it is away. */
export class HidCardBox extends ReportCardBox {
  constructor(opts: HidCardBoxOptions = {}) {
    super(nodeHidConnector({ vendorId: opts.vendorId ?? BOX_VENDOR_ID, productId: opts.productId ?? BOX_PRODUCT_ID, hid: opts.hid, logger: opts.logger }), {
      logger: opts.logger,
      retryMinMs: opts.retryMinMs ?? 1000,
      retryMaxMs: opts.retryMaxMs ?? 1000,
      answerTimeoutMs: opts.answerTimeoutMs,
    });
  }
}

function parseId(s: string | undefined, what: string): number {
  if (s === undefined || !/^(0x)?[0-9a-f]{1,4}$/i.test(s)) throw new HidError('invalid-argument', `bad ${what} "${s ?? ''}" (hex, e.g. 1209)`);
  return parseInt(s.replace(/^0x/i, ''), 16);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The box named by a spec (kiosk configuration):
 *  - `none`: a plain reader without HID (a box that never reports);
 *  - `hid` or `hid:VID:PID` (hex): the USB box through node-hid;
 *  - `tcp://127.0.0.1:PORT`: the virtual box of the simulator, over loopback only.
 * Not started: call `start()` after attaching listeners.
 */
export function openCardBox(spec: string, opts: CardBoxOptions = {}): CardBox {
  const s = spec.trim();
  if (s === 'none') return new NullCardBox();
  if (s === 'hid') return new HidCardBox(opts);
  if (s.startsWith('hid:')) {
    const [, vid, pid, extra] = s.split(':');
    if (extra !== undefined) throw new HidError('invalid-argument', `bad box spec "${spec}" (hid:VID:PID)`);
    return new HidCardBox({ ...opts, vendorId: parseId(vid, 'vendor id'), productId: parseId(pid, 'product id') });
  }
  if (s.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new HidError('invalid-argument', `bad box spec "${spec}"`);
    }
    const port = Number(url.port);
    if (!LOOPBACK.has(url.hostname)) throw new HidError('invalid-argument', `the virtual box is reached over loopback only, not ${url.hostname}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (url.pathname !== '' && url.pathname !== '/')) {
      throw new HidError('invalid-argument', `bad box spec "${spec}" (tcp://127.0.0.1:PORT)`);
    }
    const host = url.hostname === '[::1]' ? '::1' : url.hostname;
    return new ReportCardBox(tcpConnector({ host, port, logger: opts.logger }), opts);
  }
  throw new HidError('invalid-argument', `unknown box spec "${spec}": none, hid, hid:VID:PID or tcp://127.0.0.1:PORT`);
}
