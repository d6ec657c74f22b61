import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32, encodeTwoDDoc, hexDate, TEST_CA, TEST_CERT, testAuthorityPublicKey } from '../../../../tests/fixtures/twoddoc.ts';
import { comparable, extractDocument } from './index.ts';
import { pageFromText } from './page.ts';
import { base32Decode, GS, parseTwoDDoc, RS, twoDDocDate, twoDDocFields, TwoDDocError, US, verifyTwoDDoc } from './twoddoc.ts';

const SIG = 'A'.repeat(103); // 64 zero bytes in base32, the length of a P-256 signature

describe('2D-Doc structure', () => {
  it('reads a v04 header, fixed and variable fields, and the signature after US', () => {
    const raw = `DC04FR000001FFFF1FB60401FR432,75${GS}44227801234567845202146MARTIN CLAIRE${GS}4A310720224163198${GS}${US}${SIG}`;
    const d = parseTwoDDoc(raw);
    expect(d.header).toEqual({
      version: 4,
      caId: 'FR00',
      certId: '0001',
      issueDate: null,
      signatureDate: '2022-03-24',
      docType: '04',
      perimeter: '01',
      country: 'FR',
    });
    expect(d.fields).toEqual({ '43': '2,75', '44': '2278012345678', '45': '2021', '46': 'MARTIN CLAIRE', '4A': '31072022', '41': '63198' });
    expect(d.signedData).toBe(raw.slice(0, raw.indexOf(US)));
    expect(d.signature).toMatchObject({ present: true, verified: false, curve: 'P-256' });
    expect(d.signature.reason).toMatch(/certificate 0001 of authority FR00.*not available offline/);
    expect(d.signature.bytes).toHaveLength(64);
  });

  it('reads v02 and v03 headers, a last field without GS, and a truncated field', () => {
    const v3 = parseTwoDDoc(`DC03FR000001123F1636000126FR245700010MLLE/SAMPLE/ANGELA${GS}20${GS}21BAT 2 ETG 3${GS}227 PLACE DES SPECIMENS${GS}23${GS}25METZ${US}${SIG}`);
    expect(v3.header).toMatchObject({ version: 3, issueDate: '2012-10-15', signatureDate: '2015-07-27', docType: '00', perimeter: '01', country: null });
    expect(v3.fields).toMatchObject({ '26': 'FR', '24': '57000', '10': 'MLLE/SAMPLE/ANGELA', '20': '', '22': '7 PLACE DES SPECIMENS', '25': 'METZ' });
    const v2 = parseTwoDDoc(`DC02FR000001123F163601${'10'}M/DUPONT/JEAN${RS}22RUE${US}${SIG}`);
    expect(v2.header).toMatchObject({ version: 2, docType: '01', perimeter: null, country: null });
    expect(v2.truncated).toEqual(['10']);
    expect(v2.fields['22']).toBe('RUE');
  });

  it('converts its dates: hex days since 2000-01-01, FFFF for none', () => {
    expect(twoDDocDate('0000')).toBe('2000-01-01');
    expect(twoDDocDate('1E6D')).toBe('2021-04-29');
    expect(twoDDocDate('FFFF')).toBeNull();
    expect(hexDate('2021-04-29')).toBe('1E6D');
    expect(() => twoDDocDate('12G4')).toThrow(TwoDDocError);
  });

  it('decodes base32 as the signature is written', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    expect(base32Decode(base32(bytes))).toEqual(bytes);
    expect(() => base32Decode('ABC1')).toThrow(TwoDDocError);
  });

  it.each([
    ['an empty string', ''],
    ['another barcode', 'https://example.org/ticket/42'],
    ['an unsupported version', `DC01FR000001FFFF1FB604${'01'}X${US}${SIG}`],
    ['binary content', `DC04FR000001FFFF1FB60401FR\u00e9\u0001${US}${SIG}`],
    ['a header cut short', 'DC04FR0000'],
    ['a header with a separator in it', `DC04FR00${GS}001FFFF1FB60401FR41123`],
    ['a bad date', 'DC04FR000001FFFFZZZZ0401FR41123'],
    ['no field', `DC04FR000001FFFF1FB60401FR${US}${SIG}`],
    ['a fixed-length field cut short', `DC04FR000001FFFF1FB60401FR44123${GS}${US}${SIG}`],
    ['a repeated identifier', `DC04FR000001FFFF1FB60401FR411${GS}412${GS}${US}${SIG}`],
    ['a lower-case identifier', `DC04FR000001FFFF1FB60401FRa1123${US}${SIG}`],
    ['a signature that is not base32', `DC04FR000001FFFF1FB60401FR41123${GS}${US}not base32!`],
    ['a signature of the wrong length', `DC04FR000001FFFF1FB60401FR41123${GS}${US}AAAA`],
    ['something huge', `DC04FR000001FFFF1FB60401FR41${'1'.repeat(3000)}`],
    ['a field longer than a result may carry', `DC04FR000001FFFF1FB60401FR41${'1'.repeat(600)}${GS}${US}${SIG}`],
    ['too many fields', `DC04FR000001FFFF1FB60401FR${Array.from({ length: 70 }, (_, i) => `${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(i / 36) + 6]}${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i % 36]}1${GS}`).join('')}${US}${SIG}`],
  ])('refuses %s with a TwoDDocError', (_name, raw) => {
    expect(() => parseTwoDDoc(raw)).toThrow(TwoDDocError);
  });
});

