/**
 * Test support: a write as the session hands it to the outbox — an id and the cards' proof. The outbox
 * stores the proof and never checks it (the server does, against the certificates: see
 * sync-server/test-support/test-ca.ts for proofs the server accepts); these tests are about the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { MutationBody, WriteProof } from '../../../../sync-server/protocol/mutations.ts';

export function asSigned<B extends MutationBody>(body: B): { id: string; body: B; proof: WriteProof } {
  return { id: randomUUID(), body, proof: { cards: [{ cardSerial: '0A1B2C3D', certificate: 'A'.repeat(400), signature: 'B'.repeat(86) }] } };
}
