/**
 * Fields of a French "Relevé d'identité bancaire": IBAN, BIC, account holder, bank name. Every field's
 * confidence comes from tesseract's word confidences (lowered for corrections and weak evidence) and `valid`
 * from its own check: mod-97 and RIB key for the IBAN, ISO 9362 shape and country for the BIC.
 */
import { isValidBic } from '../../../../sync-server/protocol/iban.ts';
import { candidateConfidence, findIbanCandidates } from './iban.ts';
import type { IbanCandidate } from './iban.ts';
import { cells, cellUnder, findLabels, lineBelow, sameRowRight, textBox } from './labels.ts';
import type { Box, FieldReading, Fields, OcrLine, OcrPage, OcrWord } from './page.ts';
import { clamp01, fold, meanConfidence } from './page.ts';
import { restoreAccents } from './person.ts';

function reading(value: string, confidence: number, valid: boolean): FieldReading {
  return { value, confidence: Math.round(clamp01(confidence) * 1000) / 1000, valid };
}

// ---------------------------------------------------------------- IBAN

function rankIban(c: IbanCandidate): number {
  return (c.source === 'iban' ? 4 : 0) + (c.labelled ? 2 : 0) - 0.1 * c.corrections + candidateConfidence(c);
}

function extractIban(page: OcrPage): FieldReading | undefined {
  const candidates = findIbanCandidates(page);
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => rankIban(b) - rankIban(a));
  const best = candidates[0]!;
  let confidence = candidateConfidence(best);
  // The table row and the IBAN line are two readings of the same number: agreement confirms it,
  // disagreement means one of them is misread.
  const others = candidates.filter((c) => c !== best);
  if (others.some((c) => c.iban === best.iban && c.source !== best.source)) confidence = Math.max(confidence, 0.97);
  else if (others.some((c) => c.iban !== best.iban)) confidence *= 0.7;
  return reading(best.iban, confidence, true);
}

// ---------------------------------------------------------------- BIC

const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B' };
/** Words of the labels around a BIC: two of them joined can have a BIC's shape (« du compte » → DUCOMPTE). */
const LABEL_WORDS = new Set(['BIC', 'SWIFT', 'CODE', 'BANK', 'IDENTIFIER', 'ADRESSE', 'BICSWIFT', 'DU', 'DE', 'COMPTE', 'TITULAIRE', 'INTITULE', 'IBAN', 'DOMICILIATION', 'AGENCE', 'BANQUE', 'GUICHET']);
const FRENCH_TERRITORIES = new Set(['FR', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'NC', 'PF', 'WF', 'BL', 'MF', 'TF']);

/** The bank and country parts of a BIC are letters: digits there are misreads. */
function correctBic(raw: string): { bic: string; corrections: number } | null {
  if (raw.length !== 8 && raw.length !== 11) return null;
  let corrections = 0;
  let bic = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (i < 6 && !/[A-Z]/.test(ch)) {
      const l = TO_LETTER[ch];
      if (!l) return null;
      bic += l;
      corrections++;
    } else bic += ch;
  }
  return isValidBic(bic) ? { bic, corrections } : null;
}

/**
 * The BIC's country is the IBAN's (or both are French territories); without an IBAN read, a French RIB's
 * bank is French: any other country is more likely a word of the page that has a BIC's shape.
 */
function countryCompatible(bic: string, ibanCountry: string | undefined): boolean {
  const c = bic.slice(4, 6);
  if (ibanCountry === undefined) return FRENCH_TERRITORIES.has(c);
  return c === ibanCountry || (FRENCH_TERRITORIES.has(c) && FRENCH_TERRITORIES.has(ibanCountry));
}

interface BicCandidate {
  bic: string;
  corrections: number;
  words: OcrWord[];
  labelled: boolean;
}

/**
 * BIC-shaped runs of one to three consecutive words (OCR may split "BNPA FRPP XXX"; the longest run wins),
 * never across a column's gap: on a grid the next column's value (« CMCIFRPP      MME X ») is another field.
 */
function bicCandidates(words: readonly OcrWord[], labelled: boolean): BicCandidate[] {
  return cells(words).flatMap((cell) => bicRuns(cell, labelled));
}

function bicRuns(words: readonly OcrWord[], labelled: boolean): BicCandidate[] {
  const out: BicCandidate[] = [];
  const tokens = words.map((w) => fold(w.text).replace(/[^A-Z0-9]/g, ''));
  // A BIC is printed in capitals: a word in small letters (« du », « compte ») belongs to a sentence or a label.
  const lower = words.map((w) => /^\p{Ll}{2,}$/u.test(w.text.replace(/[^\p{L}]/gu, '')));
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < Math.min(words.length, i + 3); j++) {
      if (LABEL_WORDS.has(tokens[j]!) || lower[j]) break;
      joined += tokens[j];
      const c = correctBic(joined);
      if (c) out.push({ ...c, words: words.slice(i, j + 1), labelled });
    }
  }
  return out;
}

