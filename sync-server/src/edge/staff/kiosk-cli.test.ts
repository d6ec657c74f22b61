/**
 * The staff commands for kiosks and blobs, in-process against a real database (SQLite and PostgreSQL):
 * a one-time enrollment code (the code only, for scripts), the list, settings and commands queued as
 * pushes, revocation, the orphan cleanup, and the exit codes of bad usage and failures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { normalizeEnrollmentCode } from '../../../protocol/socket.ts';
import { tokenHash } from '../../kernel/secrets.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';
import { DEMO_KIOSK_ID, DIALECTS } from '../../../test-support/test-env.ts';

describe.each(DIALECTS)('staff kiosk and blob commands on %s', (dialect) => {
  let cli: StaffCliEnv;
  let storage: Storage;
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    cli = await staffCliEnv(dialect);
    ({ storage } = cli);
  });
  afterAll(() => cli?.close());
  afterEach(() => vi.restoreAllMocks());

  async function run(...argv: string[]): Promise<number> {
    const code = await cli.run(...argv);
    ({ out, err } = cli);
    return code;
  }

  it('prints a one-time enrollment code for the seeded kiosk, stored hashed only; --code-only prints the code alone', async () => {
    expect(await run('kiosk', 'enroll', '--id', DEMO_KIOSK_ID)).toBe(0);
    const code = /Code \.+ ([0-9A-Z-]{19})/.exec(out.join('\n'))?.[1];
    expect(code).toBeDefined();
    expect(out.join('\n')).toMatch(/Valable jusqu'au/);
    const row = await storage.db.selectFrom('kiosk_enrollments').selectAll().where('kiosk_id', '=', DEMO_KIOSK_ID).executeTakeFirstOrThrow();
    expect(row.code_hash).toBe(tokenHash(normalizeEnrollmentCode(code!)!));

    expect(await run('kiosk', 'enroll', '--id', 'borne-mairie-1', '--name', 'Tablette de la mairie', '--institution', 'mairie', '--hours', '2', '--code-only')).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);

    expect(await run('kiosk', 'list', '--json')).toBe(0);
    const kiosks = JSON.parse(out.join('\n')) as { id: string; status: string; pendingCodes: number; institutionId: string | null }[];
    expect(kiosks.find((k) => k.id === 'borne-mairie-1')).toMatchObject({ status: 'not-enrolled', pendingCodes: 1, institutionId: 'mairie' });
    expect(await run('kiosk', 'list')).toBe(0);
    expect(out.join('\n')).toMatch(/borne-mairie-1 {2}Tablette de la mairie {2}non enregistrée/);
  });

  it('queues settings (merged, versioned) and commands as pushes for the running servers', async () => {
    expect(await run('kiosk', 'config', '--id', DEMO_KIOSK_ID, '--idle-timeout', '90')).toBe(0);
    expect(await run('kiosk', 'config', '--id', DEMO_KIOSK_ID, '--display-name', 'Accueil')).toBe(0);
    expect(out.join('\n')).toMatch(/version 2/);
    const k = await storage.db.selectFrom('kiosks').select(['settings', 'settings_version']).where('id', '=', DEMO_KIOSK_ID).executeTakeFirstOrThrow();
    expect(k.settings_version).toBe(2);
    expect(JSON.parse(k.settings)).toEqual({ displayName: 'Accueil', idleTimeoutS: 90 });
    expect(await run('kiosk', 'command', '--id', DEMO_KIOSK_ID, '--run', 'sync-now', '--reason', 'test')).toBe(0);
    const pushes = await storage.db.selectFrom('kiosk_pushes').select(['kind', 'version', 'body', 'sent_at']).where('kiosk_id', '=', DEMO_KIOSK_ID).orderBy('kind').orderBy('version').execute();
    expect(pushes).toEqual([
      { kind: 'admin-command', version: 0, body: '{"command":"sync-now","reason":"test"}', sent_at: null },
      { kind: 'config', version: 1, body: null, sent_at: null },
      { kind: 'config', version: 2, body: null, sent_at: null },
    ]);
  });

  it('revokes a kiosk (its codes expire too) and refuses to enroll it again unless reinstated', async () => {
    expect(await run('kiosk', 'revoke', '--id', 'borne-mairie-1')).toBe(0);
    expect(out.join('\n')).toMatch(/révoquée/);
    expect(await run('kiosk', 'revoke', '--id', 'borne-mairie-1')).toBe(0);
    expect(out.join('\n')).toMatch(/déjà révoquée/);
    expect(await run('kiosk', 'enroll', '--id', 'borne-mairie-1')).toBe(1);
    expect(err.join('\n')).toMatch(/--reinstate/);
    expect(await run('kiosk', 'enroll', '--id', 'borne-mairie-1', '--reinstate', '--code-only')).toBe(0);
    expect(await run('kiosk', 'list', '--json')).toBe(0);
    expect((JSON.parse(out.join('\n')) as { id: string; status: string }[]).find((k) => k.id === 'borne-mairie-1')).toMatchObject({ status: 'not-enrolled' });
  });

  it('runs the orphan cleanup, dry or for real', async () => {
    await storage.db
      .insertInto('blob_uploads')
      .values({ upload_id: 'abandoned', kiosk_id: DEMO_KIOSK_ID, sha256: 'a'.repeat(64), size: 10, created_at: new Date(Date.now() - 3 * 86_400_000).toISOString(), finished_at: null })
      .execute();
    expect(await run('blobs', 'gc', '--dry-run')).toBe(0);
    expect(out.join('\n')).toMatch(/Envois inachevés \/ unfinished uploads \.+ 1 à supprimer/);
    expect(await run('blobs', 'gc', '--grace-hours', '1')).toBe(0);
    expect(out.join('\n')).toMatch(/unfinished uploads \.+ 1 supprimés/);
    expect(await storage.db.selectFrom('blob_uploads').selectAll().execute()).toEqual([]);
  });

  it('exits 2 on bad usage and 1 on failures, French then English', async () => {
    const usage: string[][] = [
      ['kiosk'],
      ['kiosk', 'fly'],
      ['kiosk', 'enroll'],
      ['kiosk', 'enroll', '--id', 'X'],
      ['kiosk', 'enroll', '--id', DEMO_KIOSK_ID, '--hours', 'soon'],
      ['kiosk', 'config', '--id', DEMO_KIOSK_ID],
      ['kiosk', 'config', '--id', DEMO_KIOSK_ID, '--idle-timeout', '5'],
      ['kiosk', 'config', '--id', DEMO_KIOSK_ID, '--idle-timeout', 'long'],
      ['kiosk', 'command', '--id', DEMO_KIOSK_ID, '--run', 'format-disk'],
      ['blobs'],
      ['blobs', 'gc', '--grace-hours', '-1'],
    ];
    for (const argv of usage) {
      expect(await run(...argv), argv.join(' ')).toBe(2);
      expect(err.join('\n'), argv.join(' ')).toMatch(/^Erreur/);
    }
    expect(await run('kiosk', 'enroll', '--id', 'borne-neuve')).toBe(1);
    expect(err.join('\n')).toMatch(/donnée invalide \/ invalid input/);
    expect(await run('kiosk', 'revoke', '--id', 'borne-inconnue')).toBe(1);
    expect(err.join('\n')).toMatch(/tablette inconnue \/ unknown kiosk/);
    expect(await run('kiosk', 'enroll', '--id', 'borne-x', '--name', 'X', '--institution', 'nulle-part')).toBe(1);
    expect(err.join('\n')).toMatch(/institution inconnue/);
  });
});
