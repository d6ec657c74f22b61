/**
 * The person's session on the server (protocol/vault.ts): opened by the card itself, which signs a
 * server nonce at login (or later, when the network comes back, while the card is still in). Every read
 * of a person's vault or aid requests runs inside it: the server checks it on each request, applies its
 * access policy and writes its journal. Shared by the vault and the aid space, so both ride on the one
 * session the card opened.
 */
import type { AckOf, Acked, RequestOf, SessionEventName } from '../../../sync-server/protocol/events.ts';
import { VAULT_EVENTS } from '../../../sync-server/protocol/vault.ts';
import { PROCURATION_EVENTS } from '../../../sync-server/protocol/procurations-events.ts';
import type { ActForAck } from '../../../sync-server/protocol/procurations-events.ts';
import { KioskError } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { CardProof, SessionManager, Slot } from '../session/session.ts';
import { MalformedAnswerError, OfflineRequestError } from './client.ts';
import type { SyncClient } from './client.ts';
import { CARD_WORDS, SERVER_WORDS } from '../words.ts';

const TIMEOUT_MS = 10_000;

/** What a request in a person session carries besides the session, which this module adds. */
export type SessionPayload<E extends SessionEventName> = Omit<RequestOf<E>, 'sessionId'>;

export interface PersonSessionsOptions {
  sync: SyncClient;
  session: SessionManager;
  logger: Logger;
}

export class PersonSessions {
  private readonly serverSessions: Partial<Record<Slot, string>> = {};
  private opening: Partial<Record<Slot, Promise<string | null>>> = {};
  /** the session the server opened on a person's vault for the agent acting on their procuration */
  private acting: { procurationId: string; sessionId: string } | null = null;

  constructor(private readonly opts: PersonSessionsOptions) {}

  /** A nonce for the card to sign at login (null when offline: the session opens later). */
  async challenge(): Promise<Uint8Array | null> {
    try {
      const ack = await this.opts.sync.request(VAULT_EVENTS.challenge, {}, 1500);
      return ack.ok ? new Uint8Array(Buffer.from(ack.nonce, 'base64url')) : null;
    } catch {
      return null;
    }
  }

  /** The card proved itself with the server's nonce: open the person's session on the server. */
  onAuthenticated(proof: CardProof): void {
    const p = this.openOnServer(proof);
    this.opening[proof.slot] = p;
    void p.finally(() => {
      if (this.opening[proof.slot] === p) delete this.opening[proof.slot];
    });
  }

  /** The whole session ended (card out, finished, idle). */
  sessionEnded(): void {
    this.stopActing();
    for (const slot of ['second', 'main'] as const) this.closeOnServer(slot);
    this.opening = {};
  }

  /**
   * The agent's session asks the server for a session on the person's vault, on their procuration. The
   * answer is the server's: a refusal (withdrawn, ended, not given to this agent) is returned as is.
   */
  async openActing(procurationId: string, offline: string): Promise<ActForAck> {
    const ack = await this.request(PROCURATION_EVENTS.act, { procurationId }, { offline, asAgent: { notAgent: CARD_WORDS.actAlone } });
    if (ack.ok) {
      this.stopActing();
      this.acting = { procurationId, sessionId: ack.sessionId };
    }
    return ack;
  }

  /** The agent stops acting for the person: their session on the server ends. */
  stopActing(): void {
    const id = this.acting?.sessionId;
    this.acting = null;
    if (id) void this.opts.sync.request(VAULT_EVENTS.close, { sessionId: id }, 3000).catch(() => undefined);
  }

  companionEnded(): void {
    this.closeOnServer('second');
    delete this.opening.second;
  }

  private closeOnServer(slot: Slot): void {
    const id = this.serverSessions[slot];
    delete this.serverSessions[slot];
    if (id) void this.opts.sync.request(VAULT_EVENTS.close, { sessionId: id }, 3000).catch(() => undefined);
  }

