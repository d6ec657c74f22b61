/** The box's report codec: round trips, every malformed shape refused with a typed error, unknown ids passed over. */
import { describe, expect, it } from 'vitest';
import { HidError, isHidError } from './errors.ts';
import { FRAME, FrameDecoder, HOST_FRAMES, BOX_FRAMES, encodeFrame } from './frames.ts';
import { INDICATOR_LED, INDICATORS, indicatorOf } from './indicators.ts';
import {
  BOX_MAGIC,
  decodeDeviceInfo,
  decodeInputReport,
  decodeOutputReport,
  encodeButtonReport,
  encodeDeviceInfo,
  encodeLatchReport,
  encodeLedReport,
  encodeStatusReport,
  encodeStatusRequest,
  PROTOCOL_VERSION,
  REPORT_ID,
  REPORT_LENGTH,
  type DeviceInfo,
  type LedCommand,
} from './protocol.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof HidError) return e.code;
    throw new Error(`not a HidError: ${String(e)}`, { cause: e });
  }
  throw new Error('did not throw');
}

describe('input reports', () => {
  it('status round-trips for every presence and latch combination of a two-slot box', () => {
    for (let present = 0; present < 4; present++) {
      for (let locked = 0; locked < 4; locked++) {
        for (const buttonHeld of [false, true]) {
          const s = { presentMask: present, lockedMask: locked, buttonHeld, seq: (present * 37 + locked * 11) & 0xff };
          const r = encodeStatusReport(s);
          expect(r.length).toBe(REPORT_LENGTH[REPORT_ID.STATUS]);
          expect(decodeInputReport(r, 2)).toEqual({ type: 'status', ...s });
        }
      }
    }
  });

  it('button round-trips (short and long)', () => {
    expect(decodeInputReport(encodeButtonReport({ long: false, seq: 255 }), 1)).toEqual({ type: 'button', long: false, seq: 255 });
    expect(decodeInputReport(encodeButtonReport({ long: true, seq: 0 }), 2)).toEqual({ type: 'button', long: true, seq: 0 });
  });

  it('ignores reserved flag bits and trailing padding (Windows pads to the longest report)', () => {
    const padded = new Uint8Array(64);
    padded.set([REPORT_ID.STATUS, 0x01, 0x00, 0xfe, 7]);
    expect(decodeInputReport(padded, 2)).toEqual({ type: 'status', presentMask: 1, lockedMask: 0, buttonHeld: false, seq: 7 });
  });

  it('passes unknown report ids over without error', () => {
    expect(decodeInputReport(bytes(0x03, 1, 2, 3), 2)).toEqual({ type: 'unknown', reportId: 0x03 });
    expect(decodeInputReport(bytes(0x7f), 1)).toEqual({ type: 'unknown', reportId: 0x7f });
  });

  it.each<[string, Uint8Array, 1 | 2]>([
    ['empty report', bytes(), 2],
    ['short status', bytes(REPORT_ID.STATUS, 1, 0, 0), 2],
    ['status with presence of a missing slot', bytes(REPORT_ID.STATUS, 0x02, 0, 0, 1), 1],
    ['status with presence bit 7', bytes(REPORT_ID.STATUS, 0x80, 0, 0, 1), 2],
    ['status with a latch of a missing slot', bytes(REPORT_ID.STATUS, 0, 0x04, 0, 1), 2],
    ['short button', bytes(REPORT_ID.BUTTON, 1), 2],
    ['unknown button event', bytes(REPORT_ID.BUTTON, 9, 1), 2],
    ['button event 0', bytes(REPORT_ID.BUTTON, 0, 1), 2],
    ['output id as input', encodeLedReport(INDICATOR_LED.ok), 2],
    ['feature id as input', new Uint8Array(9).fill(REPORT_ID.DEVICE_INFO, 0, 1), 2],
    ['oversized report', new Uint8Array(65).fill(REPORT_ID.STATUS, 0, 1), 2],
  ])('refuses %s with malformed-report', (_name, report, slots) => {
    expect(codeOf(() => decodeInputReport(report, slots))).toBe('malformed-report');
  });

  it('refuses a non-byte-array and an impossible slot count with typed errors', () => {
    expect(codeOf(() => decodeInputReport([1, 2, 3] as unknown as Uint8Array, 2))).toBe('malformed-report');
    expect(codeOf(() => decodeInputReport(bytes(1, 0, 0, 0, 0), 3 as 2))).toBe('invalid-argument');
  });
});

