/**
 * The aid-request space on the kiosk (issue #7): the catalogue, the simulation, filing a request, its
 * checklist of pieces filled from the vault, sending it signed by the card, the thread with the
 * institution and the notices of status changes. Everything lives on the server
 * (sync-server/protocol/applications.ts) and is asked for in the person session the card opened, like
 * the vault: the checklist is assessed against the vault, which only the server holds. Offline, the aid
 * space says so in plain words. Nothing of it is kept on the kiosk but the manifest being signed.
 */
import { AID_EVENTS, MANIFEST_TTL_MS, STATE_LABEL, manifestBytes } from '../../../sync-server/protocol/applications.ts';
import type { AidSummary, ChecklistChange, Dossier, Manifest, Notice } from '../../../sync-server/protocol/applications.ts';
import type { AckOf, Acked, SessionEventName } from '../../../sync-server/protocol/events.ts';
import { parseAnswers, situationFromAnswers } from '../../../sync-server/protocol/estimate/answers.ts';
import { LAST_ESTIMATE_MONTH, SituationSchema, frenchIssues } from '../../../sync-server/protocol/estimate/situation.ts';
import { EstimateError } from '../../../sync-server/protocol/estimate/engine.ts';
import { DOC_TYPE_TITLE } from '../../../sync-server/protocol/vault.ts';
import { monthFr } from '../../../sync-server/protocol/format.ts';
import type { DocType } from '../../../sync-server/protocol/common.ts';
import { KioskError } from '../../contract/schema.ts';
import type {
  AidItem,
  AidNotice,
  DossierSummary,
  DossierView,
  FilingSituation,
  Result,
  SimulationOutcome,
  SimulationSituation,
  SubmissionGround,
  SubmissionMode,
  SubmissionReview,
} from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { LocalEstimates } from './local-estimate.ts';
import type { SessionManager } from '../session/session.ts';
import type { PersonSessions, SessionPayload } from '../sync/person-session.ts';
import { AIDS_WORDS, SERVER_WORDS } from '../words.ts';

const OFFLINE = AIDS_WORDS.offline;
const UNAVAILABLE = AIDS_WORDS.unavailable;
/** a PDF or a submission can take longer than a read */
const SLOW_MS = 30_000;
/** a manifest older than this is prepared again rather than signed (the server refuses it after MANIFEST_TTL_MS) */
const MANIFEST_MARGIN_MS = 60_000;


export interface AidsServiceOptions {
  people: PersonSessions;
  session: SessionManager;
  logger: Logger;
  /** estimates made here, offline, and the catalogue kept for them */
  local: LocalEstimates;
  now?: () => number;
}

interface Prepared {
  manifest: Manifest;
  mode: SubmissionMode;
  ground: SubmissionGround;
  at: number;
}

export class AidsService {
  private catalogueCache: { version: number; validFrom: string; aids: AidSummary[] } | null = null;
  /** the manifest shown to the person, per dossier, until the card signs it or the session ends */
  private readonly prepared = new Map<string, Prepared>();
  private readonly now: () => number;

  constructor(private readonly opts: AidsServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The session ended: forget what was being signed. */
  sessionEnded(): void {
    this.prepared.clear();
  }

  /**
   * A request in the subject's server session (tried again once in a fresh session when the server no
   * longer knows it: person-session.ts); a refusal becomes a KioskError in plain words.
   */
  private async ask<E extends SessionEventName>(
    event: E,
    payload: SessionPayload<E>,
    opts: { timeoutMs?: number; once?: boolean } = {},
  ): Promise<Extract<AckOf<E>, { ok: true }>> {
    const words = { offline: OFFLINE, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.once ? { once: true } : {}) };
    const answer = await this.opts.people.request(event, payload, words);
    const ack: Acked = answer;
    if (ack.ok) return answer as Extract<AckOf<E>, { ok: true }>;
    this.opts.logger.warn({ event, code: ack.error.code }, 'aid request refused by the server');
    switch (ack.error.code) {
      case 'unknown':
        throw new KioskError('not-found', ack.error.message || AIDS_WORDS.gone);
      case 'invalid':
        // the server's words when it says what is wrong; not its schema's (a message the kiosk built badly)
        throw new KioskError(
          'invalid-request',
          // not-words: how the server's schema refusals start (matched, never shown)
          ack.error.message && !ack.error.message.startsWith('Message invalide') ? ack.error.message : AIDS_WORDS.failed,
        );
      case 'internal':
        throw new KioskError('internal', UNAVAILABLE);
      default:
        // the server's own words (a refusal that says why: piece missing, already sent, manifest too old…)
        throw new KioskError('invalid-request', ack.error.message || UNAVAILABLE);
    }
  }

