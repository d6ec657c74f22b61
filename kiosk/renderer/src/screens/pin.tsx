/**
 * The PIN pad on screen. Digits stay in this component only, are sent once, and are cleared at once.
 * A physical keyboard works too (digits, Backspace, Enter) for people who prefer it. The same pad asks
 * for the code at login, when a beneficiary joins an agent, and when the card signs a request.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { errorText } from '../components/screen.tsx';
import { CARD_PIN_LENGTH } from '../../../contract/schema.ts';

// The protocol's rule: the card's PIN (OpenPGP PW1) has 6 to 8 digits.
const { min: MIN, max: MAX } = CARD_PIN_LENGTH;

export interface PinPadProps {
  firstName: string;
  triesLeft: number;
  /** login: the main card; join: a beneficiary joining an agent's session (shown in a dialog) */
  purpose?: 'login' | 'join';
  /** for join: the agent's first name */
  agent?: string;
}

export function PinPad({ firstName, triesLeft, purpose = 'login', agent }: PinPadProps) {
  const [message, setMessage] = useState<string | null>(triesLeft < 3 ? t.pin.wrong(triesLeft) : null);

  async function submit(pin: string) {
    setMessage(t.pin.checking);
    try {
      const r = await kiosk.call('pin.submit', { pin, purpose });
      if (r.outcome === 'wrong') setMessage(t.pin.wrong(r.triesLeft));
      else setMessage(null);
    } catch (err) {
      setMessage(errorText(err));
    }
  }

  return (
    <PinEntry
      id={`titre-${purpose}`}
      level={purpose === 'login' ? 1 : 2}
      title={t.pin.prompt}
      lead={t.pin.hello(firstName)}
      message={message}
      onSubmit={submit}
    >
      {purpose === 'join' && agent && <p>{t.pin.joinContext(agent)}</p>}
    </PinEntry>
  );
}

export interface PinEntryProps {
  /** the heading's id (the section is labelled by it) */
  id: string;
  level: 1 | 2;
  title: string;
  lead?: string;
  /** what the last attempt gave (wrong code, checking…), read out at once */
  message: string | null;
  /** called with the typed code; the pad is cleared and waits until it settles */
  onSubmit: (pin: string) => Promise<void>;
  children?: ComponentChildren;
}

/** The pad itself: dots, digits, erase, validate. */
export function PinEntry({ id, level, title, lead, message, onSubmit, children }: PinEntryProps) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  /** what the pad itself says about the length (too short, full); the last attempt's message otherwise */
  const [lengthNote, setLengthNote] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  const add = (d: string) => {
    if (pin.length >= MAX) {
      setLengthNote(t.pin.full(MAX));
      return;
    }
    setLengthNote(null);
    setPin(pin + d);
  };
  const erase = () => {
    setLengthNote(null);
    setPin((p) => p.slice(0, -1));
  };

  async function submit() {
    if (busy) return;
    // Valider stays off below the minimum; Enter on a keyboard still gets an answer
    if (pin.length < MIN) {
      if (pin.length > 0) setLengthNote(t.pin.tooShort(MIN));
      return;
    }
    setLengthNote(null);
    const value = pin;
    setPin('');
    setBusy(true);
    try {
      await onSubmit(value);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (/^\d$/.test(e.key)) add(e.key);
      else if (e.key === 'Backspace') erase();
      else if (e.key === 'Enter') void submit();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <section class="pin-screen" aria-labelledby={id}>
      <div class="pin-info">
        {lead && <p class="lead">{lead}</p>}
        {level === 1 ? (
          <h1 id={id} ref={heading} tabIndex={-1}>
            {title}
          </h1>
        ) : (
          <h2 id={id} class="h1" ref={heading} tabIndex={-1}>
            {title}
          </h2>
        )}
        {children}
        <p>{t.pin.size(MIN, MAX)}</p>
        <p class="muted">{t.pin.hint}</p>
        <div class="pin-dots" role="img" aria-label={t.pin.digits(pin.length)}>
          {Array.from({ length: Math.max(MIN, pin.length) }, (_, i) => (
            <span class={i < pin.length ? 'dot full' : 'dot'} key={i} />
          ))}
        </div>
        <p class="message" role="status" aria-live="assertive">
          {lengthNote ?? message ?? ''}
        </p>
      </div>
      <div class="pinpad" role="group" aria-label="Clavier du code">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button type="button" class="key" onClick={() => add(d)} disabled={busy} key={d}>
            {d}
          </button>
        ))}
        <button type="button" class="key secondary" onClick={erase} disabled={busy || pin.length === 0}>
          {t.pin.erase}
        </button>
        <button type="button" class="key" onClick={() => add('0')} disabled={busy}>
          0
        </button>
        <button type="button" class="key primary" onClick={() => void submit()} disabled={busy || pin.length < MIN}>
          {t.pin.validate}
        </button>
      </div>
    </section>
  );
}
