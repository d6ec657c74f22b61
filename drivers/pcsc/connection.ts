/** What the OpenPGP client needs from a card connection: PC/SC (ReaderManager) or in-process (tests, issuance). */
import type { ResponseApdu } from './apdu.ts';

export interface TransmitOptions {
  /** Overrides the manager's per-command timeout for this command. */
  timeoutMs?: number;
}

export interface CardConnection {
  readonly reader: string;
  readonly atr: Uint8Array;
  /** PC/SC protocol in use: 1 = T=0, 2 = T=1 (0 for in-process connections). */
  readonly protocol: number;
  /**
   * Sends one command APDU and returns the complete response: 61xx (GET RESPONSE) and 6Cxx (resend with
   * the right Le) are handled transparently. Rejects with a PcscError (card-removed, reader-gone,
   * timeout, ...) on transport failure; card status words, even errors, are returned, not thrown.
   */
  transmit(apdu: Uint8Array, opts?: TransmitOptions): Promise<ResponseApdu>;
  disconnect(): Promise<void>;
}
