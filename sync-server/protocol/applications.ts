/**
 * The aid-request space as the kiosk reads and writes it (socket.io, namespace `/kiosk`, inside a person
 * session opened by the card — protocol/vault.ts). Catalogue, simulation, filing (a dossier of one aid,
 * or several filed together), its checklist of pièces justificatives filled from the vault, submission
 * signed by the card (PSO:CDS over the canonical manifest below) or by an agent on a procuration, the
 * dossier PDF and receipt, the thread with the institution, and the notices of status changes.
 *
 * Why online requests and not outbox mutations: the checklist is assessed against the vault, which only
 * the server holds; offline, the aid space says so in plain words. Pieces scanned for a request travel as
 * ordinary vault deposits (outbox), and the server attaches them when they arrive.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import type { Json } from './canonical-json.ts';
import { Bytes, DocType, IsoDate, IsoDateTime, Sha256, Uuid } from './common.ts';
import { CardSerial } from './revocation.ts';
import { SituationSchema } from './estimate/situation.ts';
import { AckFailure, B64, OkAck, SessionRequest } from './vault.ts';

export { OkAck };

// ---------------------------------------------------------------------------------------------------
// The situation a checklist depends on (the filing questionnaire)

export const Housing = z.enum(['tenant', 'owner', 'hosted', 'homeless']);
export type Housing = z.infer<typeof Housing>;
/** Several at once are possible (a part-time employee registered at France Travail). */
export const Activity = z.enum(['salaried', 'self-employed', 'job-seeker', 'student', 'retired', 'inactive']);
export type Activity = z.infer<typeof Activity>;
export const Nationality = z.enum(['french', 'eu', 'non-eu']);
export type Nationality = z.infer<typeof Nationality>;

export const FilingSituation = z.strictObject({
  housing: Housing,
  activity: z.array(Activity).min(1, 'choisissez au moins une réponse').max(6),
  nationality: Nationality,
  /** dependent children in the household */
  children: z.boolean(),
  couple: z.boolean(),
});
export type FilingSituation = z.infer<typeof FilingSituation>;

// ---------------------------------------------------------------------------------------------------
// States as the person reads them

export const ApplicationStateName = z.enum([
  'draft',
  'collecting-pieces',
  'ready',
  'submitted',
  'in-processing',
  'information-requested',
  'accepted',
  'refused',
  'closed',
]);
export type ApplicationStateName = z.infer<typeof ApplicationStateName>;

/**
 * Each state's one name (FALC), the same wherever a state is shown: the kiosk, the console (which may add a
 * hint beside it, sync-server/src/kernel/words/console.ts STATE_HINT, never a second name) and the PDFs. So
 * a name reads right for the person and for the service alike: no "vous".
 */
export const STATE_LABEL: Record<ApplicationStateName, string> = {
  draft: 'Pas encore commencée',
  'collecting-pieces': 'Il manque des papiers',
  ready: 'Prête à envoyer',
  submitted: 'Envoyée',
  'in-processing': 'En cours d’étude',
  'information-requested': 'Le service pose une question',
  accepted: 'Acceptée',
  refused: 'Refusée',
  closed: 'Terminée',
};

export const SubmissionMode = z.enum([
  /** the person confirms once every piece is there */
  'manual',
  /** signed now; the server sends it by itself when the last piece arrives on the platform */
  'automatic',
]);
export type SubmissionMode = z.infer<typeof SubmissionMode>;

/** On what ground a request is sent: the beneficiary's own card signature, or an agent on a procuration. */
export const SubmissionGround = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('beneficiary-signature') }),
  /** an agent alone, on the procuration numérique the person signed (its id), with « envoyer mes demandes sans moi » */
  z.strictObject({ kind: z.literal('procuration'), procurationId: Uuid }),
]);
export type SubmissionGround = z.infer<typeof SubmissionGround>;

// ---------------------------------------------------------------------------------------------------
// An agent's changes to the list of papers

export const AdjustmentKind = z.enum(['added', 'not-needed']);
export type AdjustmentKind = z.infer<typeof AdjustmentKind>;

/** A reason is asked in words: short enough to read, long enough to say something. */
export const AdjustmentReason = z.string().trim().min(5, 'dites pourquoi en quelques mots').max(300, 'la raison est trop longue (300 caractères au plus)');

/**
 * How an agent adapts a request's list of papers: a piece added (what to bring, the kinds of paper it
 * accepts, who issues it), a piece marked not needed, or either taken back — each with its reason.
 */
