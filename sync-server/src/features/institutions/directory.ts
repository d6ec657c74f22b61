/** The institutions the platform knows: where a person can get a paper, who a paper or a letter goes to. */
import type { Kysely } from 'kysely';
import type { Institution } from '../../../protocol/vault.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export async function listInstitutions(db: Kysely<Database>): Promise<Institution[]> {
  return db.selectFrom('institutions').select(['id', 'kind', 'name', 'address', 'postcode', 'city', 'lat', 'lon']).orderBy('name').execute();
}

export interface SeedInstitution {
  id: string;
  kind: string;
  name: string;
  address: string;
  city: string;
  postcode: string;
  lat?: number | null | undefined;
  lon?: number | null | undefined;
}

/** Demo and test data: inserts the institutions that are missing; counts what was inserted. */
export async function seedInstitutions(db: Kysely<Database>, institutions: readonly SeedInstitution[]): Promise<number> {
  let n = 0;
  for (const inst of institutions) {
    const r = await db
      .insertInto('institutions')
      .values({ id: inst.id, kind: inst.kind, name: inst.name, address: inst.address, city: inst.city, postcode: inst.postcode, lat: inst.lat ?? null, lon: inst.lon ?? null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}
