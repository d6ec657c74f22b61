/** Public API of the PC/SC driver: readers and cards through pcscd, and the OpenPGP card client. */
export {
  encodeCommandApdu,
  parseCommandApdu,
  parseResponseApdu,
  encodeResponseApdu,
  toHex,
  fromHex,
  ApduFormatError,
  SW,
  statusWordName,
  type CommandApdu,
  type ParsedCommandApdu,
  type ResponseApdu,
} from './apdu.ts';
export type { CardConnection, TransmitOptions } from './connection.ts';
export { p256PublicKeyFromPoint, verifyP256Signature, openPgpFingerprint, PGP_ALGO_ECDSA, PGP_ALGO_ECDH } from './ec.ts';
export { PcscError, UnexpectedStatusError, isPcscError, type PcscErrorCode } from './errors.ts';
export { exchange, type RawTransmit } from './exchange.ts';
export {
  OpenPgpCard,
  OPENPGP_AID_PREFIX,
  KEY_ROLES,
  type AidInfo,
  type ApplicationRelatedData,
  type KeyRole,
  type PinRef,
  type PinResult,
  type PwStatus,
} from './openpgp.ts';
export {
  ReaderManager,
  type CardInsertedEvent,
  type ReaderManagerEvents,
  type ReaderManagerOptions,
} from './reader-manager.ts';
export { decodeTlvs, encodeTlv, findTlv, unwrapTlv, TlvError, type Tlv } from './tlv.ts';
export type { Logger, LogFn } from '../log.ts';
