/**
 * An institution puts one of its papers in the institutional vault of a person it serves (serving.ts),
 * by itself: its system through the deposit API (an OAuth client, clients.ts) or a member of its staff on
 * the console's deposit page. Everything the platform's own issue does happens here too (issue.ts: the
 * file checked as hostile, the access policy, the journal with the client or account as actor, the
 * person's requests re-assessed — up to the automatic sending), plus, in the same transaction, the
 * deposit's record: what the console lists, what the person is told at the kiosk, and what a retried
 * POST finds under its idempotency key.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DocType, IsoDate } from '../../../protocol/common.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { Identifier } from '../../../protocol/identifier.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { catalogueOr } from '../applications/index.ts';
import { staffMay } from '../../kernel/access-policy.ts';
import type { Database, StaffRole } from '../../kernel/storage/schema.ts';
import { depositNotice } from '../../kernel/words/deposits.ts';
import { clientFacts } from './clients.ts';
import { issueInstitutionalDocument, MAX_ISSUED_FILE_BYTES } from './issue.ts';
import type { IssueDeps } from './issue.ts';
import { servesPerson } from './serving.ts';

/** Who may use the console's deposit page: the head of service, and the depositor role. */
export function mayDeposit(role: StaffRole): boolean {
  return staffMay(role, 'deposit');
}

export const DepositMime = z.enum(['application/pdf', 'image/jpeg', 'image/png']);

