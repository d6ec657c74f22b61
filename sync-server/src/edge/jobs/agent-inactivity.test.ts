/**
 * Agents' facts and the inactivity suspension, on both engines, with the clock moved: nothing before
 * AGENT_INACTIVITY_DAYS, the suspension after (journaled, by the system), a suspended agent's visit not
 * counting, an agent who never came counted from their profile, a disabled structure stopping its agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_INACTIVITY_DAYS } from '../../../protocol/agents.ts';
import { agentFacts, touchAgent } from '../../features/agents/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { addPerson, TEST_STRUCTURE } from '../../../test-support/test-cards.ts';
import { CAMILLE, DIALECTS, freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { readSeedFile, seedDatabase } from '../seed.ts';
import { runAgentInactivity } from './agent-inactivity.ts';

const DAY = 86_400_000;
const SOPHIE = 'FAC-R9TD-4HWN-3GAK';

describe.each(DIALECTS)('agents’ facts and inactivity (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let sophieId: string;
  let camilleId: string;
  const start = new Date('2026-01-05T09:00:00.000Z');

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH), start);
    const id = (identifier: string) => storage.db.selectFrom('persons').select('id').where('identifier', '=', identifier).executeTakeFirstOrThrow();
    sophieId = (await id(SOPHIE)).id;
    camilleId = (await id(CAMILLE.identifier)).id;
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });

  const deps = () => ({ db: storage.db, dialect: storage.dialect });
  const profile = (personId: string) => storage.db.selectFrom('agent_profiles').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow();

  it('gives the policy an agent’s level, structure and state; no profile for a beneficiary', async () => {
    expect(await agentFacts(storage.db, sophieId)).toEqual({ personId: sophieId, level: 'travail-social', structureId: 'structure-cms-centre', active: true });
    expect(await agentFacts(storage.db, camilleId)).toEqual({ personId: camilleId, level: null, structureId: null, active: false });
  });

  it('suspends an agent not seen for AGENT_INACTIVITY_DAYS, journaled by the system; not a day before', async () => {
    const seen = new Date(start.getTime() + 10 * DAY);
    await touchAgent(storage.db, sophieId, seen);
    expect((await profile(sophieId)).last_active_at).toBe(seen.toISOString());

    expect(await runAgentInactivity(deps(), { now: new Date(seen.getTime() + (AGENT_INACTIVITY_DAYS - 1) * DAY) })).toEqual([]);
    expect((await agentFacts(storage.db, sophieId)).active).toBe(true);

    const late = new Date(seen.getTime() + (AGENT_INACTIVITY_DAYS + 1) * DAY);
    expect(await runAgentInactivity(deps(), { now: late })).toEqual([sophieId]);
    expect(await profile(sophieId)).toMatchObject({ suspended_at: late.toISOString(), suspended_reason: 'inactive' });
    expect(await agentFacts(storage.db, sophieId)).toMatchObject({ level: 'travail-social', active: false });
    const entry = await storage.db.selectFrom('audit_journal').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_kind: 'system', actor_id: 'agent-inactivity', action: 'agent.suspend', subject_person_id: null, ground: 'structure-administration' });
    expect(JSON.parse(entry.detail)).toMatchObject({ personId: sophieId, identifier: SOPHIE, reason: 'inactive', lastActiveAt: seen.toISOString(), days: AGENT_INACTIVITY_DAYS });

    // once only; and a suspended agent's visit does not bring them back
    expect(await runAgentInactivity(deps(), { now: new Date(late.getTime() + DAY) })).toEqual([]);
    await touchAgent(storage.db, sophieId, new Date(late.getTime() + 2 * DAY));
    expect((await profile(sophieId)).last_active_at).toBe(seen.toISOString());
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });

  it('counts an agent who never came from their profile’s last change', async () => {
    const newcomer = await addPerson(storage.db, { role: 'agent', level: 'accueil' });
    const made = new Date((await profile(newcomer.id)).updated_at);
    expect(await runAgentInactivity(deps(), { now: new Date(made.getTime() + (AGENT_INACTIVITY_DAYS - 1) * DAY) })).not.toContain(newcomer.id);
    expect(await runAgentInactivity(deps(), { now: new Date(made.getTime() + (AGENT_INACTIVITY_DAYS + 1) * DAY) })).toContain(newcomer.id);
  });

  it('stops every agent of a disabled structure', async () => {
    const agent = await addPerson(storage.db, { role: 'agent', level: 'accompagnement' });
    expect((await agentFacts(storage.db, agent.id)).active).toBe(true);
    await storage.db.updateTable('structures').set({ disabled_at: new Date().toISOString() }).where('id', '=', TEST_STRUCTURE.id).execute();
    expect(await agentFacts(storage.db, agent.id)).toMatchObject({ level: 'accompagnement', structureId: TEST_STRUCTURE.id, active: false });
    await storage.db.updateTable('structures').set({ disabled_at: null }).where('id', '=', TEST_STRUCTURE.id).execute();
  });
});