  /** The server's catalogue; without a connection, the last one kept (the aids are no one's data). */
  private async catalogueRaw(): Promise<{ version: number; validFrom: string; aids: AidSummary[] }> {
    if (this.catalogueCache) return this.catalogueCache;
    let ack;
    try {
      ack = await this.ask(AID_EVENTS.catalogue, {});
    } catch (err) {
      const kept = err instanceof KioskError && err.code === 'offline' ? this.opts.local.keptCatalogue() : null;
      if (!kept) throw err;
      return kept;
    }
    this.catalogueCache = { version: ack.version, validFrom: ack.validFrom, aids: ack.aids };
    this.opts.local.keepCatalogue(this.catalogueCache);
    return this.catalogueCache;
  }

  async catalogue(): Promise<Result<'aids.catalogue'>> {
    const c = await this.catalogueRaw();
    const nameOf = (id: string) => c.aids.find((a) => a.id === id)?.name ?? id;
    const aids: AidItem[] = c.aids.map((a) => ({
      id: a.id,
      name: a.name,
      summary: a.summary,
      family: a.family,
      description: a.description,
      institutionKind: a.institutionKind,
      institutionName: a.institutionName,
      officialUrl: a.officialUrl,
      simulable: a.simulable,
      process:
        a.process.kind === 'bundle'
          ? { kind: 'bundle', with: a.process.with.map((id) => ({ id, name: nameOf(id) })) }
          : a.process.kind === 'linked'
            ? { kind: 'linked', after: { id: a.process.after, name: nameOf(a.process.after) }, reason: a.process.reason }
            : { kind: 'simple' },
    }));
    return { version: c.version, validFrom: c.validFrom, aids };
  }

