import { describe, expect, it } from 'vitest';
import { isValidIban } from '../../../../sync-server/protocol/iban.ts';
import { generateRibNumbers, ribKey } from '../../../../tests/fixtures/documents.ts';
import { classify } from './classify.ts';
import { correctIban, findIbanCandidates, frenchIbanFromRib, isValidRibKey } from './iban.ts';
import { extractDocument } from './index.ts';
import { pageFromText } from './page.ts';
import type { Box, OcrLine } from './page.ts';
import { extractRib, looksLikeName } from './rib.ts';

const groups = (iban: string) => iban.replace(/(.{4})(?=.)/g, '$1 ');

/** Replace the characters at `positions` (indices in the compact IBAN) as OCR might misread them. */
function misread(iban: string, positions: number[], as: Record<string, string>): string {
  const chars = [...iban];
  for (const p of positions) {
    const c = chars[p]!;
    if (!as[c]) throw new Error(`no misreading for ${c} at ${p}`);
    chars[p] = as[c];
  }
  return groups(chars.join(''));
}

describe('IBAN correction', () => {
  const known = 'FR7630006000011234567890189';

  it('reads a clean IBAN printed in groups, with OCR separators', () => {
    expect(isValidIban(known)).toBe(true);
    expect(correctIban(groups(known))).toEqual({ iban: known, corrections: 0 });
    expect(correctIban('FR76-3000.6000 0112 3456 7890 18 9')).toEqual({ iban: known, corrections: 0 });
    expect(correctIban('IBAN : FR76 3000 6000 0112 3456 7890 189')?.iban).toBe(known);
  });

  it('corrects O/0, I/1, S/5, B/8 in positions that must be digits', () => {
    expect(correctIban('FR76 3OOO 6OOO O112 3456 789O 189')?.iban).toBe(known);
    // bank, branch and key are digits; 1, 5 and 8 there read as I, S and B
    const n = generateRibNumbers(11, '15589');
    const iban = n.iban;
    const digitPositions = [...iban].map((c, i) => ({ c, i })).filter(({ c, i }) => (i < 14 || i >= 25) && i >= 4 && '158'.includes(c));
    expect(digitPositions.length).toBeGreaterThan(0);
    const read = misread(iban, digitPositions.map((d) => d.i), { '1': 'I', '5': 'S', '8': 'B' });
    expect(read).not.toBe(groups(iban));
    const r = correctIban(read);
    expect(r?.iban).toBe(iban);
    expect(r?.corrections).toBe(digitPositions.length);
    // lower-case l for 1 and a bar for 1, as tesseract sometimes returns
    expect(correctIban('FR76 3000 6000 0l12 3456 7890 |89')?.iban).toBe(known);
  });

  it('tries swaps in the account number, where letters are legal, and keeps the one that checks', () => {
    // account positions 14..24: two digits misread as look-alike letters
    const r = correctIban(misread(known, [14, 21], { '1': 'I', '8': 'B' }));
    expect(r?.iban).toBe(known);
    expect(r?.corrections).toBe(2);
  });

  it('keeps real letters of an account number', () => {
    const n = generateRibNumbers(3, '11425'); // seed 3 carries a letter in the account
    expect(n.account).toMatch(/[A-Z]/);
    expect(correctIban(groups(n.iban))).toEqual({ iban: n.iban, corrections: 0 });
  });

  it('drops one stray character in a French IBAN (checked by mod-97 and the RIB key)', () => {
    const read = 'FR76 3000 6000 0112 3X456 7890 189';
    expect(correctIban(read)?.iban).toBe(known);
  });

  it('finds nothing rather than a wrong IBAN', () => {
    // one digit really wrong (not a look-alike): no correction may "fix" it
    expect(correctIban('FR76 3000 6000 0112 3456 7890 180')).toBeNull();
    expect(correctIban('FR77 3000 6000 0112 3456 7890 189')).toBeNull();
    expect(correctIban('Titulaire du compte : M. Jean DUPONT')).toBeNull();
    expect(correctIban('')).toBeNull();
    expect(correctIban('FR76 3000 6000 0112')).toBeNull();
  });

  it('reads other countries, correcting only where digits must be', () => {
    expect(correctIban('DE89 3704 0044 0532 0130 00')?.iban).toBe('DE89370400440532013000');
    expect(correctIban('DE89 37O4 OO44 O532 O13O OO')?.iban).toBe('DE89370400440532013000');
    expect(correctIban('GB82 WEST 1234 5698 7654 32')?.iban).toBe('GB82WEST12345698765432');
    expect(correctIban('GB82 WE5T 1234 5698 7654 32')?.iban).toBe('GB82WEST12345698765432');
  });

  it('checks RIB keys like the bank does, letters of the account included', () => {
    expect(isValidRibKey('30006', '00001', '12345678901', '89')).toBe(true);
    expect(isValidRibKey('30006', '00001', '12345678901', '88')).toBe(false);
    for (const seed of [1, 2, 3, 8, 13]) {
      const n = generateRibNumbers(seed, '16706');
      expect(isValidRibKey(n.bank, n.branch, n.account, n.key)).toBe(true);
      expect(ribKey(n.bank, n.branch, n.account)).toBe(n.key);
      expect(frenchIbanFromRib(n.bank, n.branch, n.account, n.key)).toBe(n.iban);
    }
  });
});

