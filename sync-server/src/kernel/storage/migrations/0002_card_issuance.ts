/**
 * Card issuance and revocation: what the cards table learns at issuance (certificate, role, validity)
 * and at revocation (when, why, replaced by which card); the signed revocation lists, one row per
 * version; and the server → kiosk pushes with their acknowledgements.
 * SQLite's ALTER TABLE adds one column per statement, hence one statement each.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0002_card_issuance';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('cards').addColumn('certificate_serial', 'text').execute();
  await db.schema
    .alterTable('cards')
    .addColumn('role', 'text', (c) => c.check(sql`role is null or role in ('beneficiary', 'agent')`))
    .execute();
  await db.schema.alterTable('cards').addColumn('not_after', 'text').execute();
  await db.schema.alterTable('cards').addColumn('revoked_at', 'text').execute();
  await db.schema
    .alterTable('cards')
    .addColumn('revocation_reason', 'text', (c) =>
      c.check(sql`revocation_reason is null or revocation_reason in ('lost', 'stolen', 'replaced', 'deceased', 'other')`),
    )
    .execute();
  await db.schema.alterTable('cards').addColumn('replaced_by', 'text').execute();

  await db.schema
    .createTable('revocation_lists')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    /** canonical JSON of the signed list, exactly as pushed */
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kiosk_pushes')
    .addColumn('push_id', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text', (c) => c.notNull().references('kiosks.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    /** the version of what is pushed (revocation list version) */
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** last time it was sent */
    .addColumn('sent_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acked_at', 'text')
    /** the kiosk's refusal, or why its acknowledgement was not accepted */
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('kiosk_pushes_kiosk_kind').on('kiosk_pushes').columns(['kiosk_id', 'kind', 'version']).execute();
}
