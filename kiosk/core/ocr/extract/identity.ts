/**
 * Identity documents with a machine-readable zone: the identity card (2021 model, TD1), the passport (TD3)
 * and the residence permit (TD1). Dates, document number, nationality and sex come from the zone, where
 * check digits prove them; names come from the printed (visual) zone as printed, accents included, when its
 * letters agree with the machine-readable names, and from the zone otherwise. Without a zone the printed
 * fields are read alone and marked for checking.
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { findDates } from './checks.ts';
import { cellBelow, findLabels, lineBelow, textBox } from './labels.ts';
import type { MrzReading } from './mrz.ts';
import { readMrz } from './mrz.ts';
import type { FieldReading, Fields, OcrLine, OcrPage, OcrWord } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';

export type IdentityType = Extract<DocType, 'identity-card' | 'passport' | 'residence-permit'>;

/** Document type from the zone's document code (and the words of the page for the I-codes). */
export function identityTypeOfMrz(mrz: MrzReading, pageText: string): IdentityType | undefined {
  const code = mrz.documentCode;
  if (code.startsWith('P')) return 'passport';
  if (code === 'IR' || /TITRE\s+DE\s+SEJOUR|RESIDENCE\s+PERMIT/.test(fold(pageText))) return 'residence-permit';
  if (code.startsWith('I') || code.startsWith('A') || code.startsWith('C')) return 'identity-card';
  return undefined;
}

// ---------------------------------------------------------------- names

/**
 * The printed name with the zone's word breaks: letters (and accents) from the print, separators from the
 * print where it has them and from the zone where OCR lost them. Null when the letters disagree.
 */
export function alignName(printed: string, mrzName: string): string | null {
  const letters = (s: string) => fold(s).replace(/[^A-Z]/g, '');
  if (letters(printed) !== letters(mrzName) || letters(printed) === '') return null;
  const p = [...printed.trim()];
  const m = [...mrzName.trim()];
  let out = '';
  let i = 0;
  let j = 0;
  while (i < p.length || j < m.length) {
    const pc = p[i];
    const mc = m[j];
    const pLetter = pc !== undefined && /[A-Z]/.test(fold(pc));
    const mLetter = mc !== undefined && /[A-Z]/.test(mc);
    if (pLetter && mLetter) {
      out += pc;
      i++;
      j++;
    } else if (!pLetter && pc !== undefined) {
      // the print's separator (space, hyphen, apostrophe, comma): kept; the zone's one at the same place skipped
      out += pc;
      i++;
      if (mc !== undefined && !mLetter) j++;
    } else if (mc !== undefined && !mLetter) {
      out += ' ';
      j++;
    } else break;
  }
  return out.replace(/\s+/g, ' ').trim();
}

const NAME_NOISE = /^[^\p{L}]+$/u;

function nameWords(words: readonly OcrWord[]): OcrWord[] {
  const ws = words.filter((w) => !NAME_NOISE.test(w.text) || w.text === ',');
  while (ws.length && NAME_NOISE.test(ws[ws.length - 1]!.text)) ws.pop();
  return ws;
}

interface Printed {
  text: string;
  confidence: number;
}

function printedValue(page: OcrPage, label: RegExp, exclude?: RegExp): Printed | undefined {
  for (const hit of findLabels(page, label)) {
    if (exclude && exclude.test(fold(hit.line.text))) continue;
    // Cards print the value under its label; some forms put it after the label on the same line.
    const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
    const sources: OcrWord[][] = [];
    if (below) sources.push(cellBelow(page, hit, hit.labelWords).length ? below.words : []);
    sources.push(hit.rest.filter((w) => !/[/]/.test(w.text) && !/^(?:SURNAME|GIVEN|NAMES|NOM|NAME)$/i.test(w.text)));
    for (const words of sources) {
      const ws = nameWords(words);
      if (ws.length === 0) continue;
      const text = ws.map((w) => w.text).join(' ').replace(/\s+,/g, ',');
      if (/\p{L}{2,}/u.test(text) && !/\d/.test(text)) return { text, confidence: meanConfidence(ws) };
    }
  }
  return undefined;
}

/** Given names as the documents print them: "Hélène, Anne". */
function joinGiven(printed: string, mrzGiven: readonly string[]): string | null {
  const aligned = alignName(printed, mrzGiven.join(' '));
  if (aligned === null) return null;
  // Re-cut the aligned print at the zone's name boundaries and join with the printed comma.
  const parts: string[] = [];
  let rest = aligned.replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
  for (const g of mrzGiven) {
    let taken = '';
    let letters = 0;
    const want = g.replace(/[^A-Z]/g, '').length;
    let k = 0;
    for (; k < rest.length && letters < want; k++) {
      taken += rest[k];
      if (/[A-Z]/.test(fold(rest[k]!))) letters++;
    }
    parts.push(taken.trim());
    rest = rest.slice(k).trim();
  }
  return parts.join(', ');
}

