/**
 * Kiosk enrollment and revocation (DESIGN.md §6). Staff create a one-time enrollment code for a kiosk
 * (stored as SHA-256 only, expiring, single use); at first start the kiosk registers its new device
 * public key with it. Revoking a kiosk refuses it everywhere at once: its session tokens go, its unused
 * codes expire, and the caller drops its live connections. Every change is journaled.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { KioskId } from '../../../protocol/common.ts';
import { enrollmentPayload, ENROLLMENT_CODE_LENGTH, formatEnrollmentCode, normalizeEnrollmentCode } from '../../../protocol/socket.ts';
import type { EnrollRequest } from '../../../protocol/socket.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { parseDevicePublicKey, verifyDeviceSignature } from './device-keys.ts';
import { tokenHash } from '../../kernel/secrets.ts';

export const DEFAULT_ENROLLMENT_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_ENROLLMENT_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type KioskAdminErrorCode = 'invalid' | 'unknown-kiosk' | 'unknown-institution' | 'revoked';

/** Typed errors of kiosk administration; callers branch on `code` (messages are English, for logs). */
export class KioskAdminError extends Error {
  constructor(
    readonly code: KioskAdminErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KioskAdminError';
  }
}

export type StaffActorRef = { kind: 'staff'; id: string };

const CROCKFORD32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 characters of base 32 = 80 random bits (256 is a multiple of 32: no bias). */
function randomCode(): string {
  let s = '';
  for (const b of randomBytes(ENROLLMENT_CODE_LENGTH)) s += CROCKFORD32[b % 32];
  return s;
}

export interface EnrollmentCreated {
  kioskId: string;
  name: string;
  institutionId: string | null;
  /** formatted XXXX-XXXX-XXXX-XXXX; shown once, never stored */
  code: string;
  expiresAt: string;
  /** true when the kiosk did not exist before */
  newKiosk: boolean;
}

export interface CreateEnrollmentInput {
  kioskId: string;
  /** required for a new kiosk; renames an existing one */
  name?: string;
  institutionId?: string | null;
  ttlMs?: number;
  /** a revoked kiosk gets a code only when reinstated (its old key is forgotten) */
  reinstate?: boolean;
  actor: StaffActorRef;
  now?: Date;
}

