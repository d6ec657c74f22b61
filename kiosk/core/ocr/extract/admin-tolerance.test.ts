/**
 * Payslips, tax notices and CAF attestations as noisy pictures read them: labels one letter off, values
 * whose label was lost, separators dropped. What a looser rule finds gets a lower score: the extractor's own
 * (`raw`), which the calibration then maps per family (calibration.ts).
 */
import { describe, expect, it } from 'vitest';
import { extractDocument } from './index.ts';
import { looseMonth, oneOff } from './labels.ts';
import { pageFromText } from './page.ts';
import { unglueCivility } from './person.ts';

describe('one letter off', () => {
  it('matches a word with one letter changed, lost or added, and not two', () => {
    const re = new RegExp(`^${oneOff('PERIODE')}$`);
    for (const w of ['PERIODE', 'PEIODE', 'PERLODE', 'PERIIODE']) expect(w).toMatch(re);
    for (const w of ['PEIOOE', 'PERIODES2', 'SALAIRE']) expect(w).not.toMatch(re);
  });

  it('reads a month whose name lost a letter, never « mais » for « mars »', () => {
    expect(looseMonth('aoû 2023')?.ym).toBe('2023-08');
    expect(looseMonth('Fevrler 2024')?.ym).toBe('2024-02');
    expect(looseMonth('mais 2024')).toBeNull();
  });
});

describe('bulletin de salaire, noisy', () => {
  const SLIP = `SAS Exemple BULLETIN DE PAIE
12 rue des Lilas
75011 PARIS
Mme DURAND Sophie
4 avenue Foch
69001 LYON
SIRET 732 829 320 00074
Salarié(e) Mme DURAND Sophie
Période du 01/10/2024 au 31/10/2024
Net à payer avant impôt sur le revenu 1 812,34
Impôt sur le revenu prélevé à la source 2,50 -45,67
Net imposable 1 880,10
Net payé 1 766,67`;

  it('confirms the net paid when it is the net before tax less the tax withheld', () => {
    const r = extractDocument(pageFromText(SLIP, 0.8));
    expect(r.fields.netPay).toMatchObject({ value: '1766.67' });
    expect(r.fields.netPay!.raw).toBeGreaterThanOrEqual(0.95);
    const other = extractDocument(pageFromText(SLIP.replace('1 766,67', '1 700,00'), 0.8));
    expect(other.fields.netPay!.raw).toBe(0.8);
  });

  it('takes the net before tax less the tax withheld when the net paid row is unreadable but its figure printed', () => {
    const r = extractDocument(pageFromText(SLIP.replace('Net payé 1 766,67', 're re - Ea 7\n1766.67 |'), 0.9));
    expect(r.fields.netPay).toMatchObject({ value: '1766.67' });
    expect(r.fields.netPay!.raw).toBeLessThan(0.9);
    // the difference printed nowhere: still the likeliest net paid, but only a guess
    const none = extractDocument(pageFromText(SLIP.replace('Net payé 1 766,67', ''), 0.9));
    expect(none.fields.netPay).toMatchObject({ value: '1766.67' });
    expect(none.fields.netPay!.raw).toBeLessThan(0.5);
  });

  it('reads a period under a label one letter off, dates without separators, a month missing a letter', () => {
    const r = extractDocument(pageFromText(SLIP.replace('Période du 01/10/2024 au 31/10/2024', 'peiode du bulletin du 01102024 au 31 10 2024 |'), 0.9));
    expect(r.fields).toMatchObject({ periodStart: { value: '2024-10-01' }, periodEnd: { value: '2024-10-31' } });
    expect(r.fields.periodStart!.raw).toBeLessThan(0.9);
    const m = extractDocument(pageFromText(SLIP.replace('Période du 01/10/2024 au 31/10/2024', 'Période de paie | aoû 2023 t'), 0.9));
    expect(m.fields).toMatchObject({ periodStart: { value: '2023-08-01' }, periodEnd: { value: '2023-08-31' } });
    expect(m.fields.periodStart!.raw).toBeLessThan(0.9);
  });

  it('reads the net taxable under a label misread by a letter or cut short', () => {
    for (const label of ['Sataire net imposabte', '[Net fisc']) {
      const r = extractDocument(pageFromText(SLIP.replace('Net imposable', label), 0.9));
      expect(r.fields.netTaxable).toMatchObject({ value: '1880.10' });
      expect(r.fields.netTaxable!.raw).toBeLessThan(0.9);
    }
  });

  it('takes the one number that passes the SIRET check when its label was lost, with a lower confidence', () => {
    const r = extractDocument(pageFromText(SLIP.replace('SIRET 732', 'neser 732'), 0.95));
    expect(r.fields.siret).toMatchObject({ value: '73282932000074', valid: true });
    expect(r.fields.siret!.raw).toBeLessThan(0.9);
    // a number that fails the check is not taken without its label
    expect(extractDocument(pageFromText(SLIP.replace('SIRET 732', 'neser 732').replace('00074', '00075'))).fields.siret).toBeUndefined();
  });

  it('reads the employer block when the company looks like a name but is not the employee', () => {
    const page = SLIP.replace('SAS Exemple', 'EHPAD Les Glycines              ').replace('Salarié(e)', 'Salarlé(e)');
    const r = extractDocument(pageFromText(page, 0.9));
    expect(r.fields.employer).toMatchObject({ value: 'EHPAD Les Glycines' });
    expect(r.fields.employer!.raw).toBeLessThan(0.9);
    expect(r.fields.employee).toMatchObject({ value: 'Mme DURAND Sophie' });
  });

  it('reads the net paid whose comma was lost when the net before tax less the tax withheld makes it', () => {
    const lost = SLIP.replace('1 812,34', '181234 €').replace('Net payé 1 766,67', 'NET A PAYER AU SALARIE |\n| 176667 €');
    const r = extractDocument(pageFromText(lost, 0.95));
    expect(r.fields.netPay).toMatchObject({ value: '1766.67' });
    expect(r.fields.netPay!.raw).toBeLessThan(0.9);
    // figures that do not make the sum are not read as cents
    expect(extractDocument(pageFromText(lost.replace('176667', '176668'))).fields.netPay).toBeUndefined();
  });

  it('leaves a neighbouring label misread after « Employeur » for the company under it', () => {
    const grid = SLIP.replace('SIRET 732 829 320 00074', 'Employeur | (mesirer\nSAS Exemple                  732 829 320 00074');
    expect(extractDocument(pageFromText(grid)).fields.employer?.value).toBe('SAS Exemple');
  });

  it('splits a civility glued to the surname when the page prints them apart elsewhere', () => {
    const r = extractDocument(pageFromText(SLIP.replace('Salarié(e) Mme DURAND', 'Salarié(e) MDURAND').replace('Mme DURAND Sophie\n4', 'M DURAND Sophie\n4')));
    expect(r.fields.employee?.value).toBe('M DURAND Sophie');
    expect(unglueCivility(pageFromText('M FRANÇOIS Julien\n4 rue X'), 'MFRANÇOIS Julien')).toBe('M FRANÇOIS Julien');
    // « MBAPPE » with no « M BAPPE » on the page is a name
    expect(unglueCivility(pageFromText('Salarié MBAPPE Kylian'), 'MBAPPE Kylian')).toBe('MBAPPE Kylian');
  });
});

