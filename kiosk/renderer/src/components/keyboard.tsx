/**
 * The on-screen keyboard (the tablet has no other) and the one text field every screen types into with it.
 *
 * Big keys (64 px), AZERTY, a "Majuscule" key for one capital, a row of French accents always shown (a
 * long press is hard to find and to hold on a tablet; a visible key is not), digits and common signs, and
 * ← → to move the cursor; tapping in the field puts the cursor there too. Keys type and erase at the
 * cursor. A number pad stands in for numeric fields, beside its field; the letters sit just above theirs.
 * The page scrolls so both are in view, above the screen's action bar: the text being typed is never hidden.
 *
 * The keys do not take the focus from the field when tapped (the caret stays shown where it types); a
 * person moving with a real keyboard or a screen reader reaches every key, each named in words.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t } from '../texts.ts';
import { eraseAt, moveCaret, typeAt } from './text-edit.ts';
import type { Edited } from './text-edit.ts';

export type KeyboardLayout = 'letters' | 'digits';

const LETTER_ROWS = ['1234567890', 'azertyuiop', 'qsdfghjklm'];
const LAST_ROW = "wxcvbn'-";
const ACCENTS = 'éèêàçôîùëï';
const SIGNS = '@./,';
/** for writing sentences (messages, letters): more punctuation */
const TEXT_SIGNS = '?!:;€';

/** Keeps the focus (and the caret) in the field when a key is tapped. */
const keepFocus = (e: Event) => e.preventDefault();

function keyName(ch: string): string | undefined {
  const named = t.keyboard.names[ch.toLowerCase()];
  const capital = ch !== ch.toLowerCase();
  if (named) return capital ? t.keyboard.capitalNamed(named) : named;
  return capital ? t.keyboard.capital(ch) : undefined;
}

export function Keyboard({
  layout = 'letters',
  text = false,
  upper = false,
  extra = [],
  label,
  onKey,
  onErase,
  onMove,
  onNewLine,
}: {
  layout?: KeyboardLayout;
  /** sentences: more punctuation and "À la ligne" */
  text?: boolean;
  /** the field is written in capitals (references): no shift */
  upper?: boolean;
  /** the number pad's other keys (the comma of an amount, the / of a date) */
  extra?: readonly string[];
  label?: string;
  onKey: (ch: string) => void;
  onErase: () => void;
  /** ← →: shown when the caller keeps a cursor */
  onMove?: (by: -1 | 1) => void;
  onNewLine?: () => void;
}) {
  const [shift, setShift] = useState(false);
  const type = (ch: string) => {
    onKey(ch);
    setShift(false);
  };
  const key = (ch: string) => {
    // a field in capitals shows its keys in capitals (CSS) and its field writes them so: the keys keep their plain names
    const shown = shift && !upper ? ch.toUpperCase() : ch;
    return (
      <button type="button" class="kb-key char" key={ch} aria-label={keyName(shown)} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={() => type(shown)}>
        {shown}
      </button>
    );
  };
  const arrows = onMove && (
    <>
      <button type="button" class="kb-key" aria-label={t.keyboard.left} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={() => onMove(-1)}>
        ←
      </button>
      <button type="button" class="kb-key" aria-label={t.keyboard.right} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={() => onMove(1)}>
        →
      </button>
    </>
  );
  const erase = (
    <button type="button" class="kb-key wide" aria-label={t.keyboard.eraseName} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={onErase}>
      {t.keyboard.erase}
    </button>
  );

  if (layout === 'digits') {
    return (
      <div class="keyboard digits" role="group" aria-label={label ?? t.keyboard.digitsLabel}>
        {['123', '456', '789'].map((row) => (
          <div class="kb-row" key={row}>
            {[...row].map(key)}
          </div>
        ))}
        <div class="kb-row">
          {extra.map(key)}
          {key('0')}
        </div>
        <div class="kb-row">
          {arrows}
          {erase}
        </div>
      </div>
    );
  }

  return (
    <div class={`keyboard ${upper ? 'upper' : ''}`} role="group" aria-label={label ?? t.keyboard.label}>
      {LETTER_ROWS.map((row) => (
        <div class="kb-row" key={row}>
          {[...row].map(key)}
        </div>
      ))}
      <div class="kb-row">
        {!upper && (
          <button type="button" class="kb-key shift" aria-pressed={shift} aria-label={t.keyboard.shift} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={() => setShift((s) => !s)}>
            <span aria-hidden="true">⇧</span>
          </button>
        )}
        {[...LAST_ROW].map(key)}
      </div>
      <div class="kb-row accents">{[...ACCENTS].map(key)}</div>
      <div class="kb-row">{[...SIGNS, ...(text ? TEXT_SIGNS : '')].map(key)}</div>
      <div class="kb-row">
        {arrows}
        <button type="button" class="kb-key space" aria-label={t.keyboard.space} onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={() => type(' ')}>
          {t.keyboard.space}
        </button>
        {text && onNewLine && (
          <button type="button" class="kb-key wide" onPointerDown={keepFocus} onMouseDown={keepFocus} onClick={onNewLine}>
            {t.keyboard.newLine}
          </button>
        )}
        {erase}
      </div>
    </div>
  );
}

