/**
 * The aids one can ask for, as short cards people can scan: a pictogram, the name, one line in plain
 * words, "Estimer" first where the aid can be estimated, then "Faire la demande"; the rest (what it is,
 * who handles it, a QR code to its official page) behind "En savoir plus". A search box at the top.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AidItem } from '../../../../contract/schema.ts';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { Problem, Title, errorText, ActionBar } from '../../components/screen.tsx';
import { Keyboard } from '../../components/keyboard.tsx';
import { Pictogram } from '../../components/pictograms.tsx';
import { QrLink } from '../../components/qr.tsx';
import { matchesQuery } from './search.ts';

export function Catalogue({
  onSimulate,
  onFile,
  onBack,
}: {
  /** estimate these aids (all the simulable ones when empty) */
  onSimulate: (aidIds: string[]) => void;
  /** the filing screen offers the partners of a bundle itself: nothing is chosen for the person here */
  onFile: (aids: { id: string; name: string }[]) => void;
  onBack: () => void;
}) {
  const [aids, setAids] = useState<AidItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [query, setQuery] = useState('');
  const [typing, setTyping] = useState(false);

  useEffect(() => {
    setError(null);
    kiosk.call('aids.catalogue', {}).then((r) => setAids(r.aids), (e: unknown) => setError(errorText(e)));
  }, [attempt]);

  const shown = aids?.filter((a) => matchesQuery(a, query)) ?? [];

  return (
    <section aria-labelledby="titre" class="catalogue">
      <Title>{t.catalogue.title}</Title>
      {error ? (
        <Problem message={error} onRetry={() => setAttempt((a) => a + 1)} onBack={onBack} />
      ) : aids === null ? (
        <p aria-busy="true">{t.aids.loading}</p>
      ) : (
        <>
          <div class="catalogue-top">
            <div class="search" role="search">
              <label for="chercher-aide">{t.catalogue.search}</label>
              <p id="chercher-aide-aide" class="muted small">
                {t.catalogue.searchHelp}
              </p>
              <div class="search-row">
                <input
                  id="chercher-aide"
                  type="search"
                  autoComplete="off"
                  spellcheck={false}
                  aria-describedby="chercher-aide-aide"
                  value={query}
                  onFocus={() => setTyping(true)}
                  onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
                />
                {query !== '' && (
                  <button type="button" class="button secondary" onClick={() => setQuery('')}>
                    {t.catalogue.clear}
                  </button>
                )}
              </div>
            </div>
            {aids.some((a) => a.simulable) && (
              <button type="button" class="button secondary" onClick={() => onSimulate([])}>
                {t.catalogue.estimateAll}
              </button>
            )}
          </div>
          {typing && (
            <div class="search-keyboard">
              <Keyboard label={t.catalogue.search} onKey={(ch) => setQuery((q) => (ch === '\n' ? q : q + ch))} onErase={() => setQuery((q) => q.slice(0, -1))} />
              <div class="actions">
                <button type="button" class="button secondary" onClick={() => setTyping(false)}>
                  {t.catalogue.closeKeyboard}
                </button>
              </div>
            </div>
          )}
          <div role="status" class={shown.length === 0 ? 'panel no-match' : 'search-count'}>
            {query !== '' && <p class={shown.length === 0 ? 'lead' : ''}>{shown.length === 0 ? t.catalogue.noMatch : t.catalogue.found(shown.length)}</p>}
            {shown.length === 0 && <p>{t.catalogue.noMatchHelp}</p>}
          </div>
          {shown.length > 0 && (
            <ul class="plain aid-grid">
              {shown.map((aid) => (
                <li key={aid.id}>
                  <AidCard aid={aid} onSimulate={() => onSimulate([aid.id])} onFile={() => onFile([{ id: aid.id, name: aid.name }])} />
                </li>
              ))}
            </ul>
          )}
          <ActionBar>
            <button type="button" class="button secondary" onClick={onBack}>
              {t.aids.back}
            </button>
          </ActionBar>
        </>
      )}
    </section>
  );
}

function AidCard({ aid, onSimulate, onFile }: { aid: AidItem; onSimulate: () => void; onFile: () => void }) {
  // a disclosure button rather than <details>: it sits in the row of actions and keeps the card short
  const [open, setOpen] = useState(false);
  return (
    <article class="aid-card compact" aria-labelledby={`aide-${aid.id}`}>
      <div class="aid-head">
        <Pictogram family={aid.family} />
        <div>
          <h2 id={`aide-${aid.id}`}>{aid.name}</h2>
          <p class="aid-summary">{aid.summary}</p>
        </div>
      </div>
      <div class="aid-actions">
        {aid.simulable && (
          <button type="button" class="button primary" onClick={onSimulate}>
            {t.catalogue.estimateShort}
            <span class="sr-only">
              {' '}
              {t.catalogue.estimateRest} : {aid.name}
            </span>
          </button>
        )}
        <button type="button" class={`button ${aid.simulable ? 'secondary' : 'primary'}`} onClick={onFile}>
          {t.catalogue.file}
          <span class="sr-only"> : {aid.name}</span>
        </button>
        <button type="button" class="more" aria-expanded={open} aria-controls={`plus-${aid.id}`} onClick={() => setOpen(!open)}>
          {t.catalogue.more}
          <span class="sr-only"> : {aid.name}</span>
        </button>
      </div>
      <div id={`plus-${aid.id}`} class="aid-more" hidden={!open}>
        <p>{aid.description}</p>
        <p>
          <span class="muted">{t.catalogue.who}</span> <strong>{aid.institutionName}</strong>
        </p>
        {aid.process.kind === 'linked' && (
          <p class="panel">
            {t.catalogue.linked(aid.process.after.name)} {aid.process.reason} {t.catalogue.linkedFile(aid.process.after.name)}
          </p>
        )}
        {aid.process.kind === 'bundle' && <p class="panel">{t.catalogue.bundle(aid.process.with.map((w) => w.name).join(', '))}</p>}
        {open && <QrLink url={aid.officialUrl} />}
      </div>
    </article>
  );
}
