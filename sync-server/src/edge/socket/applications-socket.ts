/**
 * The aid space over the kiosk socket (protocol/applications.ts AID_EVENTS): catalogue, simulation,
 * dossiers, pieces, signed sending, withdrawal, thread, PDFs and notices. Every request names a person
 * session opened on this same socket by the card (vault-socket.ts); for an agent with a beneficiary, the
 * kiosk sends the beneficiary's joined session, so the subject is always the beneficiary and the agent
 * is the actor. Each request is validated with its protocol schema and answered with its protocol ack;
 * refusals are typed, in French: `{ ok: false, error: { code, message } }`.
 */
import type { Server as IoServer } from 'socket.io';
import { AID_EVENTS } from '../../../protocol/applications.ts';
import type { AckReplyOf, ParsedRequestOf } from '../../../protocol/events.ts';
import type { AdaptAck, AidSummary, ApplicationsListAck, CatalogueAck, DossierAck, PrepareAck, SimulateAck, SubmitAck } from '../../../protocol/applications.ts';
import { KIOSK_NAMESPACE } from '../../../protocol/socket.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { estimate, EstimateError } from '../../features/aids/index.ts';
import { loadRules } from '../../features/aids/index.ts';
import type { Rules } from '../../features/aids/index.ts';
import { catalogueOr } from '../../features/applications/index.ts';
import { adaptChecklist, applicantOf, choosePiece, createDossier, listDossiers, markNoticesSeen, viewDossier, withdrawDossier, writeToInstitution } from '../../features/applications/index.ts';
import { structureOfAgent } from '../../features/agents/index.ts';
import type { Outcome } from '../../features/applications/index.ts';
import { dossierPdfFor, receiptPdfFor } from '../../features/applications/index.ts';
import { prepareSubmission, submitSigned } from '../../features/applications/index.ts';
import { aidName, institutionName } from '../../features/applications/index.ts';
import type { PersonSession } from '../../features/vault/index.ts';
import { kioskIdOf } from './kiosk-socket.ts';
import { onPersonSession } from './vault-socket.ts';
import type { PersonSocketDeps } from './vault-socket.ts';
import { SOCKET_ANSWER } from '../../kernel/words/sync.ts';
import type { PolicyAction } from '../../kernel/access-policy.ts';

export interface ApplicationsSocketDeps extends PersonSocketDeps {
  /** default: assets/aids/catalogue.json */
  catalogue?: AidCatalogue;
  /** default: the simulation's current rules file */
  rules?: Rules;
}

type Fail = { ok: false; error: { code: string; message: string } };
type AidEventName = (typeof AID_EVENTS)[keyof typeof AID_EVENTS];

/** The aids the simulation estimates. */
const SIMULABLE = new Set(['rsa', 'prime-activite', 'aah', 'css']);

function answer<T, R extends object>(o: Outcome<T>, wrap: (v: T) => R): ({ ok: true } & R) | Fail {
  return o.ok ? { ok: true, ...wrap(o.value) } : { ok: false, error: o.error };
}

/**
 * Each aid event as an act of the access policy. The catalogue and an estimate are consulting. The
 * person's requests themselves — their list, a dossier (which shows which papers the person has, RIB and
 * health ones included), its printouts — are the filing level's: an agent who may not file does not
 * see them either. Choosing a paper for a checklist item adapts the checklist; preparing and signing is
 * sending; writing to the institution is a message.
 */
const ACT_OF_EVENT: Readonly<Record<AidEventName, PolicyAction>> = {
  [AID_EVENTS.catalogue]: 'vault.list',
  [AID_EVENTS.simulate]: 'vault.list',
  [AID_EVENTS.list]: 'application.file',
  [AID_EVENTS.get]: 'application.file',
  [AID_EVENTS.dossierPdf]: 'application.file',
  [AID_EVENTS.receiptPdf]: 'application.file',
  [AID_EVENTS.noticesSeen]: 'application.file',
  [AID_EVENTS.create]: 'application.file',
  [AID_EVENTS.withdraw]: 'application.file',
  [AID_EVENTS.choosePiece]: 'checklist.adapt',
  [AID_EVENTS.adapt]: 'checklist.adapt',
  [AID_EVENTS.prepare]: 'application.send',
  [AID_EVENTS.submit]: 'application.send',
  [AID_EVENTS.message]: 'institution.message',
};

