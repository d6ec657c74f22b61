/**
 * A procuration's life after it is stored: withdrawn by the person (their card proves it is in the box,
 * as for a write) or by the agent's structure, ended by a renewal, or over at `until` (nothing runs for
 * that: `inForce` reads the day). The person's list (« Qui peut agir pour moi »: who, of which
 * structure, allowed to do what, until when, in what state, and what was done under it) and the agent's
 * caseload (the people who gave them one in force).
 */
import type { Kysely } from 'kysely';
import { parisDay } from '../../../protocol/format.ts';
import type { WriteProof } from '../../../protocol/mutations.ts';
import { ProcurationText } from '../../../protocol/procuration.ts';
import { revokeAct } from '../../../protocol/procurations-events.ts';
import type { CaseloadEntry, ProcurationListItem, ProcurationState } from '../../../protocol/procurations-events.ts';
import { checkWriteProof } from '../cards/index.ts';
import type { CaCertificate } from '../cards/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { ActorKind } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database, ProcurationRevoker, ProcurationRow } from '../../kernel/storage/schema.ts';
import { PROCURATION_ACTION_WORDS, PROCURATION_ALL_AIDS, PROCURATION_ANSWER, PROCURATION_CATEGORY_WORDS, PROCURATION_STATE } from '../../kernel/words/procurations.ts';
import { JOURNAL_ACTION_WORDS } from '../../kernel/words/vault.ts';
import type { ProcurationNames } from '../../kernel/words/applications.ts';
import { scopeOf, storedScope } from './facts.ts';
import type { ProcurationOutcome } from './store.ts';

export interface ManageDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  now?: () => Date;
}

const notFound = <T>(): ProcurationOutcome<T> => ({ ok: false, error: { code: 'unknown', reason: 'not-found', message: PROCURATION_ANSWER.notFound } });

/** Ends a procuration (if it is still running), journaled for the person. */
async function revoke(
  deps: ManageDeps,
  row: ProcurationRow,
  o: { by: Exclude<ProcurationRevoker, 'renewed'>; actor: { kind: ActorKind; id: string }; ground: string; reason: string | null; detail?: Record<string, string> },
): Promise<ProcurationOutcome<{ id: string }>> {
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  if (row.revoked_at !== null || row.until_day < parisDay(now)) return { ok: false, error: { code: 'conflict', reason: 'ended', message: PROCURATION_ANSWER.alreadyEnded } };
  const done = await deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('procurations')
      .set({ revoked_at: at, revoked_by: o.by, revoked_reason: o.reason })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, deps.dialect, {
      actor: o.actor,
      action: 'procuration.revoke',
      subjectPersonId: row.person_id,
      documentId: null,
      ground: o.ground,
      detail: { procurationId: row.id, by: o.by, ...(o.reason ? { reason: o.reason } : {}), ...o.detail },
      at,
    });
    return true;
  });
  return done ? { ok: true, value: { id: row.id } } : { ok: false, error: { code: 'conflict', reason: 'ended', message: PROCURATION_ANSWER.alreadyEnded } };
}

/** The person withdraws their procuration. */
export async function revokeByPerson(deps: ManageDeps, personId: string, id: string, o: { reason?: string; detail?: Record<string, string> } = {}): Promise<ProcurationOutcome<{ id: string }>> {
  const row = await deps.db.selectFrom('procurations').selectAll().where('id', '=', id).where('person_id', '=', personId).executeTakeFirst();
  if (!row) return notFound();
  const person = await deps.db.selectFrom('persons').select('identifier').where('id', '=', personId).executeTakeFirstOrThrow();
  return revoke(deps, row, { by: 'person', actor: { kind: 'person', id: person.identifier }, ground: 'own-card', reason: o.reason ?? null, ...(o.detail ? { detail: o.detail } : {}) });
}

/** The agent's structure withdraws a procuration given to one of its agents (`by`: who, for the journal). */
export async function revokeByStructure(deps: ManageDeps, structureId: string, id: string, o: { by?: string; reason?: string } = {}): Promise<ProcurationOutcome<{ id: string }>> {
  const row = await deps.db.selectFrom('procurations').selectAll().where('id', '=', id).where('structure_id', '=', structureId).executeTakeFirst();
  if (!row) return notFound();
  return revoke(deps, row, { by: 'structure', actor: { kind: 'staff', id: o.by ?? `structure:${structureId}` }, ground: 'structure-administration', reason: o.reason ?? null, detail: { structureId } });
}

/**
 * The person withdraws it at a kiosk: their card, in the box, signed `revokeAct` (INTERNAL AUTHENTICATE,
 * checked as a write's proof: our CA, this card, this kiosk, an active card of this person).
 */
