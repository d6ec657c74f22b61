/**
 * Institutions deposit papers themselves: machine credentials per institution for its own systems
 * (OAuth 2.0 client credentials: a client, its secret as a hash only, the short-lived bearer tokens it
 * was given, as hashes too), and the record of each deposit — by a client through the API or by a member
 * of staff in the console — which is also what the person is told at the kiosk (`seen_at`) and what a
 * retried POST finds again (`idempotency_key`, unique per client, with the hash of the request it
 * answered).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0023_institution_deposits';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('institution_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    /** SHA-256 of the secret (256 random bits: a slow hash would add nothing) */
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    /** after a rotation, the former secret keeps working until `previous_secret_until` */
    .addColumn('previous_secret_hash', 'text')
    .addColumn('previous_secret_until', 'text')
    /** space-separated scopes the client may ask for */
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('institution_clients_institution_idx').on('institution_clients').columns(['institution_id']).execute();

  await db.schema
    .createTable('institution_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('institution_clients.id'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('institution_tokens_client_idx').on('institution_tokens').columns(['client_id', 'expires_at']).execute();

  await db.schema
    .createTable('institution_deposits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('institution_id', 'text', (c) => c.notNull().references('institutions.id'))
    /** through the API: the client; in the console: the staff account */
    .addColumn('client_id', 'text', (c) => c.references('institution_clients.id'))
    .addColumn('account_id', 'text', (c) => c.references('staff_accounts.id'))
    .addColumn('idempotency_key', 'text')
    /** SHA-256 of the canonical request the key first answered: the same key with another body is a conflict */
    .addColumn('request_hash', 'text')
    .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** when the person saw the notice at a kiosk (null: still to tell) */
    .addColumn('seen_at', 'text')
    .addCheckConstraint('institution_deposits_by_one', sql`(client_id is null) <> (account_id is null)`)
    .execute();
  await db.schema.createIndex('institution_deposits_key_idx').on('institution_deposits').columns(['client_id', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('institution_deposits_institution_idx').on('institution_deposits').columns(['institution_id', 'created_at']).execute();
  await db.schema.createIndex('institution_deposits_person_idx').on('institution_deposits').columns(['person_id', 'seen_at']).execute();
}
