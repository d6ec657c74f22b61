/**
 * The card-holder box's HID reports (drivers/hid/PROTOCOL.md): constants, encoders and validating
 * decoders for both sides. Every report here is the full report as hidapi sees it: byte 0 is the
 * report id, then the payload. Decoders throw `HidError('malformed-report')`, never anything else, and
 * return `{ type: 'unknown' }` for report ids they do not know (a newer firmware may add reports).
 */
import { HidError } from './errors.ts';

/** pid.codes' open-source vendor id. The product id is a placeholder until one is allocated. */
export const BOX_VENDOR_ID = 0x1209;
export const BOX_PRODUCT_ID = 0x0001;
/** Vendor-defined usage page of the box's top-level collection. */
export const BOX_USAGE_PAGE = 0xff00;

export const PROTOCOL_VERSION = 1;
/** "FB": first two payload bytes of the device-info feature report. */
export const BOX_MAGIC = [0x46, 0x42] as const;
/** Full-speed interrupt endpoints carry at most 64 bytes: nothing longer is a report of ours. */
export const MAX_REPORT_BYTES = 64;

export const REPORT_ID = {
  /** input: presence, latch, button, sequence */
  STATUS: 0x01,
  /** input: a button press */
  BUTTON: 0x02,
  /** output: LED ring colour and pattern */
  LED: 0x10,
  /** output: lock / unlock slots */
  LATCH: 0x11,
  /** output: ask for a STATUS input report */
  STATUS_REQUEST: 0x12,
  /** feature (get): protocol version, firmware, capabilities */
  DEVICE_INFO: 0x20,
} as const;

/** Length of each report including its id byte. Longer reports are accepted (padding), shorter are not. */
export const REPORT_LENGTH: Readonly<Record<number, number>> = {
  [REPORT_ID.STATUS]: 5,
  [REPORT_ID.BUTTON]: 3,
  [REPORT_ID.LED]: 7,
  [REPORT_ID.LATCH]: 3,
  [REPORT_ID.STATUS_REQUEST]: 2,
  [REPORT_ID.DEVICE_INFO]: 9,
};

export const LED_PATTERNS = ['off', 'steady', 'blink', 'breathe', 'spin'] as const;
export type LedPattern = (typeof LED_PATTERNS)[number];
/** Period bounds of the animated patterns (blink, breathe, spin), in ms. */
export const LED_PERIOD_MIN_MS = 100;
export const LED_PERIOD_MAX_MS = 10_000;

export const CAPABILITY = { LATCH: 0x01, BUTTON: 0x02, LED: 0x04 } as const;
const STATUS_FLAG_BUTTON_HELD = 0x01;
const BUTTON_SHORT = 0x01;
const BUTTON_LONG = 0x02;

export type SlotCount = 1 | 2;

export interface LedCommand {
  r: number;
  g: number;
  b: number;
  pattern: LedPattern;
  /** Full cycle of an animated pattern; 0 for off and steady. */
  periodMs: number;
}

export interface DeviceInfo {
  protocolVersion: number;
  firmware: { major: number; minor: number; patch: number };
  slots: SlotCount;
  latch: boolean;
  button: boolean;
  led: boolean;
}

export interface StatusReport {
  type: 'status';
  /** Bit n = a card is in slot n. */
  presentMask: number;
  /** Bit n = slot n's latch is locked. */
  lockedMask: number;
  buttonHeld: boolean;
  seq: number;
}

export interface ButtonReport {
  type: 'button';
  long: boolean;
  seq: number;
}

export interface UnknownReport {
  type: 'unknown';
  reportId: number;
}

export type InputReport = StatusReport | ButtonReport | UnknownReport;

export interface LatchCommand {
  /** Slots this command changes (bit n = slot n). */
  mask: number;
  /** New state of those slots (bit n = locked); bits outside `mask` are 0. */
  locked: number;
}

