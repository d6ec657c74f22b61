/**
 * The directory at a national size, on SQLite: an « Annuaire de l'administration » file written from the
 * table of communes (a town hall in every commune, a France Services in one commune of three, and in
 * every département a CAF and a CPAM that list all its communes), imported whole, then imported again
 * unchanged (by difference: nothing written); then what the kiosks and the requests ask of it — a kiosk's
 * area answered whole (the Rhône), the office a request goes to from a Lyon kiosk, and a search by postcode.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZonesApl } from '../sync-server/src/features/aids/index.ts';
import { communesOfAddress, officeFor } from '../sync-server/src/features/applications/index.ts';
import { importAnnuaire, searchDirectory, syncDirectory } from '../sync-server/src/features/institutions/index.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

const FIXTURE = join(import.meta.dirname, '../tests/fixtures/annuaire/base-donnees-locales.json');
const ACTOR = { kind: 'staff' as const, id: 'bench' };

const departementOf = (insee: string) => (insee.startsWith('97') ? insee.slice(0, 3) : insee.slice(0, 2));

/** A whole annuaire file, every entry built on the fixture's first one (the format's every field). */
function nationalAnnuaire(): { json: string; entries: number } {
  const template = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { service: Record<string, unknown>[] }).service[0]!;
  const zones = loadZonesApl();
  const communes = [...zones.communes.values()].filter((c) => c.parent === undefined && c.postcodes.length > 0);
  const byDepartement = new Map<string, string[]>();
  for (const c of communes) byDepartement.set(departementOf(c.code), [...(byDepartement.get(departementOf(c.code)) ?? []), c.code]);
  const services: Record<string, unknown>[] = [];
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, '0')}`;
  const service = (type: string, name: string, insee: string, postcode: string, city: string, served: string[], i: number) => ({
    ...template,
    id: id(),
    nom: name,
    pivot: [{ type_service_local: type, code_insee_commune: served }],
    code_insee_commune: insee,
    adresse: [{ ...(template.adresse as Record<string, unknown>[])[0], code_postal: postcode, nom_commune: city, latitude: (42 + (i % 700) / 100).toFixed(4), longitude: (-1 + (i % 800) / 100).toFixed(4) }],
  });
  communes.forEach((c, i) => {
    services.push(service('mairie', `Mairie - ${c.name}`, c.code, c.postcodes[0]!, c.name, [c.code], i));
    if (i % 3 === 0) services.push(service('france_services', `France services - ${c.name}`, c.code, c.postcodes[0]!, c.name, [c.code], i));
  });
  let d = 0;
  for (const [dep, codes] of byDepartement) {
    const seat = zones.communes.get(codes[0]!)!;
    services.push(service('caf', `Caisse d'allocations familiales (CAF) - ${dep}`, seat.code, seat.postcodes[0]!, seat.name, codes, d));
    services.push(service('cpam', `Caisse primaire d'assurance maladie (CPAM) - ${dep}`, seat.code, seat.postcodes[0]!, seat.name, codes, d++));
  }
  return { json: JSON.stringify({ service: services }), entries: services.length };
}

export async function benchDirectory(runs: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-bench-directory-'));
  const s = openDatabase({ kind: 'sqlite', file: join(dir, 'directory.sqlite') });
  try {
    await migrateToLatest(s.db, s.dialect);
    const { json, entries } = nationalAnnuaire();
    const t0 = performance.now();
    const first = await importAnnuaire(s.db, s.dialect, json, { actor: ACTOR });
    const t1 = performance.now();
    const again = await importAnnuaire(s.db, s.dialect, json, { actor: ACTOR });
    const t2 = performance.now();
    if (!first.ok || !again.ok) throw new Error('the national file was refused');

    const area: number[] = [];
    const route: number[] = [];
    const search: number[] = [];
    let offices = 0;
    const zones = loadZonesApl();
    const lyon = { communes: communesOfAddress(zones, '69003', 'Lyon'), postcode: '69003', lat: 45.76, lon: 4.85 };
    for (let i = 0; i < runs + 2; i++) {
      const a0 = performance.now();
      const answer = await syncDirectory(s.db, null, ['69']);
      const a1 = performance.now();
      if (!answer.ok) throw new Error('the Rhône is too large');
      offices = answer.institutions.length;
      const office = await officeFor(s.db, 'caf', lyon);
      const a2 = performance.now();
      if (!office?.name.endsWith('- 69')) throw new Error(`routed to ${office?.name ?? 'nobody'}`);
      const found = await searchDirectory(s.db, zones, '69003', { kind: 'caf' });
      const a3 = performance.now();
      if (found.institutions.length !== 1) throw new Error('the search missed the CAF');
      if (i >= 2) {
        area.push(a1 - a0);
        route.push(a2 - a1);
        search.push(a3 - a2);
      }
    }
    const n = entries.toLocaleString('en');
    return [
      summarize(`server: annuaire imported whole into SQLite, ${n} offices`, [t1 - t0], { notes: [`every entry checked, ${first.added.toLocaleString('en')} added; one run`] }),
      summarize(`server: the same annuaire imported again (by difference, nothing changed), ${n} offices`, [t2 - t1], { notes: [`${again.unchanged.toLocaleString('en')} unchanged; one run`] }),
      summarize(`server: a kiosk's area answered whole (the Rhône, ${offices.toLocaleString('en')} offices of ${n})`, area),
      summarize(`server: the office a request goes to (a CAF, from a Lyon kiosk), directory of ${n}`, route),
      summarize(`server: directory search by postcode (69003, CAF), directory of ${n}`, search),
    ];
  } finally {
    await s.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
