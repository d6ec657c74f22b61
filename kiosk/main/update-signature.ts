/**
 * The signed update feed. electron-updater checks a download against the SHA-512 written in
 * `latest-linux.yml`, but on Linux nothing signs that file: whoever controls the feed (or its TLS) could
 * ship anything. So the release signs the feed's facts with an Ed25519 key kept offline
 * (`build/release/sign-feed.ts`), the signature travels in the yml (`facSignature`), and the kiosk checks
 * it against the public key built into the app before downloading, and the downloaded file's SHA-512
 * against the signed one before installing. Unsigned or mis-signed feeds are never installed.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

export const SIGNATURE_FIELD = 'facSignature';
const DOMAIN = 'facilitateur-kiosk-update-v1';

const Sha512 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'sha512 in base64 expected');

export const SignedFile = z.object({
  url: z.string().min(1).max(512).regex(/^[\w.+-]+$/, 'a plain file name expected'),
  sha512: Sha512,
  size: z.number().int().positive().optional(),
});
export type SignedFile = z.infer<typeof SignedFile>;

/** What the feed says and the signature covers. Other fields of the yml (releaseDate, stagingPercentage…) are not trusted. */
export const SignedUpdateInfo = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semantic version expected'),
  files: z.array(SignedFile).min(1).max(16),
  [SIGNATURE_FIELD]: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64 expected'),
});

/** The exact bytes signed: a domain tag, the version, each file (sorted) with its hash and size. */
export function updateSigningMessage(info: { version: string; files: readonly SignedFile[] }): Buffer {
  const lines = info.files.map((f) => `${f.url} ${f.sha512} ${f.size ?? '-'}`).sort();
  return Buffer.from([DOMAIN, info.version, ...lines, ''].join('\n'), 'utf8');
}

export function signUpdateInfo(info: { version: string; files: readonly SignedFile[] }, privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('an Ed25519 private key is expected');
  return sign(null, updateSigningMessage(info), key).toString('base64');
}

export type FeedCheck = { ok: true; version: string; files: SignedFile[] } | { ok: false; reason: string };

/** Checks an UpdateInfo object as electron-updater parsed it from the feed. */
export function verifyUpdateInfo(info: unknown, publicKeyPem: string | null): FeedCheck {
  if (!publicKeyPem) return { ok: false, reason: 'no update key built into this app' };
  const r = SignedUpdateInfo.safeParse(info);
  if (!r.success) return { ok: false, reason: `feed: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}` };
  let key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, reason: 'the built-in update key is unreadable' };
  }
  if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'the built-in update key is not Ed25519' };
  const good = verify(null, updateSigningMessage(r.data), key, Buffer.from(r.data[SIGNATURE_FIELD], 'base64'));
  return good ? { ok: true, version: r.data.version, files: r.data.files } : { ok: false, reason: 'bad feed signature' };
}

/** SHA-512 of a file, base64 (the form electron-builder writes in the yml). */
export function sha512File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha512');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolve(h.digest('base64')));
  });
}

/** The downloaded file must be one of the signed files, byte for byte. */
export async function verifyDownloadedFile(path: string, signed: readonly SignedFile[]): Promise<boolean> {
  const digest = await sha512File(path);
  return signed.some((f) => f.sha512 === digest);
}
