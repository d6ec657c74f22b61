/**
 * The one wrapper of the kiosk socket's handlers: the request is validated before the handler sees it,
 * and whatever happens in the handler, the kiosk gets a typed acknowledgement.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ProtocolError } from '../../../protocol/socket.ts';

type Ack = (response: unknown) => void;
type Fail = { ok: false; error: ProtocolError };

function invalid(issues: z.core.$ZodIssue[], namePath: boolean): Fail {
  const first = issues[0];
  const where = namePath && first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
  return { ok: false, error: { code: 'invalid', message: `Message invalide${where} : ${first?.message ?? 'format inattendu'}` } };
}

const INTERNAL: Fail = { ok: false, error: { code: 'internal', message: 'Erreur interne du serveur, réessayer plus tard.' } };

export interface HandleOptions {
  /** the error log's message when the handler fails (default: 'kiosk handler failed') */
  failure?: string;
  /** fields added to that log line */
  context?: Record<string, unknown>;
  /** a call without payload (only an ack, or nothing) is validated as `{}` rather than `undefined` */
  missingAsEmpty?: boolean;
  /** the `invalid` message names the first issue's path (default: true) */
  namePath?: boolean;
}

/**
 * Registers a validated handler on a kiosk socket. socket.io passes the ack callback as the last
 * argument when the client asked for one; without it the reply is dropped. An invalid payload is
 * answered with a typed `invalid`; a failure of `run` (thrown or rejected) with a typed `internal`,
 * logged, and never reaches the process.
 */
export function handle<S extends z.ZodType>(
  socket: Socket,
  log: FastifyBaseLogger,
  event: string,
  schema: S,
  run: (request: z.infer<S>) => Promise<unknown>,
  options: HandleOptions = {},
): void {
  const { failure = 'kiosk handler failed', context, missingAsEmpty = false, namePath = true } = options;
  socket.on(event, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasAck = typeof last === 'function';
    const ack: Ack = hasAck ? (last as Ack) : () => {};
    const payload = hasAck && args.length === 1 ? undefined : args[0];
    const parsed = schema.safeParse(missingAsEmpty ? (payload ?? {}) : payload);
    if (!parsed.success) {
      ack(invalid(parsed.error.issues, namePath));
      return;
    }
    // a synchronous throw in `run` becomes a rejection too
    Promise.resolve(parsed.data).then(run).then(ack, (err: unknown) => {
      log.error({ err, event, ...context }, failure);
      ack(INTERNAL);
    });
  });
}
