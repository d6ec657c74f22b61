/**
 * ISO 7816-4 APDU codec: command APDUs (cases 1-4, short and extended length) and response APDUs.
 * Used by the PC/SC client (encode commands, parse responses) and by the virtual card (the reverse).
 */
import { PcscError } from './errors.ts';

export { SW, statusWordName } from './status-words.ts';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data field (Nc bytes). Absent or empty: no Lc field. */
  data?: Uint8Array | undefined;
  /** Ne, the maximum number of response bytes expected (1..65536). Absent or 0: no Le field. */
  ne?: number | undefined;
  /** Force the extended length form even when short would do. */
  extended?: boolean | undefined;
}

/** A parsed command APDU (card side). `ne` is 0 when the command has no Le field. */
export interface ParsedCommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  ne: number;
  extended: boolean;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
  sw1: number;
  sw2: number;
}

export class ApduFormatError extends Error {
  readonly code = 'invalid-apdu';
  constructor(message: string) {
    super(message);
    this.name = 'ApduFormatError';
  }
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new PcscError('invalid-argument', `${name} must be a byte, got ${v}`);
}

/** Encodes a command APDU, choosing the short form when it fits (or when not forced to extended). */
export function encodeCommandApdu(cmd: CommandApdu): Uint8Array {
  checkByte('CLA', cmd.cla);
  checkByte('INS', cmd.ins);
  checkByte('P1', cmd.p1);
  checkByte('P2', cmd.p2);
  const data = cmd.data ?? new Uint8Array(0);
  const ne = cmd.ne ?? 0;
  if (data.length > 0xffff) throw new PcscError('invalid-argument', `command data too long (${data.length} bytes)`);
  if (!Number.isInteger(ne) || ne < 0 || ne > 0x10000) throw new PcscError('invalid-argument', `Ne out of range: ${ne}`);
  const extended = cmd.extended === true || data.length > 0xff || ne > 0x100;
  const header = [cmd.cla, cmd.ins, cmd.p1, cmd.p2];
  const out: number[] = [...header];
  if (!extended) {
    if (data.length > 0) out.push(data.length, ...data);
    if (ne > 0) out.push(ne === 0x100 ? 0 : ne);
    return Uint8Array.from(out);
  }
  if (data.length > 0) {
    out.push(0, data.length >> 8, data.length & 0xff);
    const bytes = new Uint8Array(out.length + data.length + (ne > 0 ? 2 : 0));
    bytes.set(out, 0);
    bytes.set(data, out.length);
    if (ne > 0) {
      const le = ne === 0x10000 ? 0 : ne;
      bytes[bytes.length - 2] = le >> 8;
      bytes[bytes.length - 1] = le & 0xff;
    }
    return bytes;
  }
  if (ne > 0) {
    const le = ne === 0x10000 ? 0 : ne;
    out.push(0, le >> 8, le & 0xff);
  }
  return Uint8Array.from(out);
}

/** Parses a command APDU (ISO 7816-3 §12.1 cases); throws ApduFormatError when the lengths are inconsistent. */
export function parseCommandApdu(bytes: Uint8Array): ParsedCommandApdu {
  if (bytes.length < 4) throw new ApduFormatError(`APDU too short (${bytes.length} bytes)`);
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const base = { cla, ins, p1, p2 };
  const empty = new Uint8Array(0);
  const n = bytes.length;
  if (n === 4) return { ...base, data: empty, ne: 0, extended: false };
  const b4 = bytes[4]!;
  if (n === 5) return { ...base, data: empty, ne: b4 === 0 ? 0x100 : b4, extended: false };
  if (b4 !== 0) {
    const lc = b4;
    if (n === 5 + lc) return { ...base, data: bytes.slice(5, 5 + lc), ne: 0, extended: false };
    if (n === 6 + lc) {
      const le = bytes[n - 1]!;
      return { ...base, data: bytes.slice(5, 5 + lc), ne: le === 0 ? 0x100 : le, extended: false };
    }
    throw new ApduFormatError(`short Lc=${lc} does not match APDU length ${n}`);
  }
  // b4 == 0 with more bytes: extended length.
  if (n < 7) throw new ApduFormatError(`malformed extended APDU (${n} bytes)`);
  const l = (bytes[5]! << 8) | bytes[6]!;
  if (n === 7) return { ...base, data: empty, ne: l === 0 ? 0x10000 : l, extended: true };
  if (l === 0) throw new ApduFormatError('extended Lc of zero');
  if (n === 7 + l) return { ...base, data: bytes.slice(7, 7 + l), ne: 0, extended: true };
  if (n === 9 + l) {
    const le = (bytes[n - 2]! << 8) | bytes[n - 1]!;
    return { ...base, data: bytes.slice(7, 7 + l), ne: le === 0 ? 0x10000 : le, extended: true };
  }
  throw new ApduFormatError(`extended Lc=${l} does not match APDU length ${n}`);
}

/** Splits a response APDU into data and status word. */
export function parseResponseApdu(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new PcscError('malformed-response', `response APDU too short (${bytes.length} bytes)`);
  }
  const sw1 = bytes[bytes.length - 2]!;
  const sw2 = bytes[bytes.length - 1]!;
  return { data: bytes.slice(0, bytes.length - 2), sw: (sw1 << 8) | sw2, sw1, sw2 };
}

export function encodeResponseApdu(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = (sw >> 8) & 0xff;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Parses hex ("00A4 0400", "00:a4", ...); throws invalid-argument on odd length or bad digits. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new PcscError('invalid-argument', `invalid hex string`);
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