describe('output reports', () => {
  it('LED commands round-trip for every indicator', () => {
    for (const name of INDICATORS) {
      const c = INDICATOR_LED[name];
      const r = encodeLedReport(c);
      expect(r.length).toBe(REPORT_LENGTH[REPORT_ID.LED]);
      const d = decodeOutputReport(r, 2);
      expect(d).toEqual({ type: 'led', ...c });
      expect(indicatorOf(c)).toBe(name);
    }
  });

  it('LED period is little-endian and ignored for off / steady', () => {
    expect([...encodeLedReport({ r: 1, g: 2, b: 3, pattern: 'breathe', periodMs: 0x1234 })]).toEqual([0x10, 1, 2, 3, 3, 0x34, 0x12]);
    expect([...encodeLedReport({ r: 1, g: 2, b: 3, pattern: 'steady', periodMs: 999 })]).toEqual([0x10, 1, 2, 3, 1, 0, 0]);
    // A firmware ignores period (and colour for off) where the pattern has none.
    expect(decodeOutputReport(bytes(0x10, 9, 9, 9, 0, 0xff, 0xff), 2)).toEqual({ type: 'led', r: 0, g: 0, b: 0, pattern: 'off', periodMs: 0 });
    expect(indicatorOf({ r: 9, g: 9, b: 9, pattern: 'off', periodMs: 0 })).toBe('off');
    expect(indicatorOf({ r: 1, g: 2, b: 3, pattern: 'spin', periodMs: 700 })).toBeNull();
  });

  it('latch and status request round-trip', () => {
    expect(decodeOutputReport(encodeLatchReport({ mask: 0b01, locked: 0b01 }, 2), 2)).toEqual({ type: 'latch', mask: 1, locked: 1 });
    expect(decodeOutputReport(encodeLatchReport({ mask: 0b11, locked: 0b10 }, 2), 2)).toEqual({ type: 'latch', mask: 3, locked: 2 });
    expect(decodeOutputReport(encodeStatusRequest(), 1)).toEqual({ type: 'status-request' });
    expect(decodeOutputReport(bytes(0x12, 0xaa), 1)).toEqual({ type: 'status-request' }); // reserved byte ignored
    expect(decodeOutputReport(bytes(0x44, 1), 2)).toEqual({ type: 'unknown', reportId: 0x44 });
  });

  it.each<[string, Uint8Array, 1 | 2]>([
    ['empty', bytes(), 2],
    ['short LED', bytes(0x10, 1, 2, 3, 1, 0), 2],
    ['unknown LED pattern', bytes(0x10, 1, 2, 3, 5, 0, 0), 2],
    ['blink period too short', bytes(0x10, 1, 2, 3, 2, 99, 0), 2],
    ['spin period too long', bytes(0x10, 1, 2, 3, 4, 0x11, 0x27), 2],
    ['latch mask 0', bytes(0x11, 0, 0), 2],
    ['latch of a missing slot', bytes(0x11, 0x02, 0x02), 1],
    ['latch state outside the mask', bytes(0x11, 0x01, 0x03), 2],
    ['short latch', bytes(0x11, 1), 2],
    ['short status request', bytes(0x12), 2],
    ['input id as output', encodeStatusReport({ presentMask: 0, lockedMask: 0, buttonHeld: false, seq: 0 }), 2],
  ])('the firmware refuses %s with malformed-report', (_name, report, slots) => {
    expect(codeOf(() => decodeOutputReport(report, slots))).toBe('malformed-report');
  });

  it.each<[string, () => unknown]>([
    ['colour out of range', () => encodeLedReport({ r: 256, g: 0, b: 0, pattern: 'steady', periodMs: 0 })],
    ['fractional colour', () => encodeLedReport({ r: 1.5, g: 0, b: 0, pattern: 'steady', periodMs: 0 })],
    ['unknown pattern', () => encodeLedReport({ r: 0, g: 0, b: 0, pattern: 'strobe' as LedCommand['pattern'], periodMs: 100 })],
    ['animated without period', () => encodeLedReport({ r: 0, g: 0, b: 0, pattern: 'blink', periodMs: 0 })],
    ['latch mask for a missing slot', () => encodeLatchReport({ mask: 2, locked: 2 }, 1)],
    ['latch state outside mask', () => encodeLatchReport({ mask: 1, locked: 2 }, 2)],
    ['status seq beyond a byte', () => encodeStatusReport({ presentMask: 0, lockedMask: 0, buttonHeld: false, seq: 256 })],
  ])('the host refuses to encode %s (invalid-argument)', (_name, f) => {
    expect(codeOf(f)).toBe('invalid-argument');
  });
});

