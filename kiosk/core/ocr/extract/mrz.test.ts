import { describe, expect, it } from 'vitest';
import type { BrokenCheck, MrzPerson } from '../../../../tests/fixtures/mrz.ts';
import { SAMPLE_CARD_HOLDER, td1, td3 } from '../../../../tests/fixtures/mrz.ts';
import { combineReadings, looksLikeMrzLine, mrzRegion, readMrz } from './mrz.ts';
import { pageFromText } from './page.ts';

const NOW = new Date('2025-06-01T00:00:00Z');

const CARD: MrzPerson = SAMPLE_CARD_HOLDER;

const PASSPORT: MrzPerson = { ...CARD, code: 'P<', documentNumber: '18AB12345', surname: 'GIRAUD-PERRIN', givenNames: ['Zoé'], sex: 'F' };

describe('TD1 (identity card, residence permit)', () => {
  it('reads the ICAO specimen with every check', () => {
    const r = readMrz(['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'], { now: NOW })!;
    expect(r).toMatchObject({ format: 'TD1', documentCode: 'I', issuer: 'UTO', surname: 'ERIKSSON', givenNames: ['ANNA', 'MARIA'], composite: true });
    expect(r.documentNumber).toMatchObject({ value: 'D23145890', valid: true, corrections: 0 });
    expect(r.birthDate).toMatchObject({ value: '1974-08-12', valid: true });
    expect(r.expiryDate).toMatchObject({ value: '2012-04-15', valid: true });
    expect(r.sex.value).toBe('F');
    expect(r.nationality).toMatchObject({ value: 'UTO', valid: true });
  });

  it('reads a generated card: names without accents, hyphens and spaces as fillers', () => {
    const r = readMrz(td1(CARD), { now: NOW })!;
    expect(r.documentCode).toBe('ID');
    expect(r.surname).toBe('LEFEVRE');
    expect(r.givenNames).toEqual(['HELENE', 'ANNE']);
    expect(r.documentNumber).toMatchObject({ value: 'X4RTBPFW4', valid: true });
    expect(r.birthDate.value).toBe('1985-03-12');
    expect(r.expiryDate.value).toBe('2031-02-11');
    expect(r.composite).toBe(true);
    const hyphen = readMrz(td1({ ...CARD, surname: 'GIRAUD-PERRIN', givenNames: ['Zoé'] }), { now: NOW })!;
    expect(hyphen.surname).toBe('GIRAUD PERRIN');
    expect(hyphen.givenNames).toEqual(['ZOE']);
  });

  it.each<[BrokenCheck, 'documentNumber' | 'birthDate' | 'expiryDate']>([
    ['document', 'documentNumber'],
    ['birth', 'birthDate'],
    ['expiry', 'expiryDate'],
  ])('a wrong %s check digit makes that field invalid, and the composite fails', (broken, field) => {
    const r = readMrz(td1(CARD, broken), { now: NOW })!;
    expect(r[field].valid).toBe(false);
    expect(r.composite).toBe(false);
    for (const other of ['documentNumber', 'birthDate', 'expiryDate'] as const) if (other !== field) expect(r[other].valid).toBe(true);
  });

  it('a wrong composite alone invalidates what only it covers', () => {
    const r = readMrz(td1(CARD, 'composite'), { now: NOW })!;
    expect(r.composite).toBe(false);
    expect(r.documentNumber.valid && r.birthDate.valid && r.expiryDate.valid).toBe(true);
    expect(r.nationality.valid).toBe(false);
    expect(r.optionalData.valid).toBe(false);
  });

  it('survives what OCR does to a zone: fillers as K/L/«, O for 0 in digits, dropped fillers, a stray edge mark', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'H0NW03C0M' });
    const noisy = [
      `T${l1.replace(/<{4}$/, '')}`, // stray mark from the card edge, missing fillers
      l2.replace('0', 'O').replace(/<<<</, 'KLLK'), // O for a 0 in the birth date, fillers misread
      l3.replace(/<<<<<<</, '«<<LLL'),
    ];
    const r = readMrz(noisy, { now: NOW })!;
    expect(r.birthDate.valid).toBe(true);
    expect(r.expiryDate.valid).toBe(true);
    expect(r.surname).toBe('LEFEVRE');
    expect(r.givenNames).toEqual(['HELENE', 'ANNE']);
    expect(r.documentNumber).toMatchObject({ value: 'H0NW03C0M', valid: true });
  });

  it('corrects look-alikes in the document number only when the printed number explains the fix', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'H0NW03C0M' });
    const misread = l1.replace('H0NW03C0M', 'HONWO3COM');
    // Alone, three fixes that satisfy the check digit are too many to guess: the reading stays, refuted.
    const alone = readMrz([misread, l2, l3], { now: NOW })!;
    expect(alone.documentNumber).toMatchObject({ value: 'HONWO3COM', valid: false });
    const helped = readMrz([misread, l2, l3], { now: NOW, printedNumber: 'HONW03C0M' })!;
    expect(helped.documentNumber).toMatchObject({ value: 'H0NW03C0M', valid: true, ambiguous: false });
    expect(helped.documentNumber.guessed).toBeUndefined();
    // a real misreading (not a look-alike) is never proven by a look-alike swap: at best a guess
    const wrong = readMrz([l1.replace('H0NW03C0M', 'H0NW03C0X'), l2, l3], { now: NOW })!;
    expect(wrong.documentNumber.valid === false || wrong.documentNumber.guessed === true).toBe(true);
  });

  it('guesses a small look-alike fix the check digit and the composite support, and says it is a guess', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'CH0XKE3KE' });
    const r = readMrz([l1.replace('CH0XKE3KE', 'CHOXKE3KE'), l2, l3], { now: NOW })!;
    expect(r.documentNumber).toMatchObject({ value: 'CH0XKE3KE', valid: true, guessed: true });
    expect(r.composite).toBe(true);
    // the number read right and its check digit misread: every fix leaves the composite off, none is guessed
    const digit = l1[14]!;
    const badCheck = `${l1.slice(0, 14)}${(Number(digit) + 1) % 10}${l1.slice(15)}`;
    const refuted = readMrz([badCheck, l2, l3], { now: NOW })!;
    expect(refuted.documentNumber).toMatchObject({ value: 'CH0XKE3KE', valid: false });
  });

  it('takes out a character read twice inside the number, and a stray mark among the fillers', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'E5BU1T2D2' });
    // « 1 » read « I1 », a filler read K and a mark among the fillers: the line is two characters too long
    const noisy = `${l1.replace('E5BU1T2D2', 'E5BUI1T2D2').slice(0, 16)}K<<<<<<<<<A<<<<<`;
    const r = readMrz([noisy, l2, l3], { now: NOW })!;
    expect(r.documentNumber).toMatchObject({ value: 'E5BU1T2D2', valid: true, guessed: true });
    expect(r.composite).toBe(true);
    // with the printed number the same fix is confirmed
    const printed = readMrz([noisy, l2, l3], { now: NOW, printedNumber: 'E5BU1T2D2' })!;
    expect(printed.documentNumber).toMatchObject({ value: 'E5BU1T2D2', valid: true });
    expect(printed.documentNumber.guessed).toBeUndefined();
  });

  it('a stray character that shifts the number so it checks by chance: the composite refutes it, the person settles which', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'X4RTBPFW4' });
    // « XA4RTBPFW » happens to check with the number's last character as its check digit
    const noisy = `${l1.slice(0, 6)}A${l1.slice(6)}`;
    expect(noisy.slice(5, 15)).toBe('XA4RTBPFW4');
    const r = readMrz([noisy, l2, l3], { now: NOW })!;
    expect(r.documentNumber).toMatchObject({ value: 'X4RTBPFW4', valid: true, guessed: true, ambiguous: true });
    // with the printed number the same reading is settled
    const printed = readMrz([noisy, l2, l3], { now: NOW, printedNumber: 'X4RTBPFW4' })!;
    expect(printed.documentNumber).toMatchObject({ value: 'X4RTBPFW4', valid: true, ambiguous: false });
    expect(printed.documentNumber.guessed).toBeUndefined();
  });

  it('takes out a character read twice in the second line, where the dates and the nationality checks tell', () => {
    const [l1, l2, l3] = td1({ ...CARD, nationality: 'MLI', expiryDate: '2034-10-06' });
    // the expiry's check digit read twice (« 66 ») shifts the nationality: « 6OMLI »
    const shifted = `${l2.slice(0, 15)}${l2[14]}${l2.slice(15)}`;
    const r = readMrz([l1, shifted, l3], { now: NOW })!;
    expect(r.expiryDate).toMatchObject({ value: '2034-10-06', valid: true });
    expect(r.nationality).toMatchObject({ value: 'MLI', valid: true });
    expect(r.composite).toBe(true);
  });

  it('combines two readings of one zone: each field from the reading its check proves, fillers over misread ones', () => {
    const [l1, l2, l3] = td1({ ...CARD, documentNumber: 'FB0198687', surname: 'DURAND', givenNames: ['Karim'] });
    const pass = readMrz([l1.replace('FB0198687', 'FB01986B7'), l2, l3.replace('KARIM<<<<<<<', 'KARIMK<K<K<<')], { now: NOW })!;
    const page = readMrz([l1, l2, l3.replace('KARIM<<<<<', 'KARIM<<K<<')], { now: NOW })!;
    const both = combineReadings(pass, page);
    expect(both.documentNumber).toMatchObject({ value: 'FB0198687', valid: true });
    expect(both.givenNames).toEqual(['KARIM']);
    expect(both.composite).toBe(true);
  });

  it('a composite that holds while the number’s own check fails proves nothing (two misreadings cancelling)', () => {
    const [l1, l2, l3] = td1(CARD);
    // one digit of the number read one higher, and a mark read as « 9 » where the composite weighs it to cancel
    const misread = `${l1.slice(0, 6)}5${l1.slice(7, 15)}9${l1.slice(16)}`;
    expect(misread.slice(5, 16)).toBe('X5RTBPFW469');
    const r = readMrz([misread, l2, l3], { now: NOW })!;
    expect(r.documentNumber.valid === false || r.documentNumber.guessed === true).toBe(true);
    expect(r.composite).toBe(false);
    expect(r.nationality.valid).toBe(false);
  });

  it('reads a document number longer than 9 characters from the optional data', () => {
    const long = { ...CARD, code: 'IR', documentNumber: 'AB12345678901' };
    const lines = td1(long);
    expect(lines[0][14]).toBe('<');
    const r = readMrz(lines, { now: NOW })!;
    expect(r.documentNumber).toMatchObject({ value: 'AB12345678901', valid: true });
    expect(r.composite).toBe(true);
    expect(r.documentCode).toBe('IR');
  });

  it('puts two-digit years in the right century', () => {
    const young = readMrz(td1({ ...CARD, birthDate: '2008-01-02', expiryDate: '2034-01-01' }), { now: NOW })!;
    expect(young.birthDate.value).toBe('2008-01-02');
    const old = readMrz(td1({ ...CARD, birthDate: '1931-12-31' }), { now: NOW })!;
    expect(old.birthDate.value).toBe('1931-12-31');
  });
});

