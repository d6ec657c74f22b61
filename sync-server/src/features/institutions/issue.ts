/**
 * The institutional vault: a paper issued by an institution (an attestation CAF, a tax notice, an MDPH
 * decision…) is put into the person's vault by the platform's staff tooling on the institution's behalf.
 * It goes through the access policy (only into the institutional vault, only by staff) and the audit
 * journal, in one transaction with the document, its version and its search index row. The person reads
 * it like any other paper but cannot delete or replace it (access-policy.ts).
 *
 * The file is checked before anything is stored: its bytes must be the format it claims (a "PDF" that
 * is not one is refused), within the size limit. Here the server names the blob (by the SHA-256 of what it
 * stores), so it may choose its bytes: an image is decoded and written again by sharp (upright, no
 * metadata, nothing hidden after its end: kernel/files/images.ts), a PDF is opened in a PDF pool thread
 * with limits and its images checked (kernel/files/inspect.ts). The bytes are written to the blob store
 * under their SHA-256 first, so a failed transaction leaves at most an unreferenced blob for the orphan
 * cleanup.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { DocType, IsoDate } from '../../../protocol/common.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { DOC_TYPE_TITLE } from '../../../protocol/vault.ts';
import { reevaluatePerson } from '../applications/index.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { IMAGE_PROBLEM_WORDS, ImageRefused, reencodeImage } from '../../kernel/files/images.ts';
import { inspectFile } from '../../kernel/files/inspect.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { decide } from '../../kernel/access-policy.ts';
import type { DenyReason, PolicyGround } from '../../kernel/access-policy.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { indexDocument } from '../vault/index.ts';
import { ISSUE_ANSWER } from '../../kernel/words/sync.ts';

export const MAX_ISSUED_FILE_BYTES = 15 * 1024 * 1024;

const IssuedMime = z.enum(['application/pdf', 'image/jpeg', 'image/png']);

export const IssueRequest = z.strictObject({
  institutionId: z.string().min(1).max(64),
  docType: DocType,
  title: z.string().trim().min(1).max(200).optional(),
  fields: z.record(z.string().max(64), z.string().max(500)).refine((f) => Object.keys(f).length <= 64, 'au plus 64 champs').default({}),
  text: z.string().max(200_000).default(''),
  issuedOn: IsoDate.optional(),
  expiresOn: IsoDate.optional(),
  mime: IssuedMime,
  /** the file, base64 */
  content: z.string().min(1).max(Math.ceil((MAX_ISSUED_FILE_BYTES * 4) / 3) + 4),
});
export type IssueRequest = z.infer<typeof IssueRequest>;

export type IssueOutcome =
  | { ok: true; documentId: string; sha256: string }
  | { ok: false; code: 'invalid' | 'too_large' | 'unknown' | 'forbidden' | 'busy'; message: string; reason?: DenyReason };

/** The first bytes each accepted format starts with. */
function looksLike(mime: z.infer<typeof IssuedMime>, b: Buffer): boolean {
  if (mime === 'application/pdf') return b.subarray(0, 5).toString('latin1') === '%PDF-' && b.subarray(-1024).toString('latin1').includes('%%EOF');
  if (mime === 'image/jpeg') return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  return b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

export interface IssueDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  /** where a PDF is opened to be checked */
  pdf: PdfPool;
}

/** The bytes to store: an image as sharp writes it again, a PDF as it came once it passed the check. */
async function storedBytes(deps: IssueDeps, mime: z.infer<typeof IssuedMime>, bytes: Buffer): Promise<{ ok: true; bytes: Buffer } | Extract<IssueOutcome, { ok: false }>> {
  if (mime === 'application/pdf') {
    const verdict = await inspectFile(deps.pdf, { bytes }, mime);
    if (!verdict.ok) return { ok: false, code: verdict.retry ? 'busy' : 'invalid', message: verdict.message };
    return { ok: true, bytes };
  }
  try {
    return { ok: true, bytes: (await reencodeImage(bytes, mime === 'image/jpeg' ? 'jpeg' : 'png')).bytes };
  } catch (err) {
    return { ok: false, code: 'invalid', message: IMAGE_PROBLEM_WORDS[err instanceof ImageRefused ? err.problem : 'damaged'] };
  }
}

/** What the institution's own deposits (deposits.ts) add to the platform's issue: their ground and their record. */
export interface IssueOptions {
  /**
   * The access ground, resolved for the person once they are found (staff tooling: staff-administration).
   * Null: the person is not one this depositor may know of, answered as an unknown person.
   */
  ground?: (owner: { id: string }) => Promise<PolicyGround | null>;
  /** written in the same transaction as the document (the deposit's record, which is the person's notice) */
  alsoWrite?: (trx: Transaction<Database>, issued: IssuedDocument) => Promise<void>;
  /** added to the journal entry */
  detail?: Readonly<Record<string, string>>;
}