describe("avis d'impôt, noisy", () => {
  const NOTICE = `Avis d'impôt sur le revenu 2024 (revenus 2023)
Direction générale des Finances publiques              M. ET MME MARTIN CLAIRE
SIP de Lyon                                            12 RUE DES LILAS
Centre des Finances publiques                          69001 LYON
N° fiscal                    Référence de l'avis d'impôt
30 23 217 600 053            2475A12345678
Déclarant 1                  Déclarant 2
MARTIN CLAIRE                MARTIN PAUL
Nombre de parts
2,00
Revenu fiscal de référence
21540 €`;

  it('reads under labels one letter off, with a lower confidence', () => {
    const r = extractDocument(pageFromText(NOTICE.replace('Référence', 'Rétérence').replace('Déclarant 1', 'Déciarant 1'), 0.95));
    expect(r.fields).toMatchObject({ noticeReference: { value: '2475A12345678' }, holder: { value: 'MARTIN CLAIRE' } });
    expect(r.fields.noticeReference!.raw).toBeLessThan(0.9);
    expect(r.fields.holder!.raw).toBeLessThan(0.9);
  });

  it('stops the first declarant at the second one’s label misread', () => {
    const r = extractDocument(pageFromText(NOTICE.replace(/Déclarant 1 +Déclarant 2\nMARTIN CLAIRE +MARTIN PAUL/, 'Déclarant | MARTIN CLAIRE Déclatant 2 MARTIN PAUL'), 0.95));
    expect(r.fields.holder?.value).toBe('MARTIN CLAIRE');
  });

  it('takes the recipient printed beside the issuer when no declarant label is readable', () => {
    const r = extractDocument(pageFromText(NOTICE.replace(/Déclarant 1 +Déclarant 2/, 'Déctacantt Déclarst 2'), 0.95));
    expect(r.fields.holder?.value).toBe('M. ET MME MARTIN CLAIRE');
    expect(r.fields.holder!.raw).toBeLessThan(0.9);
  });

  it('reads the parts under a label missing letters, and none from a figure that lost its units', () => {
    const r = extractDocument(pageFromText(NOTICE.replace('Nombre de parts', 'N nore de parts Ë = Fd'), 0.95));
    expect(r.fields.parts?.value).toBe('2.00');
    expect(r.fields.parts!.raw).toBeLessThan(0.9);
    expect(extractDocument(pageFromText(NOTICE.replace('Nombre de parts\n2,00', 'Nombre de parts fiscales: *.5'))).fields.parts).toBeUndefined();
  });

  it('drops a box border read as a « 1 » before the figure under its label', () => {
    // the figure starts one character to the left of its label: the « 1 » is the border
    const r = extractDocument(pageFromText(NOTICE.replace('Revenu fiscal de référence\n21540 €', ' Revenu fiscal de référence\n121540 €'), 0.95));
    expect(r.fields.referenceIncome?.value).toBe('21540.00');
    expect(r.fields.referenceIncome!.raw).toBeLessThan(0.9);
    // lined up with its label, the figure is read whole
    expect(extractDocument(pageFromText(NOTICE.replace('21540 €', '121540 €'), 0.95)).fields.referenceIncome?.value).toBe('121540.00');
  });
});

