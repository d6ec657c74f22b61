/**
 * The kiosk ↔ server realtime protocol (socket.io, namespace `/kiosk`).
 * Every message is validated with these schemas on arrival; acknowledgements carry typed errors.
 */
import { z } from 'zod';
import { KioskId, LIMITS, PersonRole, Uuid } from './common.ts';
import { DirectoryArea } from './departement.ts';
import { CROCKFORD } from './identifier.ts';
import { Mutation } from './mutations.ts';
import { RevocationList } from './revocation.ts';

export const KIOSK_NAMESPACE = '/kiosk';

/**
 * HTTP credentials of a kiosk (blob uploads): its id and a short-lived session token that the server
 * issued against a signed challenge (`TOKEN_PATH`). No long-lived secret crosses the wire.
 */
export const KioskAuth = z.object({ kioskId: KioskId, token: z.string().min(16).max(200) });
export type KioskAuth = z.infer<typeof KioskAuth>;

// ---------------------------------------------------------------------------------------------------
// Device enrollment and authentication (DESIGN.md §5, §6)
//
// At first start the kiosk generates an ECDSA P-256 key pair and registers its public key with a
// one-time enrollment code created by staff. From then on it proves who it is by signing a fresh
// server challenge: for each socket.io connection (the handshake carries kioskId, challenge, signature)
// and to obtain a short-lived session token for HTTP (blob uploads). Challenges carry the server's time
// only, so a kiosk whose clock is wrong authenticates all the same.
// ---------------------------------------------------------------------------------------------------

export const ENROLL_PATH = '/sync/enroll';
export const CHALLENGE_PATH = '/sync/auth/challenge';
export const TOKEN_PATH = '/sync/auth/token';

