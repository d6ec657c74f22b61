/**
 * Tests only: files made to hurt a server that reads them — cut, lying about their size, bombs, junk
 * chunks, wrong magic — generated here rather than kept as binary fixtures. Each comes with the mime a
 * kiosk (or a hostile one) would declare for it.
 */
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFNumber, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import type { FileMime } from '../protocol/common.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer, crc?: number): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc ?? crc32(body));
  return Buffer.concat([head, body, tail]);
}

function ihdr(width: number, height: number, colorType = 2): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = 8; // bit depth
  b[9] = colorType; // 2 = RGB, 0 = grey
  return pngChunk('IHDR', b);
}

/** A PNG of grey rows (filter byte 0 then `width × channels` bytes of `value`). */
function greyPng(width: number, height: number, value = 128): Buffer {
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, value)]);
  const rows = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A 75-byte PNG: a valid header for a 64 × 64 image whose IDAT chunk is cut after a few bytes, its length
 * still saying more. pdf-lib's embedPng loops on it for ever at 100 % CPU.
 */
export function malformedPng75(): Buffer {
  return greyPng(64, 64).subarray(0, 75);
}

/** A real PNG cut in the middle of its pixels. */
export function truncatedPng(): Buffer {
  const full = greyPng(400, 300, 90);
  return full.subarray(0, Math.floor(full.length / 2));
}

/** A real JPEG cut in the middle of its scan. */
export async function truncatedJpeg(): Promise<Buffer> {
  const full = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  return full.subarray(0, Math.floor(full.length / 2));
}

/**
 * A decompression bomb: a few hundred bytes claiming `side × side` pixels (100,000² = 10 Gpx by default),
 * its IDAT a deflate stream of zeros that would expand to all of them.
 */
