/**
 * The one kiosk API contract (`window.kiosk`), shared by the renderer and the core (DESIGN.md §3).
 * Pure zod, no Node and no DOM: it is imported on both sides and validated on both sides.
 *
 * What the server owns is not declared again here: the protocol's schemas (sync-server/protocol/) are
 * imported as they are, and where a screen needs another shape (a label added, a member left out) it is
 * derived from the protocol's with `.extend`, `.pick` or `.omit`. `no-copied-schemas.test.ts` fails on
 * a copy.
 */
import { z } from 'zod';
import {
  ApplicationStateName,
  ChecklistEntry,
  CreateRequest,
  AdaptRequest,
  ChoosePieceRequest,
  CatalogueAck,
  Dossier,
  DossierSummary as DossierSummaryWire,
  FilingSituation,
  MessageRequest,
  Notice,
  PieceStatusName,
  PrepareRequest,
  SimulateAck,
  SimulationResult,
  SubmissionGround,
  SubmissionMode,
  SubmissionState,
  ThreadMessage,
  AidProcess as AidProcessWire,
  AidSummary,
} from '../../sync-server/protocol/applications.ts';
import { CARD_PIN_LENGTH, cardPinSchema } from '../../sync-server/protocol/card-pin.ts';
import { DocType, IsoDate, NamedRef, PersonRole } from '../../sync-server/protocol/common.ts';
import { ProcurationScope } from '../../sync-server/protocol/procuration.ts';
import { CaseloadEntry, CaseloadHit, CaseloadSearchRequest, ProcurationListItem, ProcurationPdfRequest, RevokeProcurationRequest } from '../../sync-server/protocol/procurations-events.ts';
import { DocumentSend, HolderAnswer, PAPERS_PER_SENDING } from '../../sync-server/protocol/mutations.ts';
import { AnswersSchema } from '../../sync-server/protocol/estimate/answers.ts';
import { AuditEntry, DepositedBy, DepositNotice, Expiry, Institution, InstitutionReply, VaultKind, VersionDetail } from '../../sync-server/protocol/vault.ts';

/** an institution's answer to a paper sent from the vault (the protocol's schema, shown by the renderer) */
export { InstitutionReply };

