/**
 * The deposit check, for PDFs in particular (opened in a real PDF pool thread): a kiosk's scan of several
 * pages passes; a PDF whose image claims too many pixels, or whose JPEG is cut, or that is locked, or made
 * of too many objects, is refused saying why; a file that is not what it is declared as never reaches a
 * decoder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfObjectBomb, pdfWithHostileImage, truncatedJpeg } from '../../../test-support/hostile-files.ts';
import { randomPng } from '../../../test-support/png.ts';
import { inspectFile } from './inspect.ts';
import { INSPECT_PDF_JOB } from './pdf-pages.ts';
import { PdfPool } from './pdf-pool.ts';

let pool: PdfPool;
const dir = mkdtempSync(join(tmpdir(), 'fac-inspect-'));
beforeAll(() => {
  pool = new PdfPool({ size: 1, preload: [INSPECT_PDF_JOB.module] });
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Pages of scans as the kiosk makes them: JPEGs embedded by pdf-lib. */
async function scannedPdf(pages: number, jpeg?: Buffer): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < pages; i++) {
    const scan = jpeg ?? (await sharp({ create: { width: 850, height: 1200, channels: 3, background: '#f4f1ea' } }).jpeg().toBuffer());
    const image = await pdf.embedJpg(scan);
    pdf.addPage([595.28, 841.89]).drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  }
  return pdf.save();
}

describe('inspectFile', () => {
  it('accepts a kiosk’s scan of several pages, from bytes or from a file, and good images', async () => {
    const pdf = await scannedPdf(3);
    expect(await inspectFile(pool, { bytes: pdf }, 'application/pdf')).toEqual({ ok: true });
    writeFileSync(join(dir, 'scan.pdf'), pdf);
    expect(await inspectFile(pool, { path: join(dir, 'scan.pdf') }, 'application/pdf')).toEqual({ ok: true });
    expect(await inspectFile(pool, { bytes: randomPng(20, 20) }, 'image/png')).toEqual({ ok: true });
  });

  it('refuses a PDF whose image claims too many pixels, or whose JPEG is cut', async () => {
    expect(await inspectFile(pool, { bytes: await pdfWithHostileImage() }, 'application/pdf')).toMatchObject({ ok: false, problem: 'pdf-image-too-large', retry: false });
    // a cut JPEG at a sane size: only decoding it shows the damage
    const cut = await truncatedJpeg();
    const pdf = await PDFDocument.load(await scannedPdf(1));
    for (const [, obj] of pdf.context.enumerateIndirectObjects()) {
      if ('dict' in obj && (obj as { dict: { get(k: PDFName): unknown } }).dict.get(PDFName.of('Subtype')) === PDFName.of('Image')) {
        const s = obj as unknown as { contents: Uint8Array; dict: { set(k: PDFName, v: PDFNumber): void } };
        s.contents = new Uint8Array(cut);
        s.dict.set(PDFName.of('Length'), PDFNumber.of(cut.length));
        s.dict.set(PDFName.of('Width'), PDFNumber.of(600));
        s.dict.set(PDFName.of('Height'), PDFNumber.of(800));
      }
    }
    const verdict = await inspectFile(pool, { bytes: await pdf.save({ useObjectStreams: false }) }, 'application/pdf');
    expect(verdict).toMatchObject({ ok: false, problem: 'pdf-image-damaged', message: expect.stringMatching(/^Une image de ce PDF ne peut pas être lue/) as unknown });
  });

  it('refuses locked, empty, page-less, too complex and mislabelled PDFs, saying why in French', async () => {
    const locked = await PDFDocument.create();
    locked.addPage();
    locked.context.trailerInfo.Encrypt = locked.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -4 });
    expect(await inspectFile(pool, { bytes: await locked.save({ useObjectStreams: false }) }, 'application/pdf')).toMatchObject({ ok: false, problem: 'pdf-encrypted', message: expect.stringMatching(/mot de passe/) as unknown });
    expect(await inspectFile(pool, { bytes: new Uint8Array() }, 'application/pdf')).toMatchObject({ ok: false, problem: 'empty' });
    const pageless = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    expect(await inspectFile(pool, { bytes: pageless }, 'application/pdf')).toMatchObject({ ok: false, retry: false });
    const t0 = performance.now();
    expect(await inspectFile(pool, { bytes: pdfObjectBomb() }, 'application/pdf')).toMatchObject({ ok: false, problem: 'pdf-too-complex' });
    // counted, not parsed
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await inspectFile(pool, { bytes: randomPng(10, 10) }, 'application/pdf')).toMatchObject({ ok: false, problem: 'wrong-type' });
    expect(await inspectFile(pool, { bytes: await scannedPdf(1) }, 'image/jpeg')).toMatchObject({ ok: false, problem: 'not-an-image' });
  });
});
