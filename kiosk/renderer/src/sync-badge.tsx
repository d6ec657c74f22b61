import type { SyncStatus } from '../../contract/schema.ts';
import { t } from './texts.ts';

/** A quiet indicator: only says something when documents wait or the connection is lost. */
export function SyncBadge({ sync }: { sync: SyncStatus }) {
  const text = !sync.online ? t.sync.offline : sync.pending > 0 ? t.sync.pending(sync.pending) : '';
  return (
    <span class={`sync-badge ${sync.online ? '' : 'offline'}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}