export { FilingSituation, SubmissionGround, SubmissionMode, ThreadMessage };

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export const SyncStatus = z.object({
  pending: z.number().int().nonnegative(),
  online: z.boolean(),
  lastSuccessAt: z.string().nullable(),
  /** plain French, for the screen; null when all is well */
  problem: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const CardProblem = z.enum([
  'unreadable', // no answer we understand (not a smart card, bent, dirty, pulled out while read)
  'foreign', // a smart card, but not a Facilitateur card (another application, another issuer)
  'unknown', // an OpenPGP card without a valid Facilitateur certificate
  'revoked', // declared lost, stolen or replaced
  'expired', // its certificate is out of date
  'not-genuine', // it carries someone's data without their key (a copy): refused and logged
  'blocked', // PIN blocked after 3 wrong codes
  'not-beneficiary', // the second slot takes a beneficiary's card (this one is an agent's)
  'wrong-slot', // a card in the second slot while no agent's session is open
]);
export type CardProblem = z.infer<typeof CardProblem>;

export const Role = PersonRole;
export type Role = z.infer<typeof Role>;

/** The person a card opened the session for (no identifier on screen: the name is enough). */
export const Person = z.object({ firstName: z.string(), role: Role });
export type Person = z.infer<typeof Person>;

/** This tablet's link with the server: enrolled once with a code from staff (DESIGN.md §6). */
export const DeviceStatus = z.object({
  state: z.enum(['none', 'pending', 'enrolled', 'revoked']),
  kioskId: z.string().nullable(),
  /** the name staff gave this tablet (shown in the top bar) */
  name: z.string().nullable(),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const KioskState = z.discriminatedUnion('screen', [
  z.object({ screen: z.literal('attract') }),
  z.object({ screen: z.literal('reading'), slot: z.enum(['main', 'second']) }),
  z.object({ screen: z.literal('card-problem'), problem: CardProblem, slot: z.enum(['main', 'second']) }),
  /** the PIN pad for the card in the main slot */
  z.object({ screen: z.literal('pin'), firstName: z.string(), role: Role, triesLeft: z.number().int().min(0).max(3) }),
  z.object({
    screen: z.literal('session'),
    firstName: z.string(),
    role: Role,
    /** during an agent's session: the beneficiary who joined with their own card and PIN */
    companion: Person.nullable(),
    /** an agent alone acting for a person of their caseload, on the procuration that person signed */
    actingFor: CaseloadEntry.pick({ procurationId: true, firstName: true, lastName: true, until: true, actions: true }).nullable(),
    /** a beneficiary's card in the second slot, on its way to joining (shown over the agent's screen) */
    joining: z
      .discriminatedUnion('step', [
        z.object({ step: z.literal('reading') }),
        z.object({ step: z.literal('pin'), firstName: z.string(), triesLeft: z.number().int().min(0).max(3) }),
        z.object({ step: z.literal('problem'), problem: CardProblem }),
      ])
      .nullable(),
  }),
  /**
   * the session is over: the cards still in the box must come out (`slots`: which still hold one) before
   * the next person; `pulled` = the main card was taken out during the session
   */
  z.object({ screen: z.literal('remove-card'), reason: z.enum(['finished', 'idle', 'pulled']), slots: z.array(z.enum(['main', 'second'])).min(1).max(2) }),
]);
export type KioskState = z.infer<typeof KioskState>;

/**
 * Told at a card's next login: papers photographed in its last session but not saved when that session
 * ended (the card pulled, inactivity…), and the papers of that session that were kept. Paper types only.
 */
export const LossNotice = z.object({
  id: z.uuid(),
  at: z.string(),
  reason: z.enum(['pulled', 'idle', 'finished']),
  lost: z.array(DocType).min(1),
  kept: z.array(DocType),
});
export type LossNotice = z.infer<typeof LossNotice>;

/**
 * A field read at this confidence or more is shown as read; below, the check screen marks it « à vérifier ».
 * The OCR's calibration (core/ocr/extract/calibration.ts, the same figure) makes ≥ 0.9 mean "right at least
 * 99 % of the time" on the independent corpus' held-out part.
 */
export const SURE_CONFIDENCE = 0.9;

export const FieldReading = z.object({
  value: z.string(),
  confidence: z.number().min(0).max(1),
  /** false when the value fails its check (IBAN key, date…) */
  valid: z.boolean(),
});
export type FieldReading = z.infer<typeof FieldReading>;

/**
 * What the kiosk made of the paper's 2D-Doc (the signed code of French documents), checked on the tablet
 * against the ANTS certificates it holds (kiosk/core/ocr/twoddoc-verify.ts): the screen says it in plain
 * words. `verified`: the code is what its issuer signed; `unknown-authority` and `untrusted-certificate`:
 * this tablet cannot tell (not a fault of the paper); `invalid-signature`, `certificate-expired`,
 * `certificate-not-yet-valid`, `malformed`: the code is not valid, and the fields come from the print.
 */
export const TwoDDocReport = z.object({
  status: z.enum(['verified', 'unknown-authority', 'untrusted-certificate', 'invalid-signature', 'certificate-expired', 'certificate-not-yet-valid', 'malformed']),
  /** the authority's 2D-Doc id (FR00…) as the code says it */
  caId: z.string().max(8).nullable(),
  /** the authority's name, from its certificate, when the chain holds */
  authority: z.string().max(200).nullable(),
  /** each field the code carries, against what is printed on the paper */
  fields: z.array(z.object({ name: z.string().max(40), agreement: z.enum(['agrees', 'disagrees', 'not-printed']) })).max(64),
});
export type TwoDDocReport = z.infer<typeof TwoDDocReport>;

/**
 * What is missing of the paper, as far as its pages tell (kiosk/core/ocr/extract/completeness.ts): the other
 * face of a card, a numbered page, a payslip's end, a RIB's other part, each with its sentence. The screen
 * says it calmly and offers to add it; nothing is blocked.
 */
export const MissingPart = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['front-face', 'back-face', 'payslip-end', 'rib-bank', 'rib-holder']), message: z.string().max(300) }),
  z.object({ kind: z.literal('page'), page: z.number().int().min(1).max(99), of: z.number().int().min(1).max(99).optional(), message: z.string().max(300) }),
]);
export type MissingPart = z.infer<typeof MissingPart>;
export const Completeness = z.discriminatedUnion('status', [
  z.object({ status: z.literal('complete') }),
  z.object({ status: z.literal('missing'), missing: z.array(MissingPart).min(1).max(99) }),
]);
export type Completeness = z.infer<typeof Completeness>;

