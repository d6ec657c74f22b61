/**
 * DER (ITU-T X.690) for the platform's certificates: writing the few types X.509 needs, and reading
 * strictly (one encoding per value: minimal lengths, single-byte tags, no trailing bytes), so that what
 * a kiosk checks is exactly what was signed. Pure: no crypto, no I/O.
 *
 * Writing uses the card driver's TLV encoder (drivers/pcsc/tlv.ts): with single-byte tags and minimal
 * lengths, its BER is DER. Reading does not: the driver's decoder is as lenient as BER (and cards) are,
 * a certificate's reader must not be.
 */
import { encodeTlv } from '../../drivers/pcsc/tlv.ts';

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  enumerated: 0x0a,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

export const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.sequence, ...parts);

/** INTEGER from unsigned big-endian bytes (minimal, positive). */
export function derUnsigned(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return encodeTlv(TAG.integer, m[0]! & 0x80 ? Uint8Array.of(0, ...m) : m);
}

/** DER of an OBJECT IDENTIFIER (BigInt arcs: ours is above 2^53). */
export function encodeOid(oid: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(oid)) throw new RangeError(`not an OID: ${oid}`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  const body: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...group);
  }
  return encodeTlv(TAG.oid, Uint8Array.from(body));
}

export const utf8 = (s: string) => encodeTlv(TAG.utf8String, new TextEncoder().encode(s));
export const printable = (s: string) => encodeTlv(TAG.printableString, new TextEncoder().encode(s));
export const bitString = (b: Uint8Array, unusedBits = 0) => encodeTlv(TAG.bitString, Uint8Array.of(unusedBits), b);
export const octetString = (b: Uint8Array) => encodeTlv(TAG.octetString, b);
export const DER_TRUE = Uint8Array.of(TAG.boolean, 1, 0xff);

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5); to the second, in UTC. */
export function derTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  if (year >= 1950 && year <= 2049) return encodeTlv(TAG.utcTime, new TextEncoder().encode(compact.slice(2)));
  return encodeTlv(TAG.generalizedTime, new TextEncoder().encode(compact));
}

// ---------------------------------------------------------------------------------------------------
// DER reading (strict)

export class DerError extends Error {}

export interface Der {
  tag: number;
  /** the whole TLV */
  raw: Uint8Array;
  /** the value */
  content: Uint8Array;
}

/** Reads one TLV at `offset`: single-byte tags, minimal definite lengths, within the buffer. */
export function readTlv(buf: Uint8Array, offset: number): Der {
  const tag = buf[offset];
  const l0 = buf[offset + 1];
  if (tag === undefined || l0 === undefined) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tag');
  let length = l0;
  let header = 2;
  if (l0 >= 0x80) {
    const n = l0 & 0x7f;
    if (n === 0 || n > 2) throw new DerError('unsupported length');
    if (offset + 2 + n > buf.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (length < 0x80 || (n === 2 && length < 0x100)) throw new DerError('non-minimal length');
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('value runs past the end');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

/** The TLVs that make up a constructed value's content, all of it. */
export function children(node: Der): Der[] {
  const out: Der[] = [];
  for (let off = 0; off < node.content.length; ) {
    const child = readTlv(node.content, off);
    out.push(child);
    off += child.raw.length;
  }
  return out;
}

export function expectTag(node: Der | undefined, tag: number, what: string): Der {
  if (!node || node.tag !== tag) throw new DerError(`${what}: expected tag ${tag.toString(16)}`);
  return node;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function readString(node: Der, what: string): string {
  if (node.tag === TAG.utf8String) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(node.content);
    } catch {
      throw new DerError(`${what}: not UTF-8`);
    }
  }
  if (node.tag === TAG.printableString || node.tag === TAG.ia5String) {
    if (node.content.some((b) => b > 0x7e || b < 0x20)) throw new DerError(`${what}: not printable`);
    return new TextDecoder('ascii').decode(node.content);
  }
  throw new DerError(`${what}: unsupported string type`);
}

export function readTime(node: Der, what: string): Date {
  const text = new TextDecoder('ascii').decode(node.content);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.utcTime && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.generalizedTime && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    year = Number(m[1]);
  } else throw new DerError(`${what}: not a DER time`);
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new DerError(`${what}: impossible date`);
  return date;
}

/** The DER of `oid` decoded to dotted form (BigInt arcs). */
export function decodeOid(node: Der): string {
  const b = node.content;
  if (b.length === 0 || b[b.length - 1]! & 0x80) throw new DerError('bad OID');
  const arcs: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const byte of b) {
    if (start && byte === 0x80) throw new DerError('non-minimal OID arc');
    v = (v << 7n) | BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (start) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift()!;
  const top = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [top, first - top * 40n, ...arcs].join('.');
}
