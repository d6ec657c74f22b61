/**
 * Files the server refused at the end of their upload (an image that does not decode, a PDF that does not
 * open within its limits): the bytes are not kept, but the refusal is, by hash, so a mutation that names
 * such a file is refused for good — not answered "missing" for ever, which would hold back every mutation
 * of that kiosk behind it.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export const name = '0013_refused_blobs';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('refused_blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('kiosk_id', 'text')
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('refused_at', 'text', (c) => c.notNull())
    .execute();
}
