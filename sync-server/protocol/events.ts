/**
 * The one table of the kiosk ↔ server socket events (socket.io, namespace `/kiosk`): for each event the
 * kiosk sends, the schema of its request and of the server's acknowledgement; for each event the server
 * sends, the schema of its message and of the kiosk's acknowledgement. Both sides are typed from it and
 * validate with it: the server parses each request before its handler sees it and each acknowledgement
 * before it leaves (sync-server/src/edge/socket/handle.ts); the kiosk parses each acknowledgement before
 * its caller sees it (kiosk/core/sync/client.ts, `request`). Nothing crosses as `unknown`.
 *
 * The schemas themselves live beside their subject (socket.ts, vault.ts, applications.ts,
 * procurations-events.ts); the event names stay the constants `EVENTS`, `VAULT_EVENTS`, `AID_EVENTS` and
 * `PROCURATION_EVENTS`. Adding an event without its entry
 * here does not compile.
 */
import type { z } from 'zod';
import {
  AdaptAck,
  AdaptRequest,
  AID_EVENTS,
  ApplicationsListAck,
  ApplicationsListRequest,
  CatalogueAck,
  CatalogueRequest,
  ChoosePieceRequest,
  CreateAck,
  CreateRequest,
  DossierAck,
  DossierRequest,
  MessageRequest,
  NoticesSeenRequest,
  PdfAck,
  PrepareAck,
  PrepareRequest,
  SimulateAck,
  SimulateRequest,
  SubmitAck,
  SubmitRequest,
} from './applications.ts';
import {
  ActForAck,
  ActForRequest,
  CaseloadAck,
  CaseloadSearchAck,
  CaseloadSearchRequest,
  CreateProcurationAck,
  CreateProcurationRequest,
  MineAck,
  PROCURATION_EVENTS,
  ProcurationPdfAck,
  ProcurationPdfRequest,
  RevokeProcurationAck,
  RevokeProcurationRequest,
  StructureAck,
} from './procurations-events.ts';
import {
  CardholderAck,
  CardholderRequest,
  EVENTS,
  HelloAck,
  HelloRequest,
  MutationsAck,
  MutationsRequest,
  PushAck,
  PushMessage,
  RevokedNotice,
} from './socket.ts';
import {
  AuditAck,
  ChallengeAck,
  DocumentRequest,
  FileAck,
  FileRequest,
  GetAck,
  InstitutionsAck,
  DirectorySyncAck,
  RepliesAck,
  RepliesSeenAck,
  RepliesSeenRequest,
  DirectorySyncRequest,
  InstitutionsRequest,
  ListAck,
  OkAck,
  DepositNoticesAck,
  DepositNoticesSeenRequest,
  OpenSessionAck,
  OpenSessionRequest,
  PdfRequest,
  SearchRequest,
  SessionChallengeRequest,
  SessionRequest,
  VAULT_EVENTS,
} from './vault.ts';

/** What every acknowledgement is, whatever else it carries: its outcome, and on refusal a typed error. */
export type Acked = { ok: true } | { ok: false; error: { code: string; message: string } };

/** One kiosk → server event: what the kiosk sends, what the server answers. */
export interface KioskEventSpec {
  request: z.ZodType;
  ack: z.ZodType<Acked>;
}

type ValueOf<T> = T[keyof T];
/** Every event the kiosk sends, by its name constant: the table below must hold each, and nothing else. */
type KioskEventNames = Exclude<ValueOf<typeof EVENTS>, typeof EVENTS.push | typeof EVENTS.revoked> | ValueOf<typeof VAULT_EVENTS> | ValueOf<typeof AID_EVENTS> | ValueOf<typeof PROCURATION_EVENTS>;

