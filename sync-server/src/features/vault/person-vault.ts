/**
 * A person's vault as read from a kiosk, in a session the card itself opened (it signed a server nonce
 * with its authentication key): alone (own-card), or joined to an agent's session (consent). Every read
 * asks the access policy and is journaled before anything is returned (DESIGN.md §6): the list, a search
 * (a keyed hash of the query, never the query: it may be an IBAN or a name), a document, a file's bytes or
 * its preview. The chain holds them all; the person's view ("Qui a vu mes papiers") leaves out their own
 * listing, searching and file reads (they know what they did) and groups what someone else did in one
 * session, so that it stays readable.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DocType } from '../../../protocol/common.ts';
import { ExtractedField } from '../../../protocol/mutations.ts';
import { ISSUER_OF, expiryOf } from '../../../protocol/vault.ts';
import type { AuditEntry as AuditView, DepositedBy, DocumentSummary, VersionDetail } from '../../../protocol/vault.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database, DocumentRow } from '../../kernel/storage/schema.ts';
import { agentFacts, structureNames } from '../agents/index.ts';
import { factsFor } from '../procurations/index.ts';
import type { CaCertificate } from '../cards/index.ts';
import { parisDay } from '../../../protocol/format.ts';
import { agentReach, categoryOf, decide } from '../../kernel/access-policy.ts';
import type { AgentReach, PolicyAction, PolicyActor, PolicyAgent, PolicyGround, PolicyProcuration } from '../../kernel/access-policy.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Json } from '../../../protocol/canonical-json.ts';
import { loadServerSecret } from '../../kernel/secrets.ts';
import { searchDocuments } from './vault-index.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';
import { countsInVisit, JOURNAL_ACTION_WORDS, JOURNAL_COUNT, JOURNAL_WHO, JOURNAL_WHY, PIECES_ARRIVED_LINE, refusedWriteLine, toYou, VAULT_ANSWER, VISIT_SILENT, visitActs } from '../../kernel/words/vault.ts';

export interface PersonSession {
  id: string;
  kioskId: string;
  personId: string;
  identifier: string;
  firstName: string;
  cardSerial: string;
  role: 'beneficiary' | 'agent';
  /** set when this is a beneficiary joined to an agent's session: the agent acts, the beneficiary consents */
  consent: { agentPersonId: string; agentIdentifier: string; agentCardSerial: string } | null;
  /**
   * set when an agent, alone at the box, acts for this person on the procuration they signed: the
   * session is the person's vault seen through the agent's card (`cardSerial` is the agent's)
   */
  procuration?: { id: string; agentPersonId: string; agentIdentifier: string; agentCardSerial: string } | null;
  expiresAt: number;
}

export interface VaultDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the platform CA: a procuration's signatures are checked against it at every use (none: nothing on a procuration) */
  ca?: () => Pick<CaCertificate, 'certificate'> | null;
}

export type VaultOutcome<T> = { ok: true; value: T } | { ok: false; error: { code: 'unknown' | 'forbidden'; message: string } };

/** The policy's refusal in plain words: an agent's reason (consent or procuration), or a person's own card. */
const forbidden = <T>(reason: string, groundName: string): VaultOutcome<T> => ({ ok: false, error: { code: 'forbidden', message: SOCKET_ANSWER.forbidden(reason, groundName !== 'own-card') } });
const unknown = <T>(message: string): VaultOutcome<T> => ({ ok: false, error: { code: 'unknown', message } });

async function cardFacts(db: Kysely<Database>, serial: string) {
  return db
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select(['cards.serial', 'cards.person_id', 'cards.status', 'persons.role'])
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
}

