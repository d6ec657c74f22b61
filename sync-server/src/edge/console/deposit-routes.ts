/**
 * The console's deposit page (/console/depots), registered from routes.ts inside the console's scope (its
 * security headers, error pages and login), in a child scope of its own so that only it reads
 * `multipart/form-data`. Order of the checks on the POST, as elsewhere in the console: session (else the
 * login), role (`mayDeposit`, else 403), form body (else 400), CSRF token (else 403), then the fields
 * (else the page again with the errors, nothing stored).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { IsoDate } from '../../../protocol/common.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { csrfMatches, findSession, readCookies, SESSION_COOKIE } from '../../features/accounts/index.ts';
import type { ConsoleSession } from '../../features/accounts/index.ts';
import { depositForInstitution, depositorAccount, DepositRequest, MAX_ISSUED_FILE_BYTES, mayDeposit, recentDeposits } from '../../features/institutions/index.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { sniff } from '../../kernel/files/sniff.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { CONSOLE_ANSWER } from '../../kernel/words/console.ts';
import { DEPOSIT_PAGE_WORDS as W } from '../../kernel/words/deposits.ts';
import { DEPOSIT_FIELDS as F, DEPOSITS_PATH, depositPage } from './deposit-views.ts';
import type { DepositTyped } from './deposit-views.ts';
import { boundaryOf, MultipartBody, parseMultipart } from './multipart.ts';
import { institutionMenu } from './inbox-views.ts';
import { errorPage, LOGIN_PATH } from './views.ts';
import type { FieldErrors, PageChrome } from './views.ts';

export interface DepositPageDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobStore: BlobStore;
  pdf: PdfPool;
  catalogue?: AidCatalogue;
}

/** the file (15 MB) and the form's few fields */
const DEPOSIT_FORM_LIMIT = MAX_ISSUED_FILE_BYTES + 64 * 1024;