const RIB_TEXT = `Banque Coopérative du Littoral
8 quai de la Fosse - 44000 NANTES
RELEVÉ D'IDENTITÉ BANCAIRE
Titulaire du compte : M. Jean DUPONT
12 rue des Lilas
Domiciliation : AGENCE NANTES CENTRE
Code banque Code guichet Numéro de compte Clé RIB
30006 00001 12345678901 89
IBAN (International Bank Account Number)
IBAN FR76 3000 6000 0112 3456 7890 189
BIC (Bank Identifier Code)
BIC BCOLFRPP`;

/** One recognised line of `text` placed at (x, y), its height times `tall` (a skewed photo's line is taller). */
function at(text: string, x: number, y: number, tall = 1): OcrLine {
  const l = pageFromText(text, 0.9).lines[0]!;
  const shift = (b: Box): Box => ({ x0: b.x0 + x, y0: b.y0 + y, x1: b.x1 + x, y1: b.y0 + y + (b.y1 - b.y0) * tall });
  return { ...l, box: shift(l.box), words: l.words.map((w) => ({ ...w, box: shift(w.box) })) };
}

describe('RIB fields', () => {
  it('extracts IBAN, BIC, holder and bank from a RIB, all valid', () => {
    const f = extractRib(pageFromText(RIB_TEXT, 0.9));
    expect(f.iban).toMatchObject({ value: 'FR7630006000011234567890189', valid: true });
    expect(f.bic).toMatchObject({ value: 'BCOLFRPP', valid: true });
    expect(f.holder).toMatchObject({ value: 'M. Jean DUPONT', valid: true });
    expect(f.bank).toMatchObject({ value: 'Banque Coopérative du Littoral', valid: true });
    // the RIB table and the IBAN line agree: confidence is raised
    expect(f.iban!.confidence).toBeGreaterThanOrEqual(0.9);
    for (const v of Object.values(f)) expect(v.confidence).toBeGreaterThan(0.5);
  });

  it('derives the confidence from the words and lowers it for corrections', () => {
    const clean = extractRib(pageFromText('IBAN FR76 3000 6000 0112 3456 7890 189', 0.8)).iban!;
    const fixed = extractRib(pageFromText('IBAN FR76 3OOO 6OOO O112 3456 789O 189', 0.8)).iban!;
    expect(clean.confidence).toBeCloseTo(0.8, 5);
    expect(fixed.value).toBe(clean.value);
    expect(fixed.confidence).toBeLessThan(clean.confidence);
  });

  it('rebuilds the IBAN from the RIB table when the IBAN line is unreadable', () => {
    const text = RIB_TEXT.replace('IBAN FR76 3000 6000 0112 3456 7890 189', 'IBAN FR7? 3#00 60@0 ~112 34S6 78?0 1B9');
    const candidates = findIbanCandidates(pageFromText(text));
    expect(candidates.map((c) => c.source)).toEqual(['rib-table']);
    const f = extractRib(pageFromText(text));
    expect(f.iban).toMatchObject({ value: 'FR7630006000011234567890189', valid: true });
  });

  it('reads an IBAN that a skewed photo broke over two lines', () => {
    const f = extractRib(pageFromText('IBAN FR76 3000 6000 0112\n3456 7890 189\nBIC BCOLFRPP'));
    expect(f.iban).toMatchObject({ value: 'FR7630006000011234567890189', valid: true });
    expect(f.iban!.confidence).toBeLessThan(0.9);
  });

  it('asks for a look when a BIC has 1/I or 0/O where both are legal', () => {
    const plain = extractRib(pageFromText('BIC CSBOFR2LXXX')).bic!;
    const ambiguous = extractRib(pageFromText('BIC CSBOFR21XXX')).bic!;
    expect(ambiguous).toMatchObject({ value: 'CSBOFR21XXX', valid: true });
    expect(ambiguous.confidence).toBeLessThan(plain.confidence);
  });

  it('corrects digits read in the letter part of a BIC, and flags a BIC of another country', () => {
    expect(extractRib(pageFromText(`${RIB_TEXT.replace('BIC BCOLFRPP', 'BIC 8C0LFRPP')}`)).bic).toMatchObject({ value: 'BCOLFRPP', valid: true });
    expect(extractRib(pageFromText('BIC / SWIFT : BCOL FRPP XXX\nIBAN FR76 3000 6000 0112 3456 7890 189')).bic).toMatchObject({ value: 'BCOLFRPPXXX', valid: true });
    const foreign = extractRib(pageFromText('IBAN FR76 3000 6000 0112 3456 7890 189\nBIC DEUTDEFF')).bic!;
    expect(foreign.value).toBe('DEUTDEFF');
    expect(foreign.valid).toBe(false);
  });

  it('finds the holder after the label, on the line below, or not at all', () => {
    expect(extractRib(pageFromText('Titulaire du compte:\nMME Claire MARTIN\n12 rue des Lilas')).holder).toMatchObject({ value: 'MME Claire MARTIN', valid: true });
    expect(extractRib(pageFromText('Titulaire : Aminata DIALLO |')).holder).toMatchObject({ value: 'Aminata DIALLO', valid: true });
    expect(extractRib(pageFromText('Intitulé du compte : M. OU MME ROUSSEAU')).holder?.value).toBe('M. OU MME ROUSSEAU');
    expect(extractRib(pageFromText('Titulaire du compte : M- Karim BENALI')).holder?.value).toBe('M. Karim BENALI');
    expect(extractRib(pageFromText('IBAN FR76 3000 6000 0112 3456 7890 189')).holder).toBeUndefined();
    // the name line lost: the address below is not taken for a name
    expect(extractRib(pageFromText('Titulaire du compte :\n9 place de la Mairie\n75011 PARIS')).holder).toBeUndefined();
    // a number where a name should be is reported, but not valid
    expect(extractRib(pageFromText('Titulaire du compte : 4815162342')).holder).toBeUndefined();
    expect(looksLikeName('M. Jean DUPONT')).toBe(true);
    expect(looksLikeName('Jean 2 DUPONT')).toBe(false);
    expect(looksLikeName('M.')).toBe(false);
  });

  it('never takes two words of a label for a BIC, and doubts a BIC of no plausible country', () => {
    // « Titulaire du compte » under the BIC's label: « du compte » has a BIC's shape (DUCO MP TE)
    const f = extractRib(pageFromText('Code SWIFT / BIC\nTitulaire du compte\nCrédit Rural du Nord'));
    expect(f.bic).toBeUndefined();
    // no IBAN read: a French RIB's BIC is French, another country is reported but doubted
    const foreign = extractRib(pageFromText('BIC DEUTDEFF')).bic!;
    expect(foreign).toMatchObject({ value: 'DEUTDEFF', valid: false });
    expect(foreign.confidence).toBeLessThan(0.6);
    expect(extractRib(pageFromText('BIC BCOLFRPP', 0.95)).bic).toMatchObject({ value: 'BCOLFRPP', valid: true });
  });

  it('takes no code for a holder: the name is looked for on the lines around the label', () => {
    // a skewed photo: the BIC on the label's row, the name just below it on the right
    const lines = [at('CEPAFRPP751', 400, 95), at('Intitulé du compte', 0, 100), at('MOUMME HOARAU CÉLINE', 400, 118), at('Adresse 5 chemin Vert, 42000 SAINT-ÉTIENNE', 0, 135)];
    const holder = extractRib({ text: lines.map((l) => l.text).join('\n'), confidence: 0.9, lines }).holder!;
    expect(holder).toMatchObject({ value: 'M OU MME HOARAU CÉLINE', valid: true });
    expect(holder.confidence).toBeLessThan(0.9);
    // nothing else: the code is not taken, nor the town of the address below
    expect(extractRib({ text: '', confidence: 0.9, lines: [lines[0]!, lines[1]!, lines[3]!] }).holder).toBeUndefined();
    expect(extractRib(pageFromText('Titulaire du compte : BCOLFRPP123')).holder).toBeUndefined();
    // one word alone may be a code in capitals: asked to be looked at
    expect(extractRib(pageFromText('Titulaire du compte : DUPONT', 0.95)).holder!.confidence).toBeLessThan(0.9);
  });

  it('takes the bank, not the domiciliation that starts with its name', () => {
    // the photo's skew makes the domiciliation's line taller than the name's, which usually wins
    const lines = [at('Crédit Rural', 0, 0), at('Agence de Melun', 0, 30), at('CREDIT RURAL AG', 200, 200, 2.5), at('ENCE DE MELUN', 350, 230)];
    expect(extractRib({ text: '', confidence: 0.9, lines }).bank?.value).toBe('Crédit Rural');
  });

  it('reads a grid of labels over values: the BIC and the holder in their own columns', () => {
    const f = extractRib(pageFromText('IBAN FR76 3000 6000 0112 3456 7890 189\nCode BIC          Titulaire du compte\nCMCIFRPP          MME CARON JOSÉPHINE', 0.92));
    expect(f.bic).toMatchObject({ value: 'CMCIFRPP', valid: true });
    expect(f.holder).toMatchObject({ value: 'MME CARON JOSÉPHINE', valid: true });
    // one line of words before a civility: they belong to the field beside
    expect(extractRib(pageFromText('Titulaire du compte\nCMCIFRPP MME CARON JOSÉPHINE')).holder?.value).toBe('MME CARON JOSÉPHINE');
    expect(extractRib(pageFromText('Titulaire du compte : M OU MME ROUSSEAU')).holder?.value).toBe('M OU MME ROUSSEAU');
  });

  it('cuts the branch off a domiciliation read without its label, and reads a logo in small letters', () => {
    const noLabel = extractRib(pageFromText('Coordonnées bancaires\nCIC AGENCE GRENOBLE VICTOR HUGO', 0.95)).bank!;
    expect(noLabel.value).toBe('CIC');
    expect(noLabel.confidence).toBeLessThan(0.9);
    expect(extractRib(pageFromText('cic      RELEVÉ D’IDENTITÉ BANCAIRE\nDomiciliation        CIC AGENCE GRENOBLE')).bank?.value).toBe('CIC');
    expect(extractRib(pageFromText('Domiciliation : AGENCE NANTES CENTRE')).bank?.value).toBe('AGENCE NANTES CENTRE');
  });

  it('puts back the accents of the bank’s name read elsewhere on the page', () => {
    expect(extractRib(pageFromText("Caisse d'Epargne      RIB\nDomiciliation CAISSE D'ÉPARGNE AGENCE TOULOUSE")).bank?.value).toBe("Caisse d'Épargne");
  });

  it('takes the bank name, not a sentence or a label that mentions a bank word', () => {
    const text = `Vous trouverez votre relevé, à transmettre à votre caisse d'allocations familiales ou votre employeur
Crédit Rural du Nord
Code banque Code guichet
Bank Identifier Code`;
    expect(extractRib(pageFromText(text)).bank?.value).toBe('Crédit Rural du Nord');
    expect(extractRib(pageFromText('SBP Société Bancaire de Provence')).bank?.value).toBe('Société Bancaire de Provence');
  });
});

