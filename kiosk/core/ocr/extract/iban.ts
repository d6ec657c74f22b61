/**
 * Finding an IBAN in OCR output, which splits it in groups, inserts separators, and confuses look-alike
 * characters (O/0, I/1, S/5, B/8…). Positions whose class is known (digits of the check and of the French
 * bank, branch and key codes; letters of the country code) are corrected outright; in positions that may be
 * letters or digits (the French account number) a few swaps are tried, and only a candidate that passes
 * mod-97 (and, for a French IBAN, the RIB key as well) is kept. Checks come from sync-server/protocol.
 */
import { isValidIban } from '../../../../sync-server/protocol/iban.ts';
import type { OcrLine, OcrPage, OcrWord } from './page.ts';
import { fold, meanConfidence } from './page.ts';

/** Read as a digit where a digit must be. */
const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', '|': '1', '!': '1', Z: '2', S: '5', G: '6', B: '8' };
/** Read as a letter where a letter must be. */
const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B' };

// BBAN classes per position: n = digit, a = letter, c = either. French format: banque(5n) guichet(5n)
// compte(11c) clé(2n). The lengths mirror sync-server/protocol/iban.ts.
const FR_BBAN = `${'n'.repeat(10)}${'c'.repeat(11)}nn`;
const FRENCH_FORMAT_COUNTRIES = ['FR', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'NC', 'PF', 'WF', 'BL', 'MF', 'TF'];
const BBAN: Record<string, string> = {
  ...Object.fromEntries(FRENCH_FORMAT_COUNTRIES.map((c) => [c, FR_BBAN])),
  DE: 'n'.repeat(18),
  BE: 'n'.repeat(12),
  ES: 'n'.repeat(20),
  IT: `a${'n'.repeat(10)}${'c'.repeat(12)}`,
  LU: `nnn${'c'.repeat(13)}`,
  NL: `aaaa${'n'.repeat(10)}`,
  PT: 'n'.repeat(21),
  CH: `nnnnn${'c'.repeat(12)}`,
  GB: `aaaa${'n'.repeat(14)}`,
  IE: `aaaa${'n'.repeat(14)}`,
  AT: 'n'.repeat(16),
};

const RIB_LETTER_VALUES: Record<string, number> = {
  A: 1, J: 1, B: 2, K: 2, S: 2, C: 3, L: 3, T: 3, D: 4, M: 4, U: 4, E: 5, N: 5, V: 5,
  F: 6, O: 6, W: 6, G: 7, P: 7, X: 7, H: 8, Q: 8, Y: 8, I: 9, R: 9, Z: 9,
};

/** The French RIB key check: 97 − ((89 × banque + 15 × guichet + 3 × compte) mod 97) equals the key. */
export function isValidRibKey(bank: string, branch: string, account: string, key: string): boolean {
  if (!/^\d{5}$/.test(bank) || !/^\d{5}$/.test(branch) || !/^[0-9A-Z]{11}$/.test(account) || !/^\d{2}$/.test(key)) return false;
  const acc = account.replace(/[A-Z]/g, (c) => String(RIB_LETTER_VALUES[c] ?? 0));
  return 97 - ((89 * Number(bank) + 15 * Number(branch) + 3 * Number(acc)) % 97) === Number(key);
}

export function frenchIbanFromRib(bank: string, branch: string, account: string, key: string): string {
  const bban = `${bank}${branch}${account}${key}`;
  const rearranged = `${bban}FR00`;
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const ds = code >= 65 ? String(code - 55) : ch;
    for (const d of ds) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return `FR${String(98 - remainder).padStart(2, '0')}${bban}`;
}

function hasFrenchFormat(iban: string): boolean {
  return FRENCH_FORMAT_COUNTRIES.includes(iban.slice(0, 2));
}

