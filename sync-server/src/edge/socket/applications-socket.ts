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
import { simulateAnswer } from '../../../protocol/estimate/answer.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { estimate, EstimateError } from '../../features/aids/index.ts';
import { loadRules, loadZonesApl } from '../../features/aids/index.ts';
import type { Rules, ZonesApl } from '../../features/aids/index.ts';
import { catalogueOr } from '../../features/applications/index.ts';
import { adaptChecklist, applicantOf, choosePiece, createDossier, dossierAidIds, listDossiers, markNoticesSeen, viewDossier, withdrawDossier, writeToInstitution } from '../../features/applications/index.ts';
import { structureOfAgent } from '../../features/agents/index.ts';
import { procurationAids } from '../../features/procurations/index.ts';
import type { Outcome } from '../../features/applications/index.ts';
import { dossierPdfFor, receiptPdfFor } from '../../features/applications/index.ts';
import { prepareSubmission, submitSigned } from '../../features/applications/index.ts';
import { institutionName } from '../../features/applications/index.ts';
import type { PersonSession } from '../../features/vault/index.ts';
import { kioskIdOf } from './kiosk-socket.ts';
import { onPersonSession } from './vault-socket.ts';
import type { PersonSocketDeps } from './vault-socket.ts';
import type { PolicyAction } from '../../kernel/access-policy.ts';

export interface ApplicationsSocketDeps extends PersonSocketDeps {
  /** default: assets/aids/catalogue.json */
  catalogue?: AidCatalogue;
  /** default: the simulation's current rules file */
  rules?: Rules;
}

type Fail = { ok: false; error: { code: string; message: string } };
type AidEventName = (typeof AID_EVENTS)[keyof typeof AID_EVENTS];

/**
 * The aids the simulation estimates. The PCH, the CMI and the MDPH request are not: their result only says
 * that the MDPH assesses them, so the catalogue offers no estimate for them.
 */
const SIMULABLE = new Set(['rsa', 'prime-activite', 'aah', 'css', 'aides-logement', 'allocations-familiales', 'ars', 'cheque-energie', 'bourse-lycee']);

function answer<T, R extends object>(o: Outcome<T>, wrap: (v: T) => R): ({ ok: true } & R) | Fail {
  return o.ok ? { ok: true, ...wrap(o.value) } : { ok: false, error: o.error };
}

/**
 * Each aid event as an act of the access policy. The catalogue and an estimate are consulting. The
 * person's requests themselves — their list, a dossier (which shows which papers the person has, RIB and
 * health ones included), its printouts — are the filing level's: an agent who may not file does not
 * see them either. Choosing which paper fills a checklist item is filing (the list itself is unchanged:
 * adding or waiving an item is adapting it); preparing and signing is sending; writing to the institution
 * is a message.
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
  [AID_EVENTS.choosePiece]: 'application.file',
  [AID_EVENTS.adapt]: 'checklist.adapt',
  [AID_EVENTS.prepare]: 'application.send',
  [AID_EVENTS.submit]: 'application.send',
  [AID_EVENTS.message]: 'institution.message',
};

/** The agent acting in this session, with the person or on their procuration (null: the person alone). */
const agentOf = (s: PersonSession): string | null => s.consent?.agentPersonId ?? s.procuration?.agentPersonId ?? null;

