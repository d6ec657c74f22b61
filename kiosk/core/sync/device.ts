/**
 * This kiosk's device identity (DESIGN.md §6). At first start there is none: the kiosk takes the
 * one-time enrollment code staff gave it, generates an ECDSA P-256 key pair, keeps the private key in
 * its database sealed with the KeyProvider's data key (AES-256-GCM; the OS keystore in Electron), and
 * registers the public key with the server. From then on it signs the server's challenges with it
 * (device-auth.ts); no shared secret is ever stored or sent.
 *
 * The key is saved (state `pending`) before it is sent: a kiosk that crashes while enrolling retries
 * with the same key and the same code, which the server answers again.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ENROLL_PATH, EnrollResponse, enrollmentPayload, normalizeEnrollmentCode } from '../../../sync-server/protocol/socket.ts';
import type { EnrollRequest } from '../../../sync-server/protocol/socket.ts';
import { join } from 'node:path';
import { openBlob, sealBlob, sha256Hex } from '../outbox/blob-crypto.ts';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import { privateDataDir } from '../storage/private-files.ts';
import type { KeyProvider } from '../storage/keys.ts';

export type DeviceState = 'none' | 'pending' | 'enrolled' | 'revoked';

export interface DeviceInfo {
  state: DeviceState;
  kioskId: string | null;
  name: string | null;
  institutionId: string | null;
  enrolledAt: string | null;
}

export type EnrollmentErrorCode =
  | 'invalid-code' // not 16 characters of the code's alphabet
  | 'refused' // unknown, expired or used code, or revoked kiosk
  | 'offline' // the server could not be reached
  | 'server'; // the server answered something unexpected

export class EnrollmentError extends Error {
  constructor(
    readonly code: EnrollmentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EnrollmentError';
  }
}

interface DeviceRow {
  state: 'pending' | 'enrolled' | 'revoked';
  public_key: string;
  private_key_sha256: string;
  sealed_private_key: Buffer;
  kiosk_id: string | null;
  name: string | null;
  institution_id: string | null;
  enrolled_at: string | null;
}

export class DeviceIdentity {
  private privateKey: KeyObject | null = null;

  constructor(
    private readonly db: Db,
    private readonly keys: KeyProvider,
    private readonly fetchTimeoutMs = 15_000,
  ) {}

  private row(): DeviceRow | undefined {
    return this.db.prepare('SELECT * FROM device WHERE id = 1').get() as DeviceRow | undefined;
  }

  info(): DeviceInfo {
    const r = this.row();
    if (!r) return { state: 'none', kioskId: null, name: null, institutionId: null, enrolledAt: null };
    return { state: r.state, kioskId: r.kiosk_id, name: r.name, institutionId: r.institution_id, enrolledAt: r.enrolled_at };
  }

  get enrolled(): boolean {
    return this.row()?.state === 'enrolled';
  }

  get revoked(): boolean {
    return this.row()?.state === 'revoked';
  }

  /** The enrolled kiosk id (null before enrollment). */
  get kioskId(): string | null {
    const r = this.row();
    return r && r.state !== 'pending' ? r.kiosk_id : null;
  }

  /** SPKI DER of the device's public key, base64url (null before a key exists). */
  get publicKey(): string | null {
    return this.row()?.public_key ?? null;
  }

  /** A fresh key pair, saved sealed before anything is sent. A revoked device never reuses its key. */
  private ensureKey(): DeviceRow {
    const existing = this.row();
    if (existing && existing.state !== 'revoked') return existing;
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const sha = sha256Hex(pkcs8);
    const publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
    const sealed = sealBlob(this.keys.dataKey(), sha, pkcs8);
    pkcs8.fill(0);
    this.db
      .prepare(
        `INSERT INTO device (id, state, public_key, private_key_sha256, sealed_private_key, created_at)
         VALUES (1, 'pending', ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = 'pending', public_key = excluded.public_key,
           private_key_sha256 = excluded.private_key_sha256, sealed_private_key = excluded.sealed_private_key,
           kiosk_id = NULL, name = NULL, institution_id = NULL, server_url = NULL, enrolled_at = NULL,
           created_at = excluded.created_at`,
      )
      .run(publicKey, sha, sealed, new Date().toISOString());
    this.privateKey = pair.privateKey;
    return this.row()!;
  }

  private key(): KeyObject {
    if (this.privateKey) return this.privateKey;
    const r = this.row();
    if (!r) throw new Error('no device key');
    const pkcs8 = openBlob(this.keys.dataKey(), r.private_key_sha256, r.sealed_private_key);
    this.privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    pkcs8.fill(0);
    return this.privateKey;
  }

  /** ECDSA P-256 / SHA-256 over a UTF-8 text, raw r‖s, base64url. */
  sign(text: string): string {
    return sign('sha256', Buffer.from(text, 'utf8'), { key: this.key(), dsaEncoding: 'ieee-p1363' }).toString('base64url');
  }

  /**
   * Registers this device with a one-time code. An enrolled device that gets a new code (staff moved
   * it to another kiosk id, or reinstated it) registers its key again.
   */
  async enroll(baseUrl: string, rawCode: string): Promise<DeviceInfo> {
    const code = normalizeEnrollmentCode(rawCode);
    if (code === null) throw new EnrollmentError('invalid-code', 'enrollment code is not 16 base-32 characters');
    const row = this.ensureKey();
    const body: EnrollRequest = { code, publicKey: row.public_key, proof: this.sign(enrollmentPayload(code, row.public_key)) };
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${ENROLL_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.fetchTimeoutMs),
      });
    } catch (err) {
      throw new EnrollmentError('offline', `enrollment request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status === 403) throw new EnrollmentError('refused', 'the server refused the enrollment code');
    if (res.status === 400) throw new EnrollmentError('refused', 'the server found the enrollment request invalid');
    if (!res.ok) throw new EnrollmentError('server', `enrollment answered ${res.status}`);
    const answer = EnrollResponse.safeParse(await res.json().catch(() => null));
    if (!answer.success) throw new EnrollmentError('server', 'malformed enrollment answer');
    this.db
      .prepare("UPDATE device SET state = 'enrolled', kiosk_id = ?, name = ?, institution_id = ?, server_url = ?, enrolled_at = ? WHERE id = 1")
      .run(answer.data.kioskId, answer.data.name, answer.data.institutionId, baseUrl, new Date().toISOString());
    return this.info();
  }

  /** The server says this kiosk is revoked: its key will never be used again. */
  markRevoked(): void {
    this.db.prepare("UPDATE device SET state = 'revoked' WHERE id = 1 AND state = 'enrolled'").run();
  }
}

/**
 * Enrolls the kiosk whose data folder this is, before the kiosk core starts (tests, the demo, an
 * installer): the same database and key file the core opens (`outbox.sqlite`, `data.key`).
 */
export async function enrollDataDir(o: { dataDir: string; url: string; code: string; keys?: KeyProvider }): Promise<DeviceInfo> {
  privateDataDir(o.dataDir);
  const keys = o.keys ?? keyFileProvider(join(o.dataDir, 'data.key'));
  const db = openKioskDb(join(o.dataDir, 'outbox.sqlite'), keys);
  try {
    return await new DeviceIdentity(db, keys).enroll(o.url, o.code);
  } finally {
    db.close();
  }
}
