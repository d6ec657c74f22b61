import { describe, expect, it } from 'vitest';
import { nir as generateNir, siret as generateSiret, taxNumber as generateTaxNumber } from '../../../../tests/fixtures/admin.ts';
import { prng } from '../../../../tests/fixtures/svg.ts';
import {
  findAmounts,
  findDates,
  findMonth,
  icaoCheckDigit,
  isValidNir,
  isValidSiren,
  isValidSiret,
  isValidTaxNumber,
  luhnValid,
  nirKey,
  normaliseDecimal,
  parseAmount,
  parseFrenchDate,
} from './checks.ts';

describe('ICAO 9303 check digits', () => {
  it('match the specimen zones of Doc 9303', () => {
    // TD3 specimen: L898902C3<6, 740812 2, 120415 9, ZE184226B<<<<< 1, composite 0
    expect(icaoCheckDigit('L898902C3')).toBe('6');
    expect(icaoCheckDigit('740812')).toBe('2');
    expect(icaoCheckDigit('120415')).toBe('9');
    expect(icaoCheckDigit('ZE184226B<<<<<')).toBe('1');
    expect(icaoCheckDigit('L898902C36' + '7408122' + '1204159' + 'ZE184226B<<<<<1')).toBe('0');
    // TD1 specimen: D23145890 7
    expect(icaoCheckDigit('D23145890')).toBe('7');
  });

  it('refuses characters outside the zone alphabet', () => {
    expect(icaoCheckDigit('AB-12')).toBeNull();
    expect(icaoCheckDigit('é')).toBeNull();
  });
});

describe('NIR', () => {
  it('checks the key: 97 − (13 digits mod 97)', () => {
    expect(nirKey('1891275125012')).toBe('82');
    expect(isValidNir('189127512501282')).toBe(true);
    expect(isValidNir('189127512501283')).toBe(false);
    expect(isValidNir('18912751250128')).toBe(false);
  });

  it('counts Corsica 2A as 19 and 2B as 18', () => {
    // 1 85 05 2A 006 084: the key is computed on 1 85 05 19 006 084
    const key = (digits13: string) => String(97n - (BigInt(digits13) % 97n)).padStart(2, '0');
    expect(nirKey('185052A006084')).toBe(key('1850519006084'));
    expect(nirKey('185052B006084')).toBe(key('1850518006084'));
    expect(nirKey('185052A006084')).not.toBe(nirKey('185052B006084'));
    const rand = prng(5);
    for (const corsica of ['2A', '2B'] as const) {
      for (let i = 0; i < 20; i++) {
        const n = generateNir(rand, corsica);
        expect(isValidNir(n), n).toBe(true);
        // the same number read with the other Corsican département fails
        expect(isValidNir(n.replace(corsica, corsica === '2A' ? '2B' : '2A'))).toBe(false);
      }
    }
  });

  it('refuses impossible shapes', () => {
    expect(nirKey('9850578006084')).toBeNull(); // sex digit
    expect(nirKey('185052C006084')).toBeNull(); // only 2A and 2B
    expect(isValidNir('185157800608436')).toBe(false); // month 15
  });
});

describe('SIREN and SIRET', () => {
  it('use Luhn on the SIREN and the whole SIRET', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    const rand = prng(3);
    for (let i = 0; i < 30; i++) {
      const s = generateSiret(rand);
      expect(isValidSiret(s), s).toBe(true);
      expect(isValidSiren(s.slice(0, 9))).toBe(true);
      const wrong = s.slice(0, 13) + String((Number(s[13]) + 1) % 10);
      expect(isValidSiret(wrong)).toBe(false);
    }
    expect(isValidSiret('1234567890123')).toBe(false);
    expect(isValidSiret('1234567890123A')).toBe(false);
  });

  it("accept La Poste's establishments by their digit sum", () => {
    expect(isValidSiret('35600000000010')).toBe(true); // sum 15
    expect(isValidSiret('35600000000011')).toBe(false);
  });
});

describe('numéro fiscal', () => {
  it('is 13 digits, first 0–3, last three = first ten mod 511', () => {
    expect(isValidTaxNumber('3023217600053')).toBe(true);
    expect(isValidTaxNumber('3023217600054')).toBe(false);
    expect(isValidTaxNumber('4023217600053')).toBe(false);
    expect(isValidTaxNumber('302321760005')).toBe(false);
    const rand = prng(9);
    for (let i = 0; i < 30; i++) expect(isValidTaxNumber(generateTaxNumber(rand))).toBe(true);
  });
});

describe('dates', () => {
  it('reads the French ways of writing a date as ISO', () => {
    expect(parseFrenchDate('Date de la facture : 03/10/2024')).toBe('2024-10-03');
    expect(parseFrenchDate('le 1er mars 2025')).toBe('2025-03-01');
    expect(parseFrenchDate('Fait le 3 octobre 2024')).toBe('2024-10-03');
    expect(parseFrenchDate('DATE DE NAISS. 12 03 1985')).toBe('1985-03-12');
    expect(parseFrenchDate('14 août 2023')).toBe('2023-08-14');
    expect(parseFrenchDate('03.10.2024')).toBe('2024-10-03');
    // OCR's O for 0
    expect(parseFrenchDate('O3/1O/2O24')).toBe('2024-10-03');
  });

  it('refuses impossible dates and finds several in order', () => {
    expect(parseFrenchDate('31/02/2024')).toBeNull();
    expect(parseFrenchDate('2024')).toBeNull();
    expect(findDates('Période du 01/10/2024 au 31/10/2024').map((d) => d.iso)).toEqual(['2024-10-01', '2024-10-31']);
  });

  it('reads months', () => {
    expect(findMonth('Période : octobre 2024')?.ym).toBe('2024-10');
    expect(findMonth('Paiements de FÉVRIER 2025')?.ym).toBe('2025-02');
    expect(findMonth('période 03/2025')?.ym).toBe('2025-03');
    expect(findMonth('nothing here')).toBeNull();
  });
});

describe('amounts', () => {
  it('become decimal strings in euros', () => {
    expect(parseAmount('1 734,56 €')).toBe('1734.56');
    expect(parseAmount('21 540 €')).toBe('21540.00');
    expect(parseAmount('1.734,56 EUR')).toBe('1734.56');
    expect(parseAmount('-45,67')).toBe('-45.67');
    expect(parseAmount('12,5')).toBe('12.50');
    expect(parseAmount('aucun montant')).toBeNull();
    expect(findAmounts('Loyer 450,00 € Charges 50,00 €').map((a) => a.value)).toEqual(['450.00', '50.00']);
    expect(normaliseDecimal('2,75')).toBe('2.75');
    expect(normaliseDecimal('1319,24')).toBe('1319.24');
    expect(normaliseDecimal('abc')).toBeNull();
  });
});
