/** JSON errors of the HTTP API: `{ error: { code, message } }`; messages are for staff screens (French). */
import type { FastifyReply } from 'fastify';

export type HttpErrorCode = 'unauthorized' | 'invalid' | 'unknown' | 'forbidden' | 'too_large' | 'internal';

export interface HttpError {
  error: { code: HttpErrorCode; message: string };
}

export function httpError(code: HttpErrorCode, message: string): HttpError {
  return { error: { code, message } };
}

export function sendError(reply: FastifyReply, status: number, code: HttpErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(httpError(code, message));
}
