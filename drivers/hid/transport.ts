/**
 * What `CardBox` needs from a link to the box, so the same logic runs over node-hid (the USB
 * device), the in-process virtual box (unit tests) and the loopback TCP virtual box (demo, tests).
 * Reports are full reports as hidapi sees them: byte 0 is the report id.
 */
import type { HidError } from './errors.ts';

export type TransportKind = 'hid' | 'tcp' | 'in-process';

export interface HidTransport {
  readonly kind: TransportKind;
  /** Writes an output report. Rejects with `write-failed` / `transport-closed`. */
  write(report: Uint8Array): Promise<void>;
  /** Reads a feature report (`length` includes the id byte); resolves with the report, id first. */
  getFeature(reportId: number, length: number): Promise<Uint8Array>;
  /** Input reports, in order. One listener. */
  onReport(listener: (report: Uint8Array) => void): void;
  /** Called once when the link is gone; `error` tells why when it is not a plain unplug / close. */
  onClose(listener: (error: HidError | null) => void): void;
  close(): Promise<void>;
}

/** Finds and opens the box. Resolves null when there is no box to open (not plugged): no error. */
export interface HidConnector {
  readonly kind: TransportKind;
  /** For logs: where the connector looks. */
  readonly description: string;
  connect(): Promise<HidTransport | null>;
}
