/**
 * The institutions the platform knows: where a person can get a paper, who a paper or a letter goes to.
 * Entries come from the public « Annuaire de l'administration » (directory-import.ts) or from staff
 * (directory-local.ts, and the seed); every change is written to the change log kiosks follow
 * (directory:sync, `syncDirectory`). An office removed keeps its row, marked `removed_at`: papers,
 * messages and requests still name it, but the directory no longer lists it.
 */
import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import { CommuneCode, OpeningSlot } from '../../../protocol/vault.ts';
import type { DirectorySyncAck, Institution } from '../../../protocol/vault.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database, InstitutionsTable } from '../../kernel/storage/schema.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';
import { areaPrefixes, inArea } from '../../../protocol/departement.ts';
import { areaTag, countOffices, whereInArea } from './directory-area.ts';

/** An arbitrary constant naming the PostgreSQL advisory lock that serializes the directory's writers. */
const DIRECTORY_LOCK_KEY = 7_390_022;
/** The most entries one sync answer carries (the protocol's bound). */
export const DIRECTORY_SYNC_MAX = 20_000;
const CURSOR = /^(?:d1\.(\d{1,15})|d2\.(\d{1,15})\.([a-z0-9]{1,16}))$/;

type Row = Selectable<InstitutionsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** What the directory holds of an office, without its id: compared field by field to tell a change. */
export type InstitutionFields = Omit<Institution, 'id'>;

const Hours = z.array(OpeningSlot);
const Communes = z.array(CommuneCode);

function parseJson<T>(schema: z.ZodType<T>, text: string | null): T | undefined {
  if (text === null) return undefined;
  const parsed = schema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export function toInstitution(r: Row): Institution {
  const hours = parseJson(Hours, r.hours);
  const communes = parseJson(Communes, r.communes);
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    address: r.address,
    postcode: r.postcode,
    city: r.city,
    lat: r.lat,
    lon: r.lon,
    ...(r.phone !== null ? { phone: r.phone } : {}),
    ...(r.email !== null ? { email: r.email } : {}),
    ...(r.website !== null ? { website: r.website } : {}),
    ...(hours && hours.length > 0 ? { hours } : {}),
    ...(r.hours_note !== null ? { hoursNote: r.hours_note } : {}),
    ...(communes && communes.length > 0 ? { communes } : {}),
    source: r.source,
  };
}

/** The columns an entry's fields are stored in (the JSON ones canonical, so equal data is equal text). */
export type InstitutionColumns = Omit<Row, 'id' | 'source' | 'annuaire_modified' | 'updated_at' | 'removed_at' | 'added_by_structure'>;

export function toColumns(f: InstitutionFields): InstitutionColumns {
  return {
    kind: f.kind,
    name: f.name,
    address: f.address,
    postcode: f.postcode,
    city: f.city,
    lat: f.lat,
    lon: f.lon,
    phone: f.phone ?? null,
    email: f.email ?? null,
    website: f.website ?? null,
    hours: f.hours && f.hours.length > 0 ? canonicalJson(f.hours) : null,
    hours_note: f.hoursNote ?? null,
    communes: f.communes && f.communes.length > 0 ? canonicalJson([...new Set(f.communes)].sort()) : null,
  };
}

/** Whether a stored row already says exactly what `f` says (then an import leaves it alone). */
export function sameFields(r: Row, f: InstitutionFields): boolean {
  const c = toColumns(f);
  return (Object.keys(c) as (keyof typeof c)[]).every((k) => r[k] === c[k]);
}

/**
 * Serializes the directory's writers inside their transaction, so change-log numbers are given in commit
 * order (a kiosk never skips a change committed late): an advisory lock in PostgreSQL; SQLite
 * transactions are serialized already.
 */
