/** Small parts every screen may use: an error in words, the focused title, a problem with the way back. */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t } from '../texts.ts';

export function errorText(e: unknown): string {
  return e instanceof Error && e.message ? e.message : t.error;
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
