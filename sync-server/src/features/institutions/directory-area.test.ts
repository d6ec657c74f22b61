/**
 * The directory cut by area, on both engines: the annuaire fixture (Rhône and Isère) with offices of the
 * Ain — one serving a Rhône commune — and of Corse-du-Sud. A kiosk's area (its office's département, or
 * the one set), what its sync receives (only its area, an office elsewhere serving one of its communes
 * included), a changed area answered whole, an office moved out named as removed, an area too large
 * refused rather than cut, and the welcome letter's places (the near ones, not the far ones).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import { CAMILLE, DIALECTS } from '../../../test-support/test-env.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import { WELCOME_LETTER_MAX_PLACES, welcomeLetterFor } from '../cards/index.ts';
import { seedKiosks, writeKioskSettings } from '../fleet/index.ts';
import { areaTag, countOffices, DIRECTORY_SYNC_MAX, importAnnuaire, kioskArea, officesForLetter, syncDirectory } from './index.ts';
import { logChanges } from './directory.ts';
import { crowdHauteCorse } from '../../../test-support/directory.ts';

const FIXTURES = join(import.meta.dirname, '../../../../tests/fixtures/annuaire');
const BASE = readFileSync(join(FIXTURES, 'base-donnees-locales.json'), 'utf8');
const STAFF = { kind: 'staff' as const, id: 'directory-area-test' };
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;
const CAF_LYON = { lat: 45.758, lon: 4.859 };

type Service = Record<string, unknown> & { id: string; adresse: Record<string, string>[]; pivot: { type_service_local: string; code_insee_commune: string[] }[] };

/** One more office in the annuaire's own format, made from the fixture's CPAM. */
function office(base: Service, o: { n: number; name: string; type: string; postcode: string; city: string; communes: string[]; lat: string; lon: string }): Service {
  const s = structuredClone(base);
  s.id = ID(o.n);
  s.nom = o.name;
  s.pivot = [{ type_service_local: o.type, code_insee_commune: o.communes }];
  s.code_insee_commune = o.communes[0] ?? '';
  s.adresse = [{ ...s.adresse[0]!, code_postal: o.postcode, nom_commune: o.city, latitude: o.lat, longitude: o.lon }];
  return s;
}

/** The fixture with three more offices; `edit` then changes the list (an office moved, one gone). */
function annuaire(edit: (services: Service[]) => void = () => {}): string {
  const file = JSON.parse(BASE) as { service: Service[] };
  const cpam = file.service.find((s) => s.id === ID(4))!;
  file.service.push(
    office(cpam, { n: 20, name: 'CPAM de l’Ain - accueil de Miribel', type: 'cpam', postcode: '01700', city: 'Miribel', communes: ['01249', '69286'], lat: '45.8250', lon: '4.9540' }),
    office(cpam, { n: 21, name: 'Mairie - Bourg-en-Bresse', type: 'mairie', postcode: '01000', city: 'Bourg-en-Bresse', communes: ['01053'], lat: '46.2050', lon: '5.2250' }),
    office(cpam, { n: 22, name: 'Mairie - Ajaccio', type: 'mairie', postcode: '20000', city: 'Ajaccio', communes: ['2A004'], lat: '41.9190', lon: '8.7380' }),
  );
  edit(file.service);
  return JSON.stringify(file, null, 2);
}

const RHONE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(ID).sort();
const ISERE = [10, 11, 12].map(ID).sort();

