/** The extractors of every document type on recognised pages built from text (no image): pure functions. */
import { describe, expect, it } from 'vitest';
import { SAMPLE_CARD_HOLDER, td1, td3 } from '../../../../tests/fixtures/mrz.ts';
import type { MrzPerson } from '../../../../tests/fixtures/mrz.ts';
import { classify } from './classify.ts';
import { alignName } from './identity.ts';
import { extractDocument } from './index.ts';
import { pageFromText } from './page.ts';

const NOW = new Date('2025-06-01T00:00:00Z');

const PERSON: MrzPerson = SAMPLE_CARD_HOLDER;

function card(zone: readonly string[], surname = 'LEFÈVRE', given = 'Hélène, Anne', title = "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD"): string {
  return [
    'RÉPUBLIQUE FRANÇAISE',
    title,
    'NOM / Surname',
    surname,
    'Prénoms / Given names',
    given,
    'SEXE / Sex NATIONALITÉ / Nationality DATE DE NAISS. / Date of birth',
    'F FRA 12 03 1985',
    'N° DU DOCUMENT / Document No',
    'X4RTBPFW4',
    ...zone,
  ].join('\n');
}

describe('identity documents', () => {
  it('take dates, number, nationality and sex from the zone, names as printed', () => {
    const r = extractDocument(pageFromText(card(td1(PERSON)), 0.85), { now: NOW });
    expect(r.docType).toBe('identity-card');
    expect(r.fields).toMatchObject({
      surname: { value: 'LEFÈVRE', valid: true, source: 'ocr' },
      givenNames: { value: 'Hélène, Anne', valid: true },
      birthDate: { value: '1985-03-12', valid: true, source: 'mrz' },
      documentNumber: { value: 'X4RTBPFW4', valid: true, source: 'mrz' },
      expiryDate: { value: '2031-02-11', valid: true },
      nationality: { value: 'FRA', valid: true },
      sex: { value: 'F', valid: true },
    });
    // proven by check digits and agreeing with the print: trusted beyond the OCR confidence
    expect(r.fields.documentNumber!.confidence).toBeGreaterThanOrEqual(0.95);
    expect(r.fields.birthDate!.confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('type passports and residence permits from their zone', () => {
    const passport = extractDocument(pageFromText(card(td3({ ...PERSON, code: 'P<', documentNumber: '18AB12345' }), 'LEFÈVRE', 'Hélène, Anne', 'PASSEPORT / PASSPORT')), { now: NOW });
    expect(passport.docType).toBe('passport');
    expect(passport.fields.documentNumber).toMatchObject({ value: '18AB12345', valid: true });
    const permit = extractDocument(pageFromText(card(td1({ ...PERSON, code: 'IR', nationality: 'SEN' }), 'LEFÈVRE', 'Hélène, Anne', 'TITRE DE SÉJOUR / RESIDENCE PERMIT')), { now: NOW });
    expect(permit.docType).toBe('residence-permit');
    expect(permit.fields.nationality).toMatchObject({ value: 'SEN', valid: true });
  });

  it('flag a wrong check digit: the field is not valid and its confidence drops', () => {
    const r = extractDocument(pageFromText(card(td1(PERSON, 'birth')), 0.9), { now: NOW });
    expect(r.fields.birthDate).toMatchObject({ value: '1985-03-12', valid: false });
    expect(r.fields.birthDate!.confidence).toBeLessThan(0.5);
    // the composite fails too: fields it covers get a lower score, though their own digits hold (whether that
    // is still « sure » is the calibration's to say, from the corpus)
    expect(r.fields.expiryDate!.valid).toBe(true);
    expect(r.fields.expiryDate!.raw).toBeLessThan(0.95);
    expect(r.fields.nationality!.valid).toBe(false);
  });

  it('take word breaks from the zone where OCR lost them, and letters from the print', () => {
    expect(alignName('ELAMRANI', 'EL AMRANI')).toBe('EL AMRANI');
    expect(alignName('GIRAUD-PERRIN', 'GIRAUD PERRIN')).toBe('GIRAUD-PERRIN');
    expect(alignName("D'ARC", 'DARC')).toBe("D'ARC");
    expect(alignName('LEFÈVRE', 'LEFEVRE')).toBe('LEFÈVRE');
    expect(alignName('LEFEBVRE', 'LEFEVRE')).toBeNull();
    const r = extractDocument(pageFromText(card(td1({ ...PERSON, surname: 'EL AMRANI' }), 'ELAMRANI')), { now: NOW });
    expect(r.fields.surname?.value).toBe('EL AMRANI');
  });

  it('keep a printed name that differs slightly from the zone, and ask for a look', () => {
    const r = extractDocument(pageFromText(card(td1(PERSON), 'LEFÈVRE', 'Hélène, Annie'), 0.95), { now: NOW });
    expect(r.fields.givenNames).toMatchObject({ value: 'Hélène, Annie', valid: true });
    expect(r.fields.givenNames!.confidence).toBeLessThanOrEqual(0.7);
  });

  it('without a readable zone, read the printed fields and mark them for checking', () => {
    const r = extractDocument(pageFromText(card([]), 0.95), { now: NOW });
    expect(r.docType).toBe('identity-card');
    expect(r.fields.surname).toMatchObject({ value: 'LEFÈVRE' });
    expect(r.fields.documentNumber).toMatchObject({ value: 'X4RTBPFW4', valid: false });
    // the extractor's own score says « printed only »; the calibration decides from the corpus what that is worth
    for (const f of Object.values(r.fields)) expect(f.raw).toBeLessThanOrEqual(0.6);
  });
});

describe("avis d'impôt", () => {
  const NOTICE = `DIRECTION GÉNÉRALE DES FINANCES PUBLIQUES
AVIS D'IMPÔT 2024
IMPÔT SUR LES REVENUS de l'année 2023
Vos références
Numéro fiscal : 30 23 217 600 053
Référence de l'avis : 24 75 A123456 78
Déclarant 1 : MARTIN CLAIRE
Revenu fiscal de référence : 21 540 €
Nombre de parts : 1,5`;

  it('reads the numéro fiscal (checked), the reference, the year, the RFR and the declarant', () => {
    const r = extractDocument(pageFromText(NOTICE, 0.8));
    expect(r.docType).toBe('tax-notice');
    expect(r.fields).toMatchObject({
      taxNumber: { value: '3023217600053', valid: true },
      noticeReference: { value: '2475A12345678' },
      incomeYear: { value: '2023' },
      referenceIncome: { value: '21540.00' },
      holder: { value: 'MARTIN CLAIRE' },
      parts: { value: '1.50' },
    });
    expect(r.fields.taxNumber!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('reads look-alike letters in the numéro fiscal as digits, and flags a number that fails its key', () => {
    expect(extractDocument(pageFromText(NOTICE.replace('30 23 217 600 053', '3O 23 2I7 6OO O53'))).fields.taxNumber).toMatchObject({ value: '3023217600053', valid: true });
    const bad = extractDocument(pageFromText(NOTICE.replace('053', '054'), 0.9)).fields.taxNumber!;
    expect(bad).toMatchObject({ value: '3023217600054', valid: false });
    expect(bad.confidence).toBeLessThan(0.5);
  });
});

describe('attestation CAF', () => {
  const CAF = `Caisse d'allocations familiales du Rhône
ATTESTATION DE PAIEMENT
N° allocataire : 1234567
Bénéficiaire : Madame Aminata DIALLO
Période : octobre 2024
Prestation Montant
Aide personnalisée au logement (APL) 245,67 €
Prime d'activité 187,00 €
Total des paiements 432,67 €`;

  it('reads the allocataire, the month, one amount per benefit and the total, confirmed by their sum', () => {
    const r = extractDocument(pageFromText(CAF, 0.8));
    expect(r.docType).toBe('caf-certificate');
    expect(r.fields).toMatchObject({
      allocataireNumber: { value: '1234567' },
      holder: { value: 'Madame Aminata DIALLO' },
      period: { value: '2024-10' },
      amount_apl: { value: '245.67', valid: true },
      amount_prime_activite: { value: '187.00', valid: true },
      total: { value: '432.67', valid: true },
    });
    expect(r.fields.amount_apl!.confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('doubts every amount when they do not add up to the total', () => {
    const r = extractDocument(pageFromText(CAF.replace('187,00', '137,00'), 0.8));
    expect(r.fields.amount_prime_activite).toMatchObject({ value: '137.00', valid: false });
    expect(r.fields.total!.valid).toBe(false);
  });
});

describe('justificatif de domicile', () => {
  it('reads a bill: holder, home address (not the supplier’s), date', () => {
    const r = extractDocument(
      pageFromText(`Énergie Verte du Val
Service clients - 14 quai des Turbines - 69002 LYON
FACTURE D'ÉLECTRICITÉ
Facture n° 1234567890
Date de la facture : 12/03/2025
Titulaire du contrat : MME CLAIRE MARTIN
Adresse de consommation : 12 RUE DES LILAS, 75011 PARIS`),
    );
    expect(r.docType).toBe('proof-of-address');
    expect(r.fields).toMatchObject({
      holder: { value: 'MME CLAIRE MARTIN' },
      address: { value: '12 RUE DES LILAS' },
      postcode: { value: '75011', valid: true },
      city: { value: 'PARIS' },
      date: { value: '2025-03-12' },
    });
  });

  it('reads a rent receipt, and falls back to the letter’s recipient block', () => {
    const rent = extractDocument(
      pageFromText(`SCI LES TILLEULS
QUITTANCE DE LOYER
Locataire : M KARIM BENALI
Adresse du logement : 5 IMPASSE DES TILLEULS, 20000 AJACCIO
Fait à PARIS, le 31/03/2025`),
    );
    expect(rent.fields).toMatchObject({ holder: { value: 'M KARIM BENALI' }, postcode: { value: '20000' }, city: { value: 'AJACCIO' }, date: { value: '2025-03-31' } });
    const block = extractDocument(
      pageFromText(`Eaux de la Vallée
FACTURE D'EAU
MME JULIE ROUSSEAU
18 ALLEE DES CERISIERS
67000 STRASBOURG
Date de la facture : 02/01/2024`),
    );
    expect(block.fields).toMatchObject({ address: { value: '18 ALLEE DES CERISIERS' }, postcode: { value: '67000' }, city: { value: 'STRASBOURG' } });
  });

  it('reads the recipient block over a line of complement, and values between box borders', () => {
    const r = extractDocument(
      pageFromText(`FACTURE D'EAU
MME JULIE ROUSSEAU
18 ALLEE DES CERISIERS
Escalier 3, 2e étage
67000 STRASBOURG
Facture du 02/01/2024`),
    );
    expect(r.fields).toMatchObject({ address: { value: '18 ALLEE DES CERISIERS' }, postcode: { value: '67000' }, city: { value: 'STRASBOURG' } });
    // a second street line is not a complement: nothing is guessed
    const two = extractDocument(pageFromText(`FACTURE D'EAU\nMME JULIE ROUSSEAU\n18 ALLEE DES CERISIERS\n4 RUE VERTE\n67000 STRASBOURG`));
    expect(two.fields.address).toBeUndefined();
    const boxed = extractDocument(
      pageFromText(`FACTURE D'ÉLECTRICITÉ
( Titulaire q
| M MATHÉO DA SILVA
| Adresse de fourniture
| 57 QUAI GAMBETTA, 34070 MONTPELLIER |
| Date de facture
| 21 novembre 2023`),
    );
    expect(boxed.fields).toMatchObject({
      holder: { value: 'M MATHÉO DA SILVA' },
      address: { value: '57 QUAI GAMBETTA' },
      postcode: { value: '34070' },
      city: { value: 'MONTPELLIER' },
      date: { value: '2023-11-21' },
    });
  });

  it('puts back the accents of the town and street lost in one of their readings', () => {
    const f = extractDocument(
      pageFromText(`Facture d'électricité
M HERVÉ PAYET
140 bis impasse de l'Église
42000 SAINT-ÉTIENNE
Adresse de l'installation : 140 bis impasse de l'Eglise, 42000 SAINT-ETIENNE`),
    ).fields;
    expect(f).toMatchObject({ address: { value: "140 bis impasse de l'Église" }, city: { value: 'SAINT-ÉTIENNE' } });
  });

  it('keeps the surer of the two readings of the home’s address, doubted when they differ', () => {
    const page = pageFromText(`Facture d'électricité
M. DA SILVA THIERRY
133 rue des Tilleuls
59000 LILLE
Adresse de consommation : 133 rue des Tilleuls, 59000 ULE`);
    // the labelled reading's town is a doubtful word
    page.lines[4]!.words.at(-1)!.confidence = 0.4;
    const f = extractDocument(page).fields;
    expect(f.city?.value).toBe('LILLE');
    expect(f.city!.confidence).toBeLessThan(0.9);
    const agree = extractDocument(pageFromText(page.text.replace('ULE', 'LILLE'), 0.95)).fields;
    expect(agree.city).toMatchObject({ value: 'LILLE' });
    expect(agree.city!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('reads the date of issue under its label, not the period beside it; repaired dates are doubted', () => {
    const grid = (values: string) => extractDocument(pageFromText(`FACTURE D'ÉLECTRICITÉ\nTitulaire : M PAUL MARTIN\nDate d'émission      Période de consommation\n${values}`, 0.95)).fields.date;
    expect(grid('31/12/2023      du 01/11/2023 au 30/11/2023')).toMatchObject({ value: '2023-12-31' });
    // the separators lost: a date still, where the label says one stands, but to be looked at
    const compact = grid('31122023      du 01112023 au 30 112023')!;
    expect(compact.value).toBe('2023-12-31');
    expect(compact.confidence).toBeLessThan(0.9);
    expect(grid('99999999      du 01112023 au 30 112023')).toBeUndefined();
    // a mark glued to the day; the period on the next line is another label's
    const glued = extractDocument(pageFromText(`Facture d'électricité\nFacture du J03- 07- 2024\nPériode de consommation du 01- 06- 2024 au 30- 06- 2024`, 0.95)).fields.date!;
    expect(glued.value).toBe('2024-07-03');
    expect(glued.confidence).toBeLessThan(0.9);
    // « Date » without a colon, on its row or over its value; never « Date limite de paiement »
    const receipt = (rows: string) => extractDocument(pageFromText(`QUITTANCE DE LOYER\nLocataire : M PAUL MARTIN\n${rows}`)).fields.date?.value;
    expect(receipt('Date 08 05 2023\nPériode du 01 04 2023 au 30 04 2023')).toBe('2023-05-08');
    expect(receipt('Date        Période\n08/05/2023  du 01/04/2023 au 30/04/2023')).toBe('2023-05-08');
    expect(receipt('Date limite de paiement 08/05/2023')).toBeUndefined();
    // « Émise le » read as one word
    expect(extractDocument(pageFromText(`Facture Internet\nTitulaire MME ANNE BERNARD\nEmisele 01-06-2023`)).fields.date?.value).toBe('2023-06-01');
    const lost = extractDocument(pageFromText(`Facture d'électricité\nDate de facture\nPériode de consommation du 01-06-2024 au 30-06-2024`)).fields.date;
    expect(lost).toBeUndefined();
  });
});

describe('bulletin de salaire', () => {
  const SLIP = `BULLETIN DE PAIE
Employeur : CLINIQUE DU PARC Salarié : M KARIM BENALI
SIRET : 732 829 320 00074
Période du 01/10/2024 au 31/10/2024
Salaire de base 151,67 2 300,00
Net à payer avant impôt sur le revenu 1 812,34
Net imposable 1 880,10
Impôt sur le revenu prélevé à la source -45,67
NET PAYÉ EN EUROS 1 766,67`;

  it('reads employer, SIRET (Luhn), employee, period, net paid and net taxable', () => {
    const r = extractDocument(pageFromText(SLIP));
    expect(r.docType).toBe('payslip');
    expect(r.fields).toMatchObject({
      employer: { value: 'CLINIQUE DU PARC' },
      siret: { value: '73282932000074', valid: true },
      employee: { value: 'M KARIM BENALI' },
      periodStart: { value: '2024-10-01', valid: true },
      periodEnd: { value: '2024-10-31', valid: true },
      netPay: { value: '1766.67' },
      netTaxable: { value: '1880.10' },
    });
  });

  it('falls back to "net à payer" less the tax withheld and flags a SIRET that fails Luhn', () => {
    const r = extractDocument(pageFromText(SLIP.replace('NET PAYÉ EN EUROS 1 766,67', '').replace('00074', '00075'), 0.9));
    expect(r.fields.netPay?.value).toBe('1766.67');
    expect(r.fields.netPay!.confidence).toBeLessThan(0.5);
    // nothing withheld read: the net before tax, doubtful
    const before = extractDocument(pageFromText(SLIP.replace('NET PAYÉ EN EUROS 1 766,67', '').replace(/Impôt.*\n/, ''), 0.9));
    expect(before.fields.netPay?.value).toBe('1812.34');
    expect(before.fields.netPay!.confidence).toBeLessThan(0.6);
    expect(r.fields.siret).toMatchObject({ value: '73282932000075', valid: false });
    expect(r.fields.siret!.confidence).toBeLessThan(0.5);
  });
});

describe('assurance maladie', () => {
  it('reads the NIR with its key from an attestation de droits', () => {
    const r = extractDocument(
      pageFromText(`l'Assurance Maladie
ATTESTATION DE DROITS
Assuré(e) : MME CLAIRE MARTIN
Numéro de sécurité sociale : 1 89 12 75 125 012 82`),
    );
    expect(r.docType).toBe('health-insurance');
    expect(r.fields).toMatchObject({ nir: { value: '189127512501282', valid: true }, holder: { value: 'MME CLAIRE MARTIN' } });
  });

  it('reads a carte Vitale: the name above the number, Corsica included; a wrong key is flagged', () => {
    const key = String(97n - (BigInt('1850519006084') % 97n)).padStart(2, '0');
    const r = extractDocument(pageFromText(`carte Vitale\nAssurance Maladie\nCLAIRE MARTIN\n1 85 05 2A 006 084 ${key}`));
    expect(r.fields).toMatchObject({ nir: { value: `185052A006084${key}`, valid: true }, holder: { value: 'CLAIRE MARTIN' } });
    const wrong = extractDocument(pageFromText(`carte Vitale\nCLAIRE MARTIN\n1 89 12 75 125 012 83`, 0.9)).fields.nir!;
    expect(wrong).toMatchObject({ value: '189127512501283', valid: false });
    expect(wrong.confidence).toBeLessThan(0.5);
  });
});

describe('classification', () => {
  it.each([
    ["AVIS D'IMPÔT 2024\nRevenu fiscal de référence", 'tax-notice'],
    ["Caisse d'allocations familiales\nATTESTATION DE PAIEMENT\nN° allocataire", 'caf-certificate'],
    ["FACTURE D'EAU\nAdresse de consommation", 'proof-of-address'],
    ['QUITTANCE DE LOYER\nLocataire', 'proof-of-address'],
    // the title lost: the receipt's own sentence and the tenant
    ['Qui tan oye\nLocataire Madame MERCIER Claire\nLe bailleur donne quittance au locataire de la somme ci-dessus', 'proof-of-address'],
    // the title lost: the bank table's heads and the RIB's sentence
    ["Vos coordonnées bancaires\nBanque Guichet Compte Clé\n17515 44381 33433587135 39\nCe relevé est destiné à être remis à vos créanciers", 'rib'],
    ['BULLETIN DE PAIE\nNet à payer', 'payslip'],
    ["ATTESTATION DE DROITS\nl'Assurance Maladie", 'health-insurance'],
    ['carte Vitale\nAssurance Maladie', 'health-insurance'],
    ["CARTE NATIONALE D'IDENTITÉ", 'identity-card'],
    ['PASSEPORT / PASSPORT', 'passport'],
    ['TITRE DE SÉJOUR / RESIDENCE PERMIT', 'residence-permit'],
  ])('%j → %s', (text, type) => {
    expect(classify(text).docType).toBe(type);
  });
});
