/**
 * Vault reads over the kiosk socket (protocol/vault.ts). The kiosk is authenticated by the namespace's
 * own middleware; the PERSON is authenticated here: their card signs a nonce this server just gave
 * (INTERNAL AUTHENTICATE), checked against the card's certificate from our CA and the card's status.
 * A session lives on its socket only, and ends with it.
 */
import { personNameOf } from '../../features/persons/index.ts';
import { touchAgent } from '../../features/agents/index.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { parisDay } from '../../../protocol/format.ts';
import { PROCURATION_EVENTS } from '../../../protocol/procurations-events.ts';
import { factsFor, procurationSubject } from '../../features/procurations/index.ts';
import { markRepliesSeen, repliesForPerson } from '../../features/inbox/index.ts';
import { officesWithReaders } from '../../features/accounts/index.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Server as IoServer, Socket } from 'socket.io';
import { checkPresentedCard } from '../../features/cards/index.ts';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { refusal } from '../../../protocol/events.ts';
import type { AckReplyOf, EventName, ParsedRequestOf, RefusableEventName, SessionEventName } from '../../../protocol/events.ts';
import { KIOSK_NAMESPACE } from '../../../protocol/socket.ts';
import { VAULT_EVENTS, loginMessage } from '../../../protocol/vault.ts';
import { readBlob } from '../../kernel/blobs/blob-store.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { CaCertificate } from '../../features/cards/index.ts';
import { printDocument } from '../../features/vault/index.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { countOffices, DIRECTORY_SYNC_MAX, kioskArea, listedInstitution, listInstitutions, markDepositNoticesSeen, syncDirectory, unseenDepositNotices } from '../../features/institutions/index.ts';
import { authorizeFile, check, listVault, personJournal, readDocument, searchVault } from '../../features/vault/index.ts';
import type { PersonSession, VaultDeps } from '../../features/vault/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { PolicyAction } from '../../kernel/access-policy.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { handle } from './handle.ts';
import { kioskIdOf } from './kiosk-socket.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';

/** What every person-facing socket handler needs: the database, the blobs, the pinned CA, PDFs. */
export interface PersonSocketDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  ca: () => CaCertificate | null;
  log: FastifyBaseLogger;
  /** where PDFs are built (threads with time and memory limits) */
  pdf: PdfPool;
}

export interface VaultSocketDeps extends PersonSocketDeps {
  /** a person session without activity ends after this long */
  sessionIdleMs?: number;
}

const NONCE_TTL_MS = 120_000;
type Failure = { ok: false; error: { code: string; message: string } };
const fail = (code: string, message: string): Failure => ({ ok: false, error: { code, message } });

/** Each socket's session lookup, for the other handlers of the same socket (sync/applications-socket.ts). */
const sessionLookup = new WeakMap<Socket, (sessionId: string) => PersonSession | null>();

/**
 * The person session `sessionId` opened on this socket, if it is still alive (the lookup also keeps it
 * alive, as any vault call does); null otherwise. Sessions live on their socket only.
 */
export function personSessionOf(socket: Socket, sessionId: string): PersonSession | null {
  return sessionLookup.get(socket)?.(sessionId) ?? null;
}

/** What a request does in the access policy's terms. */
type Act = { action: PolicyAction; aidIds?: readonly string[] | undefined };

/**
 * Registers a handler that runs in a live person session of this socket whose cards still hold (the
 * access policy, as for vault reads, with the cards as they are now); otherwise a typed refusal. The aid
 * space and the procurations use it.
 */
