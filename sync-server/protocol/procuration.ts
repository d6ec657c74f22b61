/**
 * The procuration numérique: what a person allows an agent (of a structure) to do for them without
 * them present, for how long. The person's card signs it (PSO:CDS over SHA-256 of `procurationBytes`),
 * the agent's card countersigns (PSO:CDS over SHA-256 of `countersignBytes`: the same text and the
 * person's signature). The server stores both and checks them, with the cards' certificates and status,
 * the dates and the scope, on every use. Revocable by the person and by the structure at any time; it
 * ends by itself at `until`. A renewal is a new procuration that names the one it renews.
 *
 * Pure and shared: the kiosk builds and shows it, the server verifies and prints it.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import type { Json } from './canonical-json.ts';
import { IsoDate, IsoDateTime, NamedRef, Uuid } from './common.ts';
import { PaperCategory } from './agents.ts';
import type { AgentAction } from './agents.ts';
import { CardSerial } from './revocation.ts';

export const PROCURATION_CONTEXT = 'FACILITATEUR-PROCURATION-V1';
export const COUNTERSIGN_CONTEXT = 'FACILITATEUR-PROCURATION-CONTRESEING-V1';

/** At least a day, at most a year (Aidants Connect: a day or twelve months; here any length between). */
export const PROCURATION_MIN_DAYS = 1;
export const PROCURATION_MAX_DAYS = 366;
/**
 * How far ahead of its signing a procuration may start: a few weeks (a planned absence, a stay in
 * hospital), not a text signed today to come alive in years, when the person no longer remembers it.
 * And it may not start before the day it was signed (one day of slack for the clocks around midnight).
 */
export const PROCURATION_MAX_START_DAYS = 90;

/**
 * What the person allows, in the words the screen and the PDF use:
 *  - `consult`: look at my papers;
 *  - `scan-for`: add papers to my vault for me;
 *  - `adapt-checklist`: change the list of papers of my requests;
 *  - `file`: start a request for me;
 *  - `send-without-me`: send my requests without me;
 *  - `write-in-my-name`: write to institutions in my name.
 */
export const ProcurationAction = z.enum(['consult', 'scan-for', 'adapt-checklist', 'file', 'send-without-me', 'write-in-my-name']);
export type ProcurationAction = z.infer<typeof ProcurationAction>;

/** The agent action a procuration action allows (the level must allow it too). */
export const AGENT_ACTION_OF: Readonly<Record<ProcurationAction, AgentAction>> = {
  consult: 'consult',
  'scan-for': 'scan-for',
  'adapt-checklist': 'adapt-checklist',
  file: 'file',
  'send-without-me': 'send',
  'write-in-my-name': 'message',
};

const Party = z.strictObject({
  /** the identifier printed on the card (FAC-XXXX-XXXX-XXXX) */
  identifier: z.string().min(3).max(40),
  /** as printed: first and last name */
  name: z.string().min(1).max(120),
  cardSerial: CardSerial,
});

export const ProcurationScope = z.strictObject({
  /** aid ids of the catalogue, or ['*'] for every procedure */
  aids: z.array(z.string().min(1).max(60)).min(1).max(40),
  categories: z.array(PaperCategory).min(1).max(7),
  actions: z.array(ProcurationAction).min(1).max(6),
});
export type ProcurationScope = z.infer<typeof ProcurationScope>;

export const ProcurationText = z
  .strictObject({
    context: z.literal(PROCURATION_CONTEXT),
    id: Uuid,
    person: Party,
    agent: Party.extend({ structure: NamedRef }),
    scope: ProcurationScope,
    /** first and last day it may be used (Paris days, inclusive) */
    from: IsoDate,
    until: IsoDate,
    madeAt: z.strictObject({ kioskId: z.string().max(64), place: z.string().max(160) }),
    createdAt: IsoDateTime,
    /** the procuration this one renews (it ends when this one is stored) */
    renews: Uuid.nullable(),
  })
  .refine((p) => p.from <= p.until, { message: 'la fin est avant le début', path: ['until'] })
  .refine((p) => daysBetween(p.from, p.until) + 1 >= PROCURATION_MIN_DAYS && daysBetween(p.from, p.until) + 1 <= PROCURATION_MAX_DAYS, {
    message: 'une procuration dure d’un jour à un an',
    path: ['until'],
  });
export type ProcurationText = z.infer<typeof ProcurationText>;

/** A signed procuration as the kiosk sends it and the server stores it (signatures: raw r||s, base64). */
export const SignedProcuration = z.strictObject({
  text: ProcurationText,
  personSignature: z.string().min(80).max(120),
  agentSignature: z.string().min(80).max(120),
  /** DER certificates of both cards, base64: checked against the platform CA and the cards' status */
  personCertificate: z.string().min(100).max(4000),
  agentCertificate: z.string().min(100).max(4000),
});
export type SignedProcuration = z.infer<typeof SignedProcuration>;

/**
 * When a procuration signed on `signedDay` (Paris) may start: that day (or the day before, for the clocks
 * around midnight) up to PROCURATION_MAX_START_DAYS later. The problem in words, or null. Checked by the
 * kiosk before any card signs and by the server before it stores; not part of ProcurationText, so texts
 * stored before the rule still read.
 */
export function startProblem(signedDay: string, from: string): string | null {
  const ahead = daysBetween(signedDay, from);
  if (ahead < -1) return 'elle ne peut pas commencer avant le jour où elle est signée';
  if (ahead > PROCURATION_MAX_START_DAYS) return `elle doit commencer dans les ${PROCURATION_MAX_START_DAYS} jours qui suivent sa signature`;
  return null;
}

export function daysBetween(from: string, until: string): number {
  return Math.round((Date.parse(`${until}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}

/** The exact bytes the person's card signs. */
export function procurationBytes(text: ProcurationText): Uint8Array {
  return new TextEncoder().encode(canonicalJson(text as unknown as Json));
}

/** The exact bytes the agent's card signs: the same text, and the person's signature over it. */
export function countersignBytes(text: ProcurationText, personSignature: string): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ context: COUNTERSIGN_CONTEXT, procuration: text as unknown as Json, personSignature }));
}

/** Whether the procuration may be used on `day` (a Paris calendar day, YYYY-MM-DD). */
export function inForce(p: { from: string; until: string; revokedAt: string | null }, day: string): boolean {
  return p.revokedAt === null && p.from <= day && day <= p.until;
}