describe('2D-Doc signature', () => {
  const spec = {
    docType: '01',
    issueDate: '2025-03-12',
    signatureDate: '2025-03-12',
    fields: [
      ['26', 'FR'],
      ['24', '75011'],
      ['10', 'MME/MARTIN/CLAIRE'],
      ['22', '12 RUE DES LILAS'],
      ['25', 'PARIS'],
    ] as const,
  };

  it("holds with the issuing authority's key (the test authority here), and is never verified without it", () => {
    const d = parseTwoDDoc(encodeTwoDDoc(spec));
    expect(d.header).toMatchObject({ caId: TEST_CA, certId: TEST_CERT });
    expect(d.signature.verified).toBe(false);
    expect(verifyTwoDDoc(d, testAuthorityPublicKey()).signature).toMatchObject({ verified: true });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyTwoDDoc(d, other).signature).toMatchObject({ verified: false, reason: 'signature does not match the supplied key' });
  });

  it('fails for data changed after signing', () => {
    const d = parseTwoDDoc(encodeTwoDDoc(spec, { tamper: true }));
    expect(d.fields['25']).toBe('PARIT');
    expect(verifyTwoDDoc(d, testAuthorityPublicKey()).signature.verified).toBe(false);
  });
});

describe('2D-Doc fields for the platform', () => {
  it('maps a justificatif de domicile (00/01): holder, address, postcode, city, date', () => {
    const d = parseTwoDDoc(
      encodeTwoDDoc({ docType: '01', issueDate: '2025-03-12', signatureDate: '2025-03-12', fields: [['26', 'FR'], ['24', '75011'], ['10', 'MME/MARTIN/CLAIRE'], ['22', '12 RUE DES LILAS'], ['25', 'PARIS']] }),
    );
    const r = twoDDocFields(d)!;
    expect(r.docType).toBe('proof-of-address');
    expect(r.fields).toEqual({
      holder: { value: 'MME CLAIRE MARTIN', confidence: 1, valid: true, source: '2d-doc' },
      address: { value: '12 RUE DES LILAS', confidence: 1, valid: true, source: '2d-doc' },
      postcode: { value: '75011', confidence: 1, valid: true, source: '2d-doc' },
      city: { value: 'PARIS', confidence: 1, valid: true, source: '2d-doc' },
      date: { value: '2025-03-12', confidence: 1, valid: true, source: '2d-doc' },
    });
  });

  it('maps an avis d’impôt (04), checking the numéro fiscal', () => {
    const fields = [['43', '1,5'], ['44', '2475A12345678'], ['45', '2023'], ['46', 'MARTIN CLAIRE'], ['41', '21540'], ['47', '3023217600053']] as const;
    const r = twoDDocFields(parseTwoDDoc(encodeTwoDDoc({ docType: '04', issueDate: null, signatureDate: '2024-07-31', fields })))!;
    expect(r.docType).toBe('tax-notice');
    expect(r.fields).toMatchObject({
      taxNumber: { value: '3023217600053', valid: true, confidence: 1 },
      noticeReference: { value: '2475A12345678', valid: true },
      incomeYear: { value: '2023' },
      referenceIncome: { value: '21540.00' },
      holder: { value: 'MARTIN CLAIRE' },
      parts: { value: '1.50' },
    });
    const bad = twoDDocFields(parseTwoDDoc(encodeTwoDDoc({ docType: '04', issueDate: null, signatureDate: '2024-07-31', fields: [['47', '3023217600054']] })))!;
    expect(bad.fields.taxNumber).toMatchObject({ value: '3023217600054', valid: false, confidence: 1 });
  });

  it('maps a bulletin de salaire (06): employee, SIRET with Luhn, period, net taxable pay', () => {
    const fields = [['10', 'M/BENALI/KARIM'], ['50', '73282932000074'], ['53', hexDate('2024-10-01')], ['54', hexDate('2024-10-31')], ['55', '15032012'], ['58', '1812,34']] as const;
    const r = twoDDocFields(parseTwoDDoc(encodeTwoDDoc({ docType: '06', issueDate: '2024-10-31', signatureDate: '2024-10-31', fields })))!;
    expect(r.docType).toBe('payslip');
    expect(r.fields).toMatchObject({
      employee: { value: 'M KARIM BENALI' },
      siret: { value: '73282932000074', valid: true },
      periodStart: { value: '2024-10-01' },
      periodEnd: { value: '2024-10-31' },
      contractStart: { value: '2012-03-15' },
      netTaxable: { value: '1812.34' },
    });
  });

  it('gives nothing for types the platform does not extract', () => {
    expect(twoDDocFields(parseTwoDDoc(`DC04FR000001FFFF1FB6B201FRF0DUPONT${GS}${US}${SIG}`))).toBeNull();
  });

  it('is preferred to the printed text, and a printed value that differs is reported', () => {
    const code = parseTwoDDoc(
      encodeTwoDDoc({ docType: '01', issueDate: '2025-03-12', signatureDate: '2025-03-12', fields: [['26', 'FR'], ['24', '75011'], ['10', 'MME/MARTIN/CLAIRE'], ['22', '12 RUE DES LILAS'], ['25', 'PARIS']] }),
    );
    const printed = pageFromText(
      "FACTURE D'ÉLECTRICITÉ\nDate de la facture : 12/03/2025\nTitulaire du contrat : MME CLAIRE MARTIN\nAdresse de consommation : 14 RUE DES LILAS, 75011 PARIS",
    );
    const r = extractDocument(printed, { twoDDoc: code, twoDDocUse: 'trusted' });
    expect(r.docType).toBe('proof-of-address');
    expect(r.fields.address).toMatchObject({ value: '12 RUE DES LILAS', confidence: 1, source: '2d-doc' });
    expect(r.fields.holder?.source).toBe('2d-doc');
    expect(r.twoDDocMismatches).toEqual(['address']);
    expect(r.twoDDocCrossCheck).toEqual([
      { name: 'holder', agreement: 'agrees' },
      { name: 'address', agreement: 'disagrees' },
      { name: 'postcode', agreement: 'agrees' },
      { name: 'city', agreement: 'agrees' },
      { name: 'date', agreement: 'agrees' },
    ]);
    // a code this kiosk cannot check: its value is taken, but where the print differs the field is doubtful
    const unverified = extractDocument(printed, { twoDDoc: code });
    expect(unverified.fields.address).toMatchObject({ value: '12 RUE DES LILAS', confidence: 0.6, source: '2d-doc' });
    expect(unverified.fields.city).toMatchObject({ value: 'PARIS', confidence: 1 });
    // a code whose signature fails is worth nothing: the printed text is what is read
    const refused = extractDocument(printed, { twoDDoc: code, twoDDocUse: 'refused' });
    expect(refused.docType).toBe('proof-of-address');
    expect(refused.fields.address).toMatchObject({ value: '14 RUE DES LILAS', source: 'ocr' });
    expect(refused.twoDDocMismatches).toEqual(['address']);
    // without the code, the printed (altered) address is what OCR reads
    expect(extractDocument(printed).fields.address?.value).toBe('14 RUE DES LILAS');
  });
});

