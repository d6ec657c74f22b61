/**
 * The one kiosk API contract (`window.kiosk`), shared by the renderer and the core (DESIGN.md §3).
 * Pure zod, no Node and no DOM: it is imported on both sides and validated on both sides.
 */
import { z } from 'zod';

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

export const Role = z.enum(['beneficiary', 'agent']);
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
    /** a beneficiary's card in the second slot, on its way to joining (shown over the agent's screen) */
    joining: z
      .discriminatedUnion('step', [
        z.object({ step: z.literal('reading') }),
        z.object({ step: z.literal('pin'), firstName: z.string(), triesLeft: z.number().int().min(0).max(3) }),
        z.object({ step: z.literal('problem'), problem: CardProblem }),
      ])
      .nullable(),
  }),
  z.object({ screen: z.literal('remove-card'), reason: z.enum(['finished', 'idle']) }),
]);
export type KioskState = z.infer<typeof KioskState>;

export const FieldReading = z.object({
  value: z.string(),
  confidence: z.number().min(0).max(1),
  /** false when the value fails its check (IBAN key, date…) */
  valid: z.boolean(),
});
export type FieldReading = z.infer<typeof FieldReading>;

export const CaptureAnalysis = z.object({
  captureId: z.uuid(),
  docType: z.string(),
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
});
export type CaptureAnalysis = z.infer<typeof CaptureAnalysis>;

const Bytes = z.instanceof(Uint8Array);

/** A paper of the vault, as listed (titles and labels come ready for the screen). */
export const VaultItem = z.object({
  id: z.uuid(),
  title: z.string(),
  docType: z.string(),
  /** the group it is shown in (issuing institution): 'caf', 'impots', … and its name */
  issuer: z.string(),
  issuerTitle: z.string(),
  vault: z.enum(['personal', 'institutional']),
  capturedAt: z.string(),
  expiresOn: z.string().nullable(),
  expiry: z.enum(['valid', 'expires-soon', 'expired', 'too-old']),
  /** deposited during this session and still on its way to the server */
  pending: z.boolean(),
  snippet: z.string().optional(),
  hasPreview: z.boolean(),
});
export type VaultItem = z.infer<typeof VaultItem>;

export const VaultField = z.object({ name: z.string(), label: z.string(), value: z.string() });

export const VaultDocument = z.object({
  item: VaultItem,
  versions: z.array(
    z.object({
      version: z.number().int().positive(),
      capturedAt: z.string(),
      fields: z.array(VaultField),
      mime: z.string(),
      pages: z.number().int().positive(),
    }),
  ),
});
export type VaultDocument = z.infer<typeof VaultDocument>;

export const JournalEntry = z.object({ at: z.string(), who: z.string(), action: z.string(), documentTitle: z.string().nullable() });
export type JournalEntry = z.infer<typeof JournalEntry>;

export const InstitutionItem = z.object({ id: z.string(), name: z.string(), address: z.string(), city: z.string() });
export type InstitutionItem = z.infer<typeof InstitutionItem>;

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
      pin: z.string().regex(/^\d{4,8}$/, 'le code doit avoir 4 à 8 chiffres'),
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
  'sync.status': { params: z.object({}), result: SyncStatus },
  'vault.list': { params: z.object({}), result: z.object({ items: z.array(VaultItem) }) },
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
  'vault.send': {
    params: z.object({ documentId: z.uuid(), institutionId: z.string().max(64), note: z.string().max(2000).default('') }),
    result: z.object({}),
  },
  'vault.journal': { params: z.object({}), result: z.object({ entries: z.array(JournalEntry) }) },
  'institutions.list': { params: z.object({}), result: z.object({ institutions: z.array(InstitutionItem) }) },
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
