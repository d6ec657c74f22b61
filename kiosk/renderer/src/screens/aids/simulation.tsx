/**
 * "Estimer mon droit": a short questionnaire, one question per screen, then the estimate of each aid in
 * euros, clearly marked as an estimate, with the lines that explain it. Nothing is stored: the answers the
 * filing questionnaire also asks (housing, couple, children) are handed up to the session's screens, so
 * filing does not ask them again, and are gone with the card.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SimulationOutcome, SimulationSituation } from '../../../../contract/schema.ts';
import { addMonths } from '../../../../contract/index.ts';
import { dateFr, euros, monthFr, parisDay } from '../../format.ts';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { Choices, NumberField, QuestionStep, filingAnswersFrom } from './common.tsx';
import type { KnownAnswers } from './common.tsx';
import { Title, errorText, ActionBar } from '../../components/screen.tsx';
import { KeyField } from '../../components/keyboard.tsx';

type Money = { salaries: string; unemploymentBenefits: string; pensions: string; other: string };
const NO_MONEY: Money = { salaries: '', unemploymentBenefits: '', pensions: '', other: '' };

interface Answers {
  residesInFrance?: boolean;
  couple?: boolean;
  ages: [string, string];
  hasChildren?: boolean;
  children: string[];
  housing?: SimulationSituation['housing']['status'];
  /** where a tenant lives (the housing aid's zone comes from it); null: « je ne sais pas » */
  commune?: { code: string; name: string } | null;
  communeQuery: string;
  /** where each child aged 11 to 20 goes to school (the bourse de lycée, the ARS), by the child's place in `children` */
  schooling: (School | undefined)[];
  rent: string;
  housingBenefit: string;
  /** in social housing, the landlord's réduction de loyer de solidarité (the APL falls by 98 % of it) */
  rentReduction: string;
  repayingLoan?: boolean;
  resources: [Money, Money];
  /** each adult's salary of each of the 3 months before, the most recent first (asked when they earn one) */
  byMonth: [Months, Months];
  /**
   * the incapacity rate the MDPH recognised each adult (for the AAH), and for 50 to 79 % the restriction on
   * work: the person's first, the partner's second
   */
  disability: [Disability | undefined, Disability | undefined];
  restriction: [Restriction | undefined, Restriction | undefined];
  /** the household's revenu fiscal de référence, or « je ne sais pas » */
  taxIncome: string;
  taxUnknown?: boolean;
}

type Months = [string, string, string];
type Disability = 'none' | 'mid' | 'high';
type Restriction = 'yes' | 'no' | 'unknown';
type StepName = 'france' | 'couple' | 'age' | 'disability' | 'disability1' | 'children' | 'schooling' | 'housing' | 'commune' | 'resources0' | 'salaries0' | 'resources1' | 'salaries1' | 'tax';
type School = 'college' | 'lycee' | 'apprentissage' | 'etudes-superieures' | 'aucune';
type Commune = { code: string; name: string; postcodes: string[] };

/** From 11 to 20 a child may be at collège, at lycée, an apprentice…: asked. */
const asksSchooling = (age: number) => age >= 11 && age <= 20;
/**
 * Younger children are not asked: school is compulsory from 3 (code de l'éducation, art. L. 131-1), and under
 * 11 a child is not at lycée. Older ones are not asked either: from 21 only higher studies are left.
 */
function schoolingByAge(age: number): NonNullable<SimulationSituation['children'][number]['schooling']> {
  return age < 3 ? 'creche-ou-maison' : age < 6 ? 'maternelle' : age < 11 ? 'primaire' : 'etudes-superieures';
}

/** The 3 months before this one (« AAAA-MM »), the most recent first: the months the RSA and the prime d'activité look at. */
function monthsBefore(today: string): [string, string, string] {
  const m = (n: number) => addMonths(`${today.slice(0, 7)}-01`, -n).slice(0, 7);
  return [m(1), m(2), m(3)];
}

const num = (s: string) => (s === '' ? 0 : Number(s));

