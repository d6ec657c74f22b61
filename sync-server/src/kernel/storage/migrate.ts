/** Runs the numbered migrations, from a static list (no folder scan), on either dialect. */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider, MigrationResultSet } from 'kysely';
import type { Dialect } from './database.ts';
import * as m0001 from './migrations/0001_init.ts';
import * as m0002 from './migrations/0002_card_issuance.ts';
import * as m0003 from './migrations/0003_kiosk_devices.ts';
import * as m0004 from './migrations/0004_vault.ts';
import * as m0005 from './migrations/0005_vault_search_prefixes.ts';
import * as m0006 from './migrations/0006_applications.ts';
import * as m0007 from './migrations/0007_dossiers.ts';
import * as m0008 from './migrations/0008_console_login_failures.ts';
import * as m0009 from './migrations/0009_piece_chosen_at.ts';
import * as m0010 from './migrations/0010_refused_mutations.ts';
import * as m0011 from './migrations/0011_login_failures_by_address.ts';
import * as m0012 from './migrations/0012_blob_upload_activity.ts';
import * as m0013 from './migrations/0013_refused_blobs.ts';
import * as m0014 from './migrations/0014_decision_terms.ts';
import * as m0015 from './migrations/0015_holder_answer.ts';
import * as m0016 from './migrations/0016_structures_agents.ts';
import * as m0017 from './migrations/0017_procurations.ts';
import * as m0018 from './migrations/0018_checklist_adjustments.ts';
import * as m0019 from './migrations/0019_search_scope_tokens.ts';
import * as m0020 from './migrations/0020_deposited_by.ts';
import * as m0021 from './migrations/0021_institution_roles_inbox.ts';
import * as m0022 from './migrations/0022_directory.ts';
import * as m0023 from './migrations/0023_institution_deposits.ts';
import * as m0024 from './migrations/0024_application_office.ts';
import * as m0025 from './migrations/0025_local_entry_owner.ts';
import type { Database } from './schema.ts';

interface NumberedMigration {
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** In order. Append new migrations here; never edit or reorder an existing one. */
export const MIGRATIONS: readonly NumberedMigration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015, m0016, m0017, m0018, m0019, m0020, m0021, m0022, m0023, m0024, m0025];

function provider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const m of MIGRATIONS) out[m.name] = { up: (db) => m.up(db, dialect) };
      return out;
    },
  };
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the latest migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, results);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
