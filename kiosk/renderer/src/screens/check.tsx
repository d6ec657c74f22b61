/** The person checks what was read; doubtful fields are marked; they may correct any value. */
import { useEffect, useState } from 'preact/hooks';
import type { CaptureAnalysis } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { Title, errorText } from '../components/screen.tsx';

const DOUBT = 0.8;
const ORDER = ['holder', 'iban', 'bic', 'bank'];

function display(name: string, value: string): string {
  return name === 'iban' ? value.replace(/\s/g, '').replace(/(.{4})(?=.)/g, '$1 ') : value;
}

export function Check({
  analysis: first,
  replaces,
  onSaved,
  onRetake,
  onAddPage,
}: {
  analysis: CaptureAnalysis;
  replaces?: string;
  /** the new paper's id in the vault */
  onSaved: (documentId: string) => void;
  onRetake: () => void;
  onAddPage: (captureId: string) => void;
}) {
  const [analysis, setAnalysis] = useState(first);
  const previews = usePreviews(analysis);
  const names = Object.keys(analysis.fields).sort((a, b) => rank(a) - rank(b));
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(names.map((n) => [n, display(n, analysis.fields[n]!.value)])),
  );
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const r = await kiosk.call('capture.confirm', { captureId: analysis.captureId, fields: values, ...(replaces ? { replaces } : {}) });
      onSaved(r.documentId);
    } catch (err) {
      setError(errorText(err));
      setEditing(true);
      setBusy(false);
    }
  }

  const known = analysis.docType !== 'other' && names.length > 0;

  async function pageAction(run: () => Promise<CaptureAnalysis>) {
    setBusy(true);
    setError(null);
    try {
      const a = await run();
      setAnalysis(a);
      setValues((old) => ({ ...Object.fromEntries(Object.keys(a.fields).map((n) => [n, display(n, a.fields[n]!.value)])), ...old }));
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
    </div>
  );
  return (
    <section aria-labelledby="titre">
      <p class="lead">{analysis.docTitle}</p>
      <Title>{known ? t.check.title : t.check.unknownDoc}</Title>
      {known && <p>{t.check.help}</p>}
      {pageStrip}
      {known && (
        <dl class="fields">
          {names.map((n) => {
            const f = analysis.fields[n]!;
            const doubtful = !f.valid || f.confidence < DOUBT;
            const label = analysis.labels[n] ?? n;
            return (
              <div class={`field ${doubtful ? 'doubt' : ''}`} key={n}>
                <dt id={`label-${n}`}>
                  {label}
                  {doubtful && <span class="badge">{t.check.doubt}</span>}
                </dt>
                <dd>
                  {editing ? (
                    <input
                      aria-labelledby={`label-${n}`}
                      value={values[n]}
                      autoComplete="off"
                      spellcheck={false}
                      onInput={(e) => {
                        const v = (e.target as HTMLInputElement).value;
                        setValues((old) => ({ ...old, [n]: v }));
                      }}
                    />
                  ) : (
                    <span class={`value ${n}`} data-field={n}>
                      {values[n]}
                    </span>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="button primary" onClick={() => void confirm()} disabled={busy}>
          {known ? t.check.yes : t.check.keepAnyway}
        </button>
        {known && !editing && (
          <button type="button" class="button secondary" onClick={() => setEditing(true)} disabled={busy}>
            {t.check.fix}
          </button>
        )}
        <button type="button" class="button secondary" onClick={() => onAddPage(analysis.captureId)} disabled={busy}>
          {t.check.addPage}
        </button>
        <button type="button" class="button secondary" onClick={onRetake} disabled={busy}>
          {t.check.retake}
        </button>
      </div>
    </section>
  );
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
