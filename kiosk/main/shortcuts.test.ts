import { describe, expect, it } from 'vitest';
import { shouldBlockInput } from './shortcuts.ts';
import type { KeyInput } from './shortcuts.ts';

const key = (k: string, mods: Partial<Pick<KeyInput, 'control' | 'alt' | 'shift' | 'meta'>> = {}): KeyInput => ({
  type: 'keyDown',
  key: k,
  control: false,
  alt: false,
  shift: false,
  meta: false,
  ...mods,
});

describe('keys a person needs reach the page', () => {
  it('lets typing through: letters, digits, accents, punctuation, space', () => {
    for (const k of ['a', 'Z', '0', '9', 'é', 'è', 'ç', 'à', 'ù', 'œ', ' ', '-', '.', ',', '@', '€', "'", '’']) {
      expect(shouldBlockInput(key(k)), k).toBe(false);
      expect(shouldBlockInput(key(k, { shift: true })), `Shift+${k}`).toBe(false);
    }
  });

  it('lets AltGr characters of a French keyboard through', () => {
    for (const k of ['@', '#', '{', '[', '|', '`', '\\', '^', ']', '}', '€', '~']) expect(shouldBlockInput(key(k, { alt: true })), `AltGr ${k}`).toBe(false);
    expect(shouldBlockInput(key('AltGraph'))).toBe(false);
  });

  it('lets form keys through', () => {
    for (const k of ['Backspace', 'Delete', 'Enter', 'Tab', 'Escape', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', 'Shift', 'CapsLock', 'Dead']) {
      expect(shouldBlockInput(key(k)), k).toBe(false);
    }
    expect(shouldBlockInput(key('Tab', { shift: true }))).toBe(false);
  });
});

describe('shortcuts to the browser or the system are swallowed', () => {
  it('swallows reload, devtools, zoom, close, print, find, new window, view source', () => {
    const combos: Array<[string, Partial<KeyInput>]> = [
      ['r', { control: true }],
      ['R', { control: true, shift: true }],
      ['F5', {}],
      ['F5', { control: true }],
      ['F5', { shift: true }],
      ['I', { control: true, shift: true }],
      ['J', { control: true, shift: true }],
      ['C', { control: true, shift: true }],
      ['F12', {}],
      ['=', { control: true }],
      ['+', { control: true, shift: true }],
      ['-', { control: true }],
      ['0', { control: true }],
      ['w', { control: true }],
      ['F4', { control: true }],
      ['q', { control: true }],
      ['n', { control: true }],
      ['t', { control: true }],
      ['Tab', { control: true }],
      ['p', { control: true }],
      ['s', { control: true }],
      ['o', { control: true }],
      ['f', { control: true }],
      ['g', { control: true }],
      ['u', { control: true }],
      ['l', { control: true }],
      ['h', { control: true }],
      ['j', { control: true }],
      ['F11', {}],
      ['F7', {}],
      ['F1', {}],
      ['F24', {}],
    ];
    for (const [k, mods] of combos) expect(shouldBlockInput(key(k, mods)), `${JSON.stringify(mods)} ${k}`).toBe(true);
  });

  it('swallows Alt+F4, Alt+arrows (back/forward), Alt+Home and the bare Alt key', () => {
    for (const k of ['F4', 'ArrowLeft', 'ArrowRight', 'Home', 'Enter', 'Tab', 'Escape', 'Backspace']) expect(shouldBlockInput(key(k, { alt: true })), `Alt+${k}`).toBe(true);
    expect(shouldBlockInput(key('Alt'))).toBe(true);
    expect(shouldBlockInput(key('Alt', { alt: true }))).toBe(true);
  });

  it('swallows copy, cut, paste and select-all: the clipboard outlives a session', () => {
    for (const k of ['c', 'x', 'v', 'a', 'z', 'y', 'Insert']) expect(shouldBlockInput(key(k, { control: true })), `Ctrl+${k}`).toBe(true);
    expect(shouldBlockInput(key('Insert', { shift: true }))).toBe(true);
  });

  it('swallows the Super/Meta key and every Meta combination', () => {
    for (const k of ['Meta', 'OS', 'Super', 'Hyper']) expect(shouldBlockInput(key(k)), k).toBe(true);
    for (const k of ['a', 'r', 'q', 'l', 'ArrowLeft']) expect(shouldBlockInput(key(k, { meta: true })), `Meta+${k}`).toBe(true);
  });

  it('swallows browser, launcher and system keys', () => {
    const keys = ['BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'BrowserSearch', 'BrowserStop', 'BrowserFavorites', 'ZoomIn', 'ZoomOut', 'ZoomToggle', 'Print', 'PrintScreen', 'ContextMenu', 'Help', 'Open', 'Close', 'New', 'Save', 'Find', 'LaunchApplication1', 'LaunchMail', 'LaunchWebBrowser', 'Power', 'Standby', 'WakeUp', 'Pause', 'ScrollLock', 'Control', 'Insert', 'Unidentified'];
    for (const k of keys) expect(shouldBlockInput(key(k)), k).toBe(true);
  });

  it('treats malformed input as hostile', () => {
    expect(shouldBlockInput(key(''))).toBe(true);
    expect(shouldBlockInput(key('x'.repeat(40)))).toBe(true);
    expect(shouldBlockInput(key('\u0007'))).toBe(true); // control character
    expect(shouldBlockInput(key('\u0085'))).toBe(true); // C1 control character
    expect(shouldBlockInput(key('ab'))).toBe(true); // not one character, not a named key
    expect(shouldBlockInput(null as unknown as KeyInput)).toBe(true);
    expect(shouldBlockInput({ type: 'keyDown', key: 42 } as unknown as KeyInput)).toBe(true);
    // a modifier flag that is not a boolean fails closed
    expect(shouldBlockInput({ ...key('r'), control: 'yes' } as unknown as KeyInput)).toBe(true);
    expect(shouldBlockInput({ ...key('F4'), alt: 1 } as unknown as KeyInput)).toBe(true);
  });
});
