/**
 * The staff commands of a kiosk's directory area, in-process against a real database (SQLite and
 * PostgreSQL): the area a kiosk gets and how many offices it holds, an area set and put back to « auto »,
 * a malformed area (exit 2), an area too large for one sync answer refused with the counts (exit 1,
 * nothing written), and the welcome letter printed with the offices near the kiosk, of the area typed, or
 * of an agent's structure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';
import { CAMILLE, DIALECTS } from '../../../test-support/test-env.ts';
import { readKioskSettings } from '../../features/fleet/index.ts';
import { DIRECTORY_SYNC_MAX } from '../../features/institutions/index.ts';
import { crowdHauteCorse } from '../../../test-support/directory.ts';

const BASE = join(import.meta.dirname, '../../../../tests/fixtures/annuaire/base-donnees-locales.json');
/** the seed's agent, of the CMS du centre-ville */
const SOPHIE = 'FAC-R9TD-4HWN-3GAK';
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;

describe.each(DIALECTS)('staff commands of a kiosk’s directory area on %s', (dialect) => {
  let cli: StaffCliEnv;
  let dir: string;
  let out: string;
  let err: string;

  beforeAll(async () => {
    cli = await staffCliEnv(dialect);
    dir = mkdtempSync(join(tmpdir(), 'fac-area-cli-'));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await cli?.close();
  });
  afterEach(() => vi.restoreAllMocks());

  async function run(...argv: string[]): Promise<number> {
    const code = await cli.run(...argv);
    out = cli.out.join('\n');
    err = cli.err.join('\n');
    return code;
  }
  const settings = async (id: string) => (await readKioskSettings(cli.storage.db, id))?.settings;

  it('says a kiosk’s area: its office’s département, then the one set, then « auto » again', async () => {
    expect(await run('directory', 'import', BASE)).toBe(0);
    expect(await run('kiosk', 'enroll', '--id', 'tablette-lyon', '--name', 'Tablette de la CAF de Lyon', '--institution', ID(3), '--code-only')).toBe(0);
    expect(await run('directory', 'area', '--kiosk', 'tablette-lyon')).toBe(0);
    expect(out).toContain('Tablette tablette-lyon : départements 69 (département de son lieu)');
    expect(out).toContain(`9 lieux à copier sur la tablette (${DIRECTORY_SYNC_MAX} au plus)`);
    // the demo's kiosk stands in a made-up town: the whole directory
    expect(await run('directory', 'area', '--kiosk', 'borne-cms-centre-1')).toBe(0);
    expect(out).toContain('tout l’annuaire');
    expect(out).toContain('18 lieux');

    expect(await run('kiosk', 'config', '--id', 'tablette-lyon', '--directory-area', '38, 69')).toBe(0);
    expect(out).toContain('départements 38, 69 (zone réglée)');
    expect(out).toContain('12 lieux');
    expect(await settings('tablette-lyon')).toEqual({ directoryArea: ['38', '69'] });
    expect(await run('kiosk', 'config', '--id', 'tablette-lyon', '--display-name', 'Accueil CAF')).toBe(0);
    expect(await settings('tablette-lyon')).toEqual({ directoryArea: ['38', '69'], displayName: 'Accueil CAF' });
    expect(await run('kiosk', 'config', '--id', 'tablette-lyon', '--directory-area', 'auto')).toBe(0);
    expect(await settings('tablette-lyon')).toEqual({ displayName: 'Accueil CAF' });
    expect(out).toContain('départements 69 (département de son lieu)');
  });

  it('refuses a malformed area (exit 2) and an unknown kiosk (exit 1), writing nothing', async () => {
    const before = await settings('tablette-lyon');
    for (const bad of ['20', 'Rhône', '01,02,03,04,05,06,07,08,09,10,11', '']) {
      expect(await run('kiosk', 'config', '--id', 'tablette-lyon', '--directory-area', bad), bad).toBe(2);
      expect(err).toContain('zone invalide');
    }
    expect(await settings('tablette-lyon')).toEqual(before);
    expect(await run('directory', 'area', '--kiosk', 'jamais-vue')).toBe(1);
    expect(err).toContain('tablette inconnue');
    expect(await run('directory', 'area')).toBe(2);
  });

  it('refuses an area too large for one sync answer, with the counts, and says so of a kiosk already there', async () => {
    await crowdHauteCorse(cli.storage.db);
    const before = await settings('tablette-lyon');
    expect(await run('kiosk', 'config', '--id', 'tablette-lyon', '--directory-area', '2B')).toBe(1);
    expect(err).toContain(`Cette zone compte ${DIRECTORY_SYNC_MAX + 1} lieux : une tablette en garde ${DIRECTORY_SYNC_MAX} au plus.`);
    expect(await settings('tablette-lyon')).toEqual(before);
    // the demo's kiosk copies the whole directory: now too large, said as an error
    expect(await run('directory', 'area', '--kiosk', 'borne-cms-centre-1')).toBe(1);
    expect(err).toContain(`Cette zone compte ${DIRECTORY_SYNC_MAX + 19} lieux`);
    await cli.storage.db.deleteFrom('institutions').where('id', 'like', 'haute-corse-%').execute();
  });

  it('prints the welcome letter with the offices near the kiosk, or of the area typed', async () => {
    const file = join(dir, 'lettre.pdf');
    expect(await run('letter', '--identifier', CAMILLE.identifier, '--kiosk', 'tablette-lyon', '--out', file)).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(out).toContain('Lieux imprimés sur la lettre : 4');
    expect(out).toContain('Mairie - Villeurbanne — Place Lazare-Goujon, 69100 Villeurbanne');
    expect(out).not.toMatch(/Grenoble|Exempleville/);

    expect(await run('letter', '--identifier', CAMILLE.identifier, '--area', '38', '--out', file)).toBe(0);
    expect(out).toContain('Mairie - Grenoble');
    expect(out).not.toMatch(/Villeurbanne|Lyon/);

    // no place known: the whole directory, with a warning
    expect(await run('letter', '--identifier', CAMILLE.identifier, '--out', file)).toBe(0);
    expect(out).toContain('Avertissement : ni --kiosk ni --area');
    // an agent's card: the area of the structure they work in, when its address has a postcode
    expect(await run('letter', '--identifier', SOPHIE, '--out', file)).toBe(0);
    expect(out).toContain('Avertissement : ni --kiosk ni --area'); // the seed's structure is in the made-up town
    await cli.storage.db.updateTable('structures').set({ address: '2 rue Jules-Ferry, 69200 Vénissieux' }).where('id', '=', 'structure-cms-centre').execute();
    expect(await run('letter', '--identifier', SOPHIE, '--out', file)).toBe(0);
    expect(out).toContain('Lieux de la zone de la structure de l’agent, CMS du centre-ville : départements 69');
    expect(out).not.toContain('Avertissement');
    expect(out).toContain('Mairie - Vénissieux');
    expect(out).not.toMatch(/Grenoble|Exempleville/);
    expect(await run('letter', '--identifier', CAMILLE.identifier, '--kiosk', 'tablette-lyon', '--area', '69')).toBe(2);
    expect(await run('letter', '--identifier', CAMILLE.identifier, '--area', 'Lyon')).toBe(2);
    expect(err).toContain('zone invalide');
  });
});
