/**
 * Capture → check → store. Each still is checked and flattened in the capture worker (PageProcessor) while
 * the OCR pool reads it, in parallel; a document may have several pages; the person checks the fields;
 * on confirmation the archive (a JPEG, or a PDF for several pages), its preview and the document go into
 * the outbox in one transaction. Pending captures live in memory only, tied to the session, and are wiped
 * when it ends.
 */
import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { LIMITS } from '../../../sync-server/protocol/common.ts';
import type { DocType } from '../../../sync-server/protocol/common.ts';
import { matchHolder } from '../../../sync-server/protocol/identity-match.ts';
import { isValidBic, isValidIban, normalizeIban } from '../../../sync-server/protocol/iban.ts';
import type { DocumentDeposit, ExtractedField, Ground, HolderAnswer, MutationBody } from '../../../sync-server/protocol/mutations.ts';
import { paperDateOf } from '../../../sync-server/protocol/paper-date.ts';
import { DOC_TYPE_TITLE, fieldLabel } from '../../../sync-server/protocol/vault.ts';
import { KioskError } from '../../contract/schema.ts';
import type { CaptureAnalysis } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import { completenessOf } from '../ocr/extract/completeness.ts';
import { OcrError } from '../ocr/index.ts';
import type { OcrPool, OcrResult } from '../ocr/index.ts';
import { sha256Hex } from '../outbox/blob-crypto.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { Holder, SignedWrite } from '../session/session.ts';
import type { SessionDocuments } from '../vault/session-documents.ts';
import { lossOf } from './losses.ts';
import { mergeFields } from './merge-fields.ts';
import type { CardLosses } from './losses.ts';
import type { PageProcessor } from './page-processor.ts';
import { CaptureError } from './process.ts';
import type { ProcessedPage, Turn } from './process.ts';
import { sniffImage } from './sniff.ts';
import type { ImageMime } from './sniff.ts';
import { CAPTURE_WORDS, CARD_WORDS, HOLDER_WORDS } from '../words.ts';

const MAX_PENDING = 4;
const MAX_PAGES = 20;
const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;

const PROBLEM_TEXT: Record<CaptureError['problem'], string> = CAPTURE_WORDS.problem;

interface Page {
  /** the still as taken (kept until confirmation, to turn the page again without losing quality) */
  still: Uint8Array;
  turn: Turn;
  processed: ProcessedPage;
  ocr: OcrResult;
}

interface PendingCapture {
  id: string;
  sessionSerial: string;
  /** whose vault it was for (to tell, if it is lost, which of their papers were kept) */
  owner: string;
  /** their name, as their card gives it: a paper in another name is asked about */
  name: { firstName: string; lastName: string };
  pages: Page[];
  capturedAt: string;
}

/** Whose vault a capture goes to, and the card at the box that stands for the session. */
export type CaptureSubject = Pick<Holder, 'identifier' | 'firstName' | 'lastName' | 'cardSerial'>;

export interface CaptureServiceOptions {
  ocr: OcrPool;
  pages: PageProcessor;
  outbox: Outbox;
  /** the session's deposits, shown by the vault before the server has them */
  documents: SessionDocuments;
  /**
   * whose vault the capture goes to (the beneficiary at the box, or the person an agent acts for), and the
   * card at the box that stands for the session (told of papers lost when it ends)
   */
  session: () => CaptureSubject;
  /** on what ground the deposit is made (own card, or an agent with the beneficiary present) */
  ground?: () => Ground;
  /** the cards at the box sign the deposit (SessionManager.proveWrite): the server takes no kiosk's word for who was there */
  prove: (body: MutationBody) => Promise<SignedWrite>;
  logger: Logger;
  onProgress?: (stage: string, progress: number) => void;
  /** where a session's unsaved papers are noted for the card's next login */
  losses?: CardLosses;
  /** why the last session ended (said in that notice) */
  endReason?: () => 'pulled' | 'idle' | 'finished';
}

