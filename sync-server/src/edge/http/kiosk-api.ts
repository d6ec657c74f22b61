/**
 * Staff HTTP API for kiosks (Bearer FAC_STAFF_TOKEN), next to the other staff routes under /api/staff:
 *  - `POST /kiosks` `{ id, name?, institutionId?, validityHours?, reinstate? }` → a one-time enrollment
 *    code for the kiosk (created if new): `{ kioskId, name, institutionId, code, expiresAt, newKiosk }`;
 *  - `GET /kiosks` → every kiosk with its status;
 *  - `POST /kiosks/:id/revoke` → refused at once, live connections dropped (every instance);
 *  - `PUT /kiosks/:id/settings` `{ displayName?, idleTimeoutS?, idleWarningS?, directoryArea? }` → a new
 *    version, pushed; an area holding more offices than one directory:sync answer carries is refused (422);
 *  - `POST /kiosks/:id/commands` `{ command, reason? }` → an admin command, pushed, carried out once.
 * Input is validated with zod at the edge; errors are `{ error: { code, message } }`.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { KioskId } from '../../../protocol/common.ts';
import { AdminCommand, KioskSettings } from '../../../protocol/socket.ts';
import { createEnrollment, KioskAdminError, kioskStatus, listKiosks, revokeKiosk } from '../../features/fleet/index.ts';
import { countOffices, DIRECTORY_SYNC_MAX } from '../../features/institutions/index.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';
import { sendError } from './errors.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { PushService } from '../socket/pushes.ts';
import { requireStaffToken } from './staff-auth.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';

export interface KioskApiDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  staffToken: string;
  pushes: PushService;
  /** drops a kiosk's live connections on every instance */
  dropKiosk(kioskId: string): void;
}

const ACTOR = { kind: 'staff', id: 'staff-api' } as const;

const EnrollBody = z.strictObject({
  id: KioskId,
  name: z.string().trim().min(1).max(200).optional(),
  institutionId: z.string().min(1).max(64).nullable().optional(),
  validityHours: z.number().min(0.02).max(720).optional(),
  reinstate: z.boolean().optional(),
});
const KioskParams = z.object({ id: KioskId });

export async function registerKioskStaffApi(app: FastifyInstance, deps: KioskApiDeps): Promise<void> {
  const { db, dialect } = deps;
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', requireStaffToken(deps.staffToken));

      scope.post('/kiosks', async (request, reply) => {
        const body = EnrollBody.safeParse(request.body ?? {});
        if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskRequest);
        try {
          const created = await createEnrollment(db, dialect, {
            kioskId: body.data.id,
            ...(body.data.name !== undefined ? { name: body.data.name } : {}),
            ...(body.data.institutionId !== undefined ? { institutionId: body.data.institutionId } : {}),
            ...(body.data.validityHours !== undefined ? { ttlMs: Math.round(body.data.validityHours * 3_600_000) } : {}),
            reinstate: body.data.reinstate === true,
            actor: ACTOR,
          });
          return reply.code(201).header('cache-control', 'no-store').send(created);
        } catch (e) {
          if (e instanceof KioskAdminError) {
            if (e.code === 'revoked') return sendError(reply, 409, 'forbidden', HTTP_ANSWER.revokedKiosk);
            if (e.code === 'unknown-institution') return sendError(reply, 400, 'invalid', HTTP_ANSWER.institutionUnknown);
            return sendError(reply, 400, 'invalid', HTTP_ANSWER.kioskNeedsName);
          }
          throw e;
        }
      });

      scope.get('/kiosks', async () => ({ kiosks: await listKiosks(db) }));

      scope.post('/kiosks/:id/revoke', async (request, reply) => {
        const params = KioskParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskId);
        try {
          const r = await revokeKiosk(db, dialect, { kioskId: params.data.id, actor: ACTOR });
          deps.dropKiosk(params.data.id);
          return r;
        } catch (e) {
          if (e instanceof KioskAdminError && e.code === 'unknown-kiosk') return sendError(reply, 404, 'unknown', HTTP_ANSWER.kioskUnknown);
          throw e;
        }
      });

      scope.put('/kiosks/:id/settings', async (request, reply) => {
        const params = KioskParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskId);
        const body = KioskSettings.safeParse(request.body ?? {});
        if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badSettings);
        // an area whose offices do not fit in one sync answer is refused before the kiosk is told
        if (body.data.directoryArea) {
          const offices = await countOffices(db, body.data.directoryArea);
          if (offices > DIRECTORY_SYNC_MAX) return sendError(reply, 422, 'too_large', SOCKET_ANSWER.directoryTooLarge(offices, DIRECTORY_SYNC_MAX));
        }
        const r = await deps.pushes.setSettings(params.data.id, body.data);
        if (!r) return sendError(reply, 404, 'unknown', HTTP_ANSWER.kioskUnknown);
        return r;
      });

      scope.post('/kiosks/:id/commands', async (request, reply) => {
        const params = KioskParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskId);
        const body = AdminCommand.safeParse(request.body ?? {});
        if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badCommand);
        if ((await kioskStatus(db, params.data.id)) === 'unknown') return sendError(reply, 404, 'unknown', HTTP_ANSWER.kioskUnknown);
        const pushId = await deps.pushes.queue(params.data.id, 'admin-command', body.data);
        return reply.code(202).send({ pushId });
      });
    },
    { prefix: '/api/staff' },
  );
}