export function pngBomb(side = 100_000): Buffer {
  // one deflated row repeated is not valid zlib; a short stream of zeros is enough for the header to lie
  return Buffer.concat([PNG_SIGNATURE, ihdr(side, side, 0), pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG whose frame header claims 65,000 × 65,000 pixels, with almost no data behind it. */
export async function jpegBomb(): Promise<Buffer> {
  const small = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const out = Buffer.from(small);
  // the baseline frame header (SOF0, FF C0): length, precision, then height and width
  for (let i = 0; i < out.length - 8; i++) {
    if (out[i] === 0xff && out[i + 1] === 0xc0) {
      out.writeUInt16BE(65_000, i + 5);
      out.writeUInt16BE(65_000, i + 7);
      return out;
    }
  }
  throw new Error('no SOF0 in the JPEG');
}

/** A valid small PNG with junk chunks: an unknown critical chunk and a broken CRC. */
export function pngWithGarbageChunks(): Buffer {
  const good = greyPng(32, 32);
  const idatAt = good.indexOf(Buffer.from('IDAT', 'latin1')) - 4;
  return Buffer.concat([
    good.subarray(0, idatAt),
    pngChunk('JUNK', Buffer.from('not a chunk anybody knows')), // upper-case first letter: critical, unknown
    pngChunk('tEXt', Buffer.from('Comment\0hello'), 0xdeadbeef), // wrong CRC
    good.subarray(idatAt),
  ]);
}

/** JPEG bytes under a PNG name, and text under a JPEG one. */
export async function wrongMagic(): Promise<{ jpegAsPng: Buffer; textAsJpeg: Buffer }> {
  const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#a0a0a0' } }).jpeg().toBuffer();
  return { jpegAsPng: jpeg, textAsJpeg: Buffer.from('<html><script>alert(1)</script></html>') };
}

/**
 * A PDF whose one page shows an image XObject that is a cut JPEG claiming 100,000 × 100,000 pixels
 * (what a viewer, or a server checking it, would have to decode).
 */
export async function pdfWithHostileImage(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595.28, 841.89]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  page.drawText('Une page avec une image piégée', { x: 60, y: 780, size: 14, font });
  const jpeg = await truncatedJpeg();
  const image = await pdf.embedJpg(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer());
  page.drawImage(image, { x: 60, y: 300, width: 400, height: 400 });
  // swap the embedded image's bytes and size for hostile ones once pdf-lib has written its dictionary
  await pdf.flush();
  const stream = pdf.context.lookup(image.ref);
  if (!stream || !('dict' in stream) || !('contents' in stream)) throw new Error('image stream not found');
  const s = stream as unknown as { dict: { set(k: PDFName, v: PDFNumber): void }; contents: Uint8Array };
  s.contents = new Uint8Array(jpeg);
  s.dict.set(PDFName.of('Length'), PDFNumber.of(jpeg.length));
  s.dict.set(PDFName.of('Width'), PDFNumber.of(100_000));
  s.dict.set(PDFName.of('Height'), PDFNumber.of(100_000));
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/**
 * A PDF of a few megabytes whose one page names `objects` tiny objects: pdf-lib parses and copies every
 * one of them, which takes seconds and hundreds of megabytes (about 2 KB of heap an object).
 */
export function pdfObjectBomb(objects = 300_000): Buffer {
  const parts = ['%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'];
  parts.push('3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</X[');
  for (let i = 5; i < objects + 5; i++) parts.push(`${i} 0 R `);
  parts.push(']>>>>endobj\n');
  for (let i = 5; i < objects + 5; i++) parts.push(`${i} 0 obj<</A[1 2 3]>>endobj\n`);
  parts.push('trailer<</Root 1 0 R>>\n%%EOF\n');
  return Buffer.from(parts.join(''), 'latin1');
}

/**
 * The same bomb packed in a compressed object stream: a file of about 2 MB that says nothing in the clear,
 * and makes pdf-lib parse and copy `objects` objects (seconds, and more memory than a PDF thread has).
 */
export function pdfObjectStreamBomb(objects = 300_000): Buffer {
  const first = 6;
  const items = [`<</X[${Array.from({ length: objects }, (_, i) => `${first + 1 + i} 0 R`).join(' ')}]>>`];
  for (let i = 0; i < objects; i++) items.push('<</A[1 2 3]>>');
  let header = '';
  let offset = 0;
  items.forEach((item, i) => {
    header += `${first + i} ${offset} `;
    offset += item.length + 1;
  });
  const packed = deflateSync(Buffer.from(header + items.join(' '), 'latin1'), { level: 9 });
  const head =
    '%PDF-1.5\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources ${first} 0 R>>endobj\n` +
    `5 0 obj<</Type/ObjStm/N ${items.length}/First ${header.length}/Filter/FlateDecode/Length ${packed.length}>>stream\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), packed, Buffer.from('\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1')]);
}

/** A valid PNG within the pixel limit that decodes to far more than it weighs (6000 × 6000 grey in a few KB). */
export function bigValidPng(side = 6000): Buffer {
  const row = Buffer.alloc(side + 1);
  const idat = deflateSync(Buffer.concat(Array.from({ length: side }, () => row)), { level: 9 });
  const head = Buffer.alloc(13);
  head.writeUInt32BE(side, 0);
  head.writeUInt32BE(side, 4);
  head[8] = 8;
  head[9] = 0; // grey
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', head), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Every hostile file, named, with the mime it is declared as. */
export async function hostileFiles(): Promise<{ name: string; bytes: Buffer; mime: FileMime }[]> {
  const magic = await wrongMagic();
  return [
    { name: 'PNG malformé de 75 octets', bytes: malformedPng75(), mime: 'image/png' },
    { name: 'PNG tronqué', bytes: truncatedPng(), mime: 'image/png' },
    { name: 'JPEG tronqué', bytes: await truncatedJpeg(), mime: 'image/jpeg' },
    { name: 'bombe PNG (100 000 × 100 000)', bytes: pngBomb(), mime: 'image/png' },
    { name: 'bombe JPEG (65 000 × 65 000)', bytes: await jpegBomb(), mime: 'image/jpeg' },
    { name: 'PNG aux morceaux inconnus', bytes: pngWithGarbageChunks(), mime: 'image/png' },
    { name: 'JPEG nommé PNG', bytes: magic.jpegAsPng, mime: 'image/png' },
    { name: 'texte nommé JPEG', bytes: magic.textAsJpeg, mime: 'image/jpeg' },
    { name: 'fichier vide', bytes: Buffer.alloc(0), mime: 'image/jpeg' },
    { name: 'PDF avec une image piégée', bytes: await pdfWithHostileImage(), mime: 'application/pdf' },
    { name: 'bombe PDF (300 000 objets)', bytes: pdfObjectBomb(), mime: 'application/pdf' },
    { name: 'bombe PDF compressée (300 000 objets dans un flux)', bytes: pdfObjectStreamBomb(), mime: 'application/pdf' },
  ];
}
