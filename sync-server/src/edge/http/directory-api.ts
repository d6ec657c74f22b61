/**
 * The directory of institutions for staff (Bearer FAC_STAFF_TOKEN), under /api/staff/directory: the
 * search by commune or postcode, one entry, local entries added, changed and removed, and an import of
 * the « Annuaire de l'administration » (the file as the body; `?dryRun=true` says what would change).
 * Every change is journaled by the feature. Bodies are read as text here and parsed by us, so a file
 * that is not JSON gets the import's own answer (where it breaks), and a bad entry a typed French error.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  addLocalEntry,
  changeLocalEntry,
  describeLocalInput,
  findInstitution,
  importAnnuaire,
  listInstitutions,
  LocalEntryId,
  LocalEntryInput,
  removeLocalEntry,
  searchDirectory,
} from '../../features/institutions/index.ts';
import type { LocalOutcome } from '../../features/institutions/index.ts';
import type { ZonesApl } from '../../features/aids/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import type { Kysely } from 'kysely';
import { DIRECTORY_IMPORT_WORDS, DIRECTORY_LOCAL_WORDS } from '../../kernel/words/directory.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';
import { sendError } from './errors.ts';
import { requireStaffToken } from './staff-auth.ts';

export interface DirectoryApiDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  staffToken: string;
  /** the communes (INSEE code, name, postcodes) that read a search; loaded on first use */
  communes: () => ZonesApl;
}

/** The shared staff token stands for staff; per-person console identities come with the console. */
const STAFF_ACTOR = { kind: 'staff' as const, id: 'staff-api' };
/** An annuaire file sent over HTTP (a département's extract); the national file goes through the CLI. */
const IMPORT_LIMIT = 64 * 1024 * 1024;

const SearchQuery = z.strictObject({ q: z.string().trim().min(2).max(100).optional(), kind: z.string().max(40).optional() });
const IdParams = z.object({ id: z.string().min(1).max(100) });
const ImportQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });
const NewEntry = z.object({ id: LocalEntryId.optional() }).passthrough();

function parseJson(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const STATUS: Record<Exclude<LocalOutcome, { ok: true }>['code'], number> = { invalid: 400, exists: 409, unknown: 404, 'not-local': 409, 'not-yours': 403 };
const CODE = { invalid: 'invalid', exists: 'invalid', unknown: 'unknown', 'not-local': 'forbidden', 'not-yours': 'forbidden' } as const;

export async function registerDirectoryApi(app: FastifyInstance, deps: DirectoryApiDeps): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', requireStaffToken(deps.staffToken));
      // bodies stay text in this scope: the import reads lines, and a bad body gets our own words
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: IMPORT_LIMIT }, (_req, body, done) => done(null, body));

      scope.get('/', async (request, reply) => {
        const query = SearchQuery.safeParse(request.query);
        if (!query.success) return sendError(reply, 400, 'invalid', DIRECTORY_LOCAL_WORDS.badQuery);
        if (query.data.q === undefined) {
          const all = await listInstitutions(deps.db);
          return { communes: [], institutions: query.data.kind ? all.filter((i) => i.kind === query.data.kind) : all };
        }
        return searchDirectory(deps.db, deps.communes(), query.data.q, query.data.kind ? { kind: query.data.kind } : {});
      });

      scope.get('/:id', async (request, reply) => {
        const params = IdParams.safeParse(request.params);
        const found = params.success ? await findInstitution(deps.db, params.data.id) : null;
        if (!found || found.removed) return sendError(reply, 404, 'unknown', HTTP_ANSWER.institutionUnknown);
        const { removed: _removed, ...institution } = found;
        return institution;
      });

      scope.post('/', async (request, reply) => {
        const body = parseJson(request.body);
        if (!body.ok) return sendError(reply, 400, 'invalid', HTTP_ANSWER.invalid);
        const head = NewEntry.safeParse(body.value);
        if (!head.success) return sendError(reply, 400, 'invalid', describeLocalInput(head.error));
        const { id, ...rest } = head.data;
        const input = LocalEntryInput.safeParse(rest);
        if (!input.success) return sendError(reply, 400, 'invalid', describeLocalInput(input.error));
        const outcome = await addLocalEntry(deps.db, deps.dialect, STAFF_ACTOR, input.data, ...(id ? [id] : []));
        if (!outcome.ok) return sendError(reply, STATUS[outcome.code], CODE[outcome.code], outcome.message);
        return reply.code(201).send(outcome.institution);
      });

      scope.put('/:id', async (request, reply) => {
        const params = IdParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 404, 'unknown', HTTP_ANSWER.institutionUnknown);
        const body = parseJson(request.body);
        if (!body.ok) return sendError(reply, 400, 'invalid', HTTP_ANSWER.invalid);
        const input = LocalEntryInput.safeParse(body.value);
        if (!input.success) return sendError(reply, 400, 'invalid', describeLocalInput(input.error));
        const outcome = await changeLocalEntry(deps.db, deps.dialect, STAFF_ACTOR, params.data.id, input.data);
        if (!outcome.ok) return sendError(reply, STATUS[outcome.code], CODE[outcome.code], outcome.message);
        return { ...outcome.institution, changed: outcome.changed };
      });

      scope.delete('/:id', async (request, reply) => {
        const params = IdParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 404, 'unknown', HTTP_ANSWER.institutionUnknown);
        const outcome = await removeLocalEntry(deps.db, deps.dialect, STAFF_ACTOR, params.data.id);
        if (!outcome.ok) return sendError(reply, STATUS[outcome.code], CODE[outcome.code], outcome.message);
        return reply.code(204).send();
      });

      scope.post('/import', async (request, reply) => {
        const query = ImportQuery.safeParse(request.query);
        if (!query.success || typeof request.body !== 'string') return sendError(reply, 400, 'invalid', DIRECTORY_IMPORT_WORDS.notAnnuaire);
        const outcome = await importAnnuaire(deps.db, deps.dialect, request.body, { actor: STAFF_ACTOR, dryRun: query.data.dryRun === 'true' });
        if (!outcome.ok) {
          return reply
            .code(422)
            .type('application/json; charset=utf-8')
            .send({ error: { code: 'invalid', message: DIRECTORY_IMPORT_WORDS.refused(outcome.errors.length), problems: outcome.errors } });
        }
        return outcome;
      });
    },
    { prefix: '/api/staff/directory' },
  );
}
