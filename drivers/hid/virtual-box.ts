/**
 * The card-holder box's firmware, in TypeScript, at the device boundary (there is no /dev/uhid on the
 * test machine). It keeps the box's state, consumes output reports and feature requests exactly as
 * PROTOCOL.md says (malformed or unknown host reports are ignored and counted, as firmware would) and
 * emits input reports. Tests and the simulator act on it as a person would: a card in or out, the
 * button, the USB cable.
 *
 * Also here: the in-process link (`virtualBoxConnector`) that unit tests use in place of node-hid.
 */
import { EventEmitter } from 'node:events';
import { HidError } from './errors.ts';
import {
  decodeOutputReport,
  encodeButtonReport,
  encodeDeviceInfo,
  encodeStatusReport,
  PROTOCOL_VERSION,
  REPORT_ID,
  type DeviceInfo,
  type LedCommand,
  type SlotCount,
} from './protocol.ts';
import type { HidConnector, HidTransport } from './transport.ts';

export interface VirtualBoxOptions {
  slots?: SlotCount;
  /** Whether the box has latches (one per slot). Default true. */
  latch?: boolean;
  button?: boolean;
  led?: boolean;
  /** "major.minor.patch", default "1.0.0". */
  firmware?: string;
  /** Reported protocol version (tests of an unknown future firmware). Default PROTOCOL_VERSION. */
  protocolVersion?: number;
  /** Starts unplugged when false. Default true. */
  plugged?: boolean;
}

export interface VirtualBoxEvents {
  /** An input report leaves the device (to every attached host). */
  input: [report: Uint8Array];
  plugged: [];
  unplugged: [];
  /** Any state change: presence, latch, LED, plug, hosts. */
  changed: [];
}

const LED_OFF: LedCommand = { r: 0, g: 0, b: 0, pattern: 'off', periodMs: 0 };

function parseFirmware(s: string): DeviceInfo['firmware'] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (parts.length !== 3 || parts.some((n) => n > 255)) throw new HidError('invalid-argument', `firmware "${s}" is not major.minor.patch (0–255)`);
  return { major: parts[0]!, minor: parts[1]!, patch: parts[2]! };
}

export class VirtualBox extends EventEmitter<VirtualBoxEvents> {
  readonly info: DeviceInfo;
  private isPlugged: boolean;
  private presentMask = 0;
  private lockedMask = 0;
  private ledState: LedCommand = LED_OFF;
  private buttonHeld = false;
  private seq = 0;
  private hosts = 0;
  /** Host reports that did not parse (ignored). */
  malformedReports = 0;
  /** Host reports with an id the firmware does not know, or for a part it lacks (ignored). */
  ignoredReports = 0;

  constructor(opts: VirtualBoxOptions = {}) {
    super();
    this.info = {
      protocolVersion: opts.protocolVersion ?? PROTOCOL_VERSION,
      firmware: parseFirmware(opts.firmware ?? '1.0.0'),
      slots: opts.slots ?? 2,
      latch: opts.latch ?? true,
      button: opts.button ?? true,
      led: opts.led ?? true,
    };
    if (this.info.slots !== 1 && this.info.slots !== 2) throw new HidError('invalid-argument', 'a box has 1 or 2 slots');
    this.isPlugged = opts.plugged ?? true;
  }

  // ——— the physical side (tests, simulator) ———

  get plugged(): boolean {
    return this.isPlugged;
  }

  /** Hosts holding the device open. */
  get hostCount(): number {
    return this.hosts;
  }

  cardPresent(slot: 0 | 1): boolean {
    this.checkSlot(slot);
    return (this.presentMask & (1 << slot)) !== 0;
  }

  latched(slot: 0 | 1): boolean {
    this.checkSlot(slot);
    return (this.lockedMask & (1 << slot)) !== 0;
  }

  led(): LedCommand {
    return { ...this.ledState };
  }

  /** The card-present switch of a slot (a card pushed in or pulled out, latch or not). */
  setCardPresent(slot: 0 | 1, present: boolean): void {
    this.checkSlot(slot);
    const next = present ? this.presentMask | (1 << slot) : this.presentMask & ~(1 << slot);
    if (next === this.presentMask) return;
    this.presentMask = next;
    this.sendStatus();
    this.emit('changed');
  }

  /** A press and release of the button: status (held), button event, status (released). */
  pressButton(opts: { long?: boolean } = {}): void {
    if (!this.info.button) throw new HidError('invalid-argument', 'this box has no button');
    if (!this.isPlugged) return;
    this.buttonHeld = true;
    this.sendStatus();
    this.sendInput(encodeButtonReport({ long: opts.long === true, seq: this.nextSeq() }));
    this.buttonHeld = false;
    this.sendStatus();
  }

  /** The USB cable pulled: hosts lose the device; without power the latches open and the ring goes dark. */
  unplug(): void {
    if (!this.isPlugged) return;
    this.isPlugged = false;
    this.powerReset();
    this.emit('unplugged');
    this.emit('changed');
  }

  plug(): void {
    if (this.isPlugged) return;
    this.isPlugged = true;
    this.seq = 0;
    this.emit('plugged');
    this.emit('changed');
  }

