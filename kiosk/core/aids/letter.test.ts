import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { letterPdf } from './letter.ts';

describe('the letter asking for a missing paper', () => {
  it('is an A4 PDF, in French with its accents, on as many pages as it needs', async () => {
    const short = await PDFDocument.load(await letterPdf({ to: 'votre employeur', body: 'Madame, Monsieur,\n\nJ’ai besoin de mes bulletins de salaire — merci, à bientôt. Œuvre, ça, élève.' }));
    expect(short.getPageCount()).toBe(1);
    const [w, h] = [short.getPage(0).getWidth(), short.getPage(0).getHeight()];
    expect(Math.round(w)).toBe(595);
    expect(Math.round(h)).toBe(842);
    const long = await PDFDocument.load(await letterPdf({ to: 'la mairie', body: Array.from({ length: 80 }, (_, i) => `Ligne ${i + 1} de la lettre, assez longue pour passer à la ligne suivante toute seule sur la page.`).join('\n') }));
    expect(long.getPageCount()).toBeGreaterThan(1);
  });

  it('does not break on characters the PDF fonts lack', async () => {
    const pdf = await PDFDocument.load(await letterPdf({ to: 'la CAF 🙂', body: 'Bonjour 👋 你好 ŞĞ\u00a0fin' }));
    expect(pdf.getPageCount()).toBe(1);
  });
});
