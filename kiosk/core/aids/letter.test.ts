import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { dateFr } from '../../../sync-server/protocol/format.ts';
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

  it('is dated like every printout and screen (« 1er avril 2026 », Paris time), its text as typed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-letter-'));
    try {
      const file = join(dir, 'letter.pdf');
      // 23:30 UTC on 31 March is 1 April in Paris, whatever the kiosk's clock zone
      writeFileSync(file, await letterPdf({ to: 'la banque', body: 'Madame, Monsieur,\n\nJ’ai besoin d’un RIB.', date: new Date('2026-03-31T23:30:00Z') }));
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      expect(dateFr('2026-04-01')).toBe('1er avril 2026');
      expect(text).toContain('Le 1er avril 2026');
      expect(text).toContain('À l’attention de : la banque');
      expect(text).toContain('J’ai besoin d’un RIB.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
