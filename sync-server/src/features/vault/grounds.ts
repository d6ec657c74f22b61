/**
 * From a mutation's ground (what the kiosk says happened at the box) and its proof (what the cards
 * signed) to the facts the access policy decides on: the cards named, their holders and statuses as the
 * database knows them now, and whether each proved it was there. A card the kiosk names but that did
 * not sign this act is passed to the policy as not proven, and the policy refuses.
 */
import type { Transaction } from 'kysely';
import type { Ground } from '../../../protocol/mutations.ts';
import type { WriteProofCheck } from '../cards/index.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { agentFacts } from '../agents/index.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { Decision, DocumentClass, PolicyAction, PolicyActor, PolicyCard, PolicyGround } from '../../kernel/access-policy.ts';

export interface ResolvedGround {
  actor: PolicyActor;
  ground: PolicyGround;
  /** for the journal: who acted, and on which ground */
  actorIdentifier: string;
  groundName: 'own-card' | 'present-beneficiary';
  detail: Record<string, string>;
}

async function card(trx: Transaction<Database>, serial: string, proof: WriteProofCheck) {
  if (proof.ok) {
    const c = proof.cards.get(serial);
    if (c) return { serial: c.serial, person_id: c.personId, status: c.status, role: c.role, identifier: c.identifier, proven: true };
  }
  const row = await trx
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select(['cards.serial', 'cards.person_id', 'cards.status', 'persons.role', 'persons.identifier'])
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
  return row ? { ...row, proven: false } : undefined;
}

const policyCard = (c: { serial: string; person_id: string; status: PolicyCard['status']; proven: boolean }): PolicyCard => ({
  serial: c.serial,
  personId: c.person_id,
  status: c.status,
  proven: c.proven,
});

/** What the journal keeps of a proof: which cards signed, over what (the digest of the signed message), or why it failed. */
function proofDetail(proof: WriteProofCheck): Record<string, string> {
  return proof.ok ? { proof: `card-signature:${proof.digest}` } : { proof: `refused:${proof.problem}${proof.cardSerial ? `:${proof.cardSerial}` : ''}` };
}

export async function resolveGround(trx: Transaction<Database>, g: Ground, proof: WriteProofCheck): Promise<ResolvedGround> {
  if (g.kind === 'own-card') {
    const c = await card(trx, g.cardSerial, proof);
    return {
      actor: { kind: 'person', personId: c?.person_id ?? '' },
      ground: { kind: 'own-card', card: c ? policyCard(c) : null },
      actorIdentifier: c?.identifier ?? 'inconnu',
      groundName: 'own-card',
      detail: { cardSerial: g.cardSerial, ...proofDetail(proof) },
    };
  }
  const agent = await card(trx, g.agentCardSerial, proof);
  const beneficiary = await card(trx, g.cardSerial, proof);
  // the agent's level and structure as they are now: a suspension takes effect on the next write
  const facts = agent ? await agentFacts(trx, agent.person_id) : null;
  return {
    actor: { kind: 'person', personId: agent?.person_id ?? '' },
    ground: {
      kind: 'consent',
      agentCard: agent ? { ...policyCard(agent), role: agent.role } : null,
      beneficiaryCard: beneficiary ? policyCard(beneficiary) : null,
      agent: facts,
    },
    actorIdentifier: agent?.identifier ?? 'inconnu',
    groundName: 'present-beneficiary',
    // the structure the agent acted for, as it was then: the person's journal names it
    detail: { cardSerial: g.cardSerial, agentCardSerial: g.agentCardSerial, ...(facts?.structureId ? { structureId: facts.structureId } : {}), ...proofDetail(proof) },
  };
}

/** The access policy's answer for what a kiosk's mutation does, on the ground it resolved to. */
export function decideOnGround(who: ResolvedGround, action: PolicyAction, subjectPersonId: string, documentClass: DocumentClass): Decision {
  return decide({ actor: who.actor, action, subject: { personId: subjectPersonId }, documentClass, ground: who.ground });
}
