/**
 * Console accounts: a head of service belongs to one institution and processes the requests of the aids
 * that institution's kind handles (catalogue `aid.institution`). Created and disabled with the staff
 * commands (`npm run staff -- console-account …`) or by the demo seed; journaled.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { dummyHash, hashPassword, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, verifyPassword } from './passwords.ts';
import type { PasswordCheckGate } from './passwords.ts';
import type { LoginThrottle } from './throttle.ts';
import { ACCOUNT_WORDS } from '../../kernel/words/staff.ts';

export const ConsoleLogin = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, ACCOUNT_WORDS.loginShape);
export const ConsolePassword = z.string().min(MIN_PASSWORD_CHARS, ACCOUNT_WORDS.passwordMin(MIN_PASSWORD_CHARS)).max(MAX_PASSWORD_CHARS);

/** The roles of an institution's account (`institution`: its head of service, the value kept from before roles). */
export const InstitutionRole = z.enum(['institution', 'instructor', 'depositor', 'institution-admin']);
export type InstitutionRole = z.infer<typeof InstitutionRole>;

/** The role's name on the staff command line (`--role`), English like the command's options. */
export const ROLE_OPTIONS: Readonly<Record<string, InstitutionRole>> = {
  'head-of-service': 'institution',
  instructor: 'instructor',
  depositor: 'depositor',
  'institution-admin': 'institution-admin',
};

export const NewConsoleAccount = z.union([
  z.strictObject({
    login: ConsoleLogin,
    name: z.string().trim().min(1).max(120),
    institutionId: z.string().min(1).max(64),
    /** default: head of service */
    role: InstitutionRole.optional(),
    password: ConsolePassword,
  }),
  /** a structure's admin: manages its agents, sees no requests and no papers */
  z.strictObject({
    login: ConsoleLogin,
    name: z.string().trim().min(1).max(120),
    structureId: z.string().min(1).max(64),
    password: ConsolePassword,
  }),
]);
export type NewConsoleAccount = z.input<typeof NewConsoleAccount>;

export class ConsoleAccountError extends Error {
  constructor(
    readonly code: 'invalid' | 'exists' | 'unknown-institution' | 'unknown-structure' | 'unknown-account',
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleAccountError';
  }
}

export interface CreatedAccount {
  id: string;
  login: string;
  institutionId: string;
  institutionName: string;
  role: InstitutionRole | 'structure-admin';
}

const ACTOR_DEFAULT = { kind: 'staff', id: 'staff-cli' } as const;

/**
 * Inserts the account inside the caller's transaction (the password is hashed before): an institution's
 * head of service, or a structure's admin (whose `institution*` answer fields name the structure).
 * Journaled, except by the seed (`dialect` null), which journals none of the rows it puts in a new database.
 */
async function insertAccount(
  trx: Transaction<Database>,
  dialect: Dialect | null,
  a: {
    login: string;
    name: string;
    owner: { kind: 'institution'; id: string; role?: InstitutionRole } | { kind: 'structure'; id: string };
    passwordHash: string;
    at: string;
    actor: { kind: 'staff' | 'system'; id: string };
  },
): Promise<CreatedAccount> {
  const institution = a.owner.kind === 'institution';
  const owner = institution
    ? await trx.selectFrom('institutions').select(['id', 'name']).where('id', '=', a.owner.id).executeTakeFirst()
    : await trx.selectFrom('structures').select(['id', 'name']).where('id', '=', a.owner.id).executeTakeFirst();
  if (!owner) throw new ConsoleAccountError(institution ? 'unknown-institution' : 'unknown-structure', `no ${a.owner.kind} ${a.owner.id}`);
  const exists = await trx.selectFrom('staff_accounts').select('id').where('login', '=', a.login).executeTakeFirst();
  if (exists) throw new ConsoleAccountError('exists', `login ${a.login} is taken`);
  const id = randomUUID();
  const role = a.owner.kind === 'institution' ? (a.owner.role ?? 'institution') : 'structure-admin';
  await trx
    .insertInto('staff_accounts')
    .values({
      id,
      login: a.login,
      display_name: a.name,
      institution_id: institution ? owner.id : null,
      role,
      ...(institution ? {} : { structure_id: owner.id }),
      password_hash: a.passwordHash,
      created_at: a.at,
      disabled_at: null,
    })
    .execute();
  if (dialect !== null) {
    await appendAudit(trx, dialect, {
      actor: a.actor,
      action: 'console-account.create',
      subjectPersonId: null,
      documentId: null,
      ground: 'staff-administration',
      detail: institution ? { accountId: id, login: a.login, institutionId: owner.id, role } : { accountId: id, login: a.login, role: 'structure-admin', structureId: owner.id },
      at: a.at,
    });
  }
  return { id, login: a.login, institutionId: owner.id, institutionName: owner.name, role };
}

