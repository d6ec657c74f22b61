/**
 * Inside a session: home → scan → check → saved; the vault; the aid space (requests, catalogue,
 * simulation, filing, a request's dossier, sending it). All of it unmounts when the card leaves.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AidNotice, CaptureAnalysis, ChecklistPiece, InstitutionReply, KioskState, LossNotice, PaperNotice, SyncStatus, VaultItem } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { AbsentPerson, textsFor, useTexts } from '../voice.tsx';
import { Scan } from './scan.tsx';
import { Check } from './check.tsx';
import { PinPad } from './pin.tsx';
import { DocumentView } from './document.tsx';
import { Journal } from './journal.tsx';
import { VaultList } from './vault.tsx';
import { SendPapers } from './send-papers.tsx';
import { Notices } from './aids/common.tsx';
import { Replies } from './replies.tsx';
import type { KnownAnswers } from './aids/common.tsx';
import { Title, errorText, ActionBar } from '../components/screen.tsx';
import { Catalogue } from './aids/catalogue.tsx';
import { Dossier } from './aids/dossier.tsx';
import type { AgentAtBox, SendChoice } from './aids/dossier.tsx';
import { Filing } from './aids/filing.tsx';
import { MyAids } from './aids/my-aids.tsx';
import { SendRequest } from './aids/send.tsx';
import { Simulation } from './aids/simulation.tsx';
import { Caseload, MakeProcuration, WhoCanAct } from './procurations.tsx';
import { MapScreen } from './map.tsx';
import { dateFr } from '../format.ts';

/** A paper scanned for a piece of a request: once saved, it goes into that request. */
type ForPiece = { dossierId: string; itemId: string };

type Step =
  | { name: 'home' }
  | { name: 'scan'; replaces?: string; addTo?: { analysis: CaptureAnalysis; otherSide?: boolean }; forPiece?: ForPiece }
  | { name: 'check'; analysis: CaptureAnalysis; replaces?: string; forPiece?: ForPiece }
  | { name: 'saved' }
  | { name: 'vault'; notice?: string }
  | { name: 'document'; id: string; notice?: string }
  /** papers sent to an institution in one message: from a paper (`first`, where it goes back) or from the vault */
  | { name: 'send-papers'; first: VaultItem | null }
  | { name: 'journal' }
  | { name: 'aids' }
  | { name: 'catalogue' }
  | { name: 'simulate'; focus: string[] }
  | { name: 'file'; aids: { id: string; name: string }[] }
  | { name: 'dossier'; id: string; notice?: string }
  | { name: 'send'; id: string; choice: SendChoice }
  | { name: 'map' }
  | { name: 'who-can-act' }
  | { name: 'make-procuration' }
  | { name: 'caseload' };
