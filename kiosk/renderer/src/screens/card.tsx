import { useEffect, useRef } from 'preact/hooks';
import type { CardProblem } from '../../../contract/schema.ts';
import { t } from '../texts.ts';

export function Attract() {
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

export function RemoveCard({ reason }: { reason: 'finished' | 'idle' }) {
  return (
    <section class="center" aria-labelledby="titre">
      <h1 id="titre">{t.removeCard.title}</h1>
      {reason === 'idle' && <p>{t.removeCard.idle}</p>}
      <p class="lead">{t.removeCard.help}</p>
    </section>
  );
}