  private async openOnServer(proof: CardProof): Promise<string | null> {
    try {
      const withAgentSession = proof.slot === 'second' ? await this.forSlot('main') : undefined;
      const ack = await this.opts.sync.request(
        VAULT_EVENTS.open,
        {
          certificate: Buffer.from(proof.certificate).toString('base64url'),
          cardSerial: proof.cardSerial,
          kioskNonce: Buffer.from(proof.kioskNonce).toString('base64url'),
          serverNonce: Buffer.from(proof.serverNonce).toString('base64url'),
          signature: Buffer.from(proof.signature).toString('base64url'),
          ...(withAgentSession ? { withAgentSession } : {}),
        },
        TIMEOUT_MS,
      );
      if (!ack.ok) {
        this.opts.logger.warn({ code: ack.error.code, slot: proof.slot }, 'server refused the person session');
        return null;
      }
      this.serverSessions[proof.slot] = ack.sessionId;
      return ack.sessionId;
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message, slot: proof.slot }, 'person session not opened on the server');
      return null;
    }
  }

  /** The server session for a slot, opening it now if the card is in and the network is there. */
  private async forSlot(slot: Slot): Promise<string | null> {
    const known = this.serverSessions[slot];
    if (known) return known;
    const pending = this.opening[slot];
    if (pending) return pending;
    const nonce = await this.challenge();
    if (!nonce) return null;
    const proof = await this.opts.session.proveAgain(slot, nonce).catch(() => null);
    if (!proof) return null;
    return this.openOnServer(proof);
  }

  /** The session on whose vault we act: the beneficiary's (alone, or joined to an agent). */
  private async subjectSession(offline: string): Promise<string> {
    // (a person joining ends the acting: SessionManager clears it)
    const acting = this.opts.session.actingFor;
    if (acting) {
      if (this.acting?.procurationId === acting.procurationId) return this.acting.sessionId;
      // the server forgot it (restart, or checked again and refused): asked again, and refused in its words
      const ack = await this.openActing(acting.procurationId, offline);
      if (!ack.ok) throw new KioskError('invalid-request', ack.error.message || SERVER_WORDS.unexpected);
      return ack.sessionId;
    }
    this.opts.session.subject(); // throws in plain words when an agent is alone
    const id = await this.forSlot(this.opts.session.subjectSlot());
    if (!id) throw new KioskError('offline', offline);
    return id;
  }

  /** The agent's own session (their card in the main slot), with or without a beneficiary beside them. */
  private async agentSession(offline: string, notAgent: string): Promise<string> {
    if (this.opts.session.requireSession().role !== 'agent') throw new KioskError('invalid-request', notAgent);
    const id = await this.forSlot('main');
    if (!id) throw new KioskError('offline', offline);
    return id;
  }

  /**
   * One request in the subject's server session; its answer is typed and validated by the events table
   * (protocol/events.ts). Offline, or no answer: a KioskError with the caller's plain words; an answer
   * that does not match its schema: a KioskError `transport`. A failure the server answered is returned
   * as is for the caller to word; when the server no longer knows the session (it restarted, or the card
   * was blocked) the session is forgotten and the request is tried once more in a fresh one the card
   * opens (`once`: not for what must never be sent twice, such as a signed submission). `asAgent`: in the
   * agent's own session rather than the subject's (their caseload), refused in its words to anyone else.
   */
  async request<E extends SessionEventName>(
    event: E,
    payload: SessionPayload<E>,
    words: { offline: string; timeoutMs?: number; once?: boolean; asAgent?: { notAgent: string } },
  ): Promise<AckOf<E>> {
    const sessionId = words.asAgent ? await this.agentSession(words.offline, words.asAgent.notAgent) : await this.subjectSession(words.offline);
    let answer: AckOf<E>;
    try {
      // the payload is this event's request without its session: with it, it is the whole request
      const request = { sessionId, ...payload } as RequestOf<E>;
      answer = await this.opts.sync.request(event, request, words.timeoutMs ?? TIMEOUT_MS);
    } catch (err) {
      if (err instanceof OfflineRequestError) throw new KioskError('offline', words.offline);
      if (err instanceof MalformedAnswerError) {
        this.opts.logger.warn({ event, issues: err.issues }, 'unexpected answer from the server');
        throw new KioskError('transport', SERVER_WORDS.unexpected);
      }
      throw new KioskError('offline', SERVER_WORDS.noAnswer);
    }
    const ack: Acked = answer;
    if (!ack.ok && ack.error.code === 'forbidden') {
      for (const slot of ['main', 'second'] as const) if (this.serverSessions[slot] === sessionId) delete this.serverSessions[slot];
      if (this.acting?.sessionId === sessionId) this.acting = null;
      // once more, in a session the card opens again (unless the request must never be sent twice)
      if (!words.once) return this.request(event, payload, { ...words, once: true });
    }
    return answer;
  }
}
