/**
 * The `/kiosk` socket.io namespace: kiosks authenticate in the handshake, then say hello, push their
 * mutations and ask who holds a card. Every message is validated; a handler's failure becomes a typed
 * `internal` ack and never reaches the process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Server as IoServer, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  CardholderRequest,
  EVENTS,
  HelloRequest,
  KIOSK_NAMESPACE,
  KioskAuth,
  MutationsRequest,
} from '../../protocol/socket.ts';
import type { ProtocolError } from '../../protocol/socket.ts';
import { verifyKiosk } from '../auth/kiosk-auth.ts';
import { cardholderGreeting } from '../domain/persons.ts';
import type { Database } from '../storage/schema.ts';
import type { SyncEngine } from './apply-mutations.ts';
import type { PushService } from './pushes.ts';

export interface KioskSocketDeps {
  db: Kysely<Database>;
  engine: SyncEngine;
  log: FastifyBaseLogger;
  /** server → kiosk pushes (revocation list); pushed after the hello, retried until acknowledged */
  pushes?: PushService;
}

/** The error a refused handshake carries (the client sees it as `connect_error` with this message). */
export const UNAUTHORIZED = 'unauthorized';

type Ack = (response: unknown) => void;
type Fail = { ok: false; error: ProtocolError };

function invalid(issues: z.core.$ZodIssue[]): Fail {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
  return { ok: false, error: { code: 'invalid', message: `Message invalide${where} : ${first?.message ?? 'format inattendu'}` } };
}

/**
 * Registers a validated handler. socket.io passes the ack callback as the last argument when the client
 * asked for one; without it the reply is dropped.
 */
function handle<S extends z.ZodType>(
  socket: Socket,
  log: FastifyBaseLogger,
  event: string,
  schema: S,
  run: (request: z.infer<S>) => Promise<unknown>,
): void {
  socket.on(event, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasAck = typeof last === 'function';
    const ack: Ack = hasAck ? (last as Ack) : () => {};
    const payload = hasAck && args.length === 1 ? undefined : args[0];
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      ack(invalid(parsed.error.issues));
      return;
    }
    // a synchronous throw in `run` becomes a rejection too
    Promise.resolve(parsed.data).then(run).then(ack, (err: unknown) => {
      log.error({ err, event }, 'kiosk handler failed');
      ack({ ok: false, error: { code: 'internal', message: 'Erreur interne du serveur, réessayer plus tard.' } });
    });
  });
}

export function attachKioskNamespace(io: IoServer, deps: KioskSocketDeps): void {
  const { db, engine, log, pushes } = deps;
  const nsp = io.of(KIOSK_NAMESPACE);
  const kioskOf = new WeakMap<Socket, string>();

  nsp.use((socket, next) => {
    const auth = KioskAuth.safeParse(socket.handshake.auth);
    if (!auth.success) {
      next(new Error(UNAUTHORIZED));
      return;
    }
    verifyKiosk(db, auth.data).then(
      (ok) => {
        if (!ok) {
          log.warn({ kioskId: auth.data.kioskId }, 'kiosk connection refused');
          next(new Error(UNAUTHORIZED));
          return;
        }
        kioskOf.set(socket, auth.data.kioskId);
        next();
      },
      (err: unknown) => {
        log.error({ err }, 'kiosk authentication failed');
        next(new Error('internal'));
      },
    );
  });

  nsp.on('connection', (socket) => {
    const kioskId = kioskOf.get(socket);
    if (kioskId === undefined) {
      socket.disconnect(true);
      return;
    }
    log.info({ kioskId }, 'kiosk connected');
    socket.on('disconnect', (reason) => log.info({ kioskId, reason }, 'kiosk disconnected'));
    pushes?.attach(socket, kioskId);

    handle(socket, log, EVENTS.hello, HelloRequest, async (request) => {
      const position = await engine.position(kioskId);
      if (position === null) return { ok: false, error: { code: 'unknown', message: 'Borne inconnue.' } };
      // after the acknowledgement has gone out: the kiosk learns where it stands before any push
      setImmediate(() => pushes?.helloReceived(socket, request.revocationsVersion));
      return { ok: true, ...position, serverTime: new Date().toISOString() };
    });

    handle(socket, log, EVENTS.mutations, MutationsRequest, async (request) => {
      const ack = await engine.apply(kioskId, request.mutations);
      if (ack.ok) log.debug({ kioskId, lastSeq: ack.lastSeq, count: ack.results.length }, 'mutations acknowledged');
      else log.warn({ kioskId, code: ack.error.code, seq: ack.error.seq, expectedSeq: ack.error.expectedSeq }, 'mutations refused');
      return ack;
    });

    handle(socket, log, EVENTS.cardholder, CardholderRequest, (request) => cardholderGreeting(db, request.identifier));
  });
}