type SessionState = Extract<KioskState, { screen: 'session' }>;
type ProcurationAction = NonNullable<SessionState['actingFor']>['actions'][number];

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
  const finish = () => void kiosk.call('session.end', {});
  // an agent's work for a beneficiary stops with the beneficiary's card, or when they stop acting on a procuration
  const subject = state.role === 'beneficiary' ? state.firstName : (state.companion?.firstName ?? state.actingFor?.firstName ?? null);
  const acting = state.role === 'agent' && !state.companion ? state.actingFor : null;
  const agent: AgentAtBox | null =
    state.role !== 'agent'
      ? null
      : state.companion
        ? { with: 'person' }
        : acting
          ? {
              with: 'procuration',
              procurationId: acting.procurationId,
              mayAdapt: acting.actions.includes('adapt-checklist'),
              maySend: acting.actions.includes('send-without-me'),
              mayWrite: acting.actions.includes('write-in-my-name'),
            }
          : null;
  // Each step belongs to the person the session works for: a new person (or none) starts at home, where
  // the choices are theirs. Decided while rendering, so no later effect can undo a step chosen meanwhile.
  const subjectKey = keyOf(subject, acting?.procurationId ?? null);
  const [current, setCurrent] = useState<{ key: string; step: Step }>({ key: subjectKey, step: { name: 'home' } });
  const keyNow = useRef(subjectKey);
  keyNow.current = subjectKey;
  // a paper found in the agent's search opens once the session works for its person (the core's state says so)
  const pending = useRef<{ key: string; step: Step } | null>(null);
  let step = current.step;
  if (pending.current && pending.current.key === subjectKey) {
    step = pending.current.step;
    setCurrent(pending.current);
    pending.current = null;
  } else if (current.key !== subjectKey) {
    step = { name: 'home' };
    setCurrent({ key: subjectKey, step });
  }
  const setStep = (next: Step) => setCurrent({ key: keyNow.current, step: next });
  // an estimate's answers, reused by the filing questionnaire: one person's, gone when that person changes
  const [known, setKnown] = useState<KnownAnswers>({});
  useEffect(() => setKnown({}), [subjectKey]);

  // the aid space: what is new is shown at login and on entering "Mes aides", then marked seen
  const [notices, setNotices] = useState<AidNotice[]>([]);
  const seen = useRef(new Set<string>());
  const [refresh, setRefresh] = useState(0);
  // the papers on their way reached the server (the outbox is empty again): what shows them « en route » reads again
  const pendingBefore = useRef(sync?.pending ?? 0);
  useEffect(() => {
    const now = sync?.pending ?? 0;
    if (pendingBefore.current > 0 && now === 0) setRefresh((r) => r + 1);
    pendingBefore.current = now;
  }, [sync?.pending]);
  // news is the person's: an agent acting on their procuration sees it without marking it read for them
  const forSomeoneAbsent = useRef(false);
  forSomeoneAbsent.current = acting !== null;
  const showNotices = (fresh: AidNotice[]) => {
    setNotices((old) => [...old, ...fresh.filter((n) => !old.some((o) => o.id === n.id))]);
    if (forSomeoneAbsent.current) return;
    const ids = fresh.map((n) => n.id).filter((id) => !seen.current.has(id));
    if (ids.length === 0) return;
    ids.forEach((id) => seen.current.add(id));
    void kiosk.call('applications.noticesSeen', { ids }).catch(() => ids.forEach((id) => seen.current.delete(id)));
  };
  useEffect(() => {
    setNotices([]);
    if (subject === null) return;
    kiosk.call('applications.list', {}).then((r) => showNotices(r.notices), () => undefined);
  }, [subjectKey]);
  // papers institutions put in the vault: told at login to the person (not to an agent acting alone for
  // them: the server then answers none), marked told once shown
  const [papers, setPapers] = useState<PaperNotice[]>([]);
  useEffect(() => {
    setPapers([]);
    if (subject === null || acting) return;
    kiosk.call('vault.notices', {}).then(
      (r) => {
        setPapers(r.notices);
        if (r.notices.length > 0) void kiosk.call('vault.noticesSeen', { ids: r.notices.map((n) => n.id) }).catch(() => undefined);
      },
      () => undefined,
    );
  }, [subjectKey]);
  // the institutions' answers to papers the person sent: new ones shown on the home screen for the session,
  // marked seen at once (by the person only: an agent alone on a procuration leaves them new for her)
  const [replies, setReplies] = useState<InstitutionReply[]>([]);
  const showReplies = (all: InstitutionReply[]) => {
    const fresh = all.filter((r) => !r.seen);
    setReplies((old) => [...old, ...fresh.filter((r) => !old.some((o) => o.id === r.id))]);
    if (forSomeoneAbsent.current || fresh.length === 0) return;
    void kiosk.call('vault.repliesSeen', { ids: fresh.map((r) => r.id) }).catch(() => undefined);
  };
  useEffect(() => {
    setReplies([]);
    if (subject === null) return;
    kiosk.call('vault.replies', {}).then((r) => showReplies(r.replies), () => undefined);
  }, [subjectKey]);
  // what the card's last session lost: told at login, until the person says they read it
  const [losses, setLosses] = useState<LossNotice[]>([]);
  useEffect(() => {
    setLosses([]);
    if (subject === null || acting) return;
    kiosk.call('session.losses', {}).then((r) => setLosses(r.notices), () => undefined);
  }, [subjectKey]);
  // the step on screen when the server says a status changed (the listener is registered once)
  const shown = useRef(step);
  shown.current = step;
  useEffect(
    () =>
      kiosk.on((e) => {
        if (e.type !== 'applications.changed') return;
        setRefresh((r) => r + 1);
        // "Mes aides" fetches the list again on refresh and passes its notices up: no second fetch
        if (shown.current.name === 'aids') return;
        kiosk.call('applications.list', {}).then((r) => showNotices(r.notices), () => undefined);
      }),
    [],
  );
  const toDossier = (id: string, notice?: string) => setStep({ name: 'dossier', id, ...(notice ? { notice } : {}) });
  // news read once (the person left the home screen after it showed them) fold into one line there, so the
  // home choices come back to the top; news that came since unfold them
  const [readNotices, setReadNotices] = useState(0);
  useEffect(() => setReadNotices(0), [subjectKey]);
  useEffect(() => {
    if (step.name !== 'home') setReadNotices((n) => Math.max(n, notices.length));
  }, [step.name]);

  // acting on a procuration, every screen but home (which has the whole panel) says for whom
  const forWhom = acting && step.name !== 'home' ? <p class="panel acting-strip">{t.agent.actingFor(`${acting.firstName} ${acting.lastName}`)}</p> : null;
  return (
    <AbsentPerson.Provider value={acting ? acting.firstName : null}>
      {forWhom}
      {stepScreen()}
    </AbsentPerson.Provider>
  );

  function stepScreen() {
    switch (step.name) {
      case 'home':
        return (
          <Home
            state={state}
            canScan={subject !== null}
            sync={sync}
            notices={notices}
            papers={papers}
            noticesFolded={notices.length > 0 && notices.length <= readNotices}
            replies={replies}
            losses={losses}
            onLossesRead={() => setLosses([])}
            go={setStep}
            onFinish={finish}
          />
        );
      case 'scan': {
        const { replaces, addTo, forPiece } = step;
        const extra = { ...(replaces ? { replaces } : {}), ...(forPiece ? { forPiece } : {}) };
        return (
          <Scan
            {...(addTo ? { addTo: addTo.analysis.captureId, otherSide: addTo.otherSide === true } : {})}
            onRead={(analysis) => setStep({ name: 'check', analysis, ...extra })}
            onCancel={() =>
              setStep(
                addTo
                  ? { name: 'check', analysis: addTo.analysis, ...extra }
                  : forPiece
                    ? { name: 'dossier', id: forPiece.dossierId }
                    : replaces
                      ? { name: 'document', id: replaces }
                      : { name: 'home' },
              )
            }
          />
        );
      }
      case 'aids':
        return (
          <MyAids
            notices={notices}
            refresh={refresh}
            onLoaded={showNotices}
            onOpen={(id) => toDossier(id)}
            onAsk={() => setStep({ name: 'catalogue' })}
            onBack={() => setStep({ name: 'home' })}
          />
        );
      case 'catalogue':
        return (
          <Catalogue
            onSimulate={(focus) => setStep({ name: 'simulate', focus })}
            onFile={(aids) => setStep({ name: 'file', aids })}
            onBack={() => setStep({ name: 'aids' })}
          />
        );
      case 'simulate':
        return <Simulation focus={step.focus} onFile={(aid) => setStep({ name: 'file', aids: [aid] })} onAnswers={setKnown} onBack={() => setStep({ name: 'catalogue' })} />;
      case 'file':
        return <Filing aids={step.aids} known={known} onCreated={(id) => toDossier(id)} onBack={() => setStep({ name: 'catalogue' })} />;
      case 'dossier':
        return (
          <Dossier
            key={step.id}
            dossierId={step.id}
            personName={subject ?? ''}
            agent={agent}
            refresh={refresh}
            notice={step.notice ?? null}
            onScan={(piece: ChecklistPiece) => setStep({ name: 'scan', forPiece: { dossierId: step.id, itemId: piece.itemId } })}
            onSend={(choice) => setStep({ name: 'send', id: step.id, choice })}
            onBack={() => setStep({ name: 'aids' })}
          />
        );
      case 'send':
        return <SendRequest dossierId={step.id} choice={step.choice} personName={subject ?? ''} onDone={() => toDossier(step.id)} onBack={() => toDossier(step.id)} />;
      case 'vault':
        return (
          <VaultList
            onOpen={(id) => setStep({ name: 'document', id })}
            onBack={() => setStep({ name: 'home' })}
            notice={step.notice ?? null}
            {...(!acting || acting.actions.includes('write-in-my-name') ? { onSend: () => setStep({ name: 'send-papers', first: null }) } : {})}
          />
        );
      case 'send-papers': {
        const first = step.first;
        const back = (notice?: string) => setStep(first ? { name: 'document', id: first.id, ...(notice ? { notice } : {}) } : { name: 'vault', ...(notice ? { notice } : {}) });
        return <SendPapers first={first} onSent={(notice) => back(notice)} onBack={() => back()} />;
      }
      case 'document':
        return (
          <DocumentView
            key={`${step.id}-${step.notice ?? ''}`}
            documentId={step.id}
            notice={step.notice ?? null}
            onBack={() => setStep({ name: 'vault' })}
            onReplace={(id) => setStep({ name: 'scan', replaces: id })}
            onDeleted={() => setStep({ name: 'vault', notice: t.doc.deleted })}
            onSend={(item) => setStep({ name: 'send-papers', first: item })}
            {...(acting
              ? { allowed: { replace: acting.actions.includes('scan-for'), remove: false, send: acting.actions.includes('write-in-my-name') } }
              : {})}
          />
        );
      case 'journal':
        return <Journal onBack={() => setStep({ name: 'home' })} />;
      case 'check':
        return (
          <Check
            analysis={step.analysis}
            {...(step.replaces ? { replaces: step.replaces } : {})}
            onSaved={(documentId) => {
              const forPiece = step.forPiece;
              if (!forPiece) return setStep({ name: 'saved' });
              // the paper is in the outbox, on its way: the request takes it now, the server attaches it when it lands
              kiosk.call('applications.choosePiece', { dossierId: forPiece.dossierId, itemId: forPiece.itemId, documentId }).then(
                () => toDossier(forPiece.dossierId, textsFor(acting ? acting.firstName : null).dossier.pieceAdded),
                (e: unknown) => toDossier(forPiece.dossierId, errorText(e)),
              );
            }}
            onAddPage={(_, now) =>
              setStep({
                name: 'scan',
                addTo: { analysis: now.analysis, ...(now.otherSide ? { otherSide: true } : {}) },
                ...(step.replaces ? { replaces: step.replaces } : {}),
                ...(step.forPiece ? { forPiece: step.forPiece } : {}),
              })
            }
            onRetake={() => {
              void kiosk.call('capture.discard', { captureId: step.analysis.captureId }).catch(() => undefined);
              setStep({ name: 'scan', ...(step.forPiece ? { forPiece: step.forPiece } : {}) });
            }}
            onDrop={() => {
              void kiosk.call('capture.discard', { captureId: step.analysis.captureId }).catch(() => undefined);
              // back where the person came from: the request's piece, the paper being replaced, or home
              if (step.forPiece) toDossier(step.forPiece.dossierId);
              else if (step.replaces) setStep({ name: 'document', id: step.replaces });
              else setStep({ name: 'home' });
            }}
          />
        );
      case 'saved':
        return <Saved sync={sync} onAnother={() => setStep({ name: 'scan' })} onVault={() => setStep({ name: 'vault' })} onFinish={finish} />;
      case 'map':
        // the requests filter reads the person's requests: not for an agent alone (no one's requests to read)
        return <MapScreen person={subject !== null && (acting === null || acting.actions.includes('consult'))} onBack={() => setStep({ name: 'home' })} />;
      case 'who-can-act':
        return <WhoCanAct onBack={() => setStep({ name: 'home' })} />;
      case 'make-procuration':
        return <MakeProcuration person={subject ?? ''} agent={state.firstName} onDone={() => setStep({ name: 'home' })} />;
      case 'caseload':
        return (
          <Caseload
            onActing={() => setStep({ name: 'home' })}
            onOpenPaper={(id, procurationId, firstName) => {
              const key = keyOf(firstName, procurationId);
              if (keyNow.current === key) setStep({ name: 'document', id });
              else pending.current = { key, step: { name: 'document', id } };
            }}
            onBack={() => setStep({ name: 'home' })}
          />
        );
    }
  }
}

