/**
 * A head of service opens a piece of a request: through the access policy (ground
 * institution-processing, facts read fresh in the transaction) and into the audit journal, which the
 * person can read. Only the version attached to the dossier is served.
 */
import type { Kysely } from 'kysely';
import type { AidCatalogue } from '../aids/index.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { DenyReason } from '../../kernel/access-policy.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { ApplicationRow, Database } from '../../kernel/storage/schema.ts';
import { pieceOfFacts } from './processing.ts';

export interface PieceFile {
  sha256: string;
  mime: string;
  size: number;
  /** ASCII, safe in a Content-Disposition header */
  filename: string;
}

export type PieceReadOutcome = { ok: true; file: PieceFile } | { ok: false; code: 'unknown' } | { ok: false; code: 'forbidden'; reason: DenyReason };

const EXTENSION: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export function safeFilename(title: string, mime: string): string {
  const base =
    title
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60) || 'piece';
  return `${base}.${EXTENSION[mime] ?? 'bin'}`;
}

export async function readPieceForProcessing(
  deps: { db: Kysely<Database>; dialect: Dialect; catalogue: AidCatalogue; blobStore: BlobStore },
  accountId: string,
  app: ApplicationRow,
  itemId: string,
): Promise<PieceReadOutcome> {
  if (!app.dossier_id) return { ok: false, code: 'unknown' };
  const piece = await deps.db
    .selectFrom('dossier_pieces')
    .innerJoin('document_versions', (j) =>
      j.onRef('document_versions.document_id', '=', 'dossier_pieces.document_id').onRef('document_versions.version', '=', 'dossier_pieces.version'),
    )
    .innerJoin('blobs', 'blobs.sha256', 'document_versions.blob_sha256')
    .select(['dossier_pieces.document_id', 'dossier_pieces.version', 'blobs.sha256', 'blobs.mime', 'blobs.size'])
    .where('dossier_pieces.dossier_id', '=', app.dossier_id)
    .where('dossier_pieces.item_id', '=', itemId)
    .executeTakeFirst();
  if (!piece || piece.document_id === null || piece.version === null) return { ok: false, code: 'unknown' };
  // bytes that are gone must not be journaled as read
  if ((await deps.blobStore.size(piece.sha256)) === null) return { ok: false, code: 'unknown' };
  const documentId = piece.document_id;
  const version = piece.version;

  return deps.db.transaction().execute(async (trx): Promise<PieceReadOutcome> => {
    const doc = await trx.selectFrom('documents').select(['id', 'owner_person_id', 'vault', 'doc_type', 'title']).where('id', '=', documentId).executeTakeFirst();
    if (!doc) return { ok: false, code: 'unknown' };
    const account = await trx
      .selectFrom('staff_accounts')
      .innerJoin('institutions', 'institutions.id', 'staff_accounts.institution_id')
      .select(['staff_accounts.id', 'staff_accounts.disabled_at', 'institutions.kind', 'institutions.id as institution_id'])
      .where('staff_accounts.id', '=', accountId)
      .executeTakeFirst();
    const decision = decide({
      actor: { kind: 'staff', id: accountId },
      action: 'document.read',
      subject: { personId: doc.owner_person_id },
      documentClass: { vault: doc.vault, docType: doc.doc_type },
      ground: {
        kind: 'institution-processing',
        account: account ? { id: account.id, institutionKind: account.kind, active: account.disabled_at === null } : null,
        // the pieces of requests sent to this very office only
        pieceOf: account ? await pieceOfFacts(trx, deps.catalogue, doc.id, account.institution_id) : [],
      },
    });
    if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    await appendAudit(trx, deps.dialect, {
      actor: { kind: 'staff', id: accountId },
      action: 'document.file.read',
      subjectPersonId: doc.owner_person_id,
      documentId: doc.id,
      ground: 'institution-processing',
      detail: { applicationId: app.id, itemId, version, sha256: piece.sha256, institutionId: account?.institution_id ?? null },
    });
    return { ok: true, file: { sha256: piece.sha256, mime: piece.mime, size: piece.size, filename: safeFilename(doc.title, piece.mime) } };
  });
}
