/**
 * Label → value lookup on a recognised page: the value of "Titulaire du compte : X" is the rest of the line,
 * or the text to the right on the same row (tesseract often splits a form row into two blocks), or the line
 * just below. Shared by the extractors of every document type.
 */
import type { Box, OcrLine, OcrPage, OcrWord } from './page.ts';
import { fold } from './page.ts';

export interface LabelHit {
  line: OcrLine;
  lineIndex: number;
  /** words of the line after the label, separators dropped */
  rest: OcrWord[];
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
    let next = ends.findIndex((e) => e >= matchEnd);
    next = next < 0 ? line.words.length : next + 1;
    // A label that ends mid-word ("compte:") still leaves the rest of that word out.
    const rest = line.words.slice(next).filter((w, i, all) => !(SEPARATOR.test(w.text) && all.slice(0, i).every((p) => SEPARATOR.test(p.text))));
    hits.push({ line, lineIndex, rest });
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

/** The nearest line below `box` that starts within its horizontal span, within two line heights. */
export function lineBelow(page: OcrPage, box: Box, exclude: number): OcrLine | undefined {
  const h = height(box);
  return page.lines
    .filter((l, i) => i !== exclude && l.box.y0 >= box.y0 + 0.6 * h && l.box.y0 - box.y1 <= 2 * h && l.box.x0 < box.x1 && l.box.x1 > box.x0)
    .sort((p, q) => p.box.y0 - q.box.y0)[0];
}