export const ChecklistChange = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('add'),
    label: z.string().trim().min(3, 'écrivez le papier à donner').max(120),
    docTypes: z.array(DocType).min(1).max(10),
    /** who issues it (an institution kind of the catalogue); by default, nobody in particular */
    issuer: z.string().min(2).max(40).default('autre'),
    reason: AdjustmentReason,
  }),
  z.strictObject({ kind: z.literal('not-needed'), itemId: z.string().min(1).max(80), reason: AdjustmentReason }),
  z.strictObject({ kind: z.literal('undo'), itemId: z.string().min(1).max(80) }),
]);
export type ChecklistChange = z.infer<typeof ChecklistChange>;

// ---------------------------------------------------------------------------------------------------
// The manifest a card signs (PSO:CDS over SHA-256 of manifestBytes)

export const MANIFEST_CONTEXT = 'FACILITATEUR-DEMANDE-V1';

export const ManifestPiece = z.strictObject({
  itemId: z.string().max(80),
  /** null: still missing (automatic mode: it will be attached when it arrives), or not needed */
  documentId: Uuid.nullable(),
  version: z.number().int().positive().nullable(),
  sha256: Sha256.nullable(),
  /** the list adapted by an agent: this piece added, or not needed, and why (what the signer agreed to) */
  adjustment: z.strictObject({ kind: AdjustmentKind, reason: z.string().max(300), by: z.string().max(200) }).optional(),
});
export type ManifestPiece = z.infer<typeof ManifestPiece>;

export const Manifest = z.strictObject({
  context: z.literal(MANIFEST_CONTEXT),
  dossierId: Uuid,
  /** the beneficiary's identifier (the one on their card) */
  person: z.string().max(40),
  /** each aid with the office it is sent to (absent: the directory had none of its kind, or a manifest made before offices were named) */
  aids: z.array(z.strictObject({ applicationId: Uuid, aidId: z.string().max(80), institutionId: z.string().max(64).optional() })).min(1).max(12),
  situation: FilingSituation,
  mode: SubmissionMode,
  ground: SubmissionGround,
  pieces: z.array(ManifestPiece).max(60),
  /** the catalogue version the checklist came from */
  catalogueVersion: z.number().int().positive(),
  /** server time when the manifest was prepared; the server refuses one older than MANIFEST_TTL_MS */
  preparedAt: IsoDateTime,
  kioskId: z.string().max(64),
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_TTL_MS = 15 * 60_000;

/** The exact bytes the card signs (their SHA-256): context, NUL, canonical JSON of the manifest. */
export function manifestBytes(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(`${MANIFEST_CONTEXT}\0${canonicalJson(manifest as unknown as Json)}`);
}

// ---------------------------------------------------------------------------------------------------
// Socket events (each request carries the person session id of protocol/vault.ts)

export const AID_EVENTS = {
  catalogue: 'aids:catalogue',
  simulate: 'aids:simulate',
  list: 'applications:list',
  create: 'applications:create',
  get: 'applications:get',
  choosePiece: 'applications:choose-piece',
  adapt: 'applications:adapt',
  prepare: 'applications:prepare',
  submit: 'applications:submit',
  withdraw: 'applications:withdraw',
  message: 'applications:message',
  dossierPdf: 'applications:dossier-pdf',
  receiptPdf: 'applications:receipt-pdf',
  noticesSeen: 'applications:notices-seen',
} as const;

const fail = AckFailure;
const Session = SessionRequest;

export const AidProcess = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simple') }),
  z.object({ kind: z.literal('bundle'), with: z.array(z.string()) }),
  z.object({ kind: z.literal('linked'), after: z.string(), reason: z.string() }),
]);

/** The family an aid belongs to: the kiosk draws one pictogram per family. */
export const AidFamily = z.enum(['money', 'work', 'housing', 'disability', 'health', 'family', 'school', 'energy']);
export type AidFamily = z.infer<typeof AidFamily>;

export const AidSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** one line in plain words, what people read first (90 characters at most) */
  summary: z.string().max(90),
  family: AidFamily,
  description: z.string(),
  /** the kind of institution that handles it, and its name as people say it ("la CAF") */
  institutionKind: z.string(),
  institutionName: z.string(),
  officialUrl: z.string(),
  process: AidProcess,
  /** the simulation can estimate it */
  simulable: z.boolean(),
});
export type AidSummary = z.infer<typeof AidSummary>;

export const CatalogueRequest = Session;
export const CatalogueAck = z.union([
  z.object({ ok: z.literal(true), version: z.number().int(), validFrom: IsoDate, aids: z.array(AidSummary) }),
  fail,
]);
export type CatalogueAck = z.infer<typeof CatalogueAck>;

