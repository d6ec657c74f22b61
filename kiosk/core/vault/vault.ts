/**
 * The person's vault on the kiosk. Reads go to the server in the person session that the card itself
 * opened (sync/person-session.ts); writes (delete, send) are mutations in the outbox like deposits. Nothing of the vault is
 * kept on the kiosk beyond the session's own deposits still on their way.
 */
import { randomUUID } from 'node:crypto';
import type { AckOf, Acked, SessionEventName } from '../../../sync-server/protocol/events.ts';
import { fieldValueFr } from '../../../sync-server/protocol/format.ts';
import { ISSUER_OF, ISSUER_TITLE, DOC_TYPE_TITLE, VAULT_EVENTS, fieldLabel } from '../../../sync-server/protocol/vault.ts';
import type { DepositNotice, DocumentSummary, InstitutionReply } from '../../../sync-server/protocol/vault.ts';
import type { DocType } from '../../../sync-server/protocol/common.ts';
import { KioskError } from '../../contract/schema.ts';
import type { JournalEntry, VaultDocument, VaultItem } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { SessionManager } from '../session/session.ts';
import type { SyncClient } from '../sync/client.ts';
import type { PersonSessions, SessionPayload } from '../sync/person-session.ts';
import type { SessionDocuments } from './session-documents.ts';
import { VAULT_WORDS } from '../words.ts';

/**
 * The list is the first thing the vault shows: a silent server (frozen, a link that holds the packets)
 * must not keep the person in front of "Un instant…". Past this, the tablet's own list is shown, saying
 * it is offline. Opening a paper keeps the longer wait: the person asked for that one paper.
 */
const LIST_TIMEOUT_MS = 3000;
const OFFLINE = VAULT_WORDS.offline;

export interface VaultServiceOptions {
  sync: SyncClient;
  session: SessionManager;
  /** the person's session on the server, opened by the card (shared with the aid space) */
  people: PersonSessions;
  outbox: Outbox;
  /** the session's own deposits still on their way */
  documents: SessionDocuments;
  logger: Logger;
}

export class VaultService {
  constructor(private readonly opts: VaultServiceOptions) {}

  private async ask<E extends SessionEventName>(event: E, payload: SessionPayload<E>, timeoutMs?: number): Promise<AckOf<E>> {
    const ack = await this.opts.people.request(event, payload, { offline: OFFLINE, ...(timeoutMs ? { timeoutMs } : {}) });
    const answered: Acked = ack;
    if (!answered.ok) {
      if (answered.error.code === 'unknown') throw new KioskError('not-found', VAULT_WORDS.gone);
      // the server's own words: its file is damaged, or the printing is busy (try again)
      if (answered.error.code === 'unprintable') throw new KioskError('bad-image', answered.error.message);
      throw new KioskError('internal', VAULT_WORDS.unavailable);
    }
    return ack;
  }

  /**
   * The vault's papers; without the server (offline, or no answer within LIST_TIMEOUT_MS) what the tablet
   * has — this session's deposits on their way — with `offline` set, for the screen to say so.
   */
  async list(): Promise<{ items: VaultItem[]; offline: boolean }> {
    const pending = this.pendingItems();
    let server: DocumentSummary[] = [];
    let offline = false;
    try {
      const ack = await this.ask(VAULT_EVENTS.list, {}, LIST_TIMEOUT_MS);
      if (ack.ok) server = ack.documents;
    } catch (err) {
      if (!(err instanceof KioskError && err.code === 'offline')) throw err;
      this.opts.logger.info({ pending: pending.length }, 'vault list without the server: the tablet’s own papers shown');
      offline = true;
    }
    const known = new Set(server.map((d) => d.id));
    const deleting = this.pendingDeletes();
    return { items: [...pending.filter((p) => !known.has(p.id)), ...server.map(toItem)].filter((d) => !deleting.has(d.id)), offline };
  }

  /**
   * The net pay of the payslips in the person's vault for these months (« AAAA-MM », by their pay period),
   * the newest paper of each month, for an estimate's questions: offered to the person, who checks them.
   * Read in their session, as any opening of their papers (and journaled by the server as such).
   */
  async payslipPay(months: readonly string[]): Promise<{ month: string; amount: number; title: string }[]> {
    const wanted = new Set(months);
    const newest = new Map<string, DocumentSummary>();
    for (const d of await this.papersOf('payslip')) {
      const month = d.issuedOn ? d.issuedOn.slice(0, 7) : null;
      if (!month || !wanted.has(month)) continue;
      const known = newest.get(month);
      if (!known || known.capturedAt < d.capturedAt) newest.set(month, d);
    }
    const found: { month: string; amount: number; title: string }[] = [];
    for (const [month, d] of newest) {
      const pay = Number((await this.fieldsOf(d.id))?.netPay?.value);
      if (Number.isFinite(pay) && pay > 0) found.push({ month, amount: pay, title: titleOf(d) });
    }
    return found.sort((a, b) => (a.month < b.month ? 1 : -1));
  }

