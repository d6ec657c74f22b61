/**
 * Which key presses reach the page (`before-input-event`). Deny by default: a person types text, digits
 * and moves around a form; everything that talks to the browser or the system (reload, devtools, zoom,
 * print, find, close, full screen, back/forward, clipboard) is swallowed.
 *
 * - Any Ctrl or Meta combination is swallowed: Ctrl+R/W/Q/N/T/P/S/O/F/U/L/H/J, Ctrl+Shift+I/J/C, zoom
 *   (Ctrl+= / - / 0), Ctrl+Tab… and copy/paste too: the clipboard outlives a session and would carry one
 *   person's data to the next.
 * - Alt is allowed only when it yields a character (AltGr on a French keyboard gives @ # { [ | € …); Alt+F4,
 *   Alt+Left/Right, Alt+Home and the bare Alt key (menu bar) are swallowed.
 * - Function keys (F1–F24: F5 reload, F11 full screen, F12 devtools, F7 caret browsing) and the browser,
 *   launcher and system keys are swallowed.
 */

/** The fields of Electron's `Input` that matter here. */
export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  control: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

/** Non-character keys a person needs on a form (with or without Shift). */
const ALLOWED_NAMED_KEYS = new Set([
  'Backspace',
  'Delete',
  'Enter',
  'Tab',
  'Escape',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Shift',
  'CapsLock',
  'NumLock',
  'AltGraph',
  // dead keys compose accents (^ then e = ê), common on French keyboards
  'Dead',
  'Compose',
  'Process',
]);

/** Is this key value a single printable character (one code point, not a control character)? */
function isCharacter(key: string): boolean {
  const points = [...key];
  if (points.length !== 1) return false;
  const cp = points[0]!.codePointAt(0)!;
  return cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0);
}

/** true: swallow the key press (event.preventDefault()); false: let the page have it. */
export function shouldBlockInput(input: KeyInput): boolean {
  if (input === null || typeof input !== 'object') return true;
  if (typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 32) return true;
  // truthy, not `=== true`: a malformed flag fails closed
  if (input.control || input.meta) return true;
  if (isCharacter(input.key)) return false; // Alt(Gr) or not: it types a character
  if (input.alt) return true;
  return !ALLOWED_NAMED_KEYS.has(input.key);
}
