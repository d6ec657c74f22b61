import { useEffect, useRef } from 'preact/hooks';
import type { CardProblem } from '../../../contract/schema.ts';
import { t } from '../texts.ts';

/** `onMap`: the map of institutions, open to anyone without a card (where is the CAF?). */
export function Attract({ onMap }: { onMap?: () => void }) {
  return (
    <section class="center" aria-labelledby="titre">
      <p class="lead">{t.attract.title}</p>
      <h1 id="titre">{t.attract.insert}</h1>
      <div class="card-illustration" aria-hidden="true">
        <svg viewBox="0 0 200 140" width="240">
          <rect x="30" y="70" width="140" height="60" rx="8" fill="#d9e6e4" stroke="#0b3d3f" stroke-width="4" />
          <rect x="55" y="10" width="90" height="70" rx="6" fill="#fff" stroke="#0b3d3f" stroke-width="4" />
          <rect x="70" y="25" width="22" height="16" rx="2" fill="#c9a227" />
          <path d="M100 95 v30 m-12 -12 l12 12 l12 -12" stroke="#0b3d3f" stroke-width="5" fill="none" stroke-linecap="round" />
        </svg>
      </div>
      <p>{t.attract.help}</p>
      <p class="muted">{t.attract.noCard}</p>
      {onMap && (
        <div class="actions">
          <button type="button" class="button secondary" onClick={onMap}>
            {t.attract.map}
          </button>
        </div>
      )}
    </section>
  );
}

export function Reading() {
  return (
    <section class="center" aria-labelledby="titre" aria-busy="true">
      <h1 id="titre">{t.reading.title}</h1>
      <div class="spinner" aria-hidden="true" />
      <p>{t.reading.help}</p>
    </section>
  );
}

export function CardProblemScreen({ problem }: { problem: CardProblem }) {
  const text = t.problem[problem];
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [problem]);
  return (
    <section class="center" aria-labelledby="titre">
      <h1 id="titre" class="warning" ref={heading} tabIndex={-1}>
        {text.title}
      </h1>
      <p role="alert">{text.help}</p>
      <p class="lead">{t.problem.remove}</p>
    </section>
  );
}

/**
 * The session is over; the screen stays until every card is out of the box (both after an accompanied
 * session), counting those still in, and says it again when one is taken.
 */
export function RemoveCard({ reason, slots }: { reason: 'finished' | 'idle' | 'pulled'; slots: ('main' | 'second')[] }) {
  const two = slots.length > 1;
  // the main card is out but the second is still in: what is left of an accompanied session
  const leftBehind = !two && slots[0] === 'second';
  return (
    <section class="center" aria-labelledby="titre">
      <h1 id="titre">{t.removeCard.title}</h1>
      {reason === 'idle' && <p>{t.removeCard.idle}</p>}
      {reason === 'pulled' && <p>{t.removeCard.pulled}</p>}
      <div role="status" aria-live="polite">
        {two ? (
          <>
            <p class="lead">{t.removeCard.both}</p>
            <p>{t.removeCard.bothHelp}</p>
          </>
        ) : (
          <p class="lead">{leftBehind ? t.removeCard.oneLeft : t.removeCard.help}</p>
        )}
      </div>
      {(two || leftBehind) && <p class="muted">{t.removeCard.next}</p>}
    </section>
  );
}
