/**
 * Filing a request: five short questions (housing, activity, nationality, children, couple) decide
 * which papers the checklist asks for; then the request is created and its dossier opens.
 */
import { useState } from 'preact/hooks';
import type { FilingSituation } from '../../../../contract/schema.ts';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { Choices, QuestionStep } from './common.tsx';
import { errorText } from '../../components/screen.tsx';

type Activity = FilingSituation['activity'][number];
const STEPS = ['housing', 'activity', 'nationality', 'children', 'couple'] as const;

export function Filing({ aids, onCreated, onBack }: { aids: { id: string; name: string }[]; onCreated: (dossierId: string) => void; onBack: () => void }) {
  const [index, setIndex] = useState(0);
  const [housing, setHousing] = useState<FilingSituation['housing']>();
  const [activity, setActivity] = useState<Activity[]>([]);
  const [nationality, setNationality] = useState<FilingSituation['nationality']>();
  const [children, setChildren] = useState<boolean>();
  const [couple, setCouple] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const step = STEPS[index]!;

  const answered = { housing: housing !== undefined, activity: activity.length > 0, nationality: nationality !== undefined, children: children !== undefined, couple: couple !== undefined }[step];
  const yesNo = [
    { value: true, label: t.simulation.yes },
    { value: false, label: t.simulation.no },
  ] as const;

  async function create() {
    if (!housing || !nationality || children === undefined || couple === undefined || activity.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const r = await kiosk.call('applications.create', { aidIds: aids.map((a) => a.id), situation: { housing, activity, nationality, children, couple } });
      onCreated(r.dossierId);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  let question: string;
  let body;
  switch (step) {
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
      lead={t.filing.intro(aids.map((a) => a.name).join(' + '))}
      index={index}
      count={STEPS.length}
      step={step}
      question={question}
      error={error}
      busy={busy}
      busyText={t.filing.creating}
      answered={answered}
      lastLabel={t.filing.create}
      onNext={() => (index === STEPS.length - 1 ? void create() : setIndex(index + 1))}
      onPrevious={() => (index === 0 ? onBack() : setIndex(index - 1))}
    >
      {body}
    </QuestionStep>
  );
}
