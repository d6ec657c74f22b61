/**
 * Aid applications on the server (issue #7): created in draft for a person and an aid of the catalogue,
 * moved by events checked against the state machine, each move recorded in the application's history
 * and in the audit journal in the same transaction. On PostgreSQL the application row is locked
 * (SELECT … FOR UPDATE) while the event is checked and applied, so two concurrent events on the same
 * application are serialized and the second one sees the first one's state; SQLite has one writer.
 *
 * Who the actor is (the person on their card, an agent on their ground, the head of service of the
 * institution handling the aid) is decided by the caller (HTTP layer) before calling in here.
 */
import { randomUUID } from 'node:crypto';
import { expressionBuilder, sql } from 'kysely';
import type { Expression, Kysely, SqlBool, Transaction } from 'kysely';
import { loadCatalogue } from '../aids/index.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { ActorKind as AuditActorKind } from '../../kernel/audit.ts';
import type { ApplicationStatusBody } from '../../../protocol/socket.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import { insertQueuedPush } from '../../kernel/push-queue.ts';
import type { ApplicationRow, ApplicationTransitionRow, Database } from '../../kernel/storage/schema.ts';
import { DECIDED_STATES, transition } from './state-machine.ts';
import type { ApplicationActorKind, ApplicationEvent, ApplicationState, TransitionRefusal } from './state-machine.ts';
import { aidInstitutionName, linkedAidClosed } from '../../kernel/words/applications.ts';
import type { DecisionTerms } from './decision-terms.ts';

export interface ApplicationActor {
  kind: ApplicationActorKind;
  /** the person's or agent's identifier, the staff member's id, or the server job's name */
  id: string;
  /**
   * how the act is journaled when it is not the kind's usual ground: an agent alone on the person's
   * procuration (ground `procuration`, detail naming it, so the person's list of procurations counts it)
   */
  journal?: { ground: string; detail: Record<string, string> } | undefined;
}

export interface Application {
  id: string;
  personId: string;
  aidId: string;
  state: ApplicationState;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  /** what an acceptance grants (both null otherwise) */
  decisionTerms: DecisionTerms;
}

export interface ApplicationTransition {
  seq: number;
  /** null for the creation */
  from: ApplicationState | null;
  to: ApplicationState;
  event: ApplicationEvent | 'create';
  actor: ApplicationActor;
  at: string;
  message: string | null;
}

export type CreateOutcome =
  | { ok: true; application: Application }
  | { ok: false; reason: 'unknown-person' | 'unknown-aid' | 'actor-not-allowed' };

export type FireOutcome =
  | { ok: true; application: Application; transition: ApplicationTransition }
  | { ok: false; reason: TransitionRefusal | 'unknown-application' };

/** How each kind of actor appears in the audit journal, and on which ground it acts. */
const AUDIT_ACTOR: Record<ApplicationActorKind, { kind: AuditActorKind; ground: string }> = {
  applicant: { kind: 'person', ground: 'applicant' },
  institution: { kind: 'staff', ground: 'institution-processing' },
  system: { kind: 'system', ground: 'system' },
};

let defaultCatalogue: Promise<AidCatalogue> | null = null;
/** The given catalogue, or the default one (assets/aids/catalogue.json, loaded once). */
export function catalogueOr(given: AidCatalogue | undefined): Promise<AidCatalogue> {
  if (given) return Promise.resolve(given);
  defaultCatalogue ??= loadCatalogue();
  return defaultCatalogue;
}

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    personId: row.person_id,
    aidId: row.aid_id,
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    decisionTerms: { amountCents: row.decision_amount_cents === null ? null : Number(row.decision_amount_cents), startDate: row.decision_start_date },
  };
}

function toTransition(row: ApplicationTransitionRow): ApplicationTransition {
  return {
    seq: row.seq,
    from: row.from_state,
    to: row.to_state,
    event: row.event as ApplicationEvent | 'create',
    actor: { kind: row.actor_kind, id: row.actor_id },
    at: row.at,
    message: row.message,
  };
}

async function appendTransition(trx: Transaction<Database>, row: Omit<ApplicationTransitionRow, 'seq'>): Promise<ApplicationTransitionRow> {
  const last = await trx
    .selectFrom('application_transitions')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('application_id', '=', row.application_id)
    .executeTakeFirst();
  const full: ApplicationTransitionRow = { ...row, seq: Number(last?.seq ?? 0) + 1 };
  await trx.insertInto('application_transitions').values(full).execute();
  return full;
}

