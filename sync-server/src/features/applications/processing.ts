/**
 * What the console reads: the institution's queue, its recent decisions, one application with its
 * dossier, and which pieces of a dossier an office may see. One rule decides what an office's staff see:
 * an application of an aid their institution's kind handles (catalogue `aid.institution`), sent to this
 * office (`institution_id`, named in what the person signed; a request sent before offices were named has
 * none and is seen by every office of its kind), that was sent (`submitted_at`), and, for a linked aid,
 * only once the aid it waits for was accepted. Everything else answers as if it did not exist.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { FilingSituation, MANIFEST_CONTEXT, SubmissionGround } from '../../../protocol/applications.ts';
import { fieldValueFr } from '../../../protocol/format.ts';
import { DOC_TYPE_TITLE, fieldLabel } from '../../../protocol/vault.ts';
import { DocType } from '../../../protocol/common.ts';
import { matchHolder } from '../../../protocol/identity-match.ts';
import type { Holder } from '../../../protocol/identity-match.ts';
import { HolderAnswer } from '../../../protocol/mutations.ts';
import { termsOf } from './decision-terms.ts';
import type { DecisionTerms } from './decision-terms.ts';
import { ageOn, eligibilityWarnings } from '../aids/index.ts';
import type { AidCatalogue, EligibilityWarning } from '../aids/index.ts';
import { history, parentAccepted } from './applications.ts';
import type { ApplicationTransition } from './applications.ts';
import { eventsFor } from './state-machine.ts';
import type { ApplicationEvent, ApplicationState } from './state-machine.ts';
import { activeAdjustments, dossierItems, orderedAids, signedManifest } from './pieces.ts';
import { aidInstitutionName, aidName, groundWords } from '../../kernel/words/applications.ts';
import { procurationNames } from '../procurations/index.ts';
import { messagesOf } from './thread.ts';
import type { ApplicationMessage } from './thread.ts';
import type { ApplicationRow, Database, DossierRow } from '../../kernel/storage/schema.ts';
import { CONSOLE_WHO } from '../../kernel/words/console.ts';

/** The office a console account works for: its id and its kind. */
export interface OfficeRef {
  id: string;
  kind: string;
}

export function aidIdsOf(catalogue: AidCatalogue, institutionKind: string): string[] {
  return catalogue.aids.filter((a) => a.institution === institutionKind).map((a) => a.id);
}

/** Applications some institution sees, whichever it is: sent and, when linked, whose parent was accepted. */
function sentApplications(db: Kysely<Database>) {
  return db.selectFrom('applications as a').where('a.submitted_at', 'is not', null).where(parentAccepted('a.waits_for'));
}

/** Applications this office sees (see the file comment). */
function visibleApplications(db: Kysely<Database>, aidIds: readonly string[], officeId: string) {
  return sentApplications(db)
    .innerJoin('persons as p', 'p.id', 'a.person_id')
    .leftJoin('dossiers as d', 'd.id', 'a.dossier_id')
    .where('a.aid_id', 'in', [...aidIds])
    .where((eb) => eb.or([eb('a.institution_id', '=', officeId), eb('a.institution_id', 'is', null)]));
}

export interface QueueRow {
  id: string;
  aidId: string;
  aidName: string;
  state: ApplicationState;
  submittedAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  personName: string;
  personIdentifier: string;
  /** the dossier's receipt number (the request's reference the person holds) */
  receiptNumber: string | null;
  /** messages of the person (or their agent) since the service last wrote or acted */
  unread: number;
}

/**
 * Messages from the applicant's side written after the service's last message or last action on the
 * application: what nobody at the service has answered yet.
 */
async function unreadFromApplicant(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const msgs = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .select(['threads.application_id', 'messages.author_kind', 'messages.created_at'])
    .where('threads.application_id', 'in', [...ids])
    .execute();
  const acts = await db
    .selectFrom('application_transitions')
    .select(['application_id', (eb) => eb.fn.max('at').as('at')])
    .where('application_id', 'in', [...ids])
    .where('actor_kind', '=', 'institution')
    .groupBy('application_id')
    .execute();
  const lastService = new Map<string, string>(acts.map((r) => [r.application_id, String(r.at)]));
  for (const m of msgs) {
    if (m.author_kind === 'institution' && m.application_id) {
      const prev = lastService.get(m.application_id);
      if (!prev || m.created_at > prev) lastService.set(m.application_id, m.created_at);
    }
  }
  for (const m of msgs) {
    if (m.author_kind === 'institution' || !m.application_id) continue;
    const since = lastService.get(m.application_id);
    if (since && m.created_at <= since) continue;
    out.set(m.application_id, (out.get(m.application_id) ?? 0) + 1);
  }
  return out;
}