export async function createConsoleAccount(
  db: Kysely<Database>,
  dialect: Dialect,
  input: NewConsoleAccount,
  actor: { kind: 'staff' | 'system'; id: string } = ACTOR_DEFAULT,
): Promise<CreatedAccount> {
  const parsed = NewConsoleAccount.safeParse(input);
  if (!parsed.success) {
    throw new ConsoleAccountError('invalid', parsed.error.issues.map((i) => `${i.path.join('.') || 'compte'} : ${i.message}`).join(' ; '));
  }
  const a = parsed.data;
  const passwordHash = await hashPassword(a.password);
  const at = new Date().toISOString();
  const owner = 'structureId' in a ? ({ kind: 'structure', id: a.structureId } as const) : ({ kind: 'institution', id: a.institutionId, role: a.role ?? 'institution' } as const);
  return db.transaction().execute((trx) => insertAccount(trx, dialect, { login: a.login, name: a.name, owner, passwordHash, at, actor }));
}

/**
 * Disables an account and ends its sessions at once (a disabled account cannot log in, and any page it
 * still has open sends it back to the login). Returns false when it was disabled already.
 */
export async function disableConsoleAccount(
  db: Kysely<Database>,
  dialect: Dialect,
  login: string,
  actor: { kind: 'staff'; id: string } = ACTOR_DEFAULT,
): Promise<{ changed: boolean; disabledAt: string }> {
  const parsedLogin = ConsoleLogin.safeParse(login);
  if (!parsedLogin.success) throw new ConsoleAccountError('unknown-account', `no console account ${login}`);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('staff_accounts').select(['id', 'disabled_at']).where('login', '=', parsedLogin.data).executeTakeFirst();
    if (!row) throw new ConsoleAccountError('unknown-account', `no console account ${login}`);
    await trx.deleteFrom('console_sessions').where('account_id', '=', row.id).execute();
    if (row.disabled_at !== null) return { changed: false, disabledAt: row.disabled_at };
    const at = new Date().toISOString();
    await trx.updateTable('staff_accounts').set({ disabled_at: at }).where('id', '=', row.id).execute();
    await appendAudit(trx, dialect, {
      actor,
      action: 'console-account.disable',
      subjectPersonId: null,
      documentId: null,
      ground: 'staff-administration',
      detail: { accountId: row.id, login: parsedLogin.data },
      at,
    });
    return { changed: true, disabledAt: at };
  });
}

/**
 * The seed's demo accounts, inside the seed's transaction: those whose login is taken are left as they
 * are (the password is hashed only for the new ones). Returns how many were inserted.
 */
