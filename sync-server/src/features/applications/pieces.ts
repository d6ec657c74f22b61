/**
 * The checklist of a dossier, assessed against the person's vault (issue #7). One checklist for the
 * dossier's aids together (a piece several aids ask for is given once), each item filled by:
 *  1. the paper the person chose for it, when it is theirs and of a kind the item accepts — or marked
 *     `arriving` while that paper is still on its way from the kiosk (scanned, in the outbox);
 *  2. otherwise the newest valid paper of an accepted kind in the person's vault, personal or
 *     institutional (deleted documents are gone from `documents`). Papers filed as `other`, and items
 *     that accept only `other`, are never matched automatically: an "other" paper could be anything,
 *     so the person has to say which one it is.
 * When the institution asked for a piece again (`requested_at`), only a version created after the
 * request satisfies it. What was signed (an automatic sending waiting for its last pieces) or sent stays
 * as it was: those items are frozen, except the ones the institution asked for again.
 */
import type { Kysely, Transaction } from 'kysely';
import { FilingSituation, Manifest } from '../../../protocol/applications.ts';
import type { PieceStatusName } from '../../../protocol/applications.ts';
import { DocType } from '../../../protocol/common.ts';
import { assessPieces, bundleChecklist } from '../aids/index.ts';
import type { Aid, AidCatalogue, ChecklistItem } from '../aids/index.ts';
import { InstitutionKind } from '../aids/index.ts';
import type { ChecklistAdjustmentRow, Database, DossierPieceRow, DossierRow, VaultKind } from '../../kernel/storage/schema.ts';

/** A version of a vault document, as the checklist needs it. */
export interface PieceDocument {
  id: string;
  ownerPersonId: string;
  vault: VaultKind;
  docType: DocType;
  title: string;
  version: number;
  capturedAt: string;
  issuedOn: string | null;
  expiresOn: string | null;
  sha256: string;
  /** when this version reached the server */
  versionCreatedAt: string;
}

export interface AssessedPiece {
  item: ChecklistItem;
  /** the aids of the dossier that ask for it */
  aids: string[];
  status: PieceStatusName;
  /** the paper attached (present), or the one chosen that is too old or expired */
  document: PieceDocument | null;
  /** the document id the person chose that is not on the server yet */
  arrivingId: string | null;
  chosenBy: 'auto' | 'person' | null;
  requestedAt: string | null;
  requestMessage: string | null;
  /** what was signed or sent: kept as it is */
  frozen: boolean;
  /** an agent added this piece, or marked it not needed (checklist_adjustments) */
  adjustment: PieceAdjustment | null;
}

export interface PieceAdjustment {
  id: string;
  kind: 'added' | 'not-needed';
  reason: string;
  authorPersonId: string;
  /** « Sophie Lefèvre, CMS du centre-ville »: the agent and their structure, as shown with the change */
  by: string;
  at: string;
}

type AdjustmentRow = ChecklistAdjustmentRow & { author_first_name: string; author_last_name: string };

/** The changes an agent made to the dossier's list that still hold, with their author's name. */
export async function activeAdjustments(db: Kysely<Database>, dossierId: string): Promise<AdjustmentRow[]> {
  return db
    .selectFrom('checklist_adjustments')
    .innerJoin('persons', 'persons.id', 'checklist_adjustments.author_person_id')
    .selectAll('checklist_adjustments')
    .select(['persons.first_name as author_first_name', 'persons.last_name as author_last_name'])
    .where('checklist_adjustments.dossier_id', '=', dossierId)
    .where('checklist_adjustments.withdrawn_at', 'is', null)
    .orderBy('checklist_adjustments.created_at')
    .orderBy('checklist_adjustments.id')
    .execute();
}

