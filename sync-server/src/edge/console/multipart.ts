/**
 * A strict reader of `multipart/form-data` (RFC 7578) for the console's one upload form: the body is
 * already buffered within the route's limit, so this only splits it — at most a few parts, each field's
 * value at most a few kilobytes, one file part. Anything it does not expect (no boundary, a part without
 * a name, a second file, a cut body) is refused as a whole; the file's bytes are checked afterwards like
 * every file from outside (kernel/files through features/institutions).
 */
export interface MultipartForm {
  fields: Record<string, string>;
  file: { field: string; filename: string; contentType: string; bytes: Buffer } | null;
}

const MAX_PARTS = 12;
const MAX_FIELD_BYTES = 4096;

export class MultipartBody {
  constructor(readonly form: MultipartForm) {}
}

/** The boundary of a `multipart/form-data` content type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data\s*;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))\s*$/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function headerParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/;\s*([a-z*]+)="((?:[^"\\]|\\.)*)"/gi)) out[m[1]!.toLowerCase()] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

/** The parts of the body, or null when it is not a well-formed form of the expected shape. */
export function parseMultipart(body: Buffer, boundary: string): MultipartForm | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const form: MultipartForm = { fields: Object.create(null) as Record<string, string>, file: null };
  let at = body.indexOf(delimiter);
  if (at !== 0) return null;
  let parts = 0;
  for (;;) {
    at += delimiter.length;
    // the closing delimiter ends the body
    if (body.subarray(at, at + 2).toString('latin1') === '--') return form;
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') return null;
    at += 2;
    const headEnd = body.indexOf('\r\n\r\n', at);
    if (headEnd < 0 || headEnd - at > 2048) return null;
    const headers = body.subarray(at, headEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd + 4);
    if (next < 0) return null;
    const content = body.subarray(headEnd + 4, next);
    if (++parts > MAX_PARTS) return null;
    let disposition: Record<string, string> | null = null;
    let contentType = 'text/plain';
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon <= 0) return null;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') {
        if (!/^form-data\s*;/i.test(value)) return null;
        disposition = headerParams(value);
      } else if (name === 'content-type') contentType = value.toLowerCase();
    }
    const field = disposition?.name;
    if (!disposition || !field || field.length > 64) return null;
    if (disposition.filename !== undefined) {
      // one file; a file input left empty sends a part with an empty name and no bytes
      if (form.file !== null) return null;
      if (disposition.filename !== '' || content.length > 0) form.file = { field, filename: disposition.filename.slice(0, 200), contentType, bytes: Buffer.from(content) };
    } else {
      if (content.length > MAX_FIELD_BYTES || Object.hasOwn(form.fields, field)) return null;
      form.fields[field] = content.toString('utf8');
    }
    at = next + 2;
  }
}