describe('TD3 (passport)', () => {
  it('reads the ICAO specimen, personal number and its check digit included', () => {
    const r = readMrz(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'], { now: NOW })!;
    expect(r).toMatchObject({ format: 'TD3', documentCode: 'P', issuer: 'UTO', surname: 'ERIKSSON', givenNames: ['ANNA', 'MARIA'], composite: true });
    expect(r.documentNumber).toMatchObject({ value: 'L898902C3', valid: true });
    expect(r.optionalData).toMatchObject({ value: 'ZE184226B', valid: true });
    expect(r.birthDate.value).toBe('1974-08-12');
    expect(r.expiryDate.value).toBe('2012-04-15');
  });

  it('reads a generated passport, and flags each broken check digit', () => {
    const ok = readMrz(td3(PASSPORT), { now: NOW })!;
    expect(ok).toMatchObject({ surname: 'GIRAUD PERRIN', givenNames: ['ZOE'], composite: true });
    expect(ok.documentNumber).toMatchObject({ value: '18AB12345', valid: true });
    expect(readMrz(td3(PASSPORT, 'document'), { now: NOW })!.documentNumber.valid).toBe(false);
    expect(readMrz(td3(PASSPORT, 'birth'), { now: NOW })!.birthDate.valid).toBe(false);
    expect(readMrz(td3(PASSPORT, 'expiry'), { now: NOW })!.expiryDate.valid).toBe(false);
    const personal = readMrz(td3({ ...PASSPORT, optional1: '12345ABC' }, 'optional'), { now: NOW })!;
    expect(personal.optionalData.valid).toBe(false);
    expect(personal.documentNumber.valid).toBe(true);
    expect(readMrz(td3(PASSPORT, 'composite'), { now: NOW })!.composite).toBe(false);
  });

  it('puts digits and letters in place in a French passport number (two digits, two letters, five digits)', () => {
    const [l1, l2] = td3({ ...PASSPORT, documentNumber: '10AB10345' });
    const r = readMrz([l1, l2.replace('10AB10345', 'IOAB1O345')], { now: NOW })!;
    expect(r.documentNumber).toMatchObject({ value: '10AB10345', valid: true });
    expect(r.documentNumber.guessed).toBeUndefined();
    // another issuer's number has no known shape: the same fix is only a guess
    const [m1, m2] = td3({ ...PASSPORT, issuer: 'UTO', nationality: 'UTO', documentNumber: '10AB10345' });
    const other = readMrz([m1, m2.replace('10AB10345', 'IOAB1O345')], { now: NOW })!;
    expect(other.documentNumber.guessed === true || other.documentNumber.valid === false).toBe(true);
  });

  it('reads a passport zone whose fillers OCR misread or dropped', () => {
    const [l1, l2] = td3(PASSPORT);
    const r = readMrz([l1.replace(/<{10}$/, 'CCCCCCCC'), l2.replace('<<<<<<<<<<<<<<', '<<<<<<<<<<<')], { now: NOW })!;
    expect(r.composite).toBe(true);
    expect(r.surname).toBe('GIRAUD PERRIN');
    expect(r.givenNames).toEqual(['ZOE']);
  });
});

describe('finding the zone', () => {
  it('ignores ordinary text, even upper-case lines that start like a document code', () => {
    expect(readMrz(['CARTE DE SEJOUR TEMPORAIRE', 'N° DU TITRE / Permit No VALABLE JUSQU AU', 'PERIODE DU 01/10/2024 AU 31/10/2024'])).toBeNull();
    expect(looksLikeMrzLine('CARTE DE SEJOUR PLURIANNUELLE')).toBe(false);
    expect(looksLikeMrzLine('IDFRAX4RTBPFW45<<<<<<<<<<<<<<<')).toBe(true);
  });

  it('finds the zone below the printed fields, and its region for a second reading', () => {
    const zone = td1(CARD);
    const text = ['CARTE NATIONALE D’IDENTITÉ', 'NOM / Surname', 'LEFÈVRE', 'ADRESSE / Address', '12 RUE DES LILAS', ...zone].join('\n');
    const r = readMrz(text.split('\n'), { now: NOW })!;
    expect(r.firstLine).toBe(5);
    const region = mrzRegion(pageFromText(text), 1000, 1000)!;
    // pageFromText puts line i at y = 30 i: the region spans the zone's three lines and a margin
    expect(region.top).toBeLessThanOrEqual(150);
    expect(region.top + region.height).toBeGreaterThanOrEqual(7 * 30 + 20);
    expect(mrzRegion(pageFromText('IBAN FR76 3000 6000 0112 3456 7890 189'), 1000, 1000)).toBeNull();
  });
});
