import { describe, expect, it } from 'vitest';
import type { FilingSituation } from '../../../protocol/applications.ts';
import { ageOn, eligibilityWarnings } from './eligibility.ts';

const alone: FilingSituation = { housing: 'hosted', activity: ['salaried'], nationality: 'french', children: false, couple: false };

describe('basic conditions before filing', () => {
  it('warns a 17-year-old about the RSA’s age and the prime d’activité’s, with the true reason and its source', () => {
    const rsa = eligibilityWarnings('rsa', { age: 17, situation: alone });
    expect(rsa).toHaveLength(1);
    expect(rsa[0]).toMatchObject({ condition: 'age', source: expect.stringContaining('L262-4') as unknown });
    expect(rsa[0]!.text).toMatch(/^Vous avez 17 ans\. Le RSA est pour les personnes de 25 ans ou plus\./);
    const pa = eligibilityWarnings('prime-activite', { age: 17, situation: alone });
    expect(pa.map((w) => w.condition)).toEqual(['age']);
  });

  it('says nothing when the conditions are met, and the RSA’s age does not count for a parent', () => {
    expect(eligibilityWarnings('rsa', { age: 30, situation: alone })).toEqual([]);
    expect(eligibilityWarnings('rsa', { age: 22, situation: { ...alone, children: true } })).toEqual([]);
    expect(eligibilityWarnings('prime-activite', { age: 18, situation: alone })).toEqual([]);
    expect(eligibilityWarnings('css', { age: 17, situation: alone })).toEqual([]);
  });

  it('checks work, children, housing and the residence permit where the aid asks', () => {
    expect(eligibilityWarnings('prime-activite', { age: 40, situation: { ...alone, activity: ['job-seeker'] } }).map((w) => w.condition)).toEqual(['activity']);
    expect(eligibilityWarnings('allocations-familiales', { age: 40, situation: alone }).map((w) => w.condition)).toEqual(['children']);
    expect(eligibilityWarnings('aides-logement', { age: 40, situation: { ...alone, housing: 'homeless' } }).map((w) => w.condition)).toEqual(['housing']);
    expect(eligibilityWarnings('aides-logement', { age: 40, situation: { ...alone, housing: 'tenant' } })).toEqual([]);
    expect(eligibilityWarnings('rsa', { age: 40, situation: { ...alone, nationality: 'non-eu' } }).map((w) => w.condition)).toEqual(['residence']);
    expect(eligibilityWarnings('aah', { age: 17, situation: alone })[0]!.text).toContain('Avant 20 ans');
  });

  it('without a birth date, checks what it can', () => {
    expect(eligibilityWarnings('rsa', { age: null, situation: alone })).toEqual([]);
  });

  it('counts full years, birthdays included', () => {
    expect(ageOn('2009-03-14', '2026-03-13')).toBe(16);
    expect(ageOn('2009-03-14', '2026-03-14')).toBe(17);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(ageOn('not a date', '2026-03-01')).toBeNull();
  });
});
