/**
 * Reads of vault documents by staff (ground staff-administration). Each read asks the access policy
 * and is journaled in the same transaction, so there is no read the beneficiary cannot see later.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ExtractedField } from '../../../protocol/mutations.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database, DocumentRow, DocumentVersionRow, PersonRow } from '../../kernel/storage/schema.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { DenyReason, PolicyAction } from '../../kernel/access-policy.ts';
import { appendAudit, toEntry } from '../../kernel/audit.ts';
import type { AuditEntry } from '../../kernel/audit.ts';

export interface StaffActor {
  kind: 'staff';
  id: string;
}

export interface ReadDeps {
  db: Kysely<Database>;
  dialect: Dialect;
}

export type ReadOutcome<T> = { ok: true; value: T } | { ok: false; code: 'unknown' } | { ok: false; code: 'forbidden'; reason: DenyReason };

export interface FileRef {
  sha256: string;
  mime: string;
  size: number;
}

export interface DocumentVersionView {
  version: number;
  file: FileRef;
  capturedAt: string;
  createdAt: string;
  source: { kioskId: string | null; mutationId: string | null };
}

export interface DocumentView {
  id: string;
  owner: string;
  vault: DocumentRow['vault'];
  docType: string;
  version: number;
  fields: Record<string, ExtractedField>;
  ocrText: string;
  file: FileRef;
  capturedAt: string;
  versions: DocumentVersionView[];
}

export interface DocumentSummary {
  id: string;
  vault: DocumentRow['vault'];
  docType: string;
  version: number;
  file: FileRef;
  capturedAt: string;
  createdAt: string;
  updatedAt: string;
}

const StoredFields = z.record(z.string(), ExtractedField);

const STAFF_GROUND = { kind: 'staff-administration' } as const;

function allowed(actor: StaffActor, action: PolicyAction, owner: string, doc: DocumentRow | null): { allow: true } | { allow: false; reason: DenyReason } {
  return decide({
    actor,
    action,
    subject: { personId: owner },
    documentClass: doc ? { vault: doc.vault, docType: doc.doc_type } : null,
    ground: STAFF_GROUND,
  });
}

function versionView(v: DocumentVersionRow, blob: FileRef): DocumentVersionView {
  return {
    version: v.version,
    file: blob,
    capturedAt: v.captured_at,
    createdAt: v.created_at,
    source: { kioskId: v.source_kiosk_id, mutationId: v.source_mutation_id },
  };
}

export async function staffReadDocument(deps: ReadDeps, actor: StaffActor, documentId: string): Promise<ReadOutcome<DocumentView>> {
  return deps.db.transaction().execute(async (trx): Promise<ReadOutcome<DocumentView>> => {
    const doc = await trx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
    if (!doc) return { ok: false, code: 'unknown' };
    const decision = allowed(actor, 'document.read', doc.owner_person_id, doc);
    if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    const owner = await trx.selectFrom('persons').select('identifier').where('id', '=', doc.owner_person_id).executeTakeFirstOrThrow();
    const rows = await trx
      .selectFrom('document_versions')
      .innerJoin('blobs', 'blobs.sha256', 'document_versions.blob_sha256')
      .selectAll('document_versions')
      .select(['blobs.mime', 'blobs.size'])
      .where('document_versions.document_id', '=', documentId)
      .orderBy('document_versions.version')
      .execute();
    const current = rows.find((r) => r.version === doc.current_version);
    if (!current) throw new Error(`document ${documentId} has no version ${doc.current_version}`);
    const fileOf = (r: (typeof rows)[number]): FileRef => ({ sha256: r.blob_sha256, mime: r.mime, size: r.size });
    await appendAudit(trx, deps.dialect, {
      actor,
      action: 'document.read',
      subjectPersonId: doc.owner_person_id,
      documentId,
      ground: STAFF_GROUND.kind,
      detail: { version: current.version },
    });
    return {
      ok: true,
      value: {
        id: doc.id,
        owner: owner.identifier,
        vault: doc.vault,
        docType: doc.doc_type,
        version: current.version,
        fields: StoredFields.parse(JSON.parse(current.fields)),
        ocrText: current.ocr_text,
        file: fileOf(current),
        capturedAt: current.captured_at,
        versions: rows.map((r) => versionView(r, fileOf(r))),
      },
    };
  });
}

/**
 * Authorizes and journals reading a blob's bytes: it is read as part of every document that uses it, so
 * each of those documents' owners sees the read. A blob no document uses is not readable.
 */
