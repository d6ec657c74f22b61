/** People's names on papers of every kind, and the figures a payslip prints next to its net paid. */
import { describe, expect, it } from 'vitest';
import { extractDocument } from './index.ts';
import { pageFromText } from './page.ts';
import { labelledPerson, leadingName, nameInSentence, recipientName, restoreAccents } from './person.ts';

describe('names of people', () => {
  it('takes a name with or without civility, in either order, in capitals or mixed case', () => {
    expect(leadingName('Mme Odile FERRAND')).toBe('Mme Odile FERRAND');
    expect(leadingName('FERRAND Odile')).toBe('FERRAND Odile');
    expect(leadingName('ODILE FERRAND-BLAISE 04/05/1961')).toBe('ODILE FERRAND-BLAISE');
    expect(leadingName("M. et Mme N'GUESSAN Aya")).toBe("M. et Mme N'GUESSAN Aya");
    expect(leadingName('Monsieur Paul de LA TOUR')).toBe('Monsieur Paul de LA TOUR');
  });

  it('refuses what is not a name: a phrase with no surname in capitals, a label, an address, one word', () => {
    expect(leadingName('Service Clients Particuliers')).toBeNull();
    expect(leadingName('Numéro allocataire')).toBeNull();
    expect(leadingName('12 RUE DES GLYCINES')).toBeNull();
    expect(leadingName('FERRAND')).toBeNull();
    expect(leadingName('SARL Menuiserie PAQUET')).toBeNull();
  });

  it('stops at a label glued after the name', () => {
    expect(leadingName('FERRAND Odile NIR 2 61 05 33 123 456 78')).toBe('FERRAND Odile');
    expect(leadingName('FERRAND ODILE Déclarant 2 FERRAND LUC')).toBe('FERRAND ODILE');
  });

  it('finds a name after a civility in a sentence', () => {
    expect(nameInSentence('Nous attestons que Madame Odile FERRAND a bien perçu les sommes')).toBe('Madame Odile FERRAND');
    expect(nameInSentence('Nous attestons que la personne a bien perçu les sommes')).toBeNull();
  });

  it('reads the cell under a label on a grid of labels over values', () => {
    const page = pageFromText(['Dossier n°      Nom de l\'allocataire', '88123          M TESSIER Gaston']. join('\n'));
    expect(labelledPerson(page, [/NOM\s+DE\s+L'?\s*ALLOCATAIRE/])?.value).toBe('M TESSIER Gaston');
  });

  it('leaves out a box border read before the name', () => {
    expect(labelledPerson(pageFromText('Titulaire\n| M MATHÉO DA SILVA |'), [/TITULAIRE/])?.value).toBe('M MATHÉO DA SILVA');
    expect(labelledPerson(pageFromText('Titulaire : | — Mme Claire MARTIN'), [/TITULAIRE/])?.value).toBe('Mme Claire MARTIN');
  });

  it("takes the letter's recipient, never the sender's company", () => {
    const page = pageFromText(['Menuiserie Paquet et Fils', '3 impasse des Forges', '44000 NANTES', '', 'TESSIER Gaston', '9 rue du Moulin', '35000 RENNES'].join('\n'));
    expect(recipientName(page)?.value).toBe('TESSIER Gaston');
  });
});

describe('holders on each kind of paper', () => {
  it('CAF: « Allocataire » without colon, not the number\'s label', () => {
    const r = extractDocument(pageFromText(['ATTESTATION DE PAIEMENT', "Caisse d'allocations familiales", 'Numéro allocataire 4455667', 'Allocataire Mme TESSIER Lou', 'Période Mai 2024', 'Allocations familiales 140,20'].join('\n')));
    expect(r.fields.holder?.value).toBe('Mme TESSIER Lou');
    expect(r.fields.allocataireNumber?.value).toBe('4455667');
  });

  it('CAF: « Référence allocataire » is the number; a name in the letter is the holder', () => {
    const r = extractDocument(
      pageFromText(["Caisse d'allocations familiales", 'Attestation de paiement', 'Référence allocataire 4455667', 'Nous certifions que M Gaston TESSIER a perçu les prestations suivantes.', 'Période Mai 2024'].join('\n')),
    );
    expect(r.fields.allocataireNumber?.value).toBe('4455667');
    expect(r.fields.holder?.value).toBe('M Gaston TESSIER');
  });
});

describe('payslip', () => {
  const SLIP = [
    'BULLETIN DE PAIE',
    'Employeur',
    'Menuiserie Paquet et Fils',
    'Nom du salarié          Matricule',
    'TESSIER Gaston          4512',
    'Période de paie',
    'du ler mars 2024 au 31 mars 2024',
    'Salaire brut 2 100,00 €',
    'Net à payer avant impôt sur le revenu 1 650,00 €',
    'Montant net imposable          Montant net social',
    '1 700,00 €                     1 640,00 €',
    'Net à payer',
    '1 610,25 €',
    'Cumuls annuels : brut 6 300,00 € ; net imposable 5 100,00 €.',
  ].join('\n');

  it('reads labels over values: employer, employee, period, net taxable and net paid among the other figures', () => {
    const r = extractDocument(pageFromText(SLIP));
    expect(r.docType).toBe('payslip');
    expect(r.fields).toMatchObject({
      employer: { value: 'Menuiserie Paquet et Fils' },
      employee: { value: 'TESSIER Gaston' },
      periodStart: { value: '2024-03-01' },
      periodEnd: { value: '2024-03-31' },
      netTaxable: { value: '1700.00' },
      netPay: { value: '1610.25' },
    });
  });

  it('takes « Montant net versé » and a decimal comma read as a dot, never the year-to-date figures', () => {
    const r = extractDocument(pageFromText(['Bulletin de salaire', 'Salarié(e) : Mme Lou TESSIER', 'Période : juin2024', 'Net imposable 1 800,00 €', 'Montant net versé 1720.40 €', 'Cumul net imposable 9 000,00 €'].join('\n')));
    expect(r.fields.netPay?.value).toBe('1720.40');
    expect(r.fields.netTaxable?.value).toBe('1800.00');
    expect(r.fields.employee?.value).toBe('Mme Lou TESSIER');
    expect(r.fields.periodStart?.value).toBe('2024-06-01');
  });

  it('finds the unlabelled employer in the sender block, the person on its row cut off', () => {
    const r = extractDocument(pageFromText(['Bulletin de paie', 'Fromagerie des Alpes          M DUVAL Rémi', '4 rue du Lac          8 rue Haute', '74000 ANNECY          73000 CHAMBÉRY', 'Net payé 1 500,00 €'].join('\n')));
    expect(r.fields.employer?.value).toBe('Fromagerie des Alpes');
  });
});

describe("avis d'impôt", () => {
  it('reads a grid: the reference in groups, the first declarant of two, the parts under a boxed label', () => {
    const r = extractDocument(
      pageFromText(
        [
          "Avis d'impôt sur le revenu 2024 (revenus 2023)",
          'N° fiscal               Référence de l\'avis',
          '12 34 567 890 123       24 12 B345678 90',
          'Déclarant 1             Déclarant 2',
          'TESSIER Lou             TESSIER GASTON',
          'Nombre de parts fiscales |',
          '3',
          'Revenu fiscal de référence 1 27 640 €',
        ].join('\n'),
      ),
    );
    expect(r.fields.noticeReference?.value).toBe('2412B34567890');
    expect(r.fields.holder?.value).toBe('TESSIER Lou');
    expect(r.fields.parts?.value).toBe('3.00');
    expect(r.fields.referenceIncome?.value).toBe('27640.00');
  });

  it("never takes the second declarant's numéro fiscal; a lost comma in the parts is put back", () => {
    const r = extractDocument(
      pageFromText(["Avis d'impôt 2024", 'Numéro fiscal du déclarant 2 : 30 23 217 600 053', 'fiscal 12 34 567 890 123', 'Nombre de parts : 25', 'Déclarant 1 : Tessier LOU'].join('\n')),
    );
    expect(r.fields.taxNumber?.value).toBe('1234567890123');
    expect(r.fields.parts?.value).toBe('2.50');
    expect(r.fields.holder?.value).toBe('Tessier LOU');
  });
});

describe('other holders', () => {
  it('health insurance: « Assuré(e) » followed by the name and the NIR label on one line', () => {
    const r = extractDocument(pageFromText(["Attestation de droits à l'assurance maladie", 'Service relations assurés', 'Assuré(e) TESSIER Lou NIR 2 61 05 33 123 456 78'].join('\n')));
    expect(r.fields.holder?.value).toBe('TESSIER Lou');
  });

  it('proof of address: « Client » without colon; else the recipient of the bill', () => {
    const bill = ['Électricité Services Facture', '8 rue des Usines', '69000 LYON', 'Numéro de client 88776655', 'Client TESSIER LOU', 'Facture du 03.02.2025'].join('\n');
    expect(extractDocument(pageFromText(bill)).fields.holder?.value).toBe('TESSIER LOU');
    const letter = ["Eau Services Facture d'eau", '8 rue des Usines', '69000 LYON', 'Lou TESSIER', '5 rue Haute', '73000 CHAMBÉRY', 'Facture du 03.02.2025'].join('\n');
    expect(extractDocument(pageFromText(letter)).fields.holder?.value).toBe('Lou TESSIER');
  });
});

describe('RIB bank name', () => {
  it("takes the bank's short name on the title's row, never the table head nor the domiciliation", () => {
    const text = [
      "Banque Martin          RELEVÉ D'IDENTITÉ BANCAIRE",
      'Agence Lyon Bellecour',
      'Titulaire du compte : TESSIER Lou',
      'Domiciliation          BANQUE MARTIN LYON BELLECOUR',
      'IBAN FR76 3000 4008 2300 0123 4567 842',
      'Code SWIFT / BIC : BMARFRPPXXX',
      'Banque          Guichet          Compte          Clé',
      '30004          00823          00012345678          42',
    ].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.docType).toBe('rib');
    expect(r.fields.bank?.value).toBe('Banque Martin');
    expect(r.fields.bic?.value).toBe('BMARFRPPXXX');
  });
});

describe('proof of address', () => {
  it('reads the address on the line under its label and the date in the cell under its label', () => {
    const text = [
      "Facture d'électricité",
      'Titulaire',
      'Mme Lou TESSIER',
      'Lieu de consommation',
      '5 bis rue Haute, 73000 CHAMBÉRY',
      'Émise le          Période de consommation',
      '03-02-2025        du 01-01-2025 au 31-01-2025',
    ].join('\n');
    const r = extractDocument(pageFromText(text));
    expect(r.fields).toMatchObject({ holder: { value: 'Mme Lou TESSIER' }, address: { value: '5 bis rue Haute' }, postcode: { value: '73000' }, city: { value: 'CHAMBÉRY' }, date: { value: '2025-02-03' } });
  });
});

describe('accents lost in one reading of a name', () => {
  it('are taken back from another reading on the page, keeping the case and never changing an accented word', () => {
    const page = pageFromText(['MME TESSIER CHLOÉ', 'Déclarant 1 : TESSIER CHLOE', 'Prénom : Maélle'].join('\n'));
    expect(restoreAccents(page, 'TESSIER CHLOE')).toBe('TESSIER CHLOÉ');
    expect(restoreAccents(page, 'Chloe TESSIER')).toBe('Chloé TESSIER');
    expect(restoreAccents(page, 'Maëlle')).toBe('Maëlle');
    expect(restoreAccents(page, 'LOU')).toBe('LOU');
  });

  it('are taken back from a part of a word joined by an apostrophe or a hyphen', () => {
    const page = pageFromText(['Domiciliation CAISSE D’ÉPARGNE AGENCE', '42000 SAINT-ÉTIENNE'].join('\n'));
    expect(restoreAccents(page, "Caisse d'Epargne")).toBe("Caisse d'Épargne");
    expect(restoreAccents(page, 'SAINT-ETIENNE')).toBe('SAINT-ÉTIENNE');
    expect(restoreAccents(page, 'ETIENNE DUPONT')).toBe('ÉTIENNE DUPONT');
  });
});

describe('RIB holder', () => {
  it('leaves out an IBAN read on the same line before the name', () => {
    const r = extractDocument(pageFromText(["RELEVÉ D'IDENTITÉ BANCAIRE", 'Titulaire du compte', 'FR76 3000 4008 2300 0123 4567 842 M OU MME TESSIER LOU', 'IBAN FR76 3000 4008 2300 0123 4567 842'].join('\n')));
    expect(r.fields.holder?.value).toBe('M OU MME TESSIER LOU');
  });
});
