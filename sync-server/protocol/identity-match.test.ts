import { describe, expect, it } from 'vitest';
import { matchHolder, nameTokens, paperName } from './identity-match.ts';

const CAMILLE = { firstName: 'Camille', lastName: 'Martin', birthDate: '2009-03-14' };

describe('a paper in the card holder’s name', () => {
  it('folds accents, case, hyphens, civilities and order', () => {
    expect(nameTokens('Mme Élodie LEFÈVRE-ÇA')).toEqual(['ELODIE', 'LEFEVRE', 'CA']);
    expect(matchHolder({ firstName: 'Élodie Françoise', lastName: 'Lefèvre-Ça' }, 'rib', { holder: 'MME LEFEVRE CA ELODIE' }).verdict).toBe('match');
    expect(matchHolder(CAMILLE, 'rib', { holder: 'Mlle MARTIN Camille' }).verdict).toBe('match');
    expect(matchHolder(CAMILLE, 'payslip', { employee: 'Madame Camille Martin' }).verdict).toBe('match');
  });

  it('matches a couple on one paper, a married name beside the birth name, an initial', () => {
    expect(matchHolder(CAMILLE, 'tax-notice', { holder: 'M. ou Mme MARTIN Yanis et Camille' }).verdict).toBe('match');
    expect(matchHolder(CAMILLE, 'caf-certificate', { holder: 'Mme DURAND née MARTIN Camille' }).verdict).toBe('match');
    expect(matchHolder(CAMILLE, 'proof-of-address', { holder: 'C. MARTIN' }).verdict).toBe('match');
  });

  it('says whose name it is when it is someone else’s', () => {
    expect(matchHolder(CAMILLE, 'rib', { holder: 'Claire MARTIN' })).toEqual({ verdict: 'mismatch', paperName: 'Claire MARTIN', reason: 'name' });
    expect(matchHolder(CAMILLE, 'payslip', { employee: 'Thomas NGUYEN', holder: 'Camille MARTIN' })).toEqual({ verdict: 'mismatch', paperName: 'Thomas NGUYEN', reason: 'name' });
    // a last name that only begins like hers is another name
    expect(matchHolder(CAMILLE, 'rib', { holder: 'Camille MARTINEZ' }).verdict).toBe('mismatch');
    // an initial is not enough when a full other first name is printed
    expect(matchHolder(CAMILLE, 'rib', { holder: 'C. Claire MARTIN' }).verdict).toBe('mismatch');
  });

  it('checks the birth date of an identity paper', () => {
    const id = { surname: 'MARTIN', givenNames: 'CAMILLE ROSE', birthDate: '1970-10-25' };
    expect(matchHolder(CAMILLE, 'identity-card', id)).toEqual({ verdict: 'mismatch', paperName: 'CAMILLE ROSE MARTIN', reason: 'birth-date' });
    expect(matchHolder(CAMILLE, 'identity-card', { ...id, birthDate: '2009-03-14' }).verdict).toBe('match');
    // no birth date known for the holder: the name decides
    expect(matchHolder({ firstName: 'Camille', lastName: 'Martin' }, 'identity-card', id).verdict).toBe('match');
  });

  it('has nothing to compare on a paper without a name', () => {
    expect(matchHolder(CAMILLE, 'rib', { iban: 'FR7630006000011234567890189' })).toEqual({ verdict: 'unknown' });
    expect(matchHolder(CAMILLE, 'rib', { holder: '  M. ' })).toEqual({ verdict: 'unknown' });
    expect(paperName('identity-card', { surname: 'MARTIN', givenNames: 'CAMILLE' })).toBe('CAMILLE MARTIN');
  });
});