export class CaptureService {
  private readonly pending = new Map<string, PendingCapture>();

  constructor(private readonly opts: CaptureServiceOptions) {}

  async analyse(image: Uint8Array, declared: ImageMime): Promise<CaptureAnalysis> {
    const session = this.opts.session();
    const started = performance.now();
    const page = await this.readPage(image, declared, 0);
    // the session ended while the page was read: the photo is lost, and the card is told next time
    if (!this.isSameSession(session)) this.noteLost(session, [page.ocr.docType]);
    this.checkSameSession(session);
    const id = randomUUID();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const cap: PendingCapture = {
      id,
      sessionSerial: session.cardSerial,
      owner: session.identifier,
      name: { firstName: session.firstName, lastName: session.lastName },
      pages: [page],
      capturedAt: new Date().toISOString(),
    };
    this.pending.set(id, cap);
    return this.analysisOf(cap, started);
  }

  async addPage(captureId: string, image: Uint8Array, declared: ImageMime): Promise<CaptureAnalysis> {
    const cap = this.capture(captureId);
    if (cap.pages.length >= MAX_PAGES) throw new KioskError('invalid-request', CAPTURE_WORDS.tooManyPages(MAX_PAGES));
    const started = performance.now();
    const page = await this.readPage(image, declared, 0);
    this.capture(captureId).pages.push(page);
    return this.analysisOf(cap, started);
  }

  async rotate(captureId: string, index: number, turn: 90 | 180 | 270): Promise<CaptureAnalysis> {
    const cap = this.capture(captureId);
    const old = cap.pages[index];
    if (!old) throw new KioskError('not-found', CAPTURE_WORDS.noSuchPage);
    const started = performance.now();
    const next = ((old.turn + turn) % 360) as Turn;
    const page = await this.readPage(old.still, sniffImage(old.still) ?? 'image/jpeg', next);
    if (this.capture(captureId).pages[index] === old) cap.pages[index] = page;
    return this.analysisOf(cap, started);
  }

  removePage(captureId: string, index: number): CaptureAnalysis {
    const cap = this.capture(captureId);
    if (!cap.pages[index]) throw new KioskError('not-found', CAPTURE_WORDS.noSuchPage);
    if (cap.pages.length === 1) throw new KioskError('invalid-request', CAPTURE_WORDS.lastPage);
    cap.pages.splice(index, 1);
    return this.analysisOf(cap, performance.now());
  }

