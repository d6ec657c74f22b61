/**
 * The processing console under /console (issue #7): login, the institution's queue, one application
 * with its pieces, signature, history and thread, the head of service's decisions. Server-rendered
 * HTML, forms only (works without JavaScript), strict CSP (no inline script or style), French.
 *
 * Order of the checks on a POST: session (else back to the login), form body (else 400), CSRF token
 * (else 403), then the form's fields (else the page again with the errors, 400, nothing changed).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { catalogueOr, fireEventIn } from '../../features/applications/index.ts';
import { requestPiecesAgain } from '../../features/applications/index.ts';
import type { ApplicationEvent, TransitionRefusal } from '../../features/applications/index.ts';
import { MAX_MESSAGE_CHARS, postMessage } from '../../features/applications/index.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { ApplicationRow, Database } from '../../kernel/storage/schema.ts';
import { authenticateConsoleLogin, PasswordCheckGate } from '../../features/accounts/index.ts';
import { AgentChangeForm, ProcurationWithdrawForm, ApplicationParams, DecisionForm, formFields, LoginForm, LogoutForm, MessageForm, PieceParams, QueueQuery, registerFormParser } from './forms.ts';
import { CONFIRM_MISSING, CONSOLE_ANSWER, DONE_WORDS, PAPER_WORDS, REFUSAL_WORDS } from '../../kernel/words/console.ts';
import { NO_TERMS, parseEurosFr, parseStartDate, searchApplications } from '../../features/applications/index.ts';
import type { DecisionTerms } from '../../features/applications/index.ts';
import { readPieceForProcessing } from '../../features/applications/index.ts';
import { applicationDetail, findVisibleApplication, listDecisions, listQueue, visiblePieceIds } from '../../features/applications/index.ts';
import type { OfficeRef } from '../../features/applications/index.ts';
import {
  cookie,
  createSession,
  csrfMatches,
  deleteSession,
  findSession,
  isToken,
  LOGIN_COOKIE,
  LOGIN_FORM_TTL_S,
  newToken,
  readCookies,
  SESSION_COOKIE,
  SESSION_TTL_MS,
} from '../../features/accounts/index.ts';
import type { ConsoleSession, StructureAdminSession , InstitutionRole} from '../../features/accounts/index.ts';
import { findStructureSession } from '../../features/accounts/index.ts';
import { changeAgent, listStructureAgents } from '../../features/agents/index.ts';
import { listForStructure, revokeByStructure } from '../../features/procurations/index.ts';
import type { AgentChange } from '../../features/agents/index.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import { agentsPage, AGENTS_PATH } from './agents-views.ts';
import { registerDepositPages } from './deposit-routes.ts';
import { registerPlacePages } from './places-routes.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { AGENT_PAGE_WORDS } from '../../kernel/words/console.ts';
import { LoginThrottle } from '../../features/accounts/index.ts';
import { changeInstitutionAccount, createInstitutionAccount, listInstitutionAccounts, MIN_PASSWORD_CHARS } from '../../features/accounts/index.ts';
import type { AccountChange } from '../../features/accounts/index.ts';
import { assignableAccounts, assignThread, listInbox, MAX_REPLY_CHARS, openThread, readInboxAttachment, replyInThread, unreadCount } from '../../features/inbox/index.ts';
import type { InboxFilter, InboxViewer } from '../../features/inbox/index.ts';
import { staffMay } from '../../kernel/access-policy.ts';
import type { StaffAct } from '../../kernel/access-policy.ts';
import { ACCOUNTS_PAGE_WORDS, CONSOLE_MENU_WORDS, INBOX_WORDS } from '../../kernel/words/inbox.ts';
import { AccountChangeForm, AccountCreateForm, AssignForm, AttachmentParams, InboxQuery, ReplyForm, ThreadParams } from './forms.ts';
import { accountsPage, ACCOUNTS_PATH, homeOf, INBOX_PATH, inboxPage, institutionChrome, institutionMenu, threadPage, threadPath } from './inbox-views.ts';
import { AMOUNT_FIELD, applicationPage, applicationPath, confirmFieldId, CONSOLE_PREFIX, errorPage, LOGIN_PATH, loginPage, messageFieldId, paperPage, QUEUE_STATES, queuePage, searchPage, START_FIELD } from './views.ts';
import type { ApplicationForms, PageChrome } from './views.ts';

export interface ConsoleDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  /** the aid catalogue (default: assets/aids/catalogue.json) */
  catalogue?: AidCatalogue;
  /** failed-login counting (default: 5 per login and address, 20 per address, per 15 minutes) */
  throttle?: LoginThrottle;
  /** the cap on password checks running at once (default: features/accounts DEFAULT_PASSWORD_CHECKS) */
  passwordChecks?: PasswordCheckGate;
  /** where a deposited PDF is opened to be checked (without it, the deposit page is not served) */
  pdf?: PdfPool;
}

export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** a piece's bytes: nothing in them may run or load anything */
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'";
const INLINE_MIME = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);

/**
 * A paper's bytes, as a request's piece or an inbox message's paper: shown inline when the browser can show it
 * safely, else downloaded; no script, no frame, no cache, an ASCII file name.
 */
function sendFile(reply: FastifyReply, f: { mime: string; size: number; filename: string; sha256: string }, blobs: BlobStore): FastifyReply {
  const inline = INLINE_MIME.has(f.mime);
  return reply
    .code(200)
    .type(inline ? f.mime : 'application/octet-stream')
    .header('content-length', String(f.size))
    .header('content-security-policy', FILE_CSP)
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${f.filename}"`)
    .header('cache-control', 'no-store')
    .send(blobs.read(f.sha256));
}

