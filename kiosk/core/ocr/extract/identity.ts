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
import { combineReadings, readMrz } from './mrz.ts';
import type { FieldReading, Fields, OcrPage, OcrWord } from './page.ts';
import { editDistance, fold, meanConfidence, reading } from './page.ts';

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

/**
 * `alignName`, after setting aside up to two trailing words of the print the zone does not have (a mark
 * of the card read as « a », « PS »): the zone proves every letter that is kept.
 */
export function alignNameBefore(printed: string, mrzName: string): string | null {
  const words = printed.trim().split(/\s+/);
  for (let drop = 0; drop <= Math.min(2, words.length - 1); drop++) {
    const v = alignName(words.slice(0, words.length - drop).join(' '), mrzName);
    if (v !== null) return v;
  }
  return null;
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
  /** a letter of the print was chosen between two readings (its accent): the zone cannot prove that choice */
  mended?: boolean;
}

/**
 * Two accented forms of one vowel side by side (« NOËÉMIE »): OCR gave both of its guesses for one letter.
 * The acute, by far the commonest accent on French names, is kept when it is one of them, else the second.
 */
function oneAccentPerVowel(text: string): { text: string; mended: boolean } {
  let mended = false;
  const out = text.replace(/([ÀÂÄÉÈÊËÎÏÔÖÙÛÜàâäéèêëîïôöùûü])([ÀÂÄÉÈÊËÎÏÔÖÙÛÜàâäéèêëîïôöùûü])/gu, (m, a: string, b: string) => {
    if (fold(a) !== fold(b)) return m;
    mended = true;
    return /[éÉ]/.test(a) ? a : b;
  });
  return { text: out, mended };
}

/** Every label of the card's printed fields: a line that holds one is a label line, not a value. */
function isLabelLine(text: string): boolean {
  const t = fold(text);
  return Object.values(LABELS).some((re) => re.test(t)) || /\bSEXE?\b|NATIONALIT/.test(t);
}

/** The label's own words after it: the English half of a bilingual label (« NOM / Surname »), separators. */
function valueAfter(hit: { rest: OcrWord[] }): OcrWord[] {
  const ws = hit.rest.filter((w) => !(/[/:]/.test(w.text) && !/\d/.test(w.text)) && !/^(?:SU(?:RN|M)AME|GIVEN|NAMES?|NOM|SEX|NATIONALITY|DATE|OF|BIRTH|EXPIRY|DOCUMENT|NO)$/i.test(w.text.replace(/[^\p{L}]/gu, '')));
  return isLabelLine(ws.map((w) => w.text).join(' ')) ? [] : ws;
}

/** The first printed value of a label (see `printedValues`). */
function printedValue(page: OcrPage, label: RegExp, exclude?: RegExp): Printed | undefined {
  return printedValues(page, label, exclude)[0];
}

/**
 * Every reading of a printed name field, in order of likelihood: after its label, then under it. A label
 * misread (« Give names ») leaves words after it that are not the value; the zone tells which reading is.
 */
