/**
 * Mutations: every write made on a kiosk, queued in its outbox and applied by the server in seq order
 * (DESIGN.md §5). The server owns these schemas; the kiosk imports them.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import type { Json } from './canonical-json.ts';
import { DocType, FileMime, IsoDate, IsoDateTime, LIMITS, Sha256, Uuid } from './common.ts';

export const ExtractedField = z.object({
  value: z.string().max(LIMITS.fieldValueChars),
  confidence: z.number().min(0).max(1),
  /** true once the person has checked (or typed) the value on screen */
  confirmed: z.boolean(),
});
export type ExtractedField = z.infer<typeof ExtractedField>;

const FieldName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/);

/** On what ground a write is made (DESIGN.md §6); the server's access policy checks it again. */
const CardSerialField = z.string().regex(/^[0-9A-F]{8,32}$/);

export const Ground = z.discriminatedUnion('kind', [
  /** the card's holder, alone, on their own vault */
  z.object({ kind: z.literal('own-card'), cardSerial: CardSerialField }),
  /** an agent acting with the beneficiary present, who put in their own card and PIN (their consent) */
  z.object({ kind: z.literal('present-beneficiary'), cardSerial: CardSerialField, agentCardSerial: CardSerialField }),
  /** an agent alone, acting for the person on the procuration numérique they signed (its id); the person is not there */
  z.object({ kind: z.literal('procuration'), procurationId: Uuid, agentCardSerial: CardSerialField }),
]);
export type Ground = z.infer<typeof Ground>;

/** « C'est le mien » (a married name, a typo on the paper), or someone of the household, said who. */
export const HolderAnswer = z.strictObject({
  answer: z.enum(['mine', 'household']),
  relation: z.enum(['conjoint', 'enfant', 'parent', 'autre']).optional(),
});
export type HolderAnswer = z.infer<typeof HolderAnswer>;

