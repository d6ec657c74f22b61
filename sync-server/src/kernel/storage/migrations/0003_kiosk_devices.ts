/**
 * Kiosk devices and the sync plumbing of issue #5:
 *  - kiosks get a device public key (ECDSA P-256, registered with a one-time enrollment code) and
 *    their pushed settings; the shared token column stays (NOT NULL in 0001) but no longer opens anything;
 *  - one-time enrollment codes (stored hashed), short-lived session tokens (hashed) for HTTP, used
 *    challenge nonces (replay guard), and server-wide secrets (the challenge MAC key, shared by instances);
 *  - blobs learn who uploaded them and when a mutation first referenced them (orphan cleanup, per-kiosk
 *    limits); uploads in progress are tracked per kiosk;
 *  - pushes carry their body (queued kinds) and their outcome;
 *  - PostgreSQL only: the table of @socket.io/postgres-adapter (payloads over NOTIFY's 8000-byte limit).
 * Every blob that exists before this migration counts as referenced: cleanup never touches older data.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0003_kiosk_devices';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('kiosks').addColumn('public_key', 'text').execute();
  await db.schema.alterTable('kiosks').addColumn('enrolled_at', 'text').execute();
  await db.schema.alterTable('kiosks').addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('kiosks').addColumn('settings_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('kiosk_enrollments')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text', (c) => c.notNull().references('kiosks.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    /** the public key that redeemed the code: the same kiosk retrying after a crash is answered again */
    .addColumn('used_by_key', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kiosk_enrollments_kiosk').on('kiosk_enrollments').column('kiosk_id').execute();

  await db.schema
    .createTable('kiosk_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text', (c) => c.notNull().references('kiosks.id'))
    /** the device key that obtained it: a re-enrolled kiosk's old tokens stop working */
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kiosk_sessions_expiry').on('kiosk_sessions').column('expires_at').execute();

  await db.schema
    .createTable('kiosk_auth_nonces')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kiosk_auth_nonces_expiry').on('kiosk_auth_nonces').column('expires_at').execute();

  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('blobs').addColumn('uploaded_by', 'text').execute();
  await db.schema.alterTable('blobs').addColumn('referenced_at', 'text').execute();
  await sql`UPDATE blobs SET referenced_at = created_at`.execute(db);
  await db.schema.createIndex('blobs_unreferenced').on('blobs').columns(['referenced_at', 'uploaded_by']).execute();

  await db.schema
    .createTable('blob_uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('blob_uploads_kiosk').on('blob_uploads').columns(['kiosk_id', 'finished_at']).execute();

  await db.schema.alterTable('kiosk_pushes').addColumn('body', 'text').execute();
  await db.schema
    .alterTable('kiosk_pushes')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome is null or outcome in ('acked', 'refused')`))
    .execute();
  await db.schema.createIndex('kiosk_pushes_pending').on('kiosk_pushes').columns(['kiosk_id', 'acked_at', 'created_at']).execute();
  // the instances' polling fallback looks for recent pushes nobody sent yet
  await db.schema.createIndex('kiosk_pushes_unsent').on('kiosk_pushes').columns(['sent_at', 'created_at']).execute();

  if (dialect === 'postgres') {
    // the shape @socket.io/postgres-adapter expects (created here so the server needs no DDL at runtime)
    await sql`CREATE TABLE IF NOT EXISTS socket_io_attachments (
      id bigserial UNIQUE,
      created_at timestamptz DEFAULT NOW(),
      payload bytea
    )`.execute(db);
  }
}
