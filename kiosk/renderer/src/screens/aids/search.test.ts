import { describe, expect, it } from 'vitest';
import { fold, matchesQuery, queryWords } from './search.ts';

const energy = { name: 'Chèque énergie', summary: 'Une aide pour payer l’électricité, le gaz ou le fioul.' };
const family = { name: 'Allocations familiales', summary: 'Une somme d’argent chaque mois si vous avez au moins 2 enfants.' };
const rsa = { name: 'Revenu de solidarité active (RSA)', summary: 'Une somme d’argent chaque mois si vous avez peu ou pas de revenus.' };

describe('search folding', () => {
  it('drops accents and capitals, keeps one apostrophe, spells out ligatures', () => {
    expect(fold('Chèque ÉNERGIE')).toBe('cheque energie');
    expect(fold('l’électricité')).toBe("l'electricite");
    expect(fold('Cœur')).toBe('coeur');
    expect(fold('Ça')).toBe('ca');
  });

  it('splits a query into words on spaces and punctuation', () => {
    expect(queryWords('  l’énergie,  GAZ ')).toEqual(['l', 'energie', 'gaz']);
    expect(queryWords(' - ')).toEqual([]);
  });

  it('finds with and without accents, in the name or the summary, every word', () => {
    expect(matchesQuery(energy, 'energie')).toBe(true);
    expect(matchesQuery(energy, 'énergie')).toBe(true);
    expect(matchesQuery(energy, 'ELECTRICITE')).toBe(true);
    expect(matchesQuery(family, 'allocation')).toBe(true);
    expect(matchesQuery(family, 'enfants argent')).toBe(true);
    expect(matchesQuery(rsa, 'rsa')).toBe(true);
    expect(matchesQuery(rsa, 'solidarite')).toBe(true);
  });

  it('finds nothing when one word is missing; an empty query keeps everything', () => {
    expect(matchesQuery(energy, 'allocation')).toBe(false);
    expect(matchesQuery(family, 'allocation logement')).toBe(false);
    expect(matchesQuery(rsa, 'xyz')).toBe(false);
    expect(matchesQuery(rsa, '')).toBe(true);
    expect(matchesQuery(rsa, '  ')).toBe(true);
  });
});