export function onPersonSession<E extends SessionEventName & RefusableEventName>(
  socket: Socket,
  deps: Pick<PersonSocketDeps, 'db' | 'dialect' | 'log'> & Partial<Pick<VaultDeps, 'ca'>>,
  event: E,
  run: (req: ParsedRequestOf<E>, s: PersonSession) => Promise<AckReplyOf<E>>,
  o: {
    failure: string;
    context: Record<string, unknown>;
    /**
     * what the request does in the policy's terms (an agent's level must allow it), and for a request
     * the aids it is about (a procuration must name each); by default, looking at the vault
     */
    act?: (req: ParsedRequestOf<E>, s: PersonSession) => Act | Promise<Act>;
  },
): void {
  handle(
    socket,
    deps.log,
    event,
    async (req): Promise<AckReplyOf<E>> => {
      const s = personSessionOf(socket, (req as { sessionId: string }).sessionId);
      if (!s) return refusal<E>(fail('forbidden', SOCKET_ANSWER.noSession));
      const act = (await o.act?.(req, s)) ?? { action: 'vault.list' as const };
      const c = await check({ db: deps.db, dialect: deps.dialect, ...(deps.ca ? { ca: deps.ca } : {}) }, s, act.action, null, act.aidIds);
      if (!c.decision.allow) {
        deps.log.info({ ...o.context, event, reason: c.decision.reason, ground: c.groundName }, 'person session act refused by the access policy');
        return refusal<E>(fail('forbidden', SOCKET_ANSWER.forbidden(c.decision.reason, c.groundName !== 'own-card')));
      }
      return run(req, s);
    },
    { failure: o.failure, context: o.context, missingAsEmpty: true },
  );
}

