/** "Qui a vu mes papiers ?": the audit journal about the person, in plain words. */
import { useEffect, useState } from 'preact/hooks';
import type { JournalEntry } from '../../../contract/schema.ts';
import { dateTimeFr } from '../format.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Title, errorText, ActionBar } from '../components/screen.tsx';

export function Journal({ onBack }: { onBack: () => void }) {
  const [entries, setEntries] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    kiosk.call('vault.journal', {}).then((r) => setEntries(r.entries), (e: unknown) => setError(errorText(e)));
  }, []);
  return (
    <section aria-labelledby="titre">
      <Title>{t.journal.title}</Title>
      <p>{t.journal.help}</p>
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {entries?.length === 0 && <p>{t.journal.empty}</p>}
      {entries && entries.length > 0 && (
        <ul class="journal">
          {entries.map((e, i) => (
            // someone else's act stands out: who, and why they could
            <li key={i} class={`journal-${e.kind}`}>
              <span class="doc-meta">{dateTimeFr(e.at)}</span>
              {e.kind === 'other' && <span class="badge neutral">{t.journal.someoneElse}</span>}
              <span>
                <strong>{e.who}</strong> {e.action}
                {e.documentTitle ? ` : ${e.documentTitle}` : ''}
              </span>
              {e.why && <span class="journal-why">{t.journal.why(e.why)}</span>}
            </li>
          ))}
        </ul>
      )}
      <ActionBar>
        <button type="button" class="button secondary" onClick={onBack}>
          {t.vault.back}
        </button>
      </ActionBar>
    </section>
  );
}
