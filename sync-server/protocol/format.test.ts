import { describe, expect, it } from 'vitest';
import { dateFr, dateTimeFr, decisionTermsFr, euros, fieldValueFr, ibanFr, parisDay, roundCents } from './format.ts';

describe('format: dates', () => {
  it('writes the first of the month as an ordinal, the other days as numbers', () => {
    expect(dateFr('2026-04-01')).toBe('1er avril 2026');
    expect(dateFr('1970-10-25')).toBe('25 octobre 1970');
    expect(dateFr(new Date('2026-03-11T08:00:00Z'))).toBe('11 mars 2026');
    // 11 and 21 are not « 11er »
    expect(dateFr('2026-05-11')).toBe('11 mai 2026');
    expect(dateFr('2026-05-21')).toBe('21 mai 2026');
  });

  it('reads a moment on the Paris clock, whatever the machine’s', () => {
    // 23:30 UTC on 31 March is already 1 April in Paris (summer time, UTC+2)
    expect(dateFr('2026-03-31T23:30:00Z')).toBe('1er avril 2026');
    expect(dateTimeFr('2026-03-31T23:30:00Z')).toBe('1er avril 2026 à 1 h 30');
    expect(dateTimeFr('2026-04-01T12:05:00Z')).toBe('1er avril 2026 à 14 h 05');
    // winter time, UTC+1; midnight is 0 h
    expect(dateTimeFr('2026-01-14T23:00:00Z')).toBe('15 janvier 2026 à 0 h 00');
    expect(dateTimeFr(new Date('2026-02-27T08:30:00Z'))).toBe('27 février 2026 à 9 h 30');
  });

  it('keeps a calendar date on its day in every time zone (taken at noon UTC)', () => {
    expect(dateFr('2008-04-12')).toBe('12 avril 2008');
    expect(dateFr('2026-12-31')).toBe('31 décembre 2026');
  });

  it('shows what is not a date as it is', () => {
    expect(dateFr('bientôt')).toBe('bientôt');
    expect(dateTimeFr('')).toBe('');
    expect(dateFr(new Date(Number.NaN))).toBe('');
  });
});

describe('format: amounts and IBAN', () => {
  it('writes euros the French way, with ordinary spaces', () => {
    expect(euros(2055.68)).toBe('2 055,68 €');
    expect(euros(77.5)).toBe('77,50 €');
    expect(euros(1234567.891)).toBe('1 234 567,89 €');
    expect(euros(-12)).toBe('-12,00 €');
    expect(euros(-0.001)).toBe('0,00 €');
  });

  it('rounds halves away from zero, as the scales are', () => {
    expect(roundCents(1.005)).toBe(1.01);
    expect(roundCents(1163.735)).toBe(1163.74);
    expect(euros(1163.736)).toBe('1 163,74 €');
  });

  it('groups an IBAN by four', () => {
    expect(ibanFr('fr76 3000 6000 0112 3456 7890 189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(ibanFr('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });
});

describe('format: fields read and decision terms', () => {
  it('writes a field read on a paper for people: dates, amounts, IBAN; the rest as read', () => {
    expect(fieldValueFr('birthDate', '1970-10-25')).toBe('25 octobre 1970');
    expect(fieldValueFr('netPay', '2055.68')).toBe('2 055,68 €');
    expect(fieldValueFr('amount_apl', '301.5')).toBe('301,50 €');
    expect(fieldValueFr('referenceIncome', '23456')).toBe('23 456,00 €');
    expect(fieldValueFr('iban', 'FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    // an amount field that was not read as a number stays as it was read
    expect(fieldValueFr('netPay', 'illisible')).toBe('illisible');
    expect(fieldValueFr('surname', 'MARTIN')).toBe('MARTIN');
    expect(fieldValueFr('documentNumber', '123456789012')).toBe('123456789012');
    // sex and nationality as identity papers print them (ICAO 9303), in words
    expect(fieldValueFr('sex', 'F')).toBe('Femme');
    expect(fieldValueFr('sex', 'M')).toBe('Homme');
    expect(fieldValueFr('nationality', 'FRA')).toBe('Française');
    expect(fieldValueFr('nationality', 'DZA')).toBe('Algérienne');
    // a code not in the table, or a misread one, is shown as read rather than guessed
    expect(fieldValueFr('nationality', 'UTO')).toBe('UTO');
    expect(fieldValueFr('sex', 'Q')).toBe('Q');
  });

  it('says what an acceptance grants in one line, either part alone', () => {
    expect(decisionTermsFr({ amountCents: 60775, startDate: '2026-05-01' })).toBe('Montant : 607,75 € par mois, à partir du 1er mai 2026');
    expect(decisionTermsFr({ amountCents: 123456, startDate: null })).toBe('Montant : 1 234,56 € par mois');
    expect(decisionTermsFr({ amountCents: null, startDate: '2026-06-15' })).toBe('À partir du 15 juin 2026');
    expect(decisionTermsFr({ amountCents: null, startDate: null })).toBeNull();
  });
});

describe('format: the day in Paris', () => {
  it('is the Paris calendar day, not the UTC one', () => {
    // 23:30 UTC on 31 December is already the 1st of January in Paris (UTC+1 in winter)
    expect(parisDay(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    // 22:30 UTC on 30 June is 00:30 on 1 July in Paris (UTC+2 in summer)
    expect(parisDay(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(parisDay(new Date('2026-06-30T21:30:00Z'))).toBe('2026-06-30');
  });
});
