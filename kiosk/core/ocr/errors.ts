/**
 * The one error type OCR rejects with. `message` is simple French for the screen; `detail` is English for
 * the logs (never the image's text: it holds personal data).
 */
import { z } from 'zod';
import { OCR_WORDS } from '../words.ts';

export const OcrErrorCode = z.enum(['bad-image', 'too-large', 'unreadable', 'worker-crashed', 'timeout']);
export type OcrErrorCode = z.infer<typeof OcrErrorCode>;

export const OCR_MESSAGES: Record<OcrErrorCode, string> = {
  'bad-image': OCR_WORDS['bad-image'],
  'too-large': OCR_WORDS['too-large'],
  unreadable: OCR_WORDS.unreadable,
  'worker-crashed': OCR_WORDS['worker-crashed'],
  timeout: OCR_WORDS.timeout,
};

export class OcrError extends Error {
  override readonly name = 'OcrError';
  readonly code: OcrErrorCode;
  readonly detail: string | undefined;

  constructor(code: OcrErrorCode, options: { message?: string; detail?: string; cause?: unknown } = {}) {
    super(options.message ?? OCR_MESSAGES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
  }
}

/** How an OcrError crosses the worker boundary (structured clone drops the class). */
export const OcrErrorWire = z.object({
  code: OcrErrorCode,
  message: z.string().max(500),
  detail: z.string().max(2000).optional(),
});
export type OcrErrorWire = z.infer<typeof OcrErrorWire>;

export function toWire(e: OcrError): OcrErrorWire {
  return { code: e.code, message: e.message, ...(e.detail === undefined ? {} : { detail: e.detail }) };
}

export function fromWire(w: OcrErrorWire): OcrError {
  return new OcrError(w.code, { message: w.message, ...(w.detail === undefined ? {} : { detail: w.detail }) });
}