  /** The newest tax notice of the person's vault: its revenu fiscal de référence and the year of the incomes, to offer in an estimate. */
  async taxNoticeIncome(): Promise<{ incomeYear: string; amount: number; title: string } | null> {
    const notices = (await this.papersOf('tax-notice')).sort((a, b) => ((a.issuedOn ?? '') < (b.issuedOn ?? '') ? 1 : -1));
    for (const d of notices) {
      const fields = await this.fieldsOf(d.id);
      const amount = Number(fields?.referenceIncome?.value);
      const year = fields?.incomeYear?.value;
      if (Number.isFinite(amount) && amount >= 0 && year && /^\d{4}$/.test(year)) return { incomeYear: year, amount, title: titleOf(d) };
    }
    return null;
  }

  /**
   * The aide au logement (APL, ALS or ALF) paid on the newest CAF attestation of the person's vault that
   * names one, and the month it is for, to offer in an estimate's housing question. Read in their session,
   * as any opening of their papers.
   */
  async cafHousingBenefit(): Promise<{ month: string; amount: number; title: string } | null> {
    const attestations = (await this.papersOf('caf-certificate')).sort((a, b) => ((a.issuedOn ?? '') < (b.issuedOn ?? '') ? 1 : a.issuedOn === b.issuedOn && a.capturedAt < b.capturedAt ? 1 : -1));
    for (const d of attestations) {
      const fields = await this.fieldsOf(d.id);
      const month = fields?.period?.value ?? d.issuedOn?.slice(0, 7);
      // one housing aid at a time: the caisse pays the one the household is entitled to
      const amount = ['amount_apl', 'amount_als', 'amount_alf'].map((k) => Number(fields?.[k]?.value)).find((v) => Number.isFinite(v) && v > 0);
      if (amount !== undefined && month && /^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return { month, amount, title: titleOf(d) };
    }
    return null;
  }

  /** The person's papers of one kind, as the server lists them. */
  private async papersOf(docType: DocType): Promise<DocumentSummary[]> {
    const ack = await this.ask(VAULT_EVENTS.list, {}, LIST_TIMEOUT_MS);
    return ack.ok ? ack.documents.filter((d) => d.docType === docType) : [];
  }

  /** What was read on a paper's current version (its raw values), or nothing. */
  private async fieldsOf(documentId: string): Promise<Record<string, { value: string }> | undefined> {
    const doc = await this.ask(VAULT_EVENTS.get, { documentId });
    return doc.ok ? doc.versions[0]?.fields : undefined;
  }

  async search(query: string): Promise<VaultItem[]> {
    const ack = await this.ask(VAULT_EVENTS.search, { query });
    const deleting = this.pendingDeletes();
    return ack.ok ? ack.documents.map(toItem).filter((d) => !deleting.has(d.id)) : [];
  }

  /** Deletions still in the outbox: the server has them, the person does not any more. */
  private pendingDeletes(): Set<string> {
    return new Set(this.opts.outbox.pending(1000, { skipUnreadable: true }).flatMap((m) => (m.type === 'vault.document.delete' ? [m.payload.documentId] : [])));
  }

  async open(documentId: string): Promise<VaultDocument> {
    const ack = await this.ask(VAULT_EVENTS.get, { documentId });
    if (!ack.ok) throw new KioskError('not-found', VAULT_WORDS.gone);
    return {
      item: toItem(ack.document),
      versions: ack.versions.map((v) => ({
        version: v.version,
        capturedAt: v.capturedAt,
        fields: Object.entries(v.fields).map(([name, f]) => ({ name, label: fieldLabel(name, ack.document.docType), value: fieldValueFr(name, f.value) })),
        mime: v.file.mime,
        pages: v.pages,
        ...(v.depositedBy ? { depositedBy: v.depositedBy } : {}),
      })),
    };
  }

  async image(documentId: string, preview: boolean): Promise<{ mime: string; bytes: Uint8Array<ArrayBuffer> }> {
    const doc = await this.ask(VAULT_EVENTS.get, { documentId });
    if (!doc.ok) throw new KioskError('not-found', VAULT_WORDS.gone);
    const current = doc.versions[0];
    if (!current) throw new KioskError('not-found', VAULT_WORDS.noImage);
    const sha = preview ? (current.thumbnail ?? (current.file.mime.startsWith('image/') ? current.file.sha256 : null)) : current.file.mime.startsWith('image/') ? current.file.sha256 : current.thumbnail;
    if (!sha) throw new KioskError('not-found', VAULT_WORDS.nothingToShow);
    const file = await this.ask(VAULT_EVENTS.file, { sha256: sha });
    if (!file.ok) throw new KioskError('not-found', VAULT_WORDS.nothingToShow);
    return { mime: file.mime, bytes: Uint8Array.from(file.bytes) };
  }

  async pdf(documentId: string, letterTo?: string): Promise<Uint8Array<ArrayBuffer>> {
    const ack = await this.ask(VAULT_EVENTS.pdf, { documentId, ...(letterTo ? { letterTo } : {}) });
    if (!ack.ok) throw new KioskError('not-found', VAULT_WORDS.gone);
    return Uint8Array.from(ack.bytes);
  }

  /**
   * What institutions put in the vault since the person was last told (the server's words). Nothing when
   * the server cannot say now: the person is told at a later visit.
   */
  async notices(): Promise<DepositNotice[]> {
    try {
      const ack = await this.ask(VAULT_EVENTS.notices, {});
      return ack.ok ? ack.notices : [];
    } catch {
      return [];
    }
  }

  async noticesSeen(ids: string[]): Promise<void> {
    await this.ask(VAULT_EVENTS.noticesSeen, { ids });
  }

  async journal(): Promise<JournalEntry[]> {
    const ack = await this.ask(VAULT_EVENTS.audit, {});
    return ack.ok ? ack.entries.map((e) => ({ at: e.at, who: e.who, action: e.action, documentTitle: e.documentTitle, kind: e.kind, why: e.why })) : [];
  }

  /** The institutions' answers to what the person sent; none while the server is out of reach. */
  async replies(): Promise<InstitutionReply[]> {
    const ack = await this.ask(VAULT_EVENTS.replies, {});
    return ack.ok ? ack.replies : [];
  }

  async repliesSeen(ids: string[]): Promise<void> {
    await this.ask(VAULT_EVENTS.repliesSeen, { ids });
  }

  /** Deleting is the person's own act (the server refuses it on an agent's ground), signed by their card. */
  async delete(documentId: string): Promise<void> {
    const subject = this.opts.session.subject();
    const ground = this.opts.session.ground();
    if (ground.kind !== 'own-card') throw new KioskError('invalid-request', VAULT_WORDS.deleteOwnCardOnly);
    const signed = await this.opts.session.proveWrite({ type: 'vault.document.delete', payload: { documentId, owner: subject.identifier, ground } });
    this.opts.outbox.enqueue(signed, [], (tx) => {
      this.opts.documents.forget(tx, documentId);
    });
  }

  /**
   * Sending papers to an institution as one message, signed by the cards at the box and queued like any
   * write (it leaves when the tablet is online, after a restart too). A paper whose deletion is still in the
   * outbox would make the server refuse the whole sending: it is refused here, before anything is signed.
   */
  async send(documentIds: readonly string[], institutionId: string, note: string): Promise<void> {
    const [first, ...others] = documentIds;
    if (first === undefined) throw new KioskError('invalid-request', VAULT_WORDS.sendNothing);
    const deleting = this.pendingDeletes();
    if (documentIds.some((id) => deleting.has(id))) throw new KioskError('not-found', VAULT_WORDS.gone);
    const subject = this.opts.session.subject();
    const signed = await this.opts.session.proveWrite({
      type: 'vault.document.send',
      payload: {
        messageId: randomUUID(),
        documentId: first,
        // absent for one paper: the payload stays the one every server reads (protocol/mutations.ts)
        ...(others.length > 0 ? { otherDocumentIds: others } : {}),
        owner: subject.identifier,
        institutionId,
        note,
        ground: this.opts.session.ground(),
      },
    });
    this.opts.outbox.enqueue(signed, []);
  }

  /** Papers deposited in this session that the server may not have yet. */
  private pendingItems(): VaultItem[] {
    let owner: string;
    try {
      owner = this.opts.session.subject().identifier;
    } catch {
      return [];
    }
    const rows = this.opts.documents.ofOwner(owner);
    const inOutbox = new Set(this.opts.outbox.pending(1000, { skipUnreadable: true }).flatMap((m) => (m.type === 'vault.document.deposit' ? [m.payload.documentId] : [])));
    return rows.map((r) => {
      const issuer = ISSUER_OF[r.docType] ?? 'autre';
      return {
        id: r.documentId,
        title: DOC_TYPE_TITLE[r.docType] ?? 'Document',
        docType: r.docType,
        issuer,
        issuerTitle: ISSUER_TITLE[issuer],
        vault: 'personal',
        capturedAt: r.createdAt,
        issuedOn: null,
        expiresOn: null,
        expiry: 'valid',
        pending: inOutbox.has(r.documentId),
        hasPreview: false,
      };
    });
  }
}

/** A paper's title, or its kind's when it has none. */
const titleOf = (d: DocumentSummary): string => d.title || DOC_TYPE_TITLE[d.docType];

function toItem(d: DocumentSummary): VaultItem {
  return {
    id: d.id,
    title: titleOf(d),
    docType: d.docType,
    issuer: d.issuer,
    issuerTitle: ISSUER_TITLE[d.issuer],
    vault: d.vault,
    capturedAt: d.capturedAt,
    issuedOn: d.issuedOn,
    expiresOn: d.expiresOn,
    expiry: d.expiry,
    pending: false,
    ...(d.snippet ? { snippet: d.snippet } : {}),
    ...(d.depositedBy ? { depositedBy: d.depositedBy } : {}),
    hasPreview: d.thumbnail !== null,
  };
}
