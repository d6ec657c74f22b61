/**
 * The structure admin's places of the directory (/console/lieux), registered from routes.ts inside the
 * console's scope. A structure's admin adds the places people should know near them (their structure, a
 * France Services, an association), changes and removes those their structure added — never another's, nor
 * the public annuaire's — and searches the whole directory by commune or postcode. Every change goes through
 * the directory's own functions: journaled, and in the change log the tablets follow. Checks in the usual
 * order: session (else the login), form body (else 400), CSRF token (else 403), then the fields (else the
 * page again with the errors, nothing stored).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { StructureAdminSession } from '../../features/accounts/index.ts';
import { loadZonesApl } from '../../features/aids/index.ts';
import type { ZonesApl } from '../../features/aids/index.ts';
import { addLocalEntry, changeLocalEntry, LocalEntryInput, localEntriesOf, removeLocalEntry, searchDirectory } from '../../features/institutions/index.ts';
import type { LocalOutcome } from '../../features/institutions/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { PLACES_PAGE_WORDS as W } from '../../kernel/words/console.ts';
import { PLACE_FIELDS, PLACE_KINDS, PLACES_PATH, placesPage } from './places-views.ts';
import type { PlaceTyped } from './places-views.ts';
import { agentsChrome } from './agents-views.ts';
import { errorPage } from './views.ts';
import type { FieldErrors } from './views.ts';

export interface PlacePageDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the structure admin's live session, or null once answered (the login, or 403 for an institution's account) */
  requireStructureAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<StructureAdminSession | null>;
  /** a POST's fields once its CSRF token is checked, or null once answered */
  checkedForm: (request: FastifyRequest, reply: FastifyReply, csrf: string) => Record<string, string | string[]> | null;
}

const Field = (max: number) => z.string().max(max);
const PlaceForm = z.strictObject({
  csrf: z.string().max(128),
  kind: Field(40),
  name: Field(400),
  address: Field(600),
  postcode: Field(20),
  city: Field(200),
  phone: Field(80),
  email: Field(400),
  website: Field(1000),
  hoursNote: Field(1000),
  lat: Field(40),
  lon: Field(40),
});
const RemoveForm = z.strictObject({ csrf: z.string().max(128) });
const IdParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/) });
const SearchQuery = z.object({ q: z.string().max(200).optional(), fait: z.string().max(20).optional() }).passthrough();

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/** « 45,764 » or « 45.764 »; empty: none. */
function coordinate(raw: string): number | null | 'bad' {
  const s = raw.trim().replace(',', '.');
  if (s === '') return null;
  if (!/^-?\d{1,3}(\.\d{1,10})?$/.test(s)) return 'bad';
  return Number(s);
}

/** The form's fields → the directory's input, or the errors by field (in French). */
export function readPlaceForm(form: z.infer<typeof PlaceForm>): { ok: true; input: LocalEntryInput; typed: PlaceTyped } | { ok: false; errors: FieldErrors; typed: PlaceTyped } {
  const typed: PlaceTyped = Object.fromEntries(PLACE_FIELDS.map((f) => [f, form[f]]));
  const errors: FieldErrors = {};
  if (!(PLACE_KINDS as readonly string[]).includes(form.kind)) errors.kind = W.problems.kind!;
  const lat = coordinate(form.lat);
  const lon = coordinate(form.lon);
  if (lat === 'bad') errors.lat = W.problems.lat!;
  if (lon === 'bad') errors.lon = W.problems.lon!;
  // one of the pair without the other: said on the one missing
  if (lat !== 'bad' && lon !== 'bad' && (lat === null) !== (lon === null)) errors[lat === null ? 'lat' : 'lon'] = W.problems.pairMissing!;
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const candidate = {
    kind: form.kind,
    name: form.name,
    address: form.address,
    postcode: form.postcode,
    city: form.city,
    lat: lat === 'bad' ? null : lat,
    lon: lon === 'bad' ? null : lon,
    ...(optional(form.phone) ? { phone: optional(form.phone) } : {}),
    ...(optional(form.email) ? { email: optional(form.email) } : {}),
    ...(optional(form.website) ? { website: optional(form.website) } : {}),
    ...(optional(form.hoursNote) ? { hoursNote: optional(form.hoursNote) } : {}),
  };
  const parsed = LocalEntryInput.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      if (errors[field] === undefined && W.problems[field] !== undefined) errors[field] = W.problems[field];
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors: Object.keys(errors).length > 0 ? errors : { name: W.problems.name! }, typed };
  return { ok: true, input: parsed.data, typed };
}

