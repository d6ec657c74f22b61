/** "Mes papiers": the vault grouped by issuing institution or by kind of paper, and search. */
import { useEffect, useState } from 'preact/hooks';
import type { VaultItem } from '../../../contract/schema.ts';
import { paperDateWords } from '../../../contract/index.ts';
import { KeyField } from '../components/keyboard.tsx';
import { dateFr } from '../format.ts';
import { kiosk } from '../kiosk.ts';
import { useTexts } from '../voice.tsx';
import { Title, errorText, ActionBar } from '../components/screen.tsx';

type Grouping = 'issuer' | 'type';

export function VaultList({
  onOpen,
  onBack,
  onSend,
  notice,
}: {
  onOpen: (id: string) => void;
  onBack: () => void;
  /** « Envoyer des papiers à un organisme », when the papers may be sent from here */
  onSend?: () => void;
  notice?: string | null;
}) {
  const t = useTexts();
  const [items, setItems] = useState<VaultItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [grouping, setGrouping] = useState<Grouping>('issuer');
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);
  const [results, setResults] = useState<VaultItem[] | null>(null);
  /** the server was not reached: the list is what the tablet holds */
  const [offline, setOffline] = useState(false);

  useEffect(() => {
    kiosk.call('vault.list', {}).then(
      (r) => {
        setItems(r.items);
        setOffline(r.offline);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, []);

  async function search() {
    const q = query.trim();
    if (!q) return;
    setError(null);
    try {
      setResults((await kiosk.call('vault.search', { query: q })).items);
    } catch (e) {
      setError(errorText(e));
    }
  }

  const shown = results ?? items ?? [];
  const groups = new Map<string, VaultItem[]>();
  for (const it of shown) {
    const key = results ? '' : grouping === 'issuer' ? it.issuerTitle : it.title;
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }

  return (
    <section aria-labelledby="titre">
      <Title>{t.vault.title}</Title>
      {/* a problem first, above any older good news */}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {offline && (
        <p class="message warning" role="status">
          {t.offlineBanner.vault}
        </p>
      )}
      {notice && (
        <p class="message ok" role="status">
          {notice}
        </p>
      )}
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Ranger les papiers">
          <button type="button" aria-pressed={grouping === 'issuer'} onClick={() => setGrouping('issuer')}>
            {t.vault.byIssuer}
          </button>
          <button type="button" aria-pressed={grouping === 'type'} onClick={() => setGrouping('type')}>
            {t.vault.byType}
          </button>
        </div>
        <button type="button" class="button secondary" aria-expanded={searching} onClick={() => setSearching((v) => !v)}>
          {t.vault.search}
        </button>
      </div>
      {searching && (
        <div class="search">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void search();
            }}
          >
            <KeyField id="recherche" label={t.vault.searchLabel} value={query} onChange={setQuery} max={100} />
            <div class="search-row">
              <button type="submit" class="button primary">
                {t.vault.search}
              </button>
              {results && (
                <button
                  type="button"
                  class="button secondary"
                  onClick={() => {
                    setResults(null);
                    setQuery('');
                  }}
                >
                  {t.vault.clear}
                </button>
              )}
            </div>
          </form>
          {results && (
            <p role="status" aria-live="polite">
              {t.vault.searchResults(results.length)}
            </p>
          )}
        </div>
      )}
      {items === null && !error && <p aria-busy="true">{t.vault.loading}</p>}
      {items !== null && items.length === 0 && !results && <p>{offline ? t.offlineBanner.vaultEmpty : t.vault.empty}</p>}
      {[...groups.entries()].map(([title, list]) => (
        <div class="group" key={title || 'results'}>
          {title && <h2>{title}</h2>}
          <ul class="doc-list">
            {list.map((it) => (
              <li key={it.id}>
                <button type="button" class="doc-item" onClick={() => onOpen(it.id)} disabled={it.pending}>
                  <span class="doc-title">{it.title}</span>
                  {paperDateWords(it.docType, it.issuedOn) && <span class="doc-meta paper-date">{t.vault.paperDate(paperDateWords(it.docType, it.issuedOn)!)}</span>}
                  <span class="doc-meta">{t.vault.added(dateFr(it.capturedAt))}</span>
                  {it.depositedBy && <span class="doc-meta">{t.doc.depositedBy(it.depositedBy.name, it.depositedBy.structure)}</span>}
                  {it.vault === 'institutional' && <span class="doc-meta">{t.vault.institutional}</span>}
                  {it.snippet && <span class="doc-meta">{it.snippet}</span>}
                  <span class="badges">
                    {it.pending && <span class="badge neutral">{t.vault.pending}</span>}
                    {it.expiry !== 'valid' && <span class="badge">{t.vault.expiry[it.expiry]}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <ActionBar>
        {onSend && items !== null && items.some((it) => !it.pending) && (
          <button type="button" class="button secondary" onClick={onSend}>
            {t.vault.sendSeveral}
          </button>
        )}
        <button type="button" class="button secondary" onClick={onBack}>
          {t.vault.back}
        </button>
      </ActionBar>
    </section>
  );
}