/** The API's body (and the console form's fields once read): the file in base64. */
export const DepositRequest = z.strictObject({
  /** the identifier printed on the person's card */
  person: Identifier,
  docType: DocType,
  title: z.string().trim().min(1).max(200).optional(),
  issuedOn: IsoDate.optional(),
  expiresOn: IsoDate.optional(),
  mime: DepositMime,
  content: z
    .string()
    .min(1)
    .max(Math.ceil((MAX_ISSUED_FILE_BYTES * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 attendu'),
});
export type DepositRequest = z.infer<typeof DepositRequest>;

export type Depositor =
  | { kind: 'client'; clientId: string; institutionId: string }
  | { kind: 'account'; accountId: string; institutionId: string; role: StaffRole; active: boolean };

export interface DepositDeps extends IssueDeps {
  catalogue?: AidCatalogue;
}

export interface DepositDone {
  depositId: string;
  documentId: string;
  sha256: string;
  title: string;
  receivedAt: string;
}

export type DepositOutcome =
  | { ok: true; replayed: boolean; deposit: DepositDone }
  | { ok: false; code: 'invalid' | 'too_large' | 'unknown' | 'forbidden' | 'busy' | 'conflict'; message: string };

/** The actor the journal names: the client (`institution-client:<id>`) or the console account. */
export function depositActor(by: Depositor): { kind: 'staff'; id: string } {
  return { kind: 'staff', id: by.kind === 'client' ? `institution-client:${by.clientId}` : by.accountId };
}

function requestHash(req: DepositRequest): string {
  return createHash('sha256').update(canonicalJson({ ...req })).digest('hex');
}

async function replayOf(db: Kysely<Database>, clientId: string, key: string, hash: string): Promise<DepositOutcome | null> {
  const row = await db.selectFrom('institution_deposits').selectAll().where('client_id', '=', clientId).where('idempotency_key', '=', key).executeTakeFirst();
  if (!row) return null;
  if (row.request_hash !== hash) return { ok: false, code: 'conflict', message: 'conflict' };
  return { ok: true, replayed: true, deposit: { depositId: row.id, documentId: row.document_id, sha256: row.sha256, title: row.title, receivedAt: row.created_at } };
}

export async function depositForInstitution(deps: DepositDeps, by: Depositor, req: DepositRequest, idempotencyKey: string | null = null): Promise<DepositOutcome> {
  const hash = requestHash(req);
  if (by.kind === 'client' && idempotencyKey !== null) {
    const earlier = await replayOf(deps.db, by.clientId, idempotencyKey, hash);
    if (earlier) return earlier;
  }
  const actor = depositActor(by);
  const catalogue = await catalogueOr(deps.catalogue);
  const institution = await deps.db.selectFrom('institutions').select(['id', 'kind']).where('id', '=', by.institutionId).executeTakeFirst();
  if (!institution) return { ok: false, code: 'forbidden', message: 'forbidden' };
  const depositId = randomUUID();
  let done: DepositDone | null = null;
  try {
    const outcome = await issueInstitutionalDocument(
      deps,
      actor,
      req.person,
      { institutionId: institution.id, docType: req.docType, fields: {}, text: '', mime: req.mime, content: req.content, ...(req.title ? { title: req.title } : {}), ...(req.issuedOn ? { issuedOn: req.issuedOn } : {}), ...(req.expiresOn ? { expiresOn: req.expiresOn } : {}) },
      {
        ground: async (owner) => {
          const serves = await servesPerson(deps.db, catalogue, institution, owner.id);
          // a person the institution does not serve is, to it, a person who does not exist
          if (!serves) return null;
          const depositor =
            by.kind === 'client'
              ? await clientFacts(deps.db, by.clientId).then((c) => (c ? { id: actor.id, institutionId: c.institutionId, active: c.active } : null))
              : { id: actor.id, institutionId: by.institutionId, active: by.active && mayDeposit(by.role) };
          return { kind: 'institution-deposit', institutionId: institution.id, depositor, serves };
        },
        detail: by.kind === 'client' ? { via: 'api', clientId: by.clientId } : { via: 'console', accountId: by.accountId },
        alsoWrite: async (trx, issued) => {
          await trx
            .insertInto('institution_deposits')
            .values({
              id: depositId,
              institution_id: issued.institutionId,
              client_id: by.kind === 'client' ? by.clientId : null,
              account_id: by.kind === 'account' ? by.accountId : null,
              idempotency_key: by.kind === 'client' ? idempotencyKey : null,
              request_hash: hash,
              person_id: issued.ownerPersonId,
              document_id: issued.documentId,
              doc_type: issued.docType,
              title: issued.title,
              sha256: issued.sha256,
              created_at: issued.at,
              seen_at: null,
            })
            .execute();
          done = { depositId, documentId: issued.documentId, sha256: issued.sha256, title: issued.title, receivedAt: issued.at };
        },
      },
    );
    if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
  } catch (err) {
    // the same key sent twice at once: the second transaction met the first one's row
    if (by.kind === 'client' && idempotencyKey !== null) {
      const earlier = await replayOf(deps.db, by.clientId, idempotencyKey, hash);
      if (earlier) return earlier;
    }
    throw err;
  }
  if (done === null) throw new Error('deposit stored without its record');
  return { ok: true, replayed: false, deposit: done };
}

export interface RecentDeposit {
  id: string;
  at: string;
  personIdentifier: string;
  docType: string;
  title: string;
  /** the console account's name, or null when the institution's system deposited it */
  accountName: string | null;
  clientName: string | null;
}

/** What an institution deposited lately, newest first (the console's deposit page). */
export async function recentDeposits(db: Kysely<Database>, institutionId: string, limit = 20): Promise<RecentDeposit[]> {
  const rows = await db
    .selectFrom('institution_deposits')
    .innerJoin('persons', 'persons.id', 'institution_deposits.person_id')
    .leftJoin('staff_accounts', 'staff_accounts.id', 'institution_deposits.account_id')
    .leftJoin('institution_clients', 'institution_clients.id', 'institution_deposits.client_id')
    .select([
      'institution_deposits.id',
      'institution_deposits.created_at',
      'institution_deposits.doc_type',
      'institution_deposits.title',
      'persons.identifier',
      'staff_accounts.display_name',
      'institution_clients.name as client_name',
    ])
    .where('institution_deposits.institution_id', '=', institutionId)
    .orderBy('institution_deposits.created_at', 'desc')
    .orderBy('institution_deposits.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, at: r.created_at, personIdentifier: r.identifier, docType: r.doc_type, title: r.title, accountName: r.display_name ?? null, clientName: r.client_name ?? null }));
}

export interface DepositNotice {
  id: string;
  documentId: string;
  at: string;
  text: string;
}

/** The papers institutions put in the person's vault that they have not been told of yet, oldest first. */
export async function unseenDepositNotices(db: Kysely<Database>, personId: string): Promise<DepositNotice[]> {
  const rows = await db
    .selectFrom('institution_deposits')
    .innerJoin('institutions', 'institutions.id', 'institution_deposits.institution_id')
    .select(['institution_deposits.id', 'institution_deposits.document_id', 'institution_deposits.created_at', 'institution_deposits.title', 'institutions.kind'])
    .where('institution_deposits.person_id', '=', personId)
    .where('institution_deposits.seen_at', 'is', null)
    .orderBy('institution_deposits.created_at')
    .orderBy('institution_deposits.id')
    .limit(50)
    .execute();
  return rows.map((r) => ({ id: r.id, documentId: r.document_id, at: r.created_at, text: depositNotice(r.kind, r.title) }));
}

/** The person was told: these notices are not shown again (another person's ids change nothing). */
export async function markDepositNoticesSeen(db: Kysely<Database>, personId: string, ids: readonly string[], now = new Date()): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('institution_deposits').set({ seen_at: now.toISOString() }).where('person_id', '=', personId).where('id', 'in', [...ids]).where('seen_at', 'is', null).execute();
}

/** A console account as the deposit page needs it now: its role, its institution, whether it may act. */
export async function depositorAccount(db: Kysely<Database>, accountId: string): Promise<{ role: StaffRole; institutionId: string | null; active: boolean } | null> {
  const row = await db.selectFrom('staff_accounts').select(['role', 'institution_id', 'disabled_at']).where('id', '=', accountId).executeTakeFirst();
  return row ? { role: row.role, institutionId: row.institution_id, active: row.disabled_at === null } : null;
}
