/**
 * The one wrapper of the kiosk socket's handlers, typed and checked by the events table
 * (protocol/events.ts): the request is parsed with the event's request schema before the handler sees
 * it, the handler's answer with the event's acknowledgement schema before it leaves, and whatever
 * happens in the handler the kiosk gets a typed acknowledgement.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { ackSchema, describeIssues, requestSchema } from '../../../protocol/events.ts';
import type { AckReplyOf, EventName, ParsedRequestOf } from '../../../protocol/events.ts';
import type { ProtocolError } from '../../../protocol/socket.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';

type Ack = (response: unknown) => void;
type Fail = { ok: false; error: ProtocolError };

function invalid(issues: z.core.$ZodIssue[], namePath: boolean): Fail {
  const first = issues[0];
  const where = namePath && first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
  return { ok: false, error: { code: 'invalid', message: SOCKET_ANSWER.invalid(where, first?.message ?? SOCKET_ANSWER.unexpectedFormat) } };
}

const INTERNAL: Fail = { ok: false, error: { code: 'internal', message: SOCKET_ANSWER.internal } };

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
 * Registers the handler of a kiosk event. socket.io passes the ack callback as the last argument when
 * the client asked for one; without it the reply is dropped. An invalid payload is answered with a
 * typed `invalid`; a failure of `run` (thrown or rejected) with a typed `internal`, logged, and never
 * reaches the process. The answer goes out as its schema parsed it — members the protocol does not
 * name are left behind — and an answer the schema refuses is a bug of ours: logged (where, never
 * what) and answered `internal`, so the kiosk never gets what it would have to refuse.
 */
export function handle<E extends EventName>(
  socket: Socket,
  log: FastifyBaseLogger,
  event: E,
  run: (request: ParsedRequestOf<E>) => Promise<AckReplyOf<E>>,
  options: HandleOptions = {},
): void {
  const { failure = 'kiosk handler failed', context, missingAsEmpty = false, namePath = true } = options;
  const requests = requestSchema(event);
  const acks = ackSchema(event);
  const reply = (ack: Ack, answer: AckReplyOf<E>): void => {
    const checked = acks.safeParse(answer);
    if (checked.success) {
      ack(checked.data);
      return;
    }
    log.error({ event, issues: describeIssues(checked.error), ...context }, 'kiosk acknowledgement does not match the protocol');
    ack(INTERNAL);
  };
  const name: string = event;
  socket.on(name, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasAck = typeof last === 'function';
    const ack: Ack = hasAck ? (last as Ack) : () => {};
    const payload = hasAck && args.length === 1 ? undefined : args[0];
    const parsed = requests.safeParse(missingAsEmpty ? (payload ?? {}) : payload);
    if (!parsed.success) {
      ack(invalid(parsed.error.issues, namePath));
      return;
    }
    // a synchronous throw in `run` becomes a rejection too
    Promise.resolve(parsed.data)
      .then(run)
      .then(
        (answer) => reply(ack, answer),
        (err: unknown) => {
          log.error({ err, event, ...context }, failure);
          ack(INTERNAL);
        },
      );
  });
}
