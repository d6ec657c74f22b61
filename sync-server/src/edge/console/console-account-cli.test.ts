/**
 * `npm run staff -- console-account create | disable`, in-process on both engines: the password from
 * FAC_CONSOLE_PASSWORD or generated and printed once, stored as a scrypt hash only; bad usage and
 * failures with their exit codes; disabling ends the account's sessions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Storage } from '../../kernel/storage/database.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import { hashPassword, verifyPassword } from '../../features/accounts/index.ts';
import { createSession, findSession } from '../../features/accounts/index.ts';

describe('console passwords', () => {
  it('hashes with scrypt, its parameters and a random salt; compares without error on malformed values', async () => {
    const a = await hashPassword('un mot de passe assez long');
    const b = await hashPassword('un mot de passe assez long');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('un mot de passe assez long', a)).toBe(true);
    expect(await verifyPassword('un mot de passe assez longs', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    // absurd stored parameters are refused instead of eating memory
    expect(await verifyPassword('x', a.replace('$32768$', '$1073741824$'))).toBe(false);
  });
});

describe.each(DIALECTS)('console-account commands on %s', (dialect) => {
  let cli: StaffCliEnv;
  let storage: Storage;
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    cli = await staffCliEnv(dialect, ['FAC_CONSOLE_PASSWORD']);
    ({ storage } = cli);
  });
  afterAll(() => cli?.close());
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.FAC_CONSOLE_PASSWORD;
  });

  async function run(...argv: string[]): Promise<number> {
    const code = await cli.run(...argv);
    ({ out, err } = cli);
    return code;
  }

  const account = (login: string) => storage.db.selectFrom('staff_accounts').selectAll().where('login', '=', login).executeTakeFirst();

  it('creates an account with the password from FAC_CONSOLE_PASSWORD, never printed', async () => {
    process.env.FAC_CONSOLE_PASSWORD = 'mot-de-passe-du-test-1';
    expect(await run('console-account', 'create', '--login', 'CPAM-Chef', '--name', 'Chef CPAM', '--institution', 'cpam')).toBe(0);
    expect(out.join('\n')).toContain('Compte de console créé : cpam-chef');
    expect(out.join('\n')).not.toContain('mot-de-passe-du-test-1');
    const row = await account('cpam-chef');
    expect(row).toMatchObject({ display_name: 'Chef CPAM', institution_id: 'cpam', disabled_at: null });
    expect(row?.password_hash).not.toContain('mot-de-passe-du-test-1');
    expect(await verifyPassword('mot-de-passe-du-test-1', row!.password_hash)).toBe(true);
  });

  it('generates a password and prints it once', async () => {
    expect(await run('console-account', 'create', '--login', 'sip-chef', '--name', 'Cheffe SIP', '--institution', 'sip')).toBe(0);
    const line = out.find((l) => l.includes('Mot de passe / password'));
    const password = line?.split(' ').at(-1) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{6}(-[A-Za-z0-9]{6}){3}$/);
    expect(await verifyPassword(password, (await account('sip-chef'))!.password_hash)).toBe(true);
  });

  it('refuses a taken login, an unknown institution, a bad login or a short password', async () => {
    expect(await run('console-account', 'create', '--login', 'caf-chef', '--name', 'X', '--institution', 'caf')).toBe(1);
    expect(err.join('\n')).toContain('cet identifiant existe déjà');
    expect(await run('console-account', 'create', '--login', 'nouveau', '--name', 'X', '--institution', 'nulle-part')).toBe(1);
    expect(err.join('\n')).toContain('institution inconnue');
    expect(await run('console-account', 'create', '--login', 'a b', '--name', 'X', '--institution', 'caf')).toBe(2);
    process.env.FAC_CONSOLE_PASSWORD = 'court';
    expect(await run('console-account', 'create', '--login', 'nouveau', '--name', 'X', '--institution', 'caf')).toBe(2);
    expect(await run('console-account', 'create', '--login', 'nouveau')).toBe(2);
    expect(await account('nouveau')).toBeUndefined();
  });

  it('disables an account and ends its sessions', async () => {
    const row = (await account('cpam-chef'))!;
    const { token } = await createSession(storage.db, row.id);
    expect((await findSession(storage.db, token)).ok).toBe(true);
    expect(await run('console-account', 'disable', '--login', 'cpam-chef')).toBe(0);
    expect(out.join('\n')).toContain('Compte cpam-chef désactivé');
    expect((await account('cpam-chef'))?.disabled_at).not.toBeNull();
    expect(await findSession(storage.db, token)).toEqual({ ok: false, reason: 'none' });
    expect(await run('console-account', 'disable', '--login', 'cpam-chef')).toBe(0);
    expect(out.join('\n')).toContain('déjà désactivé');
    expect(await run('console-account', 'disable', '--login', 'personne')).toBe(1);
    expect(err.join('\n')).toContain('compte inconnu');
    const journal = await storage.db.selectFrom('audit_journal').select('action').where('action', 'like', 'console-account.%').orderBy('seq').execute();
    expect(journal.map((j) => j.action)).toEqual(['console-account.create', 'console-account.create', 'console-account.disable']);
  });

  it('creates an institution account with a role; refuses an unknown role or a role for a structure', async () => {
    process.env.FAC_CONSOLE_PASSWORD = 'mot-de-passe-du-test-2';
    expect(await run('console-account', 'create', '--login', 'caf-instr2', '--name', 'Instructeur CAF', '--institution', 'caf', '--role', 'instructor')).toBe(0);
    expect(out.join('\n')).toContain('Compte de console créé : caf-instr2');
    expect(out.join('\n')).toContain('Instructeur');
    expect(await account('caf-instr2')).toMatchObject({ role: 'instructor', institution_id: 'caf' });
    const journal = await storage.db.selectFrom('audit_journal').select(['action', 'detail', 'ground']).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(journal).toMatchObject({ action: 'console-account.create', ground: 'staff-administration' });
    expect(JSON.parse(journal.detail)).toMatchObject({ role: 'instructor', institutionId: 'caf' });
    expect(await run('console-account', 'create', '--login', 'caf-depot2', '--name', 'Dépôts', '--institution', 'caf', '--role', 'depositor')).toBe(0);
    expect(await account('caf-depot2')).toMatchObject({ role: 'depositor' });
    expect(await run('console-account', 'create', '--login', 'caf-boss', '--name', 'X', '--institution', 'caf', '--role', 'boss')).toBe(2);
    expect(err.join('\n')).toContain('--role');
    expect(await run('console-account', 'create', '--login', 'caf-proto', '--name', 'X', '--institution', 'caf', '--role', '__proto__')).toBe(2);
    expect(await run('console-account', 'create', '--login', 'cms-x', '--name', 'X', '--structure', 'structure-cms-centre', '--role', 'instructor')).toBe(2);
    expect(await account('caf-boss')).toBeUndefined();
    expect(await account('cms-x')).toBeUndefined();
  });

  it('creates a structure, then its admin’s account (no institution); refuses an unknown structure, both owners, a bad kind', async () => {
    expect(await run('structure', 'create', '--id', 'ccas-nord', '--kind', 'ccas', '--name', 'CCAS du quartier Nord')).toBe(0);
    expect(out.join('\n')).toContain('Structure créée : ccas-nord');
    expect(await run('structure', 'create', '--id', 'ccas-nord', '--kind', 'ccas', '--name', 'Autre')).toBe(0);
    expect(out.join('\n')).toContain('existe déjà');
    expect(await storage.db.selectFrom('structures').selectAll().where('id', '=', 'ccas-nord').executeTakeFirst()).toMatchObject({ kind: 'ccas', name: 'CCAS du quartier Nord', disabled_at: null });
    expect(await run('structure', 'create', '--id', 'x1', '--kind', 'mairie', '--name', 'X')).toBe(2);

    process.env.FAC_CONSOLE_PASSWORD = 'mot-de-passe-du-test-2';
    expect(await run('console-account', 'create', '--login', 'ccas-nord-admin', '--name', 'Responsable', '--structure', 'ccas-nord')).toBe(0);
    expect(await account('ccas-nord-admin')).toMatchObject({ role: 'structure-admin', structure_id: 'ccas-nord', institution_id: null });
    expect(await run('console-account', 'create', '--login', 'autre-admin', '--name', 'X', '--structure', 'nulle-part')).toBe(1);
    expect(err.join('\n')).toContain('structure inconnue');
    expect(await run('console-account', 'create', '--login', 'autre-admin', '--name', 'X', '--structure', 'ccas-nord', '--institution', 'caf')).toBe(2);
    expect(await account('autre-admin')).toBeUndefined();
    const journal = await storage.db.selectFrom('audit_journal').select(['action', 'detail']).where('action', 'in', ['structure.create', 'console-account.create']).orderBy('seq', 'desc').limit(2).execute();
    expect(journal.map((j) => j.action)).toEqual(['console-account.create', 'structure.create']);
    expect(JSON.parse(journal[0]!.detail)).toMatchObject({ role: 'structure-admin', structureId: 'ccas-nord' });
  });
});
