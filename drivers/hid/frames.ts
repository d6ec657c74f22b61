/**
 * Framing of HID reports over the loopback TCP link to the virtual box (PROTOCOL.md, "Loopback
 * transport"): 1-byte kind, 2-byte big-endian length, then the report. A frame is checked as soon as
 * its header arrives, so a peer cannot make us buffer more than one frame.
 */
import { HidError } from './errors.ts';
import { MAX_REPORT_BYTES } from './protocol.ts';

export const FRAME = {
  /** host → box: an output report */
  OUTPUT: 0x01,
  /** host → box: get a feature report; payload = [report id] */
  GET_FEATURE: 0x02,
  /** box → host: an input report */
  INPUT: 0x81,
  /** box → host: the feature report asked for (answers come in request order) */
  FEATURE: 0x82,
  /** box → host: no such feature report (USB STALL); payload = [report id] */
  FEATURE_STALL: 0x83,
} as const;

export const HOST_FRAMES: ReadonlySet<number> = new Set([FRAME.OUTPUT, FRAME.GET_FEATURE]);
export const BOX_FRAMES: ReadonlySet<number> = new Set([FRAME.INPUT, FRAME.FEATURE, FRAME.FEATURE_STALL]);

const HEADER = 3;
const ONE_BYTE_KINDS: ReadonlySet<number> = new Set([FRAME.GET_FEATURE, FRAME.FEATURE_STALL]);

export interface Frame {
  kind: number;
  payload: Uint8Array;
}

export function encodeFrame(kind: number, payload: Uint8Array): Buffer {
  if (payload.length < 1 || payload.length > MAX_REPORT_BYTES) throw new HidError('invalid-argument', `frame payload of ${payload.length} bytes`);
  const b = Buffer.alloc(HEADER + payload.length);
  b[0] = kind;
  b.writeUInt16BE(payload.length, 1);
  b.set(payload, HEADER);
  return b;
}

/** Splits a byte stream into frames of the allowed kinds; throws `bad-frame` on the first violation. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly allowed: ReadonlySet<number>) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= HEADER) {
      const kind = this.buf[0]!;
      const length = this.buf.readUInt16BE(1);
      if (!this.allowed.has(kind)) throw new HidError('bad-frame', `unexpected frame kind 0x${kind.toString(16).padStart(2, '0')}`);
      if (length < 1 || length > MAX_REPORT_BYTES) throw new HidError('bad-frame', `frame length ${length} outside 1–${MAX_REPORT_BYTES}`);
      if (ONE_BYTE_KINDS.has(kind) && length !== 1) throw new HidError('bad-frame', `frame kind 0x${kind.toString(16)} carries 1 byte, not ${length}`);
      if (this.buf.length < HEADER + length) break;
      frames.push({ kind, payload: new Uint8Array(this.buf.subarray(HEADER, HEADER + length)) });
      this.buf = this.buf.subarray(HEADER + length);
    }
    return frames;
  }
}
