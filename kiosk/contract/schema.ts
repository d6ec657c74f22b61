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
  'unreadable', // not an OpenPGP card, or a read failed
  'unknown', // a card we do not know
  'offline', // the holder could not be looked up and nothing is cached
  'blocked', // PIN blocked
]);
export type CardProblem = z.infer<typeof CardProblem>;

export const KioskState = z.discriminatedUnion('screen', [
  z.object({ screen: z.literal('attract') }),
  z.object({ screen: z.literal('reading') }),
  z.object({ screen: z.literal('card-problem'), problem: CardProblem }),
  z.object({ screen: z.literal('pin'), firstName: z.string(), triesLeft: z.number().int().min(0).max(3) }),
  z.object({ screen: z.literal('session'), firstName: z.string(), role: z.enum(['beneficiary', 'agent']) }),
  z.object({ screen: z.literal('remove-card') }),
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
  fields: z.record(z.string(), FieldReading),
  text: z.string(),
  /** milliseconds spent in the core, for the record */
  elapsedMs: z.number().nonnegative(),
});
export type CaptureAnalysis = z.infer<typeof CaptureAnalysis>;

const Bytes = z.instanceof(Uint8Array);

/** Every method: its params and its result. */
export const methods = {
  'state.get': { params: z.object({}), result: z.object({ state: KioskState, sync: SyncStatus }) },
  'pin.submit': {
    params: z.object({ pin: z.string().regex(/^\d{4,8}$/, 'le code doit avoir 4 à 8 chiffres') }),
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
    }),
    result: z.object({ documentId: z.uuid() }),
  },
  'capture.discard': { params: z.object({ captureId: z.uuid() }), result: z.object({}) },
  'session.end': { params: z.object({}), result: z.object({}) },
  'sync.status': { params: z.object({}), result: SyncStatus },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;

export const KioskEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: KioskState }),
  z.object({ type: z.literal('sync'), sync: SyncStatus }),
  z.object({ type: z.literal('ocr.progress'), progress: z.number().min(0).max(1), stage: z.string() }),
]);
export type KioskEvent = z.infer<typeof KioskEvent>;

export const ErrorCode = z.enum([
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