export const CaptureAnalysis = z.object({
  captureId: z.uuid(),
  docType: DocType,
  /** what kind of paper it was read as, in words for the screen */
  docTitle: z.string(),
  fields: z.record(z.string(), FieldReading),
  /** how each field is named on screen */
  labels: z.record(z.string(), z.string()),
  /** the flattened pages, as small previews (JPEG) */
  pages: z.array(z.object({ preview: z.instanceof(Uint8Array) })),
  text: z.string(),
  /** milliseconds spent in the core, for the record */
  elapsedMs: z.number().nonnegative(),
  /**
   * The paper seems to be in someone else's name (protocol/identity-match.ts): the screen asks whose it
   * is before it is saved. null when it names the person, or names no one that could be read.
   */
  holder: z.object({ paperName: z.string(), reason: z.enum(['name', 'birth-date']) }).nullable(),
  /** the paper's 2D-Doc, when one of its pages carries one (absent: none) */
  twoDDoc: TwoDDocReport.optional(),
  /** whether the paper is whole, recomputed at each page added, turned or removed (absent: not judged) */
  completeness: Completeness.optional(),
});
export type CaptureAnalysis = z.infer<typeof CaptureAnalysis>;

const Bytes = z.instanceof(Uint8Array);

/** A paper of the vault, as listed (titles and labels come ready for the screen). */
export const VaultItem = z.object({
  id: z.uuid(),
  title: z.string(),
  docType: DocType,
  /** the group it is shown in (issuing institution): 'caf', 'impots', … and its name */
  issuer: z.string(),
  issuerTitle: z.string(),
  vault: VaultKind,
  capturedAt: z.string(),
  /** the paper's own date (protocol/paper-date.ts), when read */
  issuedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  expiry: Expiry,
  /** deposited during this session and still on its way to the server */
  pending: z.boolean(),
  snippet: z.string().optional(),
  hasPreview: z.boolean(),
  /** an agent put it in for the person (with them, or on their procuration): who, and for which structure */
  depositedBy: DepositedBy.optional(),
});
export type VaultItem = z.infer<typeof VaultItem>;

export const VaultField = z.object({ name: z.string(), label: z.string(), value: z.string() });

export const VaultDocument = z.object({
  item: VaultItem,
  versions: z.array(VersionDetail.pick({ version: true, capturedAt: true, pages: true, depositedBy: true }).extend({ fields: z.array(VaultField), mime: z.string() })),
});
export type VaultDocument = z.infer<typeof VaultDocument>;

export const JournalEntry = AuditEntry.pick({ at: true, who: true, action: true, documentTitle: true, kind: true, why: true });
export type JournalEntry = z.infer<typeof JournalEntry>;

export const InstitutionItem = Institution.pick({ id: true, name: true, address: true }).extend({
  /** cms, caf, mairie… (the same kinds as a checklist piece's issuer) */
  kind: Institution.shape.kind.optional(),
  /** the postcode and the city */
  city: Institution.shape.city,
  /** where it is, for the plan (when the server gives it) */
  lat: Institution.shape.lat.unwrap().optional(),
  lon: Institution.shape.lon.unwrap().optional(),
  // how to reach it and when, the communes it serves, where the entry comes from (the directory's)
  phone: Institution.shape.phone,
  email: Institution.shape.email,
  website: Institution.shape.website,
  hours: Institution.shape.hours,
  hoursNote: Institution.shape.hoursNote,
  communes: Institution.shape.communes,
  source: Institution.shape.source,
  /** someone there reads what persons send: papers may be sent to it (absent: the server did not say) */
  receivesPapers: z.boolean().optional(),
});
export type InstitutionItem = z.infer<typeof InstitutionItem>;

// ---------------------------------------------------------------------------------------------------
// The map of institutions: the base map comes from a vector-tile archive installed on the tablet (read by
// the core, kiosk/core/map/), the places from `institutions.list`; the plan is printed on the kiosk.

/** A tile of the base map (the usual z/x/y of web maps). */
export const MapTileRequest = z
  .object({ z: z.number().int().min(0).max(22), x: z.number().int().min(0), y: z.number().int().min(0) })
  .refine((t) => t.x < 2 ** t.z && t.y < 2 ** t.z, 'cette partie de la carte n’existe pas');

