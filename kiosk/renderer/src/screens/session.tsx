/** Inside a session: home → scan → check → saved. All of it unmounts when the card leaves. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis, KioskState, SyncStatus } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Scan } from './scan.tsx';
import { Check } from './check.tsx';
import { PinPad } from './pin.tsx';
import { DocumentView } from './document.tsx';
import { Journal } from './journal.tsx';
import { VaultList } from './vault.tsx';

type Step =
  | { name: 'home' }
  | { name: 'scan'; replaces?: string; addTo?: { analysis: CaptureAnalysis } }
  | { name: 'check'; analysis: CaptureAnalysis; replaces?: string }
  | { name: 'saved' }
  | { name: 'vault'; notice?: string }
  | { name: 'document'; id: string }
  | { name: 'journal' };
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
      return <Home state={state} canScan={subject !== null} go={setStep} onFinish={finish} />;
    case 'scan': {
      const { replaces, addTo } = step;
      return (
        <Scan
          {...(addTo ? { addTo: addTo.analysis.captureId } : {})}
          onRead={(analysis) => setStep({ name: 'check', analysis, ...(replaces ? { replaces } : {}) })}
          onCancel={() =>
            setStep(addTo ? { name: 'check', analysis: addTo.analysis, ...(replaces ? { replaces } : {}) } : replaces ? { name: 'document', id: replaces } : { name: 'home' })
          }
        />
      );
    }
    case 'vault':
      return <VaultList onOpen={(id) => setStep({ name: 'document', id })} onBack={() => setStep({ name: 'home' })} notice={step.notice ?? null} />;
    case 'document':
      return (
        <DocumentView
          documentId={step.id}
          onBack={() => setStep({ name: 'vault' })}
          onReplace={(id) => setStep({ name: 'scan', replaces: id })}
          onDeleted={() => setStep({ name: 'vault', notice: t.doc.deleted })}
        />
      );
    case 'journal':
      return <Journal onBack={() => setStep({ name: 'home' })} />;
    case 'check':
      return (
        <Check
          analysis={step.analysis}
          {...(step.replaces ? { replaces: step.replaces } : {})}
          onSaved={() => setStep({ name: 'saved' })}
          onAddPage={() => setStep({ name: 'scan', addTo: { analysis: step.analysis }, ...(step.replaces ? { replaces: step.replaces } : {}) })}
          onRetake={() => {
            void kiosk.call('capture.discard', { captureId: step.analysis.captureId }).catch(() => undefined);
            setStep({ name: 'scan' });
          }}
        />
      );
    case 'saved':
      return <Saved sync={sync} onAnother={() => setStep({ name: 'scan' })} onVault={() => setStep({ name: 'vault' })} onFinish={finish} />;
  }
}

function Home({ state, canScan, go, onFinish }: { state: SessionState; canScan: boolean; go: (s: Step) => void; onFinish: () => void }) {
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
        <button type="button" class="choice" onClick={() => go({ name: 'vault' })} disabled={!canScan} aria-describedby={canScan ? undefined : 'need-beneficiary'}>
          <span class="choice-title">{t.home.vault}</span>
          <span class="choice-help">{t.home.vaultHelp}</span>
        </button>
        <button type="button" class="choice" onClick={() => go({ name: 'scan' })} disabled={!canScan} aria-describedby={canScan ? undefined : 'need-beneficiary'}>
          <span class="choice-title">{t.home.scan}</span>
          <span class="choice-help">{t.home.scanHelp}</span>
        </button>
        <button type="button" class="choice" onClick={() => go({ name: 'journal' })} disabled={!canScan} aria-describedby={canScan ? undefined : 'need-beneficiary'}>
          <span class="choice-title">{t.home.journal}</span>
          <span class="choice-help">{t.home.journalHelp}</span>
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

function Saved({ sync, onAnother, onVault, onFinish }: { sync: SyncStatus | null; onAnother: () => void; onVault: () => void; onFinish: () => void }) {
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
        <button type="button" class="button secondary" onClick={onVault}>
          {t.home.vault}
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