const QUEUE_COLUMNS = [
  'a.id',
  'a.aid_id',
  'a.state',
  'a.submitted_at',
  'a.decided_at',
  'a.decision_reason',
  'p.first_name',
  'p.last_name',
  'p.identifier',
  'd.receipt_number',
] as const;

type QueueSelect = {
  id: string;
  aid_id: string;
  state: ApplicationState;
  submitted_at: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  first_name: string;
  last_name: string;
  identifier: string;
  receipt_number: string | null;
};

function toRows(catalogue: AidCatalogue, rows: QueueSelect[], unread: Map<string, number>): QueueRow[] {
  return rows.map((r) => ({
    id: r.id,
    aidId: r.aid_id,
    aidName: aidName(catalogue, r.aid_id),
    state: r.state,
    submittedAt: r.submitted_at ?? '',
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    personName: `${r.first_name} ${r.last_name}`,
    personIdentifier: r.identifier,
    receiptNumber: r.receipt_number,
    unread: unread.get(r.id) ?? 0,
  }));
}

/** The queue: sent and not decided yet, the ones waiting longest first. */
export async function listQueue(
  db: Kysely<Database>,
  catalogue: AidCatalogue,
  office: OfficeRef,
  states: readonly ApplicationState[],
  limit = 500,
): Promise<QueueRow[]> {
  const aidIds = aidIdsOf(catalogue, office.kind);
  if (aidIds.length === 0 || states.length === 0) return [];
  const rows = await visibleApplications(db, aidIds, office.id)
    .select(QUEUE_COLUMNS)
    .where('a.state', 'in', [...states])
    .orderBy('a.submitted_at')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toRows(catalogue, rows, await unreadFromApplicant(db, rows.map((r) => r.id)));
}

/** The longest search kept: a name or a receipt number is far shorter. */
export const MAX_SEARCH_CHARS = 100;

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The applications of this institution kind (the same visibility rule as the queue: never another
 * institution's) whose person's name contains the words typed (first name, last name, or both in either
 * order) or whose receipt number contains them, whatever their state, the latest sent first.
 */
export async function searchApplications(db: Kysely<Database>, catalogue: AidCatalogue, office: OfficeRef, query: string, limit = 100): Promise<QueueRow[]> {
  const aidIds = aidIdsOf(catalogue, office.kind);
  const q = query.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, MAX_SEARCH_CHARS);
  if (aidIds.length === 0 || q === '') return [];
  const like = `%${likeEscaped(q)}%`;
  const contains = (expr: ReturnType<typeof sql>) => sql<boolean>`lower(${expr}) like ${like} escape '\\'`;
  const rows = await visibleApplications(db, aidIds, office.id)
    .select(QUEUE_COLUMNS)
    .where((eb) =>
      eb.or([
        contains(sql`p.first_name || ' ' || p.last_name`),
        contains(sql`p.last_name || ' ' || p.first_name`),
        contains(sql`coalesce(d.receipt_number, '')`),
      ]),
    )
    .orderBy('a.submitted_at', 'desc')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toRows(catalogue, rows, await unreadFromApplicant(db, rows.map((r) => r.id)));
}

/** The latest decisions (accepted, refused, and those closed after a decision), newest first. */
export async function listDecisions(db: Kysely<Database>, catalogue: AidCatalogue, office: OfficeRef, limit = 20): Promise<QueueRow[]> {
  const aidIds = aidIdsOf(catalogue, office.kind);
  if (aidIds.length === 0) return [];
  const rows = await visibleApplications(db, aidIds, office.id)
    .select(QUEUE_COLUMNS)
    .where('a.state', 'in', ['accepted', 'refused', 'closed'])
    .where('a.decided_at', 'is not', null)
    .orderBy('a.decided_at', 'desc')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toRows(catalogue, rows, new Map());
}