/** Where the tablet stands, as installed (FAC_MAP_PLACE); the screen opens the map there. */
const MapPlace = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), label: z.string().max(100).nullable() });

export const MapInfo = z.object({
  /**
   * The base map: `none` — no archive installed (the screen draws the plain plan); `ready` — what it covers;
   * `broken` — an archive is configured but cannot be read, with why in plain words (the plain plan too).
   */
  base: z.discriminatedUnion('state', [
    z.object({ state: z.literal('none') }),
    z.object({
      state: z.literal('ready'),
      minZoom: z.number().int().min(0).max(22),
      maxZoom: z.number().int().min(0).max(22),
      /** west, south, east, north */
      bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      /** who made the map's data, as the archive says it (shown under the map) */
      attribution: z.string().max(300).nullable(),
    }),
    z.object({ state: z.literal('broken'), message: z.string() }),
  ]),
  place: MapPlace.nullable(),
  /** the papers one can look for, each with the kinds of institution that give it (from the aid checklists installed here) */
  papers: z.array(z.object({ docType: DocType, title: z.string(), issuerKinds: z.array(z.string().max(40)).max(20) })).max(20),
});
export type MapInfo = z.infer<typeof MapInfo>;

/** One place of the printed plan: its number on the plan, where it is, and its lines as the screen worded them. */
const PrintedPlace = z.object({
  n: z.number().int().min(1).max(99),
  name: z.string().max(200),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  /** asked for by the filter: drawn stronger */
  wanted: z.boolean(),
  lines: z.array(z.string().max(300)).max(20),
});
export const MapPrintRequest = z.object({
  /** what the plan shows (« Où trouver : Attestation de la CAF »), as the screen says it */
  heading: z.string().trim().min(1).max(200),
  /** where the person stands on the plan (the tablet, or the centre of the places) */
  from: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), label: z.string().max(100) }).nullable(),
  places: z.array(PrintedPlace).min(1, 'aucun lieu à imprimer').max(30),
});
export type MapPrintRequest = z.infer<typeof MapPrintRequest>;

// ---------------------------------------------------------------------------------------------------
// The aid space. Labels (states, kinds of paper) come ready for the screen from the core.

/** An aid named for the screen: its id and its name. */
const AidRef = NamedRef;
const [SimpleProcess, BundleProcess, LinkedProcess] = AidProcessWire.options;

/** How an aid is filed, with the aids it names resolved to their names for the screen. */
export const AidProcess = z.discriminatedUnion('kind', [
  SimpleProcess,
  /** filed together with these aids (the pieces they share are given once) */
  BundleProcess.extend({ with: z.array(AidRef) }),
  /** waits for the decision on another aid, and why */
  LinkedProcess.extend({ after: AidRef }),
]);
export type AidProcess = z.infer<typeof AidProcess>;

/** An aid of the catalogue; its official page is offered as a QR code (the kiosk has no browser). */
export const AidItem = AidSummary.extend({ process: AidProcess });
export type AidItem = z.infer<typeof AidItem>;
/** Which pictogram the screen draws for an aid. */
export type AidFamily = AidItem['family'];

/**
 * The simulation questionnaire's answers, one amount per kind of income (protocol/estimate/answers.ts); the
 * kiosk core dates them (the month estimated, the same incomes each month before) for the engine.
 */
export const SimulationSituation = AnswersSchema;
export type SimulationSituation = z.infer<typeof SimulationSituation>;

/** The estimate; each result says whether the aid is in the catalogue ("Faire la demande" leads there). */
export const SimulationOutcome = SimulateAck.options[0].omit({ ok: true }).extend({
  results: z.array(SimulationResult.extend({ canFile: z.boolean() })),
});
export type SimulationOutcome = z.infer<typeof SimulationOutcome>;

export const ApplicationState = ApplicationStateName;
export type ApplicationState = z.infer<typeof ApplicationState>;

/** "Du nouveau": a status change the person has not seen yet, with the institution's words. */
/** A paper an institution put in the person's vault, told once (the server's words) */
export type PaperNotice = z.infer<typeof DepositNotice>;

export const AidNotice = Notice.extend({ stateLabel: z.string() });
export type AidNotice = z.infer<typeof AidNotice>;

/** The states come with their words for the screen. */
const AidOfDossier = DossierSummaryWire.shape.aids.element.extend({ stateLabel: z.string() });

