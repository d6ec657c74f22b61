/**
 * `npm run staff -- institution-client create | list | rotate | revoke`, in-process on both engines: the
 * secret printed once and stored as a hash only, the list, a rotation and a revocation journaled, bad
 * usage with exit code 2. The secret printed is the one the token endpoint accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantToken } from '../../features/institutions/index.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';

describe.each(DIALECTS)('institution-client commands on %s', (dialect) => {
  let cli: StaffCliEnv;
  let storage: Storage;

  beforeAll(async () => {
    cli = await staffCliEnv(dialect, []);
    ({ storage } = cli);
  });
  afterAll(() => cli?.close());

  const printed = (label: RegExp) => {
    const line = cli.out.find((l) => label.test(l));
    if (!line) throw new Error(`nothing printed for ${String(label)}: ${cli.out.join('\n')}`);
    return line.split(/\s+/).at(-1)!;
  };

  it('creates a client, prints its secret once, stores only its hash, and journals it', async () => {
    expect(await cli.run('institution-client', 'create', '--institution', 'caf', '--name', 'Système de la CAF')).toBe(0);
    const id = printed(/Identifiant/);
    const secret = printed(/Secret/);
    expect(id).toMatch(/^caf-[0-9a-z]{10}$/);
    expect(secret).toMatch(/^fis_[A-Za-z0-9_-]{43}$/);
    const row = await storage.db.selectFrom('institution_clients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ institution_id: 'caf', name: 'Système de la CAF', scopes: 'deposits:write', revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    expect(await grantToken(storage.db, { clientId: id, secret, scope: null })).toMatchObject({ ok: true });

    expect(await cli.run('institution-client', 'list', '--json')).toBe(0);
    expect(JSON.parse(cli.out.join('\n'))).toEqual([expect.objectContaining({ id, institutionId: 'caf', name: 'Système de la CAF', revokedAt: null })]);
    expect(cli.out.join('\n')).not.toContain(secret);

    expect(await cli.run('institution-client', 'rotate', '--id', id, '--grace-hours', '0')).toBe(0);
    const fresh = printed(/Secret/);
    expect(await grantToken(storage.db, { clientId: id, secret, scope: null })).toEqual({ ok: false, error: 'invalid_client' });
    expect(await grantToken(storage.db, { clientId: id, secret: fresh, scope: null })).toMatchObject({ ok: true });

    expect(await cli.run('institution-client', 'revoke', '--id', id)).toBe(0);
    expect(cli.out.join('\n')).toContain('retiré');
    expect(await grantToken(storage.db, { clientId: id, secret: fresh, scope: null })).toEqual({ ok: false, error: 'invalid_client' });
    expect(await cli.run('institution-client', 'list')).toBe(0);
    expect(cli.out.join('\n')).toContain('retiré');

    const journal = await storage.db.selectFrom('audit_journal').select(['action', 'actor_id', 'detail']).where('action', 'like', 'institution-client.%').orderBy('seq').execute();
    expect(journal.map((j) => [j.action, j.actor_id])).toEqual([
      ['institution-client.create', 'staff-cli'],
      ['institution-client.rotate', 'staff-cli'],
      ['institution-client.revoke', 'staff-cli'],
    ]);
    expect(journal.map((j) => j.detail).join('')).not.toContain(fresh);
  });

  it('refuses bad usage with exit code 2 and stores nothing', async () => {
    const before = await storage.db.selectFrom('institution_clients').select('id').execute();
    expect(await cli.run('institution-client', 'create', '--institution', 'nulle-part', '--name', 'X')).toBe(2);
    expect(cli.err.join('\n')).toContain('institution inconnue');
    expect(await cli.run('institution-client', 'create', '--institution', 'caf')).toBe(2);
    expect(await cli.run('institution-client', 'rotate', '--id', 'caf-inconnu')).toBe(2);
    expect(cli.err.join('\n')).toContain('client inconnu');
    expect(await cli.run('institution-client', 'rotate', '--id', 'x', '--grace-hours', '500')).toBe(2);
    expect(await cli.run('institution-client', 'revoke', '--id', 'caf-inconnu')).toBe(2);
    expect(await cli.run('institution-client', 'frobnicate')).toBe(2);
    expect(await storage.db.selectFrom('institution_clients').select('id').execute()).toEqual(before);
  });
});
