/**
 * One request (a dossier of one aid, or several filed together): the aids and their states, the papers
 * it needs (there, on their way, or missing and why, with what to do), sending it, the thread with the
 * institution, its history. Reloaded when the server says its status changed.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ChecklistPiece, DossierView } from '../../../../contract/schema.ts';
import { KeyField } from '../../components/keyboard.tsx';
import { dateFr, dateTimeFr, decisionTermsFr } from '../../format.ts';
import { printedText } from './common.tsx';
import { kiosk } from '../../kiosk.ts';
import { useTexts } from '../../voice.tsx';
import { Problem, Title, errorText, ActionBar, useAct } from '../../components/screen.tsx';
import { AddPiece, NotNeeded } from './adapt.tsx';
import { AskIssuer, ChooseFromVault, WhereToGet } from './piece-help.tsx';
import { Confirm, Dialog } from '../../components/dialog.tsx';
import { Messages } from '../../components/messages.tsx';

/** How a request is sent: now or automatically, and on whose signature (the person's card, or the agent's on the person's procuration). */
export type SendChoice = { mode: 'manual' | 'automatic'; procurationId: string | null };

/**
 * The agent at the box, when there is one: with the person present (both cards), or alone acting for
 * them on their procuration — and then what the person allowed.
 */
export type AgentAtBox = { with: 'person' } | { with: 'procuration'; procurationId: string; mayAdapt: boolean; maySend: boolean; mayWrite: boolean };

type Panel = null | { kind: 'ask' | 'where' | 'choose' | 'not-needed'; piece: ChecklistPiece } | { kind: 'withdraw' } | { kind: 'write' } | { kind: 'add' };

export const MISSING: ReadonlySet<string> = new Set(['absent', 'not-arrived', 'expired', 'too-old']);