const base64url = (min: number, max: number, what: string) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`), `${what} invalide`);

/** SubjectPublicKeyInfo (DER) of a P-256 key, base64url without padding (91 bytes → 122 characters). */
export const DevicePublicKey = base64url(80, 200, 'clé publique');
/** ECDSA P-256 / SHA-256 signature, raw r‖s (64 bytes), base64url without padding. */
export const DeviceSignature = base64url(86, 86, 'signature');
export const AuthChallenge = base64url(32, 128, 'défi');

/** The enrollment code staff give to a kiosk: 16 characters of Crockford's base 32, shown in groups of 4. */
export const ENROLLMENT_CODE_LENGTH = 16;

/** Canonical form of a typed enrollment code (upper case, no separators, O→0, I/L→1), or null. */
export function normalizeEnrollmentCode(raw: string): string | null {
  const s = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== ENROLLMENT_CODE_LENGTH) return null;
  for (const ch of s) if (!CROCKFORD.includes(ch)) return null;
  return s;
}

/** `ABCD-EFGH-JKMN-PQRS`, as printed for staff. */
export function formatEnrollmentCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/** kiosk → server, `POST ENROLL_PATH`: the code, the new public key, and a signature proving the kiosk holds its private key. */
export const EnrollRequest = z.strictObject({
  code: z.string().min(1).max(40),
  publicKey: DevicePublicKey,
  /** signature of `enrollmentPayload(normalizedCode, publicKey)` with the new private key */
  proof: DeviceSignature,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;
export const EnrollResponse = z.object({
  kioskId: KioskId,
  name: z.string().max(200),
  institutionId: z.string().max(64).nullable(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** kiosk → server, `POST CHALLENGE_PATH`: a fresh one-time challenge bound to this kiosk id. */
export const ChallengeRequest = z.strictObject({ kioskId: KioskId });
export const ChallengeResponse = z.object({ challenge: AuthChallenge, expiresInS: z.number().int().positive() });
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

/** The socket.io handshake `auth` of a kiosk; also the body of `POST TOKEN_PATH`. */
export const KioskHandshake = z.strictObject({ kioskId: KioskId, challenge: AuthChallenge, signature: DeviceSignature });
export type KioskHandshake = z.infer<typeof KioskHandshake>;
export const TokenResponse = z.object({ token: z.string().min(16).max(200), expiresInS: z.number().int().positive() });
export type TokenResponse = z.infer<typeof TokenResponse>;

/** What a signed challenge is for: a signature made for one use is worthless for the other. */
export type AuthPurpose = 'socket' | 'token';

/** The text a kiosk signs to answer a challenge. */
export function kioskAuthPayload(kioskId: string, challenge: string, purpose: AuthPurpose): string {
  return `fac-kiosk-auth/v1\n${purpose}\n${kioskId}\n${challenge}`;
}

/** The text a kiosk signs at enrollment, with the key it registers. */
export function enrollmentPayload(normalizedCode: string, publicKey: string): string {
  return `fac-kiosk-enroll/v1\n${normalizedCode}\n${publicKey}`;
}

/** Messages of a refused handshake (`connect_error`): `unauthorized` (unknown kiosk, bad or replayed signature), `revoked`. */
export const HANDSHAKE_ERROR = { unauthorized: 'unauthorized', revoked: 'revoked' } as const;

/** server → kiosk, `EVENTS.revoked`, just before the server drops the connections of a revoked kiosk. */
export const RevokedNotice = z.object({ at: z.string().max(40) });

export const ErrorCode = z.enum([
  'invalid', // the message does not match its schema
  'gap', // a mutation arrived before its predecessor: resend from expectedSeq
  'blob_missing', // a referenced blob was not uploaded
  'blob_mismatch', // a blob's content does not match its hash
  'forbidden', // the access policy refused
  'unknown', // the thing asked for does not exist
  'too_large',
  'internal',
  'unprintable', // a paper or a dossier could not be made into a PDF (a damaged file, or over the print limits)
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ProtocolError = z.object({
  code: ErrorCode,
  message: z.string(),
  expectedSeq: z.number().int().positive().optional(),
  seq: z.number().int().positive().optional(),
});
export type ProtocolError = z.infer<typeof ProtocolError>;

const fail = z.object({ ok: z.literal(false), error: ProtocolError });

/** kiosk → server: `sync:hello`, ack → where the server stands for this kiosk. */
export const HelloRequest = z.object({
  clientTime: z.iso.datetime({ offset: true }),
  /** the version of the revocation list the kiosk holds (0: none); an older one gets the current list pushed */
  revocationsVersion: z.number().int().nonnegative().optional(),
  /** the version of the configuration the kiosk holds (0: none); an older one gets the current one pushed */
  configVersion: z.number().int().nonnegative().optional(),
});
export type HelloRequest = z.infer<typeof HelloRequest>;
export const HelloAck = z.union([
  z.object({
    ok: z.literal(true),
    lastSeq: z.number().int().nonnegative(),
    /** the id of the mutation applied at lastSeq (null when none): the kiosk checks it is its own */
    lastId: z.uuid().nullable(),
    serverTime: z.string(),
  }),
  fail,
]);
export type HelloAck = z.infer<typeof HelloAck>;

/** kiosk → server: `sync:mutations`; the ack is sent only after the transactions commit. */
export const MutationsRequest = z.object({
  mutations: z.array(Mutation).min(1).max(LIMITS.mutationsPerBatch),
});
export type MutationsRequest = z.infer<typeof MutationsRequest>;
/**
 * `refused`: the server will never apply this mutation (no valid proof of the card, a blocked card, an
 * owner or document it does not know): its seq is used up so the mutations after it go through, the
 * refusal is journaled, and the kiosk drops it, saying so.
 */
export const MutationResult = z.union([
  z.object({ seq: z.number().int().positive(), id: z.uuid(), status: z.enum(['applied', 'duplicate']) }),
  z.object({ seq: z.number().int().positive(), id: z.uuid(), status: z.literal('refused'), error: ProtocolError }),
]);
export type MutationResult = z.infer<typeof MutationResult>;
export const MutationsAck = z.union([
  z.object({ ok: z.literal(true), lastSeq: z.number().int().nonnegative(), results: z.array(MutationResult) }),
  fail.extend({ lastSeq: z.number().int().nonnegative().optional(), results: z.array(MutationResult).optional() }),
]);
export type MutationsAck = z.infer<typeof MutationsAck>;

/** kiosk → server: `card:holder`, who holds this card (first name for the greeting). */
export const CardholderRequest = z.object({ identifier: z.string().max(40) });
export const CardholderAck = z.union([
  z.object({
    ok: z.literal(true),
    firstName: z.string().max(100),
    role: PersonRole,
  }),
  fail,
]);
export type CardholderAck = z.infer<typeof CardholderAck>;

/** Settings staff set for one kiosk, pushed to it (kind `config`); what is absent keeps the kiosk's own default. */
export const KioskSettings = z.strictObject({
  /** the name shown on the kiosk's screen */
  displayName: z.string().trim().min(1).max(100).optional(),
  /** inactivity before a session ends, and the countdown shown before it */
  idleTimeoutS: z.number().int().min(15).max(3600).optional(),
  idleWarningS: z.number().int().min(5).max(300).optional(),
  /**
   * the départements whose offices the kiosk keeps a copy of (directory:sync); absent: the département
   * of the office the kiosk stands in, else the whole directory
   */
  directoryArea: DirectoryArea.optional(),
});
export type KioskSettings = z.infer<typeof KioskSettings>;
export const ConfigPushBody = z.strictObject({ version: z.number().int().positive(), settings: KioskSettings });
export type ConfigPushBody = z.infer<typeof ConfigPushBody>;

/** Commands staff can send to a kiosk (kind `admin-command`); each is carried out at most once (by push id). */
export const AdminCommandName = z.enum([
  'sync-now', // drain the outbox now instead of waiting for the backoff
  'end-session', // end the session open on the kiosk (card left behind…)
  'reload', // reload the screens
]);
export type AdminCommandName = z.infer<typeof AdminCommandName>;
export const AdminCommand = z.strictObject({ command: AdminCommandName, reason: z.string().max(200).optional() });
export type AdminCommand = z.infer<typeof AdminCommand>;

/**
 * The status of an aid application changed, or its institution wrote (kind `application-status`): sent to
 * the kiosk the dossier was filed from, so an open session there reloads it. Ids and a status only: the
 * words are read in the person's session (protocol/applications.ts), and `message` is not sent.
 */
export const ApplicationStatus = z.enum(['submitted', 'in-review', 'missing-pieces', 'accepted', 'refused', 'closed']);
export const ApplicationStatusBody = z.strictObject({
  applicationId: Uuid,
  status: ApplicationStatus,
  at: z.iso.datetime({ offset: true }),
  message: z.string().max(500).optional(),
});
export type ApplicationStatusBody = z.infer<typeof ApplicationStatusBody>;

/**
 * server → kiosk: `sync:push`, acknowledged by the kiosk with PushAck. A push keeps its id until it is
 * acknowledged and is sent again (same id) after a reconnection, so handling it must be idempotent: the
 * kiosk records the ids it processed and acknowledges a repeated one without applying it again.
 * `revocations` and `config` carry a version (the newest wins); `admin-command` and
 * `application-status` are queued and delivered in order, each once.
 */
export const PushMessage = z.discriminatedUnion('kind', [
  z.object({ id: Uuid, kind: z.literal('revocations'), body: RevocationList }),
  z.object({ id: Uuid, kind: z.literal('config'), body: ConfigPushBody }),
  z.object({ id: Uuid, kind: z.literal('admin-command'), body: AdminCommand }),
  z.object({ id: Uuid, kind: z.literal('application-status'), body: ApplicationStatusBody }),
]);
export type PushMessage = z.infer<typeof PushMessage>;
export type PushKind = PushMessage['kind'];
export type PushOf<K extends PushKind> = Extract<PushMessage, { kind: K }>;
export const PushAck = z.union([z.object({ ok: z.literal(true) }), fail]);
export type PushAck = z.infer<typeof PushAck>;

export const EVENTS = {
  hello: 'sync:hello',
  mutations: 'sync:mutations',
  cardholder: 'card:holder',
  push: 'sync:push',
  /** server → kiosk: this kiosk was revoked; the connection is dropped right after */
  revoked: 'sync:revoked',
} as const;

/** Blob uploads use tus at this path; metadata `sha256` and `mime` are required. */
export const TUS_PATH = '/sync/blobs/';
/** HTTP header carrying kiosk credentials for blob uploads: `Kiosk <kioskId>:<token>`. */
export function kioskAuthorization(auth: KioskAuth): string {
  return `Kiosk ${auth.kioskId}:${auth.token}`;
}
export function parseKioskAuthorization(header: string | undefined): KioskAuth | null {
  const m = /^Kiosk ([^:\s]+):(\S+)$/.exec(header ?? '');
  if (!m) return null;
  const r = KioskAuth.safeParse({ kioskId: m[1], token: m[2] });
  return r.success ? r.data : null;
}
