/**
 * The procuration numérique over the kiosk socket (protocol/procurations-events.ts). Every request names
 * a person session the card opened on this same socket (vault-socket.ts), checked with the access policy
 * as for the vault's reads (the cards as they are now):
 *  - `create`: the beneficiary's session joined to the agent's (both cards in the box); the signed text
 *    must name those two people and those two cards;
 *  - `mine`, `pdf`: the person's own list and printed copy (alone, or with the agent beside them);
 *  - `revoke`: the person's card proves it is in the box (as a write's proof);
 *  - `caseload`, `structure`: the agent's own session.
 */
import type { Server as IoServer } from 'socket.io';
import type { AckReplyOf, ParsedRequestOf } from '../../../protocol/events.ts';
import { PROCURATION_EVENTS } from '../../../protocol/procurations-events.ts';
import type { CaseloadAck, CaseloadSearchAck, CreateProcurationAck, MineAck, StructureAck } from '../../../protocol/procurations-events.ts';
import { KIOSK_NAMESPACE } from '../../../protocol/socket.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { catalogueOr } from '../../features/applications/index.ts';
import { caseload, listForPerson, procurationPdfFor, revokeAtKiosk, storeProcuration } from '../../features/procurations/index.ts';
import type { AgentStructure } from '../../features/procurations/index.ts';
import { searchCaseload } from '../../features/vault/index.ts';
import type { PersonSession } from '../../features/vault/index.ts';
import { PROCURATION_ANSWER } from '../../kernel/words/procurations.ts';
import { kioskIdOf } from './kiosk-socket.ts';
import { onPersonSession } from './vault-socket.ts';
import type { PersonSocketDeps } from './vault-socket.ts';

export interface ProcurationsSocketDeps extends PersonSocketDeps {
  /** default: assets/aids/catalogue.json */
  catalogue?: AidCatalogue;
  /** the agent's structure (from the structures' feature once it is there; until then none is known and nothing is stored) */
  structureOf: (agentPersonId: string) => Promise<AgentStructure | null>;
}

type Fail = { ok: false; error: { code: string; message: string } };
type ProcurationEventName = (typeof PROCURATION_EVENTS)[keyof typeof PROCURATION_EVENTS];

const fail = (code: string, message: string): Fail => ({ ok: false, error: { code, message } });

export function attachProcurationsSocket(io: IoServer, deps: ProcurationsSocketDeps): void {
  const vault = { db: deps.db, dialect: deps.dialect };

  io.of(KIOSK_NAMESPACE).on('connection', (socket) => {
    const kioskId = kioskIdOf(socket);
    if (!kioskId) return;

    const on = <E extends ProcurationEventName>(event: E, run: (req: ParsedRequestOf<E>, s: PersonSession) => Promise<AckReplyOf<E>>) =>
      onPersonSession(socket, deps, event, run, { failure: 'procuration handler failed', context: { kioskId } });

    on(PROCURATION_EVENTS.create, async (req, s): Promise<CreateProcurationAck> => {
      if (!s.consent) return fail('forbidden', PROCURATION_ANSWER.bothCards);
      const r = await storeProcuration(
        { db: deps.db, dialect: deps.dialect, ca: deps.ca, catalogue: await catalogueOr(deps.catalogue), structureOf: deps.structureOf },
        req.procuration,
        { kioskId: s.kioskId, personId: s.personId, agentPersonId: s.consent.agentPersonId, cardSerials: { person: s.cardSerial, agent: s.consent.agentCardSerial } },
      );
      if (!r.ok) {
        deps.log.warn({ kioskId: s.kioskId, reason: r.error.reason }, 'procuration refused');
        return fail(r.error.code, r.error.message);
      }
      return { ok: true, id: r.value.id, renewed: r.value.renewed };
    });

    on(PROCURATION_EVENTS.mine, async (_req, s): Promise<MineAck> => {
      if (s.role !== 'beneficiary') return fail('forbidden', PROCURATION_ANSWER.notFound);
      return { ok: true, procurations: await listForPerson(vault, s.personId) };
    });

    on(PROCURATION_EVENTS.revoke, async (req, s) => {
      if (s.role !== 'beneficiary') return fail('forbidden', PROCURATION_ANSWER.notFound);
      const r = await revokeAtKiosk({ ...vault, ca: deps.ca }, { kioskId: s.kioskId, personId: s.personId, cardSerial: s.cardSerial }, req);
      return r.ok ? { ok: true } : fail(r.error.code, r.error.message);
    });

    on(PROCURATION_EVENTS.caseload, async (_req, s): Promise<CaseloadAck> => {
      if (s.role !== 'agent' || s.consent) return fail('forbidden', PROCURATION_ANSWER.notAgent);
      return { ok: true, people: await caseload(vault, s.personId) };
    });

    on(PROCURATION_EVENTS.search, async (req, s): Promise<CaseloadSearchAck> => {
      if (s.role !== 'agent' || s.consent || s.procuration) return fail('forbidden', PROCURATION_ANSWER.notAgent);
      return { ok: true, hits: await searchCaseload({ ...vault, ...(deps.ca ? { ca: deps.ca } : {}) }, s, req.query) };
    });

    on(PROCURATION_EVENTS.structure, async (_req, s): Promise<StructureAck> => {
      if (s.role !== 'agent' || s.consent) return fail('forbidden', PROCURATION_ANSWER.notAgent);
      return { ok: true, structure: await deps.structureOf(s.personId) };
    });

    on(PROCURATION_EVENTS.pdf, async (req, s) => {
      if (s.role !== 'beneficiary') return fail('forbidden', PROCURATION_ANSWER.notFound);
      const r = await procurationPdfFor({ ...vault, pdf: deps.pdf }, s.personId, req.procurationId);
      return r.ok ? { ok: true, bytes: Buffer.from(r.value) } : fail(r.error.code, r.error.message);
    });
  });
}
