/**
 * The institutions' API, for their own systems (versioned under /api/institutions/v1):
 *
 * - `POST /token` — OAuth 2.0 client credentials (RFC 6749 §4.4): HTTP Basic with the client's id and
 *   secret (`client_secret_basic`), form `grant_type=client_credentials[&scope=deposits:write]`; answers
 *   `{ access_token, token_type: "Bearer", expires_in, scope }`, or the RFC's `{ error, error_description }`
 *   (401 with `WWW-Authenticate: Basic` for bad credentials).
 * - `POST /deposits` — `Authorization: Bearer <token>` with the scope `deposits:write`, `Idempotency-Key`
 *   header, JSON body (features/institutions DepositRequest, the file in base64): puts the paper in the
 *   person's institutional vault. 201 `{ depositId, documentId, sha256, title, receivedAt }`; the same key
 *   and body again: 200 and the same answer (`Idempotent-Replayed: true`), nothing stored twice; the same
 *   key with another body: 409. Errors `{ error: { code, message } }` (RFC 6750 for the token: 401
 *   `WWW-Authenticate: Bearer … error="invalid_token"`, 403 `insufficient_scope`).
 *
 * No SQL here: the edge reads the credentials, parses, and calls the feature.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { clientOfToken, DEPOSIT_SCOPE, depositForInstitution, DepositRequest, grantToken, MAX_ISSUED_FILE_BYTES } from '../../features/institutions/index.ts';
import type { DepositOutcome, TokenHolder } from '../../features/institutions/index.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Kysely } from 'kysely';
import { DEPOSIT_API_ANSWER, FIELD_PROBLEM } from '../../kernel/words/deposits.ts';

export const INSTITUTION_API_PREFIX = '/api/institutions/v1';
const REALM = 'facilitateur-institutions';
/** the JSON body: the file's base64 (4/3 of 15 MB) and room for the other fields */
export const DEPOSIT_BODY_LIMIT = Math.ceil((MAX_ISSUED_FILE_BYTES * 4) / 3) + 64 * 1024;
const TOKEN_BODY_LIMIT = 4 * 1024;
/** the IETF draft's key: visible ASCII, at most 128 characters here (a UUID fits) */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

export interface InstitutionApiDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  pdf: PdfPool;
  catalogue?: AidCatalogue;
}

type ApiCode = 'unauthorized' | 'forbidden' | 'invalid' | 'unknown' | 'too_large' | 'conflict' | 'busy' | 'internal';

function fail(reply: FastifyReply, status: number, code: ApiCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send({ error: { code, message } });
}

/** RFC 6749 §5.2: the token endpoint's errors. */
function oauthFail(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  if (status === 401) void reply.header('www-authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
  return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').header('pragma', 'no-cache').send({ error, error_description: description });
}

/** RFC 6750 §3: the bearer token's refusals say why in `WWW-Authenticate`. */
function bearerFail(reply: FastifyReply, status: 401 | 403, error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | null, message: string): FastifyReply {
  const parts = [`Bearer realm="${REALM}"`];
  if (error !== null) parts.push(`error="${error}"`);
  if (error === 'insufficient_scope') parts.push(`scope="${DEPOSIT_SCOPE}"`);
  void reply.header('www-authenticate', parts.join(', '));
  return fail(reply, status, status === 401 ? 'unauthorized' : 'forbidden', message);
}

/** RFC 6749 §2.3.1: id and secret are form-encoded, then joined with a colon and base64-encoded. */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | null {
  const m = /^Basic ([A-Za-z0-9+/]{1,1024}={0,2})$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return null;
  }
}

function bearer(header: string | undefined): string | null | 'malformed' {
  if (header === undefined || header === '') return null;
  const m = /^Bearer ([A-Za-z0-9._~+/-]{1,512}=*)$/.exec(header);
  return m ? m[1]! : 'malformed';
}

class TokenForm {
  constructor(readonly fields: URLSearchParams) {}
}

function depositRefusal(reply: FastifyReply, outcome: Exclude<DepositOutcome, { ok: true }>): FastifyReply {
  switch (outcome.code) {
    case 'conflict':
      return fail(reply, 409, 'conflict', DEPOSIT_API_ANSWER.keyReused);
    case 'unknown':
      return fail(reply, 404, 'unknown', DEPOSIT_API_ANSWER.personUnknown);
    case 'too_large':
      return fail(reply, 413, 'too_large', DEPOSIT_API_ANSWER.tooLarge);
    case 'busy':
      void reply.header('retry-after', '30');
      return fail(reply, 503, 'busy', DEPOSIT_API_ANSWER.busy);
    case 'forbidden':
      return fail(reply, 403, 'forbidden', DEPOSIT_API_ANSWER.refused);
    case 'invalid':
      return fail(reply, 422, 'invalid', outcome.message);
  }
}

