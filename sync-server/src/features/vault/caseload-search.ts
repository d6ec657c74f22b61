/**
 * An agent searches the papers of the people who gave them a procuration, all at once: « where is
 * Camille's RIB? », « which of my people has a tax notice of 2025? ». Within what each procuration
 * allows and the agent's level: the index is asked only for the kinds of paper and the vaults that
 * level ∩ procuration reaches (`agentReach`), grouped by what they reach so one index query serves many
 * people. Then, for each person a result belongs to, the procuration is checked again as at every use
 * (signatures, both cards now, in force: `check`) and each paper is decided by the access policy; a person
 * whose procuration no longer holds shows nothing. What was shown is journaled on each of those people's
 * side (the query only as a keyed hash, the papers shown), with the procuration's id, as any read under it.
 * A person of whom nothing is shown is not journaled: nothing of their vault was read out.
 */
import { CATEGORY_OF } from '../../../protocol/agents.ts';
import type { DocType } from '../../../protocol/common.ts';
import type { PaperCategory } from '../../../protocol/agents.ts';
import { agentFacts } from '../agents/index.ts';
import { caseloadOf } from '../procurations/index.ts';
import { agentReach, decide } from '../../kernel/access-policy.ts';
import { check, journalReads, queryMac } from './person-vault.ts';
import type { PersonSession, ReadToJournal, VaultDeps } from './person-vault.ts';
import { queryTerms, searchScoped } from './vault-index.ts';
import type { ScopedHit } from './vault-index.ts';

/** One paper found, with whose it is and the procuration that opens it. */
export interface CaseloadHit {
  procurationId: string;
  person: { identifier: string; firstName: string; lastName: string };
  documentId: string;
  title: string;
  docType: string;
  vault: 'personal' | 'institutional';
  updatedAt: string;
  snippet: string;
}

const DOC_TYPES = Object.keys(CATEGORY_OF) as DocType[];
const docTypesOf = (categories: readonly PaperCategory[]): DocType[] => DOC_TYPES.filter((t) => categories.includes(CATEGORY_OF[t]));

/**
 * `agent`: the agent's own card session (alone at the box). At most `limit` papers, newest first; none for
 * an empty query, a suspended agent or an empty caseload.
 */
export async function searchCaseload(deps: VaultDeps, agent: PersonSession, query: string, limit = 20): Promise<CaseloadHit[]> {
  if (agent.role !== 'agent' || agent.consent || agent.procuration) return [];
  if (queryTerms(query).length === 0) return [];
  // what does not depend on each other is read at once: the agent's profile, their caseload, the query's key
  const [facts, caseload, mac] = await Promise.all([agentFacts(deps.db, agent.personId), caseloadOf(deps, agent.personId), queryMac(deps.db, query)]);
  if (!facts.active || facts.level === null) return [];
  const level = facts.level;
  const people = caseload.filter((p) => p.actions.includes('consult'));
  // the index is asked once per distinct reach (people whose procurations allow the same papers)
  const groups = new Map<string, { docTypes: DocType[]; vaults: ('personal' | 'institutional')[]; owners: string[] }>();
  const byOwner = new Map<string, (typeof people)[number]>();
  for (const p of people) {
    const personId = p.personId;
    // as signed (checked again below, for those who show up in the results)
    const reach = agentReach(facts, { id: p.procurationId, personId, agentPersonId: agent.personId, inForce: true, verified: true, categories: p.categories, actions: p.actions, aids: p.aids });
    const docTypes = docTypesOf(reach.categories);
    if (docTypes.length === 0 || reach.vaults.length === 0) continue;
    const key = `${docTypes.join(',')}|${reach.vaults.join(',')}`;
    const g = groups.get(key) ?? { docTypes, vaults: [...reach.vaults], owners: [] };
    g.owners.push(personId);
    groups.set(key, g);
    byOwner.set(personId, p);
  }
  const found: ScopedHit[] = [];
  for (const g of groups.values()) found.push(...(await searchScoped(deps.db, deps.dialect, { level, owners: g.owners, docTypes: g.docTypes, vaults: g.vaults }, query, limit)));
  if (found.length === 0) return [];
  const docs = await deps.db
    .selectFrom('documents')
    .select(['id', 'owner_person_id', 'title', 'doc_type', 'vault', 'updated_at'])
    .where(
      'id',
      'in',
      found.map((h) => h.documentId),
    )
    .execute();
  const docOf = new Map(docs.map((d) => [d.id, d]));
  const newest = found
    .flatMap((h) => {
      const d = docOf.get(h.documentId);
      return d && d.owner_person_id === h.ownerPersonId ? [{ hit: h, doc: d }] : [];
    })
    .sort((a, b) => (a.doc.updated_at === b.doc.updated_at ? (a.doc.id < b.doc.id ? 1 : -1) : a.doc.updated_at < b.doc.updated_at ? 1 : -1))
    .slice(0, limit);

  const shown: CaseloadHit[] = [];
  const reads: ReadToJournal[] = [];
  for (const personId of new Set(newest.map((x) => x.doc.owner_person_id))) {
    const p = byOwner.get(personId)!;
    // the person's vault as the agent sees it on this procuration: decided as any read under it
    const s: PersonSession = {
      id: agent.id,
      kioskId: agent.kioskId,
      personId,
      identifier: p.personIdentifier,
      firstName: p.firstName,
      cardSerial: agent.cardSerial,
      role: 'beneficiary',
      consent: null,
      procuration: { id: p.procurationId, agentPersonId: agent.personId, agentIdentifier: agent.identifier, agentCardSerial: agent.cardSerial },
      expiresAt: agent.expiresAt,
    };
    const c = await check(deps, s, 'vault.list', null);
    if (!c.decision.allow) continue;
    const mine = newest.filter(
      (x) =>
        x.doc.owner_person_id === personId &&
        decide({ actor: c.actor, action: 'vault.list', subject: { personId }, documentClass: { vault: x.doc.vault, docType: x.doc.doc_type }, ground: c.ground }).allow,
    );
    if (mine.length === 0) continue;
    reads.push({
      s,
      c: { actorId: c.actorId, groundName: c.groundName, agent: c.agent },
      action: 'vault.search',
      documentId: null,
      detail: { queryMac: mac, documents: mine.map((x) => x.doc.id), across: 'caseload' },
    });
    for (const x of mine) {
      shown.push({
        procurationId: p.procurationId,
        person: { identifier: p.personIdentifier, firstName: p.firstName, lastName: p.lastName },
        documentId: x.doc.id,
        title: x.doc.title,
        docType: x.doc.doc_type,
        vault: x.doc.vault,
        updatedAt: x.doc.updated_at,
        snippet: x.hit.snippet,
      });
    }
  }
  // what is shown is journaled first, in one transaction: one line on each person's side
  await journalReads(deps, reads);
  return shown.sort((a, b) => (a.updatedAt === b.updatedAt ? (a.documentId < b.documentId ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : -1));
}
