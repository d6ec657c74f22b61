/**
 * The boundary with the `pcsclite` native module: the minimal shapes we use, the PC/SC constants
 * (pcsc-lite values) and the mapping of PC/SC return codes to our error codes. The module is loaded
 * lazily so that code using only the APDU/OpenPGP layers never loads the native addon.
 */
import { createRequire } from 'node:module';
import { PcscError, type PcscErrorCode } from './errors.ts';

export interface NativeStatus {
  state: number;
  atr?: Buffer;
}

type Callback<T> = (err: unknown, value: T) => void;

export interface NativeReader {
  name: string;
  connected: boolean;
  connect(options: { share_mode: number; protocol: number }, cb: Callback<number>): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: Callback<Buffer>): void;
  close(): void;
  on(event: 'status', listener: (status: NativeStatus) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (err: unknown) => void): this;
}

export interface NativeContext {
  on(event: 'reader', listener: (reader: NativeReader) => void): this;
  on(event: 'error', listener: (err: unknown) => void): this;
  close(): void;
}

export type NativeFactory = () => NativeContext;

export const SCARD = {
  STATE_CHANGED: 0x0002,
  STATE_UNAVAILABLE: 0x0008,
  STATE_EMPTY: 0x0010,
  STATE_PRESENT: 0x0020,
  STATE_MUTE: 0x0200,
  SHARE_EXCLUSIVE: 1,
  SHARE_SHARED: 2,
  PROTOCOL_T0: 1,
  PROTOCOL_T1: 2,
  LEAVE_CARD: 0,
  RESET_CARD: 1,
  UNPOWER_CARD: 2,
} as const;

export const PCSC_CODES = {
  E_INVALID_HANDLE: 0x80100003,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  E_NOT_READY: 0x80100010,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

let factory: NativeFactory | null = null;

/** Loads the pcsclite addon once; `pcsc-unavailable` when it cannot be loaded. */
export function loadNative(): NativeFactory {
  if (factory) return factory;
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)('pcsclite');
  } catch (e) {
    throw new PcscError('pcsc-unavailable', 'the pcsclite native module cannot be loaded', { cause: e });
  }
  if (typeof mod !== 'function') throw new PcscError('pcsc-unavailable', 'unexpected pcsclite module shape');
  factory = mod as NativeFactory;
  return factory;
}

/** The addon reports errors as "SCardXxx error: text.(0x8010000c)": extracts the PC/SC code. */
export function pcscCodeOf(err: unknown): number | undefined {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(msg);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

/** Maps a PC/SC code to our error code when the code alone is conclusive. */
export function conclusiveErrorCode(pcscCode: number | undefined): PcscErrorCode | undefined {
  switch (pcscCode) {
    case PCSC_CODES.W_REMOVED_CARD:
    case PCSC_CODES.E_NO_SMARTCARD:
    case PCSC_CODES.W_UNPOWERED_CARD:
      return 'card-removed';
    case PCSC_CODES.W_RESET_CARD:
      return 'card-reset';
    case PCSC_CODES.E_NO_SERVICE:
    case PCSC_CODES.E_SERVICE_STOPPED:
      return 'pcsc-unavailable';
    case PCSC_CODES.E_UNKNOWN_READER:
    case PCSC_CODES.E_READER_UNAVAILABLE:
      return 'reader-gone';
    case PCSC_CODES.E_SHARING_VIOLATION:
      return 'sharing-violation';
    case PCSC_CODES.E_TIMEOUT:
      return 'timeout';
    default:
      return undefined;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
