/** Small parts the aid screens share. */
import { useContext } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { AidNotice, FilingSituation, SimulationSituation } from '../../../../contract/schema.ts';
import { KeyField } from '../../components/keyboard.tsx';
import { Title, ActionBar } from '../../components/screen.tsx';
import { dateFr, decisionTermsFr } from '../../format.ts';
import { t } from '../../texts.ts';
import { AbsentPerson } from '../../voice.tsx';

/** What became of a printout of the aid space (printed, or ready for an agent when there is no printer). */
export function printedText(r: { printed: boolean; pages: number }): string {
  return r.printed ? t.doc.printed(r.pages) : t.dossier.noPrinter(r.pages);
}

/** "Du nouveau": status changes the person had not seen, with the institution's own words. */
export function Notices({ notices, onOpen, level = 2 }: { notices: AidNotice[]; onOpen?: (dossierId: string) => void; level?: 2 | 3 }) {
  if (notices.length === 0) return null;
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div class="panel notices" role="status">
      <Heading>{t.aids.news}</Heading>
      <ul class="plain">
        {notices.map((n) => (
          <li key={n.id}>
            <p class="lead">{t.aids.notice(n.aidName, n.stateLabel)}</p>
            <p class="doc-meta">{dateFr(n.at)}</p>
            {n.state === 'accepted' && decisionTermsFr(n.decisionAmountCents, n.decisionStartDate) && <p class="lead">{decisionTermsFr(n.decisionAmountCents, n.decisionStartDate)}</p>}
            {n.message && (
              <blockquote>
                <span class="muted">{t.aids.noticeWords}</span> « {n.message} »
              </blockquote>
            )}
            {onOpen && (
              <button type="button" class="button secondary" onClick={() => onOpen(n.dossierId)}>
                {t.aids.seeRequest}
                <span class="sr-only"> : {n.aidName}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Big yes/no or one-of-several answers; the chosen one is pressed. */
export function Choices<V extends string | boolean>({
  options,
  value,
  onChoose,
  label,
}: {
  options: readonly { value: V; label: string }[];
  value: V | undefined;
  onChoose: (v: V) => void;
  label: string;
}) {
  return (
    <div class="answer-list" role="group" aria-label={label}>
      {options.map((o) => (
        <button type="button" key={String(o.value)} class="answer" aria-pressed={value === o.value} onClick={() => onChoose(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** A whole number typed on the on-screen number pad (or a keyboard): the pad opens above the field tapped. */
export function NumberField({ id, label, value, onChange, active, onFocus }: { id: string; label: string; value: string; onChange: (v: string) => void; active: boolean; onFocus: () => void }) {
  return (
    <div class={`field number ${active ? 'active' : ''}`}>
      <KeyField id={id} label={label} value={value} onChange={(v) => onChange(v.replace(/\D/g, '').slice(0, 7))} layout="digits" max={7} open={active} onOpen={onFocus} />
    </div>
  );
}

/**
 * One question of a questionnaire (estimate, filing): where we are, the question as the focused title,
 * the answers (children), what went wrong or is under way, then "Continuer" and the way back.
 */
export function QuestionStep({
  lead,
  index,
  count,
  step,
  question,
  children,
  error,
  busy,
  busyText,
  answered,
  lastLabel,
  onNext,
  onPrevious,
}: {
  lead: string;
  /** 0 for the first question */
  index: number;
  count: number;
  /** the question's name: the title is focused again when it changes */
  step: string;
  question: string;
  children: ComponentChildren;
  error: string | null;
  busy: boolean;
  busyText: string;
  answered: boolean;
  /** the main button's words on the last question */
  lastLabel: string;
  onNext: () => void;
  /** back to the previous question, or out on the first one */
  onPrevious: () => void;
}) {
  // an agent alone, acting for a person: the questions are about her, asked as to her
  const absent = useContext(AbsentPerson);
  return (
    <section aria-labelledby="titre" class="questionnaire">
      <p class="lead">{lead}</p>
      {absent && <p class="panel acting-strip">{t.simulation.answerFor(absent)}</p>}
      <p class="muted">{t.simulation.step(index + 1, count)}</p>
      <Title key={step}>{question}</Title>
      {children}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {busy && (
        <p role="status" aria-busy="true">
          {busyText}
        </p>
      )}
      <ActionBar>
        <button type="button" class="button primary" disabled={!answered || busy} onClick={onNext}>
          {index === count - 1 ? lastLabel : t.simulation.next}
        </button>
        <button type="button" class="button secondary" disabled={busy} onClick={onPrevious}>
          {index === 0 ? t.simulation.cancel : t.simulation.previous}
        </button>
      </ActionBar>
    </section>
  );
}

/** What the filing questionnaire can take from an estimate: the same questions, asked once. */
export type KnownAnswers = Partial<Pick<FilingSituation, 'housing' | 'couple' | 'children'>>;

const FILING_HOUSING: Record<SimulationSituation['housing']['status'], FilingSituation['housing']> = {
  tenant: 'tenant',
  owner: 'owner',
  'hosted-free': 'hosted',
  homeless: 'homeless',
};

/**
 * The estimate's answers as the filing questionnaire asks them. Its activity question is not among them:
 * an amount of salary does not say whether one is employed or works on one's own.
 */
export function filingAnswersFrom(s: SimulationSituation): KnownAnswers {
  return { housing: FILING_HOUSING[s.housing.status], couple: s.couple, children: s.children.length > 0 };
}
