/**
 * Printing a vault paper: its file made ready here (an image re-encoded by sharp, off the event loop),
 * the PDF laid out in a PDF pool thread (document-pdf.ts) under its time and memory limits. A paper the
 * pool had to stop is answered with a typed French error; the server goes on.
 */
import type { ProtocolError } from '../../../protocol/socket.ts';
import { printFailureWords, printFile } from '../../kernel/files/print-file.ts';
import { PdfJobError } from '../../kernel/files/pdf-pool.ts';
import type { PdfJobFailure, PdfPool } from '../../kernel/files/pdf-pool.ts';
import { DOCUMENT_PDF_JOB } from './document-pdf.ts';
import type { DocumentPdfInput } from './document-pdf.ts';

/** A paper opens in well under a second: past this, it is a file the pool must stop (the kiosk waits 10 s). */
export const DOCUMENT_PDF_TIMEOUT_MS = 8_000;

export type PrintOutcome = { ok: true; value: Uint8Array } | { ok: false; error: ProtocolError; reason: PdfJobFailure };

export async function printDocument(pool: PdfPool, input: Omit<DocumentPdfInput, 'file'> & { file: Uint8Array }): Promise<PrintOutcome> {
  const file = await printFile(input.file, input.version.file.sha256);
  try {
    const bytes = await pool.run(DOCUMENT_PDF_JOB, { ...input, file }, { timeoutMs: DOCUMENT_PDF_TIMEOUT_MS });
    if (!(bytes instanceof Uint8Array)) throw new PdfJobError('failed', 'the document PDF job gave no bytes');
    return { ok: true, value: bytes };
  } catch (err) {
    const reason = err instanceof PdfJobError ? err.reason : 'failed';
    return { ok: false, error: { code: 'unprintable', message: printFailureWords(err, 'paper') }, reason };
  }
}