/** kiosk → server: each event's request and acknowledgement. */
export const KIOSK_EVENTS = {
  // the sync itself (socket.ts)
  [EVENTS.hello]: { request: HelloRequest, ack: HelloAck },
  [EVENTS.mutations]: { request: MutationsRequest, ack: MutationsAck },
  [EVENTS.cardholder]: { request: CardholderRequest, ack: CardholderAck },
  // the person session and the vault's reads (vault.ts)
  [VAULT_EVENTS.challenge]: { request: SessionChallengeRequest, ack: ChallengeAck },
  [VAULT_EVENTS.open]: { request: OpenSessionRequest, ack: OpenSessionAck },
  [VAULT_EVENTS.close]: { request: SessionRequest, ack: OkAck },
  [VAULT_EVENTS.list]: { request: SessionRequest, ack: ListAck },
  [VAULT_EVENTS.search]: { request: SearchRequest, ack: ListAck },
  [VAULT_EVENTS.get]: { request: DocumentRequest, ack: GetAck },
  [VAULT_EVENTS.file]: { request: FileRequest, ack: FileAck },
  [VAULT_EVENTS.pdf]: { request: PdfRequest, ack: FileAck },
  [VAULT_EVENTS.audit]: { request: SessionRequest, ack: AuditAck },
  [VAULT_EVENTS.notices]: { request: SessionRequest, ack: DepositNoticesAck },
  [VAULT_EVENTS.noticesSeen]: { request: DepositNoticesSeenRequest, ack: OkAck },
  [VAULT_EVENTS.institutions]: { request: InstitutionsRequest, ack: InstitutionsAck },
  [VAULT_EVENTS.directory]: { request: DirectorySyncRequest, ack: DirectorySyncAck },
  [VAULT_EVENTS.replies]: { request: SessionRequest, ack: RepliesAck },
  [VAULT_EVENTS.repliesSeen]: { request: RepliesSeenRequest, ack: RepliesSeenAck },
  // the aid space (applications.ts)
  [AID_EVENTS.catalogue]: { request: CatalogueRequest, ack: CatalogueAck },
  [AID_EVENTS.simulate]: { request: SimulateRequest, ack: SimulateAck },
  [AID_EVENTS.list]: { request: ApplicationsListRequest, ack: ApplicationsListAck },
  [AID_EVENTS.create]: { request: CreateRequest, ack: CreateAck },
  [AID_EVENTS.get]: { request: DossierRequest, ack: DossierAck },
  [AID_EVENTS.choosePiece]: { request: ChoosePieceRequest, ack: OkAck },
  [AID_EVENTS.adapt]: { request: AdaptRequest, ack: AdaptAck },
  [AID_EVENTS.prepare]: { request: PrepareRequest, ack: PrepareAck },
  [AID_EVENTS.submit]: { request: SubmitRequest, ack: SubmitAck },
  [AID_EVENTS.withdraw]: { request: DossierRequest, ack: OkAck },
  [AID_EVENTS.message]: { request: MessageRequest, ack: OkAck },
  [AID_EVENTS.dossierPdf]: { request: DossierRequest, ack: PdfAck },
  [AID_EVENTS.receiptPdf]: { request: DossierRequest, ack: PdfAck },
  [AID_EVENTS.noticesSeen]: { request: NoticesSeenRequest, ack: OkAck },
  // the procuration numérique (procurations-events.ts)
  [PROCURATION_EVENTS.create]: { request: CreateProcurationRequest, ack: CreateProcurationAck },
  [PROCURATION_EVENTS.mine]: { request: SessionRequest, ack: MineAck },
  [PROCURATION_EVENTS.revoke]: { request: RevokeProcurationRequest, ack: RevokeProcurationAck },
  [PROCURATION_EVENTS.caseload]: { request: SessionRequest, ack: CaseloadAck },
  [PROCURATION_EVENTS.pdf]: { request: ProcurationPdfRequest, ack: ProcurationPdfAck },
  [PROCURATION_EVENTS.structure]: { request: SessionRequest, ack: StructureAck },
  [PROCURATION_EVENTS.act]: { request: ActForRequest, ack: ActForAck },
  [PROCURATION_EVENTS.search]: { request: CaseloadSearchRequest, ack: CaseloadSearchAck },
} as const satisfies { [E in KioskEventNames]: KioskEventSpec };

