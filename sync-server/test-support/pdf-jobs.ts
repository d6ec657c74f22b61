/**
 * Tests only: jobs for the PDF pool (kernel/files/pdf-pool.ts) that misbehave the ways a hostile file
 * makes pdf-lib misbehave — for ever at 100 % CPU, or filling the heap — run in a real worker thread.
 */
import { PDFDocument } from 'pdf-lib';
import { pdfJob } from '../src/kernel/files/pdf-pool.ts';

export async function echo(input: { text: string }): Promise<Uint8Array> {
  return new TextEncoder().encode(`echo: ${input.text}`);
}

/** pdf-lib's own PNG decoder, on bytes it loops on (a cut PNG whose IDAT length says more). */
export async function embedPng(input: { png: Uint8Array }): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedPng(input.png);
  pdf.addPage().drawImage(image, { x: 0, y: 0, width: 100, height: 100 });
  return pdf.save();
}

export function eatMemory(): number {
  const hoard: unknown[] = [];
  for (;;) hoard.push({ a: [1, 2, 3], b: 'x'.repeat(64) + hoard.length });
}

export function fail(): never {
  throw new Error('this file cannot be read');
}

export const ECHO = pdfJob<{ text: string }>(import.meta.url, 'echo');
export const EMBED_PNG = pdfJob<{ png: Uint8Array }>(import.meta.url, 'embedPng');
export const EAT_MEMORY = pdfJob<Record<string, never>>(import.meta.url, 'eatMemory');
export const FAIL = pdfJob<Record<string, never>>(import.meta.url, 'fail');