export const DossierSummary = DossierSummaryWire.extend({ aids: z.array(AidOfDossier) });
export type DossierSummary = z.infer<typeof DossierSummary>;

export const PieceStatus = PieceStatusName;
export type PieceStatus = z.infer<typeof PieceStatus>;

export const ChecklistPiece = ChecklistEntry.extend({
  /** what kinds of paper fit, in words ("Carte d’identité", "Passeport") */
  docTitles: z.array(z.string()),
  /** the issuer is the institution handling the request: once the request is sent, it can be asked in its thread */
  issuerHandles: z.boolean(),
  document: ChecklistEntry.shape.document.unwrap().omit({ version: true }).nullable(),
});
export type ChecklistPiece = z.infer<typeof ChecklistPiece>;

export const DossierView = Dossier.extend({
  aids: z.array(
    Dossier.shape.aids.element.extend({
      institutionKind: z.string(),
      stateLabel: z.string(),
    }),
  ),
  checklist: z.array(ChecklistPiece),
  history: z.array(Dossier.shape.history.element.extend({ stateLabel: z.string() })),
});
export type DossierView = z.infer<typeof DossierView>;

/** What the card is about to sign, shown before the PIN. */
export const SubmissionReview = z.object({
  dossierId: z.uuid(),
  mode: SubmissionMode,
  ground: SubmissionGround,
  /** each aid, who handles it, and the office it goes to (named in what the card signs; null: the directory has none of its kind) */
  aids: z.array(Dossier.shape.aids.element.pick({ aidName: true, institutionName: true, office: true })),
  pieces: z.array(z.object({ itemId: z.string(), label: z.string(), documentTitle: z.string().nullable(), status: PieceStatus })),
  /** whose card signs: the beneficiary's, or the agent's on a procuration */
  signer: z.string(),
  preparedAt: z.string(),
});
export type SubmissionReview = z.infer<typeof SubmissionReview>;

const PrintResult = z.object({ pages: z.number().int().positive(), printed: z.boolean() });
const DossierRef = z.object({ dossierId: z.uuid() });
/** The aid space's requests as the screen makes them: the protocol's, without the session (the core adds it). */
const withoutSession = { sessionId: true } as const;

/** Whose card answered: the person's (the second slot) or the agent's (the main one). */
const Signer = z.enum(['person', 'agent']);
/** One sending to an institution: the papers in the order chosen (the first one the message's subject), one message. */
const SendParams = z.object({
  documentIds: z
    .array(DocumentSend.shape.payload.shape.documentId)
    .min(1, 'choisissez au moins un papier')
    .max(PAPERS_PER_SENDING, `${PAPERS_PER_SENDING} papiers au plus dans un envoi`)
    .refine((ids) => new Set(ids).size === ids.length, 'un papier est deux fois dans l’envoi'),
  institutionId: DocumentSend.shape.payload.shape.institutionId,
  note: DocumentSend.shape.payload.shape.note.default(''),
});
export { PAPERS_PER_SENDING };

export { CARD_PIN_LENGTH };

/** The card's PIN as typed on the pad: the protocol's rule (6 to 8 digits). */
export const CardPin = cardPinSchema(`le code doit avoir ${CARD_PIN_LENGTH.min} à ${CARD_PIN_LENGTH.max} chiffres`);