/** An added piece as a checklist item of the dossier (asked by every aid of it). */
export function addedItem(a: ChecklistAdjustmentRow): ChecklistItem {
  const label = a.label ?? '';
  return {
    id: a.item_id,
    label,
    inLetter: label.charAt(0).toLowerCase() + label.slice(1),
    docTypes: DocType.array().catch(['other']).parse(JSON.parse(a.doc_types ?? '[]')),
    issuer: InstitutionKind.catch('autre').parse(a.issuer),
  };
}

const adjustmentOf = (a: AdjustmentRow): PieceAdjustment => ({
  id: a.id,
  kind: a.kind,
  reason: a.reason,
  authorPersonId: a.author_person_id,
  by: [`${a.author_first_name} ${a.author_last_name}`, a.author_structure].filter(Boolean).join(', '),
  at: a.created_at,
});

/** The aids of a dossier in catalogue order (the order of its checklist and manifest). */
export function orderedAids(catalogue: AidCatalogue, aidIds: readonly string[]): Aid[] {
  return catalogue.aids.filter((a) => aidIds.includes(a.id));
}

/** The situation the dossier was filed with (stored as canonical JSON). */
export function situationOf(d: Pick<DossierRow, 'situation'>): FilingSituation {
  return FilingSituation.parse(JSON.parse(d.situation));
}

/** The manifest signed for the dossier, if there is one. */
export function signedManifest(d: Pick<DossierRow, 'manifest'>): Manifest | null {
  if (!d.manifest) return null;
  const m = Manifest.safeParse(JSON.parse(d.manifest));
  return m.success ? m.data : null;
}

/** The dossier's checklist items, each once (a defensive de-duplication by item id on top of the catalogue's). */
export function dossierItems(aids: readonly Aid[], situation: FilingSituation): { item: ChecklistItem; aids: string[] }[] {
  const out: { item: ChecklistItem; aids: string[] }[] = [];
  for (const b of bundleChecklist(aids, situation)) {
    const same = out.find((o) => o.item.id === b.item.id);
    if (same) {
      for (const a of b.aids) if (!same.aids.includes(a)) same.aids.push(a);
    } else {
      out.push({ item: b.item, aids: [...b.aids] });
    }
  }
  return out;
}

function documentsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('documents')
    .innerJoin('document_versions', 'document_versions.document_id', 'documents.id')
    .select([
      'documents.id',
      'documents.owner_person_id',
      'documents.vault',
      'documents.doc_type',
      'documents.title',
      'documents.issued_on',
      'documents.expires_on',
      'documents.current_version',
      'document_versions.version',
      'document_versions.captured_at',
      'document_versions.created_at',
      'document_versions.blob_sha256',
    ]);
}

type DocRow = Awaited<ReturnType<ReturnType<typeof documentsQuery>['execute']>>[number];

function toPieceDocument(r: DocRow): PieceDocument {
  return {
    id: r.id,
    ownerPersonId: r.owner_person_id,
    vault: r.vault,
    docType: DocType.catch('other').parse(r.doc_type),
    title: r.title,
    version: r.version,
    capturedAt: r.captured_at,
    issuedOn: r.issued_on,
    expiresOn: r.expires_on,
    sha256: r.blob_sha256,
    versionCreatedAt: r.created_at,
  };
}

/** The current version of each of the person's documents. */
export async function currentDocuments(db: Kysely<Database>, personId: string): Promise<PieceDocument[]> {
  const rows = await documentsQuery(db)
    .where('documents.owner_person_id', '=', personId)
    .whereRef('document_versions.version', '=', 'documents.current_version')
    .execute();
  return rows.map(toPieceDocument);
}