describe.each(DIALECTS)('the directory by area (%s)', (dialect) => {
  let db: Kysely<Database>;
  seededDatabaseSuite(dialect, (s) => {
    db = s.db;
  });
  const d = dialect as Dialect;
  const sync = async (cursor: string | null, area: readonly string[] | null) => {
    const ack = await syncDirectory(db, cursor, area);
    if (!ack.ok) throw new Error(ack.error.message);
    return ack;
  };
  const ids = (list: readonly { id: string }[]) => list.map((i) => i.id).sort();

  it('knows a kiosk’s area: the one set, else its office’s département, else none', async () => {
    expect(await importAnnuaire(db, d, annuaire(), { actor: STAFF })).toMatchObject({ ok: true, added: 15 });
    await seedKiosks(db, [
      { id: 'tablette-lyon', name: 'Tablette de la CAF de Lyon', institutionId: ID(3), tokenHash: '1'.repeat(64) },
      { id: 'tablette-ajaccio', name: 'Tablette de la mairie d’Ajaccio', institutionId: ID(22), tokenHash: '2'.repeat(64) },
      { id: 'tablette-sans-lieu', name: 'Tablette sans lieu', institutionId: null, tokenHash: '3'.repeat(64) },
    ]);
    expect(await kioskArea(db, 'tablette-lyon')).toEqual({ area: ['69'], from: 'office', near: CAF_LYON });
    expect(await kioskArea(db, 'tablette-ajaccio')).toMatchObject({ area: ['2A'], from: 'office' });
    expect(await kioskArea(db, 'tablette-sans-lieu')).toEqual({ area: null, from: 'none', near: null });
    // the demo's kiosk stands in a made-up town (00100): the whole directory, as before areas
    expect(await kioskArea(db, 'borne-cms-centre-1')).toMatchObject({ area: null, from: 'none' });
    expect(await kioskArea(db, 'jamais-vue')).toEqual({ area: null, from: 'none', near: null });
    expect(await writeKioskSettings(db, d, 'tablette-sans-lieu', { directoryArea: ['38', '01'] })).toBe(1);
    expect(await kioskArea(db, 'tablette-sans-lieu')).toEqual({ area: ['01', '38'], from: 'settings', near: null });
  });

  it('gives a kiosk in the Rhône the Rhône’s offices, and the Ain’s office serving a Rhône commune', async () => {
    const ack = await sync(null, ['69']);
    expect(ack.full).toBe(true);
    expect(ids(ack.institutions)).toEqual(RHONE);
    expect(ack.cursor).toBe(`d2.${/^d2\.(\d+)\./.exec(ack.cursor)![1]}.${areaTag(['69'])}`);
    expect(await countOffices(db, ['69'])).toBe(RHONE.length);
    expect(ids((await sync(null, ['01'])).institutions)).toEqual([ID(20), ID(21)]);
    expect(ids((await sync(null, ['2A'])).institutions)).toEqual([ID(22)]);
    expect((await sync(null, ['2B'])).institutions).toEqual([]);
    // two départements: both, each office once
    expect(ids((await sync(null, ['38', '69'])).institutions)).toEqual([...RHONE, ...ISERE].sort());
    // no area: everything, the seed's local entries too
    expect((await sync(null, null)).institutions).toHaveLength(15 + 6);
    // nothing changed: an empty difference for the same area
    expect(await sync(ack.cursor, ['69'])).toEqual({ ok: true, cursor: ack.cursor, full: false, institutions: [], removed: [] });
  });

  it('answers a kiosk whose area changed with its new area whole', async () => {
    const lyon = await sync(null, ['69']);
    const now = await sync(lyon.cursor, ['38']);
    expect(now.full).toBe(true);
    expect(ids(now.institutions)).toEqual(ISERE);
    expect(now.cursor).not.toBe(lyon.cursor);
    // and back: whole again
    expect(await sync(now.cursor, ['69'])).toMatchObject({ full: true });
    // a cursor of the whole directory (also those given before areas: d1) is another area
    const all = await sync(null, null);
    expect(await sync(all.cursor, ['69'])).toMatchObject({ full: true });
    expect(await sync(all.cursor.replace(/^d2\.(\d+)\.all$/, 'd1.$1'), null)).toMatchObject({ full: false, institutions: [] });
  });

  it('names an office that moved out of the area, or left the annuaire, as removed', async () => {
    const lyon = await sync(null, ['69']);
    const grenoble = await sync(null, ['38']);
    const moved = annuaire((services) => {
      const fs = services.find((s) => s.id === ID(5))!;
      fs.adresse = [{ ...fs.adresse[0]!, code_postal: '38000', nom_commune: 'Grenoble', latitude: '45.1880', longitude: '5.7240' }];
      fs.pivot = [{ type_service_local: 'france_services', code_insee_commune: ['38185'] }];
      services.splice(services.findIndex((s) => s.id === ID(4)), 1);
      services.find((s) => s.id === ID(2))!.telephone = [{ valeur: '04 00 00 01 99', description: '' }];
    });
    expect(await importAnnuaire(db, d, moved, { actor: STAFF })).toMatchObject({ ok: true, added: 0, changed: 2, removed: 1 });

    const diff = await sync(lyon.cursor, ['69']);
    expect(diff.full).toBe(false);
    expect(ids(diff.institutions)).toEqual([ID(2)]);
    expect(diff.institutions[0]).toMatchObject({ phone: '04 00 00 01 99' });
    expect(diff.removed).toEqual([ID(4), ID(5)].sort());
    // the Isère's kiosk gets the office that came in; what changed elsewhere it drops (it never had it)
    const there = await sync(grenoble.cursor, ['38']);
    expect(ids(there.institutions)).toEqual([ID(5)]);
    expect(there.institutions[0]).toMatchObject({ postcode: '38000', city: 'Grenoble' });
    expect(there.removed).toEqual([ID(2), ID(4)].sort());
    // a kiosk that starts now gets the same as one that followed
    expect(ids((await sync(null, ['69'])).institutions)).toEqual(RHONE.filter((id) => id !== ID(4) && id !== ID(5)));
  });

  it('refuses an area whose offices do not fit in one answer, never cutting it; the whole directory too', async () => {
    const before = await sync(null, ['2B']);
    await crowdHauteCorse(db);
    try {
      // a kiosk that follows by difference is refused too, once its area has grown past the bound
      await db.transaction().execute(async (trx) => logChanges(trx, [{ id: 'haute-corse-0', change: 'upsert' }], new Date().toISOString()));
      expect(await syncDirectory(db, before.cursor, ['2B'])).toMatchObject({ ok: false, error: { code: 'too-large' }, offices: DIRECTORY_SYNC_MAX + 1 });
      // one of another area is not
      expect(await syncDirectory(db, (await sync(null, ['69'])).cursor, ['69'])).toMatchObject({ ok: true, full: false });
      for (const area of [['2B'], null]) {
        const ack = await syncDirectory(db, null, area);
        expect(ack.ok, JSON.stringify(area)).toBe(false);
        if (ack.ok) continue;
        expect(ack.error.code).toBe('too-large');
        expect(ack.error.message).toContain(`une borne en garde ${DIRECTORY_SYNC_MAX} au plus`);
        expect(ack.max).toBe(DIRECTORY_SYNC_MAX);
        expect(ack.offices).toBeGreaterThan(DIRECTORY_SYNC_MAX);
      }
      expect(await countOffices(db, ['2B'])).toBe(DIRECTORY_SYNC_MAX + 1);
      // a smaller area still gets its copy
      expect((await sync(null, ['2A'])).institutions).toHaveLength(1);
    } finally {
      await db.deleteFrom('institutions').where('id', 'like', 'haute-corse-%').execute();
    }
    expect(await countOffices(db, ['2B'])).toBe(0);
  });

  it('prints on the welcome letter the offices near the kiosk, a few of each kind, none far away', async () => {
    const lyon = await kioskArea(db, 'tablette-lyon');
    const places = await officesForLetter(db, { area: lyon.area, near: lyon.near, max: WELCOME_LETTER_MAX_PLACES });
    expect(places).toHaveLength(WELCOME_LETTER_MAX_PLACES);
    // the nearer town hall, the CCAS, the CAF, and the Ain's CPAM that serves Rhône communes: one of
    // each kind (France services moved to Grenoble above)
    expect(places.map((p) => p.id)).toEqual([ID(1), ID(8), ID(3), ID(20)]);
    expect(places[0]!.metres).toBeGreaterThan(1000);
    expect(places[0]!.metres).toBeLessThan(3000);
    const letter = await welcomeLetterFor(db, CAMILLE.identifier, { places });
    const lines = letter.pages.flat();
    expect(letter.pages).toHaveLength(2);
    expect(lines).toContain('Mairie - Villeurbanne');
    expect(lines).toContain("Caisse d'allocations familiales (CAF) du Rhône - accueil de Lyon");
    expect(lines.join('\n')).not.toMatch(/Grenoble|Échirolles|Ajaccio|Bourg-en-Bresse|Exempleville/);

    // fewer kinds than places: a second of a kind, the nearer first (Grenoble's France services, then Échirolles')
    const isere = await officesForLetter(db, { area: ['38'], near: { lat: 45.1865, lon: 5.736 }, max: WELCOME_LETTER_MAX_PLACES });
    expect(isere.map((p) => p.id)).toEqual([ID(10), ID(5), ID(12), ID(11)]);
    const ain = await officesForLetter(db, { area: ['01'], near: null, max: WELCOME_LETTER_MAX_PLACES });
    expect(ain.map((p) => p.id)).toEqual([ID(21), ID(20)]);
    const corse = await officesForLetter(db, { area: ['2A', '2B'], near: null, max: WELCOME_LETTER_MAX_PLACES });
    expect(corse.map((p) => p.id)).toEqual([ID(22)]);
  });
});
