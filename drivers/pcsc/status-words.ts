/** ISO 7816-4 / OpenPGP card status words used by the card and the client. */
export const SW = {
  OK: 0x9000,
  WARNING_NV_UNCHANGED: 0x6200,
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  LAST_COMMAND_OF_CHAIN_EXPECTED: 0x6883,
  CHAINING_NOT_SUPPORTED: 0x6884,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  INCORRECT_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  MEMORY_FAILURE: 0x6581,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

const NAMES: Record<number, string> = {
  0x9000: 'success',
  0x6200: 'warning: non-volatile memory unchanged',
  0x6281: 'warning: part of returned data may be corrupted',
  0x6283: 'warning: selected file deactivated',
  0x6285: 'warning: selected file in termination state',
  0x6581: 'memory failure',
  0x6700: 'wrong length',
  0x6881: 'logical channel not supported',
  0x6882: 'secure messaging not supported',
  0x6883: 'last command of the chain expected',
  0x6884: 'command chaining not supported',
  0x6982: 'security status not satisfied',
  0x6983: 'authentication method blocked',
  0x6984: 'reference data not usable',
  0x6985: 'conditions of use not satisfied',
  0x6986: 'command not allowed',
  0x6987: 'expected secure messaging data objects missing',
  0x6988: 'incorrect secure messaging data objects',
  0x6a80: 'incorrect data field',
  0x6a81: 'function not supported',
  0x6a82: 'file or application not found',
  0x6a86: 'incorrect P1-P2',
  0x6a88: 'referenced data not found',
  0x6b00: 'wrong parameters P1-P2',
  0x6d00: 'instruction not supported',
  0x6e00: 'class not supported',
  0x6f00: 'no precise diagnosis',
};

/** Human-readable name of a status word, for logs and error messages. */
export function statusWordName(sw: number): string {
  const known = NAMES[sw];
  if (known) return known;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `${sw2 === 0 ? 256 : sw2} more bytes available`;
  if (sw1 === 0x6c) return `wrong Le, ${sw2 === 0 ? 256 : sw2} bytes available`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return `verification failed, ${sw2 & 0x0f} tries left`;
  if (sw1 === 0x64) return 'execution error, memory unchanged';
  if (sw1 === 0x65) return 'execution error, memory changed';
  return 'unknown status';
}