/** An estimate is asked for a dated situation (protocol/estimate/situation.ts): the month and the incomes month by month. */
export const SimulateRequest = Session.extend({ situation: SituationSchema });
/** A figure an estimate used: its value, the day it started, the text that sets it. */
export const ScaleUsed = z.object({ id: z.string(), label: z.string(), unit: z.string().optional(), value: z.number().nullable(), from: z.string(), source: z.string() });
export const SimulationResult = z.object({
  aid: z.string(),
  aidName: z.string(),
  eligible: z.union([z.boolean(), z.literal('unknown')]),
  monthlyAmount: z.number().nullable(),
  explanation: z.array(z.string()),
  /** CSS with participation: what the household would pay each month. */
  cssParticipation: z.number().optional(),
  /** A yearly aid (allocation de rentrée scolaire, chèque énergie): the amount for the year (monthlyAmount is null). */
  yearlyAmount: z.number().optional(),
  /** the figures this result used (absent from a server that does not send them yet) */
  scales: z.array(ScaleUsed).optional(),
});
export type SimulationResult = z.infer<typeof SimulationResult>;
export const SimulateAck = z.union([
  z.object({
    ok: z.literal(true),
    /** the months the rules cover, "AAAA-MM..AAAA-MM" */
    rulesVersion: z.string(),
    /** the first day of the month estimated */
    validFrom: z.string(),
    warnings: z.array(z.string()),
    results: z.array(SimulationResult),
  }),
  fail,
]);
export type SimulateAck = z.infer<typeof SimulateAck>;

/**
 * What an acceptance grants: the monthly amount in cents and the start date, null when not given (and
 * for any other state). A server that does not send them yet means none (default null).
 */
const DecisionTermsFields = {
  decisionAmountCents: z.number().int().positive().nullable().default(null),
  decisionStartDate: IsoDate.nullable().default(null),
};

export const Notice = z.object({
  id: Uuid,
  dossierId: Uuid,
  applicationId: Uuid,
  aidName: z.string(),
  state: ApplicationStateName,
  at: IsoDateTime,
  /** the institution's words (a question, the reason of a decision) */
  message: z.string().nullable(),
  ...DecisionTermsFields,
});
export type Notice = z.infer<typeof Notice>;

export const DossierSummary = z.object({
  dossierId: Uuid,
  /** `officeId`: the office a sent request went to (null: not sent yet, or sent before offices were named) */
  aids: z.array(z.object({ applicationId: Uuid, aidId: z.string(), aidName: z.string(), state: ApplicationStateName, officeId: z.string().nullable().default(null) })),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  missingCount: z.number().int().nonnegative(),
  unreadMessages: z.number().int().nonnegative(),
});
export type DossierSummary = z.infer<typeof DossierSummary>;

export const ApplicationsListRequest = Session;
export const ApplicationsListAck = z.union([z.object({ ok: z.literal(true), dossiers: z.array(DossierSummary), notices: z.array(Notice) }), fail]);
export type ApplicationsListAck = z.infer<typeof ApplicationsListAck>;

export const CreateRequest = Session.extend({
  /** one aid, or the aids filed together (a bundle); a linked aid brings the one it waits for */
  aidIds: z.array(z.string().min(1).max(80)).min(1).max(12),
  situation: FilingSituation,
});
export const CreateAck = z.union([z.object({ ok: z.literal(true), dossierId: Uuid }), fail]);

export const DossierRequest = Session.extend({ dossierId: Uuid });

export const PieceStatusName = z.enum([
  'arriving', // chosen or scanned on the kiosk, still on its way to the server
  'not-arrived', // chosen on a kiosk ARRIVAL_DAYS ago or more, and still not on the server: to give again
  'present', // a valid paper of the vault is attached
  'absent', // nothing of that kind in the vault
  'expired', // the vault has one, past its date
  'too-old', // the vault has one, issued too long ago
  'not-needed', // an agent marked it not needed for this person's case, with the reason
]);
export type PieceStatusName = z.infer<typeof PieceStatusName>;

export const ChecklistEntry = z.object({
  itemId: z.string(),
  label: z.string(),
  /** the piece as the person names it when asking for it (« mon RIB ») */
  inLetter: z.string(),
  docTypes: z.array(DocType),
  /** who issues this paper, to ask them when it is missing */
  issuerKind: z.string(),
  issuerName: z.string(),
  /** "à" and the issuer, as French contracts it ("aux impôts", "au CCAS", "à la CAF") */
  issuerTo: z.string(),
  /** the aids of the dossier that ask for it */
  forAids: z.array(z.string()),
  status: PieceStatusName,
  document: z
    .object({ id: Uuid, title: z.string(), version: z.number().int().positive(), capturedAt: IsoDateTime, issuedOn: IsoDate.nullable() })
    .nullable(),
  /** asked again by the institution after submission */
  requestedByInstitution: z.boolean(),
  maxAgeMonths: z.number().int().positive().nullable(),
  /** an agent added this piece, or marked it not needed: why, and who (« Sophie Lefèvre, CMS du centre-ville ») */
  adjustment: z.object({ kind: AdjustmentKind, reason: z.string(), by: z.string() }).nullable(),
});
export type ChecklistEntry = z.infer<typeof ChecklistEntry>;