describe('attestation CAF, noisy', () => {
  const CAF = `Caisse d'allocations familiales du Rhône
ATTESTATION DE PAIEMENT
N° allocataire : 1234567
Bénéficiaire : Madame Aminata DIALLO
Période : octobre 2024
Prestation Mois Montant
Aide personnalisée au logement (APL) 10/2024 245,67 €
Prime d'activité 10/2024 187,00 €
Total des paiements 432,67 €`;

  it('reads the number and the period under labels one letter off, with a lower confidence', () => {
    const r = extractDocument(pageFromText(CAF.replace('N° allocataire : 1234567', 'altocataire = 7)\n1234567').replace('Période', 'Périoce'), 0.95));
    expect(r.fields).toMatchObject({ allocataireNumber: { value: '1234567' }, period: { value: '2024-10' } });
    expect(r.fields.allocataireNumber!.raw).toBeLessThan(0.9);
    expect(r.fields.period!.raw).toBeLessThan(0.9);
  });

  it('takes the period from the month column when every row has the same month', () => {
    const r = extractDocument(pageFromText(CAF.replace('Période : octobre 2024', 'Persaite de jasement'), 0.95));
    expect(r.fields.period?.value).toBe('2024-10');
    expect(r.fields.period!.raw).toBeLessThan(0.9);
    expect(extractDocument(pageFromText(CAF.replace('Période : octobre 2024', '').replace('10/2024 187', '09/2024 187'))).fields.period).toBeUndefined();
  });

  it('mends a total that lost its comma, or one row with a stray figure, when that alone makes the sum', () => {
    const lost = extractDocument(pageFromText(CAF.replace('432,67 €', '43267'), 0.95));
    expect(lost.fields.total?.value).toBe('432.67');
    expect(lost.fields.total!.raw).toBeLessThan(0.9);
    const stray = extractDocument(pageFromText(CAF.replace('245,67', '2 245,67'), 0.95));
    expect(stray.fields.amount_apl?.value).toBe('245.67');
    expect(stray.fields.amount_apl!.raw).toBeLessThan(0.9);
    expect(stray.fields.total!.valid).toBe(true);
  });

  it('reads « - 41,99 € » after a benefit as a dash, not a negative payment', () => {
    const r = extractDocument(pageFromText(CAF.replace('245,67 €', '- 245,67 €')));
    expect(r.fields.amount_apl?.value).toBe('245.67');
  });

  it('takes the beneficiary of the certifying sentence over a couple in the recipient block', () => {
    const letter = `Caisse d'allocations familiales
M ou Mme NGUYEN Youssef
149 TER AVENUE DE L'ÉGLISE
64100 BAYONNE
Objet : Attestation de paiement
Votre numéro allocataire est le 6274544.
Nous certifions que M. Youssef NGUYEN a perçu les prestations suivantes.
Prestation Montant
ASF 314,64 €`;
    expect(extractDocument(pageFromText(letter)).fields.holder?.value).toBe('M. Youssef NGUYEN');
  });
});

describe('more tolerance, checked by the figures around', () => {
  it('reads a payslip net taxable whose comma was lost when it lies between the net before tax and the gross', () => {
    const slip = `BULLETIN DE PAIE
Salaire brut 2 598,96 €
Net à payer avant impôt sur le revenu 2 020,06 €
Net imposable 209411 €
Net payé 2 020,06 €`;
    const r = extractDocument(pageFromText(slip, 0.95));
    expect(r.fields.netTaxable?.value).toBe('2094.11');
    expect(r.fields.netTaxable!.raw).toBeLessThan(0.9);
    expect(extractDocument(pageFromText(slip.replace('209411', '309411'))).fields.netTaxable).toBeUndefined();
  });

  it('reads the allocataire number after « Référence » and a garbled word in -aire, with a low confidence', () => {
    const caf = `Caisse d'allocations familiales de Paris ATTESTATION DE PAIEMENT
[Référence atocstaire 2994681
Nom de l'allocataire Monsieur Lucas GRONDIN
Allocations familiales 265,87 €`;
    const r = extractDocument(pageFromText(caf, 0.95));
    expect(r.fields.allocataireNumber?.value).toBe('2994681');
    expect(r.fields.allocataireNumber!.raw).toBeLessThan(0.7);
  });
});