/** A figure of the rules as people read it: « 646,52 € par mois », « 61 % », « 25 ans ». */
function figureFr(value: number | null, unit: string | undefined): string | null {
  if (value === null) return null;
  const plain = String(value).replace('.', ',');
  switch (unit) {
    case 'euros par mois':
      return `${euros(value)} par mois`;
    case 'euros par an':
      return `${euros(value)} par an`;
    case 'euros':
      return euros(value);
    case 'taux':
      return `${String(Math.round(value * 10_000) / 100).replace('.', ',')} %`;
    case 'pour cent':
      return `${plain} %`;
    case undefined:
    case 'date':
      return plain;
    default:
      return `${plain} ${unit}`;
  }
}

export function Simulation({
  focus,
  onFile,
  onAnswers,
  onBack,
}: {
  focus: string[];
  onFile: (aid: { id: string; name: string }) => void;
  /** the answers the filing questionnaire can reuse, once the estimate is made */
  onAnswers: (known: KnownAnswers) => void;
  onBack: () => void;
}) {
  const [a, setA] = useState<Answers>({
    ages: ['', ''],
    children: [],
    schooling: [],
    communeQuery: '',
    rent: '',
    housingBenefit: '',
    rentReduction: '',
    resources: [{ ...NO_MONEY }, { ...NO_MONEY }],
    byMonth: [
      ['', '', ''],
      ['', '', ''],
    ],
    taxIncome: '',
    disability: [undefined, undefined],
    restriction: [undefined, undefined],
  });
  const [fromNotice, setFromNotice] = useState<{ incomeYear: string } | null>(null);
  const [fromCaf, setFromCaf] = useState<{ month: string } | null>(null);
  const months = monthsBefore(parisDay());
  // the payslips found in the person's vault for those months: offered, then checked by the person
  const [fromPapers, setFromPapers] = useState<{ month: string; title: string }[] | null>(null);
  const [index, setIndex] = useState(0);
  const [active, setActive] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<SimulationOutcome | null>(null);
  const [communes, setCommunes] = useState<Commune[] | null>(null);

  const earns = (i: number) => num(a.resources[i]!.salaries) > 0;
  const steps: StepName[] = [
    'france',
    'couple',
    'age',
    'disability',
    ...(a.couple ? (['disability1'] as const) : []),
    'children',
    ...(a.hasChildren && a.children.some((c) => c !== '' && asksSchooling(num(c))) ? (['schooling'] as const) : []),
    'housing',
    ...(a.housing === 'tenant' ? (['commune'] as const) : []),
    'resources0',
    ...(earns(0) ? (['salaries0'] as const) : []),
    ...(a.couple ? (['resources1'] as const) : []),
    ...(a.couple && earns(1) ? (['salaries1'] as const) : []),
    'tax',
  ];
  const step = steps[Math.min(index, steps.length - 1)]!;
  const set = (patch: Partial<Answers>) => setA((old) => ({ ...old, ...patch }));
  /** one adult's incapacity rate and restriction on work, the other adult's kept */
  const setAdult = (i: number, disability: Disability, restriction: Restriction | undefined) =>
    setA((old) => {
      const d: Answers['disability'] = [...old.disability];
      const r: Answers['restriction'] = [...old.restriction];
      d[i] = disability;
      r[i] = restriction;
      return { ...old, disability: d, restriction: r };
    });

  // every number field is named by a key; the on-screen digits type into the active one
  const getField = (key: string): string => {
    const [kind, i, sub] = key.split(':');
    if (kind === 'age') return a.ages[Number(i)]!;
    if (kind === 'child') return a.children[Number(i)] ?? '';
    if (kind === 'rent') return a.rent;
    if (kind === 'benefit') return a.housingBenefit;
    if (kind === 'rls') return a.rentReduction;
    if (kind === 'month') return a.byMonth[Number(i)]![Number(sub)]!;
    if (kind === 'tax') return a.taxIncome;
    return a.resources[Number(i)]![sub as keyof Money];
  };
  const setField = (key: string, v: string) =>
    setA((old) => {
      const [kind, i, sub] = key.split(':');
      if (kind === 'age') {
        const ages: [string, string] = [...old.ages];
        ages[Number(i)] = v;
        return { ...old, ages };
      }
      if (kind === 'child') return { ...old, children: old.children.map((c, j) => (j === Number(i) ? v : c)) };
      if (kind === 'rent') return { ...old, rent: v };
      if (kind === 'benefit') return { ...old, housingBenefit: v };
      if (kind === 'rls') return { ...old, rentReduction: v };
      if (kind === 'tax') return { ...old, taxIncome: v, taxUnknown: false };
      if (kind === 'month') {
        const byMonth: [Months, Months] = [[...old.byMonth[0]], [...old.byMonth[1]]];
        byMonth[Number(i)]![Number(sub)] = v;
        return { ...old, byMonth };
      }
      const resources: [Money, Money] = [{ ...old.resources[0] }, { ...old.resources[1] }];
      resources[Number(i)]![sub as keyof Money] = v;
      return { ...old, resources };
    });
  const field = (key: string, label: string) => (
    <NumberField key={key} id={`champ-${key.replace(/:/g, '-')}`} label={label} value={getField(key)} active={active === key} onFocus={() => setActive(key)} onChange={(v) => setField(key, v)} />
  );

  const answered = (s: StepName): boolean => {
    switch (s) {
      case 'france':
        return a.residesInFrance !== undefined;
      case 'couple':
        return a.couple !== undefined;
      case 'age':
        return a.ages.slice(0, a.couple ? 2 : 1).every((x) => x !== '' && num(x) >= 16 && num(x) <= 120);
      case 'disability':
      case 'disability1': {
        const i = s === 'disability' ? 0 : 1;
        return a.disability[i] === 'none' || a.disability[i] === 'high' || (a.disability[i] === 'mid' && a.restriction[i] !== undefined);
      }
      case 'children':
        return a.hasChildren === false || (a.hasChildren === true && a.children.length > 0 && a.children.every((c) => c !== '' && num(c) <= 24));
      case 'schooling':
        return a.children.every((c, i) => !asksSchooling(num(c)) || a.schooling[i] !== undefined);
      case 'commune':
        return a.commune !== undefined;
      case 'housing':
        return a.housing === 'hosted-free' || a.housing === 'homeless' || (a.housing === 'tenant' && a.rent !== '') || (a.housing === 'owner' && a.repayingLoan !== undefined);
      case 'salaries0':
        return a.byMonth[0].every((x) => x !== '');
      case 'salaries1':
        return a.byMonth[1].every((x) => x !== '');
      case 'tax':
        return a.taxUnknown === true || a.taxIncome !== '';
      default:
        return true;
    }
  };

  function situation(): SimulationSituation {
    const adult = (i: number) => ({
      age: num(a.ages[i]!),
      resources: {
        salaries: num(a.resources[i]!.salaries),
        unemploymentBenefits: num(a.resources[i]!.unemploymentBenefits),
        pensions: num(a.resources[i]!.pensions),
        other: num(a.resources[i]!.other),
      },
      ...(earns(i) ? { salariesByMonth: a.byMonth[i]!.map(num) } : {}),
      // 50 stands for « from 50 to 79 % », 80 for « 80 % or more »
      ...(a.disability[i] === 'mid' ? { disabilityRate: 50, ...(a.restriction[i] === 'unknown' ? {} : { employmentRestrictionRecognised: a.restriction[i] === 'yes' }) } : {}),
      ...(a.disability[i] === 'high' ? { disabilityRate: 80 } : {}),
    });
    return {
      residesInFrance: a.residesInFrance ?? true,
      couple: a.couple ?? false,
      adults: a.couple ? [adult(0), adult(1)] : [adult(0)],
      children: a.hasChildren ? a.children.map((c, i) => ({ age: num(c), schooling: asksSchooling(num(c)) ? a.schooling[i] : schoolingByAge(num(c)) })) : [],
      ...(a.taxUnknown || a.taxIncome === '' ? {} : { referenceTaxIncome: num(a.taxIncome) }),
      housing:
        a.housing === 'tenant'
          ? { status: 'tenant', rent: num(a.rent), housingBenefit: num(a.housingBenefit), ...(a.commune ? { commune: a.commune.code } : {}), ...(num(a.rentReduction) > 0 ? { rentReduction: num(a.rentReduction) } : {}) }
          : a.housing === 'owner'
            ? { status: 'owner', repayingLoan: a.repayingLoan ?? false }
            : a.housing === 'homeless'
              ? { status: 'homeless' }
              : { status: 'hosted-free' },
    };
  }

  async function compute() {
    setBusy(true);
    setError(null);
    try {
      const asked = situation();
      setOutcome(await kiosk.call('aids.simulate', { situation: asked }));
      onAnswers(filingAnswersFrom(asked));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  // the tax notice in the person's vault, offered for the revenu fiscal de référence
  useEffect(() => {
    if (step !== 'tax' || a.taxIncome !== '' || a.taxUnknown) return;
    kiosk.call('aids.taxNotice', {}).then(
      (r) => {
        if (!r.notice) return;
        const notice = r.notice;
        setA((old) => (old.taxIncome === '' && !old.taxUnknown ? { ...old, taxIncome: String(notice.amount) } : old));
        setFromNotice({ incomeYear: notice.incomeYear });
      },
      () => undefined,
    );
  }, [step]);

  // a tenant's housing benefit, from the newest CAF attestation of the person's vault that names one
  useEffect(() => {
    if (step !== 'housing' || a.housing !== 'tenant' || a.housingBenefit !== '' || fromCaf) return;
    kiosk.call('aids.cafHousingBenefit', {}).then(
      (r) => {
        if (!r.benefit) return;
        const benefit = r.benefit;
        setA((old) => (old.housingBenefit === '' ? { ...old, housingBenefit: String(Math.round(benefit.amount)) } : old));
        setFromCaf({ month: benefit.month });
      },
      () => undefined,
    );
  }, [step, a.housing]);

  // the communes for what was typed, from the table on the tablet (no server asked)
  useEffect(() => {
    if (step !== 'commune') return;
    const q = a.communeQuery.trim();
    if (q.length < 2) {
      setCommunes(null);
      return;
    }
    let gone = false;
    kiosk.call('aids.communes', { query: q }).then(
      (r) => !gone && setCommunes(r.communes),
      (e: unknown) => !gone && setError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [step, a.communeQuery]);

  // entering the months' salaries: each month starts at the usual salary, then what the payslips say
  useEffect(() => {
    if (step !== 'salaries0' && step !== 'salaries1') return;
    const i = step === 'salaries0' ? 0 : 1;
    if (a.byMonth[i]!.some((x) => x !== '')) return;
    const usual = a.resources[i]!.salaries;
    setA((old) => {
      const byMonth: [Months, Months] = [[...old.byMonth[0]], [...old.byMonth[1]]];
      byMonth[i] = [usual, usual, usual];
      return { ...old, byMonth };
    });
    // the person's own payslips only (the partner's are not in this vault)
    if (i !== 0) return;
    kiosk.call('aids.payslips', { months }).then(
      (r) => {
        if (r.payslips.length === 0) return;
        setA((old) => {
          const byMonth: [Months, Months] = [[...old.byMonth[0]], [...old.byMonth[1]]];
          for (const p of r.payslips) {
            const k = months.indexOf(p.month);
            if (k >= 0) byMonth[0][k] = String(p.amount);
          }
          return { ...old, byMonth };
        });
        setFromPapers(r.payslips.map((p) => ({ month: p.month, title: p.title })));
      },
      () => undefined,
    );
  }, [step]);

  const next = () => {
    setActive(null);
    if (index < steps.length - 1) setIndex(index + 1);
    else void compute();
  };
  const previous = () => {
    setActive(null);
    if (index === 0) onBack();
    else setIndex(index - 1);
  };

  if (outcome) return <Results outcome={outcome} focus={focus} onFile={onFile} onAgain={() => setOutcome(null)} onBack={onBack} />;

  const yesNo = [
    { value: true, label: t.simulation.yes },
    { value: false, label: t.simulation.no },
  ] as const;
  const money = (i: number) => (
    <>
      <p>{t.simulation.resourcesHelp}</p>
      <div class="number-fields">
        {field(`res:${i}:salaries`, t.simulation.salaries)}
        {field(`res:${i}:unemploymentBenefits`, t.simulation.unemployment)}
        {field(`res:${i}:pensions`, t.simulation.pensions)}
        {field(`res:${i}:other`, t.simulation.other)}
      </div>
    </>
  );

  let question: string;
  let body;
  switch (step) {
    case 'france':
      question = t.simulation.france;
      body = <Choices label={question} options={yesNo} value={a.residesInFrance} onChoose={(v) => set({ residesInFrance: v })} />;
      break;
    case 'couple':
      question = t.simulation.couple;
      body = (
        <>
          <p class="muted">{t.simulation.coupleHelp}</p>
          <Choices
            label={question}
            options={[
              { value: false, label: t.simulation.alone },
              { value: true, label: t.simulation.together },
            ]}
            value={a.couple}
            onChoose={(v) => set({ couple: v })}
          />
        </>
      );
      break;
    case 'age':
      question = t.simulation.age;
      body = (
        <div class="number-fields">
          {field('age:0', t.simulation.yourAge)}
          {a.couple && field('age:1', t.simulation.partnerAge)}
        </div>
      );
      break;
    case 'children':
      question = t.simulation.children;
      body = (
        <>
          <p class="muted">{t.simulation.childrenHelp}</p>
          <Choices
            label={question}
            options={yesNo}
            value={a.hasChildren}
            onChoose={(v) => set({ hasChildren: v, children: v ? (a.children.length > 0 ? a.children : ['']) : [] })}
          />
          {a.hasChildren && (
            <>
              <div class="number-fields">
                {a.children.map((_, i) => (
                  <div class="with-remove" key={i}>
                    {field(`child:${i}`, t.simulation.childAge(i + 1))}
                    {a.children.length > 1 && (
                      <button
                        type="button"
                        class="button small secondary"
                        aria-label={t.simulation.removeChild(i + 1)}
                        onClick={() => {
                          setActive(null);
                          set({ children: a.children.filter((_, j) => j !== i), schooling: a.schooling.filter((_, j) => j !== i) });
                        }}
                      >
                        ✕
                      </button>
                    )}
                  </div>
                ))}
              </div>
              {a.children.length < 15 && (
                <button type="button" class="button secondary" onClick={() => set({ children: [...a.children, ''] })}>
                  {t.simulation.addChild}
                </button>
              )}
            </>
          )}
        </>
      );
      break;
    case 'housing':
      question = t.simulation.housing;
      body = (
        <>
          <Choices
            label={question}
            options={[
              { value: 'tenant', label: t.simulation.tenant },
              { value: 'owner', label: t.simulation.owner },
              { value: 'hosted-free', label: t.simulation.hosted },
              { value: 'homeless', label: t.simulation.homeless },
            ]}
            value={a.housing}
            onChoose={(v) => set({ housing: v })}
          />
          {a.housing === 'tenant' && (
            <>
              {fromCaf && a.housingBenefit !== '' && (
                <p class="panel" role="status">
                  {t.simulation.fromCafAttestation(monthFr(fromCaf.month))}
                </p>
              )}
              <div class="number-fields">
                {field('rent', t.simulation.rent)}
                {field('benefit', t.simulation.housingBenefit)}
                {field('rls', t.simulation.rentReduction)}
              </div>
            </>
          )}
          {a.housing === 'owner' && (
            <>
              <p class="lead">{t.simulation.loan}</p>
              <Choices label={t.simulation.loan} options={yesNo} value={a.repayingLoan} onChoose={(v) => set({ repayingLoan: v })} />
            </>
          )}
        </>
      );
      break;
    case 'schooling':
      question = t.simulation.schooling;
      body = (
        <>
          <p class="muted">{t.simulation.schoolingHelp}</p>
          {a.children.map((c, i) =>
            asksSchooling(num(c)) ? (
              <div key={i}>
                <p class="lead" id={`ecole-${i}`}>
                  {t.simulation.schoolingOf(i + 1, num(c))}
                </p>
                <Choices
                  label={t.simulation.schoolingOf(i + 1, num(c))}
                  options={[
                    { value: 'college', label: t.simulation.college },
                    { value: 'lycee', label: t.simulation.lycee },
                    { value: 'apprentissage', label: t.simulation.apprentice },
                    { value: 'etudes-superieures', label: t.simulation.higher },
                    { value: 'aucune', label: t.simulation.noSchool },
                  ]}
                  value={a.schooling[i]}
                  onChoose={(v: School) => {
                    const schooling = [...a.schooling];
                    schooling[i] = v;
                    set({ schooling });
                  }}
                />
              </div>
            ) : null,
          )}
        </>
      );
      break;
    case 'commune':
      question = t.simulation.commune;
      body = (
        <>
          <p class="muted">{t.simulation.communeHelp}</p>
          {a.commune ? (
            <p class="panel" role="status">
              {t.simulation.communeChosen(a.commune.name)}
            </p>
          ) : null}
          <KeyField
            id="champ-commune"
            label={t.simulation.communeLabel}
            value={a.communeQuery}
            onChange={(v) => set({ communeQuery: v, commune: undefined })}
            max={60}
            open={active === 'commune'}
            onOpen={() => setActive('commune')}
          />
          {communes !== null &&
            (communes.length === 0 ? (
              <p role="status">{t.simulation.communeNone}</p>
            ) : (
              <Choices
                label={t.simulation.communeList}
                options={communes.map((c) => ({ value: c.code, label: t.simulation.communeItem(c.name, c.postcodes) }))}
                value={a.commune?.code}
                onChoose={(code) => {
                  const c = communes.find((x) => x.code === code);
                  setActive(null);
                  if (c) set({ commune: { code: c.code, name: c.name } });
                }}
              />
            ))}
          <Choices label={t.simulation.communeUnknownLabel} options={[{ value: true, label: t.simulation.communeUnknown }]} value={a.commune === null ? true : undefined} onChoose={() => set({ commune: null, communeQuery: '' })} />
        </>
      );
      break;
    case 'resources0':
      question = t.simulation.resources;
      body = money(0);
      break;
    case 'resources1':
      question = t.simulation.partnerResources;
      body = money(1);
      break;
    case 'tax':
      question = t.simulation.tax;
      body = (
        <>
          <p>{t.simulation.taxHelp}</p>
          {fromNotice && a.taxIncome !== '' && (
            <p class="panel" role="status">
              {t.simulation.fromTaxNotice(fromNotice.incomeYear)}
            </p>
          )}
          <div class="number-fields">{field('tax:0:0', t.simulation.taxLabel)}</div>
          <Choices label={t.simulation.taxUnknownLabel} options={[{ value: true, label: t.simulation.taxUnknown }]} value={a.taxUnknown ? true : undefined} onChoose={() => set({ taxUnknown: true, taxIncome: '' })} />
        </>
      );
      break;
    case 'disability':
    case 'disability1': {
      const i = step === 'disability' ? 0 : 1;
      const restriction = i === 0 ? t.simulation.restriction : t.simulation.partnerRestriction;
      question = i === 0 ? t.simulation.disability : t.simulation.partnerDisability;
      body = (
        <>
          <p class="muted">{t.simulation.disabilityHelp}</p>
          <Choices
            label={question}
            options={[
              { value: 'none', label: t.simulation.disabilityNone },
              { value: 'mid', label: t.simulation.disabilityMid },
              { value: 'high', label: t.simulation.disabilityHigh },
            ]}
            value={a.disability[i]}
            onChoose={(v) => setAdult(i, v, v === 'mid' ? a.restriction[i] : undefined)}
          />
          {a.disability[i] === 'mid' && (
            <>
              <p class="lead">{restriction}</p>
              <Choices
                label={restriction}
                options={[
                  { value: 'yes', label: t.simulation.yes },
                  { value: 'no', label: t.simulation.no },
                  { value: 'unknown', label: t.simulation.restrictionUnknown },
                ]}
                value={a.restriction[i]}
                onChoose={(v) => setAdult(i, 'mid', v)}
              />
            </>
          )}
        </>
      );
      break;
    }
    case 'salaries0':
    case 'salaries1': {
      const i = step === 'salaries0' ? 0 : 1;
      question = i === 0 ? t.simulation.salariesByMonth : t.simulation.partnerSalariesByMonth;
      body = (
        <>
          <p>{t.simulation.salariesByMonthHelp}</p>
          {i === 0 && fromPapers && (
            <p class="panel" role="status">
              {t.simulation.fromPayslips(fromPapers.map((p) => monthFr(p.month)))}
            </p>
          )}
          <div class="number-fields">{months.map((m, k) => field(`month:${i}:${k}`, t.simulation.salaryOf(monthFr(m))))}</div>
        </>
      );
      break;
    }
  }

  return (
    <QuestionStep
      lead={t.simulation.title}
      index={index}
      count={steps.length}
      step={step}
      question={question}
      error={error}
      busy={busy}
      busyText={t.simulation.computing}
      answered={answered(step)}
      lastLabel={t.simulation.compute}
      onNext={next}
      onPrevious={previous}
    >
      {body}
    </QuestionStep>
  );
}

function Results({
  outcome,
  focus,
  onFile,
  onAgain,
  onBack,
}: {
  outcome: SimulationOutcome;
  focus: string[];
  onFile: (aid: { id: string; name: string }) => void;
  onAgain: () => void;
  onBack: () => void;
}) {
  const rank = (e: boolean | 'unknown') => (e === true ? 0 : e === 'unknown' ? 1 : 2);
  const sorted = [...outcome.results].sort((x, y) => rank(x.eligible) - rank(y.eligible));
  const first = focus.length > 0 ? sorted.filter((r) => focus.includes(r.aid)) : sorted.filter((r) => r.eligible !== false);
  const rest = sorted.filter((r) => !first.includes(r));
  const card = (r: SimulationOutcome['results'][number]) => (
    <li key={r.aid}>
      <article class="aid-card" aria-labelledby={`estimation-${r.aid}`}>
        <h3 id={`estimation-${r.aid}`}>
          {r.aidName} <span class="badge neutral">{t.simulation.estimate}</span>
        </h3>
        <p class="lead">
          {r.eligible === true ? t.simulation.eligible : r.eligible === false ? t.simulation.notEligible : t.simulation.unknown}
          {r.eligible === true && r.monthlyAmount !== null && r.monthlyAmount > 0 && (
            <>
              {' '}
              <strong class="amount">{t.simulation.amount(euros(r.monthlyAmount))}</strong>
            </>
          )}
          {/* paid once a year (the rentrée scolaire, the chèque énergie): said per year, never as a monthly sum */}
          {r.eligible === true && r.monthlyAmount === null && r.yearlyAmount !== undefined && r.yearlyAmount > 0 && (
            <>
              {' '}
              <strong class="amount">{t.simulation.amountYearly(euros(r.yearlyAmount))}</strong>
            </>
          )}
        </p>
        <ul>
          {r.explanation.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
        {r.scales && r.scales.length > 0 && (
          // each figure with the day it applies from and the text that sets it: the estimate can be checked
          <details class="scales">
            <summary>{t.simulation.scalesTitle}</summary>
            <ul>
              {r.scales.map((f) => (
                <li key={`${f.id}-${f.from}`}>
                  {t.simulation.scaleLine(f.label, figureFr(f.value, f.unit), dateFr(f.from))} <span class="muted">{t.simulation.scaleSource(f.source)}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
        {r.canFile && r.eligible !== false && (
          <div class="actions left">
            <button type="button" class="button primary" onClick={() => onFile({ id: r.aid, name: r.aidName })}>
              {t.catalogue.file}
              <span class="sr-only"> : {r.aidName}</span>
            </button>
          </div>
        )}
      </article>
    </li>
  );
  return (
    <section aria-labelledby="titre">
      <Title>{t.simulation.resultTitle}</Title>
      <div class="panel estimate" role="note">
        {outcome.warnings.map((w, i) => (
          <p key={i}>{w}</p>
        ))}
        <p class="muted">{t.simulation.rules(dateFr(outcome.validFrom))}</p>
      </div>
      <h2 class="sr-only">{t.simulation.resultTitle}</h2>
      <ul class="plain aid-list">{first.map(card)}</ul>
      {rest.length > 0 && (
        <>
          <h2>{t.simulation.others}</h2>
          <ul class="plain aid-list">{rest.map(card)}</ul>
        </>
      )}
      <ActionBar>
        <button type="button" class="button secondary" onClick={onAgain}>
          {t.simulation.again}
        </button>
        <button type="button" class="button secondary" onClick={onBack}>
          {t.aids.back}
        </button>
      </ActionBar>
    </section>
  );
}