export function Dossier({
  dossierId,
  personName,
  agent,
  refresh,
  notice: firstNotice,
  onScan,
  onSend,
  onBack,
}: {
  dossierId: string;
  /** the beneficiary's first name (letters are signed with it) */
  personName: string;
  /** an agent at the box (with the person, or on their procuration): they may adapt the list, and send on a procuration */
  agent: AgentAtBox | null;
  refresh: number;
  notice: string | null;
  onScan: (piece: ChecklistPiece) => void;
  onSend: (choice: SendChoice) => void;
  onBack: () => void;
}) {
  const t = useTexts();
  const [d, setD] = useState<DossierView | null>(null);
  const { busy, error, notice, setError, setNotice, act } = useAct(firstNotice);
  const [panel, setPanel] = useState<Panel>(null);
  const [attempt, setAttempt] = useState(0);
  const [draft, setDraft] = useState('');

  useEffect(() => {
    let gone = false;
    kiosk.call('applications.get', { dossierId }).then(
      (r) => {
        if (gone) return;
        setD(r);
        setError(null);
      },
      (e: unknown) => !gone && setError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [dossierId, attempt, refresh]);
  const reload = () => setAttempt((a) => a + 1);

  const print = (which: 'applications.printReceipt' | 'applications.printDossier') =>
    act(async () => {
      const r = await kiosk.call(which, { dossierId });
      return printedText(r);
    });

  const adapted = (said: string) => {
    setPanel(null);
    setNotice(said);
    reload();
  };

  if (!d) {
    return (
      <section aria-labelledby="titre">
        <Title>{t.dossier.lead}</Title>
        {error ? <Problem message={error} onRetry={reload} onBack={onBack} backLabel={t.aids.backToAids} /> : <p aria-busy="true">{t.aids.loading}</p>}
      </section>
    );
  }

  const names = d.aids.map((a) => a.aidName).join(' + ');
  const questioned = d.aids.some((a) => a.state === 'information-requested');
  // asked again by the institution and not given yet (once a newer paper is there, it is "given again")
  const stillAsked = (c: ChecklistPiece) => c.requestedByInstitution && c.status !== 'present';
  const requested = d.checklist.filter(stillAsked);
  // the question is in the request's history (the institution's words); what it wrote in the thread since, too
  const asked = [...d.history].reverse().find((h) => h.state === 'information-requested');
  const lastQuestion = [...d.messages].reverse().find((m) => m.author === 'institution' && (!asked || m.at >= asked.at));
  const waitingAuto = d.signedAt !== null && d.submittedAt === null && d.mode === 'automatic';
  const missing = d.checklist.filter((c) => MISSING.has(c.status));
  // the list changes until it is signed, by an agent with the person there
  const canAdapt = agent !== null && (agent.with === 'person' || agent.mayAdapt) && d.signedAt === null;
  const onProcuration = agent?.with === 'procuration' ? agent : null;
  const editable = (c: ChecklistPiece) => stillAsked(c) || d.canSign || (waitingAuto && MISSING.has(c.status));

  return (
    <section aria-labelledby="titre" class="dossier">
      <div inert={panel !== null}>
        <p class="lead">{t.dossier.lead}</p>
        <Title>{names}</Title>
        <Messages ok={notice} warning={error} />
        <ul class="plain states">
          {d.aids.map((a) => (
            <li key={a.applicationId}>
              <span>{t.dossier.state(a.aidName, a.institutionName)}</span> <span class={`state ${a.state}`}>{a.stateLabel}</span>
              {a.office && <p class="muted">{(d.signedAt ? t.dossier.wentTo : t.dossier.goesTo)(a.office.name, `${a.office.address}, ${a.office.postcode} ${a.office.city}`)}</p>}
              {a.waitsFor && <p class="muted">{t.dossier.waitsFor(a.waitsFor)}</p>}
              {a.warnings.length > 0 && !d.submittedAt && (
                <div class="message warning eligibility" role="note">
                  {a.warnings.map((w) => (
                    <p key={w.condition}>{w.text}</p>
                  ))}
                  <p>{t.dossier.stillPossible}</p>
                </div>
              )}
              {a.decisionReason && (
                <p>
                  <span class="muted">{t.dossier.decision}</span> « {a.decisionReason} »
                </p>
              )}
              {a.state === 'accepted' && decisionTermsFr(a.decisionAmountCents, a.decisionStartDate) && <p class="lead">{decisionTermsFr(a.decisionAmountCents, a.decisionStartDate)}</p>}
            </li>
          ))}
        </ul>
        {waitingAuto && <p class="panel pending-send">{t.dossier.waiting(missing.length)}</p>}
        {d.submittedAt && <p class="muted">{t.dossier.sentOn(dateFr(d.submittedAt))}</p>}

        {questioned && (
          <div class="panel question" role="note" aria-labelledby="titre-question">
            <h2 id="titre-question">{t.dossier.question}</h2>
            {asked && <p class="lead">{asked.text}</p>}
            {lastQuestion && (
              <blockquote>
                <strong>{lastQuestion.authorName}</strong> : « {lastQuestion.body} »
              </blockquote>
            )}
            {requested.length > 0 && (
              <>
                <p>{t.dossier.questionPieces}</p>
                <ul>
                  {requested.map((c) => (
                    <li key={c.itemId}>{c.label}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}

        <h2>{d.submittedAt ? t.dossier.piecesSent : t.dossier.pieces}</h2>
        <ul class="plain checklist">
          {d.checklist.map((c) => (
            <li key={c.itemId} class={`piece ${c.status} ${stillAsked(c) ? 'requested' : ''}`}>
              <div class="piece-head">
                <h3>{c.label}</h3>
                <span class={`badge status-${c.status}`}>{t.pieceStatus[c.status]}</span>
                {c.requestedByInstitution && <span class="badge">{c.status === 'present' ? t.dossier.givenAgain : t.dossier.requestedAgain}</span>}
              </div>
              <p class="doc-meta">{c.docTitles.join(', ')}</p>
              <p>
                {c.status === 'present' && c.document && (
                  <>
                    ✓ {t.dossier.present} <strong>{c.document.title}</strong>, {t.dossier.added(dateFr(c.document.capturedAt))}
                  </>
                )}
                {c.status === 'arriving' && t.dossier.arriving}
                {c.status === 'not-arrived' && t.dossier.notArrived}
                {c.status === 'absent' && t.dossier.absent}
                {c.status === 'expired' && t.dossier.expired}
                {c.status === 'too-old' && t.dossier.tooOld(c.maxAgeMonths)}
              </p>
              {c.adjustment && (
                <p class="adjustment">{c.adjustment.kind === 'added' ? t.adapt.addedBy(c.adjustment.by, c.adjustment.reason) : t.adapt.notNeededBy(c.adjustment.by, c.adjustment.reason)}</p>
              )}
              {canAdapt && (c.adjustment || MISSING.has(c.status)) && (
                <div class="actions left">
                  {c.adjustment ? (
                    <button
                      type="button"
                      class="button secondary"
                      disabled={busy}
                      onClick={() =>
                        void act(async () => {
                          await kiosk.call('applications.adapt', { dossierId, change: { kind: 'undo', itemId: c.itemId } });
                          reload();
                          return t.adapt.done.undo;
                        })
                      }
                    >
                      {t.adapt.undo}
                      <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                    </button>
                  ) : (
                    <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'not-needed', piece: c })}>
                      {t.adapt.notNeeded}
                      <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                    </button>
                  )}
                </div>
              )}
              {editable(c) && (
                <div class="actions left">
                  {(MISSING.has(c.status) || stillAsked(c)) && (
                    <>
                      <button type="button" class="button primary" disabled={busy} onClick={() => onScan(c)}>
                        {t.dossier.scanNow}
                        <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                      </button>
                      <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'ask', piece: c })}>
                        {t.dossier.askIssuer(c.issuerTo)}
                        <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                      </button>
                      <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'where', piece: c })}>
                        {t.dossier.where}
                        <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                      </button>
                    </>
                  )}
                  <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'choose', piece: c })}>
                    {t.dossier.chooseOther}
                    <span class="sr-only">{t.dossier.forPiece(c.label)}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
        {canAdapt && (
          <div class="actions left">
            <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'add' })}>
              {t.adapt.add}
            </button>
          </div>
        )}

        {d.canSign && (
          <div class="send-box" role="group" aria-labelledby="titre-envoyer">
            <h2 id="titre-envoyer" tabIndex={-1}>
              {t.dossier.send}
            </h2>
            {onProcuration ? (
              // the person is not there: the agent's card signs, on the procuration, if the person allowed it
              onProcuration.maySend ? (
                <div class="choices">
                  <button
                    type="button"
                    class="choice"
                    disabled={!d.canSubmit || busy}
                    aria-describedby="aide-procuration"
                    onClick={() => onSend({ mode: 'manual', procurationId: onProcuration.procurationId })}
                  >
                    <span class="choice-title">{t.dossier.sendProcuration(personName)}</span>
                    <span class="choice-help" id="aide-procuration">
                      {d.canSubmit ? t.dossier.sendProcurationHelp(personName) : t.dossier.notAllThere}
                    </span>
                  </button>
                  {missing.length > 0 && (
                    <button type="button" class="choice" disabled={busy} onClick={() => onSend({ mode: 'automatic', procurationId: onProcuration.procurationId })}>
                      <span class="choice-title">{t.dossier.sendAuto}</span>
                      <span class="choice-help">{t.dossier.sendAutoProcurationHelp(personName)}</span>
                    </button>
                  )}
                </div>
              ) : (
                <p class="panel">{t.dossier.sendNotAllowed(personName)}</p>
              )
            ) : (
              <div class="choices">
                <button type="button" class="choice" disabled={!d.canSubmit || busy} aria-describedby="aide-maintenant" onClick={() => onSend({ mode: 'manual', procurationId: null })}>
                  <span class="choice-title">{t.dossier.sendNow}</span>
                  <span class="choice-help" id="aide-maintenant">
                    {d.canSubmit ? t.dossier.sendNowHelp : t.dossier.notAllThere}
                  </span>
                </button>
                {missing.length > 0 && (
                  <button type="button" class="choice" disabled={busy} onClick={() => onSend({ mode: 'automatic', procurationId: null })}>
                    <span class="choice-title">{t.dossier.sendAuto}</span>
                    <span class="choice-help">{t.dossier.sendAutoHelp}</span>
                  </button>
                )}
              </div>
            )}
          </div>
        )}

        <div class="actions left">
          {d.signedAt && (
            <button type="button" class="button secondary" disabled={busy} onClick={() => void print('applications.printReceipt')}>
              {t.dossier.printReceipt}
            </button>
          )}
          <button type="button" class="button secondary" disabled={busy} onClick={() => void print('applications.printDossier')}>
            {t.dossier.printDossier}
          </button>
        </div>

        <h2>{t.dossier.thread}</h2>
        {d.messages.length === 0 ? (
          <p class="muted">{t.dossier.noMessages}</p>
        ) : (
          <ul class="plain thread">
            {d.messages.map((m) => (
              <li key={m.id} class={`message-${m.author}`}>
                <p class="doc-meta">
                  <strong>{m.authorName}</strong>, {dateTimeFr(m.at)}
                </p>
                <p class="body">{m.body}</p>
              </li>
            ))}
          </ul>
        )}
        {d.submittedAt && onProcuration && !onProcuration.mayWrite ? null : d.submittedAt ? (
          <div class="actions left">
            <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel({ kind: 'write' })}>
              {t.dossier.write}
            </button>
          </div>
        ) : (
          <p class="muted">{t.dossier.writeLater}</p>
        )}

        {d.history.length > 0 && (
          <>
            <h2>{t.dossier.history}</h2>
            <ul class="journal">
              {d.history.map((h, i) => (
                <li key={i}>
                  <span class="doc-meta">{dateTimeFr(h.at)}</span>
                  <span>
                    <strong>{h.aidName}</strong> : {h.text || h.stateLabel}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}

        {d.canWithdraw && (
          <div class="actions left">
            <button type="button" class="button danger" disabled={busy} onClick={() => setPanel({ kind: 'withdraw' })}>
              {t.dossier.withdraw}
            </button>
          </div>
        )}

        <ActionBar>
          {d.canSign && (
            // the ways to send are in the page, after the papers: this brings them into view
            <button
              type="button"
              class="button primary"
              disabled={busy}
              onClick={() => {
                // the whole box at the top (its frame too, not only its heading), then the focus on its heading
                const heading = document.getElementById('titre-envoyer');
                (heading?.closest('.send-box') ?? heading)?.scrollIntoView({ block: 'start' });
                heading?.focus({ preventScroll: true });
              }}
            >
              {t.dossier.send}
            </button>
          )}
          <button type="button" class="button secondary" onClick={onBack}>
            {t.aids.backToAids}
          </button>
        </ActionBar>
      </div>

      {panel?.kind === 'not-needed' && <NotNeeded dossierId={dossierId} piece={panel.piece} onClose={() => setPanel(null)} onDone={adapted} />}
      {panel?.kind === 'add' && <AddPiece dossierId={dossierId} onClose={() => setPanel(null)} onDone={adapted} />}
      {panel?.kind === 'ask' && (
        <AskIssuer
          dossierId={dossierId}
          piece={panel.piece}
          aidName={names}
          personName={personName}
          threadOf={
            d.submittedAt && panel.piece.issuerHandles
              ? (d.aids.find((a) => a.institutionKind === panel.piece.issuerKind && a.state !== 'closed')?.applicationId ?? null)
              : null
          }
          onClose={() => setPanel(null)}
          onSent={(said) => {
            setPanel(null);
            setNotice(said);
            reload();
          }}
        />
      )}
      {panel?.kind === 'where' && <WhereToGet piece={panel.piece} onClose={() => setPanel(null)} />}
      {panel?.kind === 'choose' && (
        <ChooseFromVault
          dossierId={dossierId}
          piece={panel.piece}
          onClose={() => setPanel(null)}
          onChosen={() => {
            setPanel(null);
            setNotice(t.dossier.pieceAdded);
            reload();
          }}
        />
      )}
      {panel?.kind === 'write' && (
        <Dialog id="titre-ecrire" title={t.dossier.write} onClose={() => setPanel(null)}>
          <KeyField id="message" labelClass="lead" label={t.dossier.yourMessage} value={draft} onChange={setDraft} multiline rows={4} text max={2000} />
          {error && (
            <p class="message warning" role="alert">
              {error}
            </p>
          )}
          <ActionBar>
            <button
              type="button"
              class="button primary"
              disabled={busy || draft.trim() === ''}
              onClick={() =>
                void act(async () => {
                  await kiosk.call('applications.message', { dossierId, body: draft });
                  setDraft('');
                  setPanel(null);
                  reload();
                  return t.dossier.messageSent;
                })
              }
            >
              {t.dossier.sendMessage}
            </button>
            <button type="button" class="button secondary" onClick={() => setPanel(null)}>
              {t.dossier.cancel}
            </button>
          </ActionBar>
        </Dialog>
      )}
      {panel?.kind === 'withdraw' && (
        <Confirm
          titleId="titre-retirer"
          helpId="aide-retirer"
          title={t.dossier.withdrawTitle}
          help={t.dossier.withdrawHelp}
          yes={t.dossier.withdrawYes}
          no={t.dossier.withdrawNo}
          busy={busy}
          onYes={() =>
            void act(async () => {
              await kiosk.call('applications.withdraw', { dossierId });
              setPanel(null);
              reload();
              return t.dossier.withdrawn;
            })
          }
          onNo={() => setPanel(null)}
        />
      )}
    </section>
  );
}
