/**
 * Filing a request: short questions (housing, activity, nationality, children, couple) decide which papers
 * the checklist asks for; then the request is created and its dossier opens. The answers an estimate just
 * gave are not asked again: they are shown once, each with "Changer". An aid filed with others (a bundle)
 * offers them as a question, nothing chosen in advance.
 */
import { useEffect, useState } from 'preact/hooks';
import type { FilingSituation } from '../../../../contract/schema.ts';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { Choices, QuestionStep } from './common.tsx';
import type { KnownAnswers } from './common.tsx';
import { errorText } from '../../components/screen.tsx';

type Activity = FilingSituation['activity'][number];
type Question = 'housing' | 'activity' | 'nationality' | 'children' | 'couple';
type Reusable = keyof KnownAnswers;
type Step = 'also' | 'known' | Question;
const QUESTIONS: readonly Question[] = ['housing', 'activity', 'nationality', 'children', 'couple'];

/**
 * The partner aids first, then the estimate's answers kept, then the questions to ask: an answer the person
 * chose to change comes right after the answers kept, where they pressed "Changer", before the new ones.
 */
function stepsFor(offer: boolean, known: ReadonlySet<Reusable>, kept: ReadonlySet<Reusable>): Step[] {
  const asked = QUESTIONS.filter((q) => !kept.has(q as Reusable));
  const changed = asked.filter((q) => known.has(q as Reusable));
  return [...(offer ? (['also'] as const) : []), ...(kept.size > 0 ? (['known'] as const) : []), ...changed, ...asked.filter((q) => !changed.includes(q))];
}

