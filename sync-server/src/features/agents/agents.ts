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

/** The structure an active agent works in, named (what a procuration and a changed list of papers name); null otherwise. */
export async function structureOfAgent(db: Kysely<Database>, personId: string): Promise<{ id: string; name: string } | null> {
  const row = await db
    .selectFrom('agent_profiles')
    .innerJoin('structures', 'structures.id', 'agent_profiles.structure_id')
    .select(['structures.id', 'structures.name'])
    .where('agent_profiles.person_id', '=', personId)
    .where('agent_profiles.suspended_at', 'is', null)
    .where('structures.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name } : null;
}

/** The address of the structure an agent works in, by the agent's identifier (their welcome letter's area); null for anyone else. */
export async function agentStructureAddress(db: Kysely<Database>, identifier: string): Promise<{ name: string; address: string } | null> {
  const row = await db
    .selectFrom('persons')
    .innerJoin('agent_profiles', 'agent_profiles.person_id', 'persons.id')
    .innerJoin('structures', 'structures.id', 'agent_profiles.structure_id')
    .select(['structures.name', 'structures.address'])
    .where('persons.identifier', '=', identifier)
    .executeTakeFirst();
  return row && row.address !== null ? { name: row.name, address: row.address } : null;
}

/** An agent's card opened a kiosk session: they are active (the inactivity job counts from here). */
export async function touchAgent(db: Kysely<Database>, personId: string, at: Date = new Date()): Promise<void> {
  // a suspended agent's visit does not count: only their structure's admin brings them back
  await db.updateTable('agent_profiles').set({ last_active_at: at.toISOString() }).where('person_id', '=', personId).where('suspended_at', 'is', null).execute();
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
        // not about the agent's papers: kept out of their own "who saw my papers"
        subjectPersonId: null,
        documentId: null,
        ground: 'structure-administration',
        detail: { structureId: a.structure_id, personId: a.person_id, identifier: a.identifier, reason: 'inactive', lastActiveAt: a.last_active_at ?? null, days: AGENT_INACTIVITY_DAYS },
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

/** One agent as their structure's admin sees them. */
export interface StructureAgent {
  personId: string;
  identifier: string;
  firstName: string;
  lastName: string;
  level: CompetenceLevel;
  lastActiveAt: string | null;
  suspendedAt: string | null;
  suspendedReason: 'inactive' | 'admin' | null;
}

/** The structure's agents, by name. */
export async function listStructureAgents(db: Kysely<Database>, structureId: string): Promise<StructureAgent[]> {
  const rows = await db
    .selectFrom('agent_profiles')
    .innerJoin('persons', 'persons.id', 'agent_profiles.person_id')
    .select([
      'persons.id',
      'persons.identifier',
      'persons.first_name',
      'persons.last_name',
      'agent_profiles.level',
      'agent_profiles.last_active_at',
      'agent_profiles.suspended_at',
      'agent_profiles.suspended_reason',
    ])
    .where('agent_profiles.structure_id', '=', structureId)
    .orderBy('persons.last_name')
    .orderBy('persons.first_name')
    .orderBy('persons.identifier')
    .execute();
  return rows.map((r) => ({
    personId: r.id,
    identifier: r.identifier,
    firstName: r.first_name,
    lastName: r.last_name,
    level: r.level,
    lastActiveAt: r.last_active_at,
    suspendedAt: r.suspended_at,
    suspendedReason: r.suspended_reason,
  }));
}

/** What a structure admin changes about an agent (by the identifier printed on the agent's card). */
export type AgentChange =
  | { kind: 'attach'; identifier: string; level: CompetenceLevel }
  | { kind: 'level'; identifier: string; level: CompetenceLevel }
  | { kind: 'suspend'; identifier: string }
  | { kind: 'reactivate'; identifier: string };

export type AgentChangeOutcome =
  | { ok: true; changed: boolean }
  /** no person has this identifier */
  | { ok: false; code: 'unknown' }
  /** the person's card is not an agent's */
  | { ok: false; code: 'not-agent' }
  /** the agent works in another structure (attach), or not in this one (the other changes) */
  | { ok: false; code: 'other-structure' };

/**
 * One change by a structure admin, journaled in the same transaction (actor: the admin's account). Only
 * agents of the admin's own structure can be changed; attaching takes an agent who has no structure yet.
 * The entries name no subject person: an agent's profile is not something done with their papers.
 */
export async function changeAgent(
  db: Kysely<Database>,
  dialect: Dialect,
  admin: { accountId: string; structureId: string },
  change: AgentChange,
  now: Date = new Date(),
): Promise<AgentChangeOutcome> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx): Promise<AgentChangeOutcome> => {
    const person = await trx.selectFrom('persons').select(['id', 'identifier', 'role']).where('identifier', '=', change.identifier).executeTakeFirst();
    if (!person) return { ok: false, code: 'unknown' };
    if (person.role !== 'agent') return { ok: false, code: 'not-agent' };
    const profile = await trx.selectFrom('agent_profiles').selectAll().where('person_id', '=', person.id).executeTakeFirst();
    const journal = (action: string, detail: Record<string, string | null>) =>
      appendAudit(trx, dialect, {
        actor: { kind: 'staff', id: admin.accountId },
        action,
        subjectPersonId: null,
        documentId: null,
        ground: 'structure-administration',
        detail: { structureId: admin.structureId, personId: person.id, identifier: person.identifier, ...detail },
        at,
      });

    if (change.kind === 'attach') {
      if (profile && profile.structure_id !== admin.structureId) return { ok: false, code: 'other-structure' };
      if (profile) return { ok: true, changed: false };
      await trx
        .insertInto('agent_profiles')
        .values({ person_id: person.id, structure_id: admin.structureId, level: change.level, suspended_at: null, suspended_reason: null, last_active_at: null, created_at: at, updated_at: at })
        .execute();
      await journal('agent.attach', { level: change.level });
      return { ok: true, changed: true };
    }
    if (!profile || profile.structure_id !== admin.structureId) return { ok: false, code: 'other-structure' };
    if (change.kind === 'level') {
      if (profile.level === change.level) return { ok: true, changed: false };
      await trx.updateTable('agent_profiles').set({ level: change.level, updated_at: at }).where('person_id', '=', person.id).execute();
      await journal('agent.level', { from: profile.level, to: change.level });
      return { ok: true, changed: true };
    }
    if (change.kind === 'suspend') {
      if (profile.suspended_at !== null) return { ok: true, changed: false };
      await trx.updateTable('agent_profiles').set({ suspended_at: at, suspended_reason: 'admin', updated_at: at }).where('person_id', '=', person.id).execute();
      await journal('agent.suspend', { reason: 'admin' });
      return { ok: true, changed: true };
    }
    if (profile.suspended_at === null) return { ok: true, changed: false };
    // reactivated: the inactivity clock starts again today
    await trx.updateTable('agent_profiles').set({ suspended_at: null, suspended_reason: null, last_active_at: at, updated_at: at }).where('person_id', '=', person.id).execute();
    await journal('agent.reactivate', { wasSuspendedFor: profile.suspended_reason });
    return { ok: true, changed: true };
  });
}

/** A new structure (staff command), journaled; false when the id is taken (nothing changed). */
export async function createStructure(
  db: Kysely<Database>,
  dialect: Dialect,
  s: { id: string; kind: StructureKind; name: string; address: string | null },
  actor: { kind: 'staff' | 'system'; id: string },
  now: Date = new Date(),
): Promise<boolean> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('structures').select('id').where('id', '=', s.id).executeTakeFirst();
    if (exists) return false;
    await trx.insertInto('structures').values({ id: s.id, kind: StructureKind.parse(s.kind), name: s.name, address: s.address, created_at: at, disabled_at: null }).execute();
    await appendAudit(trx, dialect, {
      actor,
      action: 'structure.create',
      subjectPersonId: null,
      documentId: null,
      ground: 'staff-administration',
      detail: { structureId: s.id, kind: s.kind, name: s.name },
      at,
    });
    return true;
  });
}