export async function revokeAtKiosk(
  deps: ManageDeps & { ca: () => CaCertificate | null },
  s: { kioskId: string; personId: string; cardSerial: string },
  req: { procurationId: string; actId: string; proof: WriteProof; reason?: string | undefined },
): Promise<ProcurationOutcome<{ id: string }>> {
  const act = revokeAct(req.procurationId, s.cardSerial);
  const checked = await checkWriteProof(deps.db, deps.ca()?.certificate ?? null, {
    kioskId: s.kioskId,
    mutation: { id: req.actId, blobs: [], proof: req.proof, ...act },
    ground: act.payload.ground,
    now: deps.now?.() ?? new Date(),
  });
  const card = checked.ok ? checked.cards.get(s.cardSerial) : undefined;
  if (!card || card.personId !== s.personId || card.status !== 'active') {
    return { ok: false, error: { code: 'forbidden', reason: 'not-present', message: PROCURATION_ANSWER.notPresent } };
  }
  return revokeByPerson(deps, s.personId, req.procurationId, { ...(req.reason ? { reason: req.reason } : {}), detail: { kioskId: s.kioskId, cardSerial: s.cardSerial, proofDigest: checked.ok ? checked.digest : '' } });
}

/** A procuration's state on `day`. */
export function stateOf(row: Pick<ProcurationRow, 'from_day' | 'until_day' | 'revoked_by'>, day: string): ProcurationState {
  if (row.revoked_by === 'person') return 'revoked-person';
  if (row.revoked_by === 'structure') return 'revoked-structure';
  if (row.revoked_by === 'renewed') return 'renewed';
  if (day < row.from_day) return 'not-yet';
  if (day > row.until_day) return 'expired';
  return 'in-force';
}

/** How many of the last acts under a procuration the list shows. */
const LAST_ACTS = 5;