/** The policy's view of a session, with the cards' statuses as they are now (a card blocked mid-session stops it). */
async function groundOf(
  deps: VaultDeps,
  s: PersonSession,
): Promise<{ actor: PolicyActor; ground: PolicyGround; actorId: string; groundName: string; agent: PolicyAgent | null; procuration: PolicyProcuration | null }> {
  const db = deps.db;
  if (s.procuration) {
    const p = s.procuration;
    const agentCard = await cardFacts(db, p.agentCardSerial);
    // the agent's level and the procuration as they are now: a withdrawal or a suspension stops the next read
    const facts = await agentFacts(db, p.agentPersonId);
    const procuration = await factsFor(db, { personId: s.personId, agentPersonId: p.agentPersonId, procurationId: p.id, day: parisDay() }, deps.ca?.() ?? null);
    return {
      actor: { kind: 'person', personId: p.agentPersonId },
      ground: {
        kind: 'procuration',
        agentCard: agentCard ? { serial: agentCard.serial, personId: agentCard.person_id, status: agentCard.status, role: agentCard.role, proven: true } : null,
        agent: facts,
        procuration,
      },
      actorId: p.agentIdentifier,
      groundName: 'procuration',
      agent: facts,
      procuration,
    };
  }
  const mine = await cardFacts(db, s.cardSerial);
  if (!s.consent) {
    return {
      actor: { kind: 'person', personId: s.personId },
      // the session was opened by this card's signature, and lives on the socket it was opened on
      ground: { kind: 'own-card', card: mine ? { serial: mine.serial, personId: mine.person_id, status: mine.status, proven: true } : null },
      actorId: s.identifier,
      groundName: 'own-card',
      agent: null,
      procuration: null,
    };
  }
  const agent = await cardFacts(db, s.consent.agentCardSerial);
  // the agent's level and structure as they are now: a suspension mid-session stops the next read
  const facts = await agentFacts(db, s.consent.agentPersonId);
  return {
    actor: { kind: 'person', personId: s.consent.agentPersonId },
    ground: {
      kind: 'consent',
      agentCard: agent ? { serial: agent.serial, personId: agent.person_id, status: agent.status, role: agent.role, proven: true } : null,
      beneficiaryCard: mine ? { serial: mine.serial, personId: mine.person_id, status: mine.status, proven: true } : null,
      agent: facts,
    },
    actorId: s.consent.agentIdentifier,
    groundName: 'present-beneficiary',
    agent: facts,
    procuration: null,
  };
}

/** Asks the access policy for this session (its cards as they are now); the aid space reuses it. */
export async function check(deps: VaultDeps, s: PersonSession, action: PolicyAction, doc: Pick<DocumentRow, 'vault' | 'doc_type'> | null, aidIds?: readonly string[]) {
  const g = await groundOf(deps, s);
  const d = decide({
    actor: g.actor,
    action,
    subject: { personId: s.personId },
    documentClass: doc ? { vault: doc.vault, docType: doc.doc_type } : null,
    ground: g.ground,
    ...(aidIds ? { aidIds } : {}),
  });
  return { ...g, decision: d };
}

/** Reads of the person's own papers that their view leaves out (the chain keeps them). */
const OWN_READS_NOT_SHOWN = ['vault.list', 'vault.search', 'document.file.read', 'document.preview.read'];

/** Names a session in the journal without writing its id (which opens reads on its socket while it lives). */
export function sessionRef(sessionId: string): string {
  return createHash('sha256').update('fac-session/v1\0').update(sessionId).digest('hex').slice(0, 16);
}

/** One read to journal: in which session, by whom on what ground, what, on which paper, and its detail. */
export interface ReadToJournal {
  s: PersonSession;
  c: { actorId: string; groundName: string; agent?: PolicyAgent | null };
  action: string;
  documentId: string | null;
  detail?: { [key: string]: Json | undefined };
}

/** One read, journaled: who (the card's holder, or the agent on consent), on what ground, from which kiosk and session. */
export async function journalRead(
  deps: VaultDeps,
  s: PersonSession,
  c: ReadToJournal['c'],
  action: string,
  documentId: string | null,
  detail: { [key: string]: Json | undefined } = {},
): Promise<void> {
  await journalReads(deps, [{ s, c, action, documentId, detail }]);
}