/** A new application in draft, for a person (by identifier) and an aid of the catalogue; journaled. */
export async function createApplication(
  db: Kysely<Database>,
  dialect: Dialect,
  input: { personIdentifier: string; aidId: string; actor: ApplicationActor; catalogue?: AidCatalogue; at?: string },
): Promise<CreateOutcome> {
  if (input.actor.kind === 'institution') return { ok: false, reason: 'actor-not-allowed' };
  const catalogue = await catalogueOr(input.catalogue);
  if (!catalogue.aids.some((a) => a.id === input.aidId)) return { ok: false, reason: 'unknown-aid' };
  return db.transaction().execute(async (trx): Promise<CreateOutcome> => {
    const person = await trx.selectFrom('persons').select('id').where('identifier', '=', input.personIdentifier).executeTakeFirst();
    if (!person) return { ok: false, reason: 'unknown-person' };
    const application = await insertApplication(trx, dialect, { personId: person.id, aidId: input.aidId, actor: input.actor, at: input.at });
    return { ok: true, application };
  });
}

/**
 * Inserts an application in draft inside the caller's transaction (a dossier creates several at once):
 * the row, its first history row, its journal entry. The caller has checked the person and the aid.
 */
export async function insertApplication(
  trx: Transaction<Database>,
  dialect: Dialect,
  input: { personId: string; aidId: string; actor: ApplicationActor; dossierId?: string; waitsFor?: string; at?: string | undefined },
): Promise<Application> {
  const at = input.at ?? new Date().toISOString();
  const row: ApplicationRow = {
    id: randomUUID(),
    person_id: input.personId,
    aid_id: input.aidId,
    state: 'draft',
    created_at: at,
    updated_at: at,
    submitted_at: null,
    decided_at: null,
    decision_reason: null,
    institution_id: null,
    decision_amount_cents: null,
    decision_start_date: null,
    dossier_id: input.dossierId ?? null,
    waits_for: input.waitsFor ?? null,
  };
  await trx.insertInto('applications').values(row).execute();
  await appendTransition(trx, { application_id: row.id, from_state: null, to_state: 'draft', event: 'create', actor_kind: input.actor.kind, actor_id: input.actor.id, at, message: null });
  const audit = AUDIT_ACTOR[input.actor.kind];
  await appendAudit(trx, dialect, {
    actor: { kind: audit.kind, id: input.actor.id },
    action: 'application.create',
    subjectPersonId: input.personId,
    documentId: null,
    ground: input.actor.journal?.ground ?? audit.ground,
    detail: { ...input.actor.journal?.detail, applicationId: row.id, aidId: row.aid_id, to: 'draft', ...(row.dossier_id ? { dossierId: row.dossier_id } : {}) },
    at,
  });
  return toApplication(row);
}

/**
 * Fires an event on an application, in one transaction: lock, check, update, history, journal. A
 * refused event changes nothing. The message is the question asked (request-information), the
 * decision's reason (accept, refuse: required for a refusal) or a free note; it is kept in the history,
 * and only its presence in the journal (the journal is not the place for free text about a person).
 */
export async function fireEvent(
  db: Kysely<Database>,
  dialect: Dialect,
  input: { applicationId: string; event: ApplicationEvent; actor: ApplicationActor; message?: string; at?: string },
): Promise<FireOutcome> {
  return db.transaction().execute((trx) => fireEventIn(trx, dialect, input));
}

/** States the person is told about at their next login (and live on their kiosk), with the status pushed. */
const PUSHED_STATUS: Partial<Record<ApplicationState, ApplicationStatusBody['status']>> = {
  submitted: 'submitted',
  'in-processing': 'in-review',
  'information-requested': 'missing-pieces',
  accepted: 'accepted',
  refused: 'refused',
  closed: 'closed',
};

/**
 * fireEvent inside the caller's transaction (an automatic submission happens inside the transaction
 * that attached the last piece). Besides the row, history and journal: a notice for the person when
 * the new state is one they are told about (not for their own actions), a queued
 * `application-status` push to the kiosk the person last used for it (see notifyPerson), and, on a refusal, the
 * closing of the linked aids that waited for this one.
 */
