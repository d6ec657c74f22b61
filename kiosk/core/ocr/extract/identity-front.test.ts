/** The front of an identity card without its zone, and fillers of a zone misread as letters. */
import { describe, expect, it } from 'vitest';
import { extractDocument } from './index.ts';
import { pageFromText } from './page.ts';
import { readMrz } from './mrz.ts';
import { td1 } from '../../../../tests/fixtures/mrz.ts';

describe('identity card front, no zone', () => {
  it('reads values after inline labels, never the next label line', () => {
    const text = ['RÉPUBLIQUE FRANÇAISE', "CARTE NATIONALE D'IDENTITÉ", 'NOM : TESSIER', 'Prénoms : LOU, ANNE', 'Sexe : F', 'Nationalité : FRANÇAISE', 'Date de naissance : 03-04-1990', 'N° du document : 7XK2PLQ04', "Date d'expiration : 02-05-2033"].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.docType).toBe('identity-card');
    expect(r.fields).toMatchObject({
      surname: { value: 'TESSIER' },
      givenNames: { value: 'LOU, ANNE' },
      sex: { value: 'F' },
      nationality: { value: 'FRA' },
      birthDate: { value: '1990-04-03' },
      documentNumber: { value: '7XK2PLQ04' },
      expiryDate: { value: '2033-05-02' },
    });
  });

  it('reads a bilingual grid of labels over values', () => {
    const text = [
      "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD",
      'NOM / Surname',
      'TESSIER',
      'Prénoms / Given names',
      'Lou',
      'Sexe / Sex          Date de naissance / Date of birth',
      'M                   03.04.1990',
      'Nationalité / Nationality          N° du document / Document No',
      'FRA                                7XK2PLQ04',
    ].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.fields).toMatchObject({ surname: { value: 'TESSIER' }, givenNames: { value: 'Lou' }, sex: { value: 'M' }, nationality: { value: 'FRA' }, documentNumber: { value: '7XK2PLQ04' } });
  });
});

describe('identity card front, what OCR does to small print', () => {
  it('reads « Surname » read « Sumame », a number of letters alone, and dates whose spaces were lost', () => {
    const text = [
      "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD",
      'NOM / Sumame',
      'MICHEL',
      'Sexe / Sex          Date de naissance / Date of birth',
      'F                   15021965',
      'Nationalité / Nationality          N° du document / Document No',
      'Française                          LPMRKTMSC',
      "Date d'expiration / Expiry date",
      '2107 2031',
    ].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.fields).toMatchObject({ surname: { value: 'MICHEL' }, documentNumber: { value: 'LPMRKTMSC' }, birthDate: { value: '1965-02-15' }, expiryDate: { value: '2031-07-21' } });
    // dates mended from their digits alone, never sure
    expect(r.fields.birthDate!.confidence).toBeLessThan(0.6);
    // a word of nine letters not printed in capitals alone is not a number
    const word = extractDocument(pageFromText(["CARTE NATIONALE D'IDENTITÉ", 'NOM : MICHEL', 'N° du document : Documents'].join('\n')));
    expect(word.fields.documentNumber).toBeUndefined();
  });

  it('does not take the label « Sumame » for the surname', () => {
    const r = extractDocument(pageFromText(["CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD", 'NOM / Sumame PETIT', 'Prénoms / Given names : Lou'].join('\n')));
    expect(r.fields.surname).toMatchObject({ value: 'PETIT' });
  });
});

describe('identity card front, dates written with slashes', () => {
  it('reads a date after its inline label even though the date holds the label separator « / »', () => {
    const text = ["CARTE NATIONALE D'IDENTITÉ", 'NOM : RENAUD', 'Date de naissance : 28/05/2003', 'N° du document : 601S9LPC2', "Date d'expiration : 22/11/2032"].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.fields).toMatchObject({ birthDate: { value: '2003-05-28' }, expiryDate: { value: '2032-11-22' } });
  });
});

