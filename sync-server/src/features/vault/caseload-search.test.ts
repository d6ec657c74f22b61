/**
 * An agent's search across the people who gave them a procuration, on SQLite and PostgreSQL, with
 * procurations signed as the cards sign them: only the papers each procuration allows (its categories,
 * « regarder mes papiers » ticked), within the agent's level; a procuration withdrawn or whose signature
 * no longer holds shows nothing; each person of whom a paper is shown reads the search in their journal
 * (and only they); nothing for a suspended agent or an empty query.
 */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DocType } from '../../../protocol/common.ts';
import type { ProcurationScope } from '../../../protocol/procuration.ts';
import { loadCatalogue } from '../aids/index.ts';
import type { LoadedCa } from '../cards/index.ts';
import { revokeByPerson, storeProcuration } from '../procurations/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import { addPerson, certify } from '../../../test-support/test-cards.ts';
import type { TestPerson } from '../../../test-support/test-cards.ts';
import { agentSession, procurationText, signProcuration, TEST_STRUCTURE } from '../../../test-support/test-procurations.ts';
import { searchCaseload } from './caseload-search.ts';
import { indexDocument } from './vault-index.ts';

const KIOSK = 'borne-ccas-1';

describe.each(DIALECTS)('an agent’s search across their caseload (%s)', (dialect) => {
  let db: Kysely<Database>;
  let ca: LoadedCa;
  let minute = 0;
  seededDatabaseSuite(dialect, (s) => ({ db, ca } = s));

  async function paper(owner: TestPerson, docType: DocType, text: string): Promise<string> {
    const id = crypto.randomUUID();
    const at = new Date(Date.UTC(2026, 0, 1, 10, minute++)).toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('documents')
        .values({ id, owner_person_id: owner.id, vault: 'personal', doc_type: docType, institution_id: null, current_version: 1, title: text, issued_on: null, expires_on: null, created_at: at, updated_at: at })
        .execute();
      await indexDocument(trx, dialect, { id, ownerPersonId: owner.id, vault: 'personal', docType, title: text, fields: {}, ocrText: text });
    });
    return id;
  }

  async function give(person: TestPerson, agent: TestPerson, scope: ProcurationScope): Promise<string> {
    const text = procurationText(person, agent, KIOSK, { scope });
    const r = await storeProcuration(
      { db, dialect, ca: () => ca, catalogue: await loadCatalogue(), structureOf: async () => ({ ...TEST_STRUCTURE }) },
      signProcuration(text, await certify(ca, person), await certify(ca, agent)),
      { kioskId: KIOSK, personId: person.id, agentPersonId: agent.id },
    );
    if (!r.ok) throw new Error(r.error.message);
    return text.id;
  }

  const sessionOf = (agent: TestPerson) => agentSession(agent, KIOSK);
  const deps = () => ({ db, dialect, ca: () => ca });
  const searches = async (person: TestPerson) =>
    (await db.selectFrom('audit_journal').select(['actor_id', 'ground', 'detail']).where('subject_person_id', '=', person.id).where('action', '=', 'vault.search').execute()).map((r) => ({
      ...r,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));

  it('shows what each procuration allows, journaled on the side of each person shown; withdrawn or forged, nothing', async () => {
    const agent = await addPerson(db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre' });
    await certify(ca, agent);
    const camille = await addPerson(db, { firstName: 'Camille', lastName: 'Martin' });
    const yanis = await addPerson(db, { firstName: 'Yanis', lastName: 'Benali' });
    const aminata = await addPerson(db, { firstName: 'Aminata', lastName: 'Diallo' });
    const lea = await addPerson(db, { firstName: 'Léa', lastName: 'Thomas' });
    const forCamille = await give(camille, agent, { aids: ['*'], categories: ['identity', 'bank'], actions: ['consult'] });
    const forYanis = await give(yanis, agent, { aids: ['*'], categories: ['income'], actions: ['consult', 'scan-for'] });
    // Aminata let Sophie send for her, not look at her papers
    await give(aminata, agent, { aids: ['*'], categories: ['identity', 'income'], actions: ['send-without-me'] });

    const camilleRib = await paper(camille, 'rib', 'dossier logement RIB Camille');
    await paper(camille, 'payslip', 'dossier logement bulletin Camille');
    await paper(camille, 'health-insurance', 'dossier logement attestation maladie Camille');
    const yanisPayslip = await paper(yanis, 'payslip', 'dossier logement bulletin Yanis');
    await paper(yanis, 'identity-card', 'dossier logement identité Yanis');
    await paper(aminata, 'identity-card', 'dossier logement identité Aminata');
    await paper(lea, 'identity-card', 'dossier logement identité Léa');

    const s = sessionOf(agent);
    const hits = await searchCaseload(deps(), s, 'dossier logement');
    // newest first, each with whose it is and the procuration that opens it
    expect(hits.map((h) => [h.person.firstName, h.documentId, h.procurationId])).toEqual([
      ['Yanis', yanisPayslip, forYanis],
      ['Camille', camilleRib, forCamille],
    ]);
    expect(hits[0]).toMatchObject({ person: { identifier: yanis.identifier, lastName: 'Benali' }, docType: 'payslip', vault: 'personal', title: 'dossier logement bulletin Yanis' });

    // each person shown reads it in their journal, on the procuration; the others have nothing
    expect(await searches(camille)).toEqual([
      { actor_id: agent.identifier, ground: 'procuration', detail: expect.objectContaining({ procurationId: forCamille, documents: [camilleRib], across: 'caseload', queryMac: expect.stringMatching(/^[0-9a-f]{32}$/) }) },
    ]);
    expect(await searches(yanis)).toHaveLength(1);
    expect(await searches(aminata)).toEqual([]);
    expect(await searches(lea)).toEqual([]);
    // the query itself is never written down
    expect(JSON.stringify(await searches(camille))).not.toContain('logement');

    // a word found only outside what is allowed: nothing, and nobody's journal grows
    expect(await searchCaseload(deps(), s, 'maladie')).toEqual([]);
    expect(await searches(camille)).toHaveLength(1);

    // Yanis withdraws his: his papers are gone from the results
    expect((await revokeByPerson({ db, dialect }, yanis.id, forYanis)).ok).toBe(true);
    expect((await searchCaseload(deps(), s, 'bulletin')).map((h) => h.person.firstName)).toEqual([]);

    // Camille's stored signature altered: the dates still list her, the check at use refuses her
    const stored = await db.selectFrom('procurations').select('person_signature').where('id', '=', forCamille).executeTakeFirstOrThrow();
    const forged = `${stored.person_signature.slice(0, -4)}${stored.person_signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await db.updateTable('procurations').set({ person_signature: forged }).where('id', '=', forCamille).execute();
    expect(await searchCaseload(deps(), s, 'RIB')).toEqual([]);
    await db.updateTable('procurations').set({ person_signature: stored.person_signature }).where('id', '=', forCamille).execute();
    expect((await searchCaseload(deps(), s, 'RIB')).map((h) => h.documentId)).toEqual([camilleRib]);

    // nothing to look for, or an agent suspended: nothing at all
    expect(await searchCaseload(deps(), s, ' … ')).toEqual([]);
    await db.updateTable('agent_profiles').set({ suspended_at: new Date().toISOString(), suspended_reason: 'admin' }).where('person_id', '=', agent.id).execute();
    expect(await searchCaseload(deps(), s, 'RIB')).toEqual([]);
    // only an agent's own session searches a caseload
    expect(await searchCaseload(deps(), { ...s, role: 'beneficiary' }, 'RIB')).toEqual([]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
