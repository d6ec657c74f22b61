/**
 * Test support: a procuration numérique's text between two test persons, and its signatures as the two
 * cards make them at the kiosk (PSO:CDS with each card's signature key, raw r‖s over SHA-256): the
 * person's over `procurationBytes`, then the agent's over `countersignBytes`. And the kiosk's gestures
 * around one over a real socket: both cards in the box (`accompanied`), the procuration given
 * (`giveProcuration`), the agent alone acting on it (`actOn`).
 */
import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Socket } from 'socket.io-client';
import type { CompetenceLevel } from '../protocol/agents.ts';
import { parisDay } from '../protocol/format.ts';
import { PROCURATION_CONTEXT, countersignBytes, procurationBytes } from '../protocol/procuration.ts';
import type { ProcurationText, SignedProcuration } from '../protocol/procuration.ts';
import { ActForAck, CreateProcurationAck, PROCURATION_EVENTS } from '../protocol/procurations-events.ts';
import type { LoadedCa } from '../src/features/cards/index.ts';
import type { Database } from '../src/kernel/storage/schema.ts';
import { addPerson, certify } from './test-cards.ts';
import type { TestCard, TestPerson } from './test-cards.ts';
import type { PersonSession } from '../src/features/vault/index.ts';
import { addKiosk, connectKiosk, openPersonSession } from './test-env.ts';
import type { TestKiosk } from './test-env.ts';

export const TEST_STRUCTURE = { id: 'ccas-lyon-3', name: 'CCAS de Lyon 3e' } as const;

/** A Paris day `days` from now. */
export const dayIn = (days: number, from = new Date()): string => parisDay(new Date(from.getTime() + days * 86_400_000));

/** PSO:CDS as the card computes it: raw r‖s, base64url. */
export const psoCds = (key: KeyObject, bytes: Uint8Array): string => sign('sha256', bytes, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');

/** A text for 90 days from today, to consult and send for the prime d'activité; `o` changes any of it. */
export function procurationText(person: TestPerson, agent: TestPerson, kioskId: string, o: Partial<ProcurationText> = {}): ProcurationText {
  return {
    context: PROCURATION_CONTEXT,
    id: randomUUID(),
    person: { identifier: person.identifier, name: `${person.firstName} ${person.lastName}`, cardSerial: person.card },
    agent: { identifier: agent.identifier, name: `${agent.firstName} ${agent.lastName}`, cardSerial: agent.card, structure: { ...TEST_STRUCTURE } },
    scope: { aids: ['prime-activite'], categories: ['identity', 'income'], actions: ['consult', 'send-without-me'] },
    from: dayIn(0),
    until: dayIn(90),
    madeAt: { kioskId, place: 'CCAS de Lyon 3e, 18 rue François Garcin' },
    createdAt: new Date().toISOString(),
    renews: null,
    ...o,
  };
}

/** The agent's own card session at a kiosk (alone at the box), as the server holds it, for `ttlMs`. */
export function agentSession(agent: Pick<TestPerson, 'id' | 'identifier' | 'firstName' | 'card'>, kioskId: string, ttlMs = 3_600_000): PersonSession {
  return {
    id: randomUUID(),
    kioskId,
    personId: agent.id,
    identifier: agent.identifier,
    firstName: agent.firstName,
    cardSerial: agent.card,
    role: 'agent',
    consent: null,
    procuration: null,
    expiresAt: Date.now() + ttlMs,
  };
}

/** Signed as the kiosk has the cards sign it: the person's card, then the agent's over the text and that signature. */
export function signProcuration(text: ProcurationText, personCard: TestCard, agentCard: TestCard): SignedProcuration {
  const personSignature = psoCds(personCard.signKey, procurationBytes(text));
  return {
    text,
    personSignature,
    agentSignature: psoCds(agentCard.signKey, countersignBytes(text, personSignature)),
    personCertificate: personCard.certificate,
    agentCertificate: agentCard.certificate,
  };
}

/** A kiosk with both cards in the box: the agent's session, and the person's joined to it. */
export interface Accompanied {
  kiosk: TestKiosk;
  socket: Socket;
  person: TestPerson;
  agent: TestPerson;
  personCard: TestCard;
  agentCard: TestCard;
  agentSession: string;
  personSession: string;
}

/**
 * An agent's card (Sophie Lefèvre, at `level`) opens a session at a new kiosk; Camille Martin's card joins
 * it (the second slot). `onAgent` sees the agent first (to name their structure); the socket goes into
 * `sockets`, for the caller to close.
 */
export async function accompanied(
  server: { db: Kysely<Database>; url: string },
  ca: LoadedCa,
  sockets: Socket[],
  o: { level?: CompetenceLevel; onAgent?: (agent: TestPerson) => void } = {},
): Promise<Accompanied> {
  const person = await addPerson(server.db, { firstName: 'Camille', lastName: 'Martin' });
  const agent = await addPerson(server.db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre', ...(o.level ? { level: o.level } : {}) });
  o.onAgent?.(agent);
  const [personCard, agentCard] = [await certify(ca, person), await certify(ca, agent)];
  const kiosk = await addKiosk(server.db);
  const socket = await connectKiosk(server.url, kiosk);
  sockets.push(socket);
  const agentSession = await openPersonSession(socket, kiosk.kioskId, agentCard);
  const personSession = await openPersonSession(socket, kiosk.kioskId, personCard, agentSession);
  return { kiosk, socket, person, agent, personCard, agentCard, agentSession, personSession };
}

const ask = (socket: Socket, event: string, payload: unknown): Promise<unknown> => socket.timeout(10_000).emitWithAck(event, payload);

/** The person gives the agent a procuration at the kiosk, both cards signing (`o` changes its text); its text once stored. */
export async function giveProcuration(a: Accompanied, o: Partial<ProcurationText> = {}): Promise<ProcurationText> {
  const text = procurationText(a.person, a.agent, a.kiosk.kioskId, o);
  const ack = CreateProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.create, { sessionId: a.personSession, procuration: signProcuration(text, a.personCard, a.agentCard) }));
  if (!ack.ok) throw new Error(ack.error.message);
  return text;
}

/** The agent alone, from their own session, opens the person's on the procuration: its session id. */
export async function actOn(a: Pick<Accompanied, 'socket' | 'agentSession'>, procurationId: string): Promise<string> {
  const ack = ActForAck.parse(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: a.agentSession, procurationId }));
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.sessionId;
}
