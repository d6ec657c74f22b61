/** Inside a session: home → scan → check → saved. All of it unmounts when the card leaves. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis, SyncStatus } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Scan } from './scan.tsx';
import { Check } from './check.tsx';

type Step = { name: 'home' } | { name: 'scan' } | { name: 'check'; analysis: CaptureAnalysis } | { name: 'saved' };

export function SessionScreens({ firstName, sync }: { firstName: string; sync: SyncStatus | null }) {
  const [step, setStep] = useState<Step>({ name: 'home' });
  const finish = () => void kiosk.call('session.end', {});

  switch (step.name) {
    case 'home':
      return <Home firstName={firstName} onScan={() => setStep({ name: 'scan' })} onFinish={finish} />;
    case 'scan':
      return <Scan onRead={(analysis) => setStep({ name: 'check', analysis })} onCancel={() => setStep({ name: 'home' })} />;
    case 'check':
      return (
        <Check
          analysis={step.analysis}
          onSaved={() => setStep({ name: 'saved' })}
          onRetake={() => {
            void kiosk.call('capture.discard', { captureId: step.analysis.captureId }).catch(() => undefined);
            setStep({ name: 'scan' });
          }}
        />
      );
    case 'saved':
      return <Saved sync={sync} onAnother={() => setStep({ name: 'scan' })} onFinish={finish} />;
  }
}

function Home({ firstName, onScan, onFinish }: { firstName: string; onScan: () => void; onFinish: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="titre">
      <p class="lead">{t.home.hello(firstName)}</p>
      <h1 id="titre" ref={heading} tabIndex={-1}>
        {t.home.question}
      </h1>
      <div class="choices">
        <button type="button" class="choice" onClick={onScan}>
          <span class="choice-title">{t.home.scan}</span>
          <span class="choice-help">{t.home.scanHelp}</span>
        </button>
      </div>
      <div class="actions">
        <button type="button" class="button secondary" onClick={onFinish}>
          {t.home.finish}
        </button>
      </div>
    </section>
  );
}

function Saved({ sync, onAnother, onFinish }: { sync: SyncStatus | null; onAnother: () => void; onFinish: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const sent = sync !== null && sync.pending === 0;
  return (
    <section class="center" aria-labelledby="titre">
      <div class="tick" aria-hidden="true">✓</div>
      <h1 id="titre" ref={heading} tabIndex={-1}>
        {t.saved.title}
      </h1>
      <p class="lead" role="status" aria-live="polite">
        {sent ? t.saved.sent : t.saved.sending}
      </p>
      <div class="actions">
        <button type="button" class="button primary" onClick={onAnother}>
          {t.saved.another}
        </button>
        <button type="button" class="button secondary" onClick={onFinish}>
          {t.saved.finish}
        </button>
      </div>
    </section>
  );
}
