/**
 * Messages between the OCR pool (caller's thread) and its worker threads, and the result type. Both sides
 * parse what they receive: a worker bug then shows as a clear error, not as a wrong field on screen.
 */
import { z } from 'zod';
import { DocType, LIMITS } from '../../../sync-server/protocol/common.ts';
import { OcrErrorWire } from './errors.ts';
import { TWODDOC_STATUSES } from './twoddoc-verify.ts';

export const FieldReading = z.object({
  value: z.string().max(LIMITS.fieldValueChars),
  confidence: z.number().min(0).max(1),
  valid: z.boolean(),
  /** where the value was read (absent in older results: printed text) */
  source: z.enum(['ocr', 'mrz', '2d-doc']).optional(),
  /** the extractor's score before calibration (extract/calibration.ts): what the calibration is fitted on */
  raw: z.number().min(0).max(1).optional(),
});

export const OcrTimings = z.object({
  /** waiting for a free worker */
  queueMs: z.number().nonnegative(),
  /** checks, decode, orientation, greyscale, resize, contrast, sharpen */
  preprocessMs: z.number().nonnegative(),
  recognizeMs: z.number().nonnegative(),
  extractMs: z.number().nonnegative(),
  /** looking for a 2D-Doc DataMatrix (absent in older results) */
  barcodeMs: z.number().nonnegative().optional(),
});
export type OcrTimings = z.infer<typeof OcrTimings>;

const ShortText = z.string().max(200);

/**
 * A 2D-Doc found on the document: its header, its fields by identifier, and its signature, checked against
 * the kiosk's 2D-Doc trust store (`verified`; `reason` says how, or why not, in English).
 */
export const TwoDDocSummary = z.object({
  header: z.object({
    version: z.number().int().min(2).max(4),
    caId: ShortText,
    certId: ShortText,
    issueDate: z.string().max(10).nullable(),
    signatureDate: z.string().max(10).nullable(),
    docType: ShortText,
    perimeter: ShortText.nullable(),
    country: ShortText.nullable(),
  }),
  fields: z.record(z.string().max(2), z.string().max(LIMITS.fieldValueChars)).refine((f) => Object.keys(f).length <= LIMITS.fieldsPerDocument),
  signature: z.object({ present: z.boolean(), verified: z.boolean(), reason: z.string().max(500) }),
  /** fields whose printed value differs from the signed one (a sign of tampering, or of an OCR misread) */
  mismatches: z.array(z.string().max(40)).max(LIMITS.fieldsPerDocument),
});
export type TwoDDocSummary = z.infer<typeof TwoDDocSummary>;

/**
 * What the kiosk makes of a 2D-Doc (present whenever the page carries a DataMatrix that says it is one,
 * even one that does not parse: `malformed`): the signature's status (twoddoc-verify.ts), the authority
 * when the chain holds, and each field of the code against the printed text.
 */
export const TwoDDocCheck = z.object({
  status: z.enum(TWODDOC_STATUSES),
  caId: ShortText.nullable(),
  certId: ShortText.nullable(),
  /** the authority's name from its certificate */
  authority: ShortText.nullable(),
  /** the day the certificates were checked at: the code's signature date */
  checkedAt: z.string().max(10).nullable(),
  fields: z.array(z.object({ name: z.string().max(40), agreement: z.enum(['agrees', 'disagrees', 'not-printed']) })).max(LIMITS.fieldsPerDocument),
});
export type TwoDDocCheck = z.infer<typeof TwoDDocCheck>;

export const OcrResult = z.object({
  docType: DocType,
  fields: z.record(z.string().max(40), FieldReading).refine((f) => Object.keys(f).length <= LIMITS.fieldsPerDocument),
  text: z.string().max(LIMITS.ocrTextChars),
  /** tesseract's mean confidence for the page, 0..1 */
  confidence: z.number().min(0).max(1),
  /** present when a 2D-Doc was read (its fields then override the printed ones) */
  twoDDoc: TwoDDocSummary.optional(),
  /** present when a DataMatrix says it is a 2D-Doc: its signature's status and the cross-check */
  twoDDocCheck: TwoDDocCheck.optional(),
  /** size of the input image as shown (after EXIF orientation) */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** from analyse() to result, queue included */
  elapsedMs: z.number().nonnegative(),
  timings: OcrTimings,
});
export type OcrResult = z.infer<typeof OcrResult>;

export const OcrStage = z.enum(['queued', 'preprocess', 'recognize', 'extract', 'done']);
export type OcrStage = z.infer<typeof OcrStage>;

/** Test-only faults, honoured only by a pool created with `testHooks: true`. */
export const TestFault = z.enum(['crash', 'hang']);
export type TestFault = z.infer<typeof TestFault>;

export const WorkerInit = z.object({
  cacheDir: z.string().min(1),
  tripwireChannel: z.string().min(1),
  testHooks: z.boolean(),
  /** the 2D-Doc trust store the pool loaded, as DER (twoddoc-trust.ts) */
  twoDDocTrust: z
    .array(z.object({ caId: z.string().max(4), certId: z.string().max(4).nullable(), der: z.instanceof(Uint8Array) }))
    .max(5000),
});
export type WorkerInit = z.infer<typeof WorkerInit>;

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), jobId: z.number().int(), image: z.instanceof(Uint8Array), fault: TestFault.optional() }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** What a worker computes; the pool adds queue time and elapsedMs. */
export const WorkerResult = OcrResult.omit({ elapsedMs: true, timings: true }).extend({
  timings: OcrTimings.omit({ queueMs: true }),
});
export type WorkerResult = z.infer<typeof WorkerResult>;

export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), initMs: z.number() }),
  z.object({ type: z.literal('init-failed'), detail: z.string().max(2000) }),
  z.object({ type: z.literal('progress'), jobId: z.number().int(), stage: OcrStage, progress: z.number().min(0).max(1) }),
  z.object({ type: z.literal('result'), jobId: z.number().int(), result: WorkerResult }),
  z.object({ type: z.literal('error'), jobId: z.number().int(), error: OcrErrorWire }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
