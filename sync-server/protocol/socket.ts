/**
 * The kiosk ↔ server realtime protocol (socket.io, namespace `/kiosk`).
 * Every message is validated with these schemas on arrival; acknowledgements carry typed errors.
 */
import { z } from 'zod';
import { KioskId, LIMITS, Uuid } from './common.ts';
import { Mutation } from './mutations.ts';
import { RevocationList } from './revocation.ts';

export const KIOSK_NAMESPACE = '/kiosk';

export const KioskAuth = z.object({ kioskId: KioskId, token: z.string().min(16).max(200) });
export type KioskAuth = z.infer<typeof KioskAuth>;

export const ErrorCode = z.enum([
  'invalid', // the message does not match its schema
  'gap', // a mutation arrived before its predecessor: resend from expectedSeq
  'blob_missing', // a referenced blob was not uploaded
  'blob_mismatch', // a blob's content does not match its hash
  'forbidden', // the access policy refused
  'unknown', // the thing asked for does not exist
  'too_large',
  'internal',
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
export const MutationResult = z.object({
  seq: z.number().int().positive(),
  id: z.uuid(),
  status: z.enum(['applied', 'duplicate']),
});
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
    role: z.enum(['beneficiary', 'agent']),
  }),
  fail,
]);
export type CardholderAck = z.infer<typeof CardholderAck>;

/**
 * server → kiosk: `sync:push`, acknowledged by the kiosk with PushAck. A push keeps its id until it is
 * acknowledged and is sent again (same id) after a reconnection, so handling it must be idempotent.
 * Discriminated on `kind`; more kinds (configuration, admin commands, application status) come later.
 */
export const PushMessage = z.discriminatedUnion('kind', [
  z.object({ id: Uuid, kind: z.literal('revocations'), body: RevocationList }),
]);
export type PushMessage = z.infer<typeof PushMessage>;
export type PushKind = PushMessage['kind'];
export const PushAck = z.union([z.object({ ok: z.literal(true) }), fail]);
export type PushAck = z.infer<typeof PushAck>;

export const EVENTS = {
  hello: 'sync:hello',
  mutations: 'sync:mutations',
  cardholder: 'card:holder',
  push: 'sync:push',
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
