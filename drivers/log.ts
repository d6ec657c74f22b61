/**
 * The logger the drivers accept: the subset of pino's API they use, so a pino logger (or a child of one)
 * can be passed as is. Drivers never log PINs, keys or APDU data fields that may carry them.
 */
export interface LogFn {
  (obj: Record<string, unknown>, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
