/**
 * What a key of the on-screen keyboard does to a field's text, at the cursor: pure, so the keyboard and
 * its tests agree. A selection (a word picked with the finger) is replaced by what is typed, or erased.
 */

export interface Edited {
  value: string;
  /** where the cursor goes after the key */
  caret: number;
}

function clampRange(value: string, start: number, end: number): [number, number] {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  return [s, e];
}

/** Types `text` at the cursor (over the selection); what would pass `max` is not typed. */
export function typeAt(value: string, start: number, end: number, text: string, max = Infinity): Edited {
  const [s, e] = clampRange(value, start, end);
  const room = Math.max(0, max - (value.length - (e - s)));
  const put = [...text].slice(0, room).join('');
  return { value: value.slice(0, s) + put + value.slice(e), caret: s + put.length };
}

/** Erases the selection, or the character just before the cursor (a whole accented letter, never half of one). */
export function eraseAt(value: string, start: number, end: number): Edited {
  const [s, e] = clampRange(value, start, end);
  if (e > s) return { value: value.slice(0, s) + value.slice(e), caret: s };
  if (s === 0) return { value, caret: 0 };
  const before = [...value.slice(0, s)];
  before.pop();
  const head = before.join('');
  return { value: head + value.slice(s), caret: head.length };
}

/** The cursor one character left (-1) or right (+1); a selection collapses to its side. */
export function moveCaret(value: string, start: number, end: number, by: -1 | 1): number {
  const [s, e] = clampRange(value, start, end);
  if (e > s) return by < 0 ? s : e;
  if (by < 0) return s === 0 ? 0 : s - [...value.slice(0, s)].pop()!.length;
  return s === value.length ? s : s + [...value.slice(s)][0]!.length;
}
