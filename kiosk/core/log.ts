/** Structured logging (pino). Secrets are redacted by path, and the code never logs PINs or keys. */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = ['pin', '*.pin', 'token', '*.token', 'key', '*.key', 'auth', '*.auth', 'authorization', '*.authorization', 'image', '*.image'];

export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