const CSS = readFileSync(join(import.meta.dirname, 'console.css'), 'utf8');

const LOGIN_REASONS = CONSOLE_ANSWER.loginReason;

/** the events that decide a request: the head of service's (STAFF_ACTS 'request.decide') */
const DECIDING_EVENTS: ReadonlySet<string> = new Set(['accept', 'refuse', 'close']);

/** The office a console account works for: requests sent to it (and those sent before offices were named). */
function officeOf(session: ConsoleSession): OfficeRef {
  return { id: session.account.institutionId, kind: session.account.institutionKind };
}

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/**
 * "C'est fait" is said once: a short-lived cookie set with the redirect after an action, read and
 * cleared by the next page of that request (a reload no longer shows it). Its value names the action
 * and is bound to the request and the session by an HMAC keyed with the session's CSRF token, so no
 * other page nor another session can be made to show it.
 */
const FLASH_COOKIE = 'fac_console_fait';
const FLASH_TTL_S = 60;

function flashMac(csrf: string, applicationId: string, key: string): string {
  return createHmac('sha256', csrf).update(`${applicationId}\0${key}`).digest('base64url').slice(0, 32);
}

function flashValue(csrf: string, applicationId: string, key: string): string {
  return `${key}.${flashMac(csrf, applicationId, key)}`;
}

/** The action named by a flash cookie, when it was set for this request in this session. */
function flashKey(value: string | undefined, csrf: string, applicationId: string): string | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const key = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(flashMac(csrf, applicationId, key));
  return given.length === expected.length && timingSafeEqual(given, expected) ? key : null;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return CONSOLE_ANSWER.minutes(m);
}

