import { describe, expect, it } from 'vitest';
import { nameLines } from './identity.ts';
import { extractDocument } from './index.ts';
import { pageFromText, withLinesReadAgain, withoutStrayMarks } from './page.ts';

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

describe('name lines read again alone', () => {
  const card = ["CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD", 'NOM / Surname', 'LEFEVRE', 'Prénoms : Hélène, Anne', 'Sexe / Sex', 'F'].join('\n');

  it('are the lines under a name label and those holding a name after it, never another label', () => {
    const page = pageFromText(card);
    expect(nameLines(page).map((i) => page.lines[i]!.text)).toEqual(['LEFEVRE', 'Prénoms : Hélène, Anne']);
  });

  it('replace the first reading when their letters are nearly the same, accents and case aside', () => {
    const page = pageFromText(card);
    // read again where the first reading was (the worker's second readings are in page coordinates)
    const again = (text: string) => {
      const l = pageFromText(text).lines[0]!;
      return { ...l, box: page.lines[2]!.box, words: l.words.map((w) => ({ ...w, box: page.lines[2]!.words[0]!.box })) };
    };
    const mended = withLinesReadAgain(page, new Map([[2, again('LEFÈVRE')]]));
    expect(mended.lines[2]!.text).toBe('LEFÈVRE');
    expect(mended.text).toContain('LEFÈVRE');
    expect(extractDocument(mended).fields.surname?.value).toBe('LEFÈVRE');
    // a second reading of another place, or an empty one, leaves the first
    const wrong = withLinesReadAgain(page, new Map([[2, again('RÉPUBLIQUE')]]));
    expect(wrong.lines[2]!.text).toBe('LEFEVRE');
    expect(withLinesReadAgain(page, new Map([[2, { ...again('X'), words: [] }]])).lines[2]!.text).toBe('LEFEVRE');
  });
});
