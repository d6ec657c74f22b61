/**
 * The office each request of a dossier goes to: the one it was sent to (stored when the person signed),
 * else the one that would handle it now from where the person files (features/institutions/routing.ts).
 * The person sees it before signing, the manifest names it, and only that office's staff see the request.
 */
import type { Kysely } from 'kysely';
import type { AidCatalogue, ZonesApl } from '../aids/index.ts';
import { loadZonesApl } from '../aids/index.ts';
import { officeFor, placeOfKiosk } from './routing.ts';
import type { OfficeRow, Place } from './routing.ts';
import type { Database } from '../../kernel/storage/schema.ts';

let zones: ZonesApl | null = null;
/** The communes' table, read once (the place of a kiosk is told by its commune). */
const communesTable = (): ZonesApl => (zones ??= loadZonesApl());

export type Office = Pick<OfficeRow, 'id' | 'name' | 'address' | 'postcode' | 'city'>;

/**
 * For each application: its office (null when the directory has no office of its kind). Those not sent yet
 * are routed from the kiosk's place, unless `route` is false (then they have none). A transaction is a Kysely too.
 */
export async function officesOf(
  db: Kysely<Database>,
  catalogue: AidCatalogue,
  apps: readonly { id: string; aid_id: string; institution_id: string | null }[],
  kioskId: string | null,
  o: { route: boolean } = { route: true },
): Promise<Map<string, Office | null>> {
  const out = new Map<string, Office | null>();
  const stored = [...new Set(apps.map((a) => a.institution_id).filter((id): id is string => id !== null))];
  const rows = stored.length === 0 ? [] : await db.selectFrom('institutions').select(['id', 'name', 'address', 'postcode', 'city']).where('id', 'in', stored).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  let place: Place | null | undefined;
  const routed = new Map<string, Office | null>();
  for (const app of apps) {
    if (app.institution_id !== null) {
      out.set(app.id, byId.get(app.institution_id) ?? null);
      continue;
    }
    const kind = catalogue.aids.find((a) => a.id === app.aid_id)?.institution;
    if (kind === undefined || !o.route) {
      out.set(app.id, null);
      continue;
    }
    if (!routed.has(kind)) {
      place ??= await placeOfKiosk(db, communesTable(), kioskId);
      const office = await officeFor(db, kind, place);
      routed.set(kind, office ? { id: office.id, name: office.name, address: office.address, postcode: office.postcode, city: office.city } : null);
    }
    out.set(app.id, routed.get(kind) ?? null);
  }
  return out;
}