export async function findVisibleApplication(db: Kysely<Database>, catalogue: AidCatalogue, office: OfficeRef, applicationId: string): Promise<ApplicationRow | null> {
  const aidIds = aidIdsOf(catalogue, office.kind);
  if (aidIds.length === 0) return null;
  const row = await visibleApplications(db, aidIds, office.id).selectAll('a').where('a.id', '=', applicationId).executeTakeFirst();
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Which institution kinds a piece of a dossier is for

export function parseSituation(text: string): FilingSituation | null {
  try {
    const r = FilingSituation.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/**
 * For each checklist item of a dossier: the institution kinds that have an application of it that was
 * sent (and, when linked, whose parent was accepted) and that asks for this item. Items are the dossier's
 * checklist as the dossier stores it (`dossierItems(orderedAids(…))`, the function that wrote its
 * `dossier_pieces.item_id`: a piece given once for several aids), so the ids match by construction.
 */
export async function pieceKindsOf(
  db: Kysely<Database>,
  catalogue: AidCatalogue,
  dossier: Pick<DossierRow, 'id' | 'situation'>,
  /** the office looking: a request sent to another office of its kind does not open its pieces to this one */
  officeId: string,
): Promise<(itemId: string) => string[]> {
  const apps = await db.selectFrom('applications').select('aid_id').where('dossier_id', '=', dossier.id).execute();
  const sent = new Set(
    (
      await sentApplications(db)
        .select('a.aid_id')
        .where('a.dossier_id', '=', dossier.id)
        .where((eb) => eb.or([eb('a.institution_id', '=', officeId), eb('a.institution_id', 'is', null)]))
        .execute()
    ).map((a) => a.aid_id),
  );
  const kindOf = (aidId: string) => catalogue.aids.find((a) => a.id === aidId)?.institution;
  const merged = new Map<string, string[]>();
  const situation = parseSituation(dossier.situation);
  if (situation) {
    for (const b of dossierItems(orderedAids(catalogue, apps.map((a) => a.aid_id)), situation)) {
      merged.set(b.item.id, [...new Set(b.aids.filter((id) => sent.has(id)).map((id) => kindOf(id) ?? ''))].filter(Boolean));
    }
  }
  // a piece an agent added to the list is asked by every aid of the dossier
  const everyKind = [...new Set([...sent].map((id) => kindOf(id) ?? ''))].filter(Boolean);
  for (const a of await activeAdjustments(db, dossier.id)) if (a.kind === 'added') merged.set(a.item_id, everyKind);
  return (itemId) => {
    const m = merged.get(itemId);
    if (m) return m;
    // catalogue drift only: an item stored under a checklist the catalogue no longer builds (an item
    // renamed or merged since, or a situation that no longer reads) is matched against each aid's own checklist
    const kinds = new Set<string>();
    for (const id of sent) {
      const aid = catalogue.aids.find((a) => a.id === id);
      if (aid?.checklist.some((i) => i.id === itemId)) kinds.add(aid.institution);
    }
    return [...kinds];
  };
}

/** The items of this dossier (dossier_pieces) an office may see: those one of the applications sent to it asks for. */
export async function visiblePieceIds(db: Kysely<Database>, catalogue: AidCatalogue, office: OfficeRef, dossierId: string): Promise<Set<string>> {
  const dossier = await db.selectFrom('dossiers').select(['id', 'situation']).where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) return new Set();
  const present = await db.selectFrom('dossier_pieces').select('item_id').where('dossier_id', '=', dossier.id).execute();
  const kindsOf = await pieceKindsOf(db, catalogue, dossier, office.id);
  return new Set(present.map((p) => p.item_id).filter((id) => kindsOf(id).includes(office.kind)));
}

/** The facts the access policy needs for ground institution-processing about one document. */
export async function pieceOfFacts(db: Kysely<Database>, catalogue: AidCatalogue, documentId: string, officeId: string): Promise<{ personId: string; forKinds: string[] }[]> {
  const rows = await db
    .selectFrom('dossier_pieces')
    .innerJoin('dossiers', 'dossiers.id', 'dossier_pieces.dossier_id')
    .select(['dossiers.id', 'dossiers.situation', 'dossiers.person_id', 'dossier_pieces.item_id'])
    .where('dossier_pieces.document_id', '=', documentId)
    .execute();
  const out: { personId: string; forKinds: string[] }[] = [];
  const byDossier = new Map<string, typeof rows>();
  for (const r of rows) byDossier.set(r.id, [...(byDossier.get(r.id) ?? []), r]);
  for (const [, items] of byDossier) {
    const first = items[0]!;
    const kindsOf = await pieceKindsOf(db, catalogue, { id: first.id, situation: first.situation }, officeId);
    out.push({ personId: first.person_id, forKinds: [...new Set(items.flatMap((i) => kindsOf(i.item_id)))] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// One application, for its page

export interface PieceView {
  itemId: string;
  label: string;
  title: string | null;
  version: number | null;
  attachedAt: string | null;
  requestedAt: string | null;
  requestMessage: string | null;
  /** a file is attached (the link to view it) */
  hasFile: boolean;
  /** the attached file's type (image/png, application/pdf…) */
  mime: string | null;
  /** the kind of paper, as people say it (« Relevé d’identité bancaire (RIB) ») */
  docTypeTitle: string | null;
  /** the fields read on the attached version, labelled and written for people */
  fields: { name: string; label: string; value: string }[];
  /** the paper names someone else than the person (or another birth date), and what the person answered */
  holder: HolderView | null;
  /** an agent added this piece to the list, or said it is not needed: why, and who (as signed) */
  adjustment: { kind: 'added' | 'not-needed'; reason: string; by: string } | null;
}

export interface HolderView {
  paperName: string;
  reason: 'name' | 'birth-date';
  /** null: the person was not asked (a paper given before the question existed, or by another way) */
  answer: HolderAnswer | null;
}

export interface SignatureView {
  signer: string | null;
  signerName: string | null;
  cardSerial: string | null;
  ground: string | null;
  signedAt: string | null;
  submittedAt: string | null;
  receiptNumber: string | null;
  mode: 'manual' | 'automatic' | null;
  /** SHA-256 of the signed bytes (context, NUL, canonical JSON of the manifest) */
  manifestSha256: string | null;
}

export interface ApplicationDetail {
  app: ApplicationRow;
  aidName: string;
  person: { name: string; identifier: string; birthDate: string };
  situation: FilingSituation | null;
  otherAids: { aidName: string; institutionName: string; state: ApplicationState }[];
  pieces: PieceView[];
  signature: SignatureView | null;
  history: (ApplicationTransition & { actorName: string })[];
  messages: (ApplicationMessage & { authorName: string })[];
  events: ApplicationEvent[];
  /** what the acceptance grants (both null when none, or not accepted) */
  terms: DecisionTerms;
  /** the aid's basic conditions the person seemed not to meet when asking (the person was told before sending) */
  warnings: EligibilityWarning[];
}

/** How the request was signed, in words; on a procuration, who sent it for whom (as the procuration names them). */
async function groundOf(db: Kysely<Database>, text: string): Promise<string | null> {
  let g;
  try {
    g = SubmissionGround.safeParse(JSON.parse(text));
  } catch {
    return null;
  }
  if (!g.success) return null;
  return groundWords(g.data, g.data.kind === 'procuration' ? await procurationNames({ db }, g.data.procurationId) : null);
}

function itemLabel(catalogue: AidCatalogue, itemId: string): string {
  for (const aid of catalogue.aids) {
    const item = aid.checklist.find((i) => i.id === itemId);
    if (item) return item.label;
  }
  return itemId;
}

export async function applicationDetail(
  db: Kysely<Database>,
  catalogue: AidCatalogue,
  office: OfficeRef,
  app: ApplicationRow,
): Promise<ApplicationDetail> {
  const person = await db.selectFrom('persons').select(['first_name', 'last_name', 'identifier', 'birth_date']).where('id', '=', app.person_id).executeTakeFirstOrThrow();
  const dossier = app.dossier_id ? await db.selectFrom('dossiers').selectAll().where('id', '=', app.dossier_id).executeTakeFirst() : undefined;

  let otherAids: ApplicationDetail['otherAids'] = [];
  let pieces: PieceView[] = [];
  let signature: SignatureView | null = null;
  let situation: FilingSituation | null = null;
  if (dossier) {
    situation = parseSituation(dossier.situation);
    const others = await db.selectFrom('applications').select(['id', 'aid_id', 'state', 'institution_id']).where('dossier_id', '=', dossier.id).where('id', '!=', app.id).orderBy('created_at').execute();
    // the office each was sent to, by name; before sending (or sent before offices were named), the kind as people say it
    const officeIds = [...new Set(others.flatMap((o) => (o.institution_id === null ? [] : [o.institution_id])))];
    const offices = officeIds.length === 0 ? [] : await db.selectFrom('institutions').select(['id', 'name']).where('id', 'in', officeIds).execute();
    const officeName = new Map(offices.map((o) => [o.id, o.name]));
    otherAids = others.map((o) => ({
      aidName: aidName(catalogue, o.aid_id),
      institutionName: (o.institution_id !== null ? officeName.get(o.institution_id) : undefined) ?? aidInstitutionName(catalogue, o.aid_id),
      state: o.state,
    }));
    const visiblePieces = await visiblePieceIds(db, catalogue, office, dossier.id);
    const rows = await db
      .selectFrom('dossier_pieces')
      .leftJoin('documents', 'documents.id', 'dossier_pieces.document_id')
      .leftJoin('blobs', 'blobs.sha256', 'dossier_pieces.blob_sha256')
      .select([
        'blobs.mime',
        'dossier_pieces.item_id',
        'dossier_pieces.document_id',
        'dossier_pieces.version',
        'dossier_pieces.attached_at',
        'dossier_pieces.requested_at',
        'dossier_pieces.request_message',
        'documents.title',
        'documents.doc_type',
      ])
      .where('dossier_pieces.dossier_id', '=', dossier.id)
      .orderBy('dossier_pieces.item_id')
      .execute();
    // a piece only another institution asks for (the MDPH's medical certificate, for the CAF) is not shown
    const shown = rows.filter((r) => visiblePieces.has(r.item_id));
    const fieldsOf = await readFields(db, { firstName: person.first_name, lastName: person.last_name, birthDate: person.birth_date }, shown);
    // what the person signed says which pieces an agent added or said not needed (the list is fixed from then on)
    const signedPieces = new Map((signedManifest(dossier)?.pieces ?? []).map((p) => [p.itemId, p]));
    const addedLabels = new Map((await activeAdjustments(db, dossier.id)).filter((a) => a.kind === 'added').map((a) => [a.item_id, a.label ?? a.item_id]));
    pieces = shown
      .map((r) => ({
        itemId: r.item_id,
        label: addedLabels.get(r.item_id) ?? itemLabel(catalogue, r.item_id),
        adjustment: signedPieces.get(r.item_id)?.adjustment ?? null,
        title: r.title ?? null,
        version: r.version,
        attachedAt: r.attached_at,
        requestedAt: r.requested_at,
        requestMessage: r.request_message,
        hasFile: r.document_id !== null && r.version !== null,
        mime: r.mime ?? null,
        docTypeTitle: r.doc_type ? (DOC_TYPE_TITLE[r.doc_type as DocType] ?? null) : null,
        ...fieldsOf(r.document_id, r.version, r.doc_type),
      }));
    if (dossier.signed_at || dossier.manifest) {
      const ground = dossier.ground ? await groundOf(db, dossier.ground) : null;
      const signer = dossier.signer_identifier
        ? await db.selectFrom('persons').select(['first_name', 'last_name']).where('identifier', '=', dossier.signer_identifier).executeTakeFirst()
        : undefined;
      signature = {
        signer: dossier.signer_identifier,
        signerName: signer ? `${signer.first_name} ${signer.last_name}` : null,
        cardSerial: dossier.signer_card_serial,
        ground,
        signedAt: dossier.signed_at,
        submittedAt: dossier.submitted_at,
        receiptNumber: dossier.receipt_number,
        mode: dossier.mode,
        // of the text stored exactly as it was verified (for a sound row, the dossier PDF's manifestSha256)
        manifestSha256: dossier.manifest ? createHash('sha256').update(`${MANIFEST_CONTEXT}\0${dossier.manifest}`, 'utf8').digest('hex') : null,
      };
    }
  }

  const h = await history(db, app.id);
  const msgs = await messagesOf(db, [app.id]);
  const staffIds = [...new Set([...h.filter((t) => t.actor.kind === 'institution').map((t) => t.actor.id), ...msgs.filter((m) => m.authorKind === 'institution').map((m) => m.authorId)])];
  const staff = staffIds.length
    ? await db
        .selectFrom('staff_accounts')
        .innerJoin('institutions', 'institutions.id', 'staff_accounts.institution_id')
        .select(['staff_accounts.id', 'staff_accounts.display_name', 'institutions.name'])
        .where('staff_accounts.id', 'in', staffIds)
        .execute()
    : [];
  const personIds = [...new Set([...h.filter((t) => t.actor.kind === 'applicant').map((t) => t.actor.id), ...msgs.filter((m) => m.authorKind !== 'institution').map((m) => m.authorId)])];
  const people = personIds.length ? await db.selectFrom('persons').select(['identifier', 'first_name', 'last_name', 'role']).where('identifier', 'in', personIds).execute() : [];
  const personName = (id: string) => {
    const p = people.find((x) => x.identifier === id);
    return p ? CONSOLE_WHO.person(p.first_name, p.last_name, p.role === 'agent') : CONSOLE_WHO.somePerson;
  };
  const staffName = (id: string) => {
    const s = staff.find((x) => x.id === id);
    return s ? CONSOLE_WHO.staff(s.display_name, s.name) : CONSOLE_WHO.someService;
  };
  return {
    app,
    aidName: aidName(catalogue, app.aid_id),
    person: { name: `${person.first_name} ${person.last_name}`, identifier: person.identifier, birthDate: person.birth_date },
    situation,
    otherAids,
    pieces,
    signature,
    history: h.map((t) => ({ ...t, actorName: t.actor.kind === 'institution' ? staffName(t.actor.id) : t.actor.kind === 'system' ? 'La plateforme' : personName(t.actor.id) })),
    // an agent writes to the service for the person (with her, or on her procuration): said so
    messages: msgs.map((m) => ({
      ...m,
      authorName: m.authorKind === 'institution' ? staffName(m.authorId) : m.authorKind === 'agent' ? CONSOLE_WHO.agentFor(personName(m.authorId), `${person.first_name} ${person.last_name}`) : personName(m.authorId),
    })),
    events: eventsFor(app.state, 'institution'),
    terms: termsOf(app),
    warnings: situation && dossier ? eligibilityWarnings(app.aid_id, { age: ageOn(person.birth_date, dossier.created_at), situation }) : [],
  };
}

/** The canonical JSON of a version's fields, read back; anything malformed reads as no field. */
/** The values of a version's fields as stored (canonical JSON of ExtractedField by name); {} when unreadable. */
function rawFields(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, string> = {};
  for (const [name, f] of Object.entries(parsed as Record<string, unknown>)) {
    const value = f && typeof f === 'object' && 'value' in f && typeof f.value === 'string' ? f.value.trim() : null;
    if (value) out[name] = value;
  }
  return out;
}

/** What a piece's version says: its fields written for people, and whether it names the person (worked out here, never taken from a tablet). */
export interface PieceReading {
  fields: { name: string; label: string; value: string }[];
  holder: HolderView | null;
}

async function readFields(
  db: Kysely<Database>,
  person: Holder,
  pieces: readonly { document_id: string | null; version: number | null; doc_type: string | null }[],
): Promise<(documentId: string | null, version: number | null, docType: string | null) => PieceReading> {
  const ids = [...new Set(pieces.map((p) => p.document_id).filter((id): id is string => id !== null))];
  const rows = ids.length ? await db.selectFrom('document_versions').select(['document_id', 'version', 'fields', 'holder_answer']).where('document_id', 'in', ids).execute() : [];
  const byKey = new Map(rows.map((r) => [`${r.document_id}/${r.version}`, r]));
  return (documentId, version, docType) => {
    const row = documentId !== null && version !== null ? byKey.get(`${documentId}/${version}`) : undefined;
    if (!row) return { fields: [], holder: null };
    const values = rawFields(row.fields);
    const kind = DocType.safeParse(docType);
    const fields = Object.entries(values).map(([name, value]) => ({ name, label: fieldLabel(name, kind.success ? kind.data : undefined), value: fieldValueFr(name, value) }));
    const verdict = kind.success ? matchHolder(person, kind.data, values) : ({ verdict: 'unknown' } as const);
    if (verdict.verdict !== 'mismatch') return { fields, holder: null };
    return { fields, holder: { paperName: verdict.paperName, reason: verdict.reason, answer: holderAnswerOf(row.holder_answer) } };
  };
}

function holderAnswerOf(text: string | null): HolderAnswer | null {
  if (!text) return null;
  try {
    const a = HolderAnswer.safeParse(JSON.parse(text));
    return a.success ? a.data : null;
  } catch {
    return null;
  }
}