/** Every method: its params and its result. */
export const methods = {
  'state.get': { params: z.object({}), result: z.object({ state: KioskState, sync: SyncStatus, device: DeviceStatus }) },
  /** first start: the one-time code staff gave for this tablet (16 characters; spaces and dashes ignored) */
  'device.enroll': {
    params: z.object({ code: z.string().trim().min(1, 'tapez le code').max(40, 'code trop long') }),
    result: z.object({ device: DeviceStatus }),
  },
  'pin.submit': {
    params: z.object({
      pin: CardPin,
      /** login: the main card; join: the beneficiary's card in the second slot */
      purpose: z.enum(['login', 'join']).default('login'),
    }),
    result: z.discriminatedUnion('outcome', [
      z.object({ outcome: z.literal('open') }),
      z.object({ outcome: z.literal('wrong'), triesLeft: z.number().int().min(0) }),
      z.object({ outcome: z.literal('blocked') }),
    ]),
  },
  'capture.analyse': {
    params: z.object({
      image: Bytes.refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, 'image vide ou trop grande'),
      mime: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    }),
    result: CaptureAnalysis,
  },
  'capture.confirm': {
    params: z.object({
      captureId: z.uuid(),
      /** the values as the person checked them on screen */
      fields: z.record(z.string().max(40), z.string().max(500)),
      /** a new version of this document (the old ones stay in its history) */
      replaces: z.uuid().optional(),
      /** whose paper it is, when the fields as checked name someone else (required then) */
      holderAnswer: HolderAnswer.optional(),
    }),
    result: z.object({ documentId: z.uuid() }),
  },
  'capture.discard': { params: z.object({ captureId: z.uuid() }), result: z.object({}) },
  /** one more page of the same document (a multi-page paper is kept as one PDF) */
  'capture.addPage': {
    params: z.object({
      captureId: z.uuid(),
      image: Bytes.refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, 'image vide ou trop grande'),
      mime: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    }),
    result: CaptureAnalysis,
  },
  /** turn a page a quarter at a time (the text is read again) */
  'capture.rotate': {
    params: z.object({ captureId: z.uuid(), page: z.number().int().min(0).max(49), turn: z.union([z.literal(90), z.literal(180), z.literal(270)]) }),
    result: CaptureAnalysis,
  },
  'capture.removePage': { params: z.object({ captureId: z.uuid(), page: z.number().int().min(0).max(49) }), result: CaptureAnalysis },
  'session.end': { params: z.object({}), result: z.object({}) },
  /** "Je suis là" on the idle warning; also sent (throttled) when the person touches the screen */
  'session.stillHere': { params: z.object({}), result: z.object({}) },
  /** during an agent's session: the beneficiary leaves (their card stays until they take it) */
  'session.dropCompanion': { params: z.object({}), result: z.object({}) },
  /** what the last session of the subject's card lost (told once: the core keeps it for this session only) */
  'session.losses': { params: z.object({}), result: z.object({ notices: z.array(LossNotice) }) },
  'sync.status': { params: z.object({}), result: SyncStatus },
  /** `offline`: the server could not be reached in time; `items` is then what the tablet itself holds */
  'vault.list': { params: z.object({}), result: z.object({ items: z.array(VaultItem), offline: z.boolean() }) },
  'vault.search': { params: z.object({ query: z.string().min(1).max(200) }), result: z.object({ items: z.array(VaultItem) }) },
  'vault.open': { params: z.object({ documentId: z.uuid() }), result: VaultDocument },
  /** the picture of a document (or its preview) to show on screen */
  'vault.image': {
    params: z.object({ documentId: z.uuid(), preview: z.boolean().default(false) }),
    result: z.object({ mime: z.string(), bytes: Bytes }),
  },
  /** the document as a PDF (with a cover letter to an institution for sending by post), printed when the kiosk has a printer */
  'vault.print': {
    params: z.object({ documentId: z.uuid(), letterTo: z.string().max(64).optional() }),
    result: z.object({ pages: z.number().int().positive(), printed: z.boolean() }),
  },
  'vault.delete': { params: z.object({ documentId: z.uuid() }), result: z.object({}) },
  'vault.send': { params: SendParams, result: z.object({}) },
  'vault.journal': { params: z.object({}), result: z.object({ entries: z.array(JournalEntry) }) },
  /** what institutions put in the vault since the person was last told: « La CAF a mis un papier dans votre coffre : … » */
  'vault.notices': { params: z.object({}), result: z.object({ notices: z.array(DepositNotice) }) },
  'vault.noticesSeen': { params: z.object({ ids: z.array(z.uuid()).min(1).max(50) }), result: z.object({}) },
  /** the institutions' answers to the papers the person sent (newest first), each with whether it was seen */
  'vault.replies': { params: z.object({}), result: z.object({ replies: z.array(InstitutionReply) }) },
  /** the person saw these answers: they are no longer news */
  'vault.repliesSeen': { params: z.object({ ids: z.array(z.uuid()).min(1).max(200) }), result: z.object({}) },
  'institutions.list': { params: z.object({}), result: z.object({ institutions: z.array(InstitutionItem) }) },
  /** the map of institutions: its base map, the tablet's place, the papers one can look for */
  'map.info': { params: z.object({}), result: MapInfo },
  /** a tile of the base map; null: the archive has none there (sea, or outside what it covers) */
  'map.tile': { params: MapTileRequest, result: z.object({ bytes: Bytes.nullable() }) },
  /** the places, their hours and a plain drawn plan, as a PDF printed on the kiosk */
  'map.print': { params: MapPrintRequest, result: z.object({ pages: z.number().int().positive(), printed: z.boolean() }) },
  'aids.catalogue': { params: z.object({}), result: CatalogueAck.options[0].omit({ ok: true }).extend({ aids: z.array(AidItem) }) },
  'aids.simulate': { params: z.object({ situation: SimulationSituation }), result: SimulationOutcome },
  /**
   * The net pay read on the person's payslips for these months (« AAAA-MM »), to offer in an estimate's
   * questions — the person checks them; none without a connection
   */
  /** the revenu fiscal de référence of the person's newest tax notice, to offer in an estimate (null: none, or no connection) */
  'aids.taxNotice': {
    params: z.object({}),
    result: z.object({ notice: z.object({ incomeYear: z.string(), amount: z.number().nonnegative(), title: z.string() }).nullable() }),
  },
  /** the aide au logement paid on the person's newest CAF attestation that names one, to offer in an estimate (null: none, or no connection) */
  'aids.cafHousingBenefit': {
    params: z.object({}),
    result: z.object({ benefit: z.object({ month: z.string(), amount: z.number().positive(), title: z.string() }).nullable() }),
  },
  'aids.payslips': {
    params: z.object({ months: z.array(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'mois attendu : AAAA-MM')).min(1).max(3) }),
    result: z.object({ payslips: z.array(z.object({ month: z.string(), amount: z.number().nonnegative(), title: z.string() })) }),
  },
  /**
   * Communes whose name, postcode or INSEE code starts with what was typed (the housing aid's zone comes from
   * the commune): from the table installed on the tablet, with or without a connection; none without it
   */
  'aids.communes': {
    params: z.object({ query: z.string().max(60, 'Tapez au plus 60 lettres.') }),
    /** `parent`: the commune an arrondissement or a former commune belongs to (offices list that one) */
    result: z.object({ communes: z.array(z.object({ code: z.string(), name: z.string(), postcodes: z.array(z.string()), parent: z.string().optional() })).max(12) }),
  },
  /** the person's requests, and the status changes they have not seen yet */
  'applications.list': { params: z.object({}), result: z.object({ dossiers: z.array(DossierSummary), notices: z.array(AidNotice) }) },
  /** one aid, or the aids filed together (a bundle); a linked aid brings the one it waits for */
  'applications.create': { params: CreateRequest.omit(withoutSession), result: z.object({ dossierId: z.uuid() }) },
  'applications.get': { params: DossierRef, result: DossierView },
  /** this paper of the vault (or just scanned) for this piece of the checklist */
  'applications.choosePiece': { params: ChoosePieceRequest.omit(withoutSession), result: z.object({}) },
  /** an agent adds a piece to the list, marks one not needed, or takes that back — with the reason */
  'applications.adapt': { params: AdaptRequest.omit(withoutSession), result: z.object({ itemId: z.string() }) },
  /** what will be sent, for the person to read before signing; kept by the core for `sign` */
  'applications.prepare': { params: PrepareRequest.omit(withoutSession), result: SubmissionReview },
  /** the card signs what `prepare` showed (PIN typed again), then it is sent */
  'applications.sign': {
    params: PrepareRequest.omit(withoutSession).extend({ pin: CardPin }),
    result: z.discriminatedUnion('outcome', [
      /** sent now, or signed and waiting for the last pieces (automatic sending) */
      z.object({ outcome: z.literal('sent'), state: SubmissionState, receiptNumber: z.string() }),
      z.object({ outcome: z.literal('wrong'), triesLeft: z.number().int().min(0) }),
      z.object({ outcome: z.literal('blocked') }),
    ]),
  },
  'applications.withdraw': { params: DossierRef, result: z.object({}) },
  /** to the institution of the request (of this aid's application, when a dossier holds several) */
  'applications.message': {
    params: MessageRequest.omit(withoutSession),
    result: z.object({}),
  },
  'applications.printReceipt': { params: DossierRef, result: PrintResult },
  'applications.printDossier': { params: DossierRef, result: PrintResult },
  /** a letter to ask an institution for a missing paper, printed to be sent or brought */
  'applications.printLetter': {
    params: z.object({ to: z.string().trim().min(1).max(200), body: z.string().trim().min(1, 'la lettre est vide').max(3000, 'lettre trop longue') }),
    result: PrintResult,
  },
  'applications.noticesSeen': { params: z.object({ ids: z.array(z.uuid()).min(1).max(200) }), result: z.object({}) },
  /**
   * A procuration numérique, in an accompanied session (the agent's card, then the person's, both PINs
   * typed): the person's card signs the text, the agent's countersigns it (each PIN typed again for its
   * signature), then it is sent. The structure is the agent's as the server knows it unless given.
   * A wrong PIN signs nothing more; the person's signature is kept a few minutes for the agent's retry.
   */
  'procuration.make': {
    params: z.object({
      scope: ProcurationScope,
      from: IsoDate,
      until: IsoDate,
      renews: z.uuid().nullable().default(null),
      structure: NamedRef.optional(),
      personPin: CardPin,
      agentPin: CardPin,
    }),
    result: z.discriminatedUnion('outcome', [
      z.object({ outcome: z.literal('made'), id: z.uuid(), renewed: z.uuid().nullable(), until: IsoDate }),
      z.object({ outcome: z.literal('wrong'), who: Signer, triesLeft: z.number().int().min(0) }),
      z.object({ outcome: z.literal('blocked'), who: Signer }),
    ]),
  },
  /** with both cards in the box: the procuration the person already gave this agent, still running, to renew */
  'procuration.renewable': { params: z.object({}), result: z.object({ procuration: ProcurationListItem.nullable() }) },
  /** « Qui peut agir pour moi » (the person's session, alone or with the agent) */
  'procuration.mine': { params: z.object({}), result: z.object({ procurations: z.array(ProcurationListItem) }) },
  /** the person withdraws one: their card, in the box, proves it */
  'procuration.revoke': { params: RevokeProcurationRequest.pick({ procurationId: true, reason: true }), result: z.object({}) },
  /** the people who gave the agent at the box a procuration in force */
  'procuration.caseload': { params: z.object({}), result: z.object({ people: z.array(CaseloadEntry) }) },
  /** the person's printed copy */
  'procuration.print': { params: ProcurationPdfRequest.omit(withoutSession), result: PrintResult },
  /**
   * The agent alone acts for one person of their caseload, on the procuration that person signed: the
   * vault, the requests and the scan then work on that person's papers, within what they allowed.
   */
  'procuration.act': { params: CaseloadEntry.pick({ procurationId: true }), result: CaseloadEntry.pick({ firstName: true, lastName: true, until: true }) },
  /** the agent alone searches the papers of all the people they follow, within what each procuration allows */
  'procuration.search': { params: CaseloadSearchRequest.omit(withoutSession), result: z.object({ hits: z.array(CaseloadHit) }) },
  /** back to the agent's own workspace */
  'procuration.stopActing': { params: z.object({}), result: z.object({}) },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;

