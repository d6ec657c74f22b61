/**
 * Importing the « Annuaire de l'administration » into the directory, by difference, in one transaction:
 * an office new in the file is added, one whose fields differ is changed (one that says the same is left
 * alone, so kiosks are sent nothing for it), an 'annuaire' entry the file no longer has is removed (its
 * row kept), and local entries are never touched. A file with any error changes nothing. Journaled.
 */
import type { Kysely } from 'kysely';
import type { ActorKind } from '../../kernel/audit.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { DIRECTORY_IMPORT_WORDS as W } from '../../kernel/words/directory.ts';
import { readAnnuaire } from './directory-annuaire.ts';
import { lockDirectory, logChanges, sameFields, setCommunes, toColumns } from './directory.ts';

export interface ImportCounts {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** services of a type the directory does not keep */
  skipped: number;
}

export type ImportOutcome =
  | ({ ok: true; dryRun: boolean; warnings: string[]; total: number } & ImportCounts)
  | { ok: false; errors: string[] };

class DryRun extends Error {}

export async function importAnnuaire(
  db: Kysely<Database>,
  dialect: Dialect,
  json: string,
  o: { actor: { kind: ActorKind; id: string }; dryRun?: boolean; now?: Date },
): Promise<ImportOutcome> {
  const read = readAnnuaire(json);
  if (!read.ok) return read;
  const at = (o.now ?? new Date()).toISOString();
  const counts: ImportCounts = { added: 0, changed: 0, removed: 0, unchanged: 0, skipped: read.skipped };
  const conflicts: string[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      await lockDirectory(trx, dialect);
      const existing = await trx.selectFrom('institutions').selectAll().execute();
      const byId = new Map(existing.map((r) => [r.id, r]));
      const inFile = new Set(read.entries.map((e) => e.id));
      const changes: { id: string; change: 'upsert' | 'remove' }[] = [];
      read.entries.forEach((e, index) => {
        if (byId.get(e.id)?.source === 'local') conflicts.push(W.entry({ index, line: null, id: e.id, name: e.fields.name }, W.localId));
      });
      if (conflicts.length > 0) return;
      for (const e of read.entries) {
        const row = byId.get(e.id);
        const columns = toColumns(e.fields);
        if (!row) {
          await trx.insertInto('institutions').values({ id: e.id, ...columns, source: 'annuaire', annuaire_modified: e.modified, updated_at: at }).execute();
          counts.added++;
        } else if (row.removed_at !== null || !sameFields(row, e.fields)) {
          await trx.updateTable('institutions').set({ ...columns, annuaire_modified: e.modified, updated_at: at, removed_at: null }).where('id', '=', e.id).execute();
          if (row.removed_at !== null) counts.added++;
          else counts.changed++;
        } else {
          if (row.annuaire_modified !== e.modified) await trx.updateTable('institutions').set({ annuaire_modified: e.modified }).where('id', '=', e.id).execute();
          counts.unchanged++;
          continue;
        }
        await setCommunes(trx, e.id, e.fields.communes);
        changes.push({ id: e.id, change: 'upsert' });
      }
      for (const row of existing) {
        if (row.source !== 'annuaire' || row.removed_at !== null || inFile.has(row.id)) continue;
        await trx.updateTable('institutions').set({ removed_at: at, updated_at: at }).where('id', '=', row.id).execute();
        await setCommunes(trx, row.id, []);
        changes.push({ id: row.id, change: 'remove' });
        counts.removed++;
      }
      await logChanges(trx, changes, at);
      await appendAudit(trx, dialect, {
        actor: o.actor,
        action: 'directory.import',
        subjectPersonId: null,
        documentId: null,
        ground: 'staff-administration',
        detail: { ...counts, warnings: read.warnings.length, entries: read.total },
        at,
      });
      if (o.dryRun) throw new DryRun();
    });
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  if (conflicts.length > 0) return { ok: false, errors: conflicts };
  return { ok: true, dryRun: o.dryRun === true, warnings: read.warnings, total: read.total, ...counts };
}
