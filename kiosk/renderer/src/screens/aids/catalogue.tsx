/** The aids one can ask for: what each is, in plain words, who handles it, its official page (as text). */
import { useEffect, useState } from 'preact/hooks';
import type { AidItem } from '../../../../contract/schema.ts';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { Problem, Title, errorText } from '../../components/screen.tsx';

export function Catalogue({
  onSimulate,
  onFile,
  onBack,
}: {
  /** estimate these aids (all the simulable ones when empty) */
  onSimulate: (aidIds: string[]) => void;
  onFile: (aids: { id: string; name: string }[]) => void;
  onBack: () => void;
}) {
  const [aids, setAids] = useState<AidItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  /** bundles: file the partner aids too (yes unless the person says no) */
  const [without, setWithout] = useState<Set<string>>(new Set());

  useEffect(() => {
    setError(null);
    kiosk.call('aids.catalogue', {}).then((r) => setAids(r.aids), (e: unknown) => setError(errorText(e)));
  }, [attempt]);

  const file = (aid: AidItem) => {
    const list = [{ id: aid.id, name: aid.name }];
    if (aid.process.kind === 'bundle' && !without.has(aid.id)) list.push(...aid.process.with);
    onFile(list);
  };

  return (
    <section aria-labelledby="titre">
      <Title>{t.catalogue.title}</Title>
      {error ? (
        <Problem message={error} onRetry={() => setAttempt((a) => a + 1)} onBack={onBack} />
      ) : aids === null ? (
        <p aria-busy="true">{t.aids.loading}</p>
      ) : (
        <>
          <p>{t.catalogue.help}</p>
          {aids.some((a) => a.simulable) && (
            <div class="actions left">
              <button type="button" class="button secondary" onClick={() => onSimulate([])}>
                {t.catalogue.estimateAll}
              </button>
            </div>
          )}
          <ul class="plain aid-list">
            {aids.map((aid) => (
              <li key={aid.id}>
                <article class="aid-card" aria-labelledby={`aide-${aid.id}`}>
                  <h2 id={`aide-${aid.id}`}>{aid.name}</h2>
                  <p>{aid.description}</p>
                  <p>
                    <span class="muted">{t.catalogue.who}</span> <strong>{aid.institutionName}</strong>
                  </p>
                  <p class="small">
                    <span class="muted">{t.catalogue.link}</span> <span class="url">{aid.officialUrl}</span>
                  </p>
                  {aid.process.kind === 'linked' && (
                    <p class="panel">
                      {t.catalogue.linked(aid.process.after.name)} {aid.process.reason} {t.catalogue.linkedFile(aid.process.after.name)}
                    </p>
                  )}
                  {aid.process.kind === 'bundle' && (
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={!without.has(aid.id)}
                        onChange={(e) => {
                          const on = (e.target as HTMLInputElement).checked;
                          setWithout((old) => {
                            const next = new Set(old);
                            if (on) next.delete(aid.id);
                            else next.add(aid.id);
                            return next;
                          });
                        }}
                      />
                      <span>{t.catalogue.bundle(aid.process.with.map((w) => w.name).join(', '))}</span>
                    </label>
                  )}
                  <div class="actions left">
                    <button type="button" class="button primary" onClick={() => file(aid)}>
                      {t.catalogue.file}
                      <span class="sr-only"> : {aid.name}</span>
                    </button>
                    {aid.simulable && (
                      <button type="button" class="button secondary" onClick={() => onSimulate([aid.id])}>
                        {t.catalogue.estimate}
                        <span class="sr-only"> : {aid.name}</span>
                      </button>
                    )}
                  </div>
                </article>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" class="button secondary" onClick={onBack}>
              {t.aids.back}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