/** Several reads journaled in one transaction (a search across several people's vaults: one line on each one's side). */
export async function journalReads(deps: VaultDeps, reads: readonly ReadToJournal[]): Promise<void> {
  if (reads.length === 0) return;
  await deps.db.transaction().execute(async (trx) => {
    for (const { s, c, action, documentId, detail } of reads) {
      await appendAudit(trx, deps.dialect, {
        actor: { kind: 'person', id: c.actorId },
        action,
        subjectPersonId: s.personId,
        documentId,
        ground: c.groundName,
        detail: {
          kioskId: s.kioskId,
          cardSerial: s.cardSerial,
          ...(s.consent ? { agentCardSerial: s.consent.agentCardSerial } : {}),
          // an act on a procuration names it: the person's list of procurations counts what was done under each
          ...(s.procuration ? { procurationId: s.procuration.id, agentCardSerial: s.procuration.agentCardSerial } : {}),
          // the structure the agent acted for, as it was then: the person's journal names it
          ...(c.agent?.structureId ? { structureId: c.agent.structureId } : {}),
          session: sessionRef(s.id),
          ...detail,
        },
      });
    }
  });
}

/** The key of the search queries' hashes: shared by the instances, kept in the database, created once. */
const queryKeys = new WeakMap<Kysely<Database>, Promise<Buffer>>();
function queryKey(db: Kysely<Database>): Promise<Buffer> {
  let key = queryKeys.get(db);
  if (!key) {
    key = loadServerSecret(db, 'vault-search-query-mac');
    key.catch(() => queryKeys.delete(db));
    queryKeys.set(db, key);
  }
  return key;
}

/**
 * What the journal keeps of a query: a keyed hash of its normalized form. Equal searches can be matched
 * by whoever holds the key; a plain hash of a short query (an IBAN, a name) could be reversed by trying them.
 */
export async function queryMac(db: Kysely<Database>, query: string): Promise<string> {
  const normalized = query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return createHmac('sha256', await queryKey(db)).update(normalized).digest('hex').slice(0, 32);
}

const today = () => new Date().toISOString().slice(0, 10);

const StoredDepositedBy = z.object({ name: z.string(), structure: z.string().nullable() });

/** « Déposé par » as the person's vault shows it: the agent's name and structure kept with the version (absent: the person's own, or unreadable). */
function depositedByView(text: string | null): { depositedBy?: DepositedBy } {
  if (text === null) return {};
  try {
    const d = StoredDepositedBy.safeParse(JSON.parse(text));
    return d.success ? { depositedBy: { name: d.data.name, structure: d.data.structure } } : {};
  } catch {
    return {};
  }
}

function summary(doc: DocumentRow, version: { captured_at: string; thumbnail_sha256: string | null; deposited_by: string | null }): DocumentSummary {
  const docType = DocType.catch('other').parse(doc.doc_type);
  return {
    id: doc.id,
    vault: doc.vault,
    docType,
    issuer: ISSUER_OF[docType],
    institutionId: doc.institution_id,
    title: doc.title,
    version: doc.current_version,
    capturedAt: version.captured_at,
    issuedOn: doc.issued_on,
    expiresOn: doc.expires_on,
    expiry: expiryOf({ docType, issuedOn: doc.issued_on, expiresOn: doc.expires_on, capturedAt: version.captured_at }, today()),
    thumbnail: version.thumbnail_sha256,
    ...depositedByView(version.deposited_by),
  };
}

async function summaries(deps: VaultDeps, personId: string, ids?: string[]): Promise<DocumentSummary[]> {
  if (ids && ids.length === 0) return [];
  let q = deps.db
    .selectFrom('documents')
    .innerJoin('document_versions', (j) =>
      j.onRef('document_versions.document_id', '=', 'documents.id').onRef('document_versions.version', '=', 'documents.current_version'),
    )
    .selectAll('documents')
    .select(['document_versions.captured_at', 'document_versions.thumbnail_sha256', 'document_versions.deposited_by'])
    .where('documents.owner_person_id', '=', personId);
  if (ids) q = q.where('documents.id', 'in', ids);
  const rows = await q.orderBy('documents.updated_at', 'desc').limit(500).execute();
  return rows.map((r) => summary(r, r));
}

