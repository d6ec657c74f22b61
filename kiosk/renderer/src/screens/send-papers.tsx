/**
 * « Envoyer à un organisme »: one or more papers of the vault (up to PAPERS_PER_SENDING), one institution,
 * an optional message, sent as one message. The person sees the list before sending, can take a paper
 * out, and the confirmation names every paper. Started from a paper (already chosen) or from the vault.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { PAPERS_PER_SENDING } from '../../../contract/schema.ts';
import type { InstitutionItem, VaultItem } from '../../../contract/schema.ts';
import { paperDateWords } from '../../../contract/index.ts';
import { dateFr } from '../format.ts';
import { kiosk } from '../kiosk.ts';
import { useTexts } from '../voice.tsx';
import { Dialog } from '../components/dialog.tsx';
import { matchesQuery } from './aids/search.ts';
import { KeyField } from '../components/keyboard.tsx';
import { Messages } from '../components/messages.tsx';
import { ActionBar, Problem, Title, errorText, useAct } from '../components/screen.tsx';

type Panel = null | 'pick' | 'note' | 'confirm';

/** Past this many institutions the list gets a search field: a directory may hold many offices. */
const SEARCH_FROM = 6;

export function SendPapers({ first, onSent, onBack }: { first: VaultItem | null; onSent: (notice: string) => void; onBack: () => void }) {
  const t = useTexts();
  const w = t.sendPapers;
  const [items, setItems] = useState<VaultItem[] | null>(null);
  const [institutions, setInstitutions] = useState<InstitutionItem[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>(first ? [first.id] : []);
  /** the server was not reached: the vault's list is not here, the paper opened before still is */
  const [offline, setOffline] = useState(false);
  const [to, setTo] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);
  const { busy, error, notice, setError, setNotice, act } = useAct();
  const papersHeading = useRef<HTMLHeadingElement>(null);
  /** a paper added or taken out: the focus goes back to the list, once the dialog is gone and the page usable again */
  const [backToList, setBackToList] = useState(0);
  useEffect(() => {
    if (backToList > 0) papersHeading.current?.focus();
  }, [backToList]);

  useEffect(() => {
    let gone = false;
    Promise.all([kiosk.call('vault.list', {}), kiosk.call('institutions.list', {})]).then(
      ([v, i]) => {
        if (gone) return;
        // a paper still on its way from the tablet has no title of its own yet: it is sent once it arrived
        const listed = v.items.filter((x) => !x.pending);
        // the paper the person started from stays chosen even when the list could not be had (offline)
        setItems(first && !listed.some((x) => x.id === first.id) ? [first, ...listed] : listed);
        setOffline(v.offline);
        // only offices where someone reads what is sent: a paper sent where no one reads it would be lost
        setInstitutions(i.institutions.filter((x) => x.receivesPapers !== false));
      },
      (e: unknown) => !gone && setLoadError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, []);

  if (loadError) {
    return (
      <section aria-labelledby="titre">
        <Title>{w.title}</Title>
        <Problem message={loadError} onBack={onBack} backLabel={t.vault.back} />
      </section>
    );
  }
  if (!items || !institutions) return <p aria-busy="true">{t.vault.loading}</p>;

  const byId = new Map(items.map((x) => [x.id, x] as const));
  const papers = chosen.map((id) => byId.get(id)).filter((x): x is VaultItem => x !== undefined);
  const others = items.filter((x) => !chosen.includes(x.id));
  const full = papers.length >= PAPERS_PER_SENDING;
  const institution = institutions.find((i) => i.id === to) ?? null;
  // as the aids are found: accents, capitals and apostrophes aside, every word typed somewhere in the name or the place
  const shownInstitutions = institutions.filter((i) => matchesQuery({ name: i.name, summary: `${i.address} ${i.city}` }, query));

  const add = (item: VaultItem) => {
    setChosen((c) => (c.includes(item.id) || c.length >= PAPERS_PER_SENDING ? c : [...c, item.id]));
    setPanel(null);
    setError(null);
    setNotice(w.added(item.title));
    setBackToList((n) => n + 1);
  };
  const remove = (item: VaultItem) => {
    setChosen((c) => c.filter((id) => id !== item.id));
    setNotice(w.removed(item.title));
    setBackToList((n) => n + 1);
  };
  const review = () => {
    setNotice(null);
    if (papers.length === 0) return setError(w.missingPapers);
    if (!institution) return setError(w.missingInstitution);
    setError(null);
    setPanel('confirm');
  };
  const send = () =>
    act(async () => {
      if (!institution) return;
      await kiosk.call('vault.send', { documentIds: papers.map((p) => p.id), institutionId: institution.id, note: note.trim() });
      onSent(w.sent(institution.name, ...papers.map((p) => p.title)));
    });

  return (
    <section aria-labelledby="titre" class="send-papers">
      <div inert={panel !== null}>
        <Title>{w.title}</Title>
        <p class="lead">{w.help}</p>
        {offline && (
          <p class="message warning" role="status">
            {w.offline}
          </p>
        )}
        <Messages ok={notice} warning={panel === null ? error : null} />

        <h2 id="envoi-papiers" ref={papersHeading} tabIndex={-1}>
          {w.papers}
        </h2>
        <p>{w.count(papers.length, PAPERS_PER_SENDING)}</p>
        {papers.length > 0 && (
          <ul class="doc-list send-list" aria-labelledby="envoi-papiers">
            {papers.map((p) => (
              <li key={p.id} class="send-paper">
                <span class="send-paper-words">
                  <span class="doc-title">{p.title}</span>
                  {paperDateWords(p.docType, p.issuedOn) && <span class="doc-meta">{t.vault.paperDate(paperDateWords(p.docType, p.issuedOn)!)}</span>}
                  <span class="doc-meta">{t.vault.added(dateFr(p.capturedAt))}</span>
                </span>
                <button type="button" class="button secondary" aria-label={w.removeLabel(p.title)} disabled={busy} onClick={() => remove(p)}>
                  {w.remove}
                </button>
              </li>
            ))}
          </ul>
        )}
        {full ? (
          <p class="message">{w.full(PAPERS_PER_SENDING)}</p>
        ) : (
          <div class="actions left">
            <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel('pick')}>
              {papers.length === 0 ? w.addFirst : w.add}
            </button>
          </div>
        )}

        <h2 id="envoi-organisme">{w.to}</h2>
        {institutions.length > SEARCH_FROM && (
          <KeyField id="envoi-cherche" label={w.toSearch} value={query} onChange={setQuery} max={100} open={searching} onOpen={() => setSearching(true)} />
        )}
        {institutions.length === 0 ? (
          <p class="message warning">{w.toNobody}</p>
        ) : shownInstitutions.length === 0 ? (
          <p>{w.toNone}</p>
        ) : (
          <ul class="doc-list" aria-labelledby="envoi-organisme">
            {shownInstitutions.map((i) => (
              <li key={i.id}>
                <button
                  type="button"
                  class="doc-item send-to"
                  aria-pressed={to === i.id ? 'true' : 'false'}
                  disabled={busy}
                  onClick={() => {
                    setTo(i.id);
                    setSearching(false);
                    setError(null);
                  }}
                >
                  <span class="doc-title">
                    {to === i.id && <span aria-hidden="true">✓ </span>}
                    {i.name}
                  </span>
                  <span class="doc-meta">
                    {i.address}, {i.city}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}

        <h2>{w.note}</h2>
        <p class="send-note">{note ? note : w.noteNone}</p>
        <div class="actions left">
          <button
            type="button"
            class="button secondary"
            disabled={busy}
            onClick={() => {
              setDraft(note);
              setPanel('note');
            }}
          >
            {note ? w.noteChange : w.noteAdd}
          </button>
        </div>

        <ActionBar>
          <button type="button" class="button primary" disabled={busy} onClick={review}>
            {w.send}
          </button>
          <button type="button" class="button secondary" disabled={busy} onClick={onBack}>
            {w.cancel}
          </button>
        </ActionBar>
      </div>

      {panel === 'pick' && (
        <Dialog id="titre-ajout" title={w.pickTitle} onClose={() => setPanel(null)}>
          {others.length === 0 ? (
            <p>{offline ? w.offline : items.length === 0 ? w.pickEmpty : w.pickNone}</p>
          ) : (
            <ul class="doc-list">
              {others.map((it) => (
                <li key={it.id}>
                  <button type="button" class="doc-item" onClick={() => add(it)}>
                    <span class="doc-title">
                      <span class="sr-only">{w.pickAdd} </span>
                      {it.title}
                    </span>
                    {paperDateWords(it.docType, it.issuedOn) && <span class="doc-meta">{t.vault.paperDate(paperDateWords(it.docType, it.issuedOn)!)}</span>}
                    <span class="doc-meta">{t.vault.added(dateFr(it.capturedAt))}</span>
                    {it.vault === 'institutional' && <span class="doc-meta">{t.vault.institutional}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <ActionBar>
            <button type="button" class="button secondary" onClick={() => setPanel(null)}>
              {w.pickClose}
            </button>
          </ActionBar>
        </Dialog>
      )}

      {panel === 'note' && (
        <Dialog id="titre-message" title={w.noteTitle} onClose={() => setPanel(null)}>
          <KeyField id="envoi-message" labelClass="lead" label={w.noteLabel} value={draft} onChange={setDraft} multiline rows={4} text max={2000} />
          <ActionBar>
            <button
              type="button"
              class="button primary"
              onClick={() => {
                setNote(draft.trim());
                setPanel(null);
              }}
            >
              {w.noteDone}
            </button>
            <button type="button" class="button secondary" onClick={() => setPanel(null)}>
              {w.cancel}
            </button>
          </ActionBar>
        </Dialog>
      )}

      {panel === 'confirm' && institution && (
        <Dialog id="titre-confirmer" title={w.confirmTitle(papers.length, institution.name)} onClose={() => setPanel(null)}>
          <p>{w.confirmHelp(papers.length)}</p>
          <ul class="send-review">
            {papers.map((p) => (
              <li key={p.id}>{p.title}</li>
            ))}
          </ul>
          {note && (
            <p>
              <strong>{w.noteIs}</strong> {note}
            </p>
          )}
          {error && (
            <p class="message warning" role="alert">
              {error}
            </p>
          )}
          <ActionBar>
            <button type="button" class="button primary" disabled={busy} onClick={() => void send()}>
              {w.yes}
            </button>
            <button type="button" class="button secondary" disabled={busy} onClick={() => setPanel(null)}>
              {w.no}
            </button>
          </ActionBar>
        </Dialog>
      )}
    </section>
  );
}
