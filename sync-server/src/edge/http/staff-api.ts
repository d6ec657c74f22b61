/**
 * Staff HTTP API (Bearer FAC_STAFF_TOKEN). Params are validated with zod at the edge; every vault read
 * goes through the access policy on the ground staff-administration and is journaled.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { issueInstitutionalDocument, IssueRequest } from '../../features/institutions/index.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { Sha256, Uuid } from '../../../protocol/common.ts';
import { Identifier } from '../../../protocol/identifier.ts';
import { CardSerial, RevocationReason } from '../../../protocol/revocation.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { blockCard } from '../../features/cards/index.ts';
import { CardAdminError } from '../../features/cards/index.ts';
import { latestRevocationList } from '../../features/cards/index.ts';
import { findPersonByIdentifier } from '../../features/persons/index.ts';
import {
  staffAuthorizeBlobRead,
  staffListDocuments,
  staffReadDocument,
  staffReadPersonAudit,
} from '../../features/vault/index.ts';
import type { ReadDeps, ReadOutcome, StaffActor } from '../../features/vault/index.ts';
import type { PushService } from '../socket/pushes.ts';
import { sendError } from './errors.ts';
import { requireStaffToken } from './staff-auth.ts';
import { HTTP_ANSWER } from '../../kernel/words/staff.ts';

export const STAFF_PREFIX = '/api/staff';

export interface StaffApiDeps extends ReadDeps {
  staffToken: string;
  blobStore: BlobStore;
  /** publishes and pushes the revocation list after a card is blocked */
  pushes: PushService;
  /** where an institution's PDF is opened to be checked */
  pdf: PdfPool;
}

/** One shared token for now; per-agent identities (card login on the console) come later. */
const STAFF_ACTOR: StaffActor = { kind: 'staff', id: 'staff-api' };

const DocumentParams = z.object({ id: Uuid });
const BlobParams = z.object({ sha256: Sha256 });
const PersonParams = z.object({ identifier: Identifier });
const CardParams = z.object({ serial: z.string().max(16).transform((s) => s.toUpperCase()).pipe(CardSerial) });
const BlockBody = z.strictObject({ reason: RevocationReason.exclude(['replaced']).default('lost') });

function refusal(reply: FastifyReply, outcome: Exclude<ReadOutcome<unknown>, { ok: true }>): FastifyReply {
  if (outcome.code === 'unknown') return sendError(reply, 404, 'unknown', 'Introuvable.');
  return sendError(reply, 403, 'forbidden', HTTP_ANSWER.forbidden(outcome.reason));
}

export async function registerStaffApi(app: FastifyInstance, deps: StaffApiDeps): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', requireStaffToken(deps.staffToken));

      scope.get('/documents/:id', async (request, reply) => {
        const params = DocumentParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badDocumentId);
        const outcome = await staffReadDocument(deps, STAFF_ACTOR, params.data.id);
        if (!outcome.ok) return refusal(reply, outcome);
        return outcome.value;
      });

      scope.get('/blobs/:sha256', async (request, reply) => {
        const params = BlobParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badSha256);
        // a blob row whose bytes are gone must not be journaled as read
        const size = await deps.blobStore.size(params.data.sha256);
        if (size === null) return sendError(reply, 404, 'unknown', 'Introuvable.');
        const outcome = await staffAuthorizeBlobRead(deps, STAFF_ACTOR, params.data.sha256);
        if (!outcome.ok) return refusal(reply, outcome);
        return reply
          .type(outcome.value.mime)
          .header('content-length', String(size))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'")
          .header('cache-control', 'no-store')
          .send(deps.blobStore.read(params.data.sha256));
      });

      scope.get('/persons/:identifier/documents', async (request, reply) => {
        const params = PersonParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badPersonId);
        const person = await findPersonByIdentifier(deps.db, params.data.identifier);
        if (!person) return sendError(reply, 404, 'unknown', HTTP_ANSWER.personUnknown);
        const outcome = await staffListDocuments(deps, STAFF_ACTOR, person);
        if (!outcome.ok) return refusal(reply, outcome);
        return { owner: person.identifier, documents: outcome.value };
      });

      scope.get('/persons/:identifier/audit', async (request, reply) => {
        const params = PersonParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badPersonId);
        const person = await findPersonByIdentifier(deps.db, params.data.identifier);
        if (!person) return sendError(reply, 404, 'unknown', HTTP_ANSWER.personUnknown);
        const outcome = await staffReadPersonAudit(deps, STAFF_ACTOR, person);
        if (!outcome.ok) return refusal(reply, outcome);
        return { owner: person.identifier, entries: outcome.value };
      });

      // An institution's paper, put into the person's institutional vault (JSON, the file in base64).
      scope.post('/persons/:identifier/documents', { bodyLimit: 22 * 1024 * 1024 }, async (request, reply) => {
        const params = PersonParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badPersonId);
        const body = IssueRequest.safeParse(request.body);
        if (!body.success) {
          const first = body.error.issues[0];
          return sendError(reply, 400, 'invalid', HTTP_ANSWER.badIssueRequest(first ? { where: first.path.join('.'), what: first.message } : null));
        }
        const outcome = await issueInstitutionalDocument(deps, STAFF_ACTOR, params.data.identifier, body.data);
        if (!outcome.ok) {
          const status = outcome.code === 'unknown' ? 404 : outcome.code === 'forbidden' ? 403 : outcome.code === 'busy' ? 503 : 400;
          return sendError(reply, status, outcome.code === 'busy' ? 'internal' : outcome.code === 'too_large' ? 'invalid' : outcome.code, outcome.message);
        }
        return reply.code(201).send({ documentId: outcome.documentId, sha256: outcome.sha256 });
      });

      // Blocking a lost or stolen card: it joins the signed revocation list pushed to every kiosk.
      scope.post('/cards/:serial/block', async (request, reply) => {
        const params = CardParams.safeParse(request.params);
        if (!params.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badCardSerial);
        const body = BlockBody.safeParse(request.body ?? {});
        if (!body.success) return sendError(reply, 400, 'invalid', HTTP_ANSWER.badRevokeReason);
        let result;
        try {
          result = await blockCard(deps.db, deps.dialect, { serial: params.data.serial, reason: body.data.reason, actor: STAFF_ACTOR });
        } catch (e) {
          if (e instanceof CardAdminError && e.code === 'unknown-card') return sendError(reply, 404, 'unknown', HTTP_ANSWER.cardUnknown);
          throw e;
        }
        const list = await deps.pushes.revocationsChanged();
        return { serial: result.serial, status: result.status, changed: result.changed, revocationsVersion: list?.version ?? null };
      });

      scope.get('/revocations', async (_request, reply) => {
        const list = await latestRevocationList(deps.db);
        if (!list) return sendError(reply, 404, 'unknown', HTTP_ANSWER.noRevocationList);
        return list;
      });
    },
    { prefix: STAFF_PREFIX },
  );
}
