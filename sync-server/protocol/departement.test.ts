/**
 * Départements of postcodes and INSEE codes, and what is in an area: mainland, overseas (three
 * characters), Corsica (postcodes in 20, communes in 2A/2B), codes that name no département.
 */
import { describe, expect, it } from 'vitest';
import { areaPrefixes, departementOfCommune, departementsOfPostcode, DirectoryArea, inArea, parseArea } from './departement.ts';

describe('départements', () => {
  it('reads a postcode: two characters, three overseas, Corsica by its ranges', () => {
    expect(departementsOfPostcode('69003')).toEqual(['69']);
    expect(departementsOfPostcode('01700')).toEqual(['01']);
    expect(departementsOfPostcode('97400')).toEqual(['974']);
    expect(departementsOfPostcode('98800')).toEqual(['988']);
    expect(departementsOfPostcode('20000')).toEqual(['2A']); // Ajaccio
    expect(departementsOfPostcode('20169')).toEqual(['2A']); // Bonifacio
    expect(departementsOfPostcode('20200')).toEqual(['2B']); // Bastia
    expect(departementsOfPostcode('20600')).toEqual(['2B']);
    expect(departementsOfPostcode('20300')).toEqual(['2A', '2B']);
    // the demo's made-up town, Monaco, a postcode cut short: no département
    for (const pc of ['00100', '98000', '6900', '6900A', '']) expect(departementsOfPostcode(pc), pc).toEqual([]);
  });

  it('reads a commune’s INSEE code', () => {
    expect(departementOfCommune('69123')).toBe('69');
    expect(departementOfCommune('2A004')).toBe('2A');
    expect(departementOfCommune('2B033')).toBe('2B');
    expect(departementOfCommune('97411')).toBe('974');
    expect(departementOfCommune('00001')).toBeNull();
    expect(departementOfCommune('2C004')).toBeNull();
  });

  it('puts an office in an area by its postcode or by a commune it serves', () => {
    const rhone = areaPrefixes(['69']);
    expect(inArea({ postcode: '69003' }, rhone)).toBe(true);
    expect(inArea({ postcode: '01700', communes: ['01249', '69286'] }, rhone)).toBe(true);
    expect(inArea({ postcode: '38000', communes: ['38185'] }, rhone)).toBe(false);
    expect(inArea({ postcode: '00100' }, rhone)).toBe(false);
    const corseDuSud = areaPrefixes(['2A']);
    expect(inArea({ postcode: '20000' }, corseDuSud)).toBe(true);
    expect(inArea({ postcode: '20200' }, corseDuSud)).toBe(false);
    expect(inArea({ postcode: '20200', communes: ['2A004'] }, corseDuSud)).toBe(true);
    expect(inArea({ postcode: '20300' }, areaPrefixes(['2B']))).toBe(true);
    const reunion = areaPrefixes(['974']);
    expect(inArea({ postcode: '97400' }, reunion)).toBe(true);
    expect(inArea({ postcode: '97100' }, reunion)).toBe(false);
    expect(inArea({ postcode: '97400' }, areaPrefixes(['97']))).toBe(false);
  });

  it('takes an area as staff type it, and refuses what is not one', () => {
    expect(parseArea('69, 01 2a')).toEqual(['01', '2A', '69']);
    expect(parseArea('69,69')).toEqual(['69']);
    for (const bad of ['', '20', '00', '96', '69,1', 'lyon', '01,02,03,04,05,06,07,08,09,10,11']) expect(parseArea(bad), bad).toBeNull();
    expect(DirectoryArea.safeParse(['69', '69']).success).toBe(false);
    expect(DirectoryArea.safeParse([]).success).toBe(false);
  });
});
