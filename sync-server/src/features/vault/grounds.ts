/**
 * From a mutation's ground (what the kiosk says happened at the box) and its proof (what the cards
 * signed) to the facts the access policy decides on: the cards named, their holders and statuses as the
 * database knows them now, and whether each proved it was there. A card the kiosk names but that did
 * not sign this act is passed to the policy as not proven, and the policy refuses. On a procuration the
 * agent's card alone signs: the person's word is the procuration they signed, read (and its signatures
 * checked again) from the database at each write.
 */
import type { Transaction } from 'kysely';
import type { Ground } from '../../../protocol/mutations.ts';
import type { WriteProofCheck } from '../cards/index.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { agentFacts, structureNames } from '../agents/index.ts';
import { factsFor } from '../procurations/index.ts';
import { parisDay } from '../../../protocol/format.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { Decision, DocumentClass, PolicyAction, PolicyActor, PolicyCard, PolicyGround } from '../../kernel/access-policy.ts';

export interface ResolvedGround {
  actor: PolicyActor;
  ground: PolicyGround;
  /** for the journal: who acted, and on which ground */
  actorIdentifier: string;
  groundName: 'own-card' | 'present-beneficiary' | 'procuration';
  detail: Record<string, string>;
  /** the agent who acted for the person (null: the person themself), with the structure they acted for */
  agent: { personId: string; identifier: string; structureId: string | null } | null;
  /** the procuration acted on, when the ground is one */
  procurationId: string | null;
}

/** What a write needs besides its ground: the cards' proof, the pinned CA (a procuration's signatures are checked against it), and when. */
export interface GroundContext {
  proof: WriteProofCheck;
  /** DER of the platform CA; null: none loaded, no procuration can be verified */
  caCertificate: Uint8Array | null;
  now: string;
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

export async function resolveGround(trx: Transaction<Database>, g: Ground, ctx: GroundContext): Promise<ResolvedGround> {
  const { proof } = ctx;
  if (g.kind === 'own-card') {
    const c = await card(trx, g.cardSerial, proof);
    return {
      actor: { kind: 'person', personId: c?.person_id ?? '' },
      ground: { kind: 'own-card', card: c ? policyCard(c) : null },
      actorIdentifier: c?.identifier ?? 'inconnu',
      groundName: 'own-card',
      detail: { cardSerial: g.cardSerial, ...proofDetail(proof) },
      agent: null,
      procurationId: null,
    };
  }
  if (g.kind === 'procuration') return procurationGround(trx, g, ctx);
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
    agent: agent ? { personId: agent.person_id, identifier: agent.identifier, structureId: facts?.structureId ?? null } : null,
    procurationId: null,
  };
}

/**
 * An agent alone, on the procuration `g.procurationId`: the agent's card (proven by its signature of
 * this write), their level as it is now, and the procuration as the policy sees it today — stored
 * between the person whose vault this is and this agent, both signatures checked, in force, not
 * withdrawn. Whose vault it is, the caller's question: the policy refuses a procuration given by
 * someone else, or to another agent.
 */
async function procurationGround(trx: Transaction<Database>, g: Extract<Ground, { kind: 'procuration' }>, ctx: GroundContext): Promise<ResolvedGround> {
  const agent = await card(trx, g.agentCardSerial, ctx.proof);
  const facts = agent ? await agentFacts(trx, agent.person_id) : null;
  // whoever it was given by and to: the policy then says whether it is this person's, to this agent
  const row = await trx.selectFrom('procurations').select(['person_id', 'agent_person_id']).where('id', '=', g.procurationId).executeTakeFirst();
  const procuration = row
    ? await factsFor(trx, { personId: row.person_id, agentPersonId: row.agent_person_id, procurationId: g.procurationId, day: parisDay(new Date(ctx.now)) }, ctx.caCertificate ? { certificate: ctx.caCertificate } : null)
    : null;
  return {
    actor: { kind: 'person', personId: agent?.person_id ?? '' },
    ground: { kind: 'procuration', agentCard: agent ? { ...policyCard(agent), role: agent.role } : null, agent: facts, procuration },
    actorIdentifier: agent?.identifier ?? 'inconnu',
    groundName: 'procuration',
    // the procuration acted on names the act in the person's « Qui peut agir pour moi »; the structure, as it was then, in their journal
    detail: { procurationId: g.procurationId, agentCardSerial: g.agentCardSerial, ...(facts?.structureId ? { structureId: facts.structureId } : {}), ...proofDetail(ctx.proof) },
    agent: agent ? { personId: agent.person_id, identifier: agent.identifier, structureId: facts?.structureId ?? null } : null,
    procurationId: g.procurationId,
  };
}

/**
 * Who deposited a paper for the person, when an agent did: the agent's name and their structure as
 * they are now, kept with the version (canonical JSON, the `deposited_by` column). Null for the
 * person's own deposit.
 */
export async function depositedByOf(trx: Transaction<Database>, who: ResolvedGround): Promise<string | null> {
  if (who.agent === null || who.groundName === 'own-card') return null;
  const person = await trx.selectFrom('persons').select(['first_name', 'last_name']).where('id', '=', who.agent.personId).executeTakeFirst();
  const structureId = who.agent.structureId;
  const structure = structureId ? ((await structureNames(trx, [structureId])).get(structureId) ?? null) : null;
  return canonicalJson({
    agentIdentifier: who.agent.identifier,
    name: person ? `${person.first_name} ${person.last_name}` : who.agent.identifier,
    structureId,
    structure,
    ground: who.groundName,
    ...(who.procurationId ? { procurationId: who.procurationId } : {}),
  });
}

/** The access policy's answer for what a kiosk's mutation does, on the ground it resolved to. */
export function decideOnGround(who: ResolvedGround, action: PolicyAction, subjectPersonId: string, documentClass: DocumentClass): Decision {
  return decide({ actor: who.actor, action, subject: { personId: subjectPersonId }, documentClass, ground: who.ground });
}