describe('document number fixed by a guess', () => {
  it('shows a look-alike fix only the check digits support as a reading to confirm', () => {
    const [l1, l2, l3] = td1({ code: 'ID', issuer: 'FRA', documentNumber: 'CH0XKE3KE', birthDate: '1961-05-10', sex: 'M', expiryDate: '2032-10-25', nationality: 'FRA', surname: 'GUERIN', givenNames: ['Pierre'] });
    const r = extractDocument(pageFromText([l1.replace('CH0XKE3KE', 'CHOXKE3KE'), l2, l3].join('\n')));
    expect(r.fields.documentNumber).toMatchObject({ value: 'CH0XKE3KE' });
    expect(r.fields.documentNumber!.confidence).toBeLessThan(0.9);
    // the composite holds once the number is fixed: the fields only it covers are proven
    expect(r.fields.nationality!.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe('document number: print against zone', () => {
  it('a zone number the print shows shifted by one character is not sure, even when its checks hold by chance', () => {
    // as read: a stray « Z » before the number and its last letter lost; the number and the composite check
    const zone = ['IDFRAZ2AWADNWM7<<<<<<<<<<<<<<<', '5912155M2904146FRA<<<<<<<<<<<8', 'PAYET<<FRANCOIS<THEO<<<<<<<<<<'];
    expect(readMrz(zone)).toMatchObject({ composite: true, documentNumber: { value: 'Z2AWADNWM', valid: true } });
    const r = extractDocument(pageFromText(["CARTE NATIONALE D'IDENTITÉ", 'NOM : PAYET', 'N° du document : 2AWADNWMJ', ...zone].join('\n')));
    expect(r.fields.documentNumber!.confidence).toBeLessThan(0.9);
    // one character of difference is a misread print: the zone's checked number stays sure
    const once = extractDocument(pageFromText(["CARTE NATIONALE D'IDENTITÉ", 'NOM : PAYET', 'N° du document : Z2AWADNWN', ...zone].join('\n')));
    expect(once.fields.documentNumber).toMatchObject({ value: 'Z2AWADNWM' });
    expect(once.fields.documentNumber!.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe('printed names against the zone', () => {
  it('sets aside a trailing mark read after the printed surname when the zone has the rest', () => {
    const zone = td1({ code: 'IR', issuer: 'FRA', documentNumber: 'FB8222409', birthDate: '1973-04-15', sex: 'F', expiryDate: '2026-04-10', nationality: 'MAR', surname: 'LE GOFF', givenNames: ['Camille', 'Sophie'] });
    const text = ['TITRE DE SÉJOUR', 'NOM / Surname : LE GOFF a', 'Prénoms / Given names : Camille, Sophie', ...zone].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.fields.surname).toMatchObject({ value: 'LE GOFF', valid: true });
    expect(r.fields.givenNames).toMatchObject({ value: 'Camille, Sophie' });
  });
});

describe('a vowel read with two accents', () => {
  it('keeps one (the acute when it is one of them) and asks the person to look', () => {
    const zone = td1({ code: 'IR', issuer: 'FRA', documentNumber: 'FB8222409', birthDate: '1973-04-15', sex: 'F', expiryDate: '2026-04-10', nationality: 'MAR', surname: 'LEROY', givenNames: ['Noemie', 'Anais'] });
    const r = extractDocument(pageFromText(['TITRE DE SÉJOUR', 'NOM / Surname : LEROY', 'Prénoms / Given names : NOËÉMIE, ANAÏS', ...zone].join('\n')));
    expect(r.fields.givenNames).toMatchObject({ value: 'NOÉMIE, ANAÏS', valid: true });
    expect(r.fields.givenNames!.confidence).toBeLessThan(0.9);
    // a print with one accent per vowel, proven by the zone, is sure
    const plain = extractDocument(pageFromText(['TITRE DE SÉJOUR', 'NOM / Surname : LEROY', 'Prénoms / Given names : NOÉMIE, ANAÏS', ...zone].join('\n')));
    expect(plain.fields.givenNames!.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe('zone fillers read as letters', () => {
  it('drops a K stuck to the last given name where the zone misreads its fillers, keeps real K endings', () => {
    expect(readMrz(['IDFRAN3Z2MYKED4<<<<<<<<<<<<<<<', '6603274M3205024FRA<<<<<<<<<<<0', 'DURAND<<KARIMK<K<K<<<<<<<<<<<<'])?.givenNames).toEqual(['KARIM']);
    expect(readMrz(['IRFRAFB98835418<<<<<<<<<<<<<<<', '7303283M2311229VNM<<<<<<<<<<<0', 'DAVID<<THEOK<<<<<<C<CC<C<<<<<<'])?.givenNames).toEqual(['THEO']);
    expect(readMrz(['IDFRAN3Z2MYKED4<<<<<<<<<<<<<<<', '6603274M3205024FRA<<<<<<<<<<<0', 'DURAND<<ERIK<K<K<<<<<<<<<<<<<<'])?.givenNames).toEqual(['ERIK']);
    // a run of K is never a name's end, misread fillers beside it or not
    expect(readMrz(['IRFRAEA24777511<<<<<<<<<<<<<<<', '6811071M2405078MAR<<<<<<<<<<<0', 'BENOIT<<LOICKK<<<<<<<<<<<<<<<<'])?.givenNames).toEqual(['LOIC']);
    expect(readMrz(['IRFRAEA24777511<<<<<<<<<<<<<<<', '6811071M2405078MAR<<<<<<<<<<<0', 'CARON<<NOELKKK<KK<<<<<<<<<<<<<<'])?.givenNames).toEqual(['NOEL']);
    // without misread fillers nearby a final K is the name's
    expect(readMrz(['IDFRAN3Z2MYKED4<<<<<<<<<<<<<<<', '6603274M3205024FRA<<<<<<<<<<<0', 'DURAND<<KARIMK<<<<<<<<<<<<<<<<'])?.givenNames).toEqual(['KARIMK']);
  });

  it('keeps the double filler between surname and given names when the line is a character too long', () => {
    const m = readMrz(['IDFRA3VYYDAKYB8<<<<<<<<<<<<<<<', '6906090M3406197FRA<<<<<<<<<<<0', 'ROUSSEL<<THIERRY<RAPHAFEL<FRANC']);
    expect(m?.surname).toBe('ROUSSEL');
    expect(m?.givenNames[0]).toBe('THIERRY');
  });

  it('drops a given name made of L, K and I runs', () => {
    const m = readMrz(['P<FRATESSIER<<LOU<KLLLLILLLLLILLLLKL<<<<<<<<<', '18AB123454FRA9004035F3305024<<<<<<<<<<<<<<02']);
    expect(m?.givenNames).toEqual(['LOU']);
  });
});
