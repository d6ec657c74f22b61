/**
 * Which office handles a person's request. With the public directory the platform knows every CAF of
 * France; a request goes to the office of its kind that serves where the person is, and only that office
 * sees it. Where the person is: for now the place of the kiosk they file from (its host office's commune);
 * a person's own address, when the profile holds one, is a better place and goes through the same ranking.
 *
 * The ranking, best first: an office that lists the person's commune among those it serves; one that lists
 * none and sits in the same postcode; one of the same département; any other. Within a rank, the nearest
 * when both places have coordinates, then the smallest id, so the choice never depends on the order rows
 * come back in. Without any place, the first office of the kind by id: what the platform did before.
 */
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { CommuneCode } from '../../../protocol/vault.ts';
import { distanceM } from '../../../protocol/geo.ts';
import { areaPrefixes, departementsOfPostcode, inArea } from '../../../protocol/departement.ts';
import { normaliseName } from '../../../protocol/estimate/zones.ts';
import type { ZonesApl } from '../../../protocol/estimate/zones.ts';
import type { Database, InstitutionsTable } from '../../kernel/storage/schema.ts';

/** Where a person is, as far as the platform knows. */
export interface Place {
  /** INSEE codes of the commune (with the commune an arrondissement belongs to) */
  communes: readonly string[];
  postcode: string | null;
  lat: number | null;
  lon: number | null;
}

export type OfficeRow = Selectable<InstitutionsTable>;

const Communes = z.array(CommuneCode);

function servedCommunes(o: OfficeRow): string[] | null {
  if (o.communes === null) return null;
  try {
    const parsed = Communes.safeParse(JSON.parse(o.communes));
    return parsed.success && parsed.data.length > 0 ? parsed.data : null;
  } catch {
    return null;
  }
}

function rankOf(o: OfficeRow, place: Place): number {
  const served = servedCommunes(o);
  if (served !== null && place.communes.some((c) => served.includes(c))) return 0;
  if (served === null && place.postcode !== null && o.postcode === place.postcode) return 1;
  // the same département: the office's postcode, or a commune it serves (the protocol's reading of an area)
  if (place.postcode !== null && inArea({ postcode: o.postcode, communes: served ?? [] }, areaPrefixes(departementsOfPostcode(place.postcode)))) return 2;
  return 3;
}

/** The offices, best first for this place (see the file comment); without a place, by id. */
export function rankOffices<T extends OfficeRow>(offices: readonly T[], place: Place | null): T[] {
  const keyed = offices.map((o) => {
    const rank = place === null ? 3 : rankOf(o, place);
    const metres = place !== null && place.lat !== null && place.lon !== null && o.lat !== null && o.lon !== null ? distanceM({ lat: place.lat, lon: place.lon }, { lat: o.lat, lon: o.lon }) : Number.POSITIVE_INFINITY;
    return { o, rank, metres };
  });
  keyed.sort((a, b) => a.rank - b.rank || a.metres - b.metres || (a.o.id < b.o.id ? -1 : a.o.id > b.o.id ? 1 : 0));
  return keyed.map((k) => k.o);
}

/**
 * The commune an address is in: among the communes of its postcode, the one named as the city (a « CEDEX »
 * and its number aside), else every one of them (a postcode shared by several villages still says which
 * offices are near). The arrondissements' communes come with them.
 */
export function communesOfAddress(zones: ZonesApl, postcode: string, city: string): string[] {
  if (!/^\d{5}$/.test(postcode)) return [];
  const withPostcode = [...zones.communes.values()].filter((c) => c.postcodes.includes(postcode));
  const cityKey = normaliseName(city.replace(/\bcedex\b.*$/i, ''));
  const named = new Set(withPostcode.filter((c) => normaliseName(c.name) === cityKey).map((c) => c.code));
  // « Lyon » in 69003 is Lyon and its 3rd arrondissement, which an office may list instead
  const chosen = named.size > 0 ? withPostcode.filter((c) => named.has(c.code) || (c.parent !== undefined && named.has(c.parent))) : withPostcode;
  return [...new Set(chosen.flatMap((c) => (c.parent === undefined ? [c.code] : [c.code, c.parent])))];
}

/** The place of a kiosk: where its host office stands. Null: a kiosk with no host office, or an unknown one. */
export async function placeOfKiosk(db: Kysely<Database>, zones: ZonesApl, kioskId: string | null): Promise<Place | null> {
  if (kioskId === null) return null;
  const host = await db
    .selectFrom('kiosks')
    .innerJoin('institutions', 'institutions.id', 'kiosks.institution_id')
    .select(['institutions.postcode', 'institutions.city', 'institutions.lat', 'institutions.lon'])
    .where('kiosks.id', '=', kioskId)
    .executeTakeFirst();
  if (!host) return null;
  const postcode = /^\d{5}$/.test(host.postcode) ? host.postcode : null;
  return { communes: postcode === null ? [] : communesOfAddress(zones, postcode, host.city), postcode, lat: host.lat, lon: host.lon };
}

/**
 * The office of this kind that handles a request from this place; null when the directory has none of the
 * kind. Asked rank by rank, so a kind with thousands of offices (the town halls) is never read whole when
 * the place says where to look.
 */
export async function officeFor(db: Kysely<Database>, kind: string, place: Place | null): Promise<OfficeRow | null> {
  const ofKind = () => db.selectFrom('institutions').selectAll().where('kind', '=', kind).where('removed_at', 'is', null);
  const tiers: (() => Promise<OfficeRow[]>)[] = [];
  if (place !== null && place.communes.length > 0) {
    const communes = [...place.communes];
    tiers.push(() => ofKind().where('id', 'in', (eb) => eb.selectFrom('institution_communes').select('institution_id').where('commune', 'in', communes)).execute());
  }
  if (place?.postcode) {
    const postcode = place.postcode;
    tiers.push(() => ofKind().where('postcode', '=', postcode).execute());
    const prefixes = areaPrefixes(departementsOfPostcode(postcode)).postcode;
    if (prefixes.length > 0) tiers.push(() => ofKind().where((eb) => eb.or(prefixes.map((p) => eb('postcode', 'like', `${p}%`)))).execute());
  }
  tiers.push(() => ofKind().execute());
  for (const tier of tiers) {
    const best = rankOffices(await tier(), place)[0];
    if (best !== undefined) return best;
  }
  return null;
}
