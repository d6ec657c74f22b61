/** Typed errors of the virtual card tooling; callers branch on `code`. */
export type VcardErrorCode =
  | 'state-not-found'
  | 'state-corrupt'
  | 'state-exists'
  | 'io-error'
  | 'invalid-argument'
  /** Nothing listens on the vpcd port: pcscd (with vsmartcard-vpcd) is not running. */
  | 'vpcd-unavailable'
  /** vpcd accepted the connection but never polled the card (slot taken by another card?). */
  | 'vpcd-timeout'
  | 'unknown-card'
  | 'simulator-unavailable'
  /** The simulated box holds the card (latch locked), or refuses the action (no button, unplugged). */
  | 'box-refused';

export class VcardError extends Error {
  readonly code: VcardErrorCode;

  constructor(code: VcardErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'VcardError';
    this.code = code;
  }
}

export function isVcardError(e: unknown, code?: VcardErrorCode): e is VcardError {
  return e instanceof VcardError && (code === undefined || e.code === code);
}
