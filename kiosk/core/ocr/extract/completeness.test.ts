/**
 * Is the paper whole: synthetic pages (text as OCR gives it, fields as the extractors name them) for each
 * kind of paper judged, whole and with each part missing, in any order, with a page scanned twice, and
 * with papers that do not say how many pages they have.
 */
import { describe, expect, it } from 'vitest';
import { SAMPLE_CARD_HOLDER, td1 } from '../../../../tests/fixtures/mrz.ts';
import type { MrzPerson } from '../../../../tests/fixtures/mrz.ts';
import { completenessOf, pageMark } from './completeness.ts';
import type { Completeness, PageRead } from './completeness.ts';

const page = (text: string, fields: Record<string, string> = {}): PageRead => ({ text, fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v }])) });

const missingOf = (c: Completeness | null) => (c?.status === 'missing' ? c.missing : []);

const PERSON: MrzPerson = SAMPLE_CARD_HOLDER;

const CARD_FRONT = page(
  [
    'RÉPUBLIQUE FRANÇAISE',
    "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD",
    'NOM / Surname',
    'LEFÈVRE',
    'Prénoms / Given names',
    'Hélène, Anne',
    'SEXE / Sex NATIONALITÉ / Nationality DATE DE NAISS. / Date of birth',
    'F FRA 12 03 1985',
    'LIEU DE NAISSANCE / Place of birth',
    'NANTES (44)',
    "N° DU DOCUMENT / Document No DATE D'EXPIR. / Expiry date",
    'X4RTBPFW4 11 02 2031',
  ].join('\n'),
  { surname: 'LEFÈVRE', givenNames: 'Hélène, Anne', birthDate: '1985-03-12' },
);

const CARD_BACK = page(
  ["CARTE NATIONALE D'IDENTITÉ - verso", 'ADRESSE / Address', '12 RUE DES LILAS', '44000 NANTES', 'DATE DE DÉLIVRANCE / Date of issue', '12 02 2021', ...td1(PERSON)].join('\n'),
  { documentNumber: 'X4RTBPFW4', birthDate: '1985-03-12', expiryDate: '2031-02-11' },
);

describe('identity card: both faces', () => {
  it('is whole with both faces, in either order, or both on one photocopy', () => {
    expect(completenessOf('identity-card', [CARD_FRONT, CARD_BACK])).toEqual({ status: 'complete' });
    expect(completenessOf('identity-card', [CARD_BACK, CARD_FRONT])).toEqual({ status: 'complete' });
    expect(completenessOf('identity-card', [page(`${CARD_FRONT.text}\n${CARD_BACK.text}`)])).toEqual({ status: 'complete' });
  });

  it('asks for the back (the side with the address) when only the front was scanned', () => {
    const c = completenessOf('identity-card', [CARD_FRONT]);
    expect(c).toEqual({ status: 'missing', missing: [{ kind: 'back-face', message: 'Il manque le verso de la carte d’identité (le côté avec l’adresse).' }] });
  });

  it('asks for the front when only the back was scanned, twice', () => {
    expect(missingOf(completenessOf('identity-card', [CARD_BACK, CARD_BACK]))).toEqual([
      { kind: 'front-face', message: 'Il manque le recto de la carte d’identité (le côté avec la photo et le nom).' },
    ]);
  });

  it('knows the back by its zone alone (3 × 30), and the 1994 card’s front by its 2 × 36 zone', () => {
    expect(missingOf(completenessOf('identity-card', [page(td1(PERSON).join('\n'))]))[0]?.kind).toBe('front-face');
    const oldFront = ['IDFRALEFEVRE<<<<<<<<<<<<<<<<<<<<<<<<', '8806923102858HELENE<<ANNE<<8503122F6'];
    expect(missingOf(completenessOf('identity-card', [page(oldFront.join('\n'))]))[0]?.kind).toBe('back-face');
  });

  it('says the same of a residence permit in its own words, and nothing when no face is recognised', () => {
    expect(missingOf(completenessOf('residence-permit', [CARD_FRONT]))[0]?.message).toBe('Il manque le verso du titre de séjour (le côté avec l’adresse).');
    expect(completenessOf('identity-card', [page('SPECIMEN')])).toBeNull();
  });
});

const taxPage = (n: number, of?: number, style: 'page' | 'bare' | 'sur' = 'page') =>
  page(
    [
      `AVIS D'IMPÔT 2024`,
      'IMPÔT SUR LES REVENUS de l’année 2023',
      `Date de mise en recouvrement : 31/07/2024`,
      n === 1 ? 'Revenu fiscal de référence : 21 540 €' : 'Détail des revenus déclarés',
      of === undefined ? `Page ${n}` : style === 'bare' ? `3023217600053 ${n}/${of}` : style === 'sur' ? `page ${n} sur ${of}` : `Page ${n}/${of}`,
    ].join('\n'),
    n === 1 ? { referenceIncome: '21540.00' } : {},
  );