export const KioskEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: KioskState }),
  z.object({ type: z.literal('sync'), sync: SyncStatus }),
  z.object({ type: z.literal('ocr.progress'), progress: z.number().min(0).max(1), stage: z.string() }),
  /** the session will end for inactivity in `secondsLeft` seconds; null = the warning is over */
  z.object({ type: z.literal('idle'), secondsLeft: z.number().int().nonnegative().nullable() }),
  z.object({ type: z.literal('device'), device: DeviceStatus }),
  /** staff asked for the screens to be loaded again */
  z.object({ type: z.literal('reload') }),
  /** the server says a request's status changed: the aid screens read it again */
  z.object({ type: z.literal('applications.changed'), applicationId: z.uuid() }),
]);
export type KioskEvent = z.infer<typeof KioskEvent>;

export const ErrorCode = z.enum([
  /** needs the server, which cannot be reached now */
  'offline',
  'invalid-request',
  'unknown-method',
  'no-session',
  'bad-image',
  'ocr-failed',
  'not-found',
  'storage',
  'transport',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const KioskErrorShape = z.object({ code: ErrorCode, message: z.string() });

/** A typed error with a French message that can be shown as is. */
export class KioskError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KioskError';
  }
}

export const Outcome = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: KioskErrorShape }),
]);
export type Outcome = z.infer<typeof Outcome>;

/**
 * What the host puts on `window.kiosk` (preload in Electron, the bridge in the browser host).
 * Deliberately untyped at this level: both ends validate with the schemas above.
 */
export interface KioskBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}