/** Whom the session works for: the person's first name, and the procuration when an agent acts on one. */
const keyOf = (firstName: string | null, procurationId: string | null) => `${firstName ?? ''}/${procurationId ?? ''}`;

function Home({
  state,
  canScan,
  sync,
  notices,
  papers,
  noticesFolded,
  replies,
  losses,
  onLossesRead,
  go,
  onFinish,
}: {
  state: SessionState;
  canScan: boolean;
  sync: SyncStatus | null;
  notices: AidNotice[];
  papers: PaperNotice[];
  noticesFolded: boolean;
  replies: InstitutionReply[];
  losses: LossNotice[];
  onLossesRead: () => void;
  go: (s: Step) => void;
  onFinish: () => void;
}) {
  const t = useTexts();
  // acting on a procuration, only what the person allowed is offered (the server refuses the rest anyway)
  const acting = state.role === 'agent' && !state.companion ? state.actingFor : null;
  const may = (a: ProcurationAction) => canScan && (acting === null || acting.actions.includes(a));
  const whyNot = (a: ProcurationAction) => (!canScan ? 'need-beneficiary' : may(a) ? undefined : 'not-allowed');
  return (
    <section aria-labelledby="titre">
      <p class="lead">{t.home.hello(state.firstName)}</p>
      {losses.length > 0 && <LostPapers losses={losses} onRead={onLossesRead} />}
      {state.role === 'agent' && <AgentPanel state={state} onMakeProcuration={() => go({ name: 'make-procuration' })} />}
      <Title>{t.home.question}</Title>
      {papers.length > 0 && (
        <div class="panel notices" role="status">
          <h2>{t.home.papersNews}</h2>
          <ul class="plain">
            {papers.map((n) => (
              <li key={n.id}>
                <p class="lead">{n.text}</p>
                <p class="doc-meta">{dateFr(n.at)}</p>
              </li>
            ))}
          </ul>
          <button type="button" class="button secondary" onClick={() => go({ name: 'vault' })}>
            {t.home.seePapers}
          </button>
        </div>
      )}
      {noticesFolded ? (
        <details class="notices-folded">
          <summary>{t.aids.newsFolded(notices.length)}</summary>
          <Notices notices={notices} onOpen={(id) => go({ name: 'dossier', id })} level={3} />
        </details>
      ) : (
        <Notices notices={notices} onOpen={(id) => go({ name: 'dossier', id })} />
      )}
      <Replies replies={replies} />
      <div class="choices home-choices">
        <button type="button" class="choice" onClick={() => go({ name: 'vault' })} disabled={!may('consult')} aria-describedby={whyNot('consult')}>
          <span class="choice-title">{t.home.vault}</span>
          <span class="choice-help">{sync && !sync.online ? t.offlineBanner.vaultHome : t.home.vaultHelp}</span>
        </button>
        <button type="button" class="choice" onClick={() => go({ name: 'aids' })} disabled={!may('file')} aria-describedby={whyNot('file')}>
          <span class="choice-title">{t.home.aids}</span>
          <span class="choice-help">{sync && !sync.online ? t.home.aidsOffline : t.home.aidsHelp}</span>
        </button>
        {/* the map holds no one's data: open to anyone at the tablet */}
        <button type="button" class="choice" onClick={() => go({ name: 'map' })}>
          <span class="choice-title">{t.home.map}</span>
          <span class="choice-help">{t.home.mapHelp}</span>
        </button>
        <button type="button" class="choice" onClick={() => go({ name: 'scan' })} disabled={!may('scan-for')} aria-describedby={whyNot('scan-for')}>
          <span class="choice-title">{t.home.scan}</span>
          <span class="choice-help">{sync && !sync.online ? t.offlineBanner.scanHome : t.home.scanHelp}</span>
        </button>
        {/* the journal is the person's to read, on their own card: an agent does not open it */}
        {state.role === 'beneficiary' && (
          <button type="button" class="choice" onClick={() => go({ name: 'journal' })}>
            <span class="choice-title">{t.home.journal}</span>
            <span class="choice-help">{t.home.journalHelp}</span>
          </button>
        )}
        {state.role === 'beneficiary' && (
          <button type="button" class="choice wide" onClick={() => go({ name: 'who-can-act' })}>
            <span class="choice-title">{t.procuration.homeMine}</span>
            <span class="choice-help">{t.procuration.homeMineHelp}</span>
          </button>
        )}
        {state.role === 'agent' && !state.companion && !state.actingFor && (
          <button type="button" class="choice wide" onClick={() => go({ name: 'caseload' })}>
            <span class="choice-title">{t.procuration.caseload}</span>
            <span class="choice-help">{t.procuration.caseloadHelp}</span>
          </button>
        )}
        {!canScan && (
          <p id="need-beneficiary" class="muted">
            {t.agent.needBeneficiary} {t.agent.orCaseload}
          </p>
        )}
        {canScan && acting && !(['consult', 'file', 'scan-for'] as const).every(may) && (
          <p id="not-allowed" class="muted">
            {t.agent.notAllowed}
          </p>
        )}
      </div>
      <ActionBar>
        <button type="button" class="button secondary" onClick={onFinish}>
          {t.home.finish}
        </button>
      </ActionBar>
    </section>
  );
}