export type OutputReport =
  | ({ type: 'led' } & LedCommand)
  | ({ type: 'latch' } & LatchCommand)
  | { type: 'status-request' }
  | UnknownReport;

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function malformed(reportId: number | undefined, why: string): HidError {
  return new HidError('malformed-report', `report ${reportId === undefined ? '(empty)' : hex(reportId)}: ${why}`);
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/** Checks the envelope every report shares; returns the id, or throws. */
function checkEnvelope(report: Uint8Array): number {
  if (!(report instanceof Uint8Array)) throw malformed(undefined, 'not a byte array');
  if (report.length === 0) throw malformed(undefined, 'empty report');
  const id = report[0]!;
  if (report.length > MAX_REPORT_BYTES) throw malformed(id, `${report.length} bytes, more than ${MAX_REPORT_BYTES}`);
  const need = REPORT_LENGTH[id];
  if (need !== undefined && report.length < need) throw malformed(id, `${report.length} bytes, expected ${need}`);
  return id;
}

function slotMask(slots: SlotCount): number {
  return (1 << slots) - 1;
}

function checkSlots(slots: number): asserts slots is SlotCount {
  if (slots !== 1 && slots !== 2) throw new HidError('invalid-argument', `slot count must be 1 or 2, got ${slots}`);
}

// ——— input reports (device → host) ———

export function encodeStatusReport(s: Omit<StatusReport, 'type'>): Uint8Array {
  if (!isByte(s.presentMask) || !isByte(s.lockedMask) || !isByte(s.seq)) throw new HidError('invalid-argument', 'status fields are bytes');
  return Uint8Array.of(REPORT_ID.STATUS, s.presentMask, s.lockedMask, s.buttonHeld ? STATUS_FLAG_BUTTON_HELD : 0, s.seq);
}

export function encodeButtonReport(b: Omit<ButtonReport, 'type'>): Uint8Array {
  if (!isByte(b.seq)) throw new HidError('invalid-argument', 'seq is a byte');
  return Uint8Array.of(REPORT_ID.BUTTON, b.long ? BUTTON_LONG : BUTTON_SHORT, b.seq);
}

/**
 * Decodes an input report for a box with `slots` slots. Presence or latch bits for slots the box does
 * not have make the report malformed; reserved flag bits are ignored.
 */
export function decodeInputReport(report: Uint8Array, slots: SlotCount): InputReport {
  checkSlots(slots);
  const id = checkEnvelope(report);
  switch (id) {
    case REPORT_ID.STATUS: {
      const presentMask = report[1]!;
      const lockedMask = report[2]!;
      const outside = ~slotMask(slots) & 0xff;
      if (presentMask & outside) throw malformed(id, `presence bits ${hex(presentMask)} name a slot the box does not have`);
      if (lockedMask & outside) throw malformed(id, `latch bits ${hex(lockedMask)} name a slot the box does not have`);
      return { type: 'status', presentMask, lockedMask, buttonHeld: (report[3]! & STATUS_FLAG_BUTTON_HELD) !== 0, seq: report[4]! };
    }
    case REPORT_ID.BUTTON: {
      const kind = report[1]!;
      if (kind !== BUTTON_SHORT && kind !== BUTTON_LONG) throw malformed(id, `unknown button event ${hex(kind)}`);
      return { type: 'button', long: kind === BUTTON_LONG, seq: report[2]! };
    }
    case REPORT_ID.LED:
    case REPORT_ID.LATCH:
    case REPORT_ID.STATUS_REQUEST:
    case REPORT_ID.DEVICE_INFO:
      // Ids of other directions arriving as input: the device is confused, not newer.
      throw malformed(id, 'not an input report');
    default:
      return { type: 'unknown', reportId: id };
  }
}

// ——— output reports (host → device) ———

export function checkLedCommand(c: LedCommand): void {
  for (const [k, v] of [['r', c.r], ['g', c.g], ['b', c.b]] as const) {
    if (!isByte(v)) throw new HidError('invalid-argument', `LED ${k} must be 0–255, got ${v}`);
  }
  if (!LED_PATTERNS.includes(c.pattern)) throw new HidError('invalid-argument', `unknown LED pattern ${String(c.pattern)}`);
  const animated = c.pattern === 'blink' || c.pattern === 'breathe' || c.pattern === 'spin';
  if (animated && !(Number.isInteger(c.periodMs) && c.periodMs >= LED_PERIOD_MIN_MS && c.periodMs <= LED_PERIOD_MAX_MS)) {
    throw new HidError('invalid-argument', `LED period must be ${LED_PERIOD_MIN_MS}–${LED_PERIOD_MAX_MS} ms for ${c.pattern}, got ${c.periodMs}`);
  }
}

export function encodeLedReport(c: LedCommand): Uint8Array {
  checkLedCommand(c);
  const animated = c.pattern !== 'off' && c.pattern !== 'steady';
  const period = animated ? c.periodMs : 0;
  return Uint8Array.of(REPORT_ID.LED, c.r, c.g, c.b, LED_PATTERNS.indexOf(c.pattern), period & 0xff, period >> 8);
}

export function encodeLatchReport(c: LatchCommand, slots: SlotCount): Uint8Array {
  checkSlots(slots);
  const all = slotMask(slots);
  if (!isByte(c.mask) || c.mask === 0 || c.mask & ~all) throw new HidError('invalid-argument', `latch mask ${c.mask} does not fit ${slots} slot(s)`);
  if (!isByte(c.locked) || c.locked & ~c.mask) throw new HidError('invalid-argument', `latch state ${c.locked} outside mask ${c.mask}`);
  return Uint8Array.of(REPORT_ID.LATCH, c.mask, c.locked);
}

export function encodeStatusRequest(): Uint8Array {
  return Uint8Array.of(REPORT_ID.STATUS_REQUEST, 0);
}

/** Decodes an output report as the firmware does (for a box with `slots` slots). */
export function decodeOutputReport(report: Uint8Array, slots: SlotCount): OutputReport {
  checkSlots(slots);
  const id = checkEnvelope(report);
  switch (id) {
    case REPORT_ID.LED: {
      const patternCode = report[4]!;
      const pattern = LED_PATTERNS[patternCode];
      if (pattern === undefined) throw malformed(id, `unknown LED pattern ${patternCode}`);
      const periodMs = report[5]! | (report[6]! << 8);
      const animated = pattern !== 'off' && pattern !== 'steady';
      if (animated && (periodMs < LED_PERIOD_MIN_MS || periodMs > LED_PERIOD_MAX_MS)) throw malformed(id, `LED period ${periodMs} ms out of range`);
      // Off and steady ignore the period (sent as 0); off ignores the colour too.
      const off = pattern === 'off';
      return { type: 'led', r: off ? 0 : report[1]!, g: off ? 0 : report[2]!, b: off ? 0 : report[3]!, pattern, periodMs: animated ? periodMs : 0 };
    }
    case REPORT_ID.LATCH: {
      const mask = report[1]!;
      const locked = report[2]!;
      const all = slotMask(slots);
      if (mask === 0 || mask & ~all) throw malformed(id, `latch mask ${hex(mask)} does not fit ${slots} slot(s)`);
      if (locked & ~mask) throw malformed(id, `latch state ${hex(locked)} outside mask ${hex(mask)}`);
      return { type: 'latch', mask, locked };
    }
    case REPORT_ID.STATUS_REQUEST:
      return { type: 'status-request' };
    case REPORT_ID.STATUS:
    case REPORT_ID.BUTTON:
    case REPORT_ID.DEVICE_INFO:
      throw malformed(id, 'not an output report');
    default:
      return { type: 'unknown', reportId: id };
  }
}

// ——— feature report ———

export function encodeDeviceInfo(info: DeviceInfo): Uint8Array {
  const { major, minor, patch } = info.firmware;
  if (![info.protocolVersion, major, minor, patch].every(isByte)) throw new HidError('invalid-argument', 'version numbers are bytes');
  checkSlots(info.slots);
  const caps = (info.latch ? CAPABILITY.LATCH : 0) | (info.button ? CAPABILITY.BUTTON : 0) | (info.led ? CAPABILITY.LED : 0);
  return Uint8Array.of(REPORT_ID.DEVICE_INFO, BOX_MAGIC[0], BOX_MAGIC[1], info.protocolVersion, major, minor, patch, info.slots, caps);
}

/**
 * Decodes the device-info feature report. `not-a-box` when the magic is missing (another device on
 * our placeholder ids), `unsupported-protocol` for a version this host does not speak.
 */
export function decodeDeviceInfo(report: Uint8Array): DeviceInfo {
  const id = checkEnvelope(report);
  if (id !== REPORT_ID.DEVICE_INFO) throw malformed(id, `expected the device-info feature report ${hex(REPORT_ID.DEVICE_INFO)}`);
  if (report[1] !== BOX_MAGIC[0] || report[2] !== BOX_MAGIC[1]) {
    throw new HidError('not-a-box', 'the device-info report lacks the box magic "FB": not a card-holder box');
  }
  const protocolVersion = report[3]!;
  if (protocolVersion !== PROTOCOL_VERSION) {
    throw new HidError('unsupported-protocol', `box protocol version ${protocolVersion}, this host speaks ${PROTOCOL_VERSION}`);
  }
  const slots = report[7]!;
  if (slots !== 1 && slots !== 2) throw malformed(id, `slot count ${slots}, expected 1 or 2`);
  const caps = report[8]!;
  return {
    protocolVersion,
    firmware: { major: report[4]!, minor: report[5]!, patch: report[6]! },
    slots,
    latch: (caps & CAPABILITY.LATCH) !== 0,
    button: (caps & CAPABILITY.BUTTON) !== 0,
    led: (caps & CAPABILITY.LED) !== 0,
  };
}

export function firmwareString(f: DeviceInfo['firmware']): string {
  return `${f.major}.${f.minor}.${f.patch}`;
}

export function reportHex(report: Uint8Array): string {
  return Buffer.from(report.buffer, report.byteOffset, report.byteLength).toString('hex');
}
