/**
 * `npm run staff -- directory …` in-process against a real database (SQLite and PostgreSQL): the
 * annuaire fixture imported after a dry run (the counts printed), a later file by difference, a bad file
 * refused with its problems by entry (exit 1, nothing written), local entries from a JSON file, the list
 * and the search.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countRows, DIALECTS } from '../../../test-support/test-env.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';

const FIXTURES = join(import.meta.dirname, '../../../../tests/fixtures/annuaire');
const BASE = join(FIXTURES, 'base-donnees-locales.json');
const CHANGED = join(FIXTURES, 'base-donnees-locales-modifiee.json');

describe.each(DIALECTS)('staff directory commands on %s', (dialect) => {
  let cli: StaffCliEnv;
  let dir: string;

  beforeAll(async () => {
    cli = await staffCliEnv(dialect);
    dir = mkdtempSync(join(tmpdir(), 'fac-directory-cli-'));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await cli?.close();
  });
  afterEach(() => vi.restoreAllMocks());

  const run = (...argv: string[]) => cli.run(...argv);
  const rows = async () => ({ institutions: await countRows(cli.storage.db, 'institutions'), changes: await countRows(cli.storage.db, 'directory_changes') });

  it('imports the annuaire after a dry run, then a later file by difference', async () => {
    const before = await rows();
    expect(await run('directory', 'import', BASE, '--dry-run')).toBe(0);
    expect(cli.out.join('\n')).toContain('Essai (rien n’est écrit) : 12 ajoutée(s), 0 modifiée(s), 0 retirée(s), 0 inchangée(s), 1 ignorée(s) (type non retenu), 0 avertissement(s), 0 refusée');
    expect(await rows()).toEqual(before);

    expect(await run('directory', 'import', BASE)).toBe(0);
    expect(cli.out.join('\n')).toContain('12 ajoutée(s), 0 modifiée(s), 0 retirée(s)');
    expect(cli.out.join('\n')).toContain('12 added, 0 changed, 0 removed');
    expect(await run('directory', 'import', CHANGED)).toBe(0);
    expect(cli.out.join('\n')).toContain('1 ajoutée(s), 1 modifiée(s), 1 retirée(s), 10 inchangée(s)');
  });

  it('refuses a bad file with each problem, exit 1, nothing written', async () => {
    const before = await rows();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "service": [ { "id": "a", "nom": "Mairie", "pivot": [{"type_service_local": "mairie"}], "adresse": [] } ] }');
    expect(await run('directory', 'import', bad)).toBe(1);
    expect(cli.err.join('\n')).toContain('entrée n° 1, ligne 1, id a (« Mairie ») : aucune adresse avec un code postal et une commune');
    expect(cli.err.join('\n')).toContain('Import refusé : 1 entrée(s) en erreur, rien n’a été importé');
    expect(await run('directory', 'import', join(dir, 'missing.json'))).toBe(2);
    expect(cli.err.join('\n')).toContain('fichier illisible');
    expect(await rows()).toEqual(before);
  });

  it('adds, changes and removes a local entry; lists and searches', async () => {
    const entry = join(dir, 'entry.json');
    writeFileSync(entry, JSON.stringify({ kind: 'association', name: 'Accueil papiers du Tonkin', address: '10 rue du Tonkin', postcode: '69100', city: 'Villeurbanne', phone: '04 00 00 13 01' }));
    expect(await run('directory', 'add', '--file', entry, '--id', 'accueil-tonkin')).toBe(0);
    expect(cli.out.join('\n')).toContain('Entrée locale « accueil-tonkin » ajoutée');
    expect(await run('directory', 'search', 'Villeurbanne')).toBe(0);
    const lines = cli.out.join('\n');
    expect(lines).toContain('accueil-tonkin\tassociation\tAccueil papiers du Tonkin');
    expect(lines).toContain('Mairie - Villeurbanne');
    writeFileSync(entry, JSON.stringify({ kind: 'association', name: 'Accueil papiers du Tonkin', address: '12 rue du Tonkin', postcode: '69100', city: 'Villeurbanne' }));
    expect(await run('directory', 'change', '--id', 'accueil-tonkin', '--file', entry)).toBe(0);
    expect(cli.out.join('\n')).toContain('modifiée');
    expect(await run('directory', 'remove', '--id', '6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a001')).toBe(1);
    expect(cli.err.join('\n')).toContain('vient de l’Annuaire de l’administration');
    expect(await run('directory', 'remove', '--id', 'accueil-tonkin')).toBe(0);
    expect(await run('directory', 'list', '--json')).toBe(0);
    const listed = JSON.parse(cli.out.join('')) as { id: string }[];
    expect(listed.map((i) => i.id)).not.toContain('accueil-tonkin');
    expect(listed).toHaveLength(6 + 12);
    writeFileSync(entry, JSON.stringify({ kind: 'association', name: '', address: 'x', postcode: '69100', city: 'Villeurbanne' }));
    expect(await run('directory', 'add', '--file', entry)).toBe(2);
    expect(cli.err.join('\n')).toContain('Entrée invalide (name)');
  });
});