function passesChecks(iban: string): boolean {
  if (!isValidIban(iban)) return false;
  if (!hasFrenchFormat(iban)) return true;
  return isValidRibKey(iban.slice(4, 9), iban.slice(9, 14), iban.slice(14, 25), iban.slice(25, 27));
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => c >= 'A' && c <= 'Z';

/** A line squeezed to its IBAN-relevant characters, each remembering which word it came from. */
export interface Compact {
  chars: string;
  word: number[];
}

export function compactWords(words: readonly Pick<OcrWord, 'text'>[]): Compact {
  let chars = '';
  const word: number[] = [];
  words.forEach((w, wi) => {
    // A word that is only bars is a table rule; inside a word a bar is a misread 1.
    if (/^[|!]+$/.test(w.text)) return;
    for (const ch of fold(w.text)) {
      if (isDigit(ch) || isLetter(ch) || ch === '|' || ch === '!') {
        chars += ch;
        word.push(wi);
      }
    }
  });
  return { chars, word };
}

interface Variant {
  value: string;
  corrections: number;
}

/**
 * The readings of `raw` that respect the position classes, fewest corrections first: forced corrections
 * (a letter where a digit must be) always apply, and at most `maxSwaps` optional ones (in "either" positions)
 * are tried. Null if some character cannot fit its position.
 */
function* variants(raw: string, classes: string, maxSwaps: number): Generator<Variant> {
  const base: string[] = [];
  let forced = 0;
  const swaps: { pos: number; alt: string }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    const cls = classes[i]!;
    if (cls === 'n') {
      if (isDigit(ch)) base.push(ch);
      else if (TO_DIGIT[ch]) {
        base.push(TO_DIGIT[ch]);
        forced++;
      } else return;
    } else if (cls === 'a') {
      if (isLetter(ch)) base.push(ch);
      else if (TO_LETTER[ch]) {
        base.push(TO_LETTER[ch]);
        forced++;
      } else return;
    } else if (isDigit(ch) || isLetter(ch)) {
      base.push(ch);
      const alt = isDigit(ch) ? TO_LETTER[ch] : TO_DIGIT[ch];
      if (alt) swaps.push({ pos: i, alt });
    } else if (TO_DIGIT[ch]) {
      base.push(TO_DIGIT[ch]);
      forced++;
    } else return;
  }
  yield { value: base.join(''), corrections: forced };
  // Subsets of swaps by increasing size, as index combinations.
  const n = swaps.length;
  for (let k = 1; k <= Math.min(maxSwaps, n); k++) {
    const idx = Array.from({ length: k }, (_, i) => i);
    for (;;) {
      const out = [...base];
      for (const j of idx) out[swaps[j]!.pos] = swaps[j]!.alt;
      yield { value: out.join(''), corrections: forced + k };
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
  }
}

function classesFor(country: string): string | undefined {
  const bban = BBAN[country];
  return bban === undefined ? undefined : `aann${bban}`;
}

export interface IbanMatch {
  iban: string;
  /** characters changed from what OCR read */
  corrections: number;
  start: number;
  end: number;
}

/**
 * Every valid IBAN that can be read in a compacted line, at most one per start position. An extra character
 * (a table rule read as "|", a stray dot read as a letter) is tolerated for French IBANs, whose RIB key gives
 * the second check that makes dropping a character safe.
 */
export function ibansInCompact(chars: string): IbanMatch[] {
  const found: IbanMatch[] = [];
  for (let start = 0; start + 4 <= chars.length; start++) {
    const cc = [...chars.slice(start, start + 2)].map((c) => (isLetter(c) ? c : (TO_LETTER[c] ?? '?'))).join('');
    const classes = classesFor(cc);
    if (!classes) continue;
    const check = [...chars.slice(start + 2, start + 4)];
    if (!check.every((c) => isDigit(c) || TO_DIGIT[c])) continue;
    const len = classes.length;
    const french = hasFrenchFormat(cc);
    let match: IbanMatch | undefined;
    if (start + len <= chars.length) {
      // Without the RIB key as a second check, every optional swap would be one more 1-in-97 chance of a
      // wrong number that passes: only French-format IBANs get them.
      for (const v of variants(chars.slice(start, start + len), classes, french ? 2 : 0)) {
        if (passesChecks(v.value)) {
          match = { iban: v.value, corrections: v.corrections, start, end: start + len };
          break;
        }
      }
    }
    if (!match && french && start + len + 1 <= chars.length) {
      const window = chars.slice(start, start + len + 1);
      for (let drop = 4; drop <= len && !match; drop++) {
        for (const v of variants(window.slice(0, drop) + window.slice(drop + 1), classes, 0)) {
          if (passesChecks(v.value)) match = { iban: v.value, corrections: v.corrections + 1, start, end: start + len + 1 };
        }
      }
    }
    if (match) found.push(match);
  }
  return found;
}

/** The corrected IBAN in a string as OCR read it, or null. For a single value (a form field, a test). */
export function correctIban(read: string): { iban: string; corrections: number } | null {
  const best = ibansInCompact(compactWords([{ text: read }]).chars).sort((a, b) => a.corrections - b.corrections)[0];
  return best ? { iban: best.iban, corrections: best.corrections } : null;
}

export interface IbanCandidate {
  iban: string;
  corrections: number;
  words: OcrWord[];
  line: OcrLine;
  /** the line says "IBAN" */
  labelled: boolean;
  /** read from the IBAN itself, or rebuilt from the French RIB table (banque, guichet, compte, clé) */
  source: 'iban' | 'rib-table';
}

function wordsOf(line: OcrLine, c: Compact, start: number, end: number): OcrWord[] {
  const set = new Set(c.word.slice(start, end));
  return [...set].map((i) => line.words[i]!);
}

/** The French RIB table's values row, "banque guichet compte clé", rebuilt into an IBAN when its key checks. */
function ribTableIbans(line: OcrLine, c: Compact): IbanCandidate[] {
  const out: IbanCandidate[] = [];
  const classes = `${'n'.repeat(10)}${'c'.repeat(11)}nn`;
  for (let start = 0; start + 23 <= c.chars.length; start++) {
    // The row is four cells: the values must start and end on word boundaries, and with only the RIB key to
    // check them no optional swap is tried.
    if (start > 0 && c.word[start - 1] === c.word[start]) continue;
    if (start + 23 < c.chars.length && c.word[start + 23] === c.word[start + 22]) continue;
    for (const v of variants(c.chars.slice(start, start + 23), classes, 0)) {
      const [bank, branch, account, key] = [v.value.slice(0, 5), v.value.slice(5, 10), v.value.slice(10, 21), v.value.slice(21, 23)];
      if (!isValidRibKey(bank, branch, account, key)) continue;
      out.push({
        iban: frenchIbanFromRib(bank, branch, account, key),
        corrections: v.corrections,
        words: wordsOf(line, c, start, start + 23),
        line,
        labelled: false,
        source: 'rib-table',
      });
      break;
    }
  }
  return out;
}

export function findIbanCandidates(page: OcrPage): IbanCandidate[] {
  const out: IbanCandidate[] = [];
  page.lines.forEach((line, i) => {
    const c = compactWords(line.words);
    const labelled = /\bIBAN\b/.test(fold(line.text));
    const found = ibansInCompact(c.chars);
    for (const m of found) {
      out.push({ iban: m.iban, corrections: m.corrections, words: wordsOf(line, c, m.start, m.end), line, labelled, source: 'iban' });
    }
    // A skewed photo can break the printed IBAN over two text lines: read it across the break.
    const next = page.lines[i + 1];
    if (found.length === 0 && next) {
      const joined: OcrLine = { ...line, text: `${line.text} ${next.text}`, words: [...line.words, ...next.words] };
      const cj = compactWords(joined.words);
      for (const m of ibansInCompact(cj.chars)) {
        if (m.start < c.chars.length && m.end > c.chars.length) {
          out.push({ iban: m.iban, corrections: m.corrections + 1, words: wordsOf(joined, cj, m.start, m.end), line: joined, labelled, source: 'iban' });
        }
      }
    }
    if (!labelled) out.push(...ribTableIbans(line, c));
  });
  return out;
}

/** Confidence of a candidate: its words' OCR confidence, lowered for every correction it needed. */
export function candidateConfidence(c: IbanCandidate): number {
  const base = meanConfidence(c.words) * 0.97 ** c.corrections;
  return c.source === 'rib-table' ? base * 0.9 : base;
}
