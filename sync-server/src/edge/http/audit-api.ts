/**
 * The audit journal's health for staff (Bearer FAC_STAFF_TOKEN): the last verification (chain recomputed
 * and compared with the signed checkpoints) and the last checkpoint; a verification on demand.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../jobs/audit-trail.ts';
import { requireStaffToken } from './staff-auth.ts';

export async function registerAuditApi(app: FastifyInstance, deps: { staffToken: string; trail: AuditTrail }): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', requireStaffToken(deps.staffToken));
      scope.get('/', async () => deps.trail.status());
      // the whole journal is read: one at a time, answered when it is done
      scope.post('/verify', async () => deps.trail.verifyNow());
    },
    { prefix: '/api/staff/audit' },
  );
}
