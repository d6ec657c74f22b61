/** `GET /health`: no authentication, says which database is in use and whether it answers. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { databaseAnswers } from '../../kernel/storage/database.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export function registerHealth(app: FastifyInstance, db: Kysely<Database>, dialect: Dialect): void {
  app.get('/health', async (_request, reply) => {
    if (await databaseAnswers(db)) return { ok: true, db: dialect };
    return reply.code(503).send({ ok: false, db: dialect });
  });
}