function extractBic(page: OcrPage, ibanCountry: string | undefined): FieldReading | undefined {
  const candidates: BicCandidate[] = [];
  for (const hit of findLabels(page, /\b(?:BIC|SWIFT)\b|BANK IDENTIFIER CODE/)) {
    candidates.push(...bicCandidates(hit.rest, true));
    for (const l of sameRowRight(page, hit)) candidates.push(...bicCandidates(l.words, true));
    const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
    if (below) candidates.push(...bicCandidates(below.words, true));
  }
  if (ibanCountry !== undefined) {
    // Unlabelled: only a single word whose country matches the IBAN's, or common words would pass the shape.
    for (const line of page.lines) {
      for (const c of bicCandidates(line.words, false)) if (c.words.length === 1 && c.bic.slice(4, 6) === ibanCountry) candidates.push(c);
    }
  }
  const score = (c: BicCandidate) =>
    (countryCompatible(c.bic, ibanCountry) ? 4 : 0) + (c.labelled ? 2 : 0) - 0.2 * c.corrections + (c.bic.length === 11 ? 0.3 : 0) + meanConfidence(c.words);
  const best = candidates.sort((a, b) => score(b) - score(a))[0];
  if (!best) return undefined;
  const compatible = countryCompatible(best.bic, ibanCountry);
  // In the location and branch parts letters and digits are both legal and no check digit tells 1 from I or
  // 0 from O: each such character lowers the confidence so the person is asked to look.
  const lookAlikes = [...best.bic.slice(6)].filter((ch) => '01IO'.includes(ch)).length;
  const confidence =
    meanConfidence(best.words) * 0.95 ** best.corrections * 0.9 ** lookAlikes * (best.labelled ? 1 : 0.8) * (compatible ? 1 : 0.6);
  return reading(best.bic, confidence, compatible);
}

// ---------------------------------------------------------------- holder

const CIVILITY = /^(?:M|MR|MME|MLLE|MM|MONSIEUR|MADAME|MADEMOISELLE)\.?$/;

/** A stray mark at either end of a name: no letter, a lone letter without a dot, or a word OCR doubts. */
function isEdgeNoise(w: OcrWord): boolean {
  return !/\p{L}/u.test(w.text) || /^\p{L}$/u.test(w.text) || w.confidence < 0.4;
}

function cleanName(words: readonly OcrWord[]): OcrWord[] {
  const ws = [...words];
  // Table rules, speckles and logo fragments around a name are OCR noise, not part of it.
  while (ws.length && isEdgeNoise(ws[ws.length - 1]!)) ws.pop();
  while (ws.length && isEdgeNoise(ws[0]!) && !CIVILITY.test(fold(ws[0]!.text))) ws.shift();
  return ws;
}

