/**
 * Personal data in the kiosk database is kept sealed (DESIGN.md §6): a mutation's body, the fields and
 * OCR text of a deposit, anything a server error may echo. AES-256-GCM with the data key, a fresh
 * 96-bit nonce per value, and the value's place as associated data (table, column, the row's immutable
 * id): a sealed value copied into another row, or another column, does not open.
 * Layout: version (1 byte) | nonce (12) | ciphertext | tag (16). Plain text exists only in memory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 0x01;
const NONCE = 12;
const TAG = 16;

/** Where a sealed value lives; part of what is authenticated. */
export interface RowPlace {
  table: string;
  column: string;
  /** the row's immutable id (never a number that can be renumbered) */
  rowId: string;
}

/**
 * A stored value that does not open: changed on disk, moved from another row, or sealed with another
 * key. Carries where it is, never what it holds.
 */
export class SealedDataError extends Error {
  constructor(
    readonly place: RowPlace,
    readonly reason: 'malformed' | 'not-authentic',
  ) {
    super(`sealed ${place.table}.${place.column} of row ${place.rowId} is ${reason === 'malformed' ? 'malformed' : 'not authentic (changed, moved, or another key)'}`);
    this.name = 'SealedDataError';
  }
}

function aad(place: RowPlace): Buffer {
  return Buffer.from(`fac-row/1\0${place.table}\0${place.column}\0${place.rowId}`, 'utf8');
}

export function sealValue(key: Buffer, place: RowPlace, plain: string): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(place));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]);
}

export function openValue(key: Buffer, place: RowPlace, sealed: unknown): string {
  if (!(sealed instanceof Uint8Array) || sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) {
    throw new SealedDataError(place, 'malformed');
  }
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 1 + NONCE));
  decipher.setAAD(aad(place));
  decipher.setAuthTag(buf.subarray(buf.length - TAG));
  try {
    return Buffer.concat([decipher.update(buf.subarray(1 + NONCE, buf.length - TAG)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedDataError(place, 'not-authentic');
  }
}

/** The sealed columns of the kiosk database, each bound to its row's immutable id. */
export const SEALED = {
  /** the mutation body (JSON), by mutation id: the seq is renumbered, the id never */
  outboxBody: (id: string): RowPlace => ({ table: 'outbox', column: 'body', rowId: id }),
  /** the last send error (a server's message may echo what it refused) */
  outboxError: (id: string): RowPlace => ({ table: 'outbox', column: 'last_error', rowId: id }),
  /** owner, paper type and read fields of a deposit of the open session (JSON), by document id */
  sessionDocument: (documentId: string): RowPlace => ({ table: 'session_documents', column: 'sealed', rowId: documentId }),
} as const;
