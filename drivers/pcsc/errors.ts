/**
 * Typed errors of the PC/SC driver. Callers branch on `code`, never on the message.
 * Messages are English (logs); screens map codes to French text themselves.
 */
import { statusWordName } from './status-words.ts';

export type PcscErrorCode =
  /** pcscd is not running or the PC/SC library cannot be reached. */
  | 'pcsc-unavailable'
  /** The reader disappeared (unplugged, or pcscd restarted) while in use. */
  | 'reader-gone'
  /** The card was pulled out, before or during a command. */
  | 'card-removed'
  /** Another application reset the card: the session (verified PINs) is lost. */
  | 'card-reset'
  /** No card is in the reader. */
  | 'no-card'
  /** The reader already has an open connection from this manager. */
  | 'reader-busy'
  /** Another application holds the card exclusively. */
  | 'sharing-violation'
  /** The command did not complete in time. */
  | 'timeout'
  /** The card answered with a status word the caller did not expect (see `sw`). */
  | 'unexpected-status'
  /** The card or middleware answered with bytes that do not parse. */
  | 'malformed-response'
  /** The card does not hold the OpenPGP application. */
  | 'not-openpgp'
  /** The referenced key is not on the card. */
  | 'no-key'
  /** The connection (or manager) was closed by us, or made unusable by an earlier timeout. */
  | 'connection-closed'
  /** A PC/SC call failed for another reason (see `pcscCode`). */
  | 'transmit-failed'
  /** The caller passed an invalid argument (bad APDU, PIN too long...). */
  | 'invalid-argument';

export class PcscError extends Error {
  readonly code: PcscErrorCode;
  /** PC/SC return code (SCARD_E_* / SCARD_W_*) when the error comes from the middleware. */
  readonly pcscCode: number | undefined;

  constructor(code: PcscErrorCode, message: string, opts?: { cause?: unknown; pcscCode?: number }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PcscError';
    this.code = code;
    this.pcscCode = opts?.pcscCode;
  }
}

/** The card answered, but not with the status word the operation needs. */
export class UnexpectedStatusError extends PcscError {
  readonly sw: number;

  constructor(sw: number, context: string) {
    super('unexpected-status', `${context}: card answered ${swHex(sw)} (${statusWordName(sw)})`);
    this.name = 'UnexpectedStatusError';
    this.sw = sw;
  }
}

export function isPcscError(e: unknown, code?: PcscErrorCode): e is PcscError {
  return e instanceof PcscError && (code === undefined || e.code === code);
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
