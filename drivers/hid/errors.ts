/**
 * Typed errors of the card-holder box driver. Callers branch on `code`, never on the message.
 * Messages are English (logs); screens map codes to French text themselves.
 */
export type HidErrorCode =
  /** A report (input, output or feature) does not match its layout in PROTOCOL.md. */
  | 'malformed-report'
  /** The device speaks a protocol version this host does not know. */
  | 'unsupported-protocol'
  /** The device answered the device-info feature without the box's magic: another device on the same ids. */
  | 'not-a-box'
  /** The device has no such feature report (a USB STALL). */
  | 'feature-unsupported'
  /** The device did not answer in time. */
  | 'timeout'
  /** The link to the device is gone (unplugged, read error, peer closed). */
  | 'transport-closed'
  /** The loopback peer broke the framing (unknown kind, bad length, unsolicited answer). */
  | 'bad-frame'
  /** Writing a report failed. */
  | 'write-failed'
  /** The device is there but could not be opened (permissions: see the udev rule in drivers/README.md). */
  | 'open-failed'
  /** The node-hid native module could not be loaded. */
  | 'hid-unavailable'
  /** The caller passed an invalid argument (unknown indicator, bad slot, bad spec…). */
  | 'invalid-argument'
  /** The box (or transport) was closed by us. */
  | 'closed';

export class HidError extends Error {
  readonly code: HidErrorCode;

  constructor(code: HidErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HidError';
    this.code = code;
  }
}

export function isHidError(e: unknown, code?: HidErrorCode): e is HidError {
  return e instanceof HidError && (code === undefined || e.code === code);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