/**
 * On an agent's session, only the papers their reach opens (vault and category): an agent at `accueil`
 * must not learn from a list or a search that the person has a RIB or a health paper. The person's own
 * session sees everything.
 */
function withinReach(reach: AgentReach | null): (d: Pick<DocumentSummary, 'vault' | 'docType'>) => boolean {
  if (reach === null) return () => true;
  return (d) => reach.vaults.includes(d.vault) && reach.categories.includes(categoryOf(d.docType));
}

const reachOf = (c: { agent: PolicyAgent | null; groundName: string; procuration: PolicyProcuration | null }): AgentReach | null =>
  c.groundName === 'own-card' ? null : agentReach(c.agent, c.procuration);

export async function listVault(deps: VaultDeps, s: PersonSession): Promise<VaultOutcome<DocumentSummary[]>> {
  const c = await check(deps, s, 'vault.list', null);
  if (!c.decision.allow) return forbidden(c.decision.reason, c.groundName);
  const listed = (await summaries(deps, s.personId)).filter(withinReach(reachOf(c)));
  await journalRead(deps, s, c, 'vault.list', null, { count: listed.length });
  return { ok: true, value: listed };
}

export async function searchVault(deps: VaultDeps, s: PersonSession, query: string): Promise<VaultOutcome<DocumentSummary[]>> {
  const c = await check(deps, s, 'vault.list', null);
  if (!c.decision.allow) return forbidden(c.decision.reason, c.groundName);
  const hits = await searchDocuments(deps.db, deps.dialect, s.personId, query);
  const byId = new Map((await summaries(deps, s.personId, hits.map((h) => h.documentId))).map((d) => [d.id, d]));
  const visible = withinReach(reachOf(c));
  const found = hits.flatMap((h) => {
    const d = byId.get(h.documentId);
    return d && visible(d) ? [{ ...d, ...(h.snippet ? { snippet: h.snippet } : {}) }] : [];
  });
  // the snippets show the papers' text: which papers were shown is journaled, the query only as a keyed hash
  await journalRead(deps, s, c, 'vault.search', null, { queryMac: await queryMac(deps.db, query), documents: found.map((d) => d.id) });
  return { ok: true, value: found };
}

const StoredFields = z.record(z.string(), ExtractedField);

export async function readDocument(
  deps: VaultDeps,
  s: PersonSession,
  documentId: string,
): Promise<VaultOutcome<{ document: DocumentSummary; versions: VersionDetail[] }>> {
  const doc = await deps.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  if (!doc || doc.owner_person_id !== s.personId) return unknown(VAULT_ANSWER.documentNotHere);
  const c = await check(deps, s, 'document.read', doc);
  if (!c.decision.allow) return forbidden(c.decision.reason, c.groundName);
  const versions = await deps.db
    .selectFrom('document_versions')
    .innerJoin('blobs', 'blobs.sha256', 'document_versions.blob_sha256')
    .selectAll('document_versions')
    .select(['blobs.mime', 'blobs.size'])
    .where('document_id', '=', documentId)
    .orderBy('version', 'desc')
    .execute();
  const current = versions[0];
  if (!current) return unknown(VAULT_ANSWER.noVersion);
  await journalRead(deps, s, c, 'document.read', documentId);
  return {
    ok: true,
    value: {
      document: summary(doc, current),
      versions: versions.map((v) => ({
        version: v.version,
        capturedAt: v.captured_at,
        createdAt: v.created_at,
        fields: StoredFields.catch({}).parse(JSON.parse(v.fields)),
        file: { sha256: v.blob_sha256, mime: FileMimeOf(v.mime), size: v.size },
        thumbnail: v.thumbnail_sha256,
        pages: v.pages,
        ...depositedByView(v.deposited_by),
      })),
    },
  };
}