/** The current version of these documents, whoever owns them (a chosen id may turn out to be someone else's). */
export async function documentsById(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, PieceDocument>> {
  if (ids.length === 0) return new Map();
  const rows = await documentsQuery(db)
    .where('documents.id', 'in', [...new Set(ids)])
    .whereRef('document_versions.version', '=', 'documents.current_version')
    .execute();
  return new Map(rows.map((r) => [r.id, toPieceDocument(r)]));
}

/** Exact versions (what was signed or sent), when they still exist. */
async function exactVersions(db: Kysely<Database>, refs: readonly { documentId: string; version: number }[]): Promise<Map<string, PieceDocument>> {
  if (refs.length === 0) return new Map();
  const rows = await documentsQuery(db)
    .where('documents.id', 'in', [...new Set(refs.map((r) => r.documentId))])
    .execute();
  const wanted = new Set(refs.map((r) => `${r.documentId}#${r.version}`));
  return new Map(rows.filter((r) => wanted.has(`${r.id}#${r.version}`)).map((r) => [`${r.id}#${r.version}`, toPieceDocument(r)]));
}

/** The person may give a paper filed as another kind when the item accepts `other` (a lease, a form…). */
export function accepts(item: ChecklistItem, docType: DocType): boolean {
  return item.docTypes.includes(docType) || item.docTypes.includes('other');
}

/** Whether the checklist can fill this item by itself. */
export function autoMatchable(item: ChecklistItem): boolean {
  return item.docTypes.some((t) => t !== 'other');
}

export interface AssessInput {
  dossier: DossierRow;
  aids: readonly Aid[];
  situation: FilingSituation;
  /** ISO date */
  today: string;
  /** the person's current papers, when the caller already read them (several dossiers of one person) */
  personDocuments?: readonly PieceDocument[] | undefined;
}

/**
 * Days after which a paper chosen on a kiosk and still not on the server is shown as not arrived: the
 * outbox delivers within minutes of a connection, so this long means the kiosk lost it (or never goes
 * online again), and the person had better give it again.
 */
export const ARRIVAL_DAYS = 7;

function overdue(chosenAt: string | null, today: string): boolean {
  return chosenAt !== null && Date.parse(today) - Date.parse(chosenAt.slice(0, 10)) >= ARRIVAL_DAYS * 86_400_000;
}

/** Assesses every item of the dossier's checklist; reads only. */
export async function assessDossier(db: Kysely<Database>, input: AssessInput): Promise<AssessedPiece[]> {
  const { dossier, today } = input;
  const personId = dossier.person_id;
  const adjustments = await activeAdjustments(db, dossier.id);
  const added = adjustments.filter((a) => a.kind === 'added');
  const notNeeded = new Map(adjustments.filter((a) => a.kind === 'not-needed').map((a) => [a.item_id, a]));
  const allAids = input.aids.map((a) => a.id);
  const items = [...dossierItems(input.aids, input.situation), ...added.map((a) => ({ item: addedItem(a), aids: allAids }))];
  const addedBy = new Map(added.map((a) => [a.item_id, a]));
  const rows = new Map<string, DossierPieceRow>(
    (await db.selectFrom('dossier_pieces').selectAll().where('dossier_id', '=', dossier.id).execute()).map((r) => [r.item_id, r]),
  );

  // what is frozen: sent pieces (except those asked again), or the pieces an automatic sending was signed with
  const frozenRefs = new Map<string, { documentId: string; version: number } | null>();
  if (dossier.submitted_at !== null) {
    for (const { item } of items) {
      const row = rows.get(item.id);
      if (row?.requested_at) continue;
      frozenRefs.set(item.id, row?.document_id && row.version !== null ? { documentId: row.document_id, version: row.version } : null);
    }
  } else if (dossier.signed_at !== null) {
    for (const p of signedManifest(dossier)?.pieces ?? []) {
      if (p.documentId !== null && p.version !== null) frozenRefs.set(p.itemId, { documentId: p.documentId, version: p.version });
    }
  }
  const exact = await exactVersions(db, [...frozenRefs.values()].filter((r): r is { documentId: string; version: number } => r !== null));

  const mine = input.personDocuments ?? (await currentDocuments(db, personId));
  const chosenIds = [...rows.values()].filter((r) => r.chosen_by === 'person' && r.document_id).map((r) => r.document_id as string);
  const byId = new Map(mine.map((d) => [d.id, d]));
  for (const [id, d] of await documentsById(db, chosenIds.filter((id) => !byId.has(id)))) byId.set(id, d);

  return items.map(({ item, aids }): AssessedPiece => {
    const row = rows.get(item.id);
    const requestedAt = row?.requested_at ?? null;
    const adjusted = notNeeded.get(item.id) ?? addedBy.get(item.id);
    const base = { item, aids, requestedAt, requestMessage: row?.request_message ?? null, adjustment: adjusted ? adjustmentOf(adjusted) : null };

    if (frozenRefs.has(item.id)) {
      const ref = frozenRefs.get(item.id) ?? null;
      const doc = ref ? (exact.get(`${ref.documentId}#${ref.version}`) ?? null) : null;
      if (dossier.submitted_at !== null) {
        // sent: the institution has it, even if the person removed it from the vault since
        return { ...base, status: ref ? 'present' : notNeeded.has(item.id) ? 'not-needed' : 'absent', document: doc, arrivingId: null, chosenBy: row?.chosen_by ?? null, frozen: true };
      }
      // signed for an automatic sending: the signed version, as long as it exists
      if (doc && doc.ownerPersonId === personId) {
        return { ...base, status: 'present', document: doc, arrivingId: null, chosenBy: row?.chosen_by ?? 'auto', frozen: true };
      }
    }

    // the institution asked for it again: it is needed after all, whatever was said before
    if (notNeeded.has(item.id) && requestedAt === null) return { ...base, status: 'not-needed', document: null, arrivingId: null, chosenBy: null, frozen: false };

    const fresh = (d: PieceDocument) => requestedAt === null || d.versionCreatedAt > requestedAt;

    if (row?.chosen_by === 'person' && row.document_id) {
      const chosen = byId.get(row.document_id);
      if (!chosen) {
        // never seen on the server: still on its way; seen before (a version was recorded): deleted since
        if (row.version === null) {
          const status = overdue(row.chosen_at, today) ? 'not-arrived' : 'arriving';
          return { ...base, status, document: null, arrivingId: row.document_id, chosenBy: 'person', frozen: false };
        }
      } else if (chosen.ownerPersonId === personId && accepts(item, chosen.docType) && fresh(chosen)) {
        const [r] = assessPieces([{ ...item, docTypes: [chosen.docType] }], [chosen], today);
        const status: PieceStatusName = r?.status === 'present' ? 'present' : (r?.reason ?? 'absent');
        return { ...base, status, document: chosen, arrivingId: null, chosenBy: 'person', frozen: false };
      }
      // someone else's paper, a paper of the wrong kind, gone, or older than the request: the choice does not hold
    }

    if (!autoMatchable(item)) return { ...base, status: 'absent', document: null, arrivingId: null, chosenBy: null, frozen: false };
    const candidates = mine.filter((d) => d.docType !== 'other' && item.docTypes.includes(d.docType) && fresh(d));
    const [r] = assessPieces([item], candidates, today);
    if (r?.status === 'present') return { ...base, status: 'present', document: r.document, arrivingId: null, chosenBy: 'auto', frozen: false };
    return { ...base, status: r?.status === 'missing' ? r.reason : 'absent', document: null, arrivingId: null, chosenBy: null, frozen: false };
  });
}

/**
 * Records what the assessment attached (dossier_pieces), touching only rows that change; keeps the
 * institution's requests. Returns whether anything changed.
 */
export async function persistPieces(trx: Transaction<Database>, dossierId: string, assessed: readonly AssessedPiece[], at: string): Promise<boolean> {
  const rows = new Map((await trx.selectFrom('dossier_pieces').selectAll().where('dossier_id', '=', dossierId).execute()).map((r) => [r.item_id, r]));
  let changed = false;
  for (const a of assessed) {
    if (a.frozen) continue;
    const row = rows.get(a.item.id);
    // asked again by the institution: what was sent stays linked — the institution still reads the paper
    // it asked about — until a newer one is there (or chosen and on its way)
    if (a.requestedAt !== null && row && row.version !== null && a.status !== 'present' && a.arrivingId === null) continue;
    const keepChoice = a.chosenBy === 'person';
    const next = {
      document_id: a.document?.id ?? a.arrivingId ?? null,
      version: a.document && (a.status === 'present' || keepChoice) ? a.document.version : null,
      blob_sha256: a.document && (a.status === 'present' || keepChoice) ? a.document.sha256 : null,
      chosen_by: a.chosenBy,
    };
    if (!keepChoice && a.status !== 'present') {
      next.document_id = null;
      next.chosen_by = null;
    }
    if (row && row.document_id === next.document_id && row.version === next.version && row.blob_sha256 === next.blob_sha256 && row.chosen_by === next.chosen_by) continue;
    changed = true;
    await upsertPiece(trx, dossierId, a.item.id, { ...next, attached_at: next.version !== null ? at : null });
  }
  return changed;
}

/** What an item of a dossier is filled with (the institution's request on the row is left as it is). */
export type PieceValues = Pick<DossierPieceRow, 'document_id' | 'version' | 'blob_sha256' | 'chosen_by' | 'attached_at'> & {
  /** set by the person's choice; left as it is when omitted */
  chosen_at?: string | null;
};

/** Writes an item's piece: a new row (nothing requested), or these values on the existing one. */
export async function upsertPiece(trx: Transaction<Database>, dossierId: string, itemId: string, piece: PieceValues): Promise<void> {
  // only these columns, whatever else the caller's object carries
  const values: PieceValues = {
    document_id: piece.document_id,
    version: piece.version,
    blob_sha256: piece.blob_sha256,
    chosen_by: piece.chosen_by,
    attached_at: piece.attached_at,
    ...(piece.chosen_at !== undefined ? { chosen_at: piece.chosen_at } : {}),
  };
  await trx
    .insertInto('dossier_pieces')
    .values({ dossier_id: dossierId, item_id: itemId, ...values, requested_at: null, request_message: null })
    .onConflict((oc) => oc.columns(['dossier_id', 'item_id']).doUpdateSet(values))
    .execute();
}

/**
 * The institution asks for these items again (its request for information): from now on only a version
 * newer than `at` satisfies them (see `assessDossier`), and the person reads `message` with them.
 */
export async function requestPiecesAgain(trx: Transaction<Database>, dossierId: string, itemIds: readonly string[], at: string, message: string): Promise<void> {
  if (itemIds.length === 0) return;
  await trx.updateTable('dossier_pieces').set({ requested_at: at, request_message: message }).where('dossier_id', '=', dossierId).where('item_id', 'in', [...itemIds]).execute();
}

/** Whether the item still waits for a paper: not there, and not marked not needed. */
export function isMissing(a: Pick<AssessedPiece, 'status'>): boolean {
  return a.status !== 'present' && a.status !== 'not-needed';
}

/** Every piece is there or not needed (nothing missing, nothing still on its way). */
export function isComplete(assessed: readonly AssessedPiece[]): boolean {
  return !assessed.some(isMissing);
}

/**
 * The pieces asked for again since `since` (the last time information was provided on the application,
 * or its sending) among those this aid asks for; `missing`: not there yet. A request is about an item of
 * the dossier, so the aid that asks for the item is the one whose institution asked.
 */
export function requestedSince(assessed: readonly AssessedPiece[], since: string, aidId: string): { requested: number; missing: number } {
  const asked = assessed.filter((a) => a.requestedAt !== null && a.requestedAt > since && a.aids.includes(aidId));
  return { requested: asked.length, missing: asked.filter(isMissing).length };
}
