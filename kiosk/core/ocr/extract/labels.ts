/**
 * Label → value lookup on a recognised page: the value of "Titulaire du compte : X" is the rest of the line,
 * or the text to the right on the same row (tesseract often splits a form row into two blocks), or the line
 * just below. Shared by the extractors of every document type.
 */
import type { Box, OcrLine, OcrPage, OcrWord } from './page.ts';
import { fold, meanConfidence } from './page.ts';

export interface LabelHit {
  line: OcrLine;
  lineIndex: number;
  /** words of the line after the label, separators dropped */
  rest: OcrWord[];
  /** the words the label itself covers */
  labelWords: OcrWord[];
}

const SEPARATOR = /^[:;.,\-–—|!]+$/;

/** Where `label` (matched against the folded line: upper case, no accents) occurs, in reading order. */
export function findLabels(page: OcrPage, label: RegExp): LabelHit[] {
  const hits: LabelHit[] = [];
  page.lines.forEach((line, lineIndex) => {
    // Rebuild the folded line from its words so a match end maps back to a word.
    let folded = '';
    const ends: number[] = [];
    for (const w of line.words) {
      folded += (folded ? ' ' : '') + fold(w.text);
      ends.push(folded.length);
    }
    const m = label.exec(folded);
    if (!m) return;
    const matchEnd = m.index + m[0].length;
    const first = ends.findIndex((e) => e > m.index);
    let next = ends.findIndex((e) => e >= matchEnd);
    const labelWords = line.words.slice(Math.max(0, first), next < 0 ? line.words.length : next + 1);
    next = next < 0 ? line.words.length : next + 1;
    // A label that ends mid-word ("compte:") still leaves the rest of that word out.
    const rest = line.words.slice(next).filter((w, i, all) => !(SEPARATOR.test(w.text) && all.slice(0, i).every((p) => SEPARATOR.test(p.text))));
    hits.push({ line, lineIndex, rest, labelWords });
  });
  return hits;
}

function height(b: Box): number {
  return Math.max(1, b.y1 - b.y0);
}

function verticalOverlap(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
}

/** Lines to the right of `hit` on the same row, left to right. */
export function sameRowRight(page: OcrPage, hit: LabelHit): OcrLine[] {
  const b = hit.line.box;
  return page.lines
    .filter((l, i) => i !== hit.lineIndex && l.box.x0 >= b.x1 - height(b) && verticalOverlap(l.box, b) >= 0.5 * Math.min(height(l.box), height(b)))
    .sort((p, q) => p.box.x0 - q.box.x0);
}

/**
 * The box of a line's words that hold a letter or a digit: a table rule or a box's border read as « | »
 * stretches the line's own box over its neighbours, which would hide the line below.
 */
export function textBox(line: OcrLine): Box {
  const ws = line.words.filter((w) => /[\p{L}\p{N}]/u.test(w.text));
  if (ws.length === 0) return line.box;
  return { x0: Math.min(...ws.map((w) => w.box.x0)), y0: Math.min(...ws.map((w) => w.box.y0)), x1: Math.max(...ws.map((w) => w.box.x1)), y1: Math.max(...ws.map((w) => w.box.y1)) };
}

/** The nearest line below `box` that starts within its horizontal span, within two line heights. */
export function lineBelow(page: OcrPage, box: Box, exclude: number): OcrLine | undefined {
  const h = height(box);
  return page.lines
    .map((l, i) => ({ l, i, b: textBox(l) }))
    .filter(({ i, b }) => i !== exclude && b.y0 >= box.y0 + 0.6 * h && b.y0 - box.y1 <= 2 * h && b.x0 < box.x1 && b.x1 > box.x0)
    .sort((p, q) => p.b.y0 - q.b.y0)[0]?.l;
}

/** Where the value of a label may be written: after it on its line, to its right on the row, or on the line below. */
export interface ValueSource {
  words: OcrWord[];
  line: OcrLine;
  where: 'rest' | 'right' | 'below';
}

export function valueSources(page: OcrPage, hit: LabelHit): ValueSource[] {
  const out: ValueSource[] = [];
  if (hit.rest.length) out.push({ words: hit.rest, line: hit.line, where: 'rest' });
  for (const l of sameRowRight(page, hit)) out.push({ words: l.words, line: l, where: 'right' });
  const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
  if (below) out.push({ words: below.words, line: below, where: 'below' });
  return out;
}

/**
 * The first value of a label that `accept` takes, trying every occurrence of the label and, for each, the
 * rest of its line, its row, then the line below.
 */