/** « Qui peut agir pour moi »: every procuration the person gave, newest first. */
export async function listForPerson(deps: ManageDeps, personId: string): Promise<ProcurationListItem[]> {
  const day = parisDay(deps.now?.() ?? new Date());
  const rows = await deps.db
    .selectFrom('procurations')
    .innerJoin('persons', 'persons.id', 'procurations.agent_person_id')
    .selectAll('procurations')
    .select(['persons.identifier as agent_identifier'])
    .where('procurations.person_id', '=', personId)
    .orderBy('procurations.stored_at', 'desc')
    .execute();
  if (rows.length === 0) return [];
  // what agents did on the ground of a procuration is journaled with its id (the access policy's callers)
  const acts = await deps.db
    .selectFrom('audit_journal')
    .select(['at', 'action', 'detail'])
    .where('subject_person_id', '=', personId)
    .where('ground', '=', 'procuration')
    .where('action', 'not like', 'procuration.%')
    .orderBy('seq', 'desc')
    .execute();
  const byProcuration = new Map<string, { at: string; what: string }[]>();
  for (const a of acts) {
    let id: unknown;
    try {
      id = (JSON.parse(a.detail) as { procurationId?: unknown }).procurationId;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string') continue;
    const list = byProcuration.get(id) ?? [];
    list.push({ at: a.at, what: JOURNAL_ACTION_WORDS[a.action] ?? a.action });
    byProcuration.set(id, list);
  }
  return rows.map((r) => {
    const text = ProcurationText.parse(JSON.parse(r.text));
    const scope = scopeOf(r);
    const state = stateOf(r, day);
    const done = byProcuration.get(r.id) ?? [];
    return {
      id: r.id,
      agent: { name: text.agent.name, identifier: r.agent_identifier },
      structure: text.agent.structure,
      scope,
      actionsWords: scope.actions.map((a) => PROCURATION_ACTION_WORDS[a]),
      categoriesWords: scope.categories.map((c) => PROCURATION_CATEGORY_WORDS[c]),
      aidsWords: scope.aids.includes('*') ? [PROCURATION_ALL_AIDS] : scope.aids,
      from: r.from_day,
      until: r.until_day,
      createdAt: r.created_at,
      place: text.madeAt.place,
      state,
      stateLabel: PROCURATION_STATE[state],
      revokedAt: r.revoked_at,
      renews: r.renews,
      acts: { count: done.length, last: done.slice(0, LAST_ACTS) },
    };
  });
}

/** A running procuration of one of the structure's agents, as its admin's console lists it. */
export interface StructureProcuration {
  id: string;
  personName: string;
  personIdentifier: string;
  agentName: string;
  from: string;
  until: string;
  actionsWords: string[];
}

/** The procurations given to the structure's agents that are not over (in force, or to start), soonest ending first. */
export async function listForStructure(deps: ManageDeps, structureId: string): Promise<StructureProcuration[]> {
  const day = parisDay(deps.now?.() ?? new Date());
  const rows = await deps.db
    .selectFrom('procurations')
    .innerJoin('persons', 'persons.id', 'procurations.person_id')
    .select(['procurations.id', 'procurations.text', 'procurations.from_day', 'procurations.until_day', 'persons.identifier', 'persons.first_name', 'persons.last_name'])
    .where('procurations.structure_id', '=', structureId)
    .where('procurations.revoked_at', 'is', null)
    .where('procurations.until_day', '>=', day)
    .orderBy('procurations.until_day')
    .orderBy('procurations.id')
    .execute();
  return rows.map((r) => {
    const text = ProcurationText.parse(JSON.parse(r.text));
    return {
      id: r.id,
      personName: `${r.first_name} ${r.last_name}`,
      personIdentifier: r.identifier,
      agentName: text.agent.name,
      from: r.from_day,
      until: r.until_day,
      actionsWords: scopeOf(r).actions.map((a) => PROCURATION_ACTION_WORDS[a]),
    };
  });
}

/** The person an agent would act for on this procuration (theirs, or none): whom, and until when. */
export async function procurationSubject(
  deps: Pick<ManageDeps, 'db'>,
  procurationId: string,
  agentPersonId: string,
): Promise<{ personId: string; identifier: string; firstName: string; lastName: string; until: string } | null> {
  const row = await deps.db
    .selectFrom('procurations')
    .innerJoin('persons', 'persons.id', 'procurations.person_id')
    .select(['procurations.person_id', 'procurations.until_day', 'persons.identifier', 'persons.first_name', 'persons.last_name'])
    .where('procurations.id', '=', procurationId)
    .where('procurations.agent_person_id', '=', agentPersonId)
    .executeTakeFirst();
  return row ? { personId: row.person_id, identifier: row.identifier, firstName: row.first_name, lastName: row.last_name, until: row.until_day } : null;
}

/**
 * Who acted for whom on this procuration, as the text both signed names them (the agent, their
 * structure, the person): what a request sent on it, and its receipt, say. Null: no such procuration.
 */
export async function procurationNames(deps: Pick<ManageDeps, 'db'>, procurationId: string): Promise<ProcurationNames | null> {
  const row = await deps.db.selectFrom('procurations').select('text').where('id', '=', procurationId).executeTakeFirst();
  if (!row) return null;
  const t = ProcurationText.safeParse(JSON.parse(row.text));
  return t.success ? { agent: t.data.agent.name, structure: t.data.agent.structure.name, person: t.data.person.name } : null;
}

/** The aids a procuration names, as stored (`['*']`: every procedure); empty when there is none under this id. */
export async function procurationAids(deps: Pick<ManageDeps, 'db'>, procurationId: string): Promise<string[]> {
  const row = await deps.db.selectFrom('procurations').select('text').where('id', '=', procurationId).executeTakeFirst();
  return row ? scopeOf(row).aids : [];
}

/** The people who gave this agent a procuration in force today, by name. */
export async function caseload(deps: ManageDeps, agentPersonId: string): Promise<CaseloadEntry[]> {
  return (await caseloadOf(deps, agentPersonId)).map(({ personId: _personId, ...entry }) => entry);
}

/**
 * The same, with each person's id, for the server's own use (a search across the caseload). Read from the
 * stored scope, not the whole signed text: a caseload may hold a thousand people. In force by its dates
 * and not withdrawn; whoever uses one checks it again (`factsFor`) before showing anything of it.
 */
export async function caseloadOf(deps: ManageDeps, agentPersonId: string): Promise<(CaseloadEntry & { personId: string })[]> {
  const day = parisDay(deps.now?.() ?? new Date());
  const rows = await deps.db
    .selectFrom('procurations')
    .innerJoin('persons', 'persons.id', 'procurations.person_id')
    .select(['procurations.id', 'procurations.person_id', 'procurations.until_day', 'procurations.scope', 'persons.identifier', 'persons.first_name', 'persons.last_name'])
    .where('procurations.agent_person_id', '=', agentPersonId)
    .where('procurations.revoked_at', 'is', null)
    .where('procurations.from_day', '<=', day)
    .where('procurations.until_day', '>=', day)
    .orderBy('persons.last_name')
    .orderBy('persons.first_name')
    .execute();
  return rows.map((r) => {
    const scope = storedScope(r);
    return { procurationId: r.id, personId: r.person_id, personIdentifier: r.identifier, firstName: r.first_name, lastName: r.last_name, until: r.until_day, ...scope };
  });
}
