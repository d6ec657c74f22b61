/**
 * From a mutation's ground (what the kiosk says happened at the box) to the facts the access policy
 * decides on: the cards named, their holders and statuses, as the database knows them now.
 */
import type { Transaction } from 'kysely';
import type { Ground } from '../../../protocol/mutations.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { Decision, DocumentClass, PolicyAction, PolicyActor, PolicyGround } from '../../kernel/access-policy.ts';

export interface ResolvedGround {
  actor: PolicyActor;
  ground: PolicyGround;
  /** for the journal: who acted, and on which ground */
  actorIdentifier: string;
  groundName: 'own-card' | 'present-beneficiary';
  detail: Record<string, string>;
}

async function card(trx: Transaction<Database>, serial: string) {
  return trx
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select(['cards.serial', 'cards.person_id', 'cards.status', 'persons.role', 'persons.identifier'])
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
}

export async function resolveGround(trx: Transaction<Database>, g: Ground): Promise<ResolvedGround> {
  if (g.kind === 'own-card') {
    const c = await card(trx, g.cardSerial);
    return {
      actor: { kind: 'person', personId: c?.person_id ?? '' },
      ground: { kind: 'own-card', card: c ? { serial: c.serial, personId: c.person_id, status: c.status } : null },
      actorIdentifier: c?.identifier ?? 'inconnu',
      groundName: 'own-card',
      detail: { cardSerial: g.cardSerial },
    };
  }
  const agent = await card(trx, g.agentCardSerial);
  const beneficiary = await card(trx, g.cardSerial);
  return {
    actor: { kind: 'person', personId: agent?.person_id ?? '' },
    ground: {
      kind: 'consent',
      agentCard: agent ? { serial: agent.serial, personId: agent.person_id, status: agent.status, role: agent.role } : null,
      beneficiaryCard: beneficiary ? { serial: beneficiary.serial, personId: beneficiary.person_id, status: beneficiary.status } : null,
    },
    actorIdentifier: agent?.identifier ?? 'inconnu',
    groundName: 'present-beneficiary',
    detail: { cardSerial: g.cardSerial, agentCardSerial: g.agentCardSerial },
  };
}

/** The access policy's answer for what a kiosk's mutation does, on the ground it resolved to. */
export function decideOnGround(who: ResolvedGround, action: PolicyAction, subjectPersonId: string, documentClass: DocumentClass): Decision {
  return decide({ actor: who.actor, action, subject: { personId: subjectPersonId }, documentClass, ground: who.ground });
}
