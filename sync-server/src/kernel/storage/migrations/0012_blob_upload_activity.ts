/**
 * When an upload last showed life (a byte received, its offset asked): an upload the kiosk abandoned
 * (killed, or started anew) stops counting against the kiosk's limit of uploads in progress after a few
 * minutes of silence, instead of holding its slot until the day-long cleanup. Rows written before this
 * migration count from their creation.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0012_blob_upload_activity';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('blob_uploads').addColumn('touched_at', 'text').execute();
  await db.schema.createIndex('blob_uploads_kiosk_sha').on('blob_uploads').columns(['kiosk_id', 'sha256']).execute();
}