export function looksLikeName(value: string): boolean {
  if (value.length < 3 || value.length > 120 || /\d/.test(value)) return false;
  if (!/^[\p{L}][\p{L} .,'’&/-]*$/u.test(value)) return false;
  const words = value.split(/\s+/).filter((w) => !CIVILITY.test(fold(w)));
  return words.some((w) => (w.match(/\p{L}/gu)?.length ?? 0) >= 2);
}

const OTHER_LABELS = /DOMICILIATION|IBAN|BIC|CODE|ADRESSE|AGENCE|BANQUE|RELEVE|COMPTE/;
/** The holder's address follows the name: when the name line is lost, the line below is a street, not a name. */
const ADDRESS_WORDS = /\b(?:RUE|AVENUE|AV|BOULEVARD|BD|IMPASSE|PLACE|CHEMIN|ALLEE|ROUTE|QUAI|COURS|LIEU-DIT|RESIDENCE|BATIMENT|BP|CEDEX)\b/;

/** A postcode and a town: the end of an address line. */
const POSTCODE_TOWN = /\b\d{5}\s+\p{Lu}/u;

function nameFrom(words: readonly OcrWord[]): FieldReading | undefined {
  // An address line keeps its town once the digits are cut off (« 5 chemin X, 42000 SAINT-ÉTIENNE »).
  const whole = words.map((w) => w.text).join(' ');
  if (POSTCODE_TOWN.test(whole) || ADDRESS_WORDS.test(fold(whole)) || /\bADRESSE\b/.test(fold(whole))) return undefined;
  // A name has no digits: words up to the last one with a digit belong to something read on the same line
  // (the IBAN printed beside the holder).
  const lastDigit = words.map((w) => /\d/.test(w.text)).lastIndexOf(true);
  let ws = cleanName(lastDigit >= 0 && lastDigit < words.length - 1 ? words.slice(lastDigit + 1) : words);
  // A civility starts the name: words before it belong to the field on its left (a BIC in the column beside).
  const civ = ws.findIndex((w) => CIVILITY.test(fold(w.text)));
  if (civ > 0 && !ws.slice(0, civ).some((w) => CIVILITY.test(fold(w.text)))) ws = ws.slice(civ);
  if (ws.length === 0) return undefined;
  const value = ws
    .map((w) => w.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
    // "M-", "M," or "M:" is a misread "M." (tesseract's usual confusion on a small dot)
    .replace(/^(M|MR|MME|MLLE)[-,:;·]\s/i, '$1. ')
    // a joint account's « M OU MME » read without its spaces (« MOUMME »)
    .replace(/^(M\.?)\s*(OU|ET)\s*(MME\.?)(?=\s)/i, '$1 $2 $3');
  if (OTHER_LABELS.test(fold(value)) || ADDRESS_WORDS.test(fold(value))) return undefined;
  // A value with a digit left is a code read beside the label (the BIC, a branch number), not a name: the
  // next place a name may be is tried instead.
  if (/\d/.test(value)) return undefined;
  // a holder is a civility and a name, or a first and a last name: one word alone may be a code in capitals
  const single = value.split(' ').length < 2;
  return reading(value, meanConfidence(ws) * (single ? 0.7 : 1), looksLikeName(value));
}

function extractHolder(page: OcrPage): FieldReading | undefined {
  const label = /\bTITULAIRE(?:\s+DU\s+COMPTE)?\b|\bNOM\s+DU\s+TITULAIRE\b|\bINTITULE\s+DU\s+COMPTE\b/;
  const found: FieldReading[] = [];
  for (const hit of findLabels(page, label)) {
    const sources: (readonly OcrWord[])[] = [hit.rest, ...sameRowRight(page, hit).map((l: OcrLine) => l.words)];
    const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
    // on a grid of labels over values, the cell under the label's before the whole line
    const under = cellUnder(page, hit);
    if (below && under.length && under.length < below.words.length) sources.push(under);
    if (below) sources.push(below.words);
    let r: FieldReading | undefined;
    for (const s of sources) {
      r = nameFrom(s);
      if (r) break;
    }
    // A photo's skew moves the value's line off the label's row: a name on a line to the right whose middle is
    // within a line's height of the label's, nearest first, with a lower confidence for the looser match.
    if (!r) {
      const lb = textBox(hit.line);
      const mid = (b: Box) => (b.y0 + b.y1) / 2;
      const h = lb.y1 - lb.y0;
      const near = page.lines
        .filter((l, i) => i !== hit.lineIndex && !sources.includes(l.words) && textBox(l).x0 >= lb.x1 && Math.abs(mid(textBox(l)) - mid(lb)) <= h)
        .sort((p, q) => Math.abs(mid(textBox(p)) - mid(lb)) - Math.abs(mid(textBox(q)) - mid(lb)));
      for (const l of near) {
        const n = nameFrom(l.words);
        if (n?.valid) {
          r = { ...n, confidence: Math.round(n.confidence * 0.8 * 1000) / 1000 };
          break;
        }
      }
    }
    if (r) found.push(r);
  }
  return found.sort((a, b) => Number(b.valid) - Number(a.valid) || b.confidence - a.confidence)[0];
}

// ---------------------------------------------------------------- bank name

const BANK_WORDS =
  /\b(?:BANQUE|BANK|CREDIT|CAISSE|SOCIETE GENERALE|LA POSTE|BNP|LCL|HSBC|BRED|CIC|BOURSORAMA|MONABANQ|MUTUEL(?:LE)?|EPARGNE|FORTUNEO|QONTO|SHINE|REVOLUT|NICKEL|ING|BPCE|NATIXIS|BANCAIRE DE|SOCIETE BANCAIRE)\b/;
/** Lines that mention a bank word without being the bank's name. */
const NOT_A_NAME = /IBAN|BIC|CODE|NUMERO|ACCOUNT|IDENTIFIER|IDENTITE|RELEVE|\bRIB\b|DOMICILIATION|TITULAIRE|GUICHET|COMPTE|\bCLE\b|COORDONNEES|\d{3}/;

/** The head of the account's table (« Banque  Guichet  Compte  Clé »): its « Banque » names no bank. */
const TABLE_HEAD = /\bGUICHET\b|\bCLE\b/;
/** A bank word alone is a heading or a label, not a name. */
const GENERIC = /^(?:LA\s+)?(?:BANQUE|BANK|CAISSE|CREDIT|EPARGNE)$/;

/** Initials that name a bank on their own. */
const ACRONYMS = /^(?:BNP|LCL|HSBC|BRED|CIC|ING|BPCE)$/;

/** « CIC AGENCE GRENOBLE »: a domiciliation names the bank, then its branch; the words before the branch. */
function withoutBranch(words: readonly OcrWord[]): OcrWord[] | undefined {
  const k = words.findIndex((w) => /^AGENCE$/.test(fold(w.text)));
  return k > 0 ? words.slice(0, k) : undefined;
}

function extractBank(page: OcrPage): FieldReading | undefined {
  const heights = page.lines.map((l) => l.box.y1 - l.box.y0).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)] ?? 1;
  const found: { words: OcrWord[]; score: number; doubt: number }[] = [];
  // cell by cell: a bank's name printed on the row of the page's title (« Crédit Mutuel      RELEVÉ
  // D'IDENTITÉ BANCAIRE ») is apart from it; a value whose label is in the cell before it (« Domiciliation
  // CRÉDIT X AGENCE Y ») is the branch, not the bank's name
  const parts = page.lines.flatMap((line, i) =>
    cells(line.words).map((ws, k, all) => ({ line, i, ws, text: fold(ws.map((w) => w.text).join(' ')), before: k > 0 ? fold(all[k - 1]!.map((w) => w.text).join(' ')) : '' })),
  );
  for (const { line, i, ws, text, before } of parts) {
    if (!BANK_WORDS.test(text) || NOT_A_NAME.test(text) || NOT_A_NAME.test(before) || TABLE_HEAD.test(fold(line.text)) || GENERIC.test(text)) continue;
    let words = cleanName(ws.filter((w) => /\p{L}/u.test(w.text)));
    // A logo read on the same line ("SBP Société Bancaire…", or garbage from its graphics): initials or a
    // word that is not a capitalised name, before a name that still names a bank without them.
    const notNameStart = (t: string) => /^\p{Lu}{2,4}$/u.test(t) || !/^\p{Lu}[\p{L}'’-]*$/u.test(t);
    while (words.length > 1 && notNameStart(words[0]!.text) && BANK_WORDS.test(fold(words.slice(1).map((w) => w.text).join(' ')))) {
      words = words.slice(1);
    }
    // A bank's name is a few capitalised words; a sentence that mentions a "caisse" is not one. A logo's
    // initials may be drawn in small letters (« cic »): alone in their cell, they are the name.
    const logo = words.length === 1 && ACRONYMS.test(fold(words[0]!.text));
    if (words.length === 0 || words.length > 7 || (!/^\p{Lu}/u.test(words[0]!.text) && !logo)) continue;
    if (logo) words = [{ ...words[0]!, text: words[0]!.text.toLocaleUpperCase('fr') }];
    // the domiciliation read without its label: the bank's name is what comes before the branch
    const branch = withoutBranch(words);
    // Bank names are printed big and near the top.
    const score = (line.box.y1 - line.box.y0) / median - i / Math.max(1, page.lines.length);
    found.push({ words: branch ?? words, score, doubt: branch ? 0.8 : 1 });
  }
  let best = found.sort((a, b) => b.score - a.score)[0];
  // The domiciliation is the bank's name and its branch (« CRÉDIT X AGENCE DE Y », cut anywhere by a skewed
  // photo): when another reading is the start of the best one, word for word, that shorter one is the name.
  const key = (ws: readonly OcrWord[]) => fold(ws.map((w) => w.text).join(' '));
  const prefix = best && found.find((f) => f.words.length < best!.words.length && key(best!.words).startsWith(`${key(f.words)} `));
  if (prefix) best = prefix;
  if (best) {
    // accents dropped on the name and kept elsewhere on the page (« Caisse d'Epargne », « CAISSE D'ÉPARGNE »)
    const value = restoreAccents(page, best.words.map((w) => w.text).join(' '));
    return reading(value, meanConfidence(best.words) * best.doubt, value.length >= 3);
  }
  // No bank word anywhere: the domiciliation line names the branch, which is better than nothing.
  for (const hit of findLabels(page, /\bDOMICILIATION\b/)) {
    const all = cleanName(hit.rest.length ? hit.rest : (sameRowRight(page, hit)[0]?.words ?? []));
    const ws = withoutBranch(all) ?? all;
    if (ws.length) return reading(ws.map((w) => w.text).join(' '), meanConfidence(ws) * 0.7, false);
  }
  return undefined;
}

export function extractRib(page: OcrPage): Fields {
  const fields: Fields = {};
  const iban = extractIban(page);
  if (iban) fields.iban = iban;
  const bic = extractBic(page, iban?.value.slice(0, 2));
  if (bic) fields.bic = bic;
  const holder = extractHolder(page);
  if (holder) fields.holder = holder;
  const bank = extractBank(page);
  if (bank) fields.bank = bank;
  return fields;
}
