/** The console's reader of multipart forms: what a browser sends is read; anything else is refused whole. */
import { describe, expect, it } from 'vitest';
import { boundaryOf, parseMultipart } from './multipart.ts';

const B = '----form7MA4YWxkTrZu0gW';
const part = (name: string, value: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const file = (name: string, filename: string, type: string, bytes: Buffer) =>
  Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from('\r\n')]);
const end = `--${B}--\r\n`;

describe('multipart forms', () => {
  it('reads the boundary of a browser’s content type, quoted or not', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(boundaryOf(`multipart/form-data; boundary="${B}"`)).toBe(B);
    expect(boundaryOf('multipart/form-data')).toBeNull();
    expect(boundaryOf('application/x-www-form-urlencoded')).toBeNull();
    expect(boundaryOf(undefined)).toBeNull();
  });

  it('reads fields and one file, bytes untouched (even with CRLF and the boundary’s dashes inside)', () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const body = Buffer.concat([Buffer.from(part('csrf', 'abc') + part('titre', 'Attestation « mars »')), file('fichier', 'a.pdf', 'application/pdf', bytes), Buffer.from(end)]);
    const form = parseMultipart(body, B);
    expect(form?.fields).toEqual({ csrf: 'abc', titre: 'Attestation « mars »' });
    expect(form?.file).toEqual({ field: 'fichier', filename: 'a.pdf', contentType: 'application/pdf', bytes });
  });

  it('takes an empty file input as no file', () => {
    const body = Buffer.concat([Buffer.from(part('csrf', 'abc')), file('fichier', '', 'application/octet-stream', Buffer.alloc(0)), Buffer.from(end)]);
    expect(parseMultipart(body, B)).toEqual({ fields: { csrf: 'abc' }, file: null });
  });

  it('refuses a cut body, a second file, a field twice, a part without a name, too many parts, garbage', () => {
    const pdf = file('fichier', 'a.pdf', 'application/pdf', Buffer.from('%PDF'));
    expect(parseMultipart(Buffer.from(part('csrf', 'abc')), B)).toBeNull();
    expect(parseMultipart(Buffer.concat([pdf, pdf, Buffer.from(end)]), B)).toBeNull();
    expect(parseMultipart(Buffer.from(part('a', '1') + part('a', '2') + end), B)).toBeNull();
    expect(parseMultipart(Buffer.from(`--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n${end}`), B)).toBeNull();
    expect(parseMultipart(Buffer.from(Array.from({ length: 13 }, (_, i) => part(`f${i}`, 'x')).join('') + end), B)).toBeNull();
    expect(parseMultipart(Buffer.from(part('a', 'x'.repeat(5000)) + end), B)).toBeNull();
    expect(parseMultipart(Buffer.from('hello'), B)).toBeNull();
    expect(parseMultipart(Buffer.alloc(0), B)).toBeNull();
  });
});