function Saved({ sync, onAnother, onVault, onFinish }: { sync: SyncStatus | null; onAnother: () => void; onVault: () => void; onFinish: () => void }) {
  const sent = sync !== null && sync.pending === 0;
  return (
    <section class="center" aria-labelledby="titre">
      <div class="tick" aria-hidden="true">✓</div>
      <Title>{t.saved.title}</Title>
      <p class="lead" role="status" aria-live="polite">
        {sent ? t.saved.sent : t.saved.sending}
      </p>
      <ActionBar>
        <button type="button" class="button primary" onClick={onAnother}>
          {t.saved.another}
        </button>
        <button type="button" class="button secondary" onClick={onVault}>
          {t.home.vault}
        </button>
        <button type="button" class="button secondary" onClick={onFinish}>
          {t.saved.finish}
        </button>
      </ActionBar>
    </section>
  );
}

function AgentPanel({ state, onMakeProcuration }: { state: SessionState; onMakeProcuration: () => void }) {
  const acting = state.actingFor;
  if (!state.companion && acting) {
    return (
      <div class="panel acting" role="status" aria-live="polite">
        <p>{t.agent.role}</p>
        <p class="lead">{t.agent.actingFor(`${acting.firstName} ${acting.lastName}`)}</p>
        <p>{t.agent.actingUntil(dateFr(acting.until))}</p>
        <p>
          <strong>{t.agent.actingCan}</strong> {acting.actions.map((a) => t.procuration.actionsOfPerson[a]).join(', ')}.
        </p>
        <div class="actions left">
          <button type="button" class="button secondary" onClick={() => void kiosk.call('procuration.stopActing', {})}>
            {t.agent.stopActing(acting.firstName)}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div class="panel" role="status" aria-live="polite">
      <p>{t.agent.role}</p>
      {state.companion ? (
        <>
          <p class="lead">{t.agent.with(state.companion.firstName)}</p>
          <p class="muted">{t.agent.consent(state.companion.firstName)}</p>
          <div class="actions left">
            <button type="button" class="button secondary" onClick={onMakeProcuration}>
              {t.procuration.make}
            </button>
            <button type="button" class="button secondary" onClick={() => void kiosk.call('session.dropCompanion', {})}>
              {t.agent.drop}
            </button>
          </div>
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

/** What the last session of this card lost, in plain words, with what was kept. */
function LostPapers({ losses, onRead }: { losses: LossNotice[]; onRead: () => void }) {
  const paper = (d: string) => t.losses.paper[d] ?? t.losses.paper.other!;
  return (
    <div class="message warning" role="alert">
      {losses.map((l) => (
        <div key={l.id}>
          <p>{t.losses.lost(l.lost.map(paper), t.losses.why[l.reason] ?? t.losses.why.finished!)}</p>
          {l.kept.length > 0 && <p>{t.losses.kept(l.kept.map(paper))}</p>}
        </div>
      ))}
      <button type="button" class="button secondary" onClick={onRead}>
        {t.losses.ok}
      </button>
    </div>
  );
}