describe('classification', () => {
  it('recognises a RIB and extracts its fields', () => {
    const r = extractDocument(pageFromText(RIB_TEXT));
    expect(r.docType).toBe('rib');
    expect(Object.keys(r.fields).sort()).toEqual(['bank', 'bic', 'holder', 'iban']);
  });

  it('recognises a RIB from its IBAN and labels even without the title', () => {
    expect(classify('IBAN FR76 3000 6000 0112 3456 7890 189\nBIC BCOLFRPP').docType).toBe('rib');
  });

  it('types other documents by their words and reads what they print', () => {
    const tax = extractDocument(pageFromText("AVIS D'IMPÔT 2024 SUR LES REVENUS DE 2023\nRevenu fiscal de référence : 21 540"));
    expect(tax.docType).toBe('tax-notice');
    expect(tax.fields).toMatchObject({ incomeYear: { value: '2023', valid: true, source: 'ocr' }, referenceIncome: { value: '21540.00', valid: true } });
    expect(classify('BULLETIN DE PAIE\nSalaire net à payer 1 640,00').docType).toBe('payslip');
  });

  it("calls anything else 'other' with no fields", () => {
    expect(extractDocument(pageFromText('Liste de courses\ntomates, pain, lait'))).toEqual({ docType: 'other', fields: {} });
    expect(extractDocument(pageFromText(''))).toEqual({ docType: 'other', fields: {} });
  });
});