  /**
   * The person confirmed (possibly corrected) the fields: queue the document. When the fields as checked
   * name someone else, the person's answer (whose paper it is) must come with them, and goes into the
   * deposit the card signs; a name corrected to theirs needs none.
   */
  async confirm(captureId: string, checked: Record<string, string>, replaces?: string, holderAnswer?: HolderAnswer): Promise<{ documentId: string }> {
    const session = this.opts.session();
    const cap = this.capture(captureId);
    const first = cap.pages[0]!;
    const docType = first.ocr.docType;
    const read = mergedFields(cap.pages);
    const fields: Record<string, ExtractedField> = {};
    for (const [name, raw] of Object.entries(checked)) {
      if (!FIELD_NAME.test(name)) throw new KioskError('invalid-request', CAPTURE_WORDS.unknownField);
      const value = raw.trim();
      const r = read[name];
      fields[name] = {
        value,
        confidence: r && r.value.replace(/\s/g, '') === value.replace(/\s/g, '') ? r.confidence : 1,
        confirmed: true,
      };
    }
    checkFieldValues(docType, fields);
    const answer = answerFor(cap.name, docType, fields, holderAnswer);
    const file = cap.pages.length === 1 ? { bytes: first.processed.archive, mime: 'image/jpeg' as const } : { bytes: await pagesPdf(cap.pages), mime: 'application/pdf' as const };
    if (file.bytes.byteLength > LIMITS.blobBytes) throw new KioskError('storage', CAPTURE_WORDS.tooBig);
    const thumb = first.processed.thumbnail;
    const documentId = replaces ?? randomUUID();
    const dates = paperDates(docType, fields);
    const body: DocumentDeposit = {
      type: 'vault.document.deposit',
      payload: {
        documentId,
        owner: session.identifier,
        docType,
        fields,
        ocrText: cap.pages.map((p) => p.ocr.text).join('\n\n').slice(0, LIMITS.ocrTextChars),
        file: { sha256: sha256Hex(file.bytes), mime: file.mime, size: file.bytes.byteLength },
        thumbnail: { sha256: sha256Hex(thumb), mime: 'image/jpeg', size: thumb.byteLength },
        pages: cap.pages.length,
        ...dates,
        capturedAt: cap.capturedAt,
        ground: this.opts.ground?.() ?? { kind: 'own-card', cardSerial: session.cardSerial },
        ...(answer ? { holderAnswer: answer } : {}),
      },
    };
    this.checkSameSession(session);
    if (!this.pending.has(captureId)) throw new KioskError('not-found', CAPTURE_WORDS.photoGone);
    const signed = await this.opts.prove(body);
    this.checkSameSession(session);
    if (!this.pending.has(captureId)) throw new KioskError('not-found', CAPTURE_WORDS.photoGone);
    this.opts.outbox.enqueue(signed, [file, { bytes: thumb, mime: 'image/jpeg' }], (tx, seq) => {
      this.opts.documents.record(tx, { documentId, owner: session.identifier, docType, fields, seq });
    });
    this.pending.delete(captureId);
    this.opts.logger.info({ documentId, docType, pages: cap.pages.length, replaces: replaces !== undefined, otherHolder: answer?.answer ?? null }, 'document queued');
    return { documentId };
  }

  discard(captureId: string): void {
    const cap = this.pending.get(captureId);
    if (cap) for (const p of cap.pages) p.still.fill(0);
    this.pending.delete(captureId);
  }

  /**
   * Session over: forget every capture (images included). Those not saved yet are lost: the card is told
   * at its next login (must run before the session's deposits are purged: they are what was kept).
   */
  wipe(): void {
    const byCard = new Map<string, { holder: Pick<Holder, 'cardSerial' | 'identifier'>; lost: DocType[] }>();
    for (const cap of this.pending.values()) {
      const entry = byCard.get(cap.sessionSerial) ?? { holder: { cardSerial: cap.sessionSerial, identifier: cap.owner }, lost: [] };
      entry.lost.push(cap.pages[0]!.ocr.docType);
      byCard.set(cap.sessionSerial, entry);
    }
    for (const { holder, lost } of byCard.values()) this.noteLost(holder, lost);
    for (const id of [...this.pending.keys()]) this.discard(id);
  }

  private noteLost(holder: Pick<Holder, 'cardSerial' | 'identifier'>, lost: DocType[]): void {
    if (!this.opts.losses || lost.length === 0) return;
    const reason = this.opts.endReason?.() ?? 'finished';
    const queued = this.opts.documents.ofOwner(holder.identifier).map((d) => d.docType);
    try {
      this.opts.losses.record(holder.cardSerial, lossOf({ reason, unsaved: lost, queued }));
      this.opts.logger.info({ lost, kept: queued.length, reason }, 'papers not saved when the session ended: noted for the card');
    } catch (err) {
      // the notice is a courtesy: the session's end must go on
      this.opts.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not note the papers lost');
    }
  }

  private capture(captureId: string): PendingCapture {
    const session = this.opts.session();
    const cap = this.pending.get(captureId);
    // the same card acting for another person is another session: a photo never changes vault
    if (!cap || cap.sessionSerial !== session.cardSerial || cap.owner !== session.identifier) {
      throw new KioskError('not-found', CAPTURE_WORDS.photoGone);
    }
    return cap;
  }

  private isSameSession(before: CaptureSubject): boolean {
    try {
      const now = this.opts.session();
      return now.cardSerial === before.cardSerial && now.identifier === before.identifier;
    } catch {
      return false;
    }
  }