/**
 * A text box shows the line where the caret is (the browser does not scroll a box to a caret it places
 * itself): the text before the caret is laid out in a hidden copy of the box to find that line.
 */
function scrollToCaret(el: HTMLInputElement | HTMLTextAreaElement): void {
  if (!(el instanceof HTMLTextAreaElement)) return;
  const style = getComputedStyle(el);
  const copy = document.createElement('div');
  for (const prop of ['fontFamily', 'fontSize', 'fontWeight', 'lineHeight', 'letterSpacing', 'paddingTop', 'paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth', 'boxSizing'] as const) {
    copy.style[prop] = style[prop];
  }
  copy.style.width = `${el.clientWidth}px`;
  copy.style.borderLeftWidth = '0';
  copy.style.borderRightWidth = '0';
  copy.style.whiteSpace = 'pre-wrap';
  copy.style.overflowWrap = 'break-word';
  copy.style.position = 'absolute';
  copy.style.visibility = 'hidden';
  copy.style.top = '0';
  copy.setAttribute('aria-hidden', 'true');
  copy.textContent = el.value.slice(0, el.selectionEnd ?? el.value.length);
  const mark = document.createElement('span');
  mark.textContent = '\u200b';
  copy.appendChild(mark);
  document.body.appendChild(copy);
  const line = parseFloat(style.lineHeight) || mark.offsetHeight;
  const y = mark.offsetTop;
  copy.remove();
  if (y < el.scrollTop) el.scrollTop = Math.max(0, y - line / 2);
  else if (y + line > el.scrollTop + el.clientHeight) el.scrollTop = y + line * 1.5 - el.clientHeight;
}

/** The field and its keyboard in view (in the page or in a dialog that scrolls), the field first if both do not fit. */
function bringIntoView(wrap: HTMLElement | null): void {
  if (!wrap) return;
  const r = wrap.getBoundingClientRect();
  let top = 0;
  let bottom = window.innerHeight;
  let scroller: HTMLElement | null = null;
  for (let p = wrap.parentElement; p; p = p.parentElement) {
    if (p.scrollHeight > p.clientHeight && /auto|scroll/.test(getComputedStyle(p).overflowY)) {
      const c = p.getBoundingClientRect();
      top = Math.max(top, c.top);
      bottom = Math.min(bottom, c.bottom);
      scroller = p;
      break;
    }
  }
  // the action bar stays over the bottom of the screen (or of the dialog): the field must rest above it
  for (const bar of (scroller ?? document).querySelectorAll<HTMLElement>('[data-main-actions]')) {
    if (bar.contains(wrap) || (scroller === null && bar.closest('.dialog'))) continue;
    const b = bar.getBoundingClientRect();
    // only a bar resting at the bottom covers anything (a short screen keeps it under its content)
    if (b.bottom >= bottom - 2) bottom = Math.min(bottom, b.top);
  }
  if (r.top < top || r.bottom > bottom) wrap.scrollIntoView({ block: r.height > bottom - top ? 'end' : 'nearest' });
}

export interface FieldHint {
  text: string;
  /** a mistake (said as one), or a word of help while typing */
  wrong: boolean;
}

/**
 * A text field with its on-screen keyboard just above it: every field of the kiosk types through it.
 * The caller keeps the value; keys type, erase and move at the cursor.
 */