function FileMimeOf(mime: string): VersionDetail['file']['mime'] {
  return mime === 'image/png' || mime === 'image/webp' || mime === 'application/pdf' ? mime : 'image/jpeg';
}

/**
 * May this session read these bytes? Only files and previews of the person's own documents; the read is
 * journaled before the caller sends them.
 */
export async function authorizeFile(deps: VaultDeps, s: PersonSession, sha256: string): Promise<VaultOutcome<{ mime: string; preview: boolean }>> {
  const v = await deps.db
    .selectFrom('document_versions')
    .innerJoin('documents', 'documents.id', 'document_versions.document_id')
    .selectAll('documents')
    .select(['document_versions.blob_sha256', 'document_versions.thumbnail_sha256'])
    .where('documents.owner_person_id', '=', s.personId)
    .where((eb) => eb.or([eb('document_versions.blob_sha256', '=', sha256), eb('document_versions.thumbnail_sha256', '=', sha256)]))
    .executeTakeFirst();
  if (!v) return unknown(VAULT_ANSWER.fileNotHere);
  const c = await check(deps, s, 'document.read', v);
  if (!c.decision.allow) return forbidden(c.decision.reason, c.groundName);
  const preview = v.thumbnail_sha256 === sha256 && v.blob_sha256 !== sha256;
  const blob = await deps.db.selectFrom('blobs').select('mime').where('sha256', '=', sha256).executeTakeFirst();
  await journalRead(deps, s, c, preview ? 'document.preview.read' : 'document.file.read', v.id, { sha256 });
  return { ok: true, value: { mime: preview ? 'image/jpeg' : (blob?.mime ?? 'application/octet-stream'), preview } };
}


/** Opening a paper, then its file or preview: one act for the person who reads the journal. */
const READS: ReadonlySet<string> = new Set(['document.read', 'document.file.read', 'document.preview.read']);
const SAME_OPENING_MS = 2 * 60_000;

/** Acts of the person this close together are one visit, one line of their journal. */
const VISIT_GAP_MS = 60 * 60_000;

/** What the person's view needs of a journal row. */
interface JournalRow {
  at: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  ground: string;
  detail: string;
  document_id: string | null;
  title: string | null;
}

function detailOf(r: JournalRow): { [key: string]: unknown } {
  try {
    const d: unknown = JSON.parse(r.detail);
    return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as { [key: string]: unknown }) : {};
  } catch {
    // detail is always JSON; a bad row only loses what its detail said
    return {};
  }
}

/**
 * Rows of one run: the same person doing the same read in the same session, one after the other (the
 * previews of a whole list, the same file opened again). Only reads journaled with their session group;
 * everything else stands alone.
 */
function runKey(r: JournalRow): string | null {
  const session = detailOf(r).session;
  if (typeof session !== 'string') return null;
  if (r.action === 'document.preview.read') return [r.actor_kind, r.actor_id, r.ground, session, r.action].join('\0');
  // the same search again (its keyed hash); different searches stay apart
  if (r.action === 'vault.search') return [r.actor_kind, r.actor_id, r.ground, session, r.action, String(detailOf(r).queryMac)].join('\0');
  if (r.action.endsWith('.read') || r.action === 'vault.list' || r.action === 'vault.search') {
    return [r.actor_kind, r.actor_id, r.ground, session, r.action, r.document_id ?? ''].join('\0');
  }
  return null;
}

/** The words of a row (the newest of its run), saying how many times or papers when the run has more than one. */
function actionWords(r: JournalRow, run: JournalRow[]): string {
  const base = JOURNAL_ACTION_WORDS[r.action] ?? r.action;
  if (r.action === 'vault.search') {
    const docs = detailOf(r).documents;
    const found = Array.isArray(docs) ? docs.length : 0;
    const searched = run.length > 1 ? ` ${JOURNAL_COUNT.times(run.length)}` : '';
    return `${base}${searched} (${JOURNAL_COUNT.found(found)})`;
  }
  if (run.length === 1) return base;
  if (r.action === 'document.preview.read') {
    const papers = new Set(run.map((x) => x.document_id)).size;
    return papers > 1 ? JOURNAL_COUNT.previews(papers) : `${base} (${JOURNAL_COUNT.times(run.length)})`;
  }
  return `${base} (${JOURNAL_COUNT.times(run.length)})`;
}

