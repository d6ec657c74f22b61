/**
 * The person checks what was read; doubtful fields are marked; they may correct any value on the on-screen
 * keyboard. A changed value is checked as it is typed (an IBAN's key, a real date, a NIR's key, an amount)
 * and one that is not right is not saved: the screen says why.
 *
 * A paper that seems to be in someone else's name is asked about first: is it theirs, someone's of their
 * household (who), or is it taken back? It is not saved before the person answers (the core asks too).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis, Completeness, Params, TwoDDocReport } from '../../../contract/schema.ts';
import { SURE_CONFIDENCE } from '../../../contract/schema.ts';
import { checkField, fieldForPerson, fieldKind } from '../../../contract/field-checks.ts';
import type { FieldCheck } from '../../../contract/field-checks.ts';
import { askedDateFields, paperDateAsk } from '../../../contract/index.ts';
import type { DateAsk } from '../../../contract/index.ts';
import { KeyField } from '../components/keyboard.tsx';
import { parisDay } from '../format.ts';
import type { FieldHint, KeyboardLayout } from '../components/keyboard.tsx';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Title, errorText, ActionBar } from '../components/screen.tsx';

const ORDER = ['holder', 'iban', 'bic', 'bank'];
/** fields written in capitals on the papers: the keyboard types capitals there */
const CAPITALS = new Set(['iban', 'bic', 'documentNumber', 'nationality', 'sex', 'taxNumber', 'noticeReference', 'allocataireNumber', 'optionalData']);

const display = fieldForPerson;

type HolderAnswer = NonNullable<Params<'capture.confirm'>['holderAnswer']>;
type Relation = NonNullable<HolderAnswer['relation']>;
const RELATIONS: readonly Relation[] = ['conjoint', 'enfant', 'parent', 'autre'];
/** the fields a paper names its holder in (protocol/identity-match.ts paperName) */
const NAME_FIELDS = ['holder', 'employee', 'givenNames', 'surname'];
/** the date asked when none was read has its keyboard like a field's */
const DATE_ASKED = 'date-demandee';

/** The keys a field needs: the number pad for dates and amounts, letters for the rest. */
function keysFor(name: string): { layout: KeyboardLayout; extra?: readonly string[]; upper: boolean } {
  const kind = fieldKind(name);
  if (kind === 'date') return { layout: 'digits', extra: ['/'], upper: false };
  if (kind === 'amount') return { layout: 'digits', extra: [','], upper: false };
  return { layout: 'letters', upper: CAPITALS.has(name) || kind === 'nir' };
}

/** What is said under a changed field as it is typed: nothing when it is right. */
function hintOf(name: string, check: FieldCheck): FieldHint | null {
  if (check.ok) return null;
  if (check.problem === 'empty') return fieldKind(name) === 'iban' ? { text: check.message, wrong: true } : null;
  return { text: check.message, wrong: check.problem === 'wrong' };
}