describe('device info feature report', () => {
  const info: DeviceInfo = { protocolVersion: PROTOCOL_VERSION, firmware: { major: 2, minor: 10, patch: 255 }, slots: 2, latch: true, button: false, led: true };

  it('round-trips and starts with the magic, never with its own id', () => {
    const r = encodeDeviceInfo(info);
    expect(r.length).toBe(REPORT_LENGTH[REPORT_ID.DEVICE_INFO]);
    expect([r[1], r[2]]).toEqual([...BOX_MAGIC]);
    expect(r[1]).not.toBe(REPORT_ID.DEVICE_INFO);
    expect(decodeDeviceInfo(r)).toEqual(info);
    expect(decodeDeviceInfo(encodeDeviceInfo({ ...info, slots: 1, latch: false, button: true, led: false }))).toEqual({ ...info, slots: 1, latch: false, button: true, led: false });
  });

  it('ignores reserved capability bits', () => {
    const r = encodeDeviceInfo(info);
    r[8] = r[8]! | 0xf0;
    expect(decodeDeviceInfo(r)).toEqual(info);
  });

  it.each<[string, (r: Uint8Array) => Uint8Array, string]>([
    ['no magic (another device on the same ids)', (r) => Uint8Array.from([...r.subarray(0, 1), 0, 0, ...r.subarray(3)]), 'not-a-box'],
    ['a future protocol version', (r) => Uint8Array.from(r, (b, i) => (i === 3 ? 2 : b)), 'unsupported-protocol'],
    ['zero slots', (r) => Uint8Array.from(r, (b, i) => (i === 7 ? 0 : b)), 'malformed-report'],
    ['three slots', (r) => Uint8Array.from(r, (b, i) => (i === 7 ? 3 : b)), 'malformed-report'],
    ['truncated', (r) => r.subarray(0, 8), 'malformed-report'],
    ['another report id', (r) => Uint8Array.from(r, (b, i) => (i === 0 ? 0x21 : b)), 'malformed-report'],
  ])('refuses %s', (_name, mutate, code) => {
    const e = (() => {
      try {
        decodeDeviceInfo(mutate(encodeDeviceInfo(info)));
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(isHidError(e, code as HidError['code'])).toBe(true);
  });
});

describe('loopback framing', () => {
  it('splits a stream cut at any byte into the same frames', () => {
    const stream = Buffer.concat([
      encodeFrame(FRAME.INPUT, encodeStatusReport({ presentMask: 1, lockedMask: 0, buttonHeld: false, seq: 1 })),
      encodeFrame(FRAME.FEATURE, encodeDeviceInfo({ protocolVersion: 1, firmware: { major: 1, minor: 0, patch: 0 }, slots: 2, latch: true, button: true, led: true })),
      encodeFrame(FRAME.FEATURE_STALL, bytes(0x21)),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(BOX_FRAMES);
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames.map((f) => f.kind)).toEqual([FRAME.INPUT, FRAME.FEATURE, FRAME.FEATURE_STALL]);
      expect(frames[2]!.payload).toEqual(bytes(0x21));
    }
  });

  it.each<[string, ReadonlySet<number>, number[]]>([
    ['unknown kind', BOX_FRAMES, [0x42, 0, 1, 1]],
    ['a host kind sent by the box', BOX_FRAMES, [FRAME.OUTPUT, 0, 1, 1]],
    ['a box kind sent by the host', HOST_FRAMES, [FRAME.INPUT, 0, 1, 1]],
    ['zero length', HOST_FRAMES, [FRAME.OUTPUT, 0, 0]],
    ['length above 64 (refused before the payload arrives)', HOST_FRAMES, [FRAME.OUTPUT, 0xff, 0xff]],
    ['a feature request of 2 bytes', HOST_FRAMES, [FRAME.GET_FEATURE, 0, 2, 0x20, 0]],
  ])('refuses %s with bad-frame', (_name, allowed, raw) => {
    expect(codeOf(() => new FrameDecoder(allowed).push(Buffer.from(raw)))).toBe('bad-frame');
  });
});
