import type { SyncStatus } from '../../contract/schema.ts';
import { t } from './texts.ts';

/** A quiet indicator in the top bar: how many documents wait (a lost connection is the banner's). */
export function SyncBadge({ sync }: { sync: SyncStatus }) {
  const text = sync.pending > 0 ? t.sync.pending(sync.pending) : '';
  return (
    <span class={`sync-badge ${sync.online ? '' : 'offline'}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}

/**
 * At the top of every screen while the server cannot be reached (no connection, or a server that does
 * not answer): it says so first, before any older notice, then what still works without it.
 */
export function OfflineBanner({ sync }: { sync: SyncStatus | null }) {
  const offline = sync !== null && !sync.online;
  return (
    <div class="offline-banner-slot" role="status" aria-live="polite">
      {offline && (
        <div class="offline-banner">
          <p class="offline-title">{t.offlineBanner.title}</p>
          {/* the sync client's own words already say the documents wait; otherwise it is said here */}
          {sync.problem && <p>{sync.problem}</p>}
          <p>{sync.problem ? t.offlineBanner.works : `${t.offlineBanner.works} ${t.offlineBanner.waits}`}</p>
        </div>
      )}
    </div>
  );
}