function printedValues(page: OcrPage, label: RegExp, exclude?: RegExp): Printed[] {
  const out: Printed[] = [];
  for (const hit of findLabels(page, label)) {
    if (exclude && exclude.test(fold(hit.line.text))) continue;
    // Some cards print the value after its label (« NOM : DUPONT »), others under it; a line below that is
    // itself a label is the next field, never this one's value.
    const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
    const sources: OcrWord[][] = [valueAfter(hit)];
    if (below && !isLabelLine(below.text)) sources.push(cellBelow(page, hit, hit.labelWords).length ? below.words : []);
    for (const words of sources) {
      const ws = nameWords(words);
      if (ws.length === 0) continue;
      // a mark before or after the name (« ‘Yasmina ») is not part of it
      const text = ws.map((w) => w.text).join(' ').replace(/\s+,/g, ',').replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      if (!/\p{L}{2,}/u.test(text) || /\d/.test(text)) continue;
      const one = oneAccentPerVowel(text);
      out.push({ text: one.text, confidence: meanConfidence(ws), ...(one.mended ? { mended: true } : {}) });
    }
  }
  return out;
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

/**
 * Print and zone disagree on a name: one of them is misread, and no check digit says which. The print is the
 * value as printed (accents, case) so it is kept when it is close to the zone's spelling; either way the
 * person is asked to look.
 */
function disagreeing(printed: Printed | undefined, mrzName: string, ocr: number): FieldReading {
  const letters = (s: string) => fold(s).replace(/[^A-Z]/g, '');
  if (printed && /^[\p{L}][\p{L} ,'’-]*$/u.test(printed.text) && (!mrzName || editDistance(letters(printed.text), letters(mrzName)) <= 2)) {
    return { ...reading(printed.text, Math.min(printed.confidence, 0.7), true), source: 'ocr' };
  }
  return { ...reading(mrzName, Math.min(ocr, 0.7), mrzName !== ''), source: 'mrz' };
}

// ---------------------------------------------------------------- printed (visual zone) fields

const LABELS = {
  // « rn » is often read « m » in small print: « Sumame »
  surname: /\bNOM\b(?!\s+D'?\s*USAGE)|\bSU(?:RN|M)AME\b/,
  given: /\bPRENOMS?\b|\bGIVEN\s+NAMES?\b/,
  number: /N[°O]?\s*DU\s+DOCUMENT|DOCUMENT\s+N[O°]|PASSEPORT\s+N[°O]|PASSPORT\s+N[O°]|N[°O]?\s*DU\s+TITRE|PERMIT\s+N[O°]|CARD\s+N[O°]/,
  birth: /DATE\s+DE\s+NAISS|DATE\s+OF\s+BIRTH/,
  expiry: /DATE\s+D'?\s*EXPIR|EXPIRY|VALABLE\s+JUSQU|VALID\s+UNTIL/,
};

/**
 * The words of a printed field: after its label on the same line (« Sexe : F »), else in the cell under it
 * (a card's grid of labels over values).
 */
function cellValues(page: OcrPage, label: RegExp): OcrWord[][] {
  const out: OcrWord[][] = [];
  for (const hit of findLabels(page, label)) {
    const after = valueAfter(hit);
    if (after.length) out.push(after);
    const words = cellBelow(page, hit, hit.labelWords);
    if (words.length) out.push(words);
  }
  return out;
}

function printedNumber(page: OcrPage): Printed | undefined {
  for (const words of cellValues(page, LABELS.number)) {
    // A number has digits, or is printed in capitals alone (the 2021 card's nine characters may all be
    // letters); a word of a label (« D'EXPIRATION », « Document ») is neither.
    const w = words.find((x) => /^[A-Z0-9]{8,12}$/.test(x.text.replace(/[^A-Z0-9]/gi, '').toUpperCase()) && (/\d/.test(x.text) || (/^[A-Z]{9}$/.test(x.text) && !isLabelLine(x.text))));
    if (w) return { text: w.text.replace(/[^A-Z0-9]/gi, '').toUpperCase(), confidence: w.confidence };
  }
  return undefined;
}

/**
 * A date printed « 15 02 1965 » whose spaces OCR lost (« 15021965 », « 1502 1965 »): read only under a date's
 * label, with a lower score, since nothing checks it.
 */
function compactDate(text: string): string | undefined {
  const m = /(?<!\d)([0-3]\d)(\s?)([01]\d)(\s?)((?:19|20)\d{2})(?!\d)/.exec(text);
  if (!m || (m[2] && m[4])) return undefined;
  return findDates(`${m[1]} ${m[3]} ${m[5]}`)[0]?.iso;
}

function printedDate(page: OcrPage, label: RegExp): Printed | undefined {
  for (const words of cellValues(page, label)) {
    const text = words.map((w) => w.text).join(' ');
    const d = findDates(text)[0];
    if (d) return { text: d.iso, confidence: meanConfidence(words) };
    const compact = compactDate(text);
    if (compact) return { text: compact, confidence: Math.min(0.5, meanConfidence(words)) };
  }
  return undefined;
}

function printedSex(page: OcrPage): Printed | undefined {
  for (const words of cellValues(page, /\bSEXE\b|\bSEX\b/)) {
    const w = words[0];
    if (w && /^[FMX]$/.test(w.text)) return { text: w.text, confidence: w.confidence };
  }
  return undefined;
}

/** Nationality in the zone's code: printed as a code (« FRA ») or, on French cards, as « FRANÇAISE ». */
function printedNationality(page: OcrPage): Printed | undefined {
  for (const words of cellValues(page, /NATIONALITE|NATIONALITY/)) {
    const w = words[0];
    if (!w) continue;
    const t = fold(w.text).replace(/[^A-Z]/g, '');
    if (/^FRANCAISE?$/.test(t)) return { text: 'FRA', confidence: w.confidence };
    if (/^[A-Z]{3}$/.test(t) && t === w.text) return { text: t, confidence: w.confidence };
  }
  return undefined;
}

/**
 * The lines that hold a printed name (after its label, or under it), for the worker to read again alone: in a
 * page's reading, capital letters lose their accents (« LEFEVRE » for « LEFÈVRE ») far more often.
 */
export function nameLines(page: OcrPage): number[] {
  const out = new Set<number>();
  for (const label of [LABELS.surname, LABELS.given]) {
    for (const hit of findLabels(page, label)) {
      if (valueAfter(hit).length) out.add(hit.lineIndex);
      const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
      if (below && !isLabelLine(below.text)) out.add(page.lines.indexOf(below));
    }
  }
  return [...out].filter((i) => i >= 0).sort((a, b) => a - b);
}

// ---------------------------------------------------------------- fields

function zoneConfidence(mrzPage: OcrPage | undefined, page: OcrPage, mrz: MrzReading): number {
  const src = mrz.pass && mrzPage ? mrzPage : page;
  const lines = src.lines.slice(mrz.firstLine, mrz.firstLine + mrz.lines.length);
  const words = lines.flatMap((l) => l.words);
  return words.length ? meanConfidence(words) : src.confidence;
}

/** A field proven by a check digit is trusted whatever the OCR confidence; each look-alike fix costs a little. */
function checked(value: string, valid: boolean, ocr: number, corrections: number, agreesWithPrint: boolean | undefined, composite = true): FieldReading {
  let c = valid ? Math.max(ocr, 0.95) * 0.98 ** corrections : ocr * 0.5;
  // a failed composite says some character it covers is misread, perhaps this one: under the calibration's floor
  if (!composite) c = Math.min(c * 0.8, 0.7);
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
  const fromPage = readMrz(page.lines.map((l) => l.text), options);
  // The page's first reading of the zone is a second opinion: where the zone's own pass misread a character
  // its check digit refutes, the other reading often has it right.
  if (credibleMrz(fromPass) && credibleMrz(fromPage)) return combineReadings({ ...fromPass, pass: true }, fromPage);
  if (credibleMrz(fromPass)) return { ...fromPass, pass: true };
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
    // of the printed readings, the one whose letters are the zone's
    const surnames = printedValues(page, LABELS.surname, /PRENOM|GIVEN/);
    const split = splitNames(mrz, printedSurname?.text);
    const sAligned = surnames.map((p) => ({ p, v: alignNameBefore(p.text, split.surname) })).find((x) => x.v);
    // letters the zone proves are sure; an accent chosen between two readings is not
    const proven = (p: Printed) => (p.mended ? Math.min(p.confidence, 0.7) : Math.max(p.confidence, 0.9));
    if (sAligned) fields.surname = reading(sAligned.v!, proven(sAligned.p), true);
    else fields.surname = disagreeing(printedSurname, split.surname, ocr);
    const givens = split.givenNames.length ? printedValues(page, LABELS.given) : [];
    const gAligned = givens.map((p) => ({ p, v: joinGiven(p.text, split.givenNames) })).find((x) => x.v);
    if (gAligned) fields.givenNames = reading(gAligned.v!, proven(gAligned.p), true);
    else fields.givenNames = disagreeing(printedGiven, split.givenNames.join(', '), ocr);
    if (!fields.surname.value) delete fields.surname;
    if (!fields.givenNames.value) delete fields.givenNames;
    const d = mrz.documentNumber;
    fields.documentNumber = checked(d.value, d.valid, ocr, d.corrections, number ? number.text === d.value : undefined, cc);
    // A print that differs from the zone in more than one place is not one misread character of the print:
    // the zone's number may be shifted by a stray character and check by chance (« Z2AWADNWM » printed
    // « 2AWADNWMJ »). The person looks.
    if (number && number.text !== d.value && [...number.text].filter((ch, i) => ch !== d.value[i]).length + Math.abs(number.text.length - d.value.length) > 1) {
      fields.documentNumber = { ...reading(d.value, Math.min(fields.documentNumber.confidence, 0.7), d.valid), source: 'mrz' };
    }
    // Two look-alike fixes both check and the print does not settle it: the person must look.
    if (d.ambiguous) fields.documentNumber = { ...reading(d.value, fields.documentNumber.confidence * 0.6, d.valid), source: 'mrz' };
    // A fix only the check digit supports is the likelier reading, not a proven one: the person confirms it.
    if (d.guessed) fields.documentNumber = { ...reading(d.value, Math.min(fields.documentNumber.confidence, d.ambiguous ? 0.35 : 0.6), d.valid), source: 'mrz' };
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
  const sex = printedSex(page);
  if (sex) fields.sex = reading(sex.text, Math.min(CAP, sex.confidence), true);
  const nationality = printedNationality(page);
  if (nationality) fields.nationality = reading(nationality.text, Math.min(CAP, nationality.confidence), true);
  return { fields, mrz: null };
}
