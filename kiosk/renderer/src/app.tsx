/**
 * The kiosk's screens follow the core's state (card in, PIN, session). Everything the session shows
 * lives under <SessionScreens>, keyed by the session: when the card leaves, it unmounts and its state
 * (fields read, images) goes with it. Nothing is ever written to browser storage.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KioskState, SyncStatus } from '../../contract/schema.ts';
import { kiosk } from './kiosk.ts';
import { Attract, CardProblemScreen, Reading, RemoveCard } from './screens/card.tsx';
import { PinPad } from './screens/pin.tsx';
import { SessionScreens } from './screens/session.tsx';
import { SyncBadge } from './sync-badge.tsx';

export function App() {
  const [state, setState] = useState<KioskState>({ screen: 'attract' });
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [sessionKey, setSessionKey] = useState(0);

  useEffect(() => {
    const off = kiosk.on((e) => {
      if (e.type === 'state') {
        setState(e.state);
        if (e.state.screen !== 'session') setSessionKey((k) => k + 1);
      } else if (e.type === 'sync') {
        setSync(e.sync);
      }
    });
    void kiosk.call('state.get', {}).then((r) => {
      setState(r.state);
      setSync(r.sync);
    }, () => undefined);
    return off;
  }, []);

  return (
    <div class="frame">
      <header class="topbar">
        <span class="brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="36" height="36" role="presentation">
            <rect x="3" y="7" width="26" height="18" rx="3" fill="none" stroke="currentColor" stroke-width="2.5" />
            <rect x="7" y="13" width="7" height="6" rx="1" fill="currentColor" />
          </svg>
          Facilitateur
        </span>
        {sync && <SyncBadge sync={sync} />}
      </header>
      <main id="contenu" class="screen" tabIndex={-1}>
        {screenFor(state, sessionKey, sync)}
      </main>
    </div>
  );
}

function screenFor(state: KioskState, sessionKey: number, sync: SyncStatus | null) {
  switch (state.screen) {
    case 'attract':
      return <Attract />;
    case 'reading':
      return <Reading />;
    case 'card-problem':
      return <CardProblemScreen problem={state.problem} />;
    case 'pin':
      return <PinPad firstName={state.firstName} triesLeft={state.triesLeft} />;
    case 'session':
      return <SessionScreens key={sessionKey} firstName={state.firstName} sync={sync} />;
    case 'remove-card':
      return <RemoveCard />;
  }
}
