/**
 * Directory data for tests: an area too large for one sync answer (more town halls in Haute-Corse than
 * DIRECTORY_SYNC_MAX), written straight into the table, in chunks the engines accept.
 */
import type { Kysely } from 'kysely';
import { DIRECTORY_SYNC_MAX } from '../src/features/institutions/index.ts';
import type { Database } from '../src/kernel/storage/schema.ts';

/** Inserts DIRECTORY_SYNC_MAX + 1 local town halls in Bastia (2B), ids `haute-corse-<n>`; how many. */
export async function crowdHauteCorse(db: Kysely<Database>): Promise<number> {
  const now = new Date().toISOString();
  const many = Array.from({ length: DIRECTORY_SYNC_MAX + 1 }, (_, i) => ({
    id: `haute-corse-${i}`,
    kind: 'mairie',
    name: `Mairie ${i}`,
    address: '1 place de la Mairie',
    postcode: '20200',
    city: 'Bastia',
    lat: null,
    lon: null,
    source: 'local' as const,
    updated_at: now,
  }));
  for (let i = 0; i < many.length; i += 1000) await db.insertInto('institutions').values(many.slice(i, i + 1000)).execute();
  return many.length;
}