export interface IssuedDocument {
  documentId: string;
  ownerPersonId: string;
  institutionId: string;
  docType: string;
  title: string;
  sha256: string;
  at: string;
}

export async function issueInstitutionalDocument(
  deps: IssueDeps,
  actor: { kind: 'staff'; id: string },
  ownerIdentifier: string,
  req: IssueRequest,
  opts: IssueOptions = {},
): Promise<IssueOutcome> {
  const received = Buffer.from(req.content, 'base64');
  if (received.length === 0) return { ok: false, code: 'invalid', message: ISSUE_ANSWER.badSize };
  if (received.length > MAX_ISSUED_FILE_BYTES) return { ok: false, code: 'too_large', message: ISSUE_ANSWER.badSize };
  if (!looksLike(req.mime, received)) return { ok: false, code: 'invalid', message: ISSUE_ANSWER.notValid(req.mime === 'application/pdf' ? 'PDF' : req.mime === 'image/jpeg' ? 'JPEG' : 'PNG') };
  if (req.issuedOn && req.expiresOn && req.expiresOn < req.issuedOn) return { ok: false, code: 'invalid', message: ISSUE_ANSWER.endBeforeStart };

  const owner = await deps.db.selectFrom('persons').select(['id', 'identifier']).where('identifier', '=', ownerIdentifier).executeTakeFirst();
  if (!owner) return { ok: false, code: 'unknown', message: ISSUE_ANSWER.personUnknown };
  const institution = await deps.db.selectFrom('institutions').select(['id', 'name']).where('id', '=', req.institutionId).executeTakeFirst();
  if (!institution) return { ok: false, code: 'unknown', message: ISSUE_ANSWER.institutionUnknown };
  const ground: PolicyGround | null = opts.ground ? await opts.ground(owner) : { kind: 'staff-administration' };
  if (ground === null) return { ok: false, code: 'unknown', message: ISSUE_ANSWER.personUnknown };
  const decision = decide({ actor, action: 'document.issue', subject: { personId: owner.id }, documentClass: { vault: 'institutional', docType: req.docType }, ground });
  if (!decision.allow) return { ok: false, code: 'forbidden', message: ISSUE_ANSWER.forbidden, reason: decision.reason };

  // decoded (or opened) in full before anything is stored, never inside the transaction below
  const stored = await storedBytes(deps, req.mime, received);
  if (!stored.ok) return stored;
  const bytes = stored.bytes;

  // the bytes first, under their hash (putFile checks it)
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dir = mkdtempSync(join(tmpdir(), 'fac-issue-'));
  try {
    const file = join(dir, 'file');
    writeFileSync(file, bytes);
    await deps.blobStore.putFile(sha256, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const documentId = randomUUID();
  const now = new Date().toISOString();
  const title = req.title ?? DOC_TYPE_TITLE[req.docType];
  const fields = Object.fromEntries(Object.entries(req.fields).map(([k, v]) => [k, { value: v, confidence: 1, confirmed: true }]));
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('blobs')
      .values({ sha256, size: bytes.length, mime: req.mime, created_at: now, uploaded_by: null, referenced_at: now })
      .onConflict((oc) => oc.column('sha256').doUpdateSet({ referenced_at: now }))
      .execute();
    await trx
      .insertInto('documents')
      .values({ id: documentId, owner_person_id: owner.id, vault: 'institutional', doc_type: req.docType, institution_id: institution.id, current_version: 1, title, issued_on: req.issuedOn ?? null, expires_on: req.expiresOn ?? null, created_at: now, updated_at: now })
      .execute();
    await trx
      .insertInto('document_versions')
      .values({ document_id: documentId, version: 1, fields: canonicalJson(fields), ocr_text: req.text, blob_sha256: sha256, captured_at: now, created_at: now, source_kiosk_id: null, source_mutation_id: null, thumbnail_sha256: null, pages: 1 })
      .execute();
    await indexDocument(trx, deps.dialect, { id: documentId, ownerPersonId: owner.id, vault: 'institutional', docType: req.docType, title, fields, ocrText: req.text });
    await appendAudit(trx, deps.dialect, {
      actor,
      action: 'document.issue',
      subjectPersonId: owner.id,
      documentId,
      ground: ground.kind,
      detail: { ...opts.detail, institutionId: institution.id, docType: req.docType, title, sha256 },
    });
    await opts.alsoWrite?.(trx, { documentId, ownerPersonId: owner.id, institutionId: institution.id, docType: req.docType, title, sha256, at: now });
    // the paper may be the one an aid request was waiting for
    await reevaluatePerson(trx, deps.dialect, owner.id, { at: now });
  });
  return { ok: true, documentId, sha256 };
}
