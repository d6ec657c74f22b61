/**
 * What the extractors read: the recognised page as lines of words with tesseract's confidences (0..1) and
 * boxes. Extractors are pure functions of this, so they are tested on synthetic pages without any image.
 */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  confidence: number;
  box: Box;
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: Box;
  words: OcrWord[];
}

export interface OcrPage {
  text: string;
  confidence: number;
  lines: OcrLine[];
}

/** Where a value was read: printed text (OCR), a machine-readable zone, or a 2D-Doc barcode. */
export type FieldSource = 'ocr' | 'mrz' | '2d-doc';

export interface FieldReading {
  value: string;
  confidence: number;
  valid: boolean;
  source?: FieldSource;
  /** the extractor's own score before calibration (calibration.ts); the fit reads it */
  raw?: number;
}

export type Fields = Record<string, FieldReading>;

/** Upper case without accents, typographic apostrophes made plain: what keyword rules match against. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`´]/g, "'")
    .toUpperCase();
}

export function meanConfidence(words: readonly OcrWord[]): number {
  if (words.length === 0) return 0;
  return words.reduce((s, w) => s + w.confidence, 0) / words.length;
}

export function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

/**
 * A page from plain text, one line per text line, every word with the same confidence and a box laid out on
 * a fixed grid (one character = 10 px, one line = 30 px). For tests, and for text that comes without layout.
 */
export function pageFromText(text: string, confidence = 0.9): OcrPage {
  const lines: OcrLine[] = [];
  text.split('\n').forEach((raw, row) => {
    if (raw.trim() === '') return;
    const words: OcrWord[] = [];
    const re = /\S+/g;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      words.push({ text: m[0], confidence, box: { x0: m.index * 10, y0: row * 30, x1: (m.index + m[0].length) * 10, y1: row * 30 + 20 } });
    }
    const first = words[0]!.box;
    const last = words[words.length - 1]!.box;
    lines.push({ text: raw.trim(), confidence, words, box: { x0: first.x0, y0: first.y0, x1: last.x1, y1: last.y1 } });
  });
  return { text, confidence, lines };
}

/** A field reading with its confidence rounded to three decimals and kept in 0..1. */
export function reading(value: string, confidence: number, valid: boolean): FieldReading {
  return { value, confidence: Math.round(clamp01(confidence) * 1000) / 1000, valid };
}

/** The words of `line` whose text overlaps the character range [start, end) of `line.text`. */
export function wordsInRange(line: OcrLine, start: number, end: number): OcrWord[] {
  const out: OcrWord[] = [];
  let pos = 0;
  for (const w of line.words) {
    const at = line.text.indexOf(w.text, pos);
    if (at < 0) continue;
    pos = at + w.text.length;
    if (at < end && pos > start) out.push(w);
  }
  return out;
}

/**
 * A word that is one accented letter other than « à » is no French word: the French model reads a speck or a
 * frame's corner as « Ï » or « Î ». Such words are taken out of the page before anything reads it.
 */
const STRAY_MARK = /^[ÂÄÃÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜâäãèéêëìíîïòóôõöùúûü]$/u;
const STRAY_IN_TEXT = /(^|[ \t])[ÂÄÃÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜâäãèéêëìíîïòóôõöùúûü](?=[ \t]|$)/gmu;

export function withoutStrayMarks(page: OcrPage): OcrPage {
  if (!page.lines.some((l) => l.words.some((w) => STRAY_MARK.test(w.text)))) return page;
  const lines = page.lines.map((l) => {
    if (!l.words.some((w) => STRAY_MARK.test(w.text))) return l;
    return { ...l, text: l.text.replace(STRAY_IN_TEXT, '$1').replace(/[ \t]{2,}/g, ' ').trim(), words: l.words.filter((w) => !STRAY_MARK.test(w.text)) };
  });
  return { ...page, text: page.text.replace(STRAY_IN_TEXT, '$1').replace(/[ \t]{2,}/g, ' '), lines };
}

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The page with some of its lines replaced by a second reading of each alone (the worker reads a name's line
 * again on its own, where capitals keep their accents). A second reading is taken only when its letters are
 * nearly the first's, accents and case aside: a reading of the wrong place, or a worse one, is not.
 */
export function withLinesReadAgain(page: OcrPage, again: ReadonlyMap<number, OcrLine>): OcrPage {
  const letters = (s: string) => fold(s).replace(/[^A-Z]/g, '');
  let text = page.text;
  const lines = page.lines.map((line, i) => {
    const second = again.get(i);
    if (!second || second.words.length === 0) return line;
    const a = letters(line.text);
    const b = letters(second.text);
    if (b.length === 0 || editDistance(a, b) > Math.max(1, Math.floor(a.length / 8))) return line;
    text = text.replace(line.text, second.text);
    return second;
  });
  return { ...page, text, lines };
}
