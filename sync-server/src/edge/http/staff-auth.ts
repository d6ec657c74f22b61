/** The staff API's gate: a `Bearer` token compared in constant time; shared by every staff route group. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from '../../kernel/secrets.ts';
import { sendError } from './errors.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer (\S{1,512})$/.exec(header ?? '');
  return m ? m[1]! : null;
}

/** An `onRequest` hook that answers 401 unless the request carries the staff token. */
export function requireStaffToken(staffToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const token = bearer(request.headers.authorization);
    if (token === null || !sameSecret(token, staffToken)) {
      return sendError(reply, 401, 'unauthorized', HTTP_ANSWER.badStaffToken);
    }
    return undefined;
  };
}
