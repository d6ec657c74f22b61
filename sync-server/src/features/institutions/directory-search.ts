/**
 * Which offices serve a place: a commune (INSEE code or name) or a postcode. An office that lists the
 * communes it serves is found by those; one that does not (a local entry, an annuaire office without
 * that list) by its own postcode or city. Used by the staff API, and later by the console and kiosk.
 */
import type { Kysely } from 'kysely';
import type { Institution } from '../../../protocol/vault.ts';
import { searchCommunes } from '../../../protocol/estimate/zones.ts';
import type { ZonesApl } from '../../../protocol/estimate/zones.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { toInstitution } from './directory.ts';

export interface DirectorySearch {
  /** the communes the query was read as (code, name, postcodes) */
  communes: { code: string; name: string; postcodes: string[] }[];
  institutions: Institution[];
}

/**
 * Offices serving the place typed (at most `limit`), optionally of one kind. `communes` is the table of
 * communes (assets/aids/zones-apl.json: INSEE code, name, postcodes) that reads a name or postcode.
 */
export async function searchDirectory(db: Kysely<Database>, communes: ZonesApl, query: string, o: { kind?: string; limit?: number } = {}): Promise<DirectorySearch> {
  const q = query.trim();
  const limit = o.limit ?? 50;
  // five digits are read as a postcode (what people type), else as an INSEE code (what other systems
  // give): some numbers are both, of different communes; a name is matched from its start
  const exact = /^(\d{5}|2[AB]\d{3})$/i.test(q);
  const candidates = searchCommunes(communes, q, 30);
  const byPostcode = candidates.filter((c) => c.postcodes.includes(q));
  const found = !exact ? candidates : byPostcode.length > 0 ? byPostcode : candidates.filter((c) => c.code === q.toUpperCase());
  // an arrondissement (Paris, Lyon, Marseille) or a commune déléguée is served by its commune's offices too
  const codes = [...new Set(found.flatMap((c) => (c.parent ? [c.code, c.parent] : [c.code])))];
  const postcodes = [...new Set([...found.flatMap((c) => c.postcodes), ...(/^\d{5}$/.test(q) ? [q] : [])])];
  if (codes.length === 0 && postcodes.length === 0) return { communes: [], institutions: [] };
  const rows = await db
    .selectFrom('institutions')
    .selectAll()
    .where('removed_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(codes.length > 0 ? [eb('id', 'in', eb.selectFrom('institution_communes').select('institution_id').where('commune', 'in', codes))] : []),
        ...(postcodes.length > 0 ? [eb.and([eb('communes', 'is', null), eb('postcode', 'in', postcodes)])] : []),
      ]),
    )
    .$if(o.kind !== undefined, (qb) => qb.where('kind', '=', o.kind ?? ''))
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
  return {
    communes: found.map((c) => ({ code: c.code, name: c.name, postcodes: c.postcodes })),
    institutions: rows.map(toInstitution),
  };
}