  /** The session may have ended (or changed hands, or the agent now acts for someone else) while the page was read: then nothing is kept. */
  private checkSameSession(before: CaptureSubject): void {
    if (!this.isSameSession(before)) throw new KioskError('no-session', CARD_WORDS.insert);
  }

  /** Checks and flattens the still (capture worker) while the OCR pool reads it. */
  private async readPage(image: Uint8Array, declared: ImageMime, turn: Turn): Promise<Page> {
    const mime = sniffImage(image);
    if (mime === null || mime !== declared) throw new KioskError('bad-image', CAPTURE_WORDS.notAPhoto);
    const processing = this.opts.pages.process(image, turn);
    // OCR reads the still as taken (it finds the sheet itself); a turned page is read from its flattened form
    const reading = turn === 0 ? this.ocr(image) : processing.then((p) => this.ocr(p.archive));
    const [processed, ocr] = await Promise.allSettled([processing, reading]);
    if (processed.status === 'rejected') {
      const e = processed.reason as unknown;
      if (e instanceof CaptureError) {
        this.opts.logger.info({ problem: e.problem, detail: e.message }, 'still refused');
        throw new KioskError('bad-image', PROBLEM_TEXT[e.problem]);
      }
      throw e;
    }
    if (ocr.status === 'rejected') throw ocr.reason;
    return { still: image, turn, processed: processed.value, ocr: ocr.value };
  }

  private async ocr(image: Uint8Array): Promise<OcrResult> {
    try {
      return await this.opts.ocr.analyse(image, { onProgress: (p) => this.opts.onProgress?.(p.stage, p.progress) });
    } catch (err) {
      // the page passed our own checks (sharp, lit, a sheet in frame): little text on it is no error (a
      // page turned the wrong way, a paper without words); the person sees it and may keep or turn it
      if (err instanceof OcrError && err.code === 'unreadable') {
        this.opts.logger.info({ detail: err.detail }, 'no text read on the page');
        return noText();
      }
      if (err instanceof OcrError) {
        this.opts.logger.warn({ code: err.code, detail: err.detail }, 'OCR failed');
        // OcrError messages are written for the screen
        throw new KioskError(err.code === 'worker-crashed' || err.code === 'timeout' ? 'ocr-failed' : 'bad-image', err.message);
      }
      this.opts.logger.error({ err }, 'OCR failed');
      throw new KioskError('ocr-failed', CAPTURE_WORDS.readingFailed);
    }
  }

  private analysisOf(cap: PendingCapture, started: number): CaptureAnalysis {
    const fields = mergedFields(cap.pages);
    const docType = cap.pages[0]!.ocr.docType;
    return {
      captureId: cap.id,
      docType,
      docTitle: (DOC_TYPE_TITLE as Record<string, string>)[docType] ?? DOC_TYPE_TITLE.other,
      fields,
      labels: Object.fromEntries(Object.keys(fields).map((n) => [n, fieldLabel(n, docType)])),
      pages: cap.pages.map((p) => ({ preview: Uint8Array.from(p.processed.thumbnail) })),
      text: cap.pages.map((p) => p.ocr.text).join('\n\n'),
      elapsedMs: performance.now() - started,
      holder: holderMismatch(cap.name, docType, Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value]))),
      ...twoDDocOf(cap.pages),
      ...completenessOfPages(docType, cap.pages),
    };
  }
}

function noText(): OcrResult {
  return {
    docType: 'other',
    fields: {},
    text: '',
    confidence: 0,
    width: 0,
    height: 0,
    elapsedMs: 0,
    timings: { queueMs: 0, preprocessMs: 0, recognizeMs: 0, extractMs: 0 },
  } as OcrResult;
}

