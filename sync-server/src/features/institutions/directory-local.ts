/**
 * Local entries of the directory: the offices the public annuaire does not list (a CMS, an association,
 * a France Services it does not have yet), added, changed and removed by staff (staff API, CLI), each
 * change journaled and written to the change log kiosks follow. Entries from the annuaire are not
 * changed here: the next import would undo it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { Institution } from '../../../protocol/vault.ts';
import type { ActorKind } from '../../kernel/audit.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { DIRECTORY_LOCAL_WORDS as W } from '../../kernel/words/directory.ts';
import { lockDirectory, logChanges, sameFields, setCommunes, toColumns, toInstitution } from './directory.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

/** What staff give for a local entry (unknown keys refused). */
export const LocalEntryInput = z.strictObject({
  kind: z.string().trim().regex(/^[a-z][a-z-]{1,39}$/, 'a-z et -'),
  name: Text(200),
  address: Text(300),
  postcode: z.string().trim().regex(/^\d{5}$/, W.postcode),
  city: Text(100),
  lat: Institution.shape.lat.default(null),
  lon: Institution.shape.lon.default(null),
  phone: Text(40).optional(),
  email: z.email().max(200).optional(),
  website: z.url({ protocol: /^https?$/ }).max(500).optional(),
  hours: Institution.shape.hours,
  hoursNote: Text(500).optional(),
  communes: Institution.shape.communes,
}).refine((e) => (e.lat === null) === (e.lon === null), { message: W.pairedCoordinates, path: ['lat'] })
  .refine((e) => (e.hours ?? []).every((h) => h.opens < h.closes), { message: W.closesAfterOpens, path: ['hours'] });
export type LocalEntryInput = z.infer<typeof LocalEntryInput>;

/** A local entry's id, when staff choose it. */
export const LocalEntryId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/);

export type LocalOutcome =
  | { ok: true; institution: Institution; changed: boolean }
  | { ok: false; code: 'invalid' | 'exists' | 'unknown' | 'not-local' | 'not-yours'; message: string };

type Actor = { kind: ActorKind; id: string };
/** A structure's admin acting in the console: they add entries for their structure and change only those. Null: the platform's staff. */
type Owner = { structureId: string } | null;

/** A structure's admin may change only what their structure added; the platform's staff, any local entry. */
function notYours(row: { added_by_structure: string | null }, owner: Owner): boolean {
  return owner !== null && row.added_by_structure !== owner.structureId;
}

/** The local entries a structure added, by name (its admin's page in the console). */
export async function localEntriesOf(db: Kysely<Database>, structureId: string): Promise<Institution[]> {
  const rows = await db.selectFrom('institutions').selectAll().where('added_by_structure', '=', structureId).where('removed_at', 'is', null).orderBy('name').orderBy('id').execute();
  return rows.map(toInstitution);
}

/** The first problem of a refused input, in words staff read. */
export function describeLocalInput(error: z.ZodError): string {
  const first = error.issues[0];
  return W.invalid(first ? first.path.join('.') : '', first?.message ?? '');
}

export async function addLocalEntry(db: Kysely<Database>, dialect: Dialect, actor: Actor, input: LocalEntryInput, id: string = `local-${randomUUID()}`, owner: Owner = null): Promise<LocalOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockDirectory(trx, dialect);
    const taken = await trx.selectFrom('institutions').select('id').where('id', '=', id).executeTakeFirst();
    if (taken) return { ok: false as const, code: 'exists' as const, message: W.exists(id) };
    const at = new Date().toISOString();
    const fields = { ...input, source: 'local' as const };
    await trx.insertInto('institutions').values({ id, ...toColumns(fields), source: 'local', updated_at: at, added_by_structure: owner?.structureId ?? null }).execute();
    await setCommunes(trx, id, input.communes);
    await logChanges(trx, [{ id, change: 'upsert' }], at);
    await appendAudit(trx, dialect, { actor, action: 'directory.local.add', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { institutionId: id, name: input.name }, at });
    const row = await trx.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { ok: true as const, institution: toInstitution(row), changed: true };
  });
}

export async function changeLocalEntry(db: Kysely<Database>, dialect: Dialect, actor: Actor, id: string, input: LocalEntryInput, owner: Owner = null): Promise<LocalOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockDirectory(trx, dialect);
    const row = await trx.selectFrom('institutions').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
    if (!row) return { ok: false as const, code: 'unknown' as const, message: W.unknown(id) };
    if (row.source !== 'local') return { ok: false as const, code: 'not-local' as const, message: W.notLocal(id) };
    if (notYours(row, owner)) return { ok: false as const, code: 'not-yours' as const, message: W.notYours };
    const fields = { ...input, source: 'local' as const };
    if (sameFields(row, fields)) return { ok: true as const, institution: toInstitution(row), changed: false };
    const at = new Date().toISOString();
    await trx.updateTable('institutions').set({ ...toColumns(fields), updated_at: at }).where('id', '=', id).execute();
    await setCommunes(trx, id, input.communes);
    await logChanges(trx, [{ id, change: 'upsert' }], at);
    await appendAudit(trx, dialect, { actor, action: 'directory.local.change', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { institutionId: id, name: input.name }, at });
    const after = await trx.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { ok: true as const, institution: toInstitution(after), changed: true };
  });
}

export async function removeLocalEntry(db: Kysely<Database>, dialect: Dialect, actor: Actor, id: string, owner: Owner = null): Promise<LocalOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockDirectory(trx, dialect);
    const row = await trx.selectFrom('institutions').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
    if (!row) return { ok: false as const, code: 'unknown' as const, message: W.unknown(id) };
    if (row.source !== 'local') return { ok: false as const, code: 'not-local' as const, message: W.notLocal(id) };
    if (notYours(row, owner)) return { ok: false as const, code: 'not-yours' as const, message: W.notYours };
    const at = new Date().toISOString();
    await trx.updateTable('institutions').set({ removed_at: at, updated_at: at }).where('id', '=', id).execute();
    await setCommunes(trx, id, []);
    await logChanges(trx, [{ id, change: 'remove' }], at);
    await appendAudit(trx, dialect, { actor, action: 'directory.local.remove', subjectPersonId: null, documentId: null, ground: 'staff-administration', detail: { institutionId: id, name: row.name }, at });
    return { ok: true as const, institution: toInstitution(row), changed: true };
  });
}
