/**
 * An institution's admin manages the accounts of their own institution from the console: lists them,
 * creates one with a role, changes a role, disables or enables one. Never another institution's (the
 * account named must be of the admin's institution, else `other-institution`, nothing changed), never
 * their own role or their own account (so an institution cannot lose its last admin by a slip). Every
 * change is journaled on `staff-administration` with the admin as actor.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database, StaffRole } from '../../kernel/storage/schema.ts';
import { STAFF_ACTS, staffMay } from '../../kernel/access-policy.ts';
import { ConsoleAccountError, createConsoleAccount, InstitutionRole } from './accounts.ts';

export interface InstitutionAccountView {
  id: string;
  login: string;
  displayName: string;
  role: InstitutionRole;
  createdAt: string;
  disabledAt: string | null;
}

/** The accounts of one institution, by name (a structure's admin is never one of them). */
export async function listInstitutionAccounts(db: Kysely<Database>, institutionId: string): Promise<InstitutionAccountView[]> {
  const rows = await db
    .selectFrom('staff_accounts')
    .select(['id', 'login', 'display_name', 'role', 'created_at', 'disabled_at'])
    .where('institution_id', '=', institutionId)
    .orderBy('display_name')
    .orderBy('login')
    .execute();
  return rows.flatMap((r) => {
    const role = InstitutionRole.safeParse(r.role);
    return role.success ? [{ id: r.id, login: r.login, displayName: r.display_name, role: role.data, createdAt: r.created_at, disabledAt: r.disabled_at }] : [];
  });
}

export type AccountChange = { kind: 'role'; login: string; role: InstitutionRole } | { kind: 'disable'; login: string } | { kind: 'enable'; login: string };

export type AccountChangeOutcome = { ok: true; changed: boolean } | { ok: false; code: 'unknown-account' | 'other-institution' | 'own-account' };

export interface InstitutionAdmin {
  accountId: string;
  institutionId: string;
}

/** One change by an institution's admin to an account of their institution, journaled. */
export async function changeInstitutionAccount(db: Kysely<Database>, dialect: Dialect, admin: InstitutionAdmin, change: AccountChange): Promise<AccountChangeOutcome> {
  return db.transaction().execute(async (trx): Promise<AccountChangeOutcome> => {
    const row = await trx.selectFrom('staff_accounts').select(['id', 'login', 'role', 'institution_id', 'disabled_at']).where('login', '=', change.login.trim().toLowerCase()).executeTakeFirst();
    if (!row) return { ok: false, code: 'unknown-account' };
    if (row.institution_id !== admin.institutionId) return { ok: false, code: 'other-institution' };
    if (row.id === admin.accountId) return { ok: false, code: 'own-account' };
    const at = new Date().toISOString();
    const journal = (action: string, detail: Record<string, string>) =>
      appendAudit(trx, dialect, {
        actor: { kind: 'staff', id: admin.accountId },
        action,
        subjectPersonId: null,
        documentId: null,
        ground: 'staff-administration',
        detail: { accountId: row.id, login: row.login, institutionId: admin.institutionId, ...detail },
        at,
      });
    switch (change.kind) {
      case 'role': {
        if (row.role === change.role) return { ok: true, changed: false };
        await trx.updateTable('staff_accounts').set({ role: change.role }).where('id', '=', row.id).execute();
        // what a session may do is read from the account at each request: no session to end
        await journal('console-account.role', { from: row.role, to: change.role });
        return { ok: true, changed: true };
      }
      case 'disable': {
        await trx.deleteFrom('console_sessions').where('account_id', '=', row.id).execute();
        if (row.disabled_at !== null) return { ok: true, changed: false };
        await trx.updateTable('staff_accounts').set({ disabled_at: at }).where('id', '=', row.id).execute();
        await journal('console-account.disable', {});
        return { ok: true, changed: true };
      }
      case 'enable': {
        if (row.disabled_at === null) return { ok: true, changed: false };
        await trx.updateTable('staff_accounts').set({ disabled_at: null }).where('id', '=', row.id).execute();
        await journal('console-account.enable', {});
        return { ok: true, changed: true };
      }
    }
  });
}

/**
 * A new account of the admin's institution, with a role and a password the admin hands over (the
 * console shows it once). Journaled with the admin as actor.
 */
export async function createInstitutionAccount(
  db: Kysely<Database>,
  dialect: Dialect,
  admin: InstitutionAdmin,
  a: { login: string; name: string; role: InstitutionRole; password: string },
): Promise<{ ok: true; login: string } | { ok: false; code: 'exists' | 'invalid'; message: string }> {
  try {
    const created = await createConsoleAccount(db, dialect, { login: a.login, name: a.name, institutionId: admin.institutionId, role: a.role, password: a.password }, { kind: 'staff', id: admin.accountId });
    return { ok: true, login: created.login };
  } catch (e) {
    if (e instanceof ConsoleAccountError && (e.code === 'exists' || e.code === 'invalid')) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** The roles whose holders read what persons send to their institution (the access policy's grid). */
const INBOX_READERS = (Object.keys(STAFF_ACTS) as StaffRole[]).filter((r) => staffMay(r, 'inbox.read'));

/**
 * The offices someone reads: at least one account, not disabled, whose role reads the inbox. A kiosk
 * offers only these to send papers to, and a sending to any other is refused: a paper sent where no one
 * reads it would be a paper lost. `among`: only these ids (all when absent).
 */
export async function officesWithReaders(db: Kysely<Database>, among?: readonly string[]): Promise<string[]> {
  if (among !== undefined && among.length === 0) return [];
  let q = db.selectFrom('staff_accounts').select('institution_id').distinct().where('institution_id', 'is not', null).where('disabled_at', 'is', null).where('role', 'in', INBOX_READERS);
  if (among !== undefined) q = q.where('institution_id', 'in', [...among]);
  const rows = await q.execute();
  return rows.flatMap((r) => (r.institution_id === null ? [] : [r.institution_id])).sort();
}
