/**
 * The kiosk's screens follow the core's state (card in, PIN, session). Everything the session shows
 * lives under <SessionScreens>, keyed by the session: when the card leaves, it unmounts and its state
 * (fields read, images) goes with it. Nothing is ever written to browser storage.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeviceStatus, KioskState, SyncStatus } from '../../contract/schema.ts';
import { kiosk } from './kiosk.ts';
import { Attract, CardProblemScreen, Reading, RemoveCard } from './screens/card.tsx';
import { EnrollScreen } from './screens/enroll.tsx';
import { MapScreen } from './screens/map.tsx';
import { PinPad } from './screens/pin.tsx';
import { SessionScreens } from './screens/session.tsx';
import { OfflineBanner, SyncBadge } from './sync-badge.tsx';
import { t } from './texts.ts';

export function App() {
  const [state, setState] = useState<KioskState>({ screen: 'attract' });
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [device, setDevice] = useState<DeviceStatus | null>(null);
  const [sessionKey, setSessionKey] = useState(0);
  const [idleLeft, setIdleLeft] = useState<number | null>(null);
  const lastActivity = useRef(0);
  // the map of institutions opened from the card screen, by someone without a card
  const [freeMap, setFreeMap] = useState(false);

  useEffect(() => {
    const off = kiosk.on((e) => {
      if (e.type === 'state') {
        setState(e.state);
        if (e.state.screen !== 'session') setSessionKey((k) => k + 1);
        if (e.state.screen !== 'attract') setFreeMap(false);
        if (e.state.screen !== 'session' && e.state.screen !== 'pin') setIdleLeft(null);
      } else if (e.type === 'sync') {
        setSync(e.sync);
      } else if (e.type === 'idle') {
        setIdleLeft(e.secondsLeft);
      } else if (e.type === 'device') {
        setDevice(e.device);
      } else if (e.type === 'reload') {
        window.location.reload();
      }
    });
    // a touch is activity: it keeps the session awake (at most one message every 10 s)
    const onActivity = () => {
      const now = Date.now();
      if (now - lastActivity.current < 10_000) return;
      lastActivity.current = now;
      void kiosk.call('session.stillHere', {}).catch(() => undefined);
    };
    window.addEventListener('pointerdown', onActivity, { passive: true });
    window.addEventListener('keydown', onActivity);
    void kiosk.call('state.get', {}).then((r) => {
      setState(r.state);
      setSync(r.sync);
      setDevice(r.device);
    }, () => undefined);
    return () => {
      off();
      window.removeEventListener('pointerdown', onActivity);
      window.removeEventListener('keydown', onActivity);
    };
  }, []);

  // no session keeps that map open: left untouched, the card screen comes back for the next person
  useEffect(() => {
    if (!freeMap) return;
    let last = Date.now();
    const touched = () => {
      last = Date.now();
    };
    window.addEventListener('pointerdown', touched, { passive: true });
    window.addEventListener('keydown', touched);
    const timer = window.setInterval(() => {
      if (Date.now() - last > FREE_MAP_IDLE_MS) setFreeMap(false);
    }, 5000);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('pointerdown', touched);
      window.removeEventListener('keydown', touched);
    };
  }, [freeMap]);

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
        {device?.name && <span class="place">{device.name}</span>}
        {sync && <SyncBadge sync={sync} />}
      </header>
      {device?.state === 'enrolled' && <OfflineBanner sync={sync} />}
      <main id="contenu" class="screen" tabIndex={-1} inert={idleLeft !== null}>
        {device && device.state !== 'enrolled' && state.screen === 'attract' ? (
          <EnrollScreen device={device} />
        ) : state.screen === 'attract' && freeMap ? (
          <MapScreen person={false} canPrint={false} onBack={() => setFreeMap(false)} />
        ) : (
          screenFor(state, sessionKey, sync, () => setFreeMap(true))
        )}
      </main>
      {idleLeft !== null && <IdleDialog secondsLeft={idleLeft} />}
    </div>
  );
}

/** Without a touch for this long, the map opened without a card gives the screen back to the card. */
const FREE_MAP_IDLE_MS = 120_000;

function screenFor(state: KioskState, sessionKey: number, sync: SyncStatus | null, onMap: () => void) {
  switch (state.screen) {
    case 'attract':
      return <Attract onMap={onMap} />;
    case 'reading':
      return <Reading />;
    case 'card-problem':
      return <CardProblemScreen problem={state.problem} />;
    case 'pin':
      return <PinPad firstName={state.firstName} triesLeft={state.triesLeft} />;
    case 'session':
      return <SessionScreens key={sessionKey} state={state} sync={sync} />;
    case 'remove-card':
      return <RemoveCard reason={state.reason} slots={state.slots} />;
  }
}

function IdleDialog({ secondsLeft }: { secondsLeft: number }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <div class="overlay">
      <div class="dialog center" role="alertdialog" aria-modal="true" aria-labelledby="titre-idle" aria-describedby="idle-countdown">
        <h2 id="titre-idle" class="h1">
          {t.idle.title}
        </h2>
        <p id="idle-countdown" class="lead" aria-live="polite">
          {t.idle.countdown(secondsLeft)}
        </p>
        <button type="button" class="button primary" ref={button} onClick={() => void kiosk.call('session.stillHere', {})}>
          {t.idle.here}
        </button>
      </div>
    </div>
  );
}