export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const catalogue = await catalogueOr(deps.catalogue);
  const guard = { throttle: deps.throttle ?? new LoginThrottle(deps.db, deps.dialect), gate: deps.passwordChecks ?? new PasswordCheckGate() };
  const { db, dialect } = deps;

  await app.register(
    async (scope) => {
      registerFormParser(scope);

      scope.addHook('onSend', async (_request, reply, payload) => {
        if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONSOLE_CSP);
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        reply.header('x-content-type-options', 'nosniff');
        reply.header('x-frame-options', 'DENY');
        reply.header('referrer-policy', 'no-referrer');
        reply.header('cross-origin-opener-policy', 'same-origin');
        reply.header('cross-origin-resource-policy', 'same-origin');
        return payload;
      });

      /** each request's session's unread inbox items, for the menu (read once per request, by requireSession) */
      const unreadOf = new WeakMap<ConsoleSession, number>();
      const plainChrome = (session: ConsoleSession | null): PageChrome => ({
        account: session?.account ?? null,
        csrf: session?.csrf ?? null,
        ...(session ? { menu: institutionMenu(session.account, null, unreadOf.get(session)) } : {}),
      });

      scope.setErrorHandler((err: { statusCode?: number }, request, reply) => {
        const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
        if (status >= 500) request.log.error({ err }, 'console request failed');
        const text =
          status === 413
            ? CONSOLE_ANSWER.tooLong
            : status === 415
              ? CONSOLE_ANSWER.unreadableForm
              : status >= 500
                ? CONSOLE_ANSWER.serverError
                : CONSOLE_ANSWER.unreadableNothingChanged;
        return sendPage(reply, status, errorPage(plainChrome(null), { title: status >= 500 ? CONSOLE_ANSWER.serverErrorTitle : CONSOLE_ANSWER.badRequest, text }));
      });
      scope.setNotFoundHandler((_request, reply) =>
        sendPage(reply, 404, errorPage(plainChrome(null), CONSOLE_ANSWER.notFound)),
      );

      /** The live session, or a redirect to the login (and null). */
      async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | null> {
        const token = readCookies(request.headers.cookie).get(SESSION_COOKIE);
        const found = await findSession(db, token);
        if (found.ok) {
          const { account } = found.session;
          if (staffMay(account.role, 'inbox.read')) unreadOf.set(found.session, await unreadCount(db, { accountId: account.id, institutionId: account.institutionId, role: account.role }));
          return found.session;
        }
        // a structure admin reaches their agents' page only, never an institution's requests
        if (found.reason === 'none' && (await findStructureSession(db, token)).ok) {
          void reply.redirect(AGENTS_PATH, 303);
          return null;
        }
        const reason = found.reason === 'none' ? '' : '?raison=expiree';
        void reply.header('set-cookie', cookie(SESSION_COOKIE, '', { path: CONSOLE_PREFIX, maxAgeS: 0, secure: secure(request) })).redirect(`${LOGIN_PATH}${reason}`, 303);
        return null;
      }

      /**
       * The live session of an institution's account whose role may do `act` (kernel/access-policy.ts
       * STAFF_ACTS); a role that may not gets 403 with its own menu, nothing done. Null once answered.
       */
      async function requireRole(request: FastifyRequest, reply: FastifyReply, act: StaffAct): Promise<ConsoleSession | null> {
        const session = await requireSession(request, reply);
        if (!session) return null;
        if (staffMay(session.account.role, act)) return session;
        request.log.info({ login: session.account.login, role: session.account.role, act }, 'console page refused to this role');
        void sendPage(reply, 403, errorPage(plainChrome(session), CONSOLE_MENU_WORDS.notForYourRole));
        return null;
      }

      /** A POST's form, checked for its CSRF token: the fields, or null once the error page is sent. */
      function checkedForm(request: FastifyRequest, reply: FastifyReply, expectedCsrf: string | null, session: ConsoleSession | null): Record<string, string | string[]> | null {
        const fields = formFields(request.body);
        if (!fields) {
          void sendPage(reply, 400, errorPage(plainChrome(session), { title: CONSOLE_ANSWER.badRequest, text: CONSOLE_ANSWER.unreadableNothingChanged }));
          return null;
        }
        if (expectedCsrf === null || !csrfMatches(fields.csrf, expectedCsrf)) {
          void sendPage(
            reply,
            403,
            errorPage(plainChrome(session), {
              title: CONSOLE_ANSWER.csrf.title,
              text: CONSOLE_ANSWER.csrf.text,
              ...(session ? {} : { back: { href: LOGIN_PATH, label: CONSOLE_ANSWER.csrf.back } }),
            }),
          );
          return null;
        }
        return fields;
      }

      function badForm(reply: FastifyReply, session: ConsoleSession | null): FastifyReply {
        return sendPage(reply, 400, errorPage(plainChrome(session), { title: CONSOLE_ANSWER.badRequest, text: CONSOLE_ANSWER.unreadableNothingChanged }));
      }

      function notFound(reply: FastifyReply, session: ConsoleSession): FastifyReply {
        return sendPage(reply, 404, errorPage(plainChrome(session), CONSOLE_ANSWER.noApplication));
      }

      // -------------------------------------------------------------------------------------------
      // Style

      scope.get('/style.css', async (_request, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CSS),
      );

      // -------------------------------------------------------------------------------------------
      // Login, logout

      function showLogin(request: FastifyRequest, reply: FastifyReply, status: number, o: Omit<Parameters<typeof loginPage>[0], 'csrf'>): FastifyReply {
        const csrf = newToken();
        void reply.header('set-cookie', cookie(LOGIN_COOKIE, csrf, { path: LOGIN_PATH, maxAgeS: LOGIN_FORM_TTL_S, secure: secure(request) }));
        return sendPage(reply, status, loginPage({ csrf, ...o }));
      }

      scope.get('/connexion', async (request, reply) => {
        const token = readCookies(request.headers.cookie).get(SESSION_COOKIE);
        const found = await findSession(db, token);
        if (found.ok) return reply.redirect(CONSOLE_PREFIX, 303);
        if ((await findStructureSession(db, token)).ok) return reply.redirect(AGENTS_PATH, 303);
        const raison = (request.query as Record<string, unknown>).raison;
        return showLogin(request, reply, 200, { message: typeof raison === 'string' && Object.hasOwn(LOGIN_REASONS, raison) ? LOGIN_REASONS[raison] : null });
      });

      scope.post('/connexion', async (request, reply) => {
        const loginCookie = readCookies(request.headers.cookie).get(LOGIN_COOKIE);
        const fields = checkedForm(request, reply, isToken(loginCookie) ? loginCookie : null, null);
        if (!fields) return reply;
        const form = LoginForm.safeParse(fields);
        if (!form.success) return badForm(reply, null);
        const typed = form.data.login.trim();
        const errors: Record<string, string> = {};
        if (typed === '') errors.login = CONSOLE_ANSWER.writeLogin;
        if (form.data.password === '') errors.password = CONSOLE_ANSWER.writePassword;
        if (Object.keys(errors).length > 0) return showLogin(request, reply, 400, { login: typed, errors });

        const outcome = await authenticateConsoleLogin(db, guard, { login: form.data.login, password: form.data.password, address: request.ip });
        if (!outcome.ok) {
          if (outcome.reason === 'busy') {
            request.log.warn({ login: outcome.login }, 'console login turned away: too many password checks at once');
            void reply.header('retry-after', '5');
            return showLogin(request, reply, 503, { login: typed, formError: CONSOLE_ANSWER.busy });
          }
          if (outcome.reason === 'throttled') {
            request.log.info({ login: outcome.login, scope: outcome.scope }, 'console login throttled');
            void reply.header('retry-after', String(Math.max(1, Math.ceil(outcome.waitMs / 1000))));
            return showLogin(request, reply, 429, { login: typed, formError: CONSOLE_ANSWER.throttled(minutes(outcome.waitMs)) });
          }
          request.log.info({ login: outcome.login }, 'console login refused');
          return showLogin(request, reply, 401, { login: typed, formError: CONSOLE_ANSWER.badLogin });
        }
        const { token } = await createSession(db, outcome.accountId);
        request.log.info({ login: outcome.login }, 'console login');
        void reply.header('set-cookie', [
          cookie(SESSION_COOKIE, token, { path: CONSOLE_PREFIX, maxAgeS: Math.floor(SESSION_TTL_MS / 1000), secure: secure(request) }),
          cookie(LOGIN_COOKIE, '', { path: LOGIN_PATH, maxAgeS: 0, secure: secure(request) }),
        ]);
        return reply.redirect(CONSOLE_PREFIX, 303);
      });

      scope.post('/deconnexion', async (request, reply) => {
        // either kind of account logs out here
        const admin = await findStructureSession(db, readCookies(request.headers.cookie).get(SESSION_COOKIE));
        const session = admin.ok ? admin.session : await requireSession(request, reply);
        if (!session) return reply;
        const fields = checkedForm(request, reply, session.csrf, null);
        if (!fields) return reply;
        if (!LogoutForm.safeParse(fields).success) return badForm(reply, null);
        await deleteSession(db, session.tokenHash);
        void reply.header('set-cookie', cookie(SESSION_COOKIE, '', { path: CONSOLE_PREFIX, maxAgeS: 0, secure: secure(request) }));
        return reply.redirect(`${LOGIN_PATH}?raison=deconnexion`, 303);
      });

      // -------------------------------------------------------------------------------------------
      // Papers an institution deposits in persons' vaults (its head of service and its depositors)

      if (deps.pdf) await registerDepositPages(scope, { db, dialect, blobStore: deps.blobStore, pdf: deps.pdf, catalogue });

      // -------------------------------------------------------------------------------------------
      // A structure's agents (its admin only)

      /** The structure admin's live session; an institution's account is refused, anyone else sent to the login. */
      async function requireStructureAdmin(request: FastifyRequest, reply: FastifyReply): Promise<StructureAdminSession | null> {
        const token = readCookies(request.headers.cookie).get(SESSION_COOKIE);
        const found = await findStructureSession(db, token);
        if (found.ok) return found.session;
        const institution = await findSession(db, token);
        if (institution.ok) {
          void sendPage(reply, 403, errorPage(plainChrome(institution.session), AGENT_PAGE_WORDS.notForYou));
          return null;
        }
        void reply.header('set-cookie', cookie(SESSION_COOKIE, '', { path: CONSOLE_PREFIX, maxAgeS: 0, secure: secure(request) })).redirect(LOGIN_PATH, 303);
        return null;
      }

      await registerPlacePages(scope, { db, dialect, requireStructureAdmin, checkedForm: (request, reply, csrf) => checkedForm(request, reply, csrf, null) });

      scope.get('/agents', async (request, reply) => {
        const session = await requireStructureAdmin(request, reply);
        if (!session) return reply;
        const q = request.query as Record<string, unknown>;
        const notice =
          q.fait === 'oui' ? AGENT_PAGE_WORDS.done : q.fait === 'inchange' ? AGENT_PAGE_WORDS.unchanged : q.fait === 'retiree' ? AGENT_PAGE_WORDS.procurations.withdrawn : q.fait === 'terminee' ? AGENT_PAGE_WORDS.procurations.gone : null;
        return sendPage(reply, 200, agentsPage(session.account, session.csrf, { agents: await listStructureAgents(db, session.account.structureId), procurations: await listForStructure({ db, dialect }, session.account.structureId), notice }));
      });

      scope.post('/agents/changement', async (request, reply) => {
        const session = await requireStructureAdmin(request, reply);
        if (!session) return reply;
        const fields = checkedForm(request, reply, session.csrf, null);
        if (!fields) return reply;
        const form = AgentChangeForm.safeParse(fields);
        if (!form.success) return badForm(reply, null);
        const f = form.data;
        const again = async (status: number, errors: Record<string, string>) =>
          sendPage(
            reply,
            status,
            agentsPage(session.account, session.csrf, {
              agents: await listStructureAgents(db, session.account.structureId),
              procurations: await listForStructure({ db, dialect }, session.account.structureId),
              errors,
              typed: { identifier: f.identifier, level: f.level ?? null },
            }),
          );
        const identifier = checkIdentifier(f.identifier);
        if (!identifier.ok) return again(400, { identifier: AGENT_PAGE_WORDS.badIdentifier });
        if ((f.action === 'attach' || f.action === 'level') && f.level === undefined) return badForm(reply, null);
        const change: AgentChange =
          f.action === 'attach' || f.action === 'level'
            ? { kind: f.action, identifier: identifier.identifier, level: f.level ?? 'accueil' }
            : { kind: f.action, identifier: identifier.identifier };
        const outcome = await changeAgent(db, dialect, { accountId: session.account.id, structureId: session.account.structureId }, change);
        if (!outcome.ok) return again(outcome.code === 'other-structure' ? 403 : 400, { identifier: AGENT_PAGE_WORDS.refused[outcome.code] });
        request.log.info({ login: session.account.login, action: f.action }, 'agent profile changed');
        return reply.redirect(`${AGENTS_PATH}?fait=${outcome.changed ? 'oui' : 'inchange'}`, 303);
      });

      // a procuration given to one of the structure's agents, withdrawn by the structure (an agent leaving…)
      scope.post('/agents/procuration-retrait', async (request, reply) => {
        const session = await requireStructureAdmin(request, reply);
        if (!session) return reply;
        const fields = checkedForm(request, reply, session.csrf, null);
        if (!fields) return reply;
        const form = ProcurationWithdrawForm.safeParse(fields);
        if (!form.success) return badForm(reply, null);
        const reason = form.data.reason?.trim();
        const r = await revokeByStructure({ db, dialect }, session.account.structureId, form.data.id, { by: session.account.login, ...(reason ? { reason } : {}) });
        request.log.info({ login: session.account.login, withdrawn: r.ok }, 'procuration withdrawn by the structure');
        return reply.redirect(`${AGENTS_PATH}?fait=${r.ok ? 'retiree' : 'terminee'}`, 303);
      });

      // -------------------------------------------------------------------------------------------
      // Queue

      scope.get('/', async (request, reply) => {
        const session = await requireSession(request, reply);
        if (!session) return reply;
        // each role lands on its own first page (a depositor on the deposits, an admin on the accounts)
        if (!staffMay(session.account.role, 'request.work')) return reply.redirect(homeOf(session.account.role), 303);
        const query = QueueQuery.safeParse(request.query ?? {});
        if (!query.success) return sendPage(reply, 400, errorPage(plainChrome(session), { title: CONSOLE_ANSWER.badRequest, text: CONSOLE_ANSWER.noSuchFilter }));
        const kind = officeOf(session);
        const q = (query.data.q ?? '').replaceAll('\u0000', '').replace(/\s+/g, ' ').trim();
        if (q !== '') return sendPage(reply, 200, searchPage(plainChrome(session), { q, rows: await searchApplications(db, catalogue, kind, q) }));
        const states = query.data.etat === 'toutes' ? QUEUE_STATES : [query.data.etat];
        const [rows, decisions] = [await listQueue(db, catalogue, kind, states), await listDecisions(db, catalogue, kind)];
        return sendPage(reply, 200, queuePage(plainChrome(session), { filter: query.data.etat, rows, decisions }));
      });

      // -------------------------------------------------------------------------------------------
      // One application

      async function visible(session: ConsoleSession, params: unknown): Promise<ApplicationRow | null> {
        const p = ApplicationParams.safeParse(params);
        if (!p.success) return null;
        return findVisibleApplication(db, catalogue, officeOf(session), p.data.id);
      }

      /** A paper of a request this institution sees: the request, and the checklist item named. */
      async function visiblePiece(session: ConsoleSession, params: unknown): Promise<{ app: ApplicationRow; itemId: string } | null> {
        const p = PieceParams.safeParse(params);
        if (!p.success) return null;
        const app = await findVisibleApplication(db, catalogue, officeOf(session), p.data.id);
        return app ? { app, itemId: p.data.itemId } : null;
      }

      /**
       * A form posted about one application: a live session, the CSRF token, an application this
       * account may see. Null when the reply is already sent (login page, 403, 404).
       */
      async function postedOnApplication(
        request: FastifyRequest,
        reply: FastifyReply,
      ): Promise<{ session: ConsoleSession; fields: Record<string, string | string[]>; app: ApplicationRow } | null> {
        const session = await requireRole(request, reply, 'request.work');
        if (!session) return null;
        const fields = checkedForm(request, reply, session.csrf, session);
        if (!fields) return null;
        const app = await visible(session, request.params);
        if (!app) {
          void notFound(reply, session);
          return null;
        }
        return { session, fields, app };
      }

      async function showApplication(reply: FastifyReply, session: ConsoleSession, app: ApplicationRow, status: number, o: { notice?: string; forms?: ApplicationForms; formError?: string }): Promise<FastifyReply> {
        const full = await applicationDetail(db, catalogue, officeOf(session), app);
        // an instructor is not offered the decisions that are the head of service's
        const detail = staffMay(session.account.role, 'request.decide') ? full : { ...full, events: full.events.filter((e) => !DECIDING_EVENTS.has(e)) };
        const fieldErrors = Object.entries(o.forms?.errors ?? {}).map(([field, message]) => ({ field, message }));
        const errors = [...(o.formError ? [{ field: null, message: o.formError }] : []), ...fieldErrors];
        return sendPage(reply, status, applicationPage({ ...plainChrome(session), notice: o.notice, errors }, detail, o.forms ?? {}));
      }

      scope.get('/demandes/:id', async (request, reply) => {
        const session = await requireRole(request, reply, 'request.work');
        if (!session) return reply;
        const app = await visible(session, request.params);
        if (!app) return notFound(reply, session);
        const flash = readCookies(request.headers.cookie).get(FLASH_COOKIE);
        if (flash !== undefined) void reply.header('set-cookie', cookie(FLASH_COOKIE, '', { path: CONSOLE_PREFIX, maxAgeS: 0, secure: secure(request) }));
        const fait = flashKey(flash, session.csrf, app.id);
        const notice = fait && Object.hasOwn(DONE_WORDS, fait) ? DONE_WORDS[fait as ApplicationEvent | 'message'] : undefined;
        return showApplication(reply, session, app, 200, notice ? { notice } : {});
      });

      scope.post('/demandes/:id/decision', async (request, reply) => {
        const posted = await postedOnApplication(request, reply);
        if (!posted) return reply;
        const { session, fields, app } = posted;
        const form = DecisionForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const { action, pieces } = form.data;
        if (DECIDING_EVENTS.has(action) && !staffMay(session.account.role, 'request.decide')) {
          request.log.info({ login: session.account.login, role: session.account.role, action }, 'decision refused to this role');
          return sendPage(reply, 403, errorPage(plainChrome(session), { title: CONSOLE_MENU_WORDS.notForYourRole.title, text: CONSOLE_MENU_WORDS.decisionNotForYou, back: { href: applicationPath(app.id), label: CONSOLE_ANSWER.backToApplication } }));
        }
        const message = (form.data.message ?? '').replaceAll('\u0000', '').trim();
        const forms: ApplicationForms = { action, message: form.data.message ?? '', pieces, amount: form.data.montant ?? '', start: form.data.debut ?? '' };
        const field = messageFieldId(action);
        const errors: Record<string, string> = {};
        // an amount and a start date belong to an acceptance only
        if ((form.data.montant ?? '').trim() !== '' || (form.data.debut ?? '').trim() !== '') {
          if (action !== 'accept') return badForm(reply, session);
        }
        let terms: DecisionTerms = NO_TERMS;
        if (action === 'accept') {
          const amount = parseEurosFr(form.data.montant ?? '');
          const start = parseStartDate(form.data.debut ?? '');
          if (!amount.ok) errors[AMOUNT_FIELD] = amount.error;
          if (!start.ok) errors[START_FIELD] = start.error;
          if (amount.ok && start.ok) terms = { amountCents: amount.value, startDate: start.value };
        }
        // a decision the person cannot take back is confirmed first (a box, so it works without JavaScript)
        if ((action === 'accept' || action === 'refuse') && form.data.confirme !== 'oui') errors[confirmFieldId(action)] = CONFIRM_MISSING;
        if (form.data.confirme !== undefined && action !== 'accept' && action !== 'refuse') return badForm(reply, session);
        if (action === 'refuse' && message === '') errors[field] = CONSOLE_ANSWER.writeRefusalReason;
        if (action === 'request-information' && message === '') errors[field] = CONSOLE_ANSWER.writeQuestion;
        if (message.length > MAX_MESSAGE_CHARS) errors[field] = CONSOLE_ANSWER.textTooLong(MAX_MESSAGE_CHARS);
        if (pieces.length > 0 && action !== 'request-information') return badForm(reply, session);
        // only pieces of this dossier that this institution may see can be asked again
        let dossierId: string | null = null;
        if (pieces.length > 0) {
          dossierId = app.dossier_id;
          const allowed = dossierId ? await visiblePieceIds(db, catalogue, officeOf(session), dossierId) : new Set<string>();
          if (pieces.some((p) => !allowed.has(p))) errors['pieces-demandees'] = CONSOLE_ANSWER.pieceNotInApplication;
        }
        if (Object.keys(errors).length > 0) return showApplication(reply, session, app, 400, { forms: { ...forms, errors } });

        class Refused extends Error {
          constructor(readonly reason: TransitionRefusal | 'unknown-application') {
            super(reason);
          }
        }
        try {
          await db.transaction().execute(async (trx) => {
            const r = await fireEventIn(trx, dialect, {
              applicationId: app.id,
              event: action,
              actor: { kind: 'institution', id: session.account.id },
              message: message === '' ? undefined : message,
              terms,
            });
            if (!r.ok) throw new Refused(r.reason);
            if (action === 'request-information' && dossierId) await requestPiecesAgain(trx, dossierId, pieces, r.transition.at, message);
          });
        } catch (e) {
          if (!(e instanceof Refused)) throw e;
          if (e.reason === 'unknown-application') return notFound(reply, session);
          const fresh = (await findVisibleApplication(db, catalogue, officeOf(session), app.id)) ?? app;
          return showApplication(reply, session, fresh, 409, { forms, formError: REFUSAL_WORDS[e.reason] });
        }
        void reply.header('set-cookie', cookie(FLASH_COOKIE, flashValue(session.csrf, app.id, action), { path: CONSOLE_PREFIX, maxAgeS: FLASH_TTL_S, secure: secure(request) }));
        return reply.redirect(applicationPath(app.id), 303);
      });

      scope.post('/demandes/:id/message', async (request, reply) => {
        const posted = await postedOnApplication(request, reply);
        if (!posted) return reply;
        const { session, fields, app } = posted;
        const form = MessageForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const field = messageFieldId('message');
        const r = await postMessage(db, dialect, {
          applicationId: app.id,
          author: { kind: 'institution', id: session.account.id, institutionId: session.account.institutionId },
          body: form.data.body,
          handlingInstitutionKind: session.account.institutionKind,
        });
        if (!r.ok) {
          if (r.reason === 'unknown-application') return notFound(reply, session);
          const text = r.reason === 'empty' ? CONSOLE_ANSWER.writeMessage : r.reason === 'too-long' ? CONSOLE_ANSWER.messageTooLong(MAX_MESSAGE_CHARS) : CONSOLE_ANSWER.messageNotSent;
          return showApplication(reply, session, app, 400, { forms: { action: 'message', message: form.data.body, errors: { [field]: text } } });
        }
        void reply.header('set-cookie', cookie(FLASH_COOKIE, flashValue(session.csrf, app.id, 'message'), { path: CONSOLE_PREFIX, maxAgeS: FLASH_TTL_S, secure: secure(request) }));
        return reply.redirect(`${applicationPath(app.id)}#echanges`, 303);
      });

      // a paper beside its request: the fields read and the image (the bytes come from the route below, journaled)
      scope.get('/demandes/:id/papiers/:itemId', async (request, reply) => {
        const session = await requireRole(request, reply, 'request.work');
        if (!session) return reply;
        const found = await visiblePiece(session, request.params);
        if (!found) return notFound(reply, session);
        const { app, itemId } = found;
        const detail = await applicationDetail(db, catalogue, officeOf(session), app);
        // only the pieces this institution may see are in the detail: another's answers as unknown
        const piece = detail.pieces.find((p) => p.itemId === itemId && p.hasFile);
        if (!piece) {
          return sendPage(reply, 404, errorPage(plainChrome(session), { ...CONSOLE_ANSWER.noPaper, back: { href: applicationPath(app.id), label: PAPER_WORDS.back } }));
        }
        return sendPage(reply, 200, paperPage(plainChrome(session), detail, piece));
      });

      // no HEAD twin: a HEAD would be journaled as a read without serving anything
      scope.get('/demandes/:id/pieces/:itemId', { exposeHeadRoute: false }, async (request, reply) => {
        const session = await requireRole(request, reply, 'request.work');
        if (!session) return reply;
        const found = await visiblePiece(session, request.params);
        if (!found) return notFound(reply, session);
        const { app, itemId } = found;
        const outcome = await readPieceForProcessing({ ...deps, catalogue }, session.account.id, app, itemId);
        if (!outcome.ok) {
          if (outcome.code === 'unknown') {
            return sendPage(reply, 404, errorPage(plainChrome(session), { ...CONSOLE_ANSWER.noPiece, back: { href: applicationPath(app.id), label: CONSOLE_ANSWER.backToApplication } }));
          }
          return sendPage(reply, 403, errorPage(plainChrome(session), { ...CONSOLE_ANSWER.pieceForbidden, back: { href: applicationPath(app.id), label: CONSOLE_ANSWER.backToApplication } }));
        }
        return sendFile(reply, outcome.file, deps.blobStore);
      });

      // -------------------------------------------------------------------------------------------
      // The inbox: what persons and agents sent to the institution

      const viewerOf = (session: ConsoleSession): InboxViewer => ({ accountId: session.account.id, institutionId: session.account.institutionId, role: session.account.role });
      const FILTER_OF: Readonly<Record<string, InboxFilter>> = { 'a-moi': 'mine', 'non-attribues': 'unassigned', tous: 'all' };

      function noThread(reply: FastifyReply, session: ConsoleSession): FastifyReply {
        return sendPage(reply, 404, errorPage(plainChrome(session), { ...INBOX_WORDS.noThread, back: { href: INBOX_PATH, label: INBOX_WORDS.thread.back } }));
      }

      scope.get('/boite', async (request, reply) => {
        const session = await requireRole(request, reply, 'inbox.read');
        if (!session) return reply;
        const query = InboxQuery.safeParse(request.query ?? {});
        if (!query.success) return sendPage(reply, 400, errorPage(plainChrome(session), { title: CONSOLE_ANSWER.badRequest, text: CONSOLE_ANSWER.noSuchFilter }));
        const viewer = viewerOf(session);
        // a head of service sees everything first; an instructor what is theirs or nobody's
        const filter: InboxFilter = query.data.voir ? FILTER_OF[query.data.voir]! : 'all';
        const notice = query.data.fait === 'reponse' ? INBOX_WORDS.reply.done : null;
        const [rows, unread] = [await listInbox(db, viewer, filter), await unreadCount(db, viewer)];
        return sendPage(reply, 200, inboxPage(institutionChrome(session.account, session.csrf, 'inbox', { unread, notice }), session.account, { filter, rows }));
      });

      async function showThread(reply: FastifyReply, session: ConsoleSession, threadId: string, status: number, o: { notice?: string; reply?: string; errors?: Record<string, string> } = {}): Promise<FastifyReply> {
        const viewer = viewerOf(session);
        const thread = await openThread(db, dialect, viewer, threadId);
        if (!thread) return noThread(reply, session);
        const chrome = institutionChrome(session.account, session.csrf, 'inbox', { unread: await unreadCount(db, viewer), notice: o.notice ?? null, ...(o.errors ? { errors: o.errors } : {}) });
        return sendPage(reply, status, threadPage(chrome, session.account, thread, { people: await assignableAccounts(db, session.account.institutionId), ...(o.reply !== undefined ? { reply: o.reply } : {}), ...(o.errors ? { errors: o.errors } : {}) }));
      }

      scope.get('/boite/:id', async (request, reply) => {
        const session = await requireRole(request, reply, 'inbox.read');
        if (!session) return reply;
        const p = ThreadParams.safeParse(request.params);
        if (!p.success) return noThread(reply, session);
        const q = request.query as Record<string, unknown>;
        const notice = q.fait === 'attribue' ? INBOX_WORDS.assign.done : q.fait === 'inchange' ? INBOX_WORDS.assign.unchanged : undefined;
        return showThread(reply, session, p.data.id, 200, notice ? { notice } : {});
      });

      /** A form posted about one inbox thread: the role, the CSRF token, a thread id of the right shape. */
      async function postedOnThread(request: FastifyRequest, reply: FastifyReply): Promise<{ session: ConsoleSession; fields: Record<string, string | string[]>; threadId: string } | null> {
        const session = await requireRole(request, reply, 'inbox.read');
        if (!session) return null;
        const fields = checkedForm(request, reply, session.csrf, session);
        if (!fields) return null;
        const p = ThreadParams.safeParse(request.params);
        if (!p.success) {
          void noThread(reply, session);
          return null;
        }
        return { session, fields, threadId: p.data.id };
      }

      scope.post('/boite/:id/attribution', async (request, reply) => {
        const posted = await postedOnThread(request, reply);
        if (!posted) return reply;
        const { session, fields, threadId } = posted;
        const form = AssignForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const r = await assignThread(db, dialect, viewerOf(session), threadId, form.data.assignee === '' ? null : form.data.assignee);
        if (!r.ok) {
          if (r.code === 'unknown') return noThread(reply, session);
          if (r.code === 'bad-assignee') return showThread(reply, session, threadId, 400, { errors: { assignee: INBOX_WORDS.assign.badAssignee } });
          return sendPage(reply, 403, errorPage(plainChrome(session), { title: CONSOLE_MENU_WORDS.notForYourRole.title, text: INBOX_WORDS.assign.forbidden, back: { href: threadPath(threadId), label: INBOX_WORDS.thread.back } }));
        }
        request.log.info({ login: session.account.login, changed: r.changed }, 'inbox item assigned');
        return reply.redirect(`${threadPath(threadId)}?fait=${r.changed ? 'attribue' : 'inchange'}`, 303);
      });

      scope.post('/boite/:id/reponse', async (request, reply) => {
        const posted = await postedOnThread(request, reply);
        if (!posted) return reply;
        const { session, fields, threadId } = posted;
        const form = ReplyForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const r = await replyInThread(db, dialect, viewerOf(session), threadId, form.data.body);
        if (!r.ok) {
          if (r.code === 'unknown') return noThread(reply, session);
          const text = r.code === 'empty' ? INBOX_WORDS.reply.empty : INBOX_WORDS.reply.tooLong(MAX_REPLY_CHARS);
          return showThread(reply, session, threadId, 400, { reply: form.data.body, errors: { reponse: text } });
        }
        request.log.info({ login: session.account.login }, 'inbox reply sent');
        return reply.redirect(`${INBOX_PATH}?fait=reponse`, 303);
      });

      // a paper of a message, as it was sent (journaled); no HEAD twin: a HEAD would be journaled as a read
      scope.get('/boite/:id/papiers/:messageId/:documentId', { exposeHeadRoute: false }, async (request, reply) => {
        const session = await requireRole(request, reply, 'inbox.read');
        if (!session) return reply;
        const p = AttachmentParams.safeParse(request.params);
        if (!p.success) return noThread(reply, session);
        const outcome = await readInboxAttachment(deps, viewerOf(session), p.data.id, p.data.messageId, p.data.documentId);
        if (!outcome.ok) {
          const back = { href: threadPath(p.data.id), label: INBOX_WORDS.thread.back };
          if (outcome.code === 'unknown') return sendPage(reply, 404, errorPage(plainChrome(session), { ...INBOX_WORDS.noPaper, back }));
          request.log.info({ login: session.account.login, reason: outcome.reason }, 'inbox paper refused by the access policy');
          return sendPage(reply, 403, errorPage(plainChrome(session), { ...INBOX_WORDS.paperForbidden, back }));
        }
        return sendFile(reply, outcome.file, deps.blobStore);
      });

      // -------------------------------------------------------------------------------------------
      // The institution's accounts (its admin)

      async function showAccounts(reply: FastifyReply, session: ConsoleSession, status: number, o: { notice?: string | null; errors?: Record<string, string>; typed?: { name: string; login: string; role: InstitutionRole } } = {}): Promise<FastifyReply> {
        const chrome = institutionChrome(session.account, session.csrf, 'accounts', { notice: o.notice ?? null, ...(o.errors ? { errors: o.errors } : {}) });
        return sendPage(reply, status, accountsPage(chrome, session.account, { accounts: await listInstitutionAccounts(db, session.account.institutionId), minPassword: MIN_PASSWORD_CHARS, ...(o.errors ? { errors: o.errors } : {}), ...(o.typed ? { typed: o.typed } : {}) }));
      }

      scope.get('/comptes', async (request, reply) => {
        const session = await requireRole(request, reply, 'accounts.manage');
        if (!session) return reply;
        const q = request.query as Record<string, unknown>;
        const created = typeof q.cree === 'string' && /^[a-z0-9._-]{3,64}$/.test(q.cree) ? q.cree : null;
        const notice = created ? ACCOUNTS_PAGE_WORDS.created(created) : q.fait === 'oui' ? ACCOUNTS_PAGE_WORDS.done : q.fait === 'inchange' ? ACCOUNTS_PAGE_WORDS.unchanged : null;
        return showAccounts(reply, session, 200, { notice });
      });

      scope.post('/comptes/changement', async (request, reply) => {
        const session = await requireRole(request, reply, 'accounts.manage');
        if (!session) return reply;
        const fields = checkedForm(request, reply, session.csrf, session);
        if (!fields) return reply;
        const form = AccountChangeForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const f = form.data;
        if ((f.action === 'role') !== (f.role !== undefined)) return badForm(reply, session);
        const change: AccountChange = f.action === 'role' ? { kind: 'role', login: f.login, role: f.role ?? 'instructor' } : { kind: f.action, login: f.login };
        const r = await changeInstitutionAccount(db, dialect, { accountId: session.account.id, institutionId: session.account.institutionId }, change);
        if (!r.ok) return showAccounts(reply, session, r.code === 'unknown-account' ? 400 : 403, { errors: { compte: ACCOUNTS_PAGE_WORDS.refused[r.code] } });
        request.log.info({ login: session.account.login, action: f.action, changed: r.changed }, 'institution account changed');
        return reply.redirect(`${ACCOUNTS_PATH}?fait=${r.changed ? 'oui' : 'inchange'}`, 303);
      });

      scope.post('/comptes/creation', async (request, reply) => {
        const session = await requireRole(request, reply, 'accounts.manage');
        if (!session) return reply;
        const fields = checkedForm(request, reply, session.csrf, session);
        if (!fields) return reply;
        const form = AccountCreateForm.safeParse(fields);
        if (!form.success) return badForm(reply, session);
        const f = form.data;
        const typed = { name: f.name.trim(), login: f.login.trim().toLowerCase(), role: f.role };
        const errors: Record<string, string> = {};
        if (typed.name === '' || typed.name.length > 120) errors.nom = ACCOUNTS_PAGE_WORDS.writeName;
        if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(typed.login)) errors.identifiant = ACCOUNTS_PAGE_WORDS.badLogin;
        if (f.password.length < MIN_PASSWORD_CHARS) errors['mot-de-passe'] = ACCOUNTS_PAGE_WORDS.badPassword(MIN_PASSWORD_CHARS);
        if (Object.keys(errors).length > 0) return showAccounts(reply, session, 400, { errors, typed });
        const r = await createInstitutionAccount(db, dialect, { accountId: session.account.id, institutionId: session.account.institutionId }, { login: typed.login, name: typed.name, role: f.role, password: f.password });
        if (!r.ok) return showAccounts(reply, session, 400, { errors: r.code === 'exists' ? { identifiant: ACCOUNTS_PAGE_WORDS.exists } : { identifiant: ACCOUNTS_PAGE_WORDS.badLogin }, typed });
        request.log.info({ login: session.account.login, created: r.login }, 'institution account created');
        return reply.redirect(`${ACCOUNTS_PATH}?cree=${encodeURIComponent(r.login)}`, 303);
      });
    },
    { prefix: CONSOLE_PREFIX },
  );
}