export const ThreadMessage = z.object({
  id: Uuid,
  at: IsoDateTime,
  author: z.enum(['person', 'agent', 'institution']),
  /** "Vous", "CAF de Lyon"… */
  authorName: z.string(),
  body: z.string(),
});
export type ThreadMessage = z.infer<typeof ThreadMessage>;

export const HistoryEntry = z.object({ at: IsoDateTime, aidName: z.string(), state: ApplicationStateName, text: z.string() });

export const Dossier = z.object({
  dossierId: Uuid,
  situation: FilingSituation,
  aids: z.array(
    z.object({
      applicationId: Uuid,
      aidId: z.string(),
      aidName: z.string(),
      institutionName: z.string(),
      /** the office it goes to (or went to): the one serving where the person files; null when the directory has none of its kind */
      office: z.object({ id: z.string(), name: z.string(), address: z.string(), postcode: z.string(), city: z.string() }).nullable().default(null),
      state: ApplicationStateName,
      /** linked aids: the one it waits for, in words */
      waitsFor: z.string().nullable(),
      decisionReason: z.string().nullable(),
      /** the aid's basic conditions the person seems not to meet (age, work, children…), said before sending; the institution decides */
      warnings: z.array(z.object({ condition: z.string(), text: z.string(), source: z.string() })).default([]),
      ...DecisionTermsFields,
    }),
  ),
  checklist: z.array(ChecklistEntry),
  mode: SubmissionMode.nullable(),
  /** signed and sent (or signed for automatic sending) */
  signedAt: IsoDateTime.nullable(),
  submittedAt: IsoDateTime.nullable(),
  /** every piece is there and nothing is sent yet */
  canSubmit: z.boolean(),
  /** nothing is signed yet and an aid is still before sending: it may be signed (now, or for automatic sending) */
  canSign: z.boolean(),
  /** an aid is still waiting for a decision: the person may withdraw */
  canWithdraw: z.boolean(),
  history: z.array(HistoryEntry),
  messages: z.array(ThreadMessage),
});
export type Dossier = z.infer<typeof Dossier>;
export const DossierAck = z.union([z.object({ ok: z.literal(true), dossier: Dossier }), fail]);
export type DossierAck = z.infer<typeof DossierAck>;

/** Use this vault document for this checklist item (instead of the one chosen automatically). */
export const ChoosePieceRequest = DossierRequest.extend({ itemId: z.string().min(1).max(80), documentId: Uuid });

/** An agent adapts the list of papers (added, not needed, or taken back): the item it is about comes back. */
export const AdaptRequest = DossierRequest.extend({ change: ChecklistChange });
export const AdaptAck = z.union([z.object({ ok: z.literal(true), itemId: z.string() }), fail]);
export type AdaptAck = z.infer<typeof AdaptAck>;

export const PrepareRequest = DossierRequest.extend({ mode: SubmissionMode, ground: SubmissionGround });
export const PrepareAck = z.union([z.object({ ok: z.literal(true), manifest: Manifest }), fail]);
export type PrepareAck = z.infer<typeof PrepareAck>;

export const SubmitRequest = DossierRequest.extend({
  manifest: Manifest,
  /** DER of the signing card's certificate, base64url */
  certificate: B64.min(100),
  cardSerial: CardSerial,
  /** PSO:CDS raw r||s over SHA-256(manifestBytes(manifest)), base64url */
  signature: B64.length(86),
});
/** Where a signed request stands: sent, or signed and waiting for its last pieces (automatic sending). */
export const SubmissionState = z.enum(['submitted', 'waiting-for-pieces']);
export type SubmissionState = z.infer<typeof SubmissionState>;
export const SubmitAck = z.union([
  z.object({ ok: z.literal(true), state: SubmissionState, receiptNumber: z.string() }),
  fail,
]);
export type SubmitAck = z.infer<typeof SubmitAck>;

export const MessageRequest = DossierRequest.extend({
  body: z.string().trim().min(1, 'écrivez votre message').max(2000, 'message trop long'),
  /** which aid's institution to write to (a dossier may hold aids of several institutions); by default the
   *  one that asked a question, else the first one sent */
  applicationId: Uuid.optional(),
});
export const NoticesSeenRequest = Session.extend({ ids: z.array(Uuid).min(1).max(200) });

/** bytes travel as socket.io binary attachments */
export const PdfAck = z.union([z.object({ ok: z.literal(true), bytes: Bytes }), fail]);