/** The first 2D-Doc of the paper's pages, as the screen tells it (a paper carries one, on its first page). */
function twoDDocOf(pages: Page[]): Pick<CaptureAnalysis, 'twoDDoc'> {
  const check = pages.find((p) => p.ocr.twoDDocCheck)?.ocr.twoDDocCheck;
  if (!check) return {};
  return { twoDDoc: { status: check.status, caId: check.caId, authority: check.authority, fields: check.fields } };
}

/** Whether the paper is whole, judged from every page's text and fields (absent when not judged). */
function completenessOfPages(docType: DocType, pages: Page[]): Pick<CaptureAnalysis, 'completeness'> {
  const c = completenessOf(docType, pages.map((p) => ({ text: p.ocr.text, fields: p.ocr.fields })));
  return c ? { completeness: c } : {};
}

/** The fields of every page, each from the page that reads it surest (merge-fields.ts). */
function mergedFields(pages: Page[]): CaptureAnalysis['fields'] {
  return mergeFields(pages.map((p) => p.ocr.fields));
}

/**
 * The paper's name against the card holder's (names only: the card gives no birth date; the server
 * checks it too, from the same fields).
 */
function holderMismatch(name: PendingCapture['name'], docType: DocType, values: Record<string, string>): CaptureAnalysis['holder'] {
  const v = matchHolder(name, docType, values);
  return v.verdict === 'mismatch' ? { paperName: v.paperName, reason: v.reason } : null;
}

/**
 * The answer kept with the deposit: required while the fields as checked name someone else; none when
 * they name the person (an answer to a question no longer asked says nothing).
 */
function answerFor(name: PendingCapture['name'], docType: DocType, fields: Record<string, ExtractedField>, given: HolderAnswer | undefined): HolderAnswer | null {
  const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value]));
  if (holderMismatch(name, docType, values) === null) return null;
  if (!given) throw new KioskError('invalid-request', HOLDER_WORDS.answerNeeded);
  if (given.answer === 'household' && !given.relation) throw new KioskError('invalid-request', HOLDER_WORDS.relationNeeded);
  // « c'est le mien » says nothing of a relation
  return given.answer === 'mine' ? { answer: 'mine' } : { answer: 'household', relation: given.relation! };
}

/** Dates the vault uses for a paper's age: its own date (paper-date.ts) and its end of validity (ISO dates only). */
function paperDates(docType: DocType, fields: Record<string, ExtractedField>): { issuedOn?: string; expiresOn?: string } {
  const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value]));
  const expiresOn = /^\d{4}-\d{2}-\d{2}$/.test(values.expiryDate ?? '') ? values.expiryDate : undefined;
  const issuedOn = paperDateOf(docType, values) ?? undefined;
  return { ...(expiresOn ? { expiresOn } : {}), ...(issuedOn ? { issuedOn } : {}) };
}

/** Several pages: one PDF, each page on A4. */
async function pagesPdf(pages: Page[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setProducer('Facilitateur');
  const A4: [number, number] = [595.28, 841.89];
  for (const p of pages) {
    const img = await pdf.embedJpg(p.processed.archive);
    const landscape = img.width > img.height;
    const size: [number, number] = landscape ? [A4[1], A4[0]] : A4;
    const page = pdf.addPage(size);
    const scale = Math.min((size[0] - 36) / img.width, (size[1] - 36) / img.height);
    page.drawImage(img, { x: (size[0] - img.width * scale) / 2, y: (size[1] - img.height * scale) / 2, width: img.width * scale, height: img.height * scale });
  }
  return pdf.save();
}

function checkFieldValues(docType: DocType, fields: Record<string, ExtractedField>): void {
  if (docType !== 'rib') return;
  const iban = fields.iban?.value;
  if (!iban || !isValidIban(iban)) {
    throw new KioskError('invalid-request', CAPTURE_WORDS.badIban);
  }
  fields.iban!.value = normalizeIban(iban);
  const bic = fields.bic?.value;
  if (bic && !isValidBic(bic)) throw new KioskError('invalid-request', CAPTURE_WORDS.badBic);
}
