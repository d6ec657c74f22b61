import { describe, expect, it } from 'vitest';
import { InstitutionKind } from '../../features/aids/index.ts';
import { groundWords, INSTITUTION_NAME, institutionName, toInstitution } from './applications.ts';

describe('the aid space in words', () => {
  it('contracts "à" before an institution as French does: à la, à l’, au, aux', () => {
    expect(toInstitution(institutionName('caf'))).toBe('à la CAF');
    expect(toInstitution(institutionName('urssaf'))).toBe('à l’Urssaf');
    expect(toInstitution(institutionName('departement'))).toBe('au département');
    expect(toInstitution(institutionName('ccas'))).toBe('au CCAS');
    expect(toInstitution(institutionName('impots'))).toBe('aux impôts');
    expect(toInstitution(institutionName('employeur'))).toBe('à votre employeur');
    expect(toInstitution(institutionName('france-travail'))).toBe('à France Travail');
    // never "à le" or "à les", whatever the institution
    for (const name of Object.values(INSTITUTION_NAME)) expect(toInstitution(name)).not.toMatch(/^à les? /);
  });

  it('names every institution kind of the catalogue (the kernel cannot import its type)', () => {
    const named: readonly string[] = Object.keys(INSTITUTION_NAME);
    for (const kind of InstitutionKind.options) expect(named, kind).toContain(kind);
  });

  it('says how a request was signed: by the person, or sent by an agent of a structure on the person’s procuration', () => {
    expect(groundWords({ kind: 'beneficiary-signature' })).toBe('Signée par la personne avec sa carte');
    const ground = { kind: 'procuration', procurationId: '8f0c6a52-4d0e-4c1b-9a57-1f1b6c2f9e11' } as const;
    expect(groundWords(ground, { agent: 'Sophie Lefèvre', structure: 'CCAS de Lyon 3e', person: 'Camille Martin' })).toBe('Envoyée par Sophie Lefèvre (CCAS de Lyon 3e), avec la procuration de Camille Martin');
    expect(groundWords(ground, { agent: 'Sophie Lefèvre', structure: null, person: 'Camille Martin' })).toBe('Envoyée par Sophie Lefèvre, avec la procuration de Camille Martin');
    // the procuration not found any more: still said to be one, never an id
    expect(groundWords(ground)).toBe('Envoyée par un agent, avec une procuration de la personne');
  });

  it('names an unknown kind "un autre organisme"', () => {
    expect(institutionName('inconnu')).toBe('un autre organisme');
  });
});