export function labelledValue<T>(page: OcrPage, label: RegExp, accept: (s: ValueSource) => T | undefined): T | undefined {
  for (const hit of findLabels(page, label)) {
    for (const s of valueSources(page, hit)) {
      const v = accept(s);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** The words of the line just below a label's words, restricted to the columns the label spans (a form cell). */
export function cellBelow(page: OcrPage, hit: LabelHit, labelWords: readonly OcrWord[]): OcrWord[] {
  const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
  if (!below || labelWords.length === 0) return [];
  const x0 = Math.min(...labelWords.map((w) => w.box.x0));
  const x1 = Math.max(...labelWords.map((w) => w.box.x1));
  const slack = (hit.line.box.y1 - hit.line.box.y0) * 0.5;
  return below.words.filter((w) => w.box.x1 > x0 - slack && w.box.x0 < x1 + slack);
}

export interface LabelledText<T> {
  value: T;
  /** mean tesseract confidence of the words the value was read from */
  confidence: number;
  where: ValueSource['where'];
}

/**
 * The value of a label parsed from the text after it, to its right, or below (in that order, for every
 * occurrence of the label), with the confidence of the words it was read from.
 */
export function labelledText<T>(
  page: OcrPage,
  label: RegExp,
  parse: (text: string) => T | null | undefined,
  where: readonly ValueSource['where'][] = ['rest', 'right', 'below'],
): LabelledText<T> | undefined {
  return labelledValue(page, label, (s) => {
    if (!where.includes(s.where)) return undefined;
    const text = untilNextLabel(s.words.map((w) => w.text).join(' '));
    const value = parse(text);
    if (value === null || value === undefined) return undefined;
    return { value, confidence: meanConfidence(s.words), where: s.where };
  });
}

/**
 * Two form fields on one row come out as one line ("Employeur : X Salarié : Y"): a value ends where the next
 * "Label :" begins.
 */
export function untilNextLabel(text: string): string {
  // A label is a capitalised word and up to three lower-case ones before a colon ("Salarié :", "Date de la
  // facture :"); upper-case values ("CLINIQUE DU PARC") are never taken for one.
  const m = /\s\p{Lu}[\p{Ll}'’()°.]+(?:\s[\p{Ll}'’()°.]+){0,3}\s?:(?:\s|$)/u.exec(text);
  return (m ? text.slice(0, m.index) : text).trim();
}

/**
 * The words of a line cut into cells where the gap between two words is wider than a word's height: the
 * columns of a form grid (« Montant net imposable      Montant net social ») come apart, the words of a
 * phrase stay together.
 */
export function cells(words: readonly OcrWord[]): OcrWord[][] {
  const out: OcrWord[][] = [];
  const heights = words.map((w) => height(w.box)).sort((a, b) => a - b);
  const h = heights[Math.floor(heights.length / 2)] ?? 1;
  for (const w of words) {
    const cur = out[out.length - 1];
    const prev = cur?.[cur.length - 1];
    if (cur && prev && w.box.x0 - prev.box.x1 <= 1.2 * h) cur.push(w);
    else out.push([w]);
  }
  return out;
}

const span = (ws: readonly OcrWord[]) => ({ x0: Math.min(...ws.map((w) => w.box.x0)), x1: Math.max(...ws.map((w) => w.box.x1)) });

/**
 * On a form grid the value is in the cell under its label's cell: the cell of the line below that overlaps
 * the label's cell the most (none when nothing overlaps: the line below belongs to something else).
 */
export function cellUnder(page: OcrPage, hit: LabelHit): OcrWord[] {
  const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
  if (!below || hit.labelWords.length === 0) return [];
  const labelCell = cells(hit.line.words).find((c) => c.includes(hit.labelWords[0]!)) ?? hit.labelWords;
  const l = span(labelCell);
  let best: OcrWord[] = [];
  let bestOverlap = 0;
  for (const c of cells(below.words)) {
    const s = span(c);
    const overlap = Math.min(s.x1, l.x1) - Math.max(s.x0, l.x0);
    if (overlap > bestOverlap) {
      best = c;
      bestOverlap = overlap;
    }
  }
  return best;
}

/** The value of a label that stands alone over its value (a form grid): parsed from the cell under it. */
export function labelledCell<T>(page: OcrPage, label: RegExp, parse: (text: string) => T | null | undefined): LabelledText<T> | undefined {
  for (const hit of findLabels(page, label)) {
    const under = cellUnder(page, hit);
    const value = under.length ? parse(under.map((w) => w.text).join(' ')) : null;
    if (value !== null && value !== undefined) return { value, confidence: meanConfidence(under), where: 'below' };
  }
  return undefined;
}

/**
 * A regular expression source for `word` (folded capitals) as printed or misread by one letter: one letter
 * changed, lost or added (« PEIODE », « IMPOSABTE »). Only for words long enough that one letter off still
 * names nothing else; a label found this way is a weaker sign, and its value gets a lower confidence.
 */
export function oneOff(word: string): string {
  const alts = new Set<string>([word]);
  for (let i = 0; i <= word.length; i++) {
    if (i < word.length) {
      alts.add(`${word.slice(0, i)}\\S${word.slice(i + 1)}`);
      alts.add(word.slice(0, i) + word.slice(i + 1));
    }
    if (i > 0 && i < word.length) alts.add(`${word.slice(0, i)}\\S${word.slice(i)}`);
  }
  return `(?:${[...alts].join('|')})`;
}

/** Month names long enough to be recognised with one letter misread (« aoû 2023 », « fevrler 2024 »). */
const LOOSE_MONTHS: readonly [string, number][] = [
  ['JANVIER', 1], ['FEVRIER', 2], ['AVRIL', 4], ['JUILLET', 7], ['AOUT', 8], ['SEPTEMBRE', 9], ['OCTOBRE', 10], ['NOVEMBRE', 11], ['DECEMBRE', 12],
];

/**
 * A month and year whose month name lost or changed one letter. « mars », « mai » and « juin » are left out:
 * one letter off, they are other words (« mais ») or other months (« juil. »).
 */
export function looseMonth(text: string): { ym: string; index: number } | null {
  const t = fold(text);
  for (const [name, n] of LOOSE_MONTHS) {
    const m = new RegExp(`(?<![A-Z])${oneOff(name)}\\.?\\s*((?:19|20)\\d{2})(?!\\d)`).exec(t);
    if (m) return { ym: `${m[1]}-${String(n).padStart(2, '0')}`, index: m.index };
  }
  return null;
}
