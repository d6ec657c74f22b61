/**
 * The `/kiosk` socket.io namespace: kiosks authenticate in the handshake by signing a one-time server
 * challenge with their device key, then say hello, push their mutations and ask who holds a card.
 * Every message is validated; a handler's failure becomes a typed `internal` ack and never reaches the
 * process. A revoked kiosk is dropped at once: by the instance that revoked it (and, through the
 * adapter, every other instance), and by each instance's own look at the database for revocations made
 * by another process (the staff CLI).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Namespace, Server as IoServer, Socket } from 'socket.io';
import type { MessageOf } from '../../../protocol/events.ts';
import { EVENTS, HANDSHAKE_ERROR, KIOSK_NAMESPACE, KioskHandshake } from '../../../protocol/socket.ts';
import type { HelloAck, ProtocolError } from '../../../protocol/socket.ts';
import type { Challenges } from '../../features/fleet/index.ts';
import { kioskStatus, revokedKioskIds, verifySignedChallenge } from '../../features/fleet/index.ts';
import { cardholderGreeting } from '../../features/persons/index.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { SyncEngine } from '../../features/sync/index.ts';
import { handle } from './handle.ts';
import type { PushService } from './pushes.ts';
import type { SyncTestHooks } from '../../features/sync/index.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';

export interface KioskSocketDeps {
  db: Kysely<Database>;
  engine: SyncEngine;
  log: FastifyBaseLogger;
  challenges: Challenges;
  /** server → kiosk pushes; pushed after the hello, retried until acknowledged */
  pushes?: PushService;
  /** several instances joined by a cluster adapter (PostgreSQL): revocations are passed on to the others */
  clustered?: boolean;
  /** how often to look for kiosks revoked by another process; 0 = never */
  revocationPollMs?: number;
  hooks?: SyncTestHooks;
}

export interface KioskNamespace {
  /** Tells a kiosk it is revoked and drops its connections, on every instance. */
  dropKiosk(kioskId: string): void;
  /** Kiosk ids connected to this instance. */
  connectedKiosks(): string[];
  close(): void;
}

/** The error a refused handshake carries (the client sees it as `connect_error` with this message). */
export const UNAUTHORIZED = HANDSHAKE_ERROR.unauthorized;

export function kioskRoom(kioskId: string): string {
  return `kiosk:${kioskId}`;
}

/** Instance-to-instance event (through the adapter): drop this revoked kiosk's local connections. */
const DROP_KIOSK = 'fac:drop-kiosk';
type Fail = { ok: false; error: ProtocolError };

const REVOKED: Fail = { ok: false, error: { code: 'forbidden', message: SOCKET_ANSWER.kioskRevoked } };

/** What the namespace's middleware keeps on an authenticated socket. */
interface KioskSocketData {
  kioskId?: unknown;
}

/** The kiosk the namespace's middleware authenticated (its signed challenge), never what the client claims. */
export function kioskIdOf(socket: Socket): string | null {
  const data = socket.data as KioskSocketData | undefined;
  return typeof data?.kioskId === 'string' ? data.kioskId : null;
}

