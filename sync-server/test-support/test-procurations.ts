/**
 * Test support: a procuration numérique's text between two test persons, and its signatures as the two
 * cards make them at the kiosk (PSO:CDS with each card's signature key, raw r‖s over SHA-256): the
 * person's over `procurationBytes`, then the agent's over `countersignBytes`.
 */
import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parisDay } from '../protocol/format.ts';
import { PROCURATION_CONTEXT, countersignBytes, procurationBytes } from '../protocol/procuration.ts';
import type { ProcurationText, SignedProcuration } from '../protocol/procuration.ts';
import type { TestCard, TestPerson } from './test-cards.ts';

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
