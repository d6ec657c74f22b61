/**
 * The directory cut by area. A national annuaire holds some 63,000 offices: more than one sync answer
 * carries, and a kiosk in Lyon has no use for offices in Brest. So each kiosk keeps the offices of its
 * area — the départements staff set in its settings (`directoryArea`), else the département of the office
 * it stands in, else (no office, or one whose postcode names no département, as the demo's) the whole
 * directory. The welcome letter picks its places the same way.
 *
 * What is in an area is said once, as prefixes (protocol/departement.ts), and tested here in SQL (the
 * whole copy, a count) and in code (the rows of a difference) from those same prefixes.
 */
import { distanceM } from '../../../protocol/geo.ts';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Kysely, SqlBool, Transaction } from 'kysely';
import { areaPrefixes, departementsOfPostcode } from '../../../protocol/departement.ts';
import type { AreaPrefixes } from '../../../protocol/departement.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { kioskPlace } from '../fleet/index.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A kiosk's area and where it comes from; `near` is the position of the office it stands in, when known. */
export interface KioskArea {
  /** sorted département codes; null: the whole directory */
  area: string[] | null;
  from: 'settings' | 'office' | 'none';
  near: { lat: number; lon: number } | null;
}

/** The area a kiosk's copy of the directory covers (see the module's comment). */
export async function kioskArea(db: Db, kioskId: string): Promise<KioskArea> {
  const place = await kioskPlace(db, kioskId);
  if (!place) return { area: null, from: 'none', near: null };
  const office = place.institutionId === null
    ? undefined
    : await db.selectFrom('institutions').select(['postcode', 'lat', 'lon']).where('id', '=', place.institutionId).executeTakeFirst();
  const near = office && office.lat !== null && office.lon !== null ? { lat: office.lat, lon: office.lon } : null;
  if (place.directoryArea) return { area: [...place.directoryArea].sort(), from: 'settings', near };
  const own = office ? departementsOfPostcode(office.postcode) : [];
  return own.length > 0 ? { area: own, from: 'office', near } : { area: null, from: 'none', near };
}

/**
 * A short tag of an area, carried in the sync cursor: a kiosk whose area changed sends a cursor of
 * another tag, and gets its new area whole. `all` for the whole directory.
 */
export function areaTag(area: readonly string[] | null): string {
  if (area === null) return 'all';
  return createHash('sha256').update([...area].sort().join(',')).digest('hex').slice(0, 10);
}

function prefixIn(column: 'institutions.postcode' | 'ic.commune', prefixes: readonly string[]): Expression<SqlBool>[] {
  const ors: Expression<SqlBool>[] = [];
  for (const length of [2, 3]) {
    const some = prefixes.filter((p) => p.length === length);
    if (some.length > 0) ors.push(sql<boolean>`substr(${sql.ref(column)}, 1, ${sql.lit(length)}) in (${sql.join(some)})`);
  }
  return ors;
}

/**
 * The SQL form of `inArea`: the office's postcode starts with one of the area's postcode prefixes, or one
 * of the communes it serves (institution_communes) with one of its commune prefixes.
 */
export function whereInArea(p: AreaPrefixes) {
  return (eb: ExpressionBuilder<Database, 'institutions'>) => {
    const communes = prefixIn('ic.commune', p.commune);
    const ors = prefixIn('institutions.postcode', p.postcode);
    if (communes.length > 0) {
      ors.push(
        eb.exists(
          eb
            .selectFrom('institution_communes as ic')
            .select(sql.lit(1).as('one'))
            .whereRef('ic.institution_id', '=', 'institutions.id')
            .where(sql<boolean>`(${sql.join(communes, sql` or `)})`),
        ),
      );
    }
    return ors.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`(${sql.join(ors, sql` or `)})`;
  };
}

/** How many offices the directory lists in an area (the whole directory for null). */
export async function countOffices(db: Db, area: readonly string[] | null): Promise<number> {
  let q = db.selectFrom('institutions').select((eb) => eb.fn.countAll().as('n')).where('removed_at', 'is', null);
  if (area !== null) q = q.where(whereInArea(areaPrefixes(area)));
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A place the welcome letter prints: where to go with a lost card, or for help. */
export interface NearbyOffice {
  id: string;
  kind: string;
  name: string;
  address: string;
  postcode: string;
  city: string;
  /** metres from `near`, when both positions are known */
  metres: number | null;
}

/** The kinds of office a person goes to for a lost card or for help, the ones people know first first. */
export const LETTER_KINDS = ['mairie', 'france-services', 'cms', 'ccas', 'caf', 'cpam', 'mdph', 'impots'] as const;
/** At most this many offices of one kind (the letter says how many in all: what fits its two pages). */
export const LETTER_PER_KIND = 2;
/** Without an area, the most offices of one kind read to choose from (the whole annuaire has 35,000 town halls). */
const UNBOUNDED_KIND_READ = 200;

/**
 * The offices a welcome letter lists: of the area the card is given in (null: the whole directory), the
 * kinds of `LETTER_KINDS`, nearest to `near` first (those without a position after, by name), at most
 * `LETTER_PER_KIND` of a kind and `max` in all — the nearest of each kind before the second
 * of any, so a town with many town halls around still shows its social centre. Printed kind by kind.
 */
export async function officesForLetter(db: Db, opts: { area: readonly string[] | null; near: { lat: number; lon: number } | null; max: number }): Promise<NearbyOffice[]> {
  const byKind = new Map<string, NearbyOffice[]>();
  for (const kind of LETTER_KINDS) {
    let q = db
      .selectFrom('institutions')
      .select(['id', 'kind', 'name', 'address', 'postcode', 'city', 'lat', 'lon'])
      .where('removed_at', 'is', null)
      .where('kind', '=', kind);
    if (opts.area !== null) q = q.where(whereInArea(areaPrefixes(opts.area)));
    else q = q.orderBy('name').orderBy('id').limit(UNBOUNDED_KIND_READ);
    const rows = await q.execute();
    const offices = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      address: r.address,
      postcode: r.postcode,
      city: r.city,
      metres: opts.near && r.lat !== null && r.lon !== null ? Math.round(distanceM(opts.near, { lat: r.lat, lon: r.lon })) : null,
    }));
    offices.sort((a, b) => (a.metres ?? Infinity) - (b.metres ?? Infinity) || a.name.localeCompare(b.name, 'fr') || a.id.localeCompare(b.id));
    if (offices.length > 0) byKind.set(kind, offices.slice(0, LETTER_PER_KIND));
  }
  const chosen = new Set<NearbyOffice>();
  for (let round = 0; round < LETTER_PER_KIND && chosen.size < opts.max; round++) {
    for (const offices of byKind.values()) {
      const o = offices[round];
      if (o && chosen.size < opts.max) chosen.add(o);
    }
  }
  return [...byKind.values()].flat().filter((o) => chosen.has(o));
}
