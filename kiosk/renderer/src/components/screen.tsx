/** Small parts every screen may use: an error in words, the focused title, a problem with the way back. */
import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * The screen's main actions, in a bar that stays at the bottom of the screen while the page scrolls:
 * « Oui, c'est juste », « Continuer », « Terminer » are never below the fold. One per screen (a dialog
 * has its own, at the bottom of the dialog). The browser tests measure it on every screen they look at.
 */
export function ActionBar({ children, left = false }: { children: ComponentChildren; left?: boolean }) {
  return (
    <div class={`actions action-bar${left ? ' left' : ''}`} data-main-actions="">
      {children}
    </div>
  );
}

/** A problem said in words, never a blank screen: what happened, and the way back. */
export function Problem({ message, onRetry, onBack, backLabel }: { message: string; onRetry?: () => void; onBack: () => void; backLabel?: string }) {
  return (
    <>
      <p class="message warning" role="alert">
        {message}
      </p>
      <ActionBar>
        {onRetry && (
          <button type="button" class="button primary" onClick={onRetry}>
            {t.aids.retry}
          </button>
        )}
        <button type="button" class="button secondary" onClick={onBack}>
          {backLabel ?? t.aids.back}
        </button>
      </ActionBar>
    </>
  );
}

/**
 * A gesture that calls the core: `busy` while it runs (its buttons wait), its error said in words, and
 * what it says once done (`run`'s answer, when it gives one). One shape for every screen that acts.
 */
export function useAct(firstNotice: string | null = null) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(firstNotice);
  async function act(run: () => Promise<string | null | void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const said = await run();
      if (said) setNotice(said);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, notice, setError, setNotice, act };
}
