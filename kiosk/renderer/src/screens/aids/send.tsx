/**
 * Sending a request: what will be sent (the manifest the card signs, read back in words), the PIN typed
 * on the pad, the card's signature, then the receipt number. A wrong PIN sends nothing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Result, SubmissionGround, SubmissionReview } from '../../../../contract/schema.ts';
import { kiosk } from '../../kiosk.ts';
import { useTexts } from '../../voice.tsx';
import { PinEntry } from '../pin.tsx';
import { Problem, Title, errorText, ActionBar, useAct } from '../../components/screen.tsx';
import { MISSING } from './dossier.tsx';
import type { SendChoice } from './dossier.tsx';
import { printedText } from './common.tsx';
import { Messages } from '../../components/messages.tsx';

type Sent = Extract<Result<'applications.sign'>, { outcome: 'sent' }>;

export function SendRequest({
  dossierId,
  choice,
  personName,
  onDone,
  onBack,
}: {
  dossierId: string;
  choice: SendChoice;
  /** the person the request is for (named when the agent signs on their procuration) */
  personName: string;
  onDone: () => void;
  onBack: () => void;
}) {
  const t = useTexts();
  const ground: SubmissionGround = choice.procurationId ? { kind: 'procuration', procurationId: choice.procurationId } : { kind: 'beneficiary-signature' };
  const [review, setReview] = useState<SubmissionReview | null>(null);
  const [step, setStep] = useState<'review' | 'pin'>('review');
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setError(null);
    setReview(null);
    kiosk.call('applications.prepare', { dossierId, mode: choice.mode, ground }).then(setReview, (e: unknown) => setError(errorText(e)));
  }, [attempt]);

  async function sign(pin: string) {
    setMessage(t.sign.signing);
    try {
      const r = await kiosk.call('applications.sign', { dossierId, mode: choice.mode, ground, pin });
      if (r.outcome === 'wrong') setMessage(t.sign.wrong(r.triesLeft));
      else if (r.outcome === 'blocked') setMessage(t.problem.blocked.help);
      else setSent(r);
    } catch (e) {
      // the summary may be out of date: read it again before the next try
      setMessage(null);
      setError(errorText(e));
      setStep('review');
      setAttempt((a) => a + 1);
    }
  }

  // on a procuration the agent signs for someone who is not there: the words say whose request it is
  const forPerson = ground.kind === 'procuration' ? personName : null;
  if (sent) return <Receipt dossierId={dossierId} sent={sent} forPerson={forPerson} missing={review?.pieces.filter((p) => MISSING.has(p.status)).map((p) => p.label) ?? []} onDone={onDone} />;

  if (step === 'pin' && review) {
    return (
      <div>
        <PinEntry id="titre-signer" level={1} title={ground.kind === 'procuration' ? t.sign.pinAgent : t.sign.pin} lead={review.aids.map((a) => a.aidName).join(' + ')} message={message} onSubmit={sign}>
          <p>{t.sign.signer(review.signer)}</p>
        </PinEntry>
        <ActionBar>
          <button type="button" class="button secondary" onClick={onBack}>
            {t.dossier.cancel}
          </button>
        </ActionBar>
      </div>
    );
  }

  return (
    <section aria-labelledby="titre">
      <Title>{t.sign.title}</Title>
      {error && !review && <Problem message={error} onRetry={() => setAttempt((a) => a + 1)} onBack={onBack} />}
      {!error && !review && <p aria-busy="true">{t.aids.loading}</p>}
      {review && (
        <>
          {error && (
            <p class="message warning" role="alert">
              {error}
            </p>
          )}
          <h2>{forPerson ? t.sign.aidsFor(forPerson) : t.sign.aids}</h2>
          <ul class="review">
            {review.aids.map((a, i) => (
              <li key={i}>
                <strong>{a.aidName}</strong>
                {a.institutionName ? ` (${a.institutionName})` : ''}
                {a.office && <span class="office">{t.sign.goesTo(a.office.name, `${a.office.address}, ${a.office.postcode} ${a.office.city}`)}</span>}
              </li>
            ))}
          </ul>
          <h2>{t.sign.pieces}</h2>
          <ul class="review">
            {review.pieces.map((p) => (
              <li key={p.itemId}>
                {p.label} : {p.documentTitle ? <strong>{p.documentTitle}</strong> : <em>{t.sign.later}</em>}
              </li>
            ))}
          </ul>
          <p class="panel">{review.mode === 'manual' ? t.sign.modeManual : t.sign.modeAuto}</p>
          <p>{t.sign.signer(review.signer)}</p>
          {review.ground.kind === 'procuration' && <p class="panel">{t.sign.procuration(personName)}</p>}
          <ActionBar>
            <button
              type="button"
              class="button primary"
              onClick={() => {
                setError(null);
                setMessage(null);
                setStep('pin');
              }}
            >
              {t.sign.ok}
            </button>
            <button type="button" class="button secondary" onClick={onBack}>
              {t.dossier.cancel}
            </button>
          </ActionBar>
        </>
      )}
    </section>
  );
}

function Receipt({ dossierId, sent, forPerson, missing, onDone }: { dossierId: string; sent: Sent; forPerson: string | null; missing: string[]; onDone: () => void }) {
  const t = useTexts();
  const { busy, error, notice, act } = useAct();
  const waiting = sent.state === 'waiting-for-pieces';
  const print = (which: 'applications.printReceipt' | 'applications.printDossier') => act(async () => printedText(await kiosk.call(which, { dossierId })));
  return (
    <section class="center" aria-labelledby="titre">
      {/* the green tick says "done": only a request that has left */}
      {waiting ? (
        <div class="tick pending" aria-hidden="true">
          …
        </div>
      ) : (
        <div class="tick" aria-hidden="true">
          ✓
        </div>
      )}
      <Title>{waiting ? t.sign.waitingTitle(missing.length) : forPerson ? t.sign.sentTitleFor(forPerson) : t.sign.sentTitle}</Title>
      {waiting && (
        <div class="panel pending-send">
          <p>{t.sign.waitingHelp}</p>
          {missing.length > 0 && (
            <>
              <p>{t.sign.toBring}</p>
              <ul>
                {missing.map((label) => (
                  <li key={label}>{label}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <p class="lead">
        {t.sign.receipt} <strong class="receipt-number">{sent.receiptNumber}</strong>
      </p>
      <p>{forPerson ? t.sign.keepFor(forPerson) : t.sign.keep}</p>
      <Messages ok={notice} warning={error} />
      <ActionBar>
        {waiting && missing.length > 0 && (
          <button type="button" class="button secondary" disabled={busy} onClick={() => void print('applications.printDossier')}>
            {t.sign.printList}
          </button>
        )}
        <button type="button" class="button primary" disabled={busy} onClick={() => void print('applications.printReceipt')}>
          {t.dossier.printReceipt}
        </button>
        <button type="button" class="button secondary" onClick={onDone}>
          {t.sign.seeRequest}
        </button>
      </ActionBar>
    </section>
  );
}