/** The journal of everything done with the person's papers, in words they can read. */
export async function personJournal(deps: VaultDeps, s: PersonSession, limit = 200): Promise<VaultOutcome<AuditView[]>> {
  const c = await check(deps, s, 'audit.read', null);
  if (!c.decision.allow) return forbidden(c.decision.reason, c.groundName);
  const rows: JournalRow[] = await deps.db
    .selectFrom('audit_journal')
    .leftJoin('documents', 'documents.id', 'audit_journal.document_id')
    .select([
      'audit_journal.at',
      'audit_journal.actor_kind',
      'audit_journal.actor_id',
      'audit_journal.action',
      'audit_journal.ground',
      'audit_journal.detail',
      'audit_journal.document_id',
      'documents.title',
    ])
    .where('audit_journal.subject_person_id', '=', s.personId)
    // the person's own listing, searching and file reads are theirs to know: left out of their view only
    .where((eb) =>
      eb.not(
        eb.and([
          eb('audit_journal.actor_kind', '=', 'person'),
          eb('audit_journal.actor_id', '=', s.identifier),
          eb('audit_journal.ground', '=', 'own-card'),
          eb('audit_journal.action', 'in', OWN_READS_NOT_SHOWN),
        ]),
      ),
    )
    .orderBy('audit_journal.seq', 'desc')
    // runs become one line each: read more rows than lines are shown
    .limit(limit * 5)
    .execute();
  const ids = [...new Set(rows.filter((r) => r.actor_kind === 'person').map((r) => r.actor_id))];
  const people = ids.length
    ? await deps.db.selectFrom('persons').select(['identifier', 'first_name', 'last_name', 'role']).where('identifier', 'in', ids).execute()
    : [];
  const nameOf = new Map(people.map((p) => [p.identifier, p]));
  // the structures agents acted for, as journaled with each act
  const structureIds = [...new Set(rows.flatMap((r) => (r.actor_kind === 'person' && typeof detailOf(r).structureId === 'string' ? [String(detailOf(r).structureId)] : [])))];
  const structureOf = await structureNames(deps.db, structureIds);
  // heads of service who processed a request: named by their institution, not as "the platform"
  // and the staff of an institution's inbox: named by their institution too
  const staffIds = [...new Set(rows.filter((r) => r.actor_kind === 'staff' && (r.ground === 'institution-processing' || r.ground === 'institution-inbox')).map((r) => r.actor_id))];
  const services = staffIds.length
    ? await deps.db
        .selectFrom('staff_accounts')
        .innerJoin('institutions', 'institutions.id', 'staff_accounts.institution_id')
        .select(['staff_accounts.id', 'institutions.name'])
        .where('staff_accounts.id', 'in', staffIds)
        .execute()
    : [];
  const serviceOf = new Map(services.map((x) => [x.id, x.name]));

  // newest first: a run's newest row stands for it
  const runs: JournalRow[][] = [];
  for (const r of rows) {
    const key = runKey(r);
    const last = runs.at(-1);
    if (key !== null && last && runKey(last[0]!) === key) last.push(r);
    else runs.push([r]);
  }
  const own = (r: JournalRow) => r.actor_kind === 'person' && r.actor_id === s.identifier;
  const titleOf = (run: JournalRow[]): string | null => {
    const r = run[0]!;
    const papers = new Set(run.map((x) => x.document_id));
    if (papers.size > 1) return null;
    if (r.title) return r.title;
    const t = detailOf(r).title;
    return typeof t === 'string' ? t : null;
  };

  const lines: AuditView[] = [];
  let lastOther: JournalRow | null = null;
  /** the person's own acts since the last line, gathered into one line for their visit */
  let visit: { newest: JournalRow; rows: JournalRow[] } | null = null;
  const closeVisit = () => {
    if (!visit) return;
    const counts = new Map<string, number>();
    // said in the order they were done (rows come newest first); a paper's acts count the papers, not the times
    const seen = new Map<string, Set<string>>();
    for (const [i, r] of [...visit.rows].reverse().entries()) {
      const key = r.action.startsWith('document.') && r.document_id ? r.document_id : `row ${i}`;
      const set = seen.get(r.action) ?? new Set<string>();
      set.add(key);
      seen.set(r.action, set);
      counts.set(r.action, set.size);
    }
    const words = visitActs(counts);
    const papers = new Set(visit.rows.map((r) => r.document_id));
    // the paper's name when the whole visit was about one paper
    const onePaper = papers.size === 1 && !papers.has(null);
    if (words) lines.push({ at: visit.newest.at, who: JOURNAL_WHO.you, action: words, documentTitle: onePaper ? titleOf(visit.rows.slice(0, 1)) : null, ground: visit.newest.ground, kind: 'own', why: null });
    visit = null;
  };

  for (const run of runs) {
    const r = run[0]!;
    if (own(r) && VISIT_SILENT.has(r.action)) continue;
    if (own(r) && countsInVisit(r.action)) {
      // one visit: acts less than an hour apart (rows come newest first)
      if (visit && Date.parse(visit.rows.at(-1)!.at) - Date.parse(r.at) > VISIT_GAP_MS) closeVisit();
      if (!visit) visit = { newest: r, rows: [] };
      visit.rows.push(...run);
      continue;
    }
    closeVisit();
    if (lines.length >= limit) break;
    if (r.action === 'mutation.refused') {
      // a write from the tablet that never reached the vault: what it was and why, not who "did" it
      const d = detailOf(r);
      lines.push({ at: r.at, ...refusedWriteLine(d.type, d.code), documentTitle: null, ground: r.ground, kind: 'platform', why: null });
      continue;
    }
    if (r.actor_kind === 'system' && r.action === 'application.information-provided') {
      lines.push({ at: r.at, ...PIECES_ARRIVED_LINE, documentTitle: null, ground: r.ground, kind: 'platform', why: null });
      continue;
    }
    if (own(r)) {
      lines.push({ at: r.at, who: JOURNAL_WHO.you, action: toYou(actionWords(r, run)), documentTitle: titleOf(run), ground: r.ground, kind: 'own', why: null });
      continue;
    }
    // one opening is one line: the paper opened and its file fetched for it are the same act
    if (READS.has(r.action) && lastOther && lastOther.actor_id === r.actor_id && lastOther.document_id === r.document_id && READS.has(lastOther.action) && Math.abs(Date.parse(lastOther.at) - Date.parse(r.at)) <= SAME_OPENING_MS) continue;
    lastOther = r;
    let who: string;
    const service = r.actor_kind === 'staff' ? serviceOf.get(r.actor_id) : undefined;
    if (service) who = JOURNAL_WHO.service(service);
    else if (r.actor_kind === 'staff') who = JOURNAL_WHO.platformStaff;
    else if (r.actor_kind === 'system') who = JOURNAL_WHO.platform;
    else {
      const p = nameOf.get(r.actor_id);
      const sid = detailOf(r).structureId;
      const structure = p?.role === 'agent' && typeof sid === 'string' ? structureOf.get(sid) : undefined;
      if (p && structure) who = JOURNAL_WHO.agentOf(p.first_name, p.last_name, structure);
      else who = p ? JOURNAL_WHO.person(p.first_name, p.role === 'agent') : JOURNAL_WHO.someone;
    }
    const platform = r.actor_kind === 'system';
    lines.push({ at: r.at, who, action: actionWords(r, run), documentTitle: titleOf(run), ground: r.ground, kind: platform ? 'platform' : 'other', why: platform ? null : (JOURNAL_WHY[r.ground] ?? null) });
  }
  closeVisit();
  return { ok: true, value: lines.slice(0, limit) };
}
