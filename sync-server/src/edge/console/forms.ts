/**
 * HTML form bodies (application/x-www-form-urlencoded), parsed in the console's scope only, then
 * validated with zod. A repeated name (checkboxes) becomes a list. Anything else than a form gets a
 * French 400: the console never reads JSON.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APPLICATION_EVENTS } from '../../features/applications/index.ts';
import { MAX_MESSAGE_CHARS, MAX_SEARCH_CHARS } from '../../features/applications/index.ts';

export const FORM_BODY_LIMIT = 64 * 1024;

/** A parsed form: marks the body as coming from the form parser (not JSON). */
export class FormBody {
  constructor(readonly fields: Record<string, string | string[]>) {}
}

export function registerFormParser(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    try {
      for (const [k, v] of new URLSearchParams(String(body))) {
        const prev = fields[k];
        if (prev === undefined) fields[k] = v;
        else if (Array.isArray(prev)) prev.push(v);
        else fields[k] = [prev, v];
      }
    } catch {
      done(Object.assign(new Error('bad form'), { statusCode: 400 }), undefined);
      return;
    }
    done(null, new FormBody(fields));
  });
}

export function formFields(body: unknown): Record<string, string | string[]> | null {
  return body instanceof FormBody ? body.fields : null;
}

const Csrf = z.string().max(128);
const Text = z.string().max(MAX_MESSAGE_CHARS * 2);

export const LoginForm = z.strictObject({
  csrf: Csrf,
  login: z.string().max(200),
  password: z.string().max(400),
});

export const LogoutForm = z.strictObject({ csrf: Csrf });

const ItemId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(80);

export const DecisionEvent = z.enum(APPLICATION_EVENTS);

export const DecisionForm = z.strictObject({
  csrf: Csrf,
  action: DecisionEvent,
  message: Text.optional(),
  pieces: z
    .union([ItemId, z.array(ItemId).max(60)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v])),
  /** the confirmation box of an acceptance or a refusal (without it, nothing is decided) */
  confirme: z.literal('oui').optional(),
  /** an acceptance's monthly amount and start date, as typed (parsed in French by the route) */
  montant: z.string().max(40).optional(),
  debut: z.string().max(40).optional(),
});

export const MessageForm = z.strictObject({ csrf: Csrf, body: Text });

export const QueueQuery = z.strictObject({
  etat: z.enum(['toutes', 'submitted', 'in-processing', 'information-requested']).default('toutes'),
  /** a name or a receipt number */
  q: z.string().max(MAX_SEARCH_CHARS).optional(),
});

export const ApplicationParams = z.strictObject({ id: z.uuid() });
export const PieceParams = z.strictObject({ id: z.uuid(), itemId: ItemId });

/** A structure admin's change to an agent: the identifier on the agent's card, and the level when it is set. */
/** The structure withdraws a procuration of one of its agents; the reason is optional (the person reads it). */
export const ProcurationWithdrawForm = z.strictObject({
  csrf: Csrf,
  id: z.uuid(),
  reason: z.string().max(300).optional(),
});

export const AgentChangeForm = z.strictObject({
  csrf: Csrf,
  action: z.enum(['attach', 'level', 'suspend', 'reactivate']),
  identifier: z.string().max(60),
  level: z.enum(['accueil', 'accompagnement', 'travail-social']).optional(),
});

/** The inbox's filter: « à moi », « non attribués », « tous » (the default depends on the role). */
export const InboxQuery = z.strictObject({ voir: z.enum(['a-moi', 'non-attribues', 'tous']).optional(), fait: z.literal('reponse').optional() });
export const ThreadParams = z.strictObject({ id: z.uuid() });
export const AttachmentParams = z.strictObject({ id: z.uuid(), messageId: z.uuid(), documentId: z.uuid() });
/** an account id of the institution, or empty: no one */
export const AssignForm = z.strictObject({ csrf: Csrf, assignee: z.union([z.literal(''), z.uuid()]) });
export const ReplyForm = z.strictObject({ csrf: Csrf, body: Text });

const InstitutionRoleField = z.enum(['institution', 'instructor', 'depositor', 'institution-admin']);
/** An institution admin's change to one of its accounts. */
export const AccountChangeForm = z.strictObject({
  csrf: Csrf,
  login: z.string().min(1).max(64),
  action: z.enum(['role', 'disable', 'enable']),
  role: InstitutionRoleField.optional(),
});
export const AccountCreateForm = z.strictObject({
  csrf: Csrf,
  name: z.string().max(200),
  login: z.string().max(200),
  role: InstitutionRoleField,
  password: z.string().max(400),
});