export function KeyField({
  id,
  label,
  labelClass,
  value,
  onChange,
  multiline = false,
  rows = 5,
  layout = 'letters',
  extra,
  text = false,
  upper = false,
  max = 300,
  open = true,
  onOpen,
  hint,
  autoFocus = false,
  inputClass,
  keyboardLabel,
  reveal = 0,
  describedBy,
}: {
  id: string;
  label: ComponentChildren;
  labelClass?: string;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  rows?: number;
  layout?: KeyboardLayout;
  extra?: readonly string[];
  text?: boolean;
  upper?: boolean;
  max?: number;
  /** whether its keyboard is shown (one at a time on a screen with several fields) */
  open?: boolean;
  /** the person tapped the field: show its keyboard */
  onOpen?: () => void;
  hint?: FieldHint | null;
  autoFocus?: boolean;
  inputClass?: string;
  keyboardLabel?: string;
  /** a new number brings the field (open) into view and gives it the focus */
  reveal?: number;
  /** what else describes the field (a message of the screen about it) */
  describedBy?: string;
}) {
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const caret = useRef<number | null>(null);
  const hintId = `${id}-aide`;

  // the value is set anew after each key: the cursor goes back where the key left it
  useLayoutEffect(() => {
    const el = field.current;
    if (!el || caret.current === null) return;
    const at = Math.min(caret.current, el.value.length);
    caret.current = null;
    el.setSelectionRange(at, at);
    scrollToCaret(el);
  }, [value]);

  useEffect(() => {
    const el = field.current;
    if (!el) return;
    if (autoFocus) {
      el.focus({ preventScroll: true });
      el.setSelectionRange(el.value.length, el.value.length);
    }
  }, []);

  // the keyboard opens above the field: both are brought into view, the field first if they do not fit;
  // again when a word appears under the field, and when the screen asks (a value it would not save)
  // (after a frame: a dialog around the field puts its title in view first, when it opens)
  useEffect(() => {
    if (!open) return;
    if (reveal > 0) field.current?.focus({ preventScroll: true });
    const frame = requestAnimationFrame(() => bringIntoView(box.current));
    return () => cancelAnimationFrame(frame);
  }, [open, hint?.text, reveal]);

  const fix = (s: string) => (upper ? s.toUpperCase() : s);

  function apply(edit: (v: string, start: number, end: number) => Edited) {
    const el = field.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? start;
    const r = edit(value, start, end);
    if (r.value === value) {
      el?.setSelectionRange(r.caret, r.caret);
      if (el) scrollToCaret(el);
      return;
    }
    caret.current = r.caret;
    onChange(fix(r.value));
    // what is typed is seen: the field comes back into view if the page or the dialog was scrolled away
    requestAnimationFrame(() => bringIntoView(box.current));
  }

  const common = {
    id,
    ref: field,
    value,
    class: inputClass,
    autoComplete: 'off',
    spellcheck: false,
    // the tablet's own keyboard would cover the page: the one on screen is enough
    inputMode: 'none' as const,
    'aria-describedby': [hint ? hintId : '', describedBy ?? ''].join(' ').trim() || undefined,
    'aria-invalid': hint?.wrong ? true : undefined,
    onFocus: () => onOpen?.(),
    onInput: (e: Event) => {
      const el = e.target as HTMLInputElement;
      const at = el.selectionStart;
      caret.current = at;
      onChange(fix(el.value.slice(0, max)));
    },
  };

  return (
    <div class={`kb-field ${layout === 'digits' ? 'digits' : ''} ${open ? 'open' : ''}`} ref={box}>
      {open && (
        <div
          class="kb-holder"
          onPointerDown={() => {
            // a finger on a key types where the field's caret is, in sight: the field takes the focus
            // if it had not (a person on a real keyboard or a screen reader keeps theirs on the keys)
            const el = field.current;
            if (el && document.activeElement !== el) el.focus({ preventScroll: true });
          }}
        >
          <Keyboard
            layout={layout}
            {...(extra ? { extra } : {})}
            text={text}
            upper={upper}
            {...(keyboardLabel ? { label: keyboardLabel } : {})}
            onKey={(ch) => apply((v, s, e) => typeAt(v, s, e, ch, max))}
            onErase={() => apply(eraseAt)}
            onMove={(by) => {
              const el = field.current;
              if (!el) return;
              const at = moveCaret(value, el.selectionStart ?? value.length, el.selectionEnd ?? value.length, by);
              el.setSelectionRange(at, at);
              scrollToCaret(el);
            }}
            {...(multiline ? { onNewLine: () => apply((v, s, e) => typeAt(v, s, e, '\n', max)) } : {})}
          />
        </div>
      )}
      <label for={id} class={labelClass}>
        {label}
      </label>
      {multiline ? <textarea {...common} rows={rows} /> : <input {...common} />}
      {hint && (
        <p id={hintId} class={`kb-hint ${hint.wrong ? 'wrong' : ''}`}>
          {hint.text}
        </p>
      )}
    </div>
  );
}