/** Creates (or updates) the kiosk and a fresh one-time enrollment code for it. */
export async function createEnrollment(db: Kysely<Database>, dialect: Dialect, o: CreateEnrollmentInput): Promise<EnrollmentCreated> {
  const id = KioskId.safeParse(o.kioskId);
  if (!id.success) throw new KioskAdminError('invalid', 'kiosk id: 3 to 64 characters, lower-case letters, digits and dashes');
  const name = o.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 200)) throw new KioskAdminError('invalid', 'name: 1 to 200 characters');
  const ttl = o.ttlMs ?? DEFAULT_ENROLLMENT_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < 60_000 || ttl > MAX_ENROLLMENT_TTL_MS) throw new KioskAdminError('invalid', 'validity: 1 minute to 30 days');
  const now = o.now ?? new Date();
  const at = now.toISOString();
  const code = randomCode();
  return db.transaction().execute(async (trx) => {
    if (o.institutionId) {
      const inst = await trx.selectFrom('institutions').select('id').where('id', '=', o.institutionId).executeTakeFirst();
      if (!inst) throw new KioskAdminError('unknown-institution', `no institution ${o.institutionId}`);
    }
    const existing = await trx.selectFrom('kiosks').select(['id', 'name', 'institution_id', 'revoked_at']).where('id', '=', id.data).executeTakeFirst();
    let kiosk: { name: string; institutionId: string | null };
    if (!existing) {
      if (name === undefined) throw new KioskAdminError('invalid', 'a new kiosk needs a name');
      kiosk = { name, institutionId: o.institutionId ?? null };
      await trx
        .insertInto('kiosks')
        // the former shared-token column is NOT NULL: an unusable random hash fills it
        .values({ id: id.data, name, institution_id: kiosk.institutionId, token_hash: tokenHash(randomBytes(32).toString('hex')), revoked_at: null })
        .execute();
    } else {
      if (existing.revoked_at !== null && !o.reinstate) {
        throw new KioskAdminError('revoked', `kiosk ${id.data} is revoked: reinstate it explicitly to enroll a new device`);
      }
      kiosk = { name: name ?? existing.name, institutionId: o.institutionId === undefined ? existing.institution_id : o.institutionId };
      await trx
        .updateTable('kiosks')
        .set({
          name: kiosk.name,
          institution_id: kiosk.institutionId,
          // reinstating forgets the old device: only the one that redeems the new code gets in
          ...(existing.revoked_at !== null ? { revoked_at: null, public_key: null, enrolled_at: null } : {}),
        })
        .where('id', '=', id.data)
        .execute();
    }
    const expiresAt = new Date(now.getTime() + ttl).toISOString();
    await trx
      .insertInto('kiosk_enrollments')
      .values({ code_hash: tokenHash(code), kiosk_id: id.data, created_at: at, expires_at: expiresAt, used_at: null, used_by_key: null, created_by: o.actor.id })
      .execute();
    await appendAudit(trx, dialect, {
      actor: o.actor,
      action: 'kiosk.enrollment-code',
      subjectPersonId: null,
      documentId: null,
      ground: 'staff-administration',
      detail: { kioskId: id.data, expiresAt, newKiosk: !existing, reinstated: existing?.revoked_at != null },
      at,
    });
    return { kioskId: id.data, name: kiosk.name, institutionId: kiosk.institutionId, code: formatEnrollmentCode(code), expiresAt, newKiosk: !existing };
  });
}

export type RedeemOutcome =
  | { ok: true; kioskId: string; name: string; institutionId: string | null; publicKey: string; replacedKey: boolean }
  /** invalid: the key or its proof is malformed; refused: unknown, expired or used code, or revoked kiosk */
  | { ok: false; reason: 'invalid' | 'refused' };

/**
 * Registers a kiosk's device key with a one-time code. The same key presenting the same code again
 * (the kiosk crashed before it saved the answer) gets the same answer; any other reuse is refused.
 */
export async function redeemEnrollment(db: Kysely<Database>, dialect: Dialect, req: EnrollRequest, now: Date = new Date()): Promise<RedeemOutcome> {
  const code = normalizeEnrollmentCode(req.code);
  if (code === null) return { ok: false, reason: 'refused' };
  const key = parseDevicePublicKey(req.publicKey);
  if (!key || !verifyDeviceSignature(key, enrollmentPayload(code, req.publicKey), req.proof)) return { ok: false, reason: 'invalid' };
  const at = now.toISOString();
  return db.transaction().execute(async (trx): Promise<RedeemOutcome> => {
    let enrollmentQuery = trx.selectFrom('kiosk_enrollments').selectAll().where('code_hash', '=', tokenHash(code));
    if (dialect === 'postgres') enrollmentQuery = enrollmentQuery.forUpdate();
    const row = await enrollmentQuery.executeTakeFirst();
    if (!row) return { ok: false, reason: 'refused' };
    let kioskQuery = trx.selectFrom('kiosks').select(['id', 'name', 'institution_id', 'public_key', 'revoked_at']).where('id', '=', row.kiosk_id);
    if (dialect === 'postgres') kioskQuery = kioskQuery.forUpdate();
    const kiosk = await kioskQuery.executeTakeFirstOrThrow();
    const answer = { ok: true as const, kioskId: kiosk.id, name: kiosk.name, institutionId: kiosk.institution_id, publicKey: req.publicKey };
    if (kiosk.revoked_at !== null) return { ok: false, reason: 'refused' };
    if (row.used_at !== null) {
      return row.used_by_key === req.publicKey && kiosk.public_key === req.publicKey ? { ...answer, replacedKey: false } : { ok: false, reason: 'refused' };
    }
    if (row.expires_at <= at) return { ok: false, reason: 'refused' };
    const replacedKey = kiosk.public_key !== null && kiosk.public_key !== req.publicKey;
    await trx.updateTable('kiosks').set({ public_key: req.publicKey, enrolled_at: at }).where('id', '=', kiosk.id).execute();
    await trx.updateTable('kiosk_enrollments').set({ used_at: at, used_by_key: req.publicKey }).where('code_hash', '=', row.code_hash).execute();
    // the previous device's session tokens stop here (they are bound to its key anyway)
    await trx.deleteFrom('kiosk_sessions').where('kiosk_id', '=', kiosk.id).execute();
    await appendAudit(trx, dialect, {
      actor: { kind: 'system', id: `kiosk:${kiosk.id}` },
      action: 'kiosk.enrolled',
      subjectPersonId: null,
      documentId: null,
      ground: 'enrollment-code',
      detail: { kioskId: kiosk.id, replacedKey },
      at,
    });
    return { ...answer, replacedKey };
  });
}

