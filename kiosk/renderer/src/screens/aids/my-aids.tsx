/** "Mes aides": what is new, the person's requests with their state in words, and "Demander une aide". */
import { useEffect, useState } from 'preact/hooks';
import type { AidNotice, DossierSummary } from '../../../../contract/schema.ts';
import { KioskError } from '../../../../contract/schema.ts';
import { dateFr } from '../../format.ts';
import { kiosk } from '../../kiosk.ts';
import { useTexts } from '../../voice.tsx';
import { Notices } from './common.tsx';
import { Problem, Title, errorText, ActionBar } from '../../components/screen.tsx';

export function MyAids({
  notices,
  onOpen,
  onAsk,
  onBack,
  onLoaded,
  refresh,
}: {
  /** the notices of this session (shown at login, kept on screen for the session) */
  notices: AidNotice[];
  onOpen: (dossierId: string) => void;
  onAsk: () => void;
  onBack: () => void;
  /** the list brought notices: the session shows them and marks them seen */
  onLoaded: (notices: AidNotice[]) => void;
  /** changes when the server says a status changed */
  refresh: number;
}) {
  const t = useTexts();
  const [dossiers, setDossiers] = useState<DossierSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let gone = false;
    setError(null);
    kiosk.call('applications.list', {}).then(
      (r) => {
        if (gone) return;
        setDossiers(r.dossiers);
        onLoaded(r.notices);
      },
      (e: unknown) => {
        if (gone) return;
        setError(errorText(e));
        setOffline(e instanceof KioskError && e.code === 'offline');
      },
    );
    return () => {
      gone = true;
    };
  }, [attempt, refresh]);

  return (
    <section aria-labelledby="titre">
      <Title>{t.aids.title}</Title>
      {/* a problem first: older news must not push it off the screen */}
      {error && !dossiers && <Problem message={error} onRetry={() => setAttempt((a) => a + 1)} onBack={onBack} />}
      {error && !dossiers && offline && (
        // an estimate needs neither the server nor anything about the person: it is made on the tablet
        <div class="panel">
          <p>{t.aids.estimateOffline}</p>
          <button type="button" class="button primary" onClick={onAsk}>
            {t.aids.estimateOfflineGo}
          </button>
        </div>
      )}
      {error && dossiers && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      <Notices notices={notices} onOpen={onOpen} />
      {!(error && !dossiers) && (
        <>
          <h2>{t.aids.requests}</h2>
          {dossiers === null && <p aria-busy="true">{t.aids.loading}</p>}
          {dossiers?.length === 0 && <p>{t.aids.none}</p>}
          {dossiers && dossiers.length > 0 && (
            <ul class="doc-list">
              {dossiers.map((d) => (
                <li key={d.dossierId}>
                  <button type="button" class="doc-item" onClick={() => onOpen(d.dossierId)}>
                    <span class="doc-title">{d.aids.map((a) => a.aidName).join(' + ')}</span>
                    {d.aids.map((a) => (
                      <span class="doc-meta strong" key={a.applicationId}>
                        {d.aids.length > 1 ? `${a.aidName} : ` : ''}
                        {a.stateLabel}
                      </span>
                    ))}
                    <span class="doc-meta">{t.aids.started(dateFr(d.createdAt))}</span>
                    <span class="badges">
                      {d.missingCount > 0 && <span class="badge">{t.aids.missing(d.missingCount)}</span>}
                      {d.unreadMessages > 0 && <span class="badge neutral">{t.aids.unread(d.unreadMessages)}</span>}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <ActionBar>
            <button type="button" class="button primary" onClick={onAsk}>
              {t.aids.ask}
            </button>
            <button type="button" class="button secondary" onClick={onBack}>
              {t.aids.back}
            </button>
          </ActionBar>
        </>
      )}
    </section>
  );
}