export function attachApplicationsSocket(io: IoServer, deps: ApplicationsSocketDeps): void {
  let rules: Rules | null = deps.rules ?? null;

  io.of(KIOSK_NAMESPACE).on('connection', (socket) => {
    const kioskId = kioskIdOf(socket);
    if (!kioskId) return;

    /** A request in a live person session whose cards still hold, with the catalogue. */
    const on = <E extends AidEventName>(event: E, run: (req: ParsedRequestOf<E>, s: PersonSession, cat: AidCatalogue) => Promise<AckReplyOf<E>>) =>
      onPersonSession(socket, deps, event, async (req, s) => run(req, s, await catalogueOr(deps.catalogue)), {
        failure: 'aid space handler failed',
        context: { kioskId },
        // what the request does, in the policy's terms: an agent's level must allow it
        act: (req) => ({
          action: ACT_OF_EVENT[event],
          aidIds: 'aidIds' in req && Array.isArray(req.aidIds) ? req.aidIds.filter((a): a is string => typeof a === 'string') : undefined,
        }),
      });

    on(AID_EVENTS.catalogue, async (_req, _s, cat): Promise<CatalogueAck> => ({
      ok: true,
      version: cat.version,
      validFrom: cat.validFrom,
      aids: cat.aids.map(
        (a): AidSummary => ({
          id: a.id,
          name: a.name,
          summary: a.summary,
          family: a.family,
          description: a.description,
          institutionKind: a.institution,
          institutionName: institutionName(a.institution),
          officialUrl: a.officialUrl,
          process: a.process,
          simulable: SIMULABLE.has(a.id),
        }),
      ),
    }));

    on(AID_EVENTS.simulate, async (req, _s, cat): Promise<SimulateAck> => {
      rules ??= loadRules();
      let sim;
      try {
        sim = estimate(req.situation, rules);
      } catch (e) {
        if (e instanceof EstimateError) return { ok: false, error: { code: 'invalid', message: e.message } };
        throw e;
      }
      return {
        ok: true,
        rulesVersion: `${sim.rulesCover.first}..${sim.rulesCover.last}`,
        validFrom: `${sim.month}-01`,
        warnings: sim.warnings,
        results: sim.results.map((r) => ({
          aid: r.aid,
          aidName: r.person === 'conjoint' ? SOCKET_ANSWER.forPartner(aidName(cat, r.aid)) : aidName(cat, r.aid),
          eligible: r.eligible,
          monthlyAmount: r.monthlyAmount,
          explanation: r.explanation,
          ...(r.cssParticipation === undefined ? {} : { cssParticipation: r.cssParticipation }),
          scales: r.scales,
        })),
      };
    });

    on(AID_EVENTS.list, async (_req, s, cat): Promise<ApplicationsListAck> => ({ ok: true, ...(await listDossiers(deps.db, applicantOf(s), cat)) }));

    on(AID_EVENTS.create, async (req, s, cat) =>
      answer(await createDossier(deps.db, deps.dialect, { applicant: applicantOf(s), aidIds: req.aidIds, situation: req.situation, catalogue: cat }), (v) => ({ dossierId: v.dossierId })),
    );

    on(AID_EVENTS.get, async (req, s, cat): Promise<DossierAck> =>
      answer(await viewDossier(deps.db, deps.dialect, applicantOf(s), req.dossierId, cat), (dossier) => ({ dossier })),
    );

    on(AID_EVENTS.choosePiece, async (req, s, cat) =>
      answer(await choosePiece(deps.db, deps.dialect, applicantOf(s), { dossierId: req.dossierId, itemId: req.itemId, documentId: req.documentId, catalogue: cat }), () => ({})),
    );

    on(AID_EVENTS.adapt, async (req, s, cat): Promise<AdaptAck> =>
      answer(
        await adaptChecklist(deps.db, deps.dialect, applicantOf(s), {
          dossierId: req.dossierId,
          change: req.change,
          catalogue: cat,
          structure: s.consent ? ((await structureOfAgent(deps.db, s.consent.agentPersonId))?.name ?? null) : null,
        }),
        (v) => ({ itemId: v.itemId }),
      ),
    );

    const submission = (cat: AidCatalogue) => ({ db: deps.db, dialect: deps.dialect, ca: deps.ca, catalogue: cat });

    on(AID_EVENTS.prepare, async (req, s, cat): Promise<PrepareAck> =>
      answer(await prepareSubmission(submission(cat), applicantOf(s), { dossierId: req.dossierId, mode: req.mode, ground: req.ground }), (manifest) => ({ manifest })),
    );

    on(AID_EVENTS.submit, async (req, s, cat): Promise<SubmitAck> => {
      const r = await submitSigned(submission(cat), applicantOf(s), req);
      if (!r.ok) deps.log.warn({ kioskId: s.kioskId, cardSerial: req.cardSerial, code: r.error.code }, 'signed submission refused');
      return answer(r, (v) => v);
    });

    on(AID_EVENTS.withdraw, async (req, s) => answer(await withdrawDossier(deps.db, deps.dialect, applicantOf(s), req.dossierId), () => ({})));

    on(AID_EVENTS.message, async (req, s, cat) =>
      answer(await writeToInstitution(deps.db, deps.dialect, applicantOf(s), { dossierId: req.dossierId, applicationId: req.applicationId, body: req.body, catalogue: cat }), () => ({})),
    );

    const printouts = (cat: AidCatalogue) => ({ db: deps.db, dialect: deps.dialect, blobStore: deps.blobStore, catalogue: cat, pdf: deps.pdf });
    on(AID_EVENTS.dossierPdf, async (req, s, cat) => answer(await dossierPdfFor(printouts(cat), s, req.dossierId), (pdf) => ({ bytes: Buffer.from(pdf) })));
    on(AID_EVENTS.receiptPdf, async (req, s, cat) => answer(await receiptPdfFor(printouts(cat), s, req.dossierId), (pdf) => ({ bytes: Buffer.from(pdf) })));

    on(AID_EVENTS.noticesSeen, async (req, s) => {
      await markNoticesSeen(deps.db, applicantOf(s), req.ids);
      return { ok: true };
    });
  });
}