/**
 * The zone's surname and given names; when OCR lost the double filler between them, the printed surname
 * tells where the surname ends.
 */
function splitNames(mrz: MrzReading, printedSurname: string | undefined): { surname: string; givenNames: string[] } {
  if (mrz.givenNames.length || !printedSurname) return { surname: mrz.surname, givenNames: mrz.givenNames };
  const words = mrz.surname.split(' ');
  const want = fold(printedSurname).replace(/[^A-Z]/g, '');
  for (let k = 1; k < words.length; k++) {
    if (words.slice(0, k).join('') === want) return { surname: words.slice(0, k).join(' '), givenNames: words.slice(k) };
  }
  return { surname: mrz.surname, givenNames: [] };
}

/** Levenshtein distance, for names that print and zone spell almost alike. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Print and zone disagree on a name: one of them is misread, and no check digit says which. The print is the
 * value as printed (accents, case) so it is kept when it is close to the zone's spelling; either way the
 * person is asked to look.
 */
function disagreeing(printed: Printed | undefined, mrzName: string, ocr: number): FieldReading {
  const letters = (s: string) => fold(s).replace(/[^A-Z]/g, '');
  if (printed && /^[\p{L}][\p{L} ,'’-]*$/u.test(printed.text) && (!mrzName || distance(letters(printed.text), letters(mrzName)) <= 2)) {
    return { ...reading(printed.text, Math.min(printed.confidence, 0.7), true), source: 'ocr' };
  }
  return { ...reading(mrzName, Math.min(ocr, 0.7), mrzName !== ''), source: 'mrz' };
}

// ---------------------------------------------------------------- printed (visual zone) fields

const LABELS = {
  surname: /\bNOM\b(?!\s+D'?\s*USAGE)|\bSURNAME\b/,
  given: /\bPRENOMS?\b|\bGIVEN\s+NAMES?\b/,
  number: /N[°O]?\s*DU\s+DOCUMENT|DOCUMENT\s+N[O°]|PASSEPORT\s+N[°O]|PASSPORT\s+N[O°]|N[°O]?\s*DU\s+TITRE|PERMIT\s+N[O°]|CARD\s+N[O°]/,
  birth: /DATE\s+DE\s+NAISS|DATE\s+OF\s+BIRTH/,
  expiry: /DATE\s+D'?\s*EXPIR|EXPIRY|VALABLE\s+JUSQU|VALID\s+UNTIL/,
};

/** A value printed in the cell under a label that shares its row with other labels (a card's grid). */
function cellValue(page: OcrPage, label: RegExp): { words: OcrWord[]; line: OcrLine } | undefined {
  for (const hit of findLabels(page, label)) {
    const words = cellBelow(page, hit, hit.labelWords);
    if (words.length) return { words, line: hit.line };
  }
  return undefined;
}

function printedNumber(page: OcrPage): Printed | undefined {
  const cell = cellValue(page, LABELS.number);
  if (!cell) return undefined;
  const w = cell.words.find((x) => /^[A-Z0-9]{8,12}$/.test(x.text.replace(/[^A-Z0-9]/gi, '').toUpperCase()));
  return w ? { text: w.text.replace(/[^A-Z0-9]/gi, '').toUpperCase(), confidence: w.confidence } : undefined;
}

function printedDate(page: OcrPage, label: RegExp): Printed | undefined {
  const cell = cellValue(page, label);
  if (!cell) return undefined;
  const text = cell.words.map((w) => w.text).join(' ');
  const d = findDates(text)[0];
  return d ? { text: d.iso, confidence: meanConfidence(cell.words) } : undefined;
}

// ---------------------------------------------------------------- fields

function zoneConfidence(mrzPage: OcrPage | undefined, page: OcrPage, mrz: MrzReading): number {
  const src = mrzPage ?? page;
  const lines = src.lines.slice(mrz.firstLine, mrz.firstLine + mrz.lines.length);
  const words = lines.flatMap((l) => l.words);
  return words.length ? meanConfidence(words) : src.confidence;
}

/** A field proven by a check digit is trusted whatever the OCR confidence; each look-alike fix costs a little. */
function checked(value: string, valid: boolean, ocr: number, corrections: number, agreesWithPrint: boolean | undefined, composite = true): FieldReading {
  let c = valid ? Math.max(ocr, 0.95) * 0.98 ** corrections : ocr * 0.5;
  if (!composite) c *= 0.8;
  if (valid && agreesWithPrint === false) c *= 0.85;
  if (valid && agreesWithPrint === true) c = Math.max(c, 0.97);
  return { ...reading(value, c, valid), source: 'mrz' };
}

export interface IdentityOptions {
  /** a second recognition of the zone's region, restricted to the zone's alphabet (more reliable) */
  mrzPage?: OcrPage;
  now?: Date;
}

export interface IdentityExtraction {
  fields: Fields;
  mrz: MrzReading | null;
}

/**
 * A zone counts when its composite or two of its own check digits hold: a random line passes one check one
 * time in ten, two one time in a hundred.
 */
export function credibleMrz(m: MrzReading | null): m is MrzReading {
  return m !== null && (m.composite || Number(m.documentNumber.valid) + Number(m.birthDate.valid) + Number(m.expiryDate.valid) >= 2);
}

export function readIdentityMrz(page: OcrPage, opts: IdentityOptions = {}): MrzReading | null {
  const printed = printedNumber(page)?.text;
  const options = { ...(opts.now ? { now: opts.now } : {}), ...(printed ? { printedNumber: printed } : {}) };
  const fromPass = opts.mrzPage ? readMrz(opts.mrzPage.lines.map((l) => l.text), options) : null;
  if (credibleMrz(fromPass)) return fromPass;
  const fromPage = readMrz(page.lines.map((l) => l.text), options);
  return credibleMrz(fromPage) ? fromPage : null;
}

export function extractIdentity(page: OcrPage, opts: IdentityOptions = {}): IdentityExtraction {
  const fields: Fields = {};
  const mrz = readIdentityMrz(page, opts);
  const printedSurname = printedValue(page, LABELS.surname, /PRENOM|GIVEN/);
  const printedGiven = printedValue(page, LABELS.given);
  const number = printedNumber(page);
  const birth = printedDate(page, LABELS.birth);
  const expiry = printedDate(page, LABELS.expiry);

  if (mrz) {
    // A failed composite means some covered character is misread even if each field's own digit holds.
    const ocr = zoneConfidence(opts.mrzPage, page, mrz);
    const cc = mrz.composite;
    const split = splitNames(mrz, printedSurname?.text);
    const surname = printedSurname ? alignName(printedSurname.text, split.surname) : null;
    if (surname) fields.surname = reading(surname, Math.max(printedSurname!.confidence, 0.9), true);
    else fields.surname = disagreeing(printedSurname, split.surname, ocr);
    const given = printedGiven && split.givenNames.length ? joinGiven(printedGiven.text, split.givenNames) : null;
    if (given) fields.givenNames = reading(given, Math.max(printedGiven!.confidence, 0.9), true);
    else fields.givenNames = disagreeing(printedGiven, split.givenNames.join(', '), ocr);
    if (!fields.surname.value) delete fields.surname;
    if (!fields.givenNames.value) delete fields.givenNames;
    const d = mrz.documentNumber;
    fields.documentNumber = checked(d.value, d.valid, ocr, d.corrections, number ? number.text === d.value : undefined, cc);
    // Two look-alike fixes both check and the print does not settle it: the person must look.
    if (d.ambiguous) fields.documentNumber = { ...reading(d.value, fields.documentNumber.confidence * 0.6, d.valid), source: 'mrz' };
    fields.birthDate = checked(mrz.birthDate.value, mrz.birthDate.valid, ocr, mrz.birthDate.corrections, birth ? birth.text === mrz.birthDate.value : undefined, cc);
    fields.expiryDate = checked(mrz.expiryDate.value, mrz.expiryDate.valid, ocr, mrz.expiryDate.corrections, expiry ? expiry.text === mrz.expiryDate.value : undefined, cc);
    fields.nationality = checked(mrz.nationality.value, mrz.nationality.valid, ocr, mrz.nationality.corrections, undefined, cc);
    fields.sex = checked(mrz.sex.value, mrz.sex.valid, ocr, 0, undefined, cc);
    if (mrz.optionalData.value) fields.optionalData = checked(mrz.optionalData.value, mrz.optionalData.valid, ocr, 0, undefined);
    return { fields, mrz };
  }

  // No readable zone: the printed fields alone, which no check digit proves.
  const CAP = 0.6;
  if (printedSurname) fields.surname = reading(printedSurname.text, Math.min(CAP, printedSurname.confidence), true);
  if (printedGiven) fields.givenNames = reading(printedGiven.text, Math.min(CAP, printedGiven.confidence), true);
  if (number) fields.documentNumber = reading(number.text, Math.min(CAP, number.confidence), false);
  if (birth) fields.birthDate = reading(birth.text, Math.min(CAP, birth.confidence), true);
  if (expiry) fields.expiryDate = reading(expiry.text, Math.min(CAP, expiry.confidence), true);
  return { fields, mrz: null };
}
