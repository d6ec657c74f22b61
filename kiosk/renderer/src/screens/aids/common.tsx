/** Small parts the aid screens share. */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { AidNotice } from '../../../../contract/schema.ts';
import { dateFr } from '../../format.ts';
import { t } from '../../texts.ts';

export function errorText(e: unknown): string {
  return e instanceof Error && e.message ? e.message : t.error;
}

export function euros(n: number): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
}

/** A screen's title, focused when the screen appears (screen readers start there). */
export function Title({ children, id = 'titre' }: { children: ComponentChildren; id?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <h1 id={id} ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** A problem said in words, never a blank screen: what happened, and the way back. */
export function Problem({ message, onRetry, onBack, backLabel }: { message: string; onRetry?: () => void; onBack: () => void; backLabel?: string }) {
  return (
    <>
      <p class="message warning" role="alert">
        {message}
      </p>
      <div class="actions">
        {onRetry && (
          <button type="button" class="button primary" onClick={onRetry}>
            {t.aids.retry}
          </button>
        )}
        <button type="button" class="button secondary" onClick={onBack}>
          {backLabel ?? t.aids.back}
        </button>
      </div>
    </>
  );
}

/** "Du nouveau": status changes the person had not seen, with the institution's own words. */
export function Notices({ notices, onOpen, level = 2 }: { notices: AidNotice[]; onOpen?: (dossierId: string) => void; level?: 2 | 3 }) {
  if (notices.length === 0) return null;
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div class="panel notices" role="status">
      <Heading>{t.aids.news}</Heading>
      <ul class="plain">
        {notices.map((n) => (
          <li key={n.id}>
            <p class="lead">{t.aids.notice(n.aidName, n.stateLabel)}</p>
            <p class="doc-meta">{dateFr(n.at)}</p>
            {n.message && (
              <blockquote>
                <span class="muted">{t.aids.noticeWords}</span> « {n.message} »
              </blockquote>
            )}
            {onOpen && (
              <button type="button" class="button secondary" onClick={() => onOpen(n.dossierId)}>
                {t.aids.seeRequest}
                <span class="sr-only"> : {n.aidName}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Big yes/no or one-of-several answers; the chosen one is pressed. */
export function Choices<V extends string | boolean>({
  options,
  value,
  onChoose,
  label,
}: {
  options: readonly { value: V; label: string }[];
  value: V | undefined;
  onChoose: (v: V) => void;
  label: string;
}) {
  return (
    <div class="answer-list" role="group" aria-label={label}>
      {options.map((o) => (
        <button type="button" key={String(o.value)} class="answer" aria-pressed={value === o.value} onClick={() => onChoose(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** A whole number typed with the on-screen digits (or the keyboard). */
export function NumberField({ id, label, value, onChange, active, onFocus }: { id: string; label: string; value: string; onChange: (v: string) => void; active: boolean; onFocus: () => void }) {
  return (
    <div class={`field number ${active ? 'active' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        inputMode="numeric"
        autoComplete="off"
        value={value}
        onFocus={onFocus}
        onInput={(e) => onChange((e.target as HTMLInputElement).value.replace(/\D/g, '').slice(0, 7))}
      />
    </div>
  );
}

export function DigitPad({ onDigit, onErase }: { onDigit: (d: string) => void; onErase: () => void }) {
  return (
    <div class="digitpad" role="group" aria-label={t.simulation.pad}>
      {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
        <button type="button" class="key" key={d} onClick={() => onDigit(d)}>
          {d}
        </button>
      ))}
      <button type="button" class="key secondary" onClick={onErase}>
        {t.simulation.erase}
      </button>
      <button type="button" class="key" onClick={() => onDigit('0')}>
        0
      </button>
    </div>
  );
}
