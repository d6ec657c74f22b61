import { describe, expect, it } from 'vitest';
import { extractDocument } from './index.ts';
import { pageFromText, withoutStrayMarks } from './page.ts';

describe('marks read as letters', () => {
  it('takes out a word that is one accented letter, keeps « à » and every real word', () => {
    const page = withoutStrayMarks(pageFromText('Ï M ROBERT Hervé\nSupermarché Frais & Bon Î\nPayé à Lyon le 3 mai'));
    expect(page.lines.map((l) => l.text)).toEqual(['M ROBERT Hervé', 'Supermarché Frais & Bon', 'Payé à Lyon le 3 mai']);
    expect(page.lines[0]!.words.map((w) => w.text)).toEqual(['M', 'ROBERT', 'Hervé']);
    expect(page.text).not.toMatch(/[ÎÏ]/u);
    const clean = pageFromText('Mme Léa Martin');
    expect(withoutStrayMarks(clean)).toBe(clean);
  });

  it('leaves no mark in a name read next to one', () => {
    const r = extractDocument(pageFromText("BULLETIN DE PAIE\nEmployeur : Supermarché Frais & Bon Î\nSalarié : Ï M ROBERT Hervé\nNet à payer 1 234,56 €", 0.95));
    expect(r.fields.employee?.value).toBe('M ROBERT Hervé');
    expect(r.fields.employer?.value).toBe('Supermarché Frais & Bon');
  });
});