  /** A firmware bug or a hostile device: sends raw bytes as an input report. */
  injectInput(report: Uint8Array): void {
    if (this.isPlugged) this.sendInput(report);
  }

  // ——— the USB side (transports) ———

  /** A host opens the device. Returns the function that closes it. */
  attachHost(): () => void {
    if (!this.isPlugged) throw new HidError('transport-closed', 'the box is unplugged');
    this.hosts++;
    this.emit('changed');
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.hosts--;
      // Fail-safe: with no host left, no card stays locked in and the ring stops claiming a state.
      if (this.hosts === 0 && this.isPlugged) this.powerReset();
      this.emit('changed');
    };
  }

  /** An output report from a host. Never throws: a bad report is counted and ignored. */
  receiveOutput(report: Uint8Array): void {
    if (!this.isPlugged) return;
    let r;
    try {
      r = decodeOutputReport(report, this.info.slots);
    } catch {
      this.malformedReports++;
      return;
    }
    switch (r.type) {
      case 'unknown':
        this.ignoredReports++;
        return;
      case 'status-request':
        this.sendStatus();
        return;
      case 'led':
        if (!this.info.led) {
          this.ignoredReports++;
          return;
        }
        this.ledState = { r: r.r, g: r.g, b: r.b, pattern: r.pattern, periodMs: r.periodMs };
        this.emit('changed');
        return;
      case 'latch': {
        if (!this.info.latch) {
          this.ignoredReports++;
          return;
        }
        const next = (this.lockedMask & ~r.mask) | r.locked;
        if (next === this.lockedMask) {
          this.sendStatus(); // the host learns the (unchanged) state all the same
          return;
        }
        this.lockedMask = next;
        this.sendStatus();
        this.emit('changed');
        return;
      }
    }
  }

  /** A feature report request. Throws `feature-unsupported` (a STALL) for ids the box lacks. */
  readFeature(reportId: number): Uint8Array {
    if (!this.isPlugged) throw new HidError('transport-closed', 'the box is unplugged');
    if (reportId === REPORT_ID.DEVICE_INFO) return encodeDeviceInfo(this.info);
    throw new HidError('feature-unsupported', `no feature report 0x${reportId.toString(16)}`);
  }

  private powerReset(): void {
    this.lockedMask = 0;
    this.ledState = LED_OFF;
    this.buttonHeld = false;
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    return s;
  }

  private sendStatus(): void {
    if (!this.isPlugged) return;
    this.sendInput(encodeStatusReport({ presentMask: this.presentMask, lockedMask: this.lockedMask, buttonHeld: this.buttonHeld, seq: this.nextSeq() }));
  }

  private sendInput(report: Uint8Array): void {
    this.emit('input', report);
  }

  private checkSlot(slot: number): void {
    if (slot !== 0 && slot !== 1) throw new HidError('invalid-argument', `slot must be 0 or 1, got ${slot}`);
    if (slot >= this.info.slots) throw new HidError('invalid-argument', `this box has ${this.info.slots} slot(s)`);
  }
}

/**
 * The in-process link: what node-hid would be to a USB box. Reports cross asynchronously, in order,
 * as over USB; the device unplugged closes the link.
 */
class InProcessTransport implements HidTransport {
  readonly kind = 'in-process' as const;
  private reportListener: ((r: Uint8Array) => void) | null = null;
  private closeListener: ((e: HidError | null) => void) | null = null;
  private readonly early: Uint8Array[] = [];
  private closed = false;
  private readonly detach: () => void;
  private readonly onInput = (report: Uint8Array) => {
    const copy = Uint8Array.from(report);
    setImmediate(() => {
      if (this.closed) return;
      if (this.reportListener) this.reportListener(copy);
      else this.early.push(copy);
    });
  };
  private readonly onUnplug = () => {
    if (this.closed) return;
    this.shutdown();
    setImmediate(() => this.closeListener?.(null));
  };

  constructor(private readonly box: VirtualBox) {
    this.detach = box.attachHost();
    box.on('input', this.onInput);
    box.on('unplugged', this.onUnplug);
  }

  onReport(listener: (report: Uint8Array) => void): void {
    this.reportListener = listener;
    for (const r of this.early.splice(0)) listener(r);
  }

  onClose(listener: (error: HidError | null) => void): void {
    this.closeListener = listener;
  }

  write(report: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new HidError('transport-closed', 'the virtual box is gone'));
    const copy = Uint8Array.from(report);
    return new Promise((resolve) =>
      setImmediate(() => {
        if (!this.closed) this.box.receiveOutput(copy);
        resolve();
      }),
    );
  }

  getFeature(reportId: number, _length: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        if (this.closed) return reject(new HidError('transport-closed', 'the virtual box is gone'));
        try {
          resolve(this.box.readFeature(reportId));
        } catch (e) {
          reject(e);
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.box.off('input', this.onInput);
    this.box.off('unplugged', this.onUnplug);
    this.detach();
  }
}

/** Connects a `CardBox` to a `VirtualBox` in the same process (unit tests). */
export function virtualBoxConnector(box: VirtualBox): HidConnector {
  return {
    kind: 'in-process',
    description: 'in-process virtual box',
    async connect(): Promise<HidTransport | null> {
      return box.plugged ? new InProcessTransport(box) : null;
    },
  };
}