  async simulate(input: SimulationSituation): Promise<SimulationOutcome> {
    // the server's own rules for the questionnaire: a wrong answer is said in its words, before asking
    // (a commune the tablet's zone table does not know is refused here, with the words to find it)
    const checked = parseAnswers(input, this.opts.local.zoneTable());
    if (!checked.ok) throw new KioskError('invalid-request', checked.errors[0] ?? AIDS_WORDS.answerMissing);
    // the questionnaire asks one amount per income: it stands for every month before the month estimated,
    // this month, or the last month the rules know when they stop before it
    const today = new Date(this.now()).toISOString().slice(0, 7);
    const month = today < LAST_ESTIMATE_MONTH ? today : LAST_ESTIMATE_MONTH;
    const dated = SituationSchema.safeParse(situationFromAnswers(checked.answers, month));
    if (!dated.success) throw new KioskError('invalid-request', frenchIssues(dated.error)[0] ?? AIDS_WORDS.answerMissing);
    // estimated here, with the rules installed on the tablet: no server, nothing about the person sent
    const cat = await this.catalogueRaw();
    let ack;
    try {
      ack = this.opts.local.estimate(dated.data, cat.aids);
    } catch (err) {
      if (err instanceof EstimateError) throw new KioskError('invalid-request', err.message);
      this.opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'estimate failed on the kiosk');
      throw new KioskError('internal', AIDS_WORDS.estimateUnavailable);
    }
    const known = new Set(cat.aids.map((a) => a.id));
    return {
      rulesVersion: ack.rulesVersion,
      validFrom: ack.validFrom,
      warnings: month === today ? ack.warnings : [...ack.warnings, AIDS_WORDS.oldScales(monthFr(month))],
      results: ack.results.map((r) => ({ ...r, canFile: known.has(r.aid) })),
    };
  }

  /** Communes for what the person typed, from the table installed on the tablet (no server asked). */
  communes(query: string): { code: string; name: string; postcodes: string[] }[] {
    return this.opts.local.communes(query);
  }

  async list(): Promise<{ dossiers: DossierSummary[]; notices: AidNotice[] }> {
    const ack = await this.ask(AID_EVENTS.list, {});
    return {
      dossiers: ack.dossiers.map((d) => ({ ...d, aids: d.aids.map((a) => ({ ...a, stateLabel: STATE_LABEL[a.state] })) })),
      notices: ack.notices.map(toNotice),
    };
  }

  async create(aidIds: string[], situation: FilingSituation): Promise<string> {
    return (await this.ask(AID_EVENTS.create, { aidIds, situation })).dossierId;
  }

  private async dossier(dossierId: string): Promise<Dossier> {
    return (await this.ask(AID_EVENTS.get, { dossierId })).dossier;
  }

  async get(dossierId: string): Promise<DossierView> {
    const [d, catalogue] = await Promise.all([this.dossier(dossierId), this.catalogueRaw()]);
    // who handles each aid of the dossier: a piece that institution issues can be asked for in the thread
    const handling = new Set(d.aids.map((a) => catalogue.aids.find((c) => c.id === a.aidId)?.institutionKind).filter((k): k is string => k !== undefined));
    return {
      dossierId: d.dossierId,
      situation: d.situation,
      aids: d.aids.map((a) => ({
        ...a,
        institutionKind: catalogue.aids.find((c) => c.id === a.aidId)?.institutionKind ?? 'autre',
        stateLabel: STATE_LABEL[a.state],
      })),
      checklist: d.checklist.map((c) => ({
        itemId: c.itemId,
        label: c.label,
        inLetter: c.inLetter,
        docTypes: c.docTypes,
        docTitles: c.docTypes.map((t: DocType) => DOC_TYPE_TITLE[t]),
        issuerKind: c.issuerKind,
        issuerName: c.issuerName,
        issuerTo: c.issuerTo,
        issuerHandles: handling.has(c.issuerKind),
        forAids: c.forAids,
        status: c.status,
        document: c.document ? { id: c.document.id, title: c.document.title, capturedAt: c.document.capturedAt, issuedOn: c.document.issuedOn } : null,
        requestedByInstitution: c.requestedByInstitution,
        maxAgeMonths: c.maxAgeMonths,
        adjustment: c.adjustment,
      })),
      mode: d.mode,
      signedAt: d.signedAt,
      submittedAt: d.submittedAt,
      canSubmit: d.canSubmit,
      canSign: d.canSign,
      canWithdraw: d.canWithdraw,
      history: d.history.map((h) => ({ at: h.at, aidName: h.aidName, state: h.state, stateLabel: STATE_LABEL[h.state], text: h.text })),
      messages: d.messages,
    };
  }

  async choosePiece(dossierId: string, itemId: string, documentId: string): Promise<void> {
    await this.ask(AID_EVENTS.choosePiece, { dossierId, itemId, documentId });
  }

  /** An agent's change to the list of papers (the server checks who may make it). */
  async adapt(dossierId: string, change: ChecklistChange): Promise<{ itemId: string }> {
    const r = await this.ask(AID_EVENTS.adapt, { dossierId, change });
    return { itemId: r.itemId };
  }

  /** Whose card signs on this ground: the beneficiary's own, or the agent's on a procuration. */
  private signer(ground: SubmissionGround): { slot: 'main' | 'second'; name: string } {
    const open = this.opts.session.requireSession();
    const subject = this.opts.session.subject();
    if (ground.kind === 'procuration') {
      if (open.role !== 'agent') throw new KioskError('invalid-request', AIDS_WORDS.agentOnly);
      return { slot: 'main', name: open.firstName };
    }
    return { slot: this.opts.session.subjectSlot(), name: subject.firstName };
  }

  /** The manifest the card will sign, as the person reads it before typing their PIN. */
  async prepare(dossierId: string, mode: SubmissionMode, ground: SubmissionGround): Promise<SubmissionReview> {
    const signer = this.signer(ground);
    const ack = await this.ask(AID_EVENTS.prepare, { dossierId, mode, ground });
    const manifest = ack.manifest;
    if (manifest.dossierId !== dossierId || manifest.mode !== mode || manifest.ground.kind !== ground.kind) {
      throw new KioskError('transport', SERVER_WORDS.unexpected);
    }
    const d = await this.dossier(dossierId);
    this.prepared.set(dossierId, { manifest, mode, ground, at: this.now() });
    const byItem = new Map(d.checklist.map((c) => [c.itemId, c]));
    const aidNames = new Map(d.aids.map((a) => [a.applicationId, a]));
    return {
      dossierId,
      mode,
      ground,
      aids: manifest.aids.map((a) => {
        const aid = aidNames.get(a.applicationId);
        const office = aid?.office ?? null;
        // the office shown is the one the card signs for, or none: never another one
        if ((office?.id ?? undefined) !== a.institutionId) throw new KioskError('transport', SERVER_WORDS.unexpected);
        return { aidName: aid?.aidName ?? a.aidId, institutionName: aid?.institutionName ?? '', office };
      }),
      pieces: manifest.pieces.map((p) => {
        const entry = byItem.get(p.itemId);
        return {
          itemId: p.itemId,
          label: entry?.label ?? p.itemId,
          documentTitle: p.documentId ? (entry?.document?.title ?? AIDS_WORDS.chosenPaper) : null,
          status: p.documentId ? (entry?.status === 'arriving' ? 'arriving' : 'present') : (entry?.status ?? 'absent'),
        };
      }),
      signer: signer.name,
      preparedAt: manifest.preparedAt,
    };
  }

  /**
   * The card signs the manifest `prepare` showed (PIN typed again for the signature), then it is sent.
   * A wrong PIN sends nothing; the manifest stays ready for another try.
   */
  async sign(dossierId: string, mode: SubmissionMode, ground: SubmissionGround, pin: string): Promise<Result<'applications.sign'>> {
    const held = this.prepared.get(dossierId);
    if (
      !held ||
      held.mode !== mode ||
      JSON.stringify(held.ground) !== JSON.stringify(ground) ||
      this.now() - held.at > MANIFEST_TTL_MS - MANIFEST_MARGIN_MS
    ) {
      this.prepared.delete(dossierId);
      throw new KioskError('invalid-request', AIDS_WORDS.summaryOutdated);
    }
    const signer = this.signer(ground);
    const signed = await this.opts.session.signWithCard(signer.slot, pin, manifestBytes(held.manifest));
    if (signed.outcome === 'wrong') return { outcome: 'wrong', triesLeft: signed.triesLeft };
    if (signed.outcome === 'blocked') {
      this.prepared.delete(dossierId);
      return { outcome: 'blocked' };
    }
    const ack = await this.ask(
      AID_EVENTS.submit,
      {
        dossierId,
        manifest: held.manifest,
        certificate: Buffer.from(signed.certificate).toString('base64url'),
        cardSerial: signed.cardSerial,
        signature: Buffer.from(signed.signature).toString('base64url'),
      },
      // a refused signature is not tried twice
      { timeoutMs: SLOW_MS, once: true },
    );
    this.prepared.delete(dossierId);
    this.opts.logger.info({ dossierId, mode, ground: ground.kind, state: ack.state }, 'aid request signed by the card and sent');
    return { outcome: 'sent', state: ack.state, receiptNumber: ack.receiptNumber };
  }

  async withdraw(dossierId: string): Promise<void> {
    await this.ask(AID_EVENTS.withdraw, { dossierId });
  }

  async message(dossierId: string, body: string, applicationId?: string): Promise<void> {
    await this.ask(AID_EVENTS.message, { dossierId, body, ...(applicationId ? { applicationId } : {}) });
  }

  async pdf(dossierId: string, which: 'receipt' | 'dossier'): Promise<Uint8Array<ArrayBuffer>> {
    const ack = await this.ask(which === 'receipt' ? AID_EVENTS.receiptPdf : AID_EVENTS.dossierPdf, { dossierId }, { timeoutMs: SLOW_MS });
    return Uint8Array.from(ack.bytes);
  }

  async noticesSeen(ids: string[]): Promise<void> {
    await this.ask(AID_EVENTS.noticesSeen, { ids });
  }
}

function toNotice(n: Notice): AidNotice {
  return { id: n.id, dossierId: n.dossierId, applicationId: n.applicationId, aidName: n.aidName, state: n.state, stateLabel: STATE_LABEL[n.state], at: n.at, message: n.message, decisionAmountCents: n.decisionAmountCents, decisionStartDate: n.decisionStartDate };
}