describe('tax notice: every page', () => {
  it('reads the page number as notices print it, never a date', () => {
    expect(pageMark('Page 2/4')).toEqual({ page: 2, of: 4 });
    expect(pageMark('page 3 sur 4')).toEqual({ page: 3, of: 4 });
    expect(pageMark('Référence 23 45 A123 4567   1/4')).toEqual({ page: 1, of: 4 });
    expect(pageMark('Page 2')).toEqual({ page: 2 });
    expect(pageMark('Date de mise en recouvrement : 31/07/2024')).toBeNull();
    expect(pageMark('le 12/03')).toBeNull();
    expect(pageMark('Page 5/4')).toBeNull();
  });

  it('is whole with every page, in any order', () => {
    expect(completenessOf('tax-notice', [taxPage(1, 4), taxPage(2, 4), taxPage(3, 4), taxPage(4, 4)])).toEqual({ status: 'complete' });
    expect(completenessOf('tax-notice', [taxPage(3, 4, 'bare'), taxPage(1, 4), taxPage(4, 4, 'sur'), taxPage(2, 4)])).toEqual({ status: 'complete' });
  });

  it('names each missing page, with the total', () => {
    expect(missingOf(completenessOf('tax-notice', [taxPage(1, 4), taxPage(3, 4)]))).toEqual([
      { kind: 'page', page: 2, of: 4, message: 'Il manque la page 2 sur 4 de l’avis d’impôt.' },
      { kind: 'page', page: 4, of: 4, message: 'Il manque la page 4 sur 4 de l’avis d’impôt.' },
    ]);
    expect(missingOf(completenessOf('tax-notice', [taxPage(2, 2)])).map((m) => m.message)).toEqual(['Il manque la page 1 sur 2 de l’avis d’impôt.']);
  });

  it('counts a page scanned twice once', () => {
    expect(missingOf(completenessOf('tax-notice', [taxPage(1, 3), taxPage(1, 3), taxPage(2, 3)]))).toEqual([
      { kind: 'page', page: 3, of: 3, message: 'Il manque la page 3 sur 3 de l’avis d’impôt.' },
    ]);
  });

  it('without a total, names only the gaps before the last page seen', () => {
    expect(missingOf(completenessOf('tax-notice', [taxPage(1), taxPage(3)]))).toEqual([{ kind: 'page', page: 2, message: 'Il manque la page 2 de l’avis d’impôt.' }]);
    expect(completenessOf('tax-notice', [taxPage(1), taxPage(2)])).toEqual({ status: 'complete' });
  });

  it('does not judge a notice that prints no page number, and trusts a page whose number was not read', () => {
    expect(completenessOf('tax-notice', [page("AVIS D'IMPÔT 2024\nRevenu fiscal de référence : 21 540 €")])).toBeNull();
    // page 2's corner was not read, but there are as many pages as the notice says
    expect(completenessOf('tax-notice', [taxPage(1, 2), page('Détail des revenus déclarés')])).toEqual({ status: 'complete' });
  });
});

const slip = (lines: string[], fields: Record<string, string> = {}) => page(['BULLETIN DE PAIE', ...lines].join('\n'), fields);

describe('payslip: the whole of it', () => {
  it('is whole on one page ending with the net to pay', () => {
    expect(completenessOf('payslip', [slip(['Salaire de base 2 100,00', 'NET PAYÉ EN EUROS 1 650,12'], { netPay: '1650.12' })])).toEqual({ status: 'complete' });
  });

  it('asks for the end when no page holds the net to pay', () => {
    expect(missingOf(completenessOf('payslip', [slip(['Salaire de base 2 100,00', 'Santé - Sécurité sociale'])]))).toEqual([
      { kind: 'payslip-end', message: 'Il manque la fin du bulletin de salaire (la partie avec le net à payer).' },
    ]);
  });

  it('names a missing page when its pages are numbered, and is whole once it is added in any order', () => {
    const p1 = slip(['Salaire de base 2 100,00', 'Page 1/2']);
    const p2 = slip(['Net à payer avant impôt sur le revenu 1 700,00', 'NET PAYÉ EN EUROS 1 650,12', 'Page 2/2'], { netPay: '1650.12' });
    expect(missingOf(completenessOf('payslip', [p1]))).toEqual([{ kind: 'page', page: 2, of: 2, message: 'Il manque la page 2 sur 2 du bulletin de salaire.' }]);
    expect(missingOf(completenessOf('payslip', [p2]))).toEqual([{ kind: 'page', page: 1, of: 2, message: 'Il manque la page 1 sur 2 du bulletin de salaire.' }]);
    expect(completenessOf('payslip', [p2, p1])).toEqual({ status: 'complete' });
  });
});

describe('RIB: both parts', () => {
  const bank = page('IBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPPXXX', { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' });
  const holder = page('RELEVÉ D’IDENTITÉ BANCAIRE\nTitulaire du compte : MME CAMILLE MARTIN\nDomiciliation : CA NANTES CENTRE', { holder: 'MME CAMILLE MARTIN', bank: 'CA NANTES CENTRE' });

  it('is whole with both parts, on one page or two', () => {
    expect(completenessOf('rib', [page(`${holder.text}\n${bank.text}`, { iban: 'FR7630006000011234567890189', holder: 'MME CAMILLE MARTIN' })])).toEqual({ status: 'complete' });
    expect(completenessOf('rib', [bank, holder])).toEqual({ status: 'complete' });
  });

  it('asks for the part that is not there', () => {
    expect(missingOf(completenessOf('rib', [bank]))).toEqual([{ kind: 'rib-holder', message: 'Il manque la partie du RIB avec le nom du titulaire et l’adresse de la banque.' }]);
    expect(missingOf(completenessOf('rib', [holder]))).toEqual([{ kind: 'rib-bank', message: 'Il manque la partie du RIB avec l’IBAN et le BIC.' }]);
  });
});

describe('other papers', () => {
  it('are not judged', () => {
    expect(completenessOf('caf-certificate', [page('Page 1/2')])).toBeNull();
    expect(completenessOf('other', [page('Page 1/2')])).toBeNull();
    expect(completenessOf('tax-notice', [])).toBeNull();
  });
});