const MIME_OF_KIND = { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png' } as const;

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/** A date as a date input sends it (AAAA-MM-JJ), or as a person types it where there is none (JJ/MM/AAAA). */
function dateField(raw: string | undefined): { ok: true; value: string | undefined } | { ok: false } {
  const s = (raw ?? '').trim();
  if (s === '') return { ok: true, value: undefined };
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = fr ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` : s;
  return IsoDate.safeParse(iso).success ? { ok: true, value: iso } : { ok: false };
}

export async function registerDepositPages(scope: FastifyInstance, deps: DepositPageDeps): Promise<void> {
  const { db } = deps;
  await scope.register(async (child) => {
    child.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: DEPOSIT_FORM_LIMIT }, (request, body, done) => {
      const boundary = boundaryOf(request.headers['content-type']);
      const form = boundary !== null && Buffer.isBuffer(body) ? parseMultipart(body, boundary) : null;
      if (form === null) {
        done(Object.assign(new Error('bad multipart form'), { statusCode: 400 }), undefined);
        return;
      }
      done(null, new MultipartBody(form));
    });

    // the same menu as the institution's other pages, this one marked current
    const chrome = (session: ConsoleSession, more: Partial<PageChrome> = {}): PageChrome => ({ account: session.account, csrf: session.csrf, home: undefined, menu: institutionMenu(session.account, 'deposits'), ...more });

    /** The live session of someone who may deposit for their institution, or null once answered. */
    async function requireDepositor(request: FastifyRequest, reply: FastifyReply): Promise<{ session: ConsoleSession; role: Parameters<typeof mayDeposit>[0] } | null> {
      const found = await findSession(db, readCookies(request.headers.cookie).get(SESSION_COOKIE));
      if (!found.ok) {
        void reply.redirect(LOGIN_PATH, 303);
        return null;
      }
      const account = await depositorAccount(db, found.session.account.id);
      if (!account || !account.active || account.institutionId !== found.session.account.institutionId || !mayDeposit(account.role)) {
        void sendPage(reply, 403, errorPage(chrome(found.session), W.notForYou));
        return null;
      }
      return { session: found.session, role: account.role };
    }

    async function page(reply: FastifyReply, status: number, session: ConsoleSession, o: { typed?: DepositTyped; errors?: FieldErrors; notice?: string }): Promise<FastifyReply> {
      const errors = o.errors ?? {};
      const list = Object.entries(errors).map(([field, message]) => ({ field, message }));
      return sendPage(
        reply,
        status,
        depositPage(chrome(session, { errors: list.length > 0 ? list : undefined, notice: o.notice }), { recent: await recentDeposits(db, session.account.institutionId), typed: o.typed ?? {}, errors }),
      );
    }

    child.get(DEPOSITS_PATH.replace(/^\/console/, ''), async (request, reply) => {
      const who = await requireDepositor(request, reply);
      if (!who) return reply;
      const done = (request.query as Record<string, unknown>).depot;
      // the notice names a deposit of this institution only (the list shows it anyway)
      const recent = typeof done === 'string' ? (await recentDeposits(db, who.session.account.institutionId)).find((d) => d.id === done) : undefined;
      return page(reply, 200, who.session, recent ? { notice: W.done(recent.title) } : {});
    });

    child.post(DEPOSITS_PATH.replace(/^\/console/, ''), async (request, reply) => {
      const who = await requireDepositor(request, reply);
      if (!who) return reply;
      const { session } = who;
      if (!(request.body instanceof MultipartBody)) return sendPage(reply, 400, errorPage(chrome(session), { title: CONSOLE_ANSWER.badRequest, text: CONSOLE_ANSWER.unreadableNothingChanged }));
      const { fields, file } = request.body.form;
      if (!csrfMatches(fields.csrf, session.csrf)) return sendPage(reply, 403, errorPage(chrome(session), { title: CONSOLE_ANSWER.csrf.title, text: CONSOLE_ANSWER.csrf.text }));

      const typed: DepositTyped = { person: (fields[F.person] ?? '').trim(), docType: fields[F.docType] ?? '', title: (fields[F.title] ?? '').trim(), issuedOn: fields[F.issuedOn] ?? '', expiresOn: fields[F.expiresOn] ?? '' };
      const errors: FieldErrors = {};
      const person = checkIdentifier(typed.person ?? '');
      if (!person.ok) errors[F.person] = W.errors.person;
      const docType = DepositRequest.shape.docType.safeParse(typed.docType);
      if (!docType.success) errors[F.docType] = W.errors.docType;
      if ((typed.title ?? '').length > 200) errors[F.title] = W.errors.docTitle;
      const issuedOn = dateField(typed.issuedOn);
      if (!issuedOn.ok) errors[F.issuedOn] = W.errors.date;
      const expiresOn = dateField(typed.expiresOn);
      if (!expiresOn.ok) errors[F.expiresOn] = W.errors.date;
      else if (issuedOn.ok && issuedOn.value && expiresOn.value && expiresOn.value < issuedOn.value) errors[F.expiresOn] = W.errors.endBeforeStart;
      const kind = file ? sniff(file.bytes) : null;
      if (!file || file.bytes.length === 0) errors[F.file] = W.errors.file;
      else if (file.bytes.length > MAX_ISSUED_FILE_BYTES) errors[F.file] = W.errors.tooLarge;
      else if (kind === null || kind === 'webp') errors[F.file] = W.errors.notAFile;
      if (Object.keys(errors).length > 0 || !person.ok || !docType.success || !issuedOn.ok || !expiresOn.ok || !file || kind === null || kind === 'webp') {
        return page(reply, errors[F.file] === W.errors.tooLarge ? 413 : 400, session, { typed, errors });
      }

      const request_ = DepositRequest.safeParse({
        person: person.identifier,
        docType: docType.data,
        mime: MIME_OF_KIND[kind],
        content: file.bytes.toString('base64'),
        ...(typed.title ? { title: typed.title } : {}),
        ...(issuedOn.value ? { issuedOn: issuedOn.value } : {}),
        ...(expiresOn.value ? { expiresOn: expiresOn.value } : {}),
      });
      if (!request_.success) return page(reply, 400, session, { typed, errors: { [F.file]: W.errors.file } });
      const outcome = await depositForInstitution(deps, { kind: 'account', accountId: session.account.id, institutionId: session.account.institutionId, role: who.role, active: true }, request_.data);
      if (!outcome.ok) {
        request.log.info({ login: session.account.login, code: outcome.code }, 'console deposit refused');
        switch (outcome.code) {
          case 'unknown':
            return page(reply, 404, session, { typed, errors: { [F.person]: W.errors.personUnknown } });
          case 'too_large':
            return page(reply, 413, session, { typed, errors: { [F.file]: W.errors.tooLarge } });
          case 'busy':
            void reply.header('retry-after', '30');
            return page(reply, 503, session, { typed, errors: { [F.file]: W.errors.busy } });
          case 'invalid':
            return page(reply, 400, session, { typed, errors: { [F.file]: outcome.message } });
          default:
            return sendPage(reply, 403, errorPage(chrome(session), W.notForYou));
        }
      }
      request.log.info({ login: session.account.login, depositId: outcome.deposit.depositId }, 'console deposit');
      return reply.redirect(`${DEPOSITS_PATH}?depot=${encodeURIComponent(outcome.deposit.depositId)}`, 303);
    });
  });
}
