import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { A4, COLUMN, MARGIN, PageWriter, drawableText, oneLine, startPdf, wordmark, wrap } from './pdf-kit.ts';

let font: PDFFont;
beforeAll(async () => {
  font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
});

describe('pdf kit: text the standard fonts can draw', () => {
  it('keeps French, folds what has a look-alike, drops the invisible and marks the rest with ?', () => {
    expect(drawableText(font, 'Œuvre, ça, élève « là » — 2 055,68 €')).toBe('Œuvre, ça, élève « là » — 2 055,68 €');
    expect(drawableText(font, 'Łódź\u202Fnord')).toBe('Lódz nord');
    expect(drawableText(font, 'Thị Ngọc')).toBe('Thi Ngoc');
    expect(drawableText(font, 'a\u200Bb\u00ADc\uFE0F\u0007d')).toBe('abcd');
    expect(drawableText(font, 'l\u02BCécole')).toBe('l’école');
    expect(drawableText(font, 'maison 🏠 你好')).toBe('maison ? ??');
    expect(drawableText(font, 'un\r\ndeux\rtrois\tquatre')).toBe('un\ndeux\ntrois quatre');
  });

  it('wraps within the width, cuts a word wider than a line, keeps no-break spaces and double spaces', () => {
    const lines = wrap(font, `court ${'X'.repeat(200)} fin`, 12, 200);
    for (const l of lines) expect(font.widthOfTextAtSize(l, 12)).toBeLessThanOrEqual(200);
    expect(lines.join('')).toContain('X'.repeat(200).slice(0, 20));
    expect(lines.join('').replace(/ /g, '')).toBe(`court${'X'.repeat(200)}fin`);
    const amount = wrap(font, `${'mot '.repeat(9)}2\u00a0055,68\u00a0€`, 12, 60);
    expect(amount.some((l) => l.includes('2\u00a0055,68\u00a0€'))).toBe(true);
    expect(wrap(font, 'FAC  K7QM', 12, 500)).toEqual(['FAC  K7QM']);
    expect(wrap(font, 'a\n\nb', 12, 500)).toEqual(['a', '', 'b']);
  });

  it('shortens a header to one line with an ellipsis', () => {
    const t = oneLine(font, 'Pièce 1 sur 4 : '.repeat(20), 9, 150);
    expect(t.endsWith('…')).toBe(true);
    expect(font.widthOfTextAtSize(t, 9)).toBeLessThanOrEqual(150);
  });
});

describe('pdf kit: the page writer', () => {
  it('writes A4 pages within the margins, onto new ones, remembering every line', async () => {
    const { pdf, fonts } = await startPdf({ title: 'Essai', date: new Date('2026-04-01T10:00:00Z') });
    const w = PageWriter.on(pdf, fonts, { onNewPage: wordmark });
    w.heading('Titre');
    for (let i = 0; i < 120; i++) w.text(`Ligne ${i + 1}`);
    expect(pdf.getPageCount()).toBeGreaterThan(1);
    expect(w.pages).toHaveLength(pdf.getPageCount());
    expect(w.pages.flat()).toContain('Ligne 120');
    for (const page of w.pages) expect(page[0]).toBe('Facilitateur');
    expect(pdf.getPage(0).getSize()).toEqual({ width: A4[0], height: A4[1] });
    expect(w.y).toBeGreaterThanOrEqual(MARGIN - 12 * 1.4);
    expect(pdf.getTitle()).toBe('Essai');
    expect(pdf.getAuthor()).toBe('Facilitateur');
    expect(pdf.getCreationDate()?.toISOString()).toBe('2026-04-01T10:00:00.000Z');
  });

  it('sizes a panel from what it holds and keeps it on one page, its text inset', async () => {
    const { pdf, fonts } = await startPdf({ title: 'Panneau' });
    const w = PageWriter.on(pdf, fonts);
    w.space(A4[1] - 2 * MARGIN - 60); // 60 points left: the panel does not fit
    const before = pdf.getPageCount();
    w.panel((p) => {
      expect(p.width).toBe(COLUMN - 24);
      for (let i = 0; i < 5; i++) p.text(`Dans le panneau ${i}`);
    });
    expect(pdf.getPageCount()).toBe(before + 1);
    expect(w.pages.at(-1)).toEqual(['Dans le panneau 0', 'Dans le panneau 1', 'Dans le panneau 2', 'Dans le panneau 3', 'Dans le panneau 4']);
    expect(w.width).toBe(COLUMN);
  });
});
