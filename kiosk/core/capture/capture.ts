/**
 * Capture → check → store. A still from the camera is read by the OCR pool; the person checks the
 * fields; on confirmation the image and the document go into the outbox in one transaction.
 * Pending captures live in memory only, tied to the open session, and are wiped when it ends.
 */
import { randomUUID } from 'node:crypto';
import { LIMITS } from '../../../sync-server/protocol/common.ts';
import type { DocType } from '../../../sync-server/protocol/common.ts';
import { isValidIban, isValidBic, normalizeIban } from '../../../sync-server/protocol/iban.ts';
import type { DocumentDeposit, ExtractedField } from '../../../sync-server/protocol/mutations.ts';
import { KioskError } from '../../contract/schema.ts';
import type { CaptureAnalysis } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import { OcrError } from '../ocr/index.ts';
import type { OcrPool } from '../ocr/index.ts';
import { sha256Hex } from '../outbox/blob-crypto.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { Holder } from '../session/session.ts';
import { sniffImage } from './sniff.ts';
import type { ImageMime } from './sniff.ts';

interface PendingCapture {
  id: string;
  sessionSerial: string;
  image: Uint8Array;
  mime: ImageMime;
  docType: DocType;
  fields: CaptureAnalysis['fields'];
  text: string;
  capturedAt: string;
}

const MAX_PENDING = 8;
const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;

export interface CaptureServiceOptions {
  ocr: OcrPool;
  outbox: Outbox;
  /** whose vault the capture goes to: the beneficiary at the box */
  session: () => Holder;
  logger: Logger;
  onProgress?: (stage: string, progress: number) => void;
}

export class CaptureService {
  private readonly pending = new Map<string, PendingCapture>();

  constructor(private readonly opts: CaptureServiceOptions) {}

  async analyse(image: Uint8Array, declared: ImageMime): Promise<CaptureAnalysis> {
    const session = this.opts.session();
    const mime = sniffImage(image);
    if (mime === null || mime !== declared) {
      throw new KioskError('bad-image', "Ce fichier n'est pas une photo lisible. Reprenez la photo.");
    }
    const started = performance.now();
    let result;
    try {
      result = await this.opts.ocr.analyse(image, {
        onProgress: (p) => this.opts.onProgress?.(p.stage, p.progress),
      });
    } catch (err) {
      if (err instanceof OcrError) {
        this.opts.logger.warn({ code: err.code, detail: err.detail }, 'OCR failed');
        // OcrError messages are written for the screen
        throw new KioskError(err.code === 'worker-crashed' || err.code === 'timeout' ? 'ocr-failed' : 'bad-image', err.message);
      }
      this.opts.logger.error({ err }, 'OCR failed');
      throw new KioskError('ocr-failed', "La lecture du document n'a pas marché. Réessayez.");
    }
    // the session may have ended while OCR ran: then nothing is kept
    if (this.opts.session().cardSerial !== session.cardSerial) throw new KioskError('no-session', 'Insérez votre carte pour continuer.');
    const id = randomUUID();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const fields = Object.fromEntries(
      Object.entries(result.fields).map(([k, f]) => [k, { value: f.value, confidence: f.confidence, valid: f.valid }]),
    );
    this.pending.set(id, {
      id,
      sessionSerial: session.cardSerial,
      image,
      mime,
      docType: result.docType,
      fields,
      text: result.text,
      capturedAt: new Date().toISOString(),
    });
    return { captureId: id, docType: result.docType, fields, text: result.text, elapsedMs: performance.now() - started };
  }

  /** The person confirmed (possibly corrected) the fields: queue the document. */
  confirm(captureId: string, checked: Record<string, string>): { documentId: string } {
    const session = this.opts.session();
    const cap = this.pending.get(captureId);
    if (!cap || cap.sessionSerial !== session.cardSerial) {
      throw new KioskError('not-found', "Cette photo n'est plus disponible. Reprenez la photo.");
    }
    const fields: Record<string, ExtractedField> = {};
    for (const [name, raw] of Object.entries(checked)) {
      if (!FIELD_NAME.test(name)) throw new KioskError('invalid-request', 'Un champ du document est inconnu.');
      const value = raw.trim();
      const read = cap.fields[name];
      fields[name] = {
        value,
        confidence: read && read.value.replace(/\s/g, '') === value.replace(/\s/g, '') ? read.confidence : 1,
        confirmed: true,
      };
    }
    checkFieldValues(cap.docType, fields);
    const documentId = randomUUID();
    const body: DocumentDeposit = {
      type: 'vault.document.deposit',
      payload: {
        documentId,
        owner: session.identifier,
        docType: cap.docType,
        fields,
        ocrText: cap.text.slice(0, LIMITS.ocrTextChars),
        file: { sha256: sha256Hex(cap.image), mime: cap.mime, size: cap.image.byteLength },
        capturedAt: cap.capturedAt,
        ground: { kind: 'own-card', cardSerial: session.cardSerial },
      },
    };
    this.opts.outbox.enqueue(body, [{ bytes: cap.image, mime: cap.mime }], (db, seq) => {
      db.prepare('INSERT INTO session_documents (document_id, owner, doc_type, fields, seq, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        documentId,
        session.identifier,
        cap.docType,
        JSON.stringify(fields),
        seq,
        new Date().toISOString(),
      );
    });
    this.pending.delete(captureId);
    this.opts.logger.info({ documentId, docType: cap.docType }, 'document queued');
    return { documentId };
  }

  discard(captureId: string): void {
    this.pending.delete(captureId);
  }

  /** Session over: forget every capture (images included). */
  wipe(): void {
    for (const cap of this.pending.values()) cap.image.fill(0);
    this.pending.clear();
  }
}

function checkFieldValues(docType: DocType, fields: Record<string, ExtractedField>): void {
  if (docType !== 'rib') return;
  const iban = fields.iban?.value;
  if (!iban || !isValidIban(iban)) {
    throw new KioskError('invalid-request', "L'IBAN n'est pas correct. Vérifiez chaque chiffre.");
  }
  fields.iban!.value = normalizeIban(iban);
  const bic = fields.bic?.value;
  if (bic && !isValidBic(bic)) throw new KioskError('invalid-request', "Le BIC n'est pas correct. Vérifiez-le.");
}
