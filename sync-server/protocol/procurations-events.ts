/**
 * The procuration numérique over the kiosk socket (events in events.ts): making one (both cards in the
 * box, the person's joined session), the person's list (« Qui peut agir pour moi »), withdrawing one
 * (the person's card proves it is there, as for a write: `revokeAct` signed like a mutation), the agent's
 * list of the people who gave them one, and the printed copy.
 */
import { z } from 'zod';
import { PaperCategory } from './agents.ts';
import { IsoDate, IsoDateTime, NamedRef, Uuid } from './common.ts';
import { PdfAck } from './applications.ts';
import { WriteProof } from './mutations.ts';
import type { Ground } from './mutations.ts';
import { ProcurationAction, ProcurationScope, ProcurationText, SignedProcuration } from './procuration.ts';
import { AckFailure, OkAck, SessionRequest } from './vault.ts';

export const PROCURATION_EVENTS = {
  create: 'procurations:create',
  mine: 'procurations:mine',
  revoke: 'procurations:revoke',
  caseload: 'procurations:caseload',
  pdf: 'procurations:pdf',
  structure: 'procurations:structure',
  act: 'procurations:act',
  search: 'procurations:search',
} as const;

const fail = AckFailure;
/** A structure as a procuration names it. */
const StructureRef = NamedRef;

/**
 * A signed procuration as it crosses the socket: complete, but without the text's date rules, which the
 * server judges itself so that a refused one is journaled and answered in its words.
 */
export const SignedProcurationWire = SignedProcuration.extend({ text: z.strictObject(ProcurationText.shape) });
export type SignedProcurationWire = z.infer<typeof SignedProcurationWire>;

/** In the beneficiary's session joined to the agent's: both cards are in the box. */
export const CreateProcurationRequest = SessionRequest.extend({ procuration: SignedProcurationWire });
export const CreateProcurationAck = z.union([z.object({ ok: z.literal(true), id: Uuid, renewed: Uuid.nullable() }), fail]);
export type CreateProcurationAck = z.infer<typeof CreateProcurationAck>;

export const ProcurationState = z.enum(['in-force', 'not-yet', 'expired', 'revoked-person', 'revoked-structure', 'renewed']);
export type ProcurationState = z.infer<typeof ProcurationState>;

/** One procuration as « Qui peut agir pour moi » shows it. */
export const ProcurationListItem = z.object({
  id: Uuid,
  agent: z.object({ name: z.string(), identifier: z.string() }),
  structure: StructureRef,
  scope: ProcurationScope,
  /** the scope in the person's words: actions, then papers, then aids */
  actionsWords: z.array(z.string()),
  categoriesWords: z.array(z.string()),
  aidsWords: z.array(z.string()),
  from: IsoDate,
  until: IsoDate,
  createdAt: IsoDateTime,
  place: z.string(),
  state: ProcurationState,
  stateLabel: z.string(),
  revokedAt: IsoDateTime.nullable(),
  renews: Uuid.nullable(),
  /** what the agent did under it: how many acts, and the last ones in words */
  acts: z.object({ count: z.number().int().nonnegative(), last: z.array(z.object({ at: IsoDateTime, what: z.string() })) }),
});
export type ProcurationListItem = z.infer<typeof ProcurationListItem>;

export const MineAck = z.union([z.object({ ok: z.literal(true), procurations: z.array(ProcurationListItem) }), fail]);
export type MineAck = z.infer<typeof MineAck>;

/** What the person's card signs to withdraw a procuration (INTERNAL AUTHENTICATE, as a write: `proofMessage`). */
export function revokeAct(procurationId: string, cardSerial: string): { type: 'procuration.revoke'; payload: { procurationId: string; ground: Ground } } {
  return { type: 'procuration.revoke', payload: { procurationId, ground: { kind: 'own-card', cardSerial } } };
}

export const RevokeProcurationRequest = SessionRequest.extend({
  procurationId: Uuid,
  /** the act's id, bound into what the card signed */
  actId: Uuid,
  proof: WriteProof,
  reason: z.string().trim().max(300).optional(),
});
export const RevokeProcurationAck = OkAck;

/** One person who gave this agent a procuration in force. */
export const CaseloadEntry = z.object({
  procurationId: Uuid,
  personIdentifier: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  until: IsoDate,
  categories: z.array(PaperCategory),
  actions: z.array(ProcurationAction),
  aids: z.array(z.string()),
});
export type CaseloadEntry = z.infer<typeof CaseloadEntry>;
export const CaseloadAck = z.union([z.object({ ok: z.literal(true), people: z.array(CaseloadEntry) }), fail]);
export type CaseloadAck = z.infer<typeof CaseloadAck>;

export const ProcurationPdfRequest = SessionRequest.extend({ procurationId: Uuid });
export const ProcurationPdfAck = PdfAck;

/** The agent's structure as the platform knows it (in the agent's session): what a procuration names. */
export const StructureAck = z.union([z.object({ ok: z.literal(true), structure: StructureRef.nullable() }), fail]);
export type StructureAck = z.infer<typeof StructureAck>;

/**
 * The agent, alone at the box (their own card's session), acts for one person of their caseload on the
 * procuration that person signed: the server opens a session on that person's vault, decided at every
 * call on the procuration ground (level ∩ what the person allowed, the procuration still in force).
 */
export const ActForRequest = SessionRequest.extend({ procurationId: Uuid });
export const ActForAck = z.union([
  z.object({
    ok: z.literal(true),
    sessionId: Uuid,
    expiresAt: IsoDateTime,
    person: z.object({ identifier: z.string(), firstName: z.string(), lastName: z.string() }),
    until: IsoDate,
    /** what the person allowed (the kiosk offers only that; the server decides every call anyway) */
    actions: z.array(ProcurationAction).default([]),
  }),
  fail,
]);
export type ActForAck = z.infer<typeof ActForAck>;

/**
 * The agent, alone at the box, searches the papers of all the people who gave them a procuration, within
 * what each allows and their level; each person of whom a paper is shown reads it in their journal.
 */
export const CaseloadSearchRequest = SessionRequest.extend({ query: z.string().trim().min(1, 'écrivez ce que vous cherchez').max(200) });
export const CaseloadHit = z.object({
  procurationId: Uuid,
  person: z.object({ identifier: z.string(), firstName: z.string(), lastName: z.string() }),
  documentId: Uuid,
  title: z.string(),
  docType: z.string(),
  vault: z.enum(['personal', 'institutional']),
  updatedAt: IsoDateTime,
  /** the words found, between [ and ] (empty when the engine gives none) */
  snippet: z.string(),
});
export type CaseloadHit = z.infer<typeof CaseloadHit>;
export const CaseloadSearchAck = z.union([z.object({ ok: z.literal(true), hits: z.array(CaseloadHit) }), fail]);
export type CaseloadSearchAck = z.infer<typeof CaseloadSearchAck>;
