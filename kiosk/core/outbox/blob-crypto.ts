/**
 * Blobs at rest on the kiosk: AES-256-GCM, a fresh 96-bit nonce per file, the content's SHA-256 as
 * associated data (a file cannot be swapped for another one's name). Layout: magic | nonce | ciphertext | tag.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('FACB1');
const NONCE = 12;
const TAG = 16;

export class BlobCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobCryptoError';
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The sealed file as parts (header, ciphertext, tag), so a large blob is written without another copy. */
export function sealBlobParts(key: Buffer, sha256: string, plain: Uint8Array): Buffer[] {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(sha256, 'ascii'));
  const body = cipher.update(plain);
  const rest = cipher.final();
  return [Buffer.concat([MAGIC, nonce]), body, rest, cipher.getAuthTag()];
}

export function sealBlob(key: Buffer, sha256: string, plain: Uint8Array): Buffer {
  return Buffer.concat(sealBlobParts(key, sha256, plain));
}

export function openBlob(key: Buffer, sha256: string, sealed: Buffer): Buffer {
  if (sealed.length < MAGIC.length + NONCE + TAG || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BlobCryptoError('not a sealed blob');
  }
  const nonce = sealed.subarray(MAGIC.length, MAGIC.length + NONCE);
  const tag = sealed.subarray(sealed.length - TAG);
  const body = sealed.subarray(MAGIC.length + NONCE, sealed.length - TAG);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(sha256, 'ascii'));
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new BlobCryptoError('blob failed authentication (corrupt or wrong key)');
  }
  if (sha256Hex(plain) !== sha256) throw new BlobCryptoError('blob content does not match its hash');
  return plain;
}
