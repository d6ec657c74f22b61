/**
 * Dossiers (issue #7): what a person files at once — one aid, aids filed together (a bundle), or a
 * linked aid with the aid it waits for — with the situation its checklist comes from and the pieces
 * given once for all its applications (pieces.ts). The person's side of it: create, see (with the
 * history in plain sentences and the thread), choose a paper for an item, withdraw, write to the
 * institution, and the notices of status changes. Signing and sending are in submission.ts.
 *
 * Pieces arrive at any time (a deposit synced from a kiosk, a paper an institution issues): the sync
 * engine (once per person at the end of a batch) and the institutional issue call `reevaluatePerson`
 * inside their own transaction, so the dossier moves (ready, sent automatically, information provided)
 * in the same commit as the paper that made it move.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ChecklistChange, ChecklistEntry, Dossier, DossierSummary, FilingSituation, Notice, ThreadMessage } from '../../../protocol/applications.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { ageOn, aidById, eligibilityWarnings, InstitutionKind } from '../aids/index.ts';
import type { Aid, AidCatalogue } from '../aids/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { PersonSession } from '../vault/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { ApplicationRow, Database, DossierRow } from '../../kernel/storage/schema.ts';
import { catalogueOr, fireEventIn, insertApplication, wasAccepted } from './applications.ts';
import type { ApplicationActor } from './applications.ts';
import { accepts, activeAdjustments, assessDossier, currentDocuments, documentsById, isComplete, isMissing, orderedAids, persistPieces, requestedSince, situationOf, upsertPiece } from './pieces.ts';
import type { AssessedPiece, PieceDocument } from './pieces.ts';
import { BEFORE_DECISION, BEFORE_SUBMISSION } from './state-machine.ts';
import { markThreadsRead, messagesOf, postMessageIn, unreadCounts } from './thread.ts';
import type { MessageAuthor } from './thread.ts';
import { officesOf } from './offices.ts';
import { aidInstitutionName, aidName, APPLICATION_ANSWER, historySentence, institutionName, toInstitution } from '../../kernel/words/applications.ts';
import { decisionTermsFr } from '../../../protocol/format.ts';
import { termsOf } from './decision-terms.ts';

export type Failure = { code: 'invalid' | 'unknown' | 'forbidden' | 'conflict' | 'incomplete' | 'expired' | 'unprintable'; message: string };
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Failure };
export const refuse = <T>(code: Failure['code'], message: string): Outcome<T> => ({ ok: false, error: { code, message } });

/** Thrown inside a transaction to roll it back and answer a typed error. */
export class Refusal extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Runs `run`, answering a Refusal it throws as the typed error it carries. */
export async function refusals<T>(run: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: err.failure };
    throw err;
  }
}

export const NO_DOSSIER = APPLICATION_ANSWER.noDossier;

/**
 * Whoever acts for the person in a kiosk session: the person on their card, an agent with their
 * consent, or an agent alone on the person's procuration.
 */
export interface Applicant {
  personId: string;
  /** the beneficiary's identifier (on their card) */
  identifier: string;
  kioskId: string;
  /** the history's and journal's actor: the person, or the agent acting with them or for them */
  actor: ApplicationActor;
  author: MessageAuthor;
  /** an agent acting with the beneficiary present */
  consent: { agentPersonId: string; agentIdentifier: string; agentCardSerial: string } | null;
  /** an agent acting alone, on the procuration the person signed */
  procuration: { id: string; agentPersonId: string; agentIdentifier: string; agentCardSerial: string } | null;
}

/** The journal's ground of what the applicant does: the person's own card, with an agent, or on a procuration. */
export function groundOfApplicant(a: Applicant): 'own-card' | 'present-beneficiary' | 'procuration' {
  return a.procuration ? 'procuration' : a.consent ? 'present-beneficiary' : 'own-card';
}

/** `structureId`: the structure an agent on a procuration acts for, named in the person's journal. */
export function applicantOf(s: PersonSession, o: { structureId?: string | null } = {}): Applicant {
  const p = s.procuration ?? null;
  const agentId = p?.agentIdentifier ?? s.consent?.agentIdentifier ?? null;
  const actorId = agentId ?? s.identifier;
  return {
    personId: s.personId,
    identifier: s.identifier,
    kioskId: s.kioskId,
    actor: {
      kind: 'applicant',
      id: actorId,
      // on a procuration every act names it: the person's « Qui peut agir pour moi » counts what was done under it
      ...(p ? { journal: { ground: 'procuration', detail: { procurationId: p.id, agentCardSerial: p.agentCardSerial, ...(o.structureId ? { structureId: o.structureId } : {}) } } } : {}),
    },
    author: agentId ? { kind: 'agent', id: agentId } : { kind: 'person', id: actorId },
    consent: s.consent,
    procuration: p,
  };
}

const SYSTEM_PIECES: ApplicationActor = { kind: 'system', id: 'pieces-check' };
const SYSTEM_SENDING: ApplicationActor = { kind: 'system', id: 'automatic-submission' };

const today = (at: string) => at.slice(0, 10);

