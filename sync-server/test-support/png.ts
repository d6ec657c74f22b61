/** Tests only: a real (tiny, random-pixel) PNG, so pdf-lib can embed it and every deposit has its own blob. */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

export function randomPng(width = 12, height = 8): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A random-pixel PNG of about `size` bytes (random pixels barely compress); 69 bytes at the least. */
export function pngOfSize(size: number): Buffer {
  // 57 bytes of signature and chunks around the pixels, one filter byte per row
  const pixels = Math.max(1, Math.floor((size - 57) / 3));
  const width = Math.max(1, Math.round(Math.sqrt(pixels)));
  return randomPng(width, Math.max(1, Math.floor(pixels / width)));
}
