/**
 * The directory on both engines: the annuaire fixture imported (exact counts, every field mapped), a
 * later file imported by difference (one changed, one removed, one added, local entries kept), malformed
 * files refused by entry with nothing changed, local entries, the search by commune or postcode, and what
 * a kiosk's sync receives (the whole directory, then the difference with the ids removed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import { loadZonesApl } from '../aids/index.ts';
import {
  addLocalEntry,
  changeLocalEntry,
  findInstitution,
  importAnnuaire,
  listInstitutions,
  LocalEntryInput,
  pruneDirectoryChanges,
  readAnnuaire,
  removeLocalEntry,
  searchDirectory,
  syncDirectory,
} from './index.ts';
import { serviceLines } from './directory-annuaire.ts';

const FIXTURES = join(import.meta.dirname, '../../../../tests/fixtures/annuaire');
const BASE = readFileSync(join(FIXTURES, 'base-donnees-locales.json'), 'utf8');
const CHANGED = readFileSync(join(FIXTURES, 'base-donnees-locales-modifiee.json'), 'utf8');
const STAFF = { kind: 'staff' as const, id: 'directory-test' };
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;
const zones = loadZonesApl();

type Service = Record<string, unknown>;
function edited(edit: (services: Service[]) => void): string {
  const file = JSON.parse(BASE) as { service: Service[] };
  edit(file.service);
  return JSON.stringify(file, null, 2);
}

describe('reading the annuaire format', () => {
  it('finds the line each service starts on', () => {
    const lines = serviceLines(BASE);
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(3);
    const text = BASE.split('\n');
    for (const l of lines) expect(text[l - 1]!.trim()).toBe('{');
  });

  it('reads the fixture: 12 offices kept, the gendarmerie skipped, the CCAS without coordinates warned of', () => {
    const r = readAnnuaire(BASE);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.entries).toHaveLength(12);
    expect(r.skipped).toBe(1);
    expect(r.warnings).toEqual([]);
    const caf = r.entries.find((e) => e.id === ID(3))!;
    expect(caf.fields).toMatchObject({
      kind: 'caf',
      name: "Caisse d'allocations familiales (CAF) du Rhône - accueil de Lyon",
      address: '67 boulevard Vivier-Merle',
      postcode: '69003',
      city: 'Lyon',
      lat: 45.758,
      lon: 4.859,
      phone: '04 00 00 02 01',
      website: 'https://caf-rhone.example',
      communes: ['69123', '69259', '69266'],
      hoursNote: 'Le jeudi matin, sur rendez-vous',
      source: 'annuaire',
    });
    // Lundi → Mercredi, two periods a day; Thursday afternoon; Friday morning
    expect(caf.fields.hours).toEqual([
      { day: 1, opens: '08:30', closes: '12:30' },
      { day: 1, opens: '13:30', closes: '16:00' },
      { day: 2, opens: '08:30', closes: '12:30' },
      { day: 2, opens: '13:30', closes: '16:00' },
      { day: 3, opens: '08:30', closes: '12:30' },
      { day: 3, opens: '13:30', closes: '16:00' },
      { day: 4, opens: '13:30', closes: '16:00' },
      { day: 5, opens: '08:30', closes: '12:30' },
    ]);
    expect(caf.modified).toBe('20/06/2026 14:02:11');
    const ccas = r.entries.find((e) => e.id === ID(8))!;
    expect(ccas.fields).toMatchObject({ kind: 'ccas', lat: null, lon: null });
    expect(r.entries.find((e) => e.id === ID(2))!.fields.website).toBe('https://mairie-venissieux.example');
    expect(r.entries.find((e) => e.id === ID(5))!.fields).toMatchObject({ kind: 'france-services', email: 'france-services.stjean@villeurbanne.example', hoursNote: 'Accueil sans rendez-vous le mardi matin' });
    expect(r.entries.find((e) => e.id === ID(6))!.fields).toMatchObject({ kind: 'impots', address: "Cité administrative d'État, 165 rue Garibaldi" });
    expect(r.entries.find((e) => e.id === ID(7))!.fields.communes).toBeUndefined();
    expect(r.entries.find((e) => e.id === ID(9))!.fields.kind).toBe('france-travail');
  });

  it('skips a service of a type it does not keep, whatever it lacks', () => {
    const r = readAnnuaire(edited((s) => void (s[12]!.nom = '', s[12]!.adresse = [])));
    expect(r.ok && [r.entries.length, r.skipped]).toEqual([12, 1]);
  });

  it('reads the API form too, where the lists are JSON text', () => {
    const r = readAnnuaire(
      edited((s) => {
        for (const x of s) for (const k of ['pivot', 'adresse', 'telephone', 'site_internet', 'plage_ouverture']) x[k] = JSON.stringify(x[k]);
      }),
    );
    expect(r.ok && r.entries.length).toBe(12);
  });
});

describe.each(DIALECTS)('the directory (%s)', (dialect) => {
  let db: Kysely<Database>;
  seededDatabaseSuite(dialect, (s) => {
    db = s.db;
  });
  const d = dialect as Dialect;
  /** A sync answer that must not be refused. */
  const sync = async (cursor: string | null, area: readonly string[] | null = null) => {
    const ack = await syncDirectory(db, cursor, area);
    if (!ack.ok) throw new Error(ack.error.message);
    return ack;
  };

  const snapshot = async () => ({
    institutions: await db.selectFrom('institutions').selectAll().orderBy('id').execute(),
    changes: await db.selectFrom('directory_changes').selectAll().orderBy('seq').execute(),
    communes: await db.selectFrom('institution_communes').selectAll().orderBy('institution_id').orderBy('commune').execute(),
  });

  it('gives a kiosk with no copy the whole directory (the seed)', async () => {
    const ack = await sync(null);
    expect(ack.full).toBe(true);
    expect(ack.institutions.map((i) => i.id).sort()).toEqual(['caf', 'cms-centre', 'cpam', 'mairie', 'mdph', 'sip']);
    expect(ack.institutions.every((i) => i.source === 'local')).toBe(true);
    expect(ack.cursor).toMatch(/^d2\.\d+\.all$/);
    // nothing changed since: an empty difference
    expect(await sync(ack.cursor)).toEqual({ ok: true, cursor: ack.cursor, full: false, institutions: [], removed: [] });
  });

  it('refuses a malformed file by entry, and changes nothing', async () => {
    const before = await snapshot();
    const bad = readAnnuaire('{ "service": [ { "id": "x", } ] }');
    expect(bad).toEqual({ ok: false, errors: [expect.stringMatching(/JSON lisible \(ligne 1, colonne \d+\)/)] });
    expect(readAnnuaire('[1, 2]')).toEqual({ ok: false, errors: [expect.stringContaining('liste « service »')] });

    const outcome = await importAnnuaire(
      db,
      d,
      edited((s) => {
        s[1]!.nom = '';
        (s[3]!.plage_ouverture as Service[])[0]!.nom_jour_debut = 'Lundy';
        (s[4]!.plage_ouverture as Service[])[0]!.valeur_heure_fin_1 = '25:00:00';
        (s[5]!.pivot as Service[])[0]!.code_insee_commune = ['6912'];
      }),
      { actor: STAFF },
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    const lines = serviceLines(BASE);
    expect(outcome.errors).toEqual([
      `entrée n° 2, ligne ${lines[1]}, id ${ID(2)} : le nom « nom » manque`,
      expect.stringContaining(`entrée n° 4, ligne ${lines[3]}, id ${ID(4)} (« Caisse primaire d'assurance maladie (CPAM) du Rhône - agence de Vénissieux ») : jour inconnu « Lundy »`),
      expect.stringContaining('heure invalide « 25:00:00 »'),
      expect.stringContaining('code commune INSEE invalide « 6912 »'),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('imports the fixture: exact counts, fields mapped, bad coordinates set aside with a warning', async () => {
    const withBadCoordinates = edited((s) => {
      ((s[9]!.adresse as Service[])[0]!).latitude = '145.2';
    });
    const dry = await importAnnuaire(db, d, withBadCoordinates, { actor: STAFF, dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, added: 12, changed: 0, removed: 0, unchanged: 0, skipped: 1 });
    expect((await listInstitutions(db)).length).toBe(6);

    const r = await importAnnuaire(db, d, withBadCoordinates, { actor: STAFF });
    expect(r).toMatchObject({ ok: true, dryRun: false, added: 12, changed: 0, removed: 0, unchanged: 0, skipped: 1, total: 13 });
    if (!r.ok) return;
    expect(r.warnings).toEqual([expect.stringMatching(/^entrée n° 10, ligne \d+, id .*010 \(« Mairie - Grenoble »\) : coordonnées refusées \(latitude « 145\.2 », longitude « 5\.7360 »\)/)]);
    expect(await findInstitution(db, ID(10))).toMatchObject({ lat: null, lon: null, city: 'Grenoble' });
    const caf = await findInstitution(db, ID(3));
    expect(caf).toMatchObject({ kind: 'caf', phone: '04 00 00 02 01', lat: 45.758, lon: 4.859, communes: ['69123', '69259', '69266'], source: 'annuaire', removed: false });
    expect(caf?.hours).toHaveLength(8);
    expect((await listInstitutions(db)).length).toBe(18);
    const journal = await db.selectFrom('audit_journal').selectAll().where('action', '=', 'directory.import').execute();
    expect(journal).toHaveLength(1);
    expect(JSON.parse(journal[0]!.detail)).toMatchObject({ added: 12, changed: 0, removed: 0 });
  });

  it('imports the same file again: nothing changes, nothing is sent to kiosks', async () => {
    const { cursor } = await sync(null);
    const r = await importAnnuaire(db, d, BASE, { actor: STAFF });
    // the Grenoble office gets its coordinates back: the only change
    expect(r).toMatchObject({ ok: true, added: 0, changed: 1, removed: 0, unchanged: 11 });
    const diff = await sync(cursor);
    expect(diff.institutions.map((i) => i.id)).toEqual([ID(10)]);
    const again = await importAnnuaire(db, d, BASE, { actor: STAFF });
    expect(again).toMatchObject({ ok: true, added: 0, changed: 0, removed: 0, unchanged: 12 });
    expect(await sync(diff.cursor)).toMatchObject({ full: false, institutions: [], removed: [] });
  });

  it('adds, changes and removes a local entry, journaled; the annuaire entries are not staff’s to change', async () => {
    const input = LocalEntryInput.parse({
      kind: 'association',
      name: 'Association Papiers pour tous',
      address: '8 rue des Tables-Claudiennes',
      postcode: '69001',
      city: 'Lyon',
      lat: 45.7700,
      lon: 4.8330,
      phone: '04 00 00 11 01',
      hours: [{ day: 3, opens: '14:00', closes: '18:00' }],
    });
    const added = await addLocalEntry(db, d, STAFF, input, 'asso-papiers');
    expect(added).toMatchObject({ ok: true, changed: true, institution: { id: 'asso-papiers', source: 'local', phone: '04 00 00 11 01' } });
    expect(await addLocalEntry(db, d, STAFF, input, 'asso-papiers')).toMatchObject({ ok: false, code: 'exists' });
    expect(await changeLocalEntry(db, d, STAFF, 'asso-papiers', input)).toMatchObject({ ok: true, changed: false });
    expect(await changeLocalEntry(db, d, STAFF, 'asso-papiers', { ...input, phone: '04 00 00 11 02' })).toMatchObject({ ok: true, changed: true, institution: { phone: '04 00 00 11 02' } });
    expect(await changeLocalEntry(db, d, STAFF, ID(3), input)).toMatchObject({ ok: false, code: 'not-local' });
    expect(await removeLocalEntry(db, d, STAFF, ID(3))).toMatchObject({ ok: false, code: 'not-local' });
    const second = await addLocalEntry(db, d, STAFF, { ...input, name: 'Permanence du jeudi' }, 'permanence-jeudi');
    expect(second.ok).toBe(true);
    expect(await removeLocalEntry(db, d, STAFF, 'permanence-jeudi')).toMatchObject({ ok: true });
    expect(await removeLocalEntry(db, d, STAFF, 'permanence-jeudi')).toMatchObject({ ok: false, code: 'unknown' });
    const acts = await db.selectFrom('audit_journal').select('action').where('action', 'like', 'directory.local.%').orderBy('seq').execute();
    expect(acts.map((a) => a.action)).toEqual(['directory.local.add', 'directory.local.change', 'directory.local.add', 'directory.local.remove']);
    expect(LocalEntryInput.safeParse({ ...input, postcode: '6900' }).success).toBe(false);
    expect(LocalEntryInput.safeParse({ ...input, lat: 45.7, lon: null }).success).toBe(false);
    expect(LocalEntryInput.safeParse({ ...input, website: 'javascript:alert(1)' }).success).toBe(false);
  });

  it('imports the later file by difference: one changed, one removed, one added, local entries kept', async () => {
    const { cursor } = await sync(null);
    const r = await importAnnuaire(db, d, CHANGED, { actor: STAFF });
    expect(r).toMatchObject({ ok: true, added: 1, changed: 1, removed: 1, unchanged: 10, skipped: 1 });
    expect(await findInstitution(db, ID(3))).toMatchObject({ phone: '04 00 00 02 99' });
    expect(await findInstitution(db, ID(4))).toMatchObject({ removed: true });
    expect(await findInstitution(db, ID(14))).toMatchObject({ kind: 'cpam', city: 'Grenoble', removed: false });
    const ids = (await listInstitutions(db)).map((i) => i.id);
    expect(ids).toContain('asso-papiers');
    expect(ids).toContain('caf');
    expect(ids).not.toContain(ID(4));
    expect(ids).not.toContain('permanence-jeudi');

    // the kiosk that synced before gets just that
    const diff = await sync(cursor);
    expect(diff.full).toBe(false);
    expect(diff.institutions.map((i) => i.id).sort()).toEqual([ID(14), ID(3)].sort());
    expect(diff.removed).toEqual([ID(4)]);
    // an unknown or foreign cursor gets everything again
    for (const c of ['d1.999999', 'nonsense', null]) {
      const full = await sync(c);
      expect(full.full).toBe(true);
      expect(full.institutions).toHaveLength(ids.length);
    }
  });

  it('a local entry whose id the annuaire file also uses refuses the file', async () => {
    const r = await importAnnuaire(db, d, edited((s) => void (s[0]!.id = 'asso-papiers')), { actor: STAFF });
    expect(r).toEqual({ ok: false, errors: [expect.stringContaining('entrée locale')] });
    expect(await findInstitution(db, 'asso-papiers')).toMatchObject({ source: 'local', name: 'Association Papiers pour tous' });
  });

  it('finds the offices serving a commune, by INSEE code, postcode or name', async () => {
    const byCode = await searchDirectory(db, zones, '69259');
    const names = byCode.institutions.map((i) => i.id);
    // Vénissieux: its mairie, CCAS, France Travail, and the CAF of the Rhône that serves it
    expect(names.sort()).toEqual([ID(2), ID(3), ID(8), ID(9)].sort());
    expect(byCode.communes.map((c) => c.code)).toEqual(['69259']);
    const byPostcode = await searchDirectory(db, zones, '69200');
    expect(byPostcode.institutions.map((i) => i.id).sort()).toEqual(names);
    const byName = await searchDirectory(db, zones, 'Échirolles');
    expect(byName.institutions.map((i) => i.id).sort()).toEqual([ID(11), ID(12), ID(14)].sort());
    // an office with no list of communes is found by its own postcode (the MDPH, the local association)
    const lyon1 = await searchDirectory(db, zones, '69001');
    expect(lyon1.institutions.map((i) => i.id)).toContain('asso-papiers');
    expect((await searchDirectory(db, zones, '69003', { kind: 'mdph' })).institutions.map((i) => i.id)).toEqual([ID(7)]);
    // Lyon 3e by its INSEE code (an arrondissement) is served by the offices serving Lyon (69123)
    expect((await searchDirectory(db, zones, '69383', { kind: 'caf' })).institutions.map((i) => i.id)).toEqual([ID(3)]);
    expect((await searchDirectory(db, zones, 'zzzz')).institutions).toEqual([]);
  });

  it('forgets the change log past its age but its last row: an older cursor then gets the whole directory', async () => {
    const latest = await sync(null);
    const total = await db.selectFrom('directory_changes').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(await pruneDirectoryChanges(db, 180, new Date())).toBe(0);
    expect(await pruneDirectoryChanges(db, 180, new Date(Date.now() + 365 * 86_400_000))).toBe(Number(total.n) - 1);
    expect(await sync('d1.1')).toMatchObject({ full: true, cursor: latest.cursor });
    expect(await sync(latest.cursor)).toEqual({ ok: true, cursor: latest.cursor, full: false, institutions: [], removed: [] });
  });
});
