import { describe, expect, it } from 'vitest';
import { SURE_CONFIDENCE } from '../../contract/schema.ts';
import { mergeFields } from './merge-fields.ts';

const f = (value: string, confidence: number, source: 'ocr' | 'mrz' = 'ocr', valid = true) => ({ value, confidence, valid, source });

describe('fields of a paper scanned in several pages', () => {
  it('a face that proves a field replaces the other face’s doubtful reading of it', () => {
    const front = { documentNumber: f('X4RTBPFW4', 0.6, 'ocr', false), birthDate: f('1985-03-12', 0.5) };
    const back = { documentNumber: f('X4RTBPFW4', 0.97, 'mrz'), birthDate: f('1985-03-12', 0.98, 'mrz'), expiryDate: f('2031-02-11', 0.98, 'mrz') };
    const m = mergeFields([front, back]);
    expect(m.documentNumber).toEqual({ value: 'X4RTBPFW4', confidence: 0.97, valid: true });
    expect(m.birthDate!.confidence).toBeGreaterThanOrEqual(SURE_CONFIDENCE);
    expect(m.expiryDate!.value).toBe('2031-02-11');
    // and a misread print loses to the checked zone, whichever page came first
    expect(mergeFields([{ birthDate: f('1985-08-12', 0.5) }, { birthDate: f('1985-03-12', 0.98, 'mrz') }]).birthDate!.value).toBe('1985-03-12');
  });

  it('a name printed on one face and spelled alike in the other face’s zone is the printed one, confirmed', () => {
    const m = mergeFields([{ surname: f('LEFÈVRE', 0.6), givenNames: f('Hélène, Anne', 0.6) }, { surname: f('LEFEVRE', 0.7, 'mrz'), givenNames: f('HELENE, ANNE', 0.7, 'mrz') }]);
    expect(m.surname).toMatchObject({ value: 'LEFÈVRE' });
    expect(m.givenNames).toMatchObject({ value: 'Hélène, Anne' });
    expect(m.surname!.confidence).toBeGreaterThanOrEqual(SURE_CONFIDENCE);
    // names that differ stay the surer reading, doubted as it was
    const other = mergeFields([{ surname: f('LEFÈVRE', 0.6) }, { surname: f('LEFEBVRE', 0.7, 'mrz') }]);
    expect(other.surname).toEqual({ value: 'LEFEBVRE', confidence: 0.7, valid: true });
    // two prints alike confirm nothing more than one
    expect(mergeFields([{ surname: f('LEFÈVRE', 0.6) }, { surname: f('LEFÈVRE', 0.6) }]).surname!.confidence).toBe(0.6);
  });

  it('two pages sure of different values: the person looks', () => {
    const m = mergeFields([{ netPay: f('1734.56', 0.95) }, { netPay: f('1834.56', 0.93) }]);
    expect(m.netPay!.value).toBe('1734.56');
    expect(m.netPay!.confidence).toBeLessThan(SURE_CONFIDENCE);
  });

  it('one page is its own fields', () => {
    expect(mergeFields([{ iban: f('FR7630006000011234567890189', 0.99) }])).toEqual({ iban: { value: 'FR7630006000011234567890189', confidence: 0.99, valid: true } });
    expect(mergeFields([])).toEqual({});
  });
});
