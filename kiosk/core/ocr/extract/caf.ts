/**
 * Attestation de paiement of a caisse d'allocations familiales: the numéro d'allocataire (7 digits), the
 * beneficiary, the month paid, and one amount per benefit (`amount_apl`, `amount_prime_activite`, …) plus
 * the total when printed. No 2D-Doc type exists for it in the ANTS specification: OCR only.
 */
import type { AmountMatch } from './checks.ts';
import { digitsOf, findAmounts, findMonth } from './checks.ts';
import { labelledCell, labelledText, looseMonth, oneOff } from './labels.ts';
import type { FieldReading, Fields, OcrPage } from './page.ts';
import { fold, reading } from './page.ts';
import type { PersonReading } from './person.ts';
import { labelledPerson, nameInSentence, personInSentences, recipientName } from './person.ts';

/** Benefit names as the caisses print them → field name. Order matters: specific names first. */
export const BENEFITS: readonly { key: string; re: RegExp }[] = [
  { key: 'amount_apl', re: /AIDE\s+PERSONNALISEE\s+AU\s+LOGEMENT|\bAPL\b/ },
  { key: 'amount_als', re: /ALLOCATION\s+DE\s+LOGEMENT\s+SOCIALE|\bALS\b/ },
  { key: 'amount_alf', re: /ALLOCATION\s+DE\s+LOGEMENT\s+FAMILIALE|\bALF\b/ },
  { key: 'amount_prime_activite', re: /PRIME\s+D'?\s*ACTIVITE/ },
  { key: 'amount_rsa', re: /REVENU\s+DE\s+SOLIDARITE\s+ACTIVE|\bRSA\b/ },
  { key: 'amount_aah', re: /ALLOCATION\s+AUX\s+ADULTES\s+HANDICAPES|\bAAH\b/ },
  { key: 'amount_ars', re: /ALLOCATION\s+DE\s+RENTREE\s+SCOLAIRE|\bARS\b/ },
  { key: 'amount_asf', re: /ALLOCATION\s+DE\s+SOUTIEN\s+FAMILIAL|\bASF\b/ },
  { key: 'amount_cf', re: /COMPLEMENT\s+FAMILIAL/ },
  { key: 'amount_paje', re: /ACCUEIL\s+DU\s+JEUNE\s+ENFANT|\bPAJE\b/ },
  { key: 'amount_af', re: /ALLOCATIONS\s+FAMILIALES(?!\s+DE\s)/ },
];

function allocataire(text: string): string | null {
  const m = /(?<![0-9A-Z])([0-9OQDILSB]{7})(?![0-9A-Z])/.exec(fold(text).replace(/(\d)\s(?=\d)/g, '$1'));
  if (!m) return null;
  const v = digitsOf(m[1]!);
  return /^\d{7}$/.test(v) ? v : null;
}

/**
 * Labels of the beneficiary, most specific first; « allocataire » alone is also the word of the number's
 * label (« Numéro allocataire »), which names no one.
 */
const HOLDER_LABELS = [
  /NOM\s+(?:ET\s+PRENOMS?\s+)?DE\s+L'?\s*ALLOCATAIRE/,
  /(?<!(?:NUMERO|N°|NO|REFERENCE|NUM\.?|DOSSIER|DE\s+L'?)\s*)\bALLOCATAIRE\b(?!S)/,
  /\bBENEFICIAIRE\b/,
];

function scaled<T extends { confidence: number }>(v: T | undefined, factor: number): T | undefined {
  return v && { ...v, confidence: v.confidence * factor };
}

/**
 * A payment is never negative on an attestation de paiement: « - 41,99 € » after a benefit's name is a dash
 * between the name and the figure.
 */
function unsigned(text: string, a: AmountMatch): string {
  return /^-\s/.test(text.slice(a.index)) ? a.value.replace(/^-/, '') : a.value;
}

/** The beneficiary named in the sentence that certifies the payments (« Nous certifions que M. X a perçu »). */
function certifiedPerson(page: OcrPage): PersonReading | undefined {
  for (const line of page.lines) {
    if (!/CERTIFI|ATTESTONS|A\s+PERCU|BENEFICIE/.test(fold(line.text))) continue;
    const v = nameInSentence(line.text);
    if (v) return { value: v, confidence: line.confidence, where: 'sentence' };
  }
  return undefined;
}

/**
 * A person named in the letter's sentences: the one the certifying sentence names when it is someone else
 * than the first named (the recipient, « M ou Mme X », may be the couple); the same person read twice with
 * different accents (« Maëlle », « Maélle ») is doubtful.
 */
function inSentences(page: OcrPage): PersonReading | undefined {
  const first = personInSentences(page);
  const certified = certifiedPerson(page);
  if (!first || !certified) return certified ?? first;
  const letters = (v: string) => fold(v).replace(/[^A-Z]/g, '');
  if (letters(first.value) !== letters(certified.value)) return certified;
  return first.value === certified.value ? first : { ...first, confidence: first.confidence * 0.8 };
}

/**
 * The month paid from the table's month column when no period is read: every benefit row carries the same
 * « 06/2022 ». Rows of different months name no single period.
 */
function monthColumn(page: OcrPage): { value: string; confidence: number } | undefined {
  const months = new Set<string>();
  let confidence = 1;
  for (const line of page.lines) {
    if (!BENEFITS.some((b) => b.re.test(fold(line.text)))) continue;
    const m = /(?<![\d/])(0[1-9]|1[0-2])\s?\/\s?((?:19|20)\d{2})(?![\d/])/.exec(line.text);
    if (!m) continue;
    months.add(`${m[2]}-${m[1]}`);
    confidence = Math.min(confidence, line.confidence);
  }
  if (months.size !== 1) return undefined;
  return { value: [...months][0]!, confidence: confidence * 0.8 };
}

const centsOf = (decimal: string) => Math.round(Number(decimal) * 100);

/**
 * Rows that do not add up to the total, mended where one reading explains the gap and only it does: a total
 * whose decimal comma was lost (« TOTAL 125531 » for the rows' 1 255,31), or one row with a stray figure
 * before it (« 2 244,68 » where 244,68 makes the sum). The mended value is shown for checking.
 */
function repairSum(page: OcrPage, fields: Fields, rows: [string, FieldReading][]): boolean {
  if (rows.length === 0) return false;
  const sum = rows.reduce((s, [, v]) => s + centsOf(v.value), 0);
  if (!fields.total) {
    for (const line of page.lines) {
      if (!(/^\s*\W*\s*TOTAL/.test(fold(line.text)) || /\bTOTAL\s+(?:DES\s+)?(?:PAIEMENTS|VERSE)/.test(fold(line.text)))) continue;
      const lost = findAmounts(line.text).at(-1);
      if (lost && /^\d+\.00$/.test(lost.value) && centsOf(lost.value) / 100 === sum) {
        fields.total = reading((sum / 100).toFixed(2), line.confidence * 0.8, true);
        return true;
      }
    }
    return false;
  }
  const total = centsOf(fields.total.value);
  if (sum === total) return false;
  const fixes = rows.filter(([, v]) => {
    const digits = v.value.replace('.', '');
    // the stray figure: one leading digit too many
    const shorter = Number(digits.slice(1));
    return digits.length > 3 && sum - centsOf(v.value) + shorter === total;
  });
  if (fixes.length !== 1) return false;
  const [key, v] = fixes[0]!;
  const value = (Number(v.value.replace('.', '').slice(1)) / 100).toFixed(2);
  fields[key] = reading(value, v.confidence * 0.7, true);
  return true;
}

export function extractCafCertificate(page: OcrPage): Fields {
  const fields: Fields = {};
  // « allocataire » misread by a letter (« albocataire », « altocataire ») and its « N° » lost: a weaker sign,
  // though only seven digits standing alone are taken after it
  const num =
    labelledText(page, /(?:N(?:°|O\.?|UMERO)|REFERENCE|MATRICULE)\s*(?:D'?\s*|DE\s+L'?\s*)?ALLOCATAIRE/, allocataire) ??
    scaled(labelledText(page, new RegExp(`(?<![A-Z])${oneOff('ALLOCATAIRE')}(?![A-Z])`), allocataire) ?? labelledCell(page, new RegExp(`(?<![A-Z])${oneOff('ALLOCATAIRE')}(?![A-Z])`), allocataire), 0.8);
  // « Référence atocstaire »: a number's label with a word in -aire past one letter's repair, weaker still
  const garbled = /(?:N(?:°|O\.?|UMERO)|REFERENCE)\s*(?:D'?\s*|DE\s+L'?\s*)?[A-Z]{3,}AIRE\b/;
  const found = num ?? scaled(labelledText(page, garbled, allocataire) ?? labelledCell(page, garbled, allocataire), 0.7);
  if (found) fields.allocataireNumber = reading(found.value, found.confidence, true);
  // labelled, else named in the sentence that certifies the payments (the letter's recipient may be the
  // couple, « M ou Mme X »), else in any sentence, else the recipient of the letter
  const holder = labelledPerson(page, HOLDER_LABELS) ?? inSentences(page) ?? recipientName(page);
  if (holder) fields.holder = reading(holder.value, holder.where === 'block' ? holder.confidence * 0.8 : holder.confidence, true);
  const monthOf = (t: string) => findMonth(t)?.ym;
  const period =
    labelledText(page, /PERIODE|MOIS\s+DE|AU\s+TITRE\s+D/, monthOf) ??
    scaled(labelledText(page, new RegExp(`(?<![A-Z])${oneOff('PERIODE')}(?![A-Z])`), (t) => monthOf(t) ?? looseMonth(t)?.ym), 0.8) ??
    monthColumn(page);
  if (period) fields.period = reading(period.value, period.confidence, true);

  for (const line of page.lines) {
    const t = fold(line.text);
    const amounts = findAmounts(line.text);
    if (amounts.length === 0) continue;
    const last = amounts[amounts.length - 1]!;
    // An amount is the row's last number and is written with cents on these statements.
    if (!/\d,\d\d/.test(line.text.slice(last.index, last.index + last.length))) continue;
    if (/^\s*TOTAL/.test(t) || /\bTOTAL\s+(?:DES\s+)?(?:PAIEMENTS|VERSE)/.test(t)) {
      fields.total ??= reading(unsigned(line.text, last), line.confidence, true);
      continue;
    }
    const b = BENEFITS.find((x) => x.re.test(t));
    if (b && !fields[b.key]) fields[b.key] = reading(unsigned(line.text, last), line.confidence, true);
  }
  // The rows must add up to the printed total: if they do, every amount is confirmed; if not, one is misread.
  const rows = Object.entries(fields).filter(([k]) => k.startsWith('amount_'));
  // a mended sum agrees by construction: it confirms nothing, and the mended value stays doubtful
  if (repairSum(page, fields, rows)) return fields;
  if (fields.total && rows.length) {
    const sum = rows.reduce((s, [, v]) => s + Math.round(Number(v.value) * 100), 0);
    const agrees = sum === Math.round(Number(fields.total.value) * 100);
    for (const [k, v] of [...rows, ['total', fields.total] as const]) {
      fields[k] = reading(v.value, agrees ? Math.max(v.confidence, 0.95) : v.confidence * 0.6, agrees);
    }
  }
  return fields;
}