/** server → kiosk: each event's message and the kiosk's acknowledgement (null: none is asked for). */
export const SERVER_EVENTS = {
  [EVENTS.push]: { message: PushMessage, ack: PushAck },
  /** just before the server drops the connections of a revoked kiosk */
  [EVENTS.revoked]: { message: RevokedNotice, ack: null },
} as const satisfies Record<typeof EVENTS.push | typeof EVENTS.revoked, { message: z.ZodType; ack: z.ZodType<Acked> | null }>;

type KioskEvents = typeof KIOSK_EVENTS;
type ServerEvents = typeof SERVER_EVENTS;

/** A kiosk → server event. */
export type EventName = keyof KioskEvents;
/** What the kiosk may send for an event (before defaults apply). */
export type RequestOf<E extends EventName> = z.input<KioskEvents[E]['request']>;
/** The request as the server's handler gets it, once parsed. */
export type ParsedRequestOf<E extends EventName> = z.output<KioskEvents[E]['request']>;
/** The acknowledgement as the kiosk gets it, once parsed. */
export type AckOf<E extends EventName> = z.output<KioskEvents[E]['ack']>;
/** What the server's handler may answer (parsed again before it leaves). */
export type AckReplyOf<E extends EventName> = z.input<KioskEvents[E]['ack']>;
/** The events that run in a person session: their request names it. */
export type SessionEventName = { [E in EventName]: ParsedRequestOf<E> extends { sessionId: string } ? E : never }[EventName];

/** A refusal with any code and words: what the vault's and the aid space's acknowledgements may be (AckFailure). */
export type Refusal = { ok: false; error: { code: string; message: string } };
/** The events whose acknowledgement admits any Refusal. */
export type RefusableEventName = { [E in EventName]: Refusal extends AckReplyOf<E> ? E : never }[EventName];

/** A refusal as the acknowledgement of `E` (which admits any: that is what RefusableEventName selects). */
export function refusal<E extends RefusableEventName>(failure: Refusal): AckReplyOf<E> {
  return failure as AckReplyOf<E>;
}

/** A server → kiosk event. */
export type ServerEventName = keyof ServerEvents;
export type MessageOf<E extends ServerEventName> = z.output<ServerEvents[E]['message']>;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(KIOSK_EVENTS, name);
}

/** The schema of an event's request, typed for that event. */
export function requestSchema<E extends EventName>(event: E): z.ZodType<ParsedRequestOf<E>, RequestOf<E>> {
  // the table holds, for this very name, a schema of these types; TypeScript cannot follow a generic index
  return KIOSK_EVENTS[event].request as unknown as z.ZodType<ParsedRequestOf<E>, RequestOf<E>>;
}

/** The schema of an event's acknowledgement, typed for that event. */
export function ackSchema<E extends EventName>(event: E): z.ZodType<AckOf<E>, AckReplyOf<E>> {
  return KIOSK_EVENTS[event].ack as unknown as z.ZodType<AckOf<E>, AckReplyOf<E>>;
}

/**
 * Where an acknowledgement or a message does not match its schema: paths and codes, never the values
 * (an answer may hold a person's data). Acknowledgements are unions (ok, or a refusal): the branch whose
 * `ok` matched is the one that says what is wrong.
 */
export function describeIssues(error: z.ZodError, max = 3): string {
  const flat: { path: PropertyKey[]; code: string }[] = [];
  const walk = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): void => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const branches = issue.errors.filter((b) => b.length > 0);
        const matched = branches.filter((b) => !b.some((i) => i.path.length === 1 && i.path[0] === 'ok'));
        const best = (matched.length > 0 ? matched : branches).reduce<readonly z.core.$ZodIssue[] | null>((a, b) => (a === null || b.length < a.length ? b : a), null);
        if (best) {
          walk(best, path);
          continue;
        }
      }
      flat.push({ path, code: issue.code });
    }
  };
  walk(error.issues, []);
  return flat
    .slice(0, max)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(racine)'}: ${i.code}`)
    .join('; ');
}