export async function fireEventIn(
  trx: Transaction<Database>,
  dialect: Dialect,
  input: {
    applicationId: string;
    event: ApplicationEvent;
    actor: ApplicationActor;
    message?: string | undefined;
    at?: string | undefined;
    /** an acceptance's amount and start date; kept only when the application becomes accepted */
    terms?: DecisionTerms | undefined;
  },
): Promise<FireOutcome> {
  // NUL characters dropped here, for every caller (the console's form, the kiosk's socket, the server's own jobs)
  const message = input.message?.replaceAll(String.fromCharCode(0), '').trim() || null;
  {
    let q = trx.selectFrom('applications').selectAll().where('id', '=', input.applicationId);
    if (dialect === 'postgres') q = q.forUpdate();
    const current = await q.executeTakeFirst();
    if (!current) return { ok: false, reason: 'unknown-application' };
    const t = transition(current.state, input.event, input.actor.kind, { message });
    if (!t.ok) return { ok: false, reason: t.reason };

    const at = input.at ?? new Date().toISOString();
    const next: ApplicationRow = { ...current, state: t.next, updated_at: at };
    if (t.next === 'submitted') next.submitted_at = at;
    if (DECIDED_STATES.includes(t.next)) {
      next.decided_at = at;
      next.decision_reason = message;
      next.decision_amount_cents = t.next === 'accepted' ? (input.terms?.amountCents ?? null) : null;
      next.decision_start_date = t.next === 'accepted' ? (input.terms?.startDate ?? null) : null;
    }
    await trx
      .updateTable('applications')
      .set({
        state: next.state,
        updated_at: next.updated_at,
        submitted_at: next.submitted_at,
        decided_at: next.decided_at,
        decision_reason: next.decision_reason,
        decision_amount_cents: next.decision_amount_cents,
        decision_start_date: next.decision_start_date,
      })
      .where('id', '=', current.id)
      .execute();
    const row = await appendTransition(trx, {
      application_id: current.id,
      from_state: current.state,
      to_state: t.next,
      event: input.event,
      actor_kind: input.actor.kind,
      actor_id: input.actor.id,
      at,
      message,
    });
    const audit = AUDIT_ACTOR[input.actor.kind];
    await appendAudit(trx, dialect, {
      actor: { kind: audit.kind, id: input.actor.id },
      action: `application.${input.event}`,
      subjectPersonId: current.person_id,
      documentId: null,
      ground: input.actor.journal?.ground ?? audit.ground,
      // like the message, only whether terms were given: the amounts are in the application, not the journal
      detail: {
        ...input.actor.journal?.detail,
        applicationId: current.id,
        aidId: current.aid_id,
        from: current.state,
        to: t.next,
        withMessage: message !== null,
        ...(t.next === 'accepted' && (next.decision_amount_cents !== null || next.decision_start_date !== null) ? { withTerms: true } : {}),
      },
      at,
    });
    if (t.next in PUSHED_STATUS && input.actor.kind !== 'applicant' && current.dossier_id) {
      await notifyPerson(trx, { personId: current.person_id, dossierId: current.dossier_id, applicationId: current.id, state: t.next, message, at });
    }
    if (input.event === 'refuse') await closeDependents(trx, dialect, current, { why: 'refused', reason: message }, at);
    // withdrawn, or closed before it was sent: what waits for it can never go on
    else if (t.next === 'closed' && !DECIDED_STATES.includes(current.state)) await closeDependents(trx, dialect, current, { why: 'withdrawn' }, at);
    return { ok: true, application: toApplication(next), transition: toTransition(row) };
  }
}

/**
 * Tells the person something happened to their request: a notice they see at their next login (on any
 * kiosk), and an `application-status` push to the kiosk where the person last opened their aid space or
 * worked on the dossier (dossiers.kiosk_id), so that a session open there shows it at once.
 */
export async function notifyPerson(
  trx: Transaction<Database>,
  n: { personId: string; dossierId: string; applicationId: string; state: ApplicationState; message: string | null; at: string },
): Promise<void> {
  await trx
    .insertInto('application_notices')
    .values({ id: randomUUID(), person_id: n.personId, dossier_id: n.dossierId, application_id: n.applicationId, state: n.state, message: n.message, created_at: n.at, seen_at: null })
    .execute();
  const dossier = await trx.selectFrom('dossiers').select('kiosk_id').where('id', '=', n.dossierId).executeTakeFirst();
  const status = PUSHED_STATUS[n.state];
  if (dossier?.kiosk_id && status) {
    // ids and a status only: the kiosk keeps nothing of it and reads the words in the person's session
    // (DESIGN.md §6: minimal data on the kiosk, and nothing about a person sent where it is not needed)
    const body: ApplicationStatusBody = { applicationId: n.applicationId, status, at: n.at };
    await insertQueuedPush(trx, dossier.kiosk_id, 'application-status', body);
  }
}

