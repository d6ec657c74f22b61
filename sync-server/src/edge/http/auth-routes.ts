/**
 * The kiosk's unauthenticated HTTP entry points, all JSON, all validated:
 *  - `POST /sync/enroll`: register a device key with a one-time code → the kiosk's id and name;
 *  - `POST /sync/auth/challenge`: a fresh challenge bound to a kiosk id (costs no database write);
 *  - `POST /sync/auth/token`: a signed challenge → a short-lived session token for blob uploads.
 * Refusals are typed (`{ error: { code, message } }`): 400 invalid, 401 unauthorized, 403 forbidden
 * (revoked kiosk, or an enrollment code that is unknown, expired or used).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ChallengeRequest, CHALLENGE_PATH, ENROLL_PATH, EnrollRequest, KioskHandshake, TOKEN_PATH } from '../../../protocol/socket.ts';
import type { ChallengeResponse, EnrollResponse, TokenResponse } from '../../../protocol/socket.ts';
import { sendError } from './errors.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Challenges } from '../../features/fleet/index.ts';
import { redeemEnrollment } from '../../features/fleet/index.ts';
import { issueSessionToken, verifySignedChallenge } from '../../features/fleet/index.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';

export interface AuthRoutesDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  challenges: Challenges;
  /** a kiosk registered a new key: connections of its previous device must go */
  onKeyReplaced?: (kioskId: string) => void;
}

const BODY_LIMIT = 4096;

export async function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const { db, dialect, challenges } = deps;

  app.post(ENROLL_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = EnrollRequest.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badEnrollment);
    const outcome = await redeemEnrollment(db, dialect, body.data);
    if (!outcome.ok) {
      request.log.warn({ reason: outcome.reason }, 'kiosk enrollment refused');
      return outcome.reason === 'invalid'
        ? sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskKey)
        : sendError(reply, 403, 'forbidden', HTTP_ANSWER.badEnrollmentCode);
    }
    request.log.info({ kioskId: outcome.kioskId, replacedKey: outcome.replacedKey }, 'kiosk enrolled');
    if (outcome.replacedKey) deps.onKeyReplaced?.(outcome.kioskId);
    const answer: EnrollResponse = { kioskId: outcome.kioskId, name: outcome.name, institutionId: outcome.institutionId };
    return answer;
  });

  app.post(CHALLENGE_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = ChallengeRequest.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badKioskId);
    const answer: ChallengeResponse = challenges.issue(body.data.kioskId);
    return reply.header('cache-control', 'no-store').send(answer);
  });

  app.post(TOKEN_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = KioskHandshake.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badTokenRequest);
    const check = await verifySignedChallenge(db, challenges, body.data, 'token');
    if (!check.ok) {
      request.log.warn({ kioskId: body.data.kioskId, reason: check.reason }, 'kiosk token refused');
      return check.reason === 'revoked'
        ? sendError(reply, 403, 'forbidden', HTTP_ANSWER.kioskRevoked)
        : sendError(reply, 401, 'unauthorized', HTTP_ANSWER.badKioskSignature);
    }
    const answer: TokenResponse = await issueSessionToken(db, check);
    return reply.header('cache-control', 'no-store').send(answer);
  });
}
