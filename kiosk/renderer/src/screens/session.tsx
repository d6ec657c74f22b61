/** Inside a session: home → scan → check → saved. All of it unmounts when the card leaves. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis, KioskState, SyncStatus } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Scan } from './scan.tsx';
import { Check } from './check.tsx';
import { PinPad } from './pin.tsx';

type Step = { name: 'home' } | { name: 'scan' } | { name: 'check'; analysis: CaptureAnalysis } | { name: 'saved' };
type SessionState = Extract<KioskState, { screen: 'session' }>;

export function SessionScreens({ state, sync }: { state: SessionState; sync: SyncStatus | null }) {
  return (
    <>
      <div inert={state.joining !== null}>
        <SessionSteps state={state} sync={sync} />
      </div>
      {state.joining && <JoinDialog joining={state.joining} agent={state.firstName} />}
    </>
  );
}

function SessionSteps({ state, sync }: { state: SessionState; sync: SyncStatus | null }) {
  const [step, setStep] = useState<Step>({ name: 'home' });
  const finish = () => void kiosk.call('session.end', {});
  // an agent's work for a beneficiary stops with the beneficiary's card
  const subject = state.role === 'beneficiary' ? state.firstName : (state.companion?.firstName ?? null);
  useEffect(() => {
    if (subject === null) setStep({ name: 'home' });
  }, [subject]);

  switch (step.name) {
    case 'home':
      return <Home state={state} canScan={subject !== null} onScan={() => setStep({ name: 'scan' })} onFinish={finish} />;
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

function Home({ state, canScan, onScan, onFinish }: { state: SessionState; canScan: boolean; onScan: () => void; onFinish: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="titre">
      <p class="lead">{t.home.hello(state.firstName)}</p>
      {state.role === 'agent' && <AgentPanel state={state} />}
      <h1 id="titre" ref={heading} tabIndex={-1}>
        {t.home.question}
      </h1>
      <div class="choices">
        <button type="button" class="choice" onClick={onScan} disabled={!canScan} aria-describedby={canScan ? undefined : 'need-beneficiary'}>
          <span class="choice-title">{t.home.scan}</span>
          <span class="choice-help">{t.home.scanHelp}</span>
        </button>
        {!canScan && (
          <p id="need-beneficiary" class="muted">
            {t.agent.needBeneficiary}
          </p>
        )}
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

function AgentPanel({ state }: { state: SessionState }) {
  return (
    <div class="panel" role="status" aria-live="polite">
      <p>{t.agent.role}</p>
      {state.companion ? (
        <>
          <p class="lead">{t.agent.with(state.companion.firstName)}</p>
          <p class="muted">{t.agent.consent(state.companion.firstName)}</p>
          <button type="button" class="button secondary" onClick={() => void kiosk.call('session.dropCompanion', {})}>
            {t.agent.drop}
          </button>
        </>
      ) : (
        <p class="muted">{t.agent.alone}</p>
      )}
    </div>
  );
}

/** A beneficiary's card in the second slot: read, then their PIN, over the agent's screen. */
function JoinDialog({ joining, agent }: { joining: NonNullable<SessionState['joining']>; agent: string }) {
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="titre-join">
        {joining.step === 'reading' && (
          <div class="center" aria-busy="true">
            <h2 id="titre-join" class="h1">
              {t.agent.reading}
            </h2>
            <div class="spinner" aria-hidden="true" />
          </div>
        )}
        {joining.step === 'pin' && <PinPad purpose="join" firstName={joining.firstName} triesLeft={joining.triesLeft} agent={agent} />}
        {joining.step === 'problem' && (
          <div class="center">
            <h2 id="titre-join" class="h1 warning">
              {t.problem[joining.problem].title}
            </h2>
            <p role="alert">{t.problem[joining.problem].help}</p>
            <p class="lead">{t.problem.removeThis}</p>
          </div>
        )}
      </div>
    </div>
  );
}