/**
 * A linked aid waits for its parent's decision (applications.waits_for). A refused parent — or one the
 * person withdrew before its decision — closes the aids waiting for it, by the server, saying why; an
 * accepted one moves nothing: they simply enter their institution's queue (see `queue`).
 */
async function closeDependents(
  trx: Transaction<Database>,
  dialect: Dialect,
  parent: ApplicationRow,
  cause: { why: 'refused'; reason: string | null } | { why: 'withdrawn' },
  at: string,
): Promise<void> {
  const dependents = await trx.selectFrom('applications').select('id').where('waits_for', '=', parent.id).where('state', '!=', 'closed').orderBy('id').execute();
  if (dependents.length === 0) return;
  const institution = aidInstitutionName(await catalogueOr(undefined), parent.aid_id);
  const message = linkedAidClosed(institution, cause);
  for (const d of dependents) {
    await fireEventIn(trx, dialect, { applicationId: d.id, event: 'close', actor: { kind: 'system', id: 'linked-aids' }, message, at });
  }
}

export async function getApplication(db: Kysely<Database>, applicationId: string): Promise<Application | null> {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirst();
  return row ? toApplication(row) : null;
}

/** The application's transitions, oldest first (the creation is the first). */
export async function history(db: Kysely<Database>, applicationId: string): Promise<ApplicationTransition[]> {
  const rows = await db.selectFrom('application_transitions').selectAll().where('application_id', '=', applicationId).orderBy('seq').execute();
  return rows.map(toTransition);
}

/**
 * The rule that lets a linked aid be seen by its institution (the queue here, the console's queries):
 * the application waits for nothing (`waitsFor`, the qualified name of its `waits_for` column, is null),
 * or the aid it waits for was accepted — it is accepted, or closed after an acceptance (an accepted
 * application can only move to closed, and only `accept` leads to accepted, so both read as "has a
 * transition to accepted"). Before that, it answers as if it did not exist.
 */
export function parentAccepted(waitsFor: string): Expression<SqlBool> {
  const eb = expressionBuilder<Database, never>();
  const parent = sql.ref<string | null>(waitsFor);
  return eb.or([
    eb(parent, 'is', null),
    eb.exists(
      eb.selectFrom('application_transitions as acceptance').select('acceptance.seq').where('acceptance.application_id', '=', parent).where('acceptance.to_state', '=', 'accepted'),
    ),
  ]);
}

/** `parentAccepted` for one application: it is accepted, or closed after an acceptance. */
export async function wasAccepted(db: Kysely<Database>, applicationId: string): Promise<boolean> {
  const row = await db.selectFrom('application_transitions').select('seq').where('application_id', '=', applicationId).where('to_state', '=', 'accepted').executeTakeFirst();
  return row !== undefined;
}

export interface QueueItem extends Application {
  personIdentifier: string;
}

/**
 * The processing console's queue: applications in these states (of these aids, when given), the ones
 * waiting longest first, without the linked aids whose parent is not accepted (yet). An empty `aidIds`
 * list means no aid, hence an empty queue.
 */
export async function queue(
  db: Kysely<Database>,
  opts: { aidIds?: readonly string[]; states: readonly ApplicationState[]; limit?: number },
): Promise<QueueItem[]> {
  if (opts.states.length === 0 || opts.aidIds?.length === 0) return [];
  let q = db
    .selectFrom('applications')
    .innerJoin('persons', 'persons.id', 'applications.person_id')
    .selectAll('applications')
    .select('persons.identifier')
    .where('applications.state', 'in', opts.states)
    .where(parentAccepted('applications.waits_for'));
  if (opts.aidIds) q = q.where('applications.aid_id', 'in', opts.aidIds);
  const rows = await q.orderBy('applications.updated_at').orderBy('applications.id').limit(opts.limit ?? 200).execute();
  return rows.map(({ identifier, ...row }) => ({ ...toApplication(row), personIdentifier: identifier }));
}
