import { describe, expect, it } from 'vitest';
import { InstitutionKind } from '../../features/aids/index.ts';
import { INSTITUTION_NAME, institutionName, toInstitution } from './applications.ts';

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

  it('names an unknown kind "un autre organisme"', () => {
    expect(institutionName('inconnu')).toBe('un autre organisme');
  });
});