export async function registerInstitutionApi(app: FastifyInstance, deps: InstitutionApiDeps): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT }, (_request, body, done) => {
        done(null, new TokenForm(new URLSearchParams(String(body))));
      });

      scope.setErrorHandler((err: { statusCode?: number; code?: string }, request, reply) => {
        const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
        if (status >= 500) request.log.error({ err }, 'institution api request failed');
        if (status === 413) return fail(reply, 413, 'too_large', DEPOSIT_API_ANSWER.tooLarge);
        if (status === 415 || status === 400) return fail(reply, status, 'invalid', DEPOSIT_API_ANSWER.notJson);
        if (status >= 500) return fail(reply, 500, 'internal', DEPOSIT_API_ANSWER.internal);
        return fail(reply, status, 'invalid', DEPOSIT_API_ANSWER.notJson);
      });
      scope.setNotFoundHandler((_request, reply) => fail(reply, 404, 'unknown', DEPOSIT_API_ANSWER.notFound));

      scope.post('/token', { bodyLimit: TOKEN_BODY_LIMIT }, async (request, reply) => {
        const credentials = basicCredentials(request.headers.authorization);
        if (credentials === null) return oauthFail(reply, 401, 'invalid_client', DEPOSIT_API_ANSWER.badClient);
        if (!(request.body instanceof TokenForm)) return oauthFail(reply, 400, 'invalid_request', DEPOSIT_API_ANSWER.badTokenRequest);
        const form = request.body.fields;
        // RFC 6749 §3.2: no parameter may be sent twice
        if (['grant_type', 'scope'].some((k) => form.getAll(k).length > 1)) return oauthFail(reply, 400, 'invalid_request', DEPOSIT_API_ANSWER.badTokenRequest);
        if (form.get('grant_type') !== 'client_credentials') return oauthFail(reply, 400, 'unsupported_grant_type', DEPOSIT_API_ANSWER.unsupportedGrant);
        const grant = await grantToken(deps.db, { clientId: credentials.clientId, secret: credentials.secret, scope: form.get('scope') });
        if (!grant.ok) {
          request.log.info({ clientId: credentials.clientId.slice(0, 80), error: grant.error }, 'institution token refused');
          return grant.error === 'invalid_client' ? oauthFail(reply, 401, 'invalid_client', DEPOSIT_API_ANSWER.badClient) : oauthFail(reply, 400, 'invalid_scope', DEPOSIT_API_ANSWER.badScope);
        }
        request.log.info({ clientId: credentials.clientId }, 'institution token granted');
        return reply
          .header('cache-control', 'no-store')
          .header('pragma', 'no-cache')
          .send({ access_token: grant.accessToken, token_type: 'Bearer', expires_in: grant.expiresIn, scope: grant.scope });
      });

      /** The client behind each request's bearer token, once checked. */
      const holders = new WeakMap<FastifyRequest, TokenHolder>();

      /** An `onRequest` hook: the token is checked before the body is read, so a stranger's 20 MB are never buffered. */
      async function requireDepositScope(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
        const token = bearer(request.headers.authorization);
        if (token === null) return bearerFail(reply, 401, null, DEPOSIT_API_ANSWER.noToken);
        if (token === 'malformed') return bearerFail(reply, 401, 'invalid_request', DEPOSIT_API_ANSWER.noToken);
        const holder = await clientOfToken(deps.db, token);
        if (holder === null) return bearerFail(reply, 401, 'invalid_token', DEPOSIT_API_ANSWER.badToken);
        if (!holder.scopes.includes(DEPOSIT_SCOPE)) return bearerFail(reply, 403, 'insufficient_scope', DEPOSIT_API_ANSWER.noScope);
        holders.set(request, holder);
        return undefined;
      }

      scope.post('/deposits', { bodyLimit: DEPOSIT_BODY_LIMIT, onRequest: requireDepositScope }, async (request, reply) => {
        const holder = holders.get(request);
        if (!holder) return fail(reply, 401, 'unauthorized', DEPOSIT_API_ANSWER.noToken);
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) return fail(reply, 400, 'invalid', DEPOSIT_API_ANSWER.noKey);
        const body = DepositRequest.safeParse(request.body);
        if (!body.success) {
          const first = body.error.issues[0];
          const where = first ? (first.code === 'unrecognized_keys' ? first.keys.join(', ') : first.path.join('.')) : '';
          // our own checks (the identifier's) speak French already; zod's own words are English
          const what = first ? (first.code === 'custom' ? first.message : (FIELD_PROBLEM[first.code] ?? first.message)) : '';
          return fail(reply, 400, 'invalid', DEPOSIT_API_ANSWER.badRequest(where, what));
        }
        const outcome = await depositForInstitution(deps, { kind: 'client', clientId: holder.clientId, institutionId: holder.institutionId }, body.data, key);
        if (!outcome.ok) {
          request.log.info({ clientId: holder.clientId, code: outcome.code }, 'institution deposit refused');
          return depositRefusal(reply, outcome);
        }
        request.log.info({ clientId: holder.clientId, depositId: outcome.deposit.depositId, replayed: outcome.replayed }, 'institution deposit');
        if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
        return reply.code(outcome.replayed ? 200 : 201).header('cache-control', 'no-store').send(outcome.deposit);
      });
    },
    { prefix: INSTITUTION_API_PREFIX },
  );
}
