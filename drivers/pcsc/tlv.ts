/**
 * BER-TLV as used by ISO 7816 / OpenPGP card data objects: tags of 1-3 bytes, definite lengths up to
 * 3 length bytes. Decoding is strict: a length running past the buffer is an error, never a silent cut.
 */

export interface Tlv {
  tag: number;
  constructed: boolean;
  value: Uint8Array;
}

export class TlvError extends Error {
  readonly code = 'malformed-tlv';
  constructor(message: string) {
    super(message);
    this.name = 'TlvError';
  }
}

interface Header {
  tag: number;
  constructed: boolean;
  length: number;
  headerLength: number;
}

function readHeader(buf: Uint8Array, offset: number): Header {
  let i = offset;
  const first = buf[i++];
  if (first === undefined) throw new TlvError('truncated tag');
  const constructed = (first & 0x20) !== 0;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    for (let n = 0; ; n++) {
      const b = buf[i++];
      if (b === undefined) throw new TlvError('truncated multi-byte tag');
      if (n >= 2) throw new TlvError('tag longer than 3 bytes');
      tag = (tag << 8) | b;
      if ((b & 0x80) === 0) break;
    }
  }
  const l0 = buf[i++];
  if (l0 === undefined) throw new TlvError('truncated length');
  let length: number;
  if (l0 < 0x80) length = l0;
  else if (l0 === 0x80) throw new TlvError('indefinite length not allowed');
  else {
    const n = l0 & 0x7f;
    if (n > 3) throw new TlvError(`length of ${n} bytes not supported`);
    length = 0;
    for (let k = 0; k < n; k++) {
      const b = buf[i++];
      if (b === undefined) throw new TlvError('truncated length');
      length = length * 256 + b;
    }
  }
  if (i + length > buf.length) throw new TlvError(`value of tag ${tag.toString(16)} runs past the end`);
  return { tag, constructed, length, headerLength: i - offset };
}

/** Decodes a sequence of TLVs at one level. Throws TlvError on malformed input. */
export function decodeTlvs(buf: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < buf.length) {
    const h = readHeader(buf, off);
    const start = off + h.headerLength;
    out.push({ tag: h.tag, constructed: h.constructed, value: buf.slice(start, start + h.length) });
    off = start + h.length;
  }
  return out;
}

/** Depth-first search for a tag, descending into constructed TLVs. */
export function findTlv(buf: Uint8Array, tag: number): Uint8Array | undefined {
  for (const t of decodeTlvs(buf)) {
    if (t.tag === tag) return t.value;
    if (t.constructed) {
      const inner = findTlv(t.value, tag);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/**
 * Some cards answer GET DATA of a constructed DO with the outer tag, others with the content only:
 * returns the content either way.
 */
export function unwrapTlv(buf: Uint8Array, tag: number): Uint8Array {
  try {
    const tlvs = decodeTlvs(buf);
    if (tlvs.length === 1 && tlvs[0]!.tag === tag) return tlvs[0]!.value;
  } catch {
    // not a single TLV: already the content
  }
  return buf;
}

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n <= 0xff) return Uint8Array.of(0x81, n);
  if (n <= 0xffff) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  if (n <= 0xffffff) return Uint8Array.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  throw new RangeError(`TLV length too large: ${n}`);
}

export function encodeTag(tag: number): Uint8Array {
  if (tag <= 0xff) return Uint8Array.of(tag);
  if (tag <= 0xffff) return Uint8Array.of(tag >> 8, tag & 0xff);
  return Uint8Array.of(tag >> 16, (tag >> 8) & 0xff, tag & 0xff);
}

export function encodeTlv(tag: number, ...values: Uint8Array[]): Uint8Array {
  const value = concatBytes(...values);
  return concatBytes(encodeTag(tag), encodeLength(value.length), value);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