export function attachVaultSocket(io: IoServer, deps: VaultSocketDeps): void {
  const vault: VaultDeps = { db: deps.db, dialect: deps.dialect, ca: deps.ca };
  const idleMs = deps.sessionIdleMs ?? 30 * 60_000;

  io.of(KIOSK_NAMESPACE).on('connection', (socket) => {
    const kioskId = kioskIdOf(socket);
    if (!kioskId) return;
    const nonces = new Map<string, number>();
    const sessions = new Map<string, PersonSession>();
    socket.on('disconnect', () => sessions.clear());

    const on = <E extends EventName>(event: E, run: (req: ParsedRequestOf<E>) => Promise<AckReplyOf<E>>) =>
      handle(socket, deps.log, event, run, { failure: 'vault handler failed', context: { kioskId }, missingAsEmpty: true, namePath: false });

    const session = (id: string): PersonSession | null => {
      const s = sessions.get(id);
      if (!s) return null;
      if (s.expiresAt < Date.now()) {
        sessions.delete(id);
        return null;
      }
      s.expiresAt = Date.now() + idleMs;
      return s;
    };
    sessionLookup.set(socket, session);
    const noSession = fail('forbidden', SOCKET_ANSWER.noSession);

    on(VAULT_EVENTS.challenge, async () => {
      const now = Date.now();
      for (const [n, exp] of nonces) if (exp < now) nonces.delete(n);
      if (nonces.size > 16) return fail('too_large', SOCKET_ANSWER.tooManyChallenges);
      const nonce = randomBytes(32).toString('base64url');
      nonces.set(nonce, now + NONCE_TTL_MS);
      return { ok: true, nonce, expiresAt: new Date(now + NONCE_TTL_MS).toISOString() };
    });

    on(VAULT_EVENTS.open, async (req) => {
      const expires = nonces.get(req.serverNonce);
      nonces.delete(req.serverNonce); // single use, whatever happens next
      if (!expires || expires < Date.now()) return fail('forbidden', SOCKET_ANSWER.challengeExpired);
      const ca = deps.ca();
      if (!ca) return fail('unknown', SOCKET_ANSWER.noCa);
      const presented = await checkPresentedCard(deps.db, ca, { cardSerial: req.cardSerial, certificate: req.certificate, now: new Date() });
      if (!presented.ok && presented.why === 'certificate') {
        deps.log.warn({ kioskId, cardSerial: req.cardSerial, problem: presented.problem }, 'person session refused: certificate');
        return fail('forbidden', SOCKET_ANSWER.cardRefused(presented.problem));
      }
      if (!presented.ok) return fail('forbidden', SOCKET_ANSWER.cardUnknown);
      const { card, info } = presented;
      const message = loginMessage(kioskId, Buffer.from(req.kioskNonce, 'base64url'), Buffer.from(req.serverNonce, 'base64url'));
      if (!verifyP256Signature(info.authPublicKey, message, Buffer.from(req.signature, 'base64url'))) {
        deps.log.warn({ kioskId, cardSerial: req.cardSerial }, 'person session refused: signature does not verify (copy suspected)');
        return fail('forbidden', SOCKET_ANSWER.cardRefused('signature'));
      }
      let consent: PersonSession['consent'] = null;
      if (req.withAgentSession) {
        const agent = session(req.withAgentSession);
        if (!agent || agent.role !== 'agent' || agent.consent) return fail('forbidden', SOCKET_ANSWER.agentSessionEnded);
        if (card.role !== 'beneficiary') return fail('forbidden', SOCKET_ANSWER.onlyBeneficiaryJoins);
        consent = { agentPersonId: agent.personId, agentIdentifier: agent.identifier, agentCardSerial: agent.cardSerial };
      }
      const s: PersonSession = {
        id: randomUUID(),
        kioskId,
        personId: card.personId,
        identifier: card.identifier,
        firstName: card.firstName,
        cardSerial: req.cardSerial,
        role: card.role,
        consent,
        expiresAt: Date.now() + idleMs,
      };
      sessions.set(s.id, s);
      // an agent's card at a kiosk is the agent's activity: the inactivity suspension counts from here
      if (card.role === 'agent') await touchAgent(deps.db, card.personId);
      deps.log.info({ kioskId, cardSerial: req.cardSerial, consent: consent !== null }, 'person session opened');
      return { ok: true, sessionId: s.id, expiresAt: new Date(s.expiresAt).toISOString() };
    });

    // an agent alone at the box acts for a person of their caseload, on the procuration that person signed
    on(PROCURATION_EVENTS.act, async (req) => {
      const agent = session(req.sessionId);
      if (!agent || agent.role !== 'agent' || agent.consent || agent.procuration) return fail('forbidden', SOCKET_ANSWER.agentSessionEnded);
      const row = await procurationSubject(deps, req.procurationId, agent.personId);
      const facts = row ? await factsFor(deps.db, { personId: row.personId, agentPersonId: agent.personId, procurationId: req.procurationId, day: parisDay() }, deps.ca()) : null;
      if (!row || !facts || !facts.verified || !facts.inForce) {
        deps.log.warn({ kioskId, found: row !== undefined, verified: facts?.verified ?? false, inForce: facts?.inForce ?? false }, 'acting on a procuration refused');
        return fail('forbidden', SOCKET_ANSWER.procurationNotUsable);
      }
      const s: PersonSession = {
        id: randomUUID(),
        kioskId,
        personId: row.personId,
        identifier: row.identifier,
        firstName: row.firstName,
        cardSerial: agent.cardSerial,
        role: 'beneficiary',
        consent: null,
        procuration: { id: req.procurationId, agentPersonId: agent.personId, agentIdentifier: agent.identifier, agentCardSerial: agent.cardSerial },
        expiresAt: Date.now() + idleMs,
      };
      sessions.set(s.id, s);
      deps.log.info({ kioskId }, 'acting on a procuration');
      return {
        ok: true,
        sessionId: s.id,
        expiresAt: new Date(s.expiresAt).toISOString(),
        person: { identifier: row.identifier, firstName: row.firstName, lastName: row.lastName },
        until: row.until,
        actions: [...facts.actions],
      };
    });

    on(VAULT_EVENTS.close, async (req) => {
      const closed = sessions.get(req.sessionId);
      sessions.delete(req.sessionId);
      // a beneficiary's consent, and the sessions the agent opened on procurations, end with the agent's session
      if (closed && !closed.consent && !closed.procuration) {
        for (const [id, s] of sessions) if (s.consent?.agentCardSerial === closed.cardSerial || s.procuration?.agentCardSerial === closed.cardSerial) sessions.delete(id);
      }
      return { ok: true };
    });

    const withSession = <T, R extends object>(
      id: string,
      run: (s: PersonSession) => Promise<{ ok: true; value: T } | Failure>,
      wrap: (v: T) => R,
    ): Promise<({ ok: true } & R) | Failure> => {
      const s = session(id);
      if (!s) return Promise.resolve(noSession);
      return run(s).then((r) => (r.ok ? { ok: true as const, ...wrap(r.value) } : { ok: false, error: r.error }));
    };

    on(VAULT_EVENTS.list, (req) => withSession(req.sessionId, (s) => listVault(vault, s), (documents) => ({ documents })));
    on(VAULT_EVENTS.search, (req) => withSession(req.sessionId, (s) => searchVault(vault, s, req.query), (documents) => ({ documents })));
    on(VAULT_EVENTS.get, (req) => withSession(req.sessionId, (s) => readDocument(vault, s, req.documentId), (v) => v));
    on(VAULT_EVENTS.audit, (req) => withSession(req.sessionId, (s) => personJournal(vault, s), (entries) => ({ entries })));

    // What institutions put in the vault since the person was last told. An agent alone on a procuration is
    // shown nothing: the person is to be told themself, at their next visit.
    on(VAULT_EVENTS.notices, async (req) => {
      const s = session(req.sessionId);
      if (!s) return noSession;
      if (s.procuration) return { ok: true, notices: [] };
      return { ok: true, notices: await unseenDepositNotices(deps.db, s.personId) };
    });

    on(VAULT_EVENTS.noticesSeen, async (req) => {
      const s = session(req.sessionId);
      if (!s) return noSession;
      if (!s.procuration) await markDepositNoticesSeen(deps.db, s.personId, req.ids);
      return { ok: true };
    });

    // the institutions' answers to what the person sent: read as the vault's list is (the policy's vault.list)
    onPersonSession(socket, deps, VAULT_EVENTS.replies, async (_req, s) => ({ ok: true, replies: await repliesForPerson(deps.db, s.personId) }), {
      failure: 'replies handler failed',
      context: { kioskId },
    });
    onPersonSession(
      socket,
      deps,
      VAULT_EVENTS.repliesSeen,
      // news is the person's: an agent alone on their procuration reads it without marking it read for them
      async (req, s) => ({ ok: true, seen: s.procuration ? 0 : await markRepliesSeen(deps.db, s.personId, req.ids) }),
      { failure: 'replies handler failed', context: { kioskId } },
    );

    on(VAULT_EVENTS.file, async (req) => {
      const s = session(req.sessionId);
      if (!s) return noSession;
      const a = await authorizeFile(vault, s, req.sha256);
      if (!a.ok) return { ok: false, error: a.error };
      const bytes = await readBlob(deps.blobStore, req.sha256);
      return { ok: true, mime: a.value.mime, bytes };
    });

    on(VAULT_EVENTS.pdf, async (req) => {
      const s = session(req.sessionId);
      if (!s) return noSession;
      const read = await readDocument(vault, s, req.documentId);
      if (!read.ok) return { ok: false, error: read.error };
      const current = read.value.versions[0]!;
      const file = await readBlob(deps.blobStore, current.file.sha256);
      const owner = await personNameOf(deps.db, s.personId);
      const letterTo = req.letterTo ? await listedInstitution(deps.db, req.letterTo) : null;
      if (req.letterTo && !letterTo) return fail('unknown', SOCKET_ANSWER.institutionUnknown);
      const pdf = await printDocument(deps.pdf, { document: read.value.document, version: current, file, owner, letterTo });
      if (!pdf.ok) {
        deps.log.warn({ kioskId, documentId: req.documentId, reason: pdf.reason }, 'document PDF not made');
        return { ok: false, error: pdf.error };
      }
      return { ok: true, mime: 'application/pdf', bytes: Buffer.from(pdf.value) };
    });

    // online, the same offices as the kiosk's copy: those of its area, never more than an answer carries
    on(VAULT_EVENTS.institutions, async () => {
      const { area } = await kioskArea(deps.db, kioskId);
      const offices = await countOffices(deps.db, area);
      if (offices > DIRECTORY_SYNC_MAX) return fail('too-large', SOCKET_ANSWER.directoryTooLarge(offices, DIRECTORY_SYNC_MAX));
      return { ok: true, institutions: await listInstitutions(deps.db, area) };
    });
    // the kiosk's own copy of the directory, by difference since its cursor: public data, no session
    // — the offices of the kiosk's area only
    on(VAULT_EVENTS.directory, async ({ cursor }) => {
      const { area, from } = await kioskArea(deps.db, kioskId);
      const answer = await syncDirectory(deps.db, cursor, area);
      if (answer.ok) return { ...answer, receivers: await officesWithReaders(deps.db) };
      deps.log.error({ kioskId, area, areaFrom: from, offices: answer.offices, max: answer.max }, 'directory: the kiosk’s area holds more offices than one answer carries; the kiosk keeps its copy (set a smaller directoryArea)');
      return { ok: false, error: answer.error };
    });
  });
}