/** Revokes a kiosk: refused at once everywhere (the caller drops its live connections). */
export async function revokeKiosk(
  db: Kysely<Database>,
  dialect: Dialect,
  o: { kioskId: string; actor: StaffActorRef; now?: Date },
): Promise<{ kioskId: string; changed: boolean; revokedAt: string }> {
  const at = (o.now ?? new Date()).toISOString();
  return db.transaction().execute(async (trx) => {
    const kiosk = await trx.selectFrom('kiosks').select(['id', 'revoked_at']).where('id', '=', o.kioskId).executeTakeFirst();
    if (!kiosk) throw new KioskAdminError('unknown-kiosk', `no kiosk ${o.kioskId}`);
    if (kiosk.revoked_at !== null) return { kioskId: kiosk.id, changed: false, revokedAt: kiosk.revoked_at };
    await trx.updateTable('kiosks').set({ revoked_at: at }).where('id', '=', kiosk.id).execute();
    await trx.deleteFrom('kiosk_sessions').where('kiosk_id', '=', kiosk.id).execute();
    await trx.updateTable('kiosk_enrollments').set({ expires_at: at }).where('kiosk_id', '=', kiosk.id).where('used_at', 'is', null).execute();
    await appendAudit(trx, dialect, {
      actor: o.actor,
      action: 'kiosk.revoke',
      subjectPersonId: null,
      documentId: null,
      ground: 'staff-administration',
      detail: { kioskId: kiosk.id },
      at,
    });
    return { kioskId: kiosk.id, changed: true, revokedAt: at };
  });
}

export interface KioskSummary {
  id: string;
  name: string;
  institutionId: string | null;
  status: 'not-enrolled' | 'enrolled' | 'revoked';
  enrolledAt: string | null;
  revokedAt: string | null;
  lastSeq: number;
  settingsVersion: number;
  /** unused enrollment codes still valid */
  pendingCodes: number;
}

export async function listKiosks(db: Kysely<Database>, now: Date = new Date()): Promise<KioskSummary[]> {
  const rows = await db
    .selectFrom('kiosks')
    .select(['id', 'name', 'institution_id', 'public_key', 'enrolled_at', 'revoked_at', 'last_seq', 'settings_version'])
    .orderBy('id')
    .execute();
  const pending = await db
    .selectFrom('kiosk_enrollments')
    .select(['kiosk_id', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .groupBy('kiosk_id')
    .execute();
  const pendingOf = new Map(pending.map((p) => [p.kiosk_id, Number(p.n)]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    institutionId: r.institution_id,
    status: r.revoked_at !== null ? 'revoked' : r.public_key !== null ? 'enrolled' : 'not-enrolled',
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    lastSeq: r.last_seq,
    settingsVersion: r.settings_version,
    pendingCodes: pendingOf.get(r.id) ?? 0,
  }));
}