export async function seedConsoleAccounts(
  trx: Transaction<Database>,
  accounts: readonly ({ login: string; name: string; password: string } & ({ institutionId: string; role?: InstitutionRole } | { structureId: string }))[],
  at: string,
): Promise<number> {
  let inserted = 0;
  for (const a of accounts) {
    const login = ConsoleLogin.parse(a.login);
    const taken = await trx.selectFrom('staff_accounts').select('id').where('login', '=', login).executeTakeFirst();
    if (taken) continue;
    if ('structureId' in a) {
      // a structure's admin: no institution, one structure (their agents' page only)
      await trx
        .insertInto('staff_accounts')
        .values({ id: randomUUID(), login, display_name: a.name, institution_id: null, role: 'structure-admin', structure_id: a.structureId, password_hash: await hashPassword(a.password), created_at: at, disabled_at: null })
        .execute();
      inserted++;
      continue;
    }
    await insertAccount(trx, null, { login, name: a.name, owner: { kind: 'institution', id: a.institutionId, ...(a.role ? { role: a.role } : {}) }, passwordHash: await hashPassword(a.password), at, actor: { kind: 'system', id: 'seed' } });
    inserted++;
  }
  return inserted;
}

/** What a login needs to know of an account: its id, password hash and whether it is disabled. */
async function accountForLogin(db: Kysely<Database>, login: string): Promise<{ id: string; password_hash: string; disabled_at: string | null } | undefined> {
  return db.selectFrom('staff_accounts').select(['id', 'password_hash', 'disabled_at']).where('login', '=', login).executeTakeFirst();
}

/**
 * Of these logins, the active accounts whose stored hash still accepts the given password: in production,
 * the demo seed's accounts with their published password are refused at start. One scrypt per account
 * found, none for a login that is absent or disabled.
 */
export async function activeAccountsAcceptingPasswords(db: Kysely<Database>, candidates: readonly { login: string; password: string }[]): Promise<string[]> {
  const found: string[] = [];
  for (const c of candidates) {
    const login = ConsoleLogin.safeParse(c.login);
    if (!login.success) continue;
    const account = await accountForLogin(db, login.data);
    if (account && account.disabled_at === null && (await verifyPassword(c.password, account.password_hash))) found.push(login.data);
  }
  return found;
}

export type LoginOutcome =
  | { ok: true; accountId: string; login: string }
  /** wrong password, unknown login or disabled account: one answer for all three */
  | { ok: false; reason: 'refused'; login: string }
  /** the throttle's limit for this login and address, or for the address, is reached: no password was checked */
  | { ok: false; reason: 'throttled'; login: string; scope: 'login' | 'address'; waitMs: number }
  /** too many password checks running on this server: turned away at once, nothing checked nor counted */
  | { ok: false; reason: 'busy'; login: string };

export interface LoginGuard {
  throttle: LoginThrottle;
  gate: PasswordCheckGate;
}

/**
 * One console login attempt: a failure slot reserved first (the throttle), then the password checked
 * within the cap on concurrent checks, then the slot released (right password, active account) or kept
 * as the failure. An unknown login costs the same scrypt as a wrong password and is counted the same.
 */
export async function authenticateConsoleLogin(
  db: Kysely<Database>,
  guard: LoginGuard,
  attempt: { login: string; password: string; address: string },
): Promise<LoginOutcome> {
  const parsed = ConsoleLogin.safeParse(attempt.login);
  const login = parsed.success ? parsed.data : attempt.login.trim().toLowerCase();
  const reserved = await guard.throttle.reserve(login, attempt.address);
  if (!reserved.ok) return { ok: false, reason: 'throttled', login, scope: reserved.scope, waitMs: reserved.waitMs };
  const checked = await guard.gate.tryRun(async () => {
    const account = parsed.success ? await accountForLogin(db, login) : undefined;
    const matches = await verifyPassword(attempt.password, account?.password_hash ?? (await dummyHash()));
    return matches && account !== undefined && account.disabled_at === null ? account : null;
  });
  if (checked === null) {
    // no password was checked: the attempt does not count
    await guard.throttle.release(reserved.slot);
    return { ok: false, reason: 'busy', login };
  }
  if (checked.value === null) return { ok: false, reason: 'refused', login };
  await guard.throttle.succeed(login, attempt.address);
  return { ok: true, accountId: checked.value.id, login };
}