export function attachKioskNamespace(io: IoServer, deps: KioskSocketDeps): KioskNamespace {
  const { db, engine, log, pushes, challenges, hooks } = deps;
  const nsp: Namespace = io.of(KIOSK_NAMESPACE);
  const connected = new Map<string, number>();

  nsp.use((socket, next) => {
    const handshake = KioskHandshake.safeParse(socket.handshake.auth);
    if (!handshake.success) {
      next(new Error(HANDSHAKE_ERROR.unauthorized));
      return;
    }
    verifySignedChallenge(db, challenges, handshake.data, 'socket').then(
      (check) => {
        if (!check.ok) {
          log.warn({ kioskId: handshake.data.kioskId, reason: check.reason }, 'kiosk connection refused');
          next(new Error(HANDSHAKE_ERROR[check.reason]));
          return;
        }
        (socket.data as KioskSocketData).kioskId = check.kioskId;
        next();
      },
      (err: unknown) => {
        log.error({ err }, 'kiosk authentication failed');
        next(new Error('internal'));
      },
    );
  });

  const isRevoked = async (kioskId: string): Promise<boolean> => {
    return (await kioskStatus(db, kioskId)) !== 'active';
  };

  nsp.on('connection', (socket) => {
    const kioskId = kioskIdOf(socket);
    if (kioskId === null) {
      socket.disconnect(true);
      return;
    }
    void socket.join(kioskRoom(kioskId));
    connected.set(kioskId, (connected.get(kioskId) ?? 0) + 1);
    log.info({ kioskId }, 'kiosk connected');
    socket.on('disconnect', (reason) => {
      const n = (connected.get(kioskId) ?? 1) - 1;
      if (n <= 0) connected.delete(kioskId);
      else connected.set(kioskId, n);
      log.info({ kioskId, reason }, 'kiosk disconnected');
    });
    pushes?.attach(socket, kioskId);

    handle(socket, log, EVENTS.hello, async (request): Promise<HelloAck> => {
      // the kiosk's clientTime is informative only: nothing here depends on the kiosk's clock
      if (await isRevoked(kioskId)) {
        dropLocal(kioskId);
        return REVOKED;
      }
      const position = await engine.position(kioskId);
      if (position === null) return { ok: false, error: { code: 'unknown', message: SOCKET_ANSWER.kioskUnknown } };
      // after the acknowledgement has gone out: the kiosk learns where it stands before any push
      setImmediate(() => pushes?.helloReceived(socket, { revocationsVersion: request.revocationsVersion, configVersion: request.configVersion }));
      return { ok: true, ...position, serverTime: new Date().toISOString() };
    });

    handle(socket, log, EVENTS.mutations, async (request) => {
      const ack = await engine.apply(kioskId, request.mutations);
      if (ack.ok) log.debug({ kioskId, lastSeq: ack.lastSeq, count: ack.results.length }, 'mutations acknowledged');
      else log.warn({ kioskId, code: ack.error.code, seq: ack.error.seq, expectedSeq: ack.error.expectedSeq }, 'mutations refused');
      if (hooks?.beforeAck && (await hooks.beforeAck({ kioskId, ack })) === 'drop') {
        // the fault test's "connection lost between commit and acknowledgement"
        socket.disconnect(true);
      }
      return ack;
    });

    handle(socket, log, EVENTS.cardholder, (request) => cardholderGreeting(db, request.identifier));
  });

  function dropLocal(kioskId: string): void {
    const room = kioskRoom(kioskId);
    const notice: MessageOf<typeof EVENTS.revoked> = { at: new Date().toISOString() };
    nsp.local.to(room).emit(EVENTS.revoked, notice);
    nsp.local.in(room).disconnectSockets(true);
  }

  let timer: NodeJS.Timeout | null = null;
  const pollMs = deps.revocationPollMs ?? 2_000;
  if (pollMs > 0) {
    timer = setInterval(() => {
      if (connected.size === 0) return;
      revokedKioskIds(db)
        .then(
          (ids) => {
            for (const id of ids) {
              if (connected.has(id)) {
                log.warn({ kioskId: id }, 'revoked kiosk disconnected');
                dropLocal(id);
              }
            }
          },
          (err: unknown) => log.warn({ err }, 'revoked kiosks poll failed'),
        );
    }, pollMs);
    timer.unref();
  }

  // Another instance revoked a kiosk: one message, so "you are revoked" always reaches the kiosk before
  // its disconnection. (Sent as two adapter broadcasts, the PostgreSQL adapter publishes each on
  // whichever pool connection is free, and the disconnection could overtake the event.)
  nsp.on(DROP_KIOSK, (kioskId: unknown) => {
    if (typeof kioskId !== 'string' || !connected.has(kioskId)) return;
    log.warn({ kioskId }, 'kiosk revoked on another instance: disconnected');
    dropLocal(kioskId);
  });

  return {
    dropKiosk(kioskId) {
      // here first, without waiting for the adapter: a cluster adapter delivers even local packets only
      // after publishing them to the others, and not at all if that fails
      dropLocal(kioskId);
      // then every other instance does the same for the connections it holds
      if (deps.clustered) {
        try {
          nsp.serverSideEmit(DROP_KIOSK, kioskId);
        } catch (err) {
          // the other instances still drop it at their next look at the database (revocationPollMs)
          log.warn({ err, kioskId }, 'could not tell the other instances about a revoked kiosk');
        }
      }
    },
    connectedKiosks: () => [...connected.keys()],
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