export const DocumentDeposit = z.object({
  type: z.literal('vault.document.deposit'),
  payload: z.object({
    documentId: Uuid,
    /** canonical identifier of the vault's owner */
    owner: z.string().regex(/^FAC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
    docType: DocType,
    fields: z
      .record(FieldName, ExtractedField)
      .refine((r) => Object.keys(r).length <= LIMITS.fieldsPerDocument, 'trop de champs'),
    ocrText: z.string().max(LIMITS.ocrTextChars),
    file: z.object({ sha256: Sha256, mime: FileMime, size: z.number().int().positive().max(LIMITS.blobBytes) }),
    /** a small preview (JPEG), shown in lists */
    thumbnail: z.object({ sha256: Sha256, mime: z.literal('image/jpeg'), size: z.number().int().positive().max(512 * 1024) }).optional(),
    pages: z.number().int().min(1).max(50).optional(),
    /** dates read on the paper (ISO date), for expiry */
    issuedOn: IsoDate.optional(),
    expiresOn: IsoDate.optional(),
    capturedAt: IsoDateTime,
    ground: Ground,
    /** the person's answer when the paper did not seem to be in their name (identity-match.ts) */
    holderAnswer: HolderAnswer.optional(),
  }),
});
export type DocumentDeposit = z.infer<typeof DocumentDeposit>;

const Owner = z.string().regex(/^FAC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

/** The person deletes a document of their personal vault (every version goes). */
export const DocumentDelete = z.object({
  type: z.literal('vault.document.delete'),
  payload: z.object({ documentId: Uuid, owner: Owner, ground: Ground }),
});
export type DocumentDelete = z.infer<typeof DocumentDelete>;

/** At most this many papers go in one sending (one message): what an instructor reads at once. */
export const PAPERS_PER_SENDING = 10;

/**
 * The person sends papers of their vault to an institution: one platform message with every paper attached.
 *
 * `documentId` is the first paper and `otherDocumentIds` the others, absent when there is one. Kept that way
 * rather than a new list field or a new mutation type: sendings already queued in kiosks' outboxes (one
 * `documentId`, no other field) still parse, and their card proofs — signed over the canonical JSON of the
 * whole payload — still verify, because a one-paper sending is byte for byte what it was. A server from
 * before this field strips it when it parses, so the payload it checks differs from the one the cards
 * signed: it refuses the whole sending rather than send the first paper alone.
 */
export const DocumentSend = z.object({
  type: z.literal('vault.document.send'),
  payload: z
    .object({
      messageId: Uuid,
      documentId: Uuid,
      otherDocumentIds: z.array(Uuid).min(1).max(PAPERS_PER_SENDING - 1).optional(),
      owner: Owner,
      institutionId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
      note: z.string().max(2000),
      ground: Ground,
    })
    .refine((p) => new Set([p.documentId, ...(p.otherDocumentIds ?? [])]).size === 1 + (p.otherDocumentIds?.length ?? 0), {
      message: 'un papier est deux fois dans l’envoi',
      path: ['otherDocumentIds'],
    }),
});
export type DocumentSend = z.infer<typeof DocumentSend>;

/** The papers of a sending, in the order the person chose them. */
export function papersOfSending(p: Pick<DocumentSend['payload'], 'documentId' | 'otherDocumentIds'>): string[] {
  return [p.documentId, ...(p.otherDocumentIds ?? [])];
}

export const MutationBody = z.discriminatedUnion('type', [DocumentDeposit, DocumentDelete, DocumentSend]);
export type MutationBody = z.infer<typeof MutationBody>;
export type MutationType = MutationBody['type'];

// ---------------------------------------------------------------------------------------------------
// Proof of presence (DESIGN.md §4: a card proves every act)
//
// A kiosk's word is not proof that a person was there. Every mutation carries, for each card its ground
// names (the holder's own; or the agent's and the present beneficiary's), that card's INTERNAL
// AUTHENTICATE signature — made with the card's authentication key while its PIN is verified in the
// session, so it works offline — over `proofMessage(kioskId, mutation)`, and the card's certificate so
// the server can check it against the platform CA without a copy of every certificate. The message
// binds the kiosk, the mutation id, its type, its whole payload and its blobs: a signature is worth
// one act on one kiosk, and nothing else.

/** Raw r‖s (64 bytes), base64url without padding. */
const CardSignature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature de carte invalide');
/** DER of a card certificate, base64url without padding (an OpenPGP card's certificate holds a few KB at most). */
const CardCertificateB64 = z.string().regex(/^[A-Za-z0-9_-]{100,5462}$/, 'certificat de carte invalide');

export const CardWitness = z.strictObject({ cardSerial: CardSerialField, certificate: CardCertificateB64, signature: CardSignature });
export type CardWitness = z.infer<typeof CardWitness>;

export const WriteProof = z.strictObject({ cards: z.array(CardWitness).min(1).max(2) });
export type WriteProof = z.infer<typeof WriteProof>;

export const PROOF_CONTEXT = 'FACILITATEUR-WRITE-V1';

/** The cards whose signatures a ground requires: every card it names (on a procuration, the agent's alone: the person is not there). */
export function cardsOfGround(g: Ground): string[] {
  switch (g.kind) {
    case 'own-card':
      return [g.cardSerial];
    case 'present-beneficiary':
      return [g.cardSerial, g.agentCardSerial];
    case 'procuration':
      return [g.agentCardSerial];
  }
}

/** Anything a card proves the way it proves a write: a mutation's body, or another act in a session (withdrawing a procuration). */
export interface ProvableAct {
  type: string;
  payload: { ground: Ground };
}

/** What each card signs (the card signs its SHA-256): the context, the kiosk, then the mutation without its seq, date or proof. */
export function proofMessage(kioskId: string, m: { id: string; blobs: readonly string[] } & ProvableAct): Uint8Array {
  const body = canonicalJson({ id: m.id, type: m.type, payload: m.payload as unknown as Json, blobs: [...m.blobs] });
  return new TextEncoder().encode(`${PROOF_CONTEXT}\0${kioskId}\0${body}`);
}

const Envelope = z.object({
  seq: z.number().int().positive(),
  id: Uuid,
  createdAt: IsoDateTime,
  /** blobs the mutation references; each must be uploaded (and hash-verified) before it is applied */
  blobs: z.array(Sha256).max(16),
  proof: WriteProof,
});

export const Mutation = z.intersection(Envelope, MutationBody);
export type Mutation = z.infer<typeof Mutation>;

/** Blobs a mutation references must be exactly those it lists. */
export function referencedBlobs(m: MutationBody): string[] {
  switch (m.type) {
    case 'vault.document.deposit':
      return m.payload.thumbnail ? [m.payload.file.sha256, m.payload.thumbnail.sha256] : [m.payload.file.sha256];
    case 'vault.document.delete':
    case 'vault.document.send':
      return [];
  }
}