async function lockDossier(trx: Transaction<Database>, dialect: Dialect, dossierId: string): Promise<DossierRow | undefined> {
  let q = trx.selectFrom('dossiers').selectAll().where('id', '=', dossierId);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The dossier, locked, when it is this person's; otherwise a Refusal (the same answer whether it exists or not). */
export async function ownDossier(trx: Transaction<Database>, dialect: Dialect, personId: string, dossierId: string): Promise<DossierRow> {
  const dossier = await lockDossier(trx, dialect, dossierId);
  if (!dossier || dossier.person_id !== personId) throw new Refusal({ code: 'unknown', message: NO_DOSSIER });
  return dossier;
}

async function applicationsOf(db: Kysely<Database>, dossierId: string): Promise<ApplicationRow[]> {
  return db.selectFrom('applications').selectAll().where('dossier_id', '=', dossierId).orderBy('created_at').orderBy('id').execute();
}

/** The applications in catalogue order (the checklist's and the manifest's order). */
function inCatalogueOrder(catalogue: AidCatalogue, apps: readonly ApplicationRow[]): ApplicationRow[] {
  const index = (id: string) => {
    const i = catalogue.aids.findIndex((a) => a.id === id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...apps].sort((a, b) => index(a.aid_id) - index(b.aid_id) || a.id.localeCompare(b.id));
}

function knownAids(catalogue: AidCatalogue, apps: readonly ApplicationRow[]): Aid[] {
  return orderedAids(catalogue, apps.map((a) => a.aid_id));
}

/** When information was last provided on an application (or it was sent): requests after it are still open. */
async function lastProvidedAt(db: Kysely<Database>, app: ApplicationRow): Promise<string> {
  const r = await db
    .selectFrom('application_transitions')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('application_id', '=', app.id)
    .where('event', '=', 'information-provided')
    .executeTakeFirst();
  return (r?.at as string | null | undefined) ?? app.submitted_at ?? '';
}

// ---------------------------------------------------------------------------------------------------
// Re-evaluation

export interface Reevaluation {
  dossier: DossierRow;
  apps: ApplicationRow[];
  assessed: AssessedPiece[];
  complete: boolean;
}

/** Writes what was sent, as it was sent: every item's piece (the institution reads these). */
export async function recordFinalPieces(trx: Transaction<Database>, dossierId: string, assessed: readonly AssessedPiece[], at: string): Promise<void> {
  for (const a of assessed) {
    const present = a.status === 'present' && a.document !== null;
    const values = {
      document_id: present ? a.document!.id : null,
      version: present ? a.document!.version : null,
      blob_sha256: present ? a.document!.sha256 : null,
      chosen_by: present ? (a.chosenBy ?? 'auto') : null,
    };
    const row = await trx.selectFrom('dossier_pieces').select(['document_id', 'version', 'attached_at']).where('dossier_id', '=', dossierId).where('item_id', '=', a.item.id).executeTakeFirst();
    const attachedAt = present ? (row && row.document_id === values.document_id && row.version === values.version && row.attached_at ? row.attached_at : at) : null;
    await upsertPiece(trx, dossierId, a.item.id, { ...values, attached_at: attachedAt });
  }
}

/**
 * Assesses the dossier again and moves its applications accordingly, inside the caller's transaction:
 * all pieces there → ready; one gone → collecting again; signed for automatic sending and now complete →
 * sent by the server; every piece the institution asked for again arrived → information provided.
 */
export async function reevaluateDossier(
  trx: Transaction<Database>,
  dialect: Dialect,
  dossierId: string,
  opts: { catalogue: AidCatalogue; at?: string | undefined; personDocuments?: readonly PieceDocument[] | undefined },
): Promise<Reevaluation | null> {
  const at = opts.at ?? new Date().toISOString();
  const dossier = await lockDossier(trx, dialect, dossierId);
  if (!dossier) return null;
  let apps = inCatalogueOrder(opts.catalogue, await applicationsOf(trx, dossierId));
  const assessed = await assessDossier(trx, {
    dossier,
    aids: knownAids(opts.catalogue, apps),
    situation: situationOf(dossier),
    today: today(at),
    personDocuments: opts.personDocuments,
  });
  let changed = await persistPieces(trx, dossierId, assessed, at);
  const complete = isComplete(assessed);

  const fire = async (app: ApplicationRow, event: 'all-pieces-present' | 'piece-removed' | 'submit' | 'information-provided', actor: ApplicationActor) => {
    const r = await fireEventIn(trx, dialect, { applicationId: app.id, event, actor, at });
    if (r.ok) changed = true;
    return r.ok;
  };

  if (dossier.submitted_at === null) {
    for (const app of apps) {
      if ((app.state === 'draft' || app.state === 'collecting-pieces') && complete) await fire(app, 'all-pieces-present', SYSTEM_PIECES);
      else if (app.state === 'ready' && !complete) await fire(app, 'piece-removed', SYSTEM_PIECES);
    }
    if (dossier.mode === 'automatic' && dossier.signed_at !== null && complete) {
      apps = inCatalogueOrder(opts.catalogue, await applicationsOf(trx, dossierId));
      let sent = 0;
      for (const app of apps) if (app.state === 'ready' && (await fire(app, 'submit', SYSTEM_SENDING))) sent++;
      if (sent > 0) {
        await recordFinalPieces(trx, dossierId, assessed, at);
        await trx.updateTable('dossiers').set({ submitted_at: at }).where('id', '=', dossierId).execute();
        dossier.submitted_at = at;
        await appendAudit(trx, dialect, {
          actor: { kind: 'system', id: SYSTEM_SENDING.id },
          action: 'application.sent-automatically',
          subjectPersonId: dossier.person_id,
          documentId: null,
          ground: 'system',
          detail: { dossierId, receiptNumber: dossier.receipt_number, pieces: assessed.length },
          at,
        });
      }
    }
  } else {
    for (const app of apps) {
      if (app.state !== 'information-requested') continue;
      const r = requestedSince(assessed, await lastProvidedAt(trx, app), app.aid_id);
      if (r.requested > 0 && r.missing === 0) await fire(app, 'information-provided', SYSTEM_PIECES);
    }
  }
  if (changed) {
    await trx.updateTable('dossiers').set({ updated_at: at }).where('id', '=', dossierId).execute();
    dossier.updated_at = at;
    apps = inCatalogueOrder(opts.catalogue, await applicationsOf(trx, dossierId));
  }
  return { dossier, apps, assessed, complete };
}

/** `reevaluateDossier` for the person who owns the dossier; anyone else gets a Refusal (NO_DOSSIER). */
export async function reevaluateOwned(
  trx: Transaction<Database>,
  dialect: Dialect,
  personId: string,
  dossierId: string,
  opts: Parameters<typeof reevaluateDossier>[3],
): Promise<Reevaluation> {
  await ownDossier(trx, dialect, personId, dossierId);
  const r = await reevaluateDossier(trx, dialect, dossierId, opts);
  if (!r) throw new Refusal({ code: 'unknown', message: NO_DOSSIER });
  return r;
}

/** `reevaluateOwned` in its own transaction, its Refusal as an outcome: what each read of a dossier starts with. */
export function reevaluatedOwn(db: Kysely<Database>, dialect: Dialect, personId: string, dossierId: string, catalogue: AidCatalogue): Promise<Outcome<Reevaluation>> {
  return refusals(async () => ({
    ok: true as const,
    value: await db.transaction().execute((trx) => reevaluateOwned(trx, dialect, personId, dossierId, { catalogue })),
  }));
}

/**
 * The hook of every vault change: re-evaluates the person's open dossiers, inside the caller's
 * transaction. (A paper chosen while on its way that arrives in someone else's vault concerns another
 * person's dossier: the assessment never attaches it, and drops the choice the next time that dossier is
 * assessed; the deposit path does not search for it.)
 */
export async function reevaluatePerson(
  trx: Transaction<Database>,
  dialect: Dialect,
  personId: string,
  opts: { catalogue?: AidCatalogue | undefined; at?: string | undefined } = {},
): Promise<void> {
  const open = await trx
    .selectFrom('dossiers')
    .innerJoin('applications', 'applications.dossier_id', 'dossiers.id')
    .select('dossiers.id')
    .distinct()
    .where('dossiers.person_id', '=', personId)
    .where('applications.state', 'in', BEFORE_DECISION)
    .execute();
  const ids = new Set(open.map((r) => r.id));
  if (ids.size === 0) return;
  const catalogue = await catalogueOr(opts.catalogue);
  // the person's papers, read once for all their dossiers (nothing in here changes them)
  const personDocuments = await currentDocuments(trx, personId);
  // one order for every transaction, so two of them never wait for each other's dossiers
  for (const id of [...ids].sort()) await reevaluateDossier(trx, dialect, id, { catalogue, at: opts.at, personDocuments });
}

// ---------------------------------------------------------------------------------------------------
// Creation

/** Aids that may be filed together: one aid, a bundle the catalogue allows, or linked aids after one same aid (with it or not). */
export function combinationProblem(catalogue: AidCatalogue, aidIds: readonly string[]): Failure | null {
  if (new Set(aidIds).size !== aidIds.length) return { code: 'invalid', message: APPLICATION_ANSWER.aidTwice };
  for (const id of aidIds) if (!catalogue.aids.some((a) => a.id === id)) return { code: 'unknown', message: APPLICATION_ANSWER.noSuchAid(id) };
  if (aidIds.length === 1) return null;
  const aids = aidIds.map((id) => aidById(catalogue, id));
  if (aids.some((a) => a.process.kind === 'bundle' && aidIds.every((id) => id === a.id || (a.process.kind === 'bundle' && a.process.with.includes(id))))) return null;
  const roots = new Set(aids.map((a) => (a.process.kind === 'linked' ? a.process.after : a.id)));
  if (roots.size === 1 && aids.some((a) => a.process.kind === 'linked')) return null;
  return { code: 'invalid', message: APPLICATION_ANSWER.notTogether };
}

/** The person's application of this aid that a linked aid can wait for: undecided, or accepted (closed since, after an acceptance). */
async function usableParent(trx: Transaction<Database>, personId: string, aidId: string): Promise<ApplicationRow | null> {
  const rows = await trx
    .selectFrom('applications')
    .selectAll()
    .where('person_id', '=', personId)
    .where('aid_id', '=', aidId)
    .where('state', '!=', 'refused')
    .orderBy('created_at', 'desc')
    .execute();
  for (const r of rows) if (r.state !== 'closed' || (await wasAccepted(trx, r.id))) return r;
  return null;
}

export interface CreateDossierInput {
  applicant: Applicant;
  aidIds: readonly string[];
  situation: FilingSituation;
  catalogue: AidCatalogue;
  at?: string;
}

/**
 * A new dossier, in one transaction: the dossier, its applications (a linked aid brings the aid it waits
 * for unless the person already has one undecided or accepted), each started on its checklist, the
 * pieces matched from the vault, and ready at once when nothing is missing.
 */
export async function createDossier(db: Kysely<Database>, dialect: Dialect, input: CreateDossierInput): Promise<Outcome<{ dossierId: string; applicationIds: string[] }>> {
  const { catalogue, applicant } = input;
  const problem = combinationProblem(catalogue, input.aidIds);
  if (problem) return { ok: false, error: problem };
  const at = input.at ?? new Date().toISOString();
  return refusals(() =>
    db.transaction().execute(async (trx) => {
      const requested = orderedAids(catalogue, input.aidIds);
      // an aid already asked for and not refused or closed is not asked for twice
      const existing = await trx
        .selectFrom('applications')
        .select(['aid_id', 'state'])
        .where('person_id', '=', applicant.personId)
        .where('aid_id', 'in', requested.map((a) => a.id))
        .where('state', 'not in', ['closed', 'refused'])
        .execute();
      if (existing.length > 0) {
        const aid = aidById(catalogue, existing[0]!.aid_id);
        throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.alreadyAsked(aid.name) });
      }
      const dossierId = randomUUID();
      await trx
        .insertInto('dossiers')
        .values({
          id: dossierId,
          person_id: applicant.personId,
          situation: canonicalJson(input.situation),
          catalogue_version: catalogue.version,
          created_at: at,
          updated_at: at,
          kiosk_id: applicant.kioskId,
          mode: null,
          ground: null,
          manifest: null,
          signature: null,
          signer_card_serial: null,
          signer_identifier: null,
          signed_at: null,
          submitted_at: null,
          receipt_number: null,
        })
        .execute();

      // parents first: the applications that wait for them need their ids
      const created = new Map<string, string>();
      const parentIds = new Map<string, string>();
      const requestedIds = new Set(requested.map((a) => a.id));
      for (const aid of requested) {
        if (aid.process.kind !== 'linked' || requestedIds.has(aid.process.after) || parentIds.has(aid.process.after)) continue;
        const parent = await usableParent(trx, applicant.personId, aid.process.after);
        if (parent) parentIds.set(aid.process.after, parent.id);
        else {
          const app = await insertApplication(trx, dialect, { personId: applicant.personId, aidId: aid.process.after, actor: applicant.actor, dossierId, at });
          created.set(aid.process.after, app.id);
          parentIds.set(aid.process.after, app.id);
        }
      }
      const plain = requested.filter((a) => a.process.kind !== 'linked');
      const linked = requested.filter((a) => a.process.kind === 'linked');
      for (const aid of plain) {
        const app = await insertApplication(trx, dialect, { personId: applicant.personId, aidId: aid.id, actor: applicant.actor, dossierId, at });
        created.set(aid.id, app.id);
        parentIds.set(aid.id, app.id);
      }
      for (const aid of linked) {
        const after = aid.process.kind === 'linked' ? aid.process.after : '';
        const waitsFor = parentIds.get(after);
        const app = await insertApplication(trx, dialect, { personId: applicant.personId, aidId: aid.id, actor: applicant.actor, dossierId, at, ...(waitsFor ? { waitsFor } : {}) });
        created.set(aid.id, app.id);
      }
      for (const id of created.values()) {
        const r = await fireEventIn(trx, dialect, { applicationId: id, event: 'start-collecting', actor: applicant.actor, at });
        if (!r.ok) throw new Error(`start-collecting refused: ${r.reason}`);
      }
      await reevaluateDossier(trx, dialect, dossierId, { catalogue, at });
      return { ok: true as const, value: { dossierId, applicationIds: [...created.values()] } };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// What the person sees

export function checklistEntries(assessed: readonly AssessedPiece[]): ChecklistEntry[] {
  return assessed.map((a) => ({
    itemId: a.item.id,
    label: a.item.label,
    inLetter: a.item.inLetter,
    docTypes: a.item.docTypes,
    issuerKind: a.item.issuer,
    issuerName: institutionName(a.item.issuer),
    issuerTo: toInstitution(institutionName(a.item.issuer)),
    forAids: a.aids,
    status: a.status,
    document: a.document
      ? { id: a.document.id, title: a.document.title, version: a.document.version, capturedAt: a.document.capturedAt, issuedOn: a.document.issuedOn }
      : null,
    requestedByInstitution: a.requestedAt !== null,
    maxAgeMonths: a.item.maxAgeMonths ?? null,
    adjustment: a.adjustment ? { kind: a.adjustment.kind, reason: a.adjustment.reason, by: a.adjustment.by } : null,
  }));
}

/** Why a linked aid is not processed yet, in words (null once the aid it waits for is accepted). */
async function waitingText(db: Kysely<Database>, catalogue: AidCatalogue, app: ApplicationRow): Promise<string | null> {
  if (!app.waits_for || app.state === 'closed') return null;
  const parent = await db.selectFrom('applications').select(['id', 'state', 'aid_id']).where('id', '=', app.waits_for).executeTakeFirst();
  if (!parent || (await wasAccepted(db, parent.id))) return null;
  const aid = catalogue.aids.find((a) => a.id === app.aid_id);
  if (aid?.process.kind === 'linked') return aid.process.reason;
  return APPLICATION_ANSWER.waitsFor(aidName(catalogue, parent.aid_id));
}

async function authorNames(db: Kysely<Database>, identifiers: readonly string[]): Promise<Map<string, string>> {
  if (identifiers.length === 0) return new Map();
  const rows = await db.selectFrom('persons').select(['identifier', 'first_name']).where('identifier', 'in', [...new Set(identifiers)]).execute();
  return new Map(rows.map((r) => [r.identifier, r.first_name]));
}

/** Every open application of the dossier is ready, and nothing is signed yet. */
function canSubmitNow(dossier: DossierRow, apps: readonly ApplicationRow[], complete: boolean): boolean {
  const open = apps.filter((a) => a.state !== 'closed');
  return dossier.signed_at === null && complete && open.length > 0 && open.every((a) => a.state === 'ready');
}

/**
 * The dossier as the kiosk shows it, assessed again first (and moved if a paper came or went), with the
 * history in sentences and the messages; the threads are marked read.
 */
export async function viewDossier(db: Kysely<Database>, dialect: Dialect, applicant: Applicant, dossierId: string, catalogue: AidCatalogue): Promise<Outcome<Dossier>> {
  const owned = await reevaluatedOwn(db, dialect, applicant.personId, dossierId, catalogue);
  if (!owned.ok) return owned;
  const { dossier, apps, assessed, complete } = owned.value;

  // the basic conditions, from the person's age on the day of the request and the situation declared then
  const person = await db.selectFrom('persons').select('birth_date').where('id', '=', applicant.personId).executeTakeFirst();
  const facts = { age: person ? ageOn(person.birth_date, dossier.created_at) : null, situation: situationOf(dossier) };
  // once signed, the office is the one signed for; a request signed before offices were named shows none (not a guess)
  const offices = await officesOf(db, catalogue, apps, dossier.signed_at === null ? applicant.kioskId : null, { route: dossier.signed_at === null });
  const aids = [];
  for (const app of apps) {
    aids.push({
      office: offices.get(app.id) ?? null,
      warnings: eligibilityWarnings(app.aid_id, facts),
      applicationId: app.id,
      aidId: app.aid_id,
      aidName: aidName(catalogue, app.aid_id),
      institutionName: aidInstitutionName(catalogue, app.aid_id),
      state: app.state,
      waitsFor: await waitingText(db, catalogue, app),
      decisionReason: app.decision_reason,
      ...kioskTerms(app),
    });
  }
  const appIds = apps.map((a) => a.id);
  const appById = new Map(apps.map((a) => [a.id, a]));
  // one event can move several applications at the same instant (a refusal closes the aids waiting for it):
  // the aid waited for first, then in the dossier's order
  const rank = (applicationId: string) => {
    const app = appById.get(applicationId);
    return (app?.waits_for && appById.has(app.waits_for) ? apps.length : 0) + apps.findIndex((a) => a.id === applicationId);
  };
  const transitions = appIds.length
    ? (await db.selectFrom('application_transitions').selectAll().where('application_id', 'in', appIds).execute()).sort(
        (x, y) => x.at.localeCompare(y.at) || rank(x.application_id) - rank(y.application_id) || x.seq - y.seq,
      )
    : [];
  const history = transitions.map((t) => {
    const app = appById.get(t.application_id);
    const aidId = app?.aid_id ?? '';
    const sentence = historySentence({ event: t.event as Parameters<typeof historySentence>[0]['event'], to: t.to_state, actorKind: t.actor_kind, message: t.message }, aidInstitutionName(catalogue, aidId));
    // an application is accepted once at most: its terms belong to that step
    const terms = t.event === 'accept' && app ? decisionTermsFr(termsOf(app)) : null;
    return {
      at: t.at,
      aidName: aidName(catalogue, aidId),
      state: t.to_state,
      text: terms ? `${sentence} ${terms}.` : sentence,
    };
  });

  const raw = await messagesOf(db, appIds);
  const names = await authorNames(db, raw.filter((m) => m.authorKind === 'agent').map((m) => m.authorId));
  const messages: ThreadMessage[] = raw.map((m) => ({
    id: m.id,
    at: m.createdAt,
    author: m.authorKind,
    authorName: m.authorKind === 'person' ? 'Vous' : m.authorKind === 'agent' ? `${names.get(m.authorId) ?? 'Un agent'} (agent)` : m.institutionName,
    body: m.body,
  }));
  await markThreadsRead(db, appIds);

  return {
    ok: true,
    value: {
      dossierId: dossier.id,
      situation: situationOf(dossier),
      aids,
      checklist: checklistEntries(assessed),
      mode: dossier.mode,
      signedAt: dossier.signed_at,
      submittedAt: dossier.submitted_at,
      canSubmit: canSubmitNow(dossier, apps, complete),
      canSign: dossier.signed_at === null && apps.some((a) => BEFORE_SUBMISSION.includes(a.state)),
      canWithdraw: apps.some((a) => BEFORE_DECISION.includes(a.state)),
      history,
      messages,
    },
  };
}

/** An acceptance's terms as the kiosk receives them (protocol Dossier and Notice). */
function kioskTerms(row: { decision_amount_cents: number | null; decision_start_date: string | null }): { decisionAmountCents: number | null; decisionStartDate: string | null } {
  const t = termsOf(row);
  return { decisionAmountCents: t.amountCents, decisionStartDate: t.startDate };
}

/**
 * The aids a dossier of this person is about (every application of it, the linked aid's first one
 * included): on a procuration, the person must have named each. Empty when it is not theirs.
 */
export async function dossierAidIds(db: Kysely<Database>, personId: string, dossierId: string): Promise<string[]> {
  const rows = await db.selectFrom('applications').select('aid_id').where('dossier_id', '=', dossierId).where('person_id', '=', personId).execute();
  return [...new Set(rows.map((r) => r.aid_id))];
}

/** Every aid in the scope a procuration names (`['*']`: all of them). */
const inAidScope = (scope: readonly string[], aids: readonly string[]) => scope.includes('*') || aids.every((a) => scope.includes(a));

/**
 * The person's dossiers (newest first) and the notices they have not seen. Its one write: this kiosk
 * becomes the one their status changes are pushed to (the person opened their aid space here).
 */
export async function listDossiers(
  db: Kysely<Database>,
  applicant: Applicant,
  catalogue: AidCatalogue,
  /** an agent on a procuration sees only the requests whose every aid the person named in it */
  o: { aidScope?: readonly string[] } = {},
): Promise<{ dossiers: DossierSummary[]; notices: Notice[] }> {
  // so that an open session shows a change at once wherever the person is (the notice waits for the next login anyway)
  await db
    .updateTable('dossiers')
    .set({ kiosk_id: applicant.kioskId })
    .where('person_id', '=', applicant.personId)
    .where((eb) => eb.or([eb('kiosk_id', 'is', null), eb('kiosk_id', '!=', applicant.kioskId)]))
    .execute();
  const rows = await db.selectFrom('dossiers').selectAll().where('person_id', '=', applicant.personId).orderBy('updated_at', 'desc').orderBy('id').limit(200).execute();
  const unread = await unreadCounts(db, applicant.personId);
  const dossiers: DossierSummary[] = [];
  const now = new Date().toISOString();
  // the person's papers, read once for all their dossiers
  const personDocuments = rows.length > 0 ? await currentDocuments(db, applicant.personId) : [];
  const shown = new Set<string>();
  for (const d of rows) {
    const apps = inCatalogueOrder(catalogue, await applicationsOf(db, d.id));
    if (o.aidScope && !inAidScope(o.aidScope, apps.map((a) => a.aid_id))) continue;
    shown.add(d.id);
    const assessed = apps.some((a) => a.state !== 'closed')
      ? await assessDossier(db, { dossier: d, aids: knownAids(catalogue, apps), situation: situationOf(d), today: today(now), personDocuments })
      : [];
    const updatedAt = [d.updated_at, ...apps.map((a) => a.updated_at)].sort().at(-1) ?? d.updated_at;
    dossiers.push({
      dossierId: d.id,
      aids: apps.map((a) => ({ applicationId: a.id, aidId: a.aid_id, aidName: aidName(catalogue, a.aid_id), state: a.state, officeId: a.institution_id })),
      createdAt: d.created_at,
      updatedAt,
      missingCount: assessed.filter((a) => isMissing(a) && (d.submitted_at === null || a.requestedAt !== null)).length,
      unreadMessages: apps.reduce((n, a) => n + (unread.get(a.id) ?? 0), 0),
    });
  }
  const noticeRows = await db
    .selectFrom('application_notices')
    .innerJoin('applications', 'applications.id', 'application_notices.application_id')
    .select([
      'application_notices.id',
      'application_notices.dossier_id',
      'application_notices.application_id',
      'application_notices.state',
      'application_notices.created_at',
      'application_notices.message',
      'applications.aid_id',
      'applications.decision_amount_cents',
      'applications.decision_start_date',
    ])
    .where('application_notices.person_id', '=', applicant.personId)
    .where('application_notices.seen_at', 'is', null)
    .orderBy('application_notices.created_at')
    .orderBy('application_notices.id')
    .limit(200)
    .execute();
  const notices: Notice[] = noticeRows.filter((n) => !o.aidScope || shown.has(n.dossier_id)).map((n) => ({
    id: n.id,
    dossierId: n.dossier_id,
    applicationId: n.application_id,
    aidName: aidName(catalogue, n.aid_id),
    state: n.state,
    at: n.created_at,
    message: n.message,
    // the acceptance's terms go with the notice of that acceptance only
    ...(n.state === 'accepted' ? kioskTerms(n) : { decisionAmountCents: null, decisionStartDate: null }),
  }));
  dossiers.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.dossierId.localeCompare(b.dossierId));
  return { dossiers, notices };
}

export async function markNoticesSeen(db: Kysely<Database>, applicant: Applicant, ids: readonly string[]): Promise<number> {
  const r = await db
    .updateTable('application_notices')
    .set({ seen_at: new Date().toISOString() })
    .where('person_id', '=', applicant.personId)
    .where('id', 'in', [...ids])
    .where('seen_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------------
// What the person does

/**
 * "Use this paper for this item": a paper of the person's vault of a kind the item accepts, or an id the
 * kiosk has not sent yet (a scan still in its outbox: `arriving`, checked when it arrives).
 */
export async function choosePiece(
  db: Kysely<Database>,
  dialect: Dialect,
  applicant: Applicant,
  input: { dossierId: string; itemId: string; documentId: string; catalogue: AidCatalogue },
): Promise<Outcome<null>> {
  const at = new Date().toISOString();
  return refusals(() =>
    db.transaction().execute(async (trx) => {
      const dossier = await ownDossier(trx, dialect, applicant.personId, input.dossierId);
      const apps = await applicationsOf(trx, dossier.id);
      const assessed = await assessDossier(trx, { dossier, aids: knownAids(input.catalogue, apps), situation: situationOf(dossier), today: today(at) });
      const entry = assessed.find((a) => a.item.id === input.itemId);
      if (!entry) throw new Refusal({ code: 'unknown', message: APPLICATION_ANSWER.pieceNotAsked });
      if (entry.frozen) {
        throw new Refusal({
          code: 'conflict',
          message: dossier.submitted_at ? APPLICATION_ANSWER.pieceFixedSent : APPLICATION_ANSWER.pieceFixedSigned,
        });
      }
      if (apps.every((a) => a.state === 'closed')) throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.finished });
      // the current version, whoever owns it (none yet: still on its way from the kiosk)
      const doc = (await documentsById(trx, [input.documentId])).get(input.documentId);
      if (doc && doc.ownerPersonId !== applicant.personId) throw new Refusal({ code: 'unknown', message: APPLICATION_ANSWER.notYourDocument });
      if (doc && !accepts(entry.item, doc.docType)) {
        throw new Refusal({ code: 'invalid', message: APPLICATION_ANSWER.pieceNotSuitable(entry.item.label) });
      }
      if (doc && entry.requestedAt !== null && doc.versionCreatedAt <= entry.requestedAt) {
        throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.newerPaper });
      }
      await upsertPiece(trx, dossier.id, input.itemId, {
        document_id: input.documentId,
        version: doc ? doc.version : null,
        blob_sha256: doc ? doc.sha256 : null,
        chosen_by: 'person',
        chosen_at: at,
        attached_at: doc ? at : null,
      });
      await trx.updateTable('dossiers').set({ kiosk_id: applicant.kioskId, updated_at: at }).where('id', '=', dossier.id).execute();
      await appendAudit(trx, dialect, {
        actor: { kind: 'person', id: applicant.actor.id },
        action: 'application.piece.choose',
        subjectPersonId: applicant.personId,
        documentId: doc ? doc.id : null,
        ground: groundOfApplicant(applicant),
        detail: { ...applicant.actor.journal?.detail, dossierId: dossier.id, itemId: input.itemId, documentId: input.documentId, arriving: doc === undefined },
        at,
      });
      await reevaluateDossier(trx, dialect, dossier.id, { catalogue: input.catalogue, at });
      return { ok: true as const, value: null };
    }),
  );
}

/** Stops the request: closed before it was sent, withdrawn after (decided applications stay as they are). */
export async function withdrawDossier(db: Kysely<Database>, dialect: Dialect, applicant: Applicant, dossierId: string): Promise<Outcome<null>> {
  return refusals(() =>
    db.transaction().execute(async (trx): Promise<Outcome<null>> => {
      await ownDossier(trx, dialect, applicant.personId, dossierId);
      let moved = 0;
      for (const app of await applicationsOf(trx, dossierId)) {
        const event = BEFORE_SUBMISSION.includes(app.state) ? 'close' : 'withdraw';
        const r = await fireEventIn(trx, dialect, { applicationId: app.id, event, actor: applicant.actor });
        if (r.ok) moved++;
      }
      if (moved === 0) return refuse('conflict', APPLICATION_ANSWER.cannotWithdraw);
      await trx.updateTable('dossiers').set({ updated_at: new Date().toISOString() }).where('id', '=', dossierId).execute();
      return { ok: true, value: null };
    }),
  );
}

/**
 * A message to the institution about a sent request (to the application named, else the one that asked
 * a question, else the first sent). An answer to a question also tells the institution the information
 * is there, when no paper it asked for again is still missing.
 */
export async function writeToInstitution(
  db: Kysely<Database>,
  dialect: Dialect,
  applicant: Applicant,
  input: { dossierId: string; applicationId?: string | undefined; body: string; catalogue: AidCatalogue },
): Promise<Outcome<{ messageId: string }>> {
  const at = new Date().toISOString();
  return refusals(() =>
    db.transaction().execute(async (trx) => {
      const r = await reevaluateOwned(trx, dialect, applicant.personId, input.dossierId, { catalogue: input.catalogue, at });
      const sent = r.apps.filter((a) => a.submitted_at !== null);
      const target = input.applicationId
        ? r.apps.find((a) => a.id === input.applicationId)
        : (sent.find((a) => a.state === 'information-requested') ?? sent.find((a) => a.state !== 'closed') ?? sent[0]);
      if (input.applicationId && !target) throw new Refusal({ code: 'unknown', message: APPLICATION_ANSWER.aidNotInDossier });
      if (!target || target.submitted_at === null) throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.writeAfterSending });
      const aid = input.catalogue.aids.find((a) => a.id === target.aid_id);
      const posted = await postMessageIn(trx, dialect, { applicationId: target.id, author: applicant.author, body: input.body, handlingInstitutionKind: aid?.institution ?? 'autre', at, journal: applicant.actor.journal });
      if (!posted.ok) {
        throw new Refusal(
          posted.reason === 'empty' || posted.reason === 'too-long'
            ? { code: 'invalid', message: posted.reason === 'empty' ? APPLICATION_ANSWER.messageEmpty : APPLICATION_ANSWER.messageTooLong }
            : { code: 'unknown', message: APPLICATION_ANSWER.noServiceForMessage },
        );
      }
      if (target.state === 'information-requested') {
        const asked = requestedSince(r.assessed, await lastProvidedAt(trx, target), target.aid_id);
        if (asked.missing === 0) await fireEventIn(trx, dialect, { applicationId: target.id, event: 'information-provided', actor: applicant.actor, message: input.body, at });
      }
      await trx.updateTable('dossiers').set({ kiosk_id: applicant.kioskId, updated_at: at }).where('id', '=', input.dossierId).execute();
      return { ok: true as const, value: { messageId: posted.message.id } };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// What an agent does with the list of papers

/** Added pieces a dossier may hold: a case is adapted, not rewritten. */
const MAX_ADDED = 10;

/**
 * An agent adapts the dossier's list of papers to the person's case: adds a piece the catalogue does not
 * ask for, marks one not needed (both with a reason), or takes such a change back. Only before signing:
 * what is signed is the list as it is. The change, its author and their structure go with the list
 * (the kiosk, the console and the signed manifest show them), and into the person's journal.
 * `structure`: the agent's structure as it is named now.
 */
export async function adaptChecklist(
  db: Kysely<Database>,
  dialect: Dialect,
  applicant: Applicant,
  input: { dossierId: string; change: ChecklistChange; catalogue: AidCatalogue; structure: string | null },
): Promise<Outcome<{ itemId: string }>> {
  const agent = applicant.consent ?? applicant.procuration;
  if (!agent) return refuse('forbidden', APPLICATION_ANSWER.adaptAgentOnly);
  const at = new Date().toISOString();
  const change = input.change;
  return refusals(() =>
    db.transaction().execute(async (trx) => {
      const dossier = await ownDossier(trx, dialect, applicant.personId, input.dossierId);
      if (dossier.signed_at !== null) throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.adaptAfterSigning });
      const apps = await applicationsOf(trx, dossier.id);
      if (apps.every((a) => a.state === 'closed')) throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.finished });
      const active = await activeAdjustments(trx, dossier.id);
      let itemId: string;
      if (change.kind === 'undo') {
        const held = active.find((a) => a.item_id === change.itemId);
        if (!held) throw new Refusal({ code: 'unknown', message: APPLICATION_ANSWER.adaptNothingToUndo });
        await trx.updateTable('checklist_adjustments').set({ withdrawn_at: at, withdrawn_by: agent.agentPersonId }).where('id', '=', held.id).execute();
        itemId = change.itemId;
      } else {
        if (change.kind === 'not-needed') {
          const assessed = await assessDossier(trx, { dossier, aids: knownAids(input.catalogue, apps), situation: situationOf(dossier), today: today(at) });
          const entry = assessed.find((a) => a.item.id === change.itemId);
          // an added piece is taken back, not marked not needed
          if (!entry || entry.adjustment?.kind === 'added') throw new Refusal({ code: 'unknown', message: APPLICATION_ANSWER.pieceNotAsked });
          if (entry.status === 'not-needed') throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.adaptAlreadyNotNeeded });
          itemId = change.itemId;
        } else {
          if (!InstitutionKind.safeParse(change.issuer).success) throw new Refusal({ code: 'invalid', message: APPLICATION_ANSWER.adaptUnknownIssuer });
          if (active.filter((a) => a.kind === 'added').length >= MAX_ADDED) throw new Refusal({ code: 'conflict', message: APPLICATION_ANSWER.adaptTooMany });
          itemId = `ajout-${randomBytes(4).toString('hex')}`;
        }
        await trx
          .insertInto('checklist_adjustments')
          .values({
            id: randomUUID(),
            dossier_id: dossier.id,
            item_id: itemId,
            kind: change.kind === 'add' ? 'added' : 'not-needed',
            label: change.kind === 'add' ? change.label : null,
            doc_types: change.kind === 'add' ? canonicalJson([...new Set(change.docTypes)]) : null,
            issuer: change.kind === 'add' ? change.issuer : null,
            reason: change.reason,
            author_person_id: agent.agentPersonId,
            author_structure: input.structure,
            created_at: at,
            withdrawn_at: null,
            withdrawn_by: null,
          })
          .execute();
      }
      await trx.updateTable('dossiers').set({ kiosk_id: applicant.kioskId, updated_at: at }).where('id', '=', dossier.id).execute();
      await appendAudit(trx, dialect, {
        actor: { kind: 'person', id: applicant.actor.id },
        action: 'application.checklist.adapt',
        subjectPersonId: applicant.personId,
        documentId: null,
        ground: groundOfApplicant(applicant),
        detail: { ...applicant.actor.journal?.detail, dossierId: dossier.id, itemId, change: change.kind, ...(change.kind === 'undo' ? {} : { reason: change.reason }) },
        at,
      });
      await reevaluateDossier(trx, dialect, dossier.id, { catalogue: input.catalogue, at });
      return { ok: true as const, value: { itemId } };
    }),
  );
}