describe('2D-Doc against the printed text', () => {
  const fields = [['43', '1,5'], ['44', '2475A12345678'], ['45', '2023'], ['46', 'MARTIN CLAIRE'], ['41', '21540'], ['47', '3023217600053']] as const;
  const code = parseTwoDDoc(encodeTwoDDoc({ docType: '04', issueDate: null, signatureDate: '2024-07-31', fields }));
  const notice = (rfr: string, holder = 'MME CLAIRE MARTIN', year = '2023') =>
    pageFromText(
      [
        'DIRECTION GÉNÉRALE DES FINANCES PUBLIQUES',
        `AVIS D'IMPÔT 2024`,
        `IMPÔT SUR LES REVENUS de l'année ${year}`,
        'Numéro fiscal : 30 23 217 600 053',
        "Référence de l'avis : 24 75 A123456 78",
        `Déclarant 1 : ${holder}`,
        `Revenu fiscal de référence : ${rfr} €`,
        'Nombre de parts : 1,5',
      ].join('\n'),
    );
  const agreement = (r: ReturnType<typeof extractDocument>, name: string) => r.twoDDocCrossCheck?.find((c) => c.name === name)?.agreement;

  it('agrees across accents, case, civility, word order, spaces in numbers and amounts', () => {
    const r = extractDocument(notice('21 540'), { twoDDoc: code, twoDDocUse: 'trusted' });
    expect(r.docType).toBe('tax-notice');
    for (const name of ['holder', 'referenceIncome', 'incomeYear', 'taxNumber', 'noticeReference', 'parts']) expect(agreement(r, name), name).toBe('agrees');
    expect(r.twoDDocMismatches).toEqual([]);
  });

  it('says which field disagrees: the reference income, the name, the year', () => {
    const r = extractDocument(notice('12 540', 'MME CLAIRE DURAND', '2022'), { twoDDoc: code, twoDDocUse: 'trusted' });
    expect(r.twoDDocMismatches?.sort()).toEqual(['holder', 'incomeYear', 'referenceIncome']);
    // the verified code's values are the ones kept
    expect(r.fields.referenceIncome).toMatchObject({ value: '21540.00', confidence: 1, source: '2d-doc' });
  });

  it('says what the print does not show', () => {
    const r = extractDocument(pageFromText("AVIS D'IMPÔT 2024\nIMPÔT SUR LES REVENUS"), { twoDDoc: code, twoDDocUse: 'trusted' });
    expect(agreement(r, 'referenceIncome')).toBe('not-printed');
  });

  it('normalises each kind of field before comparing', () => {
    expect(comparable('holder', 'M. Jean-Pierre DUPONT')).toBe(comparable('holder', 'DUPONT JEAN PIERRE'));
    expect(comparable('holder', 'MME HÉLÈNE MARTIN')).toBe(comparable('holder', 'MARTIN HELENE'));
    expect(comparable('holder', 'MARTIN CLAIRE')).not.toBe(comparable('holder', 'MARTIN CLAIRE ANNE'));
    expect(comparable('referenceIncome', '21 540,00 €')).toBe('21540.00');
    expect(comparable('referenceIncome', '21540.00')).toBe('21540.00');
    expect(comparable('parts', '1,5')).toBe('1.50');
    expect(comparable('taxNumber', '30 23 217 600 053')).toBe('3023217600053');
    expect(comparable('address', '12, rue des Lilas')).toBe('12 RUE DES LILAS');
    expect(comparable('city', 'Saint-Étienne')).toBe('SAINT ETIENNE');
  });
});

describe('2D-Doc hostile input', () => {
  it.each([
    ['an oversized code', `DC04FR99TS01FFFF1FB60401FR41${'1'.repeat(5000)}`],
    ['bad base32', `DC04FR99TS01FFFF1FB60401FR41123${GS}${US}${'1'.repeat(103)}`],
    ['a truncated signature', `DC04FR99TS01FFFF1FB60401FR41123${GS}${US}${SIG.slice(0, 90)}`],
    ['NUL bytes', `DC04FR99TS01FFFF1FB60401FR41\u0000${US}${SIG}`],
  ])('refuses %s with a TwoDDocError', (_name, raw) => {
    expect(() => parseTwoDDoc(raw)).toThrow(TwoDDocError);
  });
});