export function Filing({
  aids,
  known = {},
  onCreated,
  onBack,
}: {
  aids: { id: string; name: string }[];
  /** answers already given in an estimate of this session */
  known?: KnownAnswers;
  onCreated: (dossierId: string) => void;
  onBack: () => void;
}) {
  const [index, setIndex] = useState(0);
  const [housing, setHousing] = useState<FilingSituation['housing'] | undefined>(known.housing);
  const [activity, setActivity] = useState<Activity[]>([]);
  const [nationality, setNationality] = useState<FilingSituation['nationality']>();
  const [children, setChildren] = useState<boolean | undefined>(known.children);
  const [couple, setCouple] = useState<boolean | undefined>(known.couple);
  /** the estimate's answers still taken as they are (not "Changer") */
  const [fromEstimate] = useState<ReadonlySet<Reusable>>(() => new Set((Object.keys(known) as Reusable[]).filter((k) => known[k] !== undefined)));
  const [kept, setKept] = useState<ReadonlySet<Reusable>>(fromEstimate);
  /** the aids a bundle files with this one: offered, never chosen for the person (null: still looking) */
  const [partners, setPartners] = useState<{ id: string; name: string }[] | null>(null);
  const [also, setAlso] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ids = new Set(aids.map((a) => a.id));
    kiosk.call('aids.catalogue', {}).then(
      (r) => {
        const first = r.aids.find((a) => a.id === aids[0]?.id);
        setPartners(first?.process.kind === 'bundle' ? first.process.with.filter((w) => !ids.has(w.id)) : []);
      },
      // without the catalogue the request is still filed, for the aids chosen
      () => setPartners([]),
    );
  }, []);

  if (partners === null) return <p aria-busy="true">{t.aids.loading}</p>;

  const steps = stepsFor(partners.length > 0, fromEstimate, kept);
  const at = Math.min(index, steps.length - 1);
  const step = steps[at]!;
  const change = (k: Reusable) => {
    const next = new Set(kept);
    next.delete(k);
    setKept(next);
    setIndex(stepsFor(partners.length > 0, fromEstimate, next).indexOf(k));
  };
  const yesNoLabel = (v: boolean | undefined) => (v ? t.filing.yes : t.filing.no);

  const answered = {
    also: also !== undefined,
    known: true,
    housing: housing !== undefined,
    activity: activity.length > 0,
    nationality: nationality !== undefined,
    children: children !== undefined,
    couple: couple !== undefined,
  }[step];
  const yesNo = [
    { value: true, label: t.simulation.yes },
    { value: false, label: t.simulation.no },
  ] as const;

  async function create() {
    if (!housing || !nationality || children === undefined || couple === undefined || activity.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const aidIds = [...aids, ...(also ? partners! : [])].map((a) => a.id);
      const r = await kiosk.call('applications.create', { aidIds, situation: { housing, activity, nationality, children, couple } });
      onCreated(r.dossierId);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  let question: string;
  let body;
  switch (step) {
    case 'also': {
      const names = partners.map((p) => p.name).join(', ');
      question = t.filing.also(names);
      body = (
        <>
          <p class="muted">{t.filing.alsoHelp}</p>
          <Choices label={question} options={yesNo} value={also} onChoose={setAlso} />
        </>
      );
      break;
    }
    case 'known': {
      question = t.filing.known;
      const rows: { key: Reusable; question: string; answer: string }[] = [];
      if (kept.has('housing') && housing) rows.push({ key: 'housing', question: t.filing.housing, answer: t.filing.housingChoices[housing] });
      if (kept.has('children')) rows.push({ key: 'children', question: t.filing.children, answer: yesNoLabel(children) });
      if (kept.has('couple')) rows.push({ key: 'couple', question: t.filing.couple, answer: yesNoLabel(couple) });
      body = (
        <>
          <p class="muted">{t.filing.knownHelp}</p>
          <ul class="plain known-answers">
            {rows.map((r) => (
              <li key={r.key}>
                <div>
                  <p class="known-question">{r.question}</p>
                  <p>
                    {t.filing.youAnswered} <strong>{r.answer}</strong>
                  </p>
                </div>
                <button type="button" class="button secondary" onClick={() => change(r.key)}>
                  {t.filing.change}
                  <span class="sr-only"> : {r.question}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      );
      break;
    }
    case 'housing':
      question = t.filing.housing;
      body = (
        <Choices
          label={question}
          options={(['tenant', 'owner', 'hosted', 'homeless'] as const).map((v) => ({ value: v, label: t.filing.housingChoices[v] }))}
          value={housing}
          onChoose={setHousing}
        />
      );
      break;
    case 'activity':
      question = t.filing.activity;
      body = (
        <>
          <p class="muted">{t.filing.activityHelp}</p>
          <div class="answer-list" role="group" aria-label={question}>
            {(['salaried', 'self-employed', 'job-seeker', 'student', 'retired', 'inactive'] as const).map((v) => (
              <button
                type="button"
                key={v}
                class="answer"
                aria-pressed={activity.includes(v)}
                onClick={() =>
                  setActivity((old) => {
                    if (old.includes(v)) return old.filter((x) => x !== v);
                    // "none of these" stands alone
                    return v === 'inactive' ? ['inactive'] : [...old.filter((x) => x !== 'inactive'), v];
                  })
                }
              >
                {t.filing.activityChoices[v]}
              </button>
            ))}
          </div>
        </>
      );
      break;
    case 'nationality':
      question = t.filing.nationality;
      body = (
        <Choices
          label={question}
          options={(['french', 'eu', 'non-eu'] as const).map((v) => ({ value: v, label: t.filing.nationalityChoices[v] }))}
          value={nationality}
          onChoose={setNationality}
        />
      );
      break;
    case 'children':
      question = t.filing.children;
      body = <Choices label={question} options={yesNo} value={children} onChoose={setChildren} />;
      break;
    case 'couple':
      question = t.filing.couple;
      body = <Choices label={question} options={yesNo} value={couple} onChoose={setCouple} />;
      break;
  }

  return (
    <QuestionStep
      lead={t.filing.intro([...aids, ...(also ? partners : [])].map((a) => a.name).join(' + '))}
      index={at}
      count={steps.length}
      step={step}
      question={question}
      error={error}
      busy={busy}
      busyText={t.filing.creating}
      answered={answered}
      lastLabel={t.filing.create}
      onNext={() => (at === steps.length - 1 ? void create() : setIndex(at + 1))}
      onPrevious={() => (at === 0 ? onBack() : setIndex(at - 1))}
    >
      {body}
    </QuestionStep>
  );
}