export async function lockDirectory(trx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${DIRECTORY_LOCK_KEY})`.execute(trx);
}

/** Appends to the change log, in the writer's transaction (after `lockDirectory`). */
export async function logChanges(trx: Transaction<Database>, changes: readonly { id: string; change: 'upsert' | 'remove' }[], at: string): Promise<void> {
  if (changes.length === 0) return;
  const last = await trx.selectFrom('directory_changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  let seq = Number(last?.seq ?? 0);
  for (let i = 0; i < changes.length; i += 500) {
    const rows = changes.slice(i, i + 500).map((c) => ({ seq: ++seq, institution_id: c.id, change: c.change, at }));
    await trx.insertInto('directory_changes').values(rows).execute();
  }
}

/** Replaces the communes an entry serves, for the search. */
export async function setCommunes(trx: Transaction<Database>, id: string, communes: readonly string[] | undefined): Promise<void> {
  await trx.deleteFrom('institution_communes').where('institution_id', '=', id).execute();
  const unique = [...new Set(communes ?? [])];
  for (let i = 0; i < unique.length; i += 500) {
    await trx.insertInto('institution_communes').values(unique.slice(i, i + 500).map((commune) => ({ institution_id: id, commune }))).execute();
  }
}

/** The directory as it stands (offices removed left out), by name; only the offices of `area` when one is given. */
export async function listInstitutions(db: Db, area: readonly string[] | null = null): Promise<Institution[]> {
  let q = db.selectFrom('institutions').selectAll().where('removed_at', 'is', null);
  if (area !== null) q = q.where(whereInArea(areaPrefixes(area)));
  const rows = await q.orderBy('name').orderBy('id').execute();
  return rows.map(toInstitution);
}

/** An office the directory lists now (null when unknown or removed): who a letter may be written to. */
export async function listedInstitution(db: Db, id: string): Promise<Institution | null> {
  const row = await db.selectFrom('institutions').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
  return row ? toInstitution(row) : null;
}

/** One entry, removed or not (null when the id was never known). */
export async function findInstitution(db: Db, id: string): Promise<(Institution & { removed: boolean }) | null> {
  const row = await db.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...toInstitution(row), removed: row.removed_at !== null } : null;
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

/** Demo and test data: inserts the institutions that are missing (local entries); counts what was inserted. */
export async function seedInstitutions(db: Kysely<Database> | Transaction<Database>, institutions: readonly SeedInstitution[]): Promise<number> {
  const run = async (trx: Transaction<Database>): Promise<number> => {
    const now = new Date().toISOString();
    const added: { id: string; change: 'upsert' }[] = [];
    for (const inst of institutions) {
      const r = await trx
        .insertInto('institutions')
        .values({ id: inst.id, kind: inst.kind, name: inst.name, address: inst.address, city: inst.city, postcode: inst.postcode, lat: inst.lat ?? null, lon: inst.lon ?? null, source: 'local', updated_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) added.push({ id: inst.id, change: 'upsert' });
    }
    // a kiosk that synced before the seed learns of its entries too
    await logChanges(trx, added, now);
    return added.length;
  };
  return db.isTransaction ? run(db as Transaction<Database>) : (db as Kysely<Database>).transaction().execute(run);
}

/**
 * The cursor a kiosk sends back next time: the last change it has seen, and the tag of the area it was
 * given (`d2.<seq>.<tag>`). The cursors given before areas existed (`d1.<seq>`) were for the whole directory.
 */
function cursorOf(seq: number, tag: string): string {
  return `d2.${seq}.${tag}`;
}

function readCursor(cursor: string | null): { since: number; tag: string } | null {
  const m = cursor === null ? null : CURSOR.exec(cursor);
  if (!m) return null;
  return { since: Number(m[1] ?? m[2]), tag: m[3] ?? 'all' };
}

/** An area whose offices do not fit in one answer: the kiosk is refused, and keeps the copy it has. */
export interface DirectoryTooLarge {
  ok: false;
  error: { code: 'too-large'; message: string };
  /** how many offices the area holds, and the most one answer carries */
  offices: number;
  max: number;
}

function tooLarge(offices: number): DirectoryTooLarge {
  return { ok: false, error: { code: 'too-large', message: SOCKET_ANSWER.directoryTooLarge(offices, DIRECTORY_SYNC_MAX) }, offices, max: DIRECTORY_SYNC_MAX };
}

/**
 * What a kiosk needs to bring its copy of its area up to date (directory:sync; `area` null: the whole
 * directory). The difference since its cursor when the change log still holds everything after it and
 * the cursor is of the same area; otherwise (no cursor, one we never gave, one older than the log, one of
 * another area, or more changes than one answer carries) the whole area, `full`. An area holding more
 * offices than one answer carries is refused (`too-large`), never cut.
 */
export async function syncDirectory(db: Kysely<Database>, cursor: string | null, area: readonly string[] | null = null): Promise<Extract<DirectorySyncAck, { ok: true }> | DirectoryTooLarge> {
  const tag = areaTag(area);
  const prefixes = area === null ? null : areaPrefixes(area);
  return db.transaction().execute(async (trx) => {
    const bounds = await trx
      .selectFrom('directory_changes')
      .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
      .executeTakeFirst();
    const first = bounds?.first === null || bounds?.first === undefined ? null : Number(bounds.first);
    const last = bounds?.last === null || bounds?.last === undefined ? 0 : Number(bounds.last);
    const read = readCursor(cursor);
    const since = read !== null && read.tag === tag ? read.since : null;
    const usable = since !== null && since <= last && (first === null || since >= first - 1);
    if (usable) {
      const changed = await trx
        .selectFrom('directory_changes')
        .select('institution_id')
        .distinct()
        .where('seq', '>', since)
        .limit(DIRECTORY_SYNC_MAX + 1)
        .execute();
      if (changed.length <= DIRECTORY_SYNC_MAX) {
        const ids = changed.map((c) => c.institution_id);
        // a copy that grew past the bound by differences would be refused at its next whole answer: refused now
        if (ids.length > 0) {
          const offices = await countOffices(trx, area);
          if (offices > DIRECTORY_SYNC_MAX) return tooLarge(offices);
        }
        const rows = ids.length === 0 ? [] : await trx.selectFrom('institutions').selectAll().where('id', 'in', ids).execute();
        const present = rows.filter((r) => r.removed_at === null).map(toInstitution).filter((i) => prefixes === null || inArea(i, prefixes));
        const kept = new Set(present.map((i) => i.id));
        // Every other changed entry is named as removed: gone from the directory, or out of the area now.
        // Whether the kiosk held it the server cannot tell (it keeps no former versions); an id the
        // kiosk never had costs it nothing to drop.
        return {
          ok: true as const,
          cursor: cursorOf(last, tag),
          full: false,
          institutions: present,
          removed: ids.filter((id) => !kept.has(id)).sort(),
        };
      }
    }
    const offices = await countOffices(trx, area);
    if (offices > DIRECTORY_SYNC_MAX) return tooLarge(offices);
    let q = trx.selectFrom('institutions').selectAll().where('removed_at', 'is', null);
    if (prefixes !== null) q = q.where(whereInArea(prefixes));
    // counted again as read: offices added between the count and this read never make an answer overflow
    const rows = await q.orderBy('name').orderBy('id').limit(DIRECTORY_SYNC_MAX + 1).execute();
    if (rows.length > DIRECTORY_SYNC_MAX) return tooLarge(rows.length);
    return { ok: true as const, cursor: cursorOf(last, tag), full: true, institutions: rows.map(toInstitution), removed: [] };
  });
}

/**
 * Forgets the change log older than `olderThanDays`, always keeping its last row (the cursor it gives
 * must stay meaningful); a kiosk whose cursor is older then gets the whole directory. Counts rows deleted.
 */
export async function pruneDirectoryChanges(db: Kysely<Database>, olderThanDays = 180, now: Date = new Date()): Promise<number> {
  const before = new Date(now.getTime() - olderThanDays * 86_400_000).toISOString();
  const last = await db.selectFrom('directory_changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  if (last?.seq === null || last?.seq === undefined) return 0;
  const r = await db.deleteFrom('directory_changes').where('at', '<', before).where('seq', '<', Number(last.seq)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