export function attachApplicationsSocket(io: IoServer, deps: ApplicationsSocketDeps): void {
  let rules: Rules | null = deps.rules ?? null;
  let zones: ZonesApl | null = null;

  io.of(KIOSK_NAMESPACE).on('connection', (socket) => {
    const kioskId = kioskIdOf(socket);
    if (!kioskId) return;

    /** A request in a live person session whose cards still hold, with the catalogue. */
    const on = <E extends AidEventName>(event: E, run: (req: ParsedRequestOf<E>, s: PersonSession, cat: AidCatalogue) => Promise<AckReplyOf<E>>) =>
      onPersonSession(socket, deps, event, async (req, s) => run(req, s, await catalogueOr(deps.catalogue)), {
        failure: 'aid space handler failed',
        context: { kioskId },
        // what the request does, in the policy's terms: an agent's level must allow it
        act: async (req, s) => ({ action: ACT_OF_EVENT[event], aidIds: await aidsOf(event, req, s) }),
      });

    /**
     * The aids a request is about, for the policy: those it names (a new request), else, on a procuration
     * only (where each must be named in it; elsewhere nothing reads them), the dossier's, or for the
     * list of requests the procuration's own (the list then shows only the requests within them).
     */
    const aidsOf = async (event: AidEventName, req: object, s: PersonSession): Promise<readonly string[] | undefined> => {
      if ('aidIds' in req && Array.isArray(req.aidIds)) return req.aidIds.filter((a): a is string => typeof a === 'string');
      if (!s.procuration) return undefined;
      if ('dossierId' in req && typeof req.dossierId === 'string') return dossierAidIds(deps.db, s.personId, req.dossierId);
      if (event === AID_EVENTS.list || event === AID_EVENTS.noticesSeen) return procurationAids(deps, s.procuration.id);
      return undefined;
    };

    /** The applicant of a session; on a procuration, with the structure the agent acts for (the person's journal names it). */
    const applicant = async (s: PersonSession) => (s.procuration ? applicantOf(s, { structureId: (await structureOfAgent(deps.db, s.procuration.agentPersonId))?.id ?? null }) : applicantOf(s));

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
      zones ??= loadZonesApl();
      let sim;
      try {
        sim = estimate(req.situation, rules, zones);
      } catch (e) {
        if (e instanceof EstimateError) return { ok: false, error: { code: 'invalid', message: e.message } };
        throw e;
      }
      return simulateAnswer(sim, cat.aids);
    });

    on(AID_EVENTS.list, async (_req, s, cat): Promise<ApplicationsListAck> => ({
      ok: true,
      ...(await listDossiers(deps.db, await applicant(s), cat, s.procuration ? { aidScope: await procurationAids(deps, s.procuration.id) } : {})),
    }));

    on(AID_EVENTS.create, async (req, s, cat) =>
      answer(await createDossier(deps.db, deps.dialect, { applicant: await applicant(s), aidIds: req.aidIds, situation: req.situation, catalogue: cat }), (v) => ({ dossierId: v.dossierId })),
    );

    on(AID_EVENTS.get, async (req, s, cat): Promise<DossierAck> =>
      answer(await viewDossier(deps.db, deps.dialect, await applicant(s), req.dossierId, cat), (dossier) => ({ dossier })),
    );

    on(AID_EVENTS.choosePiece, async (req, s, cat) =>
      answer(await choosePiece(deps.db, deps.dialect, await applicant(s), { dossierId: req.dossierId, itemId: req.itemId, documentId: req.documentId, catalogue: cat }), () => ({})),
    );

    on(AID_EVENTS.adapt, async (req, s, cat): Promise<AdaptAck> =>
      answer(
        await adaptChecklist(deps.db, deps.dialect, await applicant(s), {
          dossierId: req.dossierId,
          change: req.change,
          catalogue: cat,
          structure: agentOf(s) ? ((await structureOfAgent(deps.db, agentOf(s)!))?.name ?? null) : null,
        }),
        (v) => ({ itemId: v.itemId }),
      ),
    );

    const submission = (cat: AidCatalogue) => ({ db: deps.db, dialect: deps.dialect, ca: deps.ca, catalogue: cat });

    on(AID_EVENTS.prepare, async (req, s, cat): Promise<PrepareAck> =>
      answer(await prepareSubmission(submission(cat), await applicant(s), { dossierId: req.dossierId, mode: req.mode, ground: req.ground }), (manifest) => ({ manifest })),
    );

    on(AID_EVENTS.submit, async (req, s, cat): Promise<SubmitAck> => {
      const r = await submitSigned(submission(cat), await applicant(s), req);
      if (!r.ok) deps.log.warn({ kioskId: s.kioskId, cardSerial: req.cardSerial, code: r.error.code }, 'signed submission refused');
      return answer(r, (v) => v);
    });

    on(AID_EVENTS.withdraw, async (req, s) => answer(await withdrawDossier(deps.db, deps.dialect, await applicant(s), req.dossierId), () => ({})));

    on(AID_EVENTS.message, async (req, s, cat) =>
      answer(await writeToInstitution(deps.db, deps.dialect, await applicant(s), { dossierId: req.dossierId, applicationId: req.applicationId, body: req.body, catalogue: cat }), () => ({})),
    );

    const printouts = (cat: AidCatalogue) => ({ db: deps.db, dialect: deps.dialect, blobStore: deps.blobStore, catalogue: cat, pdf: deps.pdf });
    on(AID_EVENTS.dossierPdf, async (req, s, cat) => answer(await dossierPdfFor(printouts(cat), s, req.dossierId), (pdf) => ({ bytes: Buffer.from(pdf) })));
    on(AID_EVENTS.receiptPdf, async (req, s, cat) => answer(await receiptPdfFor(printouts(cat), s, req.dossierId), (pdf) => ({ bytes: Buffer.from(pdf) })));

    on(AID_EVENTS.noticesSeen, async (req, s) => {
      // an agent on a procuration reads the notices for the person, who is still told at their next login
      if (!s.procuration) await markNoticesSeen(deps.db, applicantOf(s), req.ids);
      return { ok: true };
    });
  });
}