export function Check({
  analysis: first,
  replaces,
  onSaved,
  onRetake,
  onAddPage,
  onDrop,
}: {
  analysis: CaptureAnalysis;
  replaces?: string;
  /** the new paper's id in the vault */
  onSaved: (documentId: string) => void;
  onRetake: () => void;
  /**
   * the person adds a page; `analysis` is the paper as it is now (pages turned or removed here since), to come
   * back to if they give up; `otherSide` when what is missing is the card's other face
   */
  onAddPage: (captureId: string, now: { analysis: CaptureAnalysis; otherSide?: boolean }) => void;
  /** « Le retirer »: the paper is not kept, the person goes back where they came from */
  onDrop: () => void;
}) {
  const [analysis, setAnalysis] = useState(first);
  const previews = usePreviews(analysis);
  const names = Object.keys(analysis.fields).sort((a, b) => rank(a) - rank(b));
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(names.map((n) => [n, display(n, analysis.fields[n]!.value)])),
  );
  const [editing, setEditing] = useState(false);
  /** the field whose keyboard is open */
  const [active, setActive] = useState<string | null>(null);
  /** the fields the person changed: only those are checked again and sent as typed */
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** counts the refused saves: each one brings the field to fix back into view */
  const [refused, setRefused] = useState(0);
  /** whose paper it is, when it names someone else */
  const [owner, setOwner] = useState<HolderAnswer['answer'] | null>(null);
  const [relation, setRelation] = useState<Relation | null>(null);
  /** said in the question's panel when « Enregistrer » is pressed before it is answered */
  const [answerFirst, setAnswerFirst] = useState<string | null>(null);
  const question = useRef<HTMLDivElement>(null);
  /** the paper's date, typed when the reading found none (or « Je ne sais pas ») */
  const [dateTyped, setDateTyped] = useState('');
  const [dateUnknown, setDateUnknown] = useState(false);
  const [dateProblem, setDateProblem] = useState<string | null>(null);
  const [dateRefused, setDateRefused] = useState(0);
  const holderAnswer: HolderAnswer | null = owner === 'mine' ? { answer: 'mine' } : owner === 'household' && relation ? { answer: 'household', relation } : null;

  /** the values as they would be saved: as read, or as typed and checked */
  const savedValues = (): Record<string, string> =>
    Object.fromEntries(
      names.map((n) => {
        if (!touched.has(n)) return [n, analysis.fields[n]!.value];
        const c = checkField(n, values[n] ?? '');
        return [n, c.ok ? c.value : ''];
      }),
    );
  const dateAsk: DateAsk | null = analysis.docType !== 'other' ? paperDateAsk(analysis.docType, savedValues()) : null;

  // a value failing its check, or read with less than the calibrated « sure » confidence, is for the person to look at
  const isDoubtful = (n: string) => !analysis.fields[n]!.valid || analysis.fields[n]!.confidence < SURE_CONFIDENCE;
  const doubts = names.filter(isDoubtful).length;
  const firstToFix = () => names.find(isDoubtful) ?? names[0] ?? null;

  function startFixing() {
    setActive(firstToFix());
    setEditing(true);
  }

  async function confirm() {
    setError(null);
    const fields: Record<string, string> = {};
    const problems: { name: string; message: string }[] = [];
    for (const n of names) {
      const typed = values[n] ?? '';
      if (!touched.has(n)) {
        // as it was read: the person saw it and left it
        fields[n] = analysis.fields[n]!.value;
        continue;
      }
      const c = checkField(n, typed);
      if (c.ok) fields[n] = c.value;
      else if (c.problem === 'empty' && fieldKind(n) !== 'iban') fields[n] = '';
      else problems.push({ name: n, message: c.message });
    }
    if (problems.length > 0) {
      const first = problems[0]!;
      setError(`${t.check.cannotSave} ${t.check.fieldProblem(analysis.labels[first.name] ?? first.name, first.message)}`);
      setActive(first.name);
      setEditing(true);
      setRefused((n) => n + 1);
      return;
    }
    // a name the person changed is checked again by the core, which asks only if it still names someone else
    const nameChanged = NAME_FIELDS.some((n) => touched.has(n));
    if (analysis.holder && !holderAnswer && !nameChanged) {
      setAnswerFirst(owner === 'household' ? t.holder.whoFirst : t.holder.answerFirst);
      question.current?.scrollIntoView({ block: 'center' });
      question.current?.querySelector<HTMLButtonElement>(owner === 'household' ? '.relations button' : 'button')?.focus();
      return;
    }
    if (dateAsk && !dateUnknown) {
      const d = askedDateFields(analysis.docType, dateTyped, parisDay());
      if (!d.ok) {
        setDateProblem(dateTyped.trim() === '' ? t.paperDate.first : t.paperDate.problem[d.problem]);
        setActive(DATE_ASKED);
        setDateRefused((n) => n + 1);
        return;
      }
      Object.assign(fields, d.fields);
    }
    setBusy(true);
    try {
      const r = await kiosk.call('capture.confirm', {
        captureId: analysis.captureId,
        fields,
        ...(replaces ? { replaces } : {}),
        ...(analysis.holder && holderAnswer ? { holderAnswer } : {}),
      });
      onSaved(r.documentId);
    } catch (err) {
      setError(errorText(err));
      if (!editing) startFixing();
      setBusy(false);
    }
  }

  const known = analysis.docType !== 'other' && names.length > 0;
  /** part of the paper seems missing: saving it as it is stays possible, and the button says so */
  const incomplete = analysis.completeness?.status === 'missing';

  function answer(next: HolderAnswer['answer']) {
    setOwner(next);
    if (next === 'mine') setRelation(null);
    setAnswerFirst(null);
  }

  async function pageAction(run: () => Promise<CaptureAnalysis>) {
    setBusy(true);
    setError(null);
    try {
      const a = await run();
      setAnalysis(a);
      // a line the person changed stays as typed; the others show the new reading, which is what is sent for them
      setValues((old) => Object.fromEntries(Object.keys(a.fields).map((n) => [n, touched.has(n) && old[n] !== undefined ? old[n] : display(n, a.fields[n]!.value)])));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const pageStrip = (
    <div class="pages" aria-label={t.check.pages(analysis.pages.length)} role="group">
      {previews.map((src, i) => (
        <figure class="page" key={`${i}-${src}`}>
          <img src={src} alt={t.check.pageAlt(i + 1)} />
          <figcaption>
            <button type="button" class="button small secondary" disabled={busy} aria-label={t.check.turn(i + 1)} onClick={() => void pageAction(() => kiosk.call('capture.rotate', { captureId: analysis.captureId, page: i, turn: 90 }))}>
              ↻
            </button>
            {analysis.pages.length > 1 && (
              <button type="button" class="button small secondary" disabled={busy} aria-label={t.check.removePage(i + 1)} onClick={() => void pageAction(async () => kiosk.call('capture.removePage', { captureId: analysis.captureId, page: i }))}>
                ✕
              </button>
            )}
          </figcaption>
        </figure>
      ))}
      {/* the photo's own actions stay with the pages; the bar keeps the answer to « is it right? » */}
      <div class="page-actions">
        <button type="button" class="button secondary" onClick={() => onAddPage(analysis.captureId, { analysis })} disabled={busy}>
          {t.check.addPage}
        </button>
        <button type="button" class="button secondary" onClick={onRetake} disabled={busy}>
          {t.check.retake}
        </button>
      </div>
    </div>
  );
  return (
    <section aria-labelledby="titre">
      <p class="lead">{analysis.docTitle}</p>
      <Title>{known ? t.check.title : t.check.unknownDoc}</Title>
      {known && <p>{t.check.help}</p>}
      {known && doubts > 0 && (
        <p class="message doubt-note" data-doubts={doubts}>
          {t.check.lookAtDoubts(doubts)}
        </p>
      )}
      {analysis.twoDDoc && <TwoDDocNote report={analysis.twoDDoc} labels={analysis.labels} />}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {analysis.completeness?.status === 'missing' && <MissingNote completeness={analysis.completeness} busy={busy} onAdd={(otherSide) => onAddPage(analysis.captureId, { analysis, otherSide })} />}
      {pageStrip}
      {known && editing && <p class="lead">{t.check.fixHelp}</p>}
      {known && editing && (
        <div class="fields editing">
          {names.map((n) => {
            const doubtful = isDoubtful(n);
            const label = analysis.labels[n] ?? n;
            const keys = keysFor(n);
            return (
              <div class={`field ${doubtful ? 'doubt' : ''}`} key={n}>
                <KeyField
                  id={`champ-${n}`}
                  labelClass="field-label"
                  label={
                    <>
                      {label}
                      {doubtful && <span class="badge">{t.check.doubt}</span>}
                    </>
                  }
                  value={values[n] ?? ''}
                  onChange={(v) => {
                    setValues((old) => ({ ...old, [n]: v }));
                    setTouched((old) => new Set(old).add(n));
                    // the refusal was about the value before: what is wrong now is said under the field
                    setError(null);
                  }}
                  open={active === n}
                  onOpen={() => setActive(n)}
                  autoFocus={active === n}
                  layout={keys.layout}
                  {...(keys.extra ? { extra: keys.extra } : {})}
                  upper={keys.upper}
                  max={fieldKind(n) === 'text' ? 300 : 40}
                  inputClass={n === 'iban' || n === 'bic' || n === 'documentNumber' ? 'mono' : undefined}
                  hint={touched.has(n) ? hintOf(n, checkField(n, values[n] ?? '')) : null}
                  reveal={active === n ? refused : 0}
                />
              </div>
            );
          })}
        </div>
      )}
      {known && !editing && (
        <dl class="fields">
          {names.map((n) => {
            const doubtful = isDoubtful(n);
            const label = analysis.labels[n] ?? n;
            return (
              <div class={`field ${doubtful ? 'doubt' : ''}`} key={n}>
                <dt id={`label-${n}`}>
                  {label}
                  {doubtful && <span class="badge">{t.check.doubt}</span>}
                </dt>
                <dd>
                  <span class={`value ${n}`} data-field={n}>
                    {values[n]}
                  </span>
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {dateAsk && (
        <div class="date-question" role="group" aria-labelledby="date-question">
          <p id="date-question" class="holder-title">
            {t.paperDate.title}
          </p>
          {dateUnknown ? (
            <p role="status">{t.paperDate.unknownSaid}</p>
          ) : (
            <KeyField
              id="date-papier"
              labelClass="lead"
              label={
                <>
                  {dateAsk === 'day' ? t.paperDate.question.day : dateAsk === 'income-year' ? t.paperDate.question['tax-notice'] : analysis.docType === 'payslip' ? t.paperDate.question.payslip : t.paperDate.question['caf-certificate']}
                  <span class="field-example"> {t.paperDate.example[dateAsk]}</span>
                </>
              }
              value={dateTyped}
              onChange={(v) => {
                setDateTyped(v);
                setDateProblem(null);
              }}
              open={active === DATE_ASKED}
              onOpen={() => setActive(DATE_ASKED)}
              layout="digits"
              extra={dateAsk === 'income-year' ? [] : ['/']}
              max={10}
              keyboardLabel={t.paperDate.keyboard}
              hint={dateProblem ? { text: dateProblem, wrong: true } : null}
              reveal={dateRefused}
            />
          )}
          <button
            type="button"
            class="button secondary"
            aria-pressed={dateUnknown ? 'true' : 'false'}
            disabled={busy}
            onClick={() => {
              setDateUnknown((u) => !u);
              setDateProblem(null);
              if (active === DATE_ASKED) setActive(null);
            }}
          >
            {dateUnknown ? t.paperDate.answer : t.paperDate.unknown}
          </button>
        </div>
      )}
      {analysis.holder && (
        <div class="holder-question" role="group" aria-labelledby="holder-question" ref={question}>
          <p id="holder-question" class="holder-title">
            {analysis.holder.reason === 'birth-date' ? t.holder.questionBirthDate(analysis.holder.paperName) : t.holder.question(analysis.holder.paperName)}
          </p>
          <div class="holder-choices">
            <button type="button" class="choice holder-choice" aria-pressed={owner === 'mine' ? 'true' : 'false'} disabled={busy} onClick={() => answer('mine')}>
              <span class="choice-title">
                <Ticked on={owner === 'mine'} />
                {t.holder.mine}
              </span>
            </button>
            <button type="button" class="choice holder-choice" aria-pressed={owner === 'household' ? 'true' : 'false'} disabled={busy} onClick={() => answer('household')}>
              <span class="choice-title">
                <Ticked on={owner === 'household'} />
                {t.holder.household}
              </span>
            </button>
            <button type="button" class="choice holder-choice" disabled={busy} onClick={onDrop} aria-describedby="holder-drop-help">
              <span class="choice-title">{t.holder.drop}</span>
              <span class="choice-help" id="holder-drop-help">
                {t.holder.dropHelp}
              </span>
            </button>
          </div>
          {owner === 'household' && (
            <div class="relations" role="group" aria-labelledby="holder-who">
              <p id="holder-who" class="holder-who">
                {t.holder.who}
              </p>
              <div class="holder-choices">
                {RELATIONS.map((r) => (
                  <button
                    type="button"
                    class="button secondary holder-relation"
                    key={r}
                    aria-pressed={relation === r ? 'true' : 'false'}
                    disabled={busy}
                    onClick={() => {
                      setRelation(r);
                      setAnswerFirst(null);
                    }}
                  >
                    <Ticked on={relation === r} />
                    {t.holder.relation[r]}
                  </button>
                ))}
              </div>
            </div>
          )}
          {answerFirst && (
            <p class="message warning" role="alert">
              {answerFirst}
            </p>
          )}
        </div>
      )}
      <ActionBar>
        <button type="button" class="button primary" onClick={() => void confirm()} disabled={busy}>
          {!known ? t.check.keepAnyway : incomplete ? t.completeness.saveAnyway : editing ? t.check.save : t.check.yes}
        </button>
        {known && !editing && (
          <button type="button" class="button secondary" onClick={startFixing} disabled={busy}>
            {t.check.fix}
          </button>
        )}
      </ActionBar>
    </section>
  );
}

/**
 * What the paper's 2D-Doc says: verified and the same as the print (calm, with the authority); verified
 * but the print says otherwise (which line, in plain words); not valid (the print was read instead);
 * unreadable; or simply not checkable on this tablet (nothing alarming).
 */
function TwoDDocNote({ report, labels }: { report: TwoDDocReport; labels: Record<string, string> }) {
  const w = t.twoDDoc;
  if (report.status === 'verified') {
    const differ = report.fields.filter((f) => f.agreement === 'disagrees').map((f) => f.name);
    if (differ.length === 0) {
      return (
        <div class="message ok twoddoc" role="status" data-twoddoc="verified">
          <p>
            <span aria-hidden="true">✓ </span>
            {w.verified}
          </p>
          <p class="twoddoc-help">{w.verifiedBy(report.authority, report.caId)}</p>
        </div>
      );
    }
    return (
      <div class="message warning twoddoc" role="alert" data-twoddoc="disagrees">
        <p>{w.disagrees}</p>
        <ul>
          {differ.map((n) => (
            <li key={n}>{w.field[n] ?? w.otherField(labels[n] ?? n)}</li>
          ))}
        </ul>
        <p class="twoddoc-help">{w.keptFromCode(report.authority)}</p>
      </div>
    );
  }
  if (report.status === 'invalid-signature' || report.status === 'certificate-expired' || report.status === 'certificate-not-yet-valid') {
    return (
      <div class="message warning twoddoc" role="alert" data-twoddoc="not-valid">
        <p>{w.notValid}</p>
        <p class="twoddoc-help">{w.notValidHelp}</p>
      </div>
    );
  }
  if (report.status === 'malformed') {
    return (
      <p class="twoddoc-note" role="status" data-twoddoc="unreadable">
        {w.unreadable}
      </p>
    );
  }
  return (
    <p class="twoddoc-note" role="status" data-twoddoc="not-checked">
      {w.notCheckedHere}
    </p>
  );
}

/**
 * What seems missing of the paper, each in its sentence, and one big button to add it (the same as « Ajouter
 * une page »): a note, not an error — nothing is blocked.
 */
function MissingNote({ completeness, busy, onAdd }: { completeness: Extract<Completeness, { status: 'missing' }>; busy: boolean; onAdd: (otherSide: boolean) => void }) {
  const w = t.completeness;
  const kinds = new Set(completeness.missing.map((m) => m.kind));
  const face = kinds.has('front-face') || kinds.has('back-face');
  const label = face ? w.otherSide : kinds.has('rib-bank') || kinds.has('rib-holder') ? w.otherPart : w.missingPage;
  return (
    <div class="completeness" role="status" aria-labelledby="completeness-title" data-completeness="missing">
      <p id="completeness-title" class="completeness-title">
        {w.title}
      </p>
      <ul>
        {completeness.missing.map((m, i) => (
          <li key={`${m.kind}-${i}`} data-missing={m.kind}>
            {m.message}
          </li>
        ))}
      </ul>
      <button type="button" class="button primary completeness-add" disabled={busy} onClick={() => onAdd(face)}>
        {label}
      </button>
      <p class="completeness-help">{w.asItIs}</p>
    </div>
  );
}

/** The tick on a chosen answer: seen, not read out (aria-pressed says it). */
function Ticked({ on }: { on: boolean }) {
  return on ? <span aria-hidden="true">✓ </span> : null;
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

/** Object URLs for the page previews, revoked when they change or the screen goes. */
function usePreviews(a: CaptureAnalysis): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = a.pages.map((p) => URL.createObjectURL(new Blob([p.preview], { type: 'image/jpeg' })));
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [a]);
  return urls;
}
