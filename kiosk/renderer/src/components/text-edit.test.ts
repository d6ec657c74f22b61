import { describe, expect, it } from 'vitest';
import { eraseAt, moveCaret, typeAt } from './text-edit.ts';

describe('on-screen keyboard: editing at the cursor', () => {
  it('types in the middle, where the cursor is, and the cursor follows', () => {
    expect(typeAt('Camile', 4, 4, 'l')).toEqual({ value: 'Camille', caret: 5 });
    expect(typeAt('', 0, 0, 'É')).toEqual({ value: 'É', caret: 1 });
    expect(typeAt('abc', 99, 99, 'd')).toEqual({ value: 'abcd', caret: 4 });
  });

  it('replaces a selection by what is typed, and never types past the limit', () => {
    expect(typeAt('0033VVFVT', 1, 4, '63')).toEqual({ value: '063VVFVT', caret: 3 });
    expect(typeAt('abcd', 2, 2, 'xyz', 5)).toEqual({ value: 'abxcd', caret: 3 });
    expect(typeAt('abcde', 5, 5, 'f', 5)).toEqual({ value: 'abcde', caret: 5 });
  });

  it('erases the letter before the cursor, or the selection; nothing before the start', () => {
    expect(eraseAt('0033VVFVT', 2, 2)).toEqual({ value: '033VVFVT', caret: 1 });
    expect(eraseAt('Hélène', 2, 2)).toEqual({ value: 'Hlène', caret: 1 });
    expect(eraseAt('abc', 0, 0)).toEqual({ value: 'abc', caret: 0 });
    expect(eraseAt('abcdef', 1, 4)).toEqual({ value: 'aef', caret: 1 });
  });

  it('moves the cursor one character, stopping at both ends', () => {
    expect(moveCaret('abc', 3, 3, -1)).toBe(2);
    expect(moveCaret('abc', 0, 0, -1)).toBe(0);
    expect(moveCaret('abc', 3, 3, 1)).toBe(3);
    expect(moveCaret('abc', 1, 1, 1)).toBe(2);
    expect(moveCaret('abcdef', 1, 4, -1)).toBe(1);
    expect(moveCaret('abcdef', 1, 4, 1)).toBe(4);
    // a letter outside the basic plane is one step, not two
    expect(moveCaret('a😀b', 1, 1, 1)).toBe(3);
    expect(eraseAt('a😀b', 3, 3)).toEqual({ value: 'ab', caret: 1 });
  });
});