export async function registerPlacePages(scope: FastifyInstance, deps: PlacePageDeps): Promise<void> {
  const { db, dialect } = deps;
  let zones: ZonesApl | null = null;
  const owner = (s: StructureAdminSession) => ({ structureId: s.account.structureId });
  const actor = (s: StructureAdminSession) => ({ kind: 'staff' as const, id: s.account.id });

  /** The page, with the structure's places, a form (what was typed and its errors), and a search's answer. */
  async function page(reply: FastifyReply, status: number, s: StructureAdminSession, o: Omit<Parameters<typeof placesPage>[2], 'entries'> = {}): Promise<FastifyReply> {
    return sendPage(reply, status, placesPage(s.account, s.csrf, { entries: await localEntriesOf(db, s.account.structureId), ...o }));
  }
  const notYours = (reply: FastifyReply, s: StructureAdminSession) => sendPage(reply, 404, errorPage(agentsChrome(s.account, s.csrf, null, undefined, 'places'), { ...W.notYours, back: { href: PLACES_PATH, label: W.title } }));
  const done = (outcome: Extract<LocalOutcome, { ok: true }>, code: 'ajoute' | 'modifie' | 'retire') => `${PLACES_PATH}?fait=${outcome.changed ? code : 'inchange'}`;

  scope.get('/lieux', async (request, reply) => {
    const s = await deps.requireStructureAdmin(request, reply);
    if (!s) return reply;
    const query = SearchQuery.safeParse(request.query ?? {});
    const q = query.success ? (query.data.q ?? '').replaceAll('\u0000', '').trim() : '';
    // after a change: a sentence of ours for the code, never words from the address
    const notice = query.success && query.data.fait !== undefined ? (W.done[query.data.fait] ?? null) : null;
    let search: { q: string; result: Awaited<ReturnType<typeof searchDirectory>> | null; bad: boolean } | null = null;
    if (query.success && query.data.q !== undefined) {
      if (q.length < 2 || q.length > 100) search = { q, result: null, bad: true };
      else search = { q, result: await searchDirectory(db, (zones ??= loadZonesApl()), q, { limit: 50 }), bad: false };
    }
    return page(reply, search?.bad ? 400 : 200, s, { search, notice });
  });

  scope.get('/lieux/:id', async (request, reply) => {
    const s = await deps.requireStructureAdmin(request, reply);
    if (!s) return reply;
    const params = IdParams.safeParse(request.params);
    const editing = params.success ? (await localEntriesOf(db, s.account.structureId)).find((e) => e.id === params.data.id) : undefined;
    if (!editing) return notYours(reply, s);
    return page(reply, 200, s, { editing });
  });

  scope.post('/lieux', async (request, reply) => {
    const s = await deps.requireStructureAdmin(request, reply);
    if (!s) return reply;
    const fields = deps.checkedForm(request, reply, s.csrf);
    if (!fields) return reply;
    const form = PlaceForm.safeParse(fields);
    if (!form.success) return page(reply, 400, s, { errors: { name: W.problems.name! } });
    const read = readPlaceForm(form.data);
    if (!read.ok) return page(reply, 400, s, { typed: read.typed, errors: read.errors });
    const outcome = await addLocalEntry(db, dialect, actor(s), read.input, undefined, owner(s));
    if (!outcome.ok) return page(reply, 409, s, { typed: read.typed, errors: { name: outcome.message } });
    request.log.info({ login: s.account.login, institutionId: outcome.institution.id }, 'local directory entry added');
    return reply.redirect(done(outcome, 'ajoute'), 303);
  });

  scope.post('/lieux/:id', async (request, reply) => {
    const s = await deps.requireStructureAdmin(request, reply);
    if (!s) return reply;
    const params = IdParams.safeParse(request.params);
    if (!params.success) return notYours(reply, s);
    const fields = deps.checkedForm(request, reply, s.csrf);
    if (!fields) return reply;
    const editing = (await localEntriesOf(db, s.account.structureId)).find((e) => e.id === params.data.id);
    if (!editing) return notYours(reply, s);
    const form = PlaceForm.safeParse(fields);
    if (!form.success) return page(reply, 400, s, { editing, errors: { name: W.problems.name! } });
    const read = readPlaceForm(form.data);
    if (!read.ok) return page(reply, 400, s, { editing, typed: read.typed, errors: read.errors });
    const outcome = await changeLocalEntry(db, dialect, actor(s), params.data.id, read.input, owner(s));
    if (!outcome.ok) return outcome.code === 'not-yours' || outcome.code === 'unknown' ? notYours(reply, s) : page(reply, 409, s, { editing, typed: read.typed, errors: { name: outcome.message } });
    request.log.info({ login: s.account.login, institutionId: params.data.id, changed: outcome.changed }, 'local directory entry changed');
    return reply.redirect(done(outcome, 'modifie'), 303);
  });

  scope.post('/lieux/:id/retrait', async (request, reply) => {
    const s = await deps.requireStructureAdmin(request, reply);
    if (!s) return reply;
    const params = IdParams.safeParse(request.params);
    if (!params.success) return notYours(reply, s);
    const fields = deps.checkedForm(request, reply, s.csrf);
    if (!fields) return reply;
    if (!RemoveForm.safeParse(fields).success) return page(reply, 400, s);
    const outcome = await removeLocalEntry(db, dialect, actor(s), params.data.id, owner(s));
    if (!outcome.ok) return notYours(reply, s);
    request.log.info({ login: s.account.login, institutionId: params.data.id }, 'local directory entry removed');
    return reply.redirect(done(outcome, 'retire'), 303);
  });
}