export async function staffAuthorizeBlobRead(deps: ReadDeps, actor: StaffActor, sha256: string): Promise<ReadOutcome<FileRef>> {
  return deps.db.transaction().execute(async (trx): Promise<ReadOutcome<FileRef>> => {
    const blob = await trx.selectFrom('blobs').selectAll().where('sha256', '=', sha256).executeTakeFirst();
    if (!blob) return { ok: false, code: 'unknown' };
    const docs = await trx
      .selectFrom('documents')
      .selectAll()
      .where('id', 'in', trx.selectFrom('document_versions').select('document_id').where('blob_sha256', '=', sha256))
      .orderBy('id')
      .execute();
    if (docs.length === 0) return { ok: false, code: 'unknown' };
    for (const doc of docs) {
      const decision = allowed(actor, 'document.read', doc.owner_person_id, doc);
      if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    }
    for (const doc of docs) {
      await appendAudit(trx, deps.dialect, {
        actor,
        action: 'document.file.read',
        subjectPersonId: doc.owner_person_id,
        documentId: doc.id,
        ground: STAFF_GROUND.kind,
        detail: { sha256 },
      });
    }
    return { ok: true, value: { sha256: blob.sha256, mime: blob.mime, size: blob.size } };
  });
}

export async function staffListDocuments(
  deps: ReadDeps,
  actor: StaffActor,
  person: PersonRow,
): Promise<ReadOutcome<DocumentSummary[]>> {
  return deps.db.transaction().execute(async (trx): Promise<ReadOutcome<DocumentSummary[]>> => {
    const decision = allowed(actor, 'vault.list', person.id, null);
    if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    const rows = await trx
      .selectFrom('documents')
      .innerJoin('document_versions', (j) =>
        j.onRef('document_versions.document_id', '=', 'documents.id').onRef('document_versions.version', '=', 'documents.current_version'),
      )
      .innerJoin('blobs', 'blobs.sha256', 'document_versions.blob_sha256')
      .select([
        'documents.id',
        'documents.vault',
        'documents.doc_type',
        'documents.current_version',
        'documents.created_at',
        'documents.updated_at',
        'document_versions.captured_at',
        'blobs.sha256',
        'blobs.mime',
        'blobs.size',
      ])
      .where('documents.owner_person_id', '=', person.id)
      .orderBy('documents.created_at')
      .orderBy('documents.id')
      .execute();
    await appendAudit(trx, deps.dialect, {
      actor,
      action: 'vault.list',
      subjectPersonId: person.id,
      documentId: null,
      ground: STAFF_GROUND.kind,
      detail: { count: rows.length },
    });
    return {
      ok: true,
      value: rows.map((r) => ({
        id: r.id,
        vault: r.vault,
        docType: r.doc_type,
        version: r.current_version,
        file: { sha256: r.sha256, mime: r.mime, size: r.size },
        capturedAt: r.captured_at,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
    };
  });
}

/** The journal entries about a person (what the beneficiary will read); the read itself is journaled after. */
export async function staffReadPersonAudit(deps: ReadDeps, actor: StaffActor, person: PersonRow): Promise<ReadOutcome<AuditEntry[]>> {
  return deps.db.transaction().execute(async (trx): Promise<ReadOutcome<AuditEntry[]>> => {
    const decision = allowed(actor, 'audit.read', person.id, null);
    if (!decision.allow) return { ok: false, code: 'forbidden', reason: decision.reason };
    const rows = await trx.selectFrom('audit_journal').selectAll().where('subject_person_id', '=', person.id).orderBy('seq').execute();
    await appendAudit(trx, deps.dialect, {
      actor,
      action: 'audit.read',
      subjectPersonId: person.id,
      documentId: null,
      ground: STAFF_GROUND.kind,
      detail: { count: rows.length },
    });
    return { ok: true, value: rows.map(toEntry) };
  });
}
