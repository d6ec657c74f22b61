/**
 * Structures and their agents (docs/agents.md): an agent's profile says in which structure they work and
 * at which competence level, and whether they are suspended. The access policy decides on these facts;
 * this module reads them from the database, and keeps them (seed, the structure admin's console,
 * the inactivity job), each change journaled.
 */
import type { Kysely } from 'kysely';
import { AGENT_INACTIVITY_DAYS, CompetenceLevel, StructureKind } from '../../../protocol/agents.ts';
import type { PolicyAgent } from '../../kernel/access-policy.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

/** The policy's view of an agent now: level null when they have no profile; inactive when suspended or their structure is disabled. */
export async function agentFacts(db: Kysely<Database>, personId: string): Promise<PolicyAgent> {
  const row = await db
    .selectFrom('agent_profiles')
    .innerJoin('structures', 'structures.id', 'agent_profiles.structure_id')
    .select(['agent_profiles.level', 'agent_profiles.structure_id', 'agent_profiles.suspended_at', 'structures.disabled_at'])
    .where('agent_profiles.person_id', '=', personId)
    .executeTakeFirst();
  if (!row) return { personId, level: null, structureId: null, active: false };
  return { personId, level: row.level, structureId: row.structure_id, active: row.suspended_at === null && row.disabled_at === null };
}

/** Structures' names by id (the person's journal names the agent's structure). */
export async function structureNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('structures').select(['id', 'name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** An agent's card opened a kiosk session: they are active (the inactivity job counts from here). */
export async function touchAgent(db: Kysely<Database>, personId: string, at: Date = new Date()): Promise<void> {
  await db.updateTable('agent_profiles').set({ last_active_at: at.toISOString() }).where('person_id', '=', personId).execute();
}

/**
 * Suspends, each in its journal entry, the agents not active for AGENT_INACTIVITY_DAYS: counted from
 * their last kiosk session, or from when their profile was made (or last changed) if they never opened
 * one. Returns the persons suspended.
 */
export async function suspendInactiveAgents(db: Kysely<Database>, dialect: Dialect, now: Date = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - AGENT_INACTIVITY_DAYS * 86_400_000).toISOString();
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const stale = await trx
      .selectFrom('agent_profiles')
      .innerJoin('persons', 'persons.id', 'agent_profiles.person_id')
      .select(['agent_profiles.person_id', 'agent_profiles.structure_id', 'agent_profiles.last_active_at', 'agent_profiles.updated_at', 'persons.identifier'])
      .where('agent_profiles.suspended_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('agent_profiles.last_active_at', '<', cutoff),
          eb.and([eb('agent_profiles.last_active_at', 'is', null), eb('agent_profiles.updated_at', '<', cutoff)]),
        ]),
      )
      .orderBy('agent_profiles.person_id')
      .execute();
    for (const a of stale) {
      await trx.updateTable('agent_profiles').set({ suspended_at: at, suspended_reason: 'inactive', updated_at: at }).where('person_id', '=', a.person_id).execute();
      await appendAudit(trx, dialect, {
        actor: { kind: 'system', id: 'agent-inactivity' },
        action: 'agent.suspend',
        subjectPersonId: a.person_id,
        documentId: null,
        ground: 'staff-administration',
        detail: { structureId: a.structure_id, identifier: a.identifier, reason: 'inactive', lastActiveAt: a.last_active_at ?? null, days: AGENT_INACTIVITY_DAYS },
        at,
      });
    }
    return stale.map((a) => a.person_id);
  });
}

export interface SeedStructure {
  id: string;
  kind: StructureKind;
  name: string;
  address?: string | null | undefined;
}

export interface SeedAgent {
  identifier: string;
  structureId: string;
  level: CompetenceLevel;
}

/** The seed's structures and agents' profiles, inside the seed's transaction; existing rows are left as they are. */
export async function seedStructures(db: Kysely<Database>, structures: readonly SeedStructure[], agents: readonly SeedAgent[], at: string): Promise<{ structures: number; agents: number }> {
  let s = 0;
  let a = 0;
  for (const st of structures) {
    const exists = await db.selectFrom('structures').select('id').where('id', '=', st.id).executeTakeFirst();
    if (exists) continue;
    await db.insertInto('structures').values({ id: st.id, kind: StructureKind.parse(st.kind), name: st.name, address: st.address ?? null, created_at: at, disabled_at: null }).execute();
    s++;
  }
  for (const ag of agents) {
    const person = await db.selectFrom('persons').select(['id', 'role']).where('identifier', '=', ag.identifier).executeTakeFirst();
    if (!person || person.role !== 'agent') throw new Error(`seed: ${ag.identifier} is not an agent of the seed`);
    const exists = await db.selectFrom('agent_profiles').select('person_id').where('person_id', '=', person.id).executeTakeFirst();
    if (exists) continue;
    await db
      .insertInto('agent_profiles')
      .values({ person_id: person.id, structure_id: ag.structureId, level: CompetenceLevel.parse(ag.level), suspended_at: null, suspended_reason: null, last_active_at: null, created_at: at, updated_at: at })
      .execute();
    a++;
  }
  return { structures: s, agents: a };
}
