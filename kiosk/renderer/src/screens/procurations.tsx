/**
 * The procuration numérique on screen: made by the person and the agent together (both cards in the box,
 * each signs with their own code), read and withdrawn by the person (« Qui peut agir pour moi ? »), and
 * the agent's list of the people who gave them one.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Result } from '../../../contract/schema.ts';
import { addMonths } from '../../../contract/index.ts';
import { Confirm } from '../components/dialog.tsx';
import { KeyField } from '../components/keyboard.tsx';
import { Messages } from '../components/messages.tsx';
import { ActionBar, Problem, Title, errorText, useAct } from '../components/screen.tsx';
import { dateFr, parisDay } from '../format.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { PinEntry } from './pin.tsx';
import { printedText } from './aids/common.tsx';

type Mine = Result<'procuration.mine'>['procurations'][number];
type Person = Result<'procuration.caseload'>['people'][number];
type Hit = Result<'procuration.search'>['hits'][number];

/** A list read from the core when the screen opens, and again when `again` changes: the list, or why not. */
function useLoaded<T>(load: () => Promise<T>, again = 0): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    load().then(setValue, (e: unknown) => setError(errorText(e)));
  }, [again]);
  return { value, error };
}

/** Still loading, or the problem in words with the way back. */
function NotLoaded({ title, error, onBack }: { title: string; error: string | null; onBack: () => void }) {
  if (!error) return <p aria-busy="true">{t.vault.loading}</p>;
  return (
    <section aria-labelledby="titre">
      <Title>{title}</Title>
      <Problem message={error} onBack={onBack} backLabel={t.procuration.back} />
    </section>
  );
}

export function WhoCanAct({ onBack }: { onBack: () => void }) {
  const [attempt, setAttempt] = useState(0);
  const [asked, setAsked] = useState<Mine | null>(null);
  const { busy, error, notice, act } = useAct();
  const loaded = useLoaded(async () => (await kiosk.call('procuration.mine', {})).procurations, attempt);
  const items = loaded.value;
  if (!items) return <NotLoaded title={t.procuration.mineTitle} error={loaded.error} onBack={onBack} />;
  const shown = items.filter((p) => p.state === 'in-force' || p.state === 'not-yet');
  return (
    <section aria-labelledby="titre">
      <div inert={asked !== null}>
        <Title>{t.procuration.mineTitle}</Title>
        <p class="lead">{t.procuration.mineHelp}</p>
        <Messages ok={notice} warning={error} />
        {shown.length === 0 ? (
          <p class="panel">{t.procuration.none}</p>
        ) : (
          <ul class="plain procurations">
            {shown.map((p) => (
              <li key={p.id} class="procuration">
                <h2>{t.procuration.agentOf(p.agent.name, p.structure.name)}</h2>
                <p>
                  <span class="badge status-present">{p.stateLabel}</span> {t.procuration.until(dateFr(p.until))}
                </p>
                {/* withdrawing is the first thing in reach: two taps, wherever the list ends */}
                <div class="actions left">
                  <button type="button" class="button danger" disabled={busy} onClick={() => setAsked(p)}>
                    {t.procuration.revoke}
                  </button>
                  <button
                    type="button"
                    class="button secondary"
                    disabled={busy}
                    onClick={() => void act(async () => printedText(await kiosk.call('procuration.print', { procurationId: p.id })))}
                  >
                    {t.procuration.print}
                  </button>
                </div>
                <p>
                  <strong>{t.procuration.can}</strong> {p.actionsWords.join(', ')}.
                </p>
                <p>
                  <strong>{t.procuration.papers}</strong> {p.categoriesWords.join(', ')}.
                </p>
                <p>
                  <strong>{t.procuration.aids}</strong> {p.aidsWords.join(', ')}.
                </p>
                <p>{t.procuration.acts(p.acts.count)}</p>
                {p.acts.last.length > 0 && (
                  <ul class="journal">
                    {p.acts.last.map((a, i) => (
                      <li key={i}>
                        <span class="doc-meta">{dateFr(a.at)}</span> {a.what}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
        <ActionBar>
          <button type="button" class="button secondary" onClick={onBack}>
            {t.procuration.back}
          </button>
        </ActionBar>
      </div>
      {asked && (
        <Confirm
          titleId="titre-retirer"
          helpId="aide-retirer"
          title={t.procuration.revokeTitle(asked.agent.name)}
          help={t.procuration.revokeHelp}
          yes={t.procuration.revokeYes}
          no={t.procuration.revokeNo}
          busy={busy}
          onYes={() =>
            void act(async () => {
              await kiosk.call('procuration.revoke', { procurationId: asked.id });
              setAsked(null);
              setAttempt((a) => a + 1);
              return t.procuration.revoked;
            }).then(() => setAsked(null))
          }
          onNo={() => setAsked(null)}
        />
      )}
    </section>
  );
}

const ACTIONS = ['consult', 'scan-for', 'adapt-checklist', 'file', 'send-without-me', 'write-in-my-name'] as const;
const CATEGORIES = ['identity', 'income', 'bank', 'housing', 'family', 'health', 'other'] as const;
const LENGTHS = ['day', 'month', 'quarter', 'half', 'year'] as const;
type Length = (typeof LENGTHS)[number];

/** The last day of a procuration made today for this long (both days counted). */
function untilFor(from: string, length: Length): string {
  if (length === 'day') return from;
  const months = { month: 1, quarter: 3, half: 6, year: 12 }[length];
  const end = new Date(`${addMonths(from, months)}T12:00:00Z`);
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

/** Pressed choices: several may be chosen; none is chosen for the person. */
function Choices<K extends string>({ id, title, options, words, chosen, onToggle }: { id: string; title: string; options: readonly K[]; words: Record<string, string>; chosen: ReadonlySet<K>; onToggle: (k: K) => void }) {
  return (
    <fieldset class="kinds" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div class="holder-choices">
        {options.map((k) => (
          <button type="button" key={k} class="button secondary" aria-pressed={chosen.has(k) ? 'true' : 'false'} onClick={() => onToggle(k)}>
            {chosen.has(k) ? '✓ ' : ''}
            {words[k]}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

const toggled = <K,>(set: ReadonlySet<K>, k: K): Set<K> => {
  const next = new Set(set);
  if (next.has(k)) next.delete(k);
  else next.add(k);
  return next;
};

export function MakeProcuration({ person, agent, onDone }: { person: string; agent: string; onDone: () => void }) {
  const [actions, setActions] = useState<ReadonlySet<(typeof ACTIONS)[number]>>(new Set());
  const [categories, setCategories] = useState<ReadonlySet<(typeof CATEGORIES)[number]>>(new Set());
  const [aids, setAids] = useState<ReadonlySet<string>>(new Set());
  const [allAids, setAllAids] = useState<boolean | null>(null);
  const [catalogue, setCatalogue] = useState<{ id: string; name: string }[]>([]);
  const [length, setLength] = useState<Length | null>(null);
  const [step, setStep] = useState<'choose' | 'person' | 'agent' | 'made'>('choose');
  const [personPin, setPersonPin] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [made, setMade] = useState<{ id: string; until: string } | null>(null);
  const { busy, error, notice, act, setError } = useAct();
  // the one the person already gave this agent, still running: renewed with the same choices, not started over
  const [current, setCurrent] = useState<Mine | null>(null);
  const [renews, setRenews] = useState<string | null>(null);
  useEffect(() => {
    kiosk.call('aids.catalogue', {}).then(
      (r) => setCatalogue(r.aids.map((a) => ({ id: a.id, name: a.name }))),
      () => setCatalogue([]),
    );
    kiosk.call('procuration.renewable', {}).then(
      (r) => setCurrent(r.procuration),
      () => setCurrent(null),
    );
  }, []);
  const renew = (p: Mine) => {
    setActions(new Set(p.scope.actions));
    setCategories(new Set(p.scope.categories));
    const every = p.scope.aids.includes('*');
    setAllAids(every);
    setAids(new Set(every ? [] : p.scope.aids));
    setRenews(p.id);
  };
  const from = parisDay();
  const ready = actions.size > 0 && categories.size > 0 && length !== null && (allAids === true || (allAids === false && aids.size > 0));

  async function sign(agentPin: string) {
    if (!length) return;
    setMessage(null);
    try {
      const r = await kiosk.call('procuration.make', {
        scope: { aids: allAids ? ['*'] : [...aids], categories: [...categories], actions: [...actions] },
        from,
        until: untilFor(from, length),
        renews,
        personPin,
        agentPin,
      });
      if (r.outcome === 'made') {
        setMade({ id: r.id, until: r.until });
        setStep('made');
      } else if (r.outcome === 'wrong') {
        setMessage(t.procuration.wrong(r.triesLeft));
        // the person's signature is kept for a while: only the one who typed wrong types again
        setStep(r.who === 'person' ? 'person' : 'agent');
      } else {
        setMessage(t.procuration.blocked);
        setStep('choose');
      }
    } catch (e) {
      setError(errorText(e));
      setStep('choose');
    }
  }

  if (step === 'person') {
    return (
      <PinEntry
        id="titre-signe-personne"
        level={1}
        title={t.procuration.personSigns(person)}
        lead={t.procuration.makeTitle(person)}
        message={message}
        onSubmit={async (pin) => {
          setPersonPin(pin);
          setMessage(null);
          setStep('agent');
        }}
      />
    );
  }
  if (step === 'agent') {
    return <PinEntry id="titre-signe-agent" level={1} title={t.procuration.agentSigns(agent)} lead={t.procuration.makeTitle(person)} message={message} onSubmit={sign} />;
  }
  if (step === 'made' && made) {
    return (
      <section class="center" aria-labelledby="titre">
        <div class="tick" aria-hidden="true">
          ✓
        </div>
        <Title>{t.procuration.made}</Title>
        <p class="lead">{t.procuration.madeHelp(agent, dateFr(made.until))}</p>
        <Messages ok={notice} warning={error} />
        <ActionBar>
          <button type="button" class="button primary" disabled={busy} onClick={() => void act(async () => printedText(await kiosk.call('procuration.print', { procurationId: made.id })))}>
            {t.procuration.print}
          </button>
          <button type="button" class="button secondary" onClick={onDone}>
            {t.procuration.finish}
          </button>
        </ActionBar>
      </section>
    );
  }
  return (
    <section aria-labelledby="titre">
      <Title>{t.procuration.makeTitle(person)}</Title>
      <p class="lead">{t.procuration.makeHelp(person, agent)}</p>
      <Messages ok={null} warning={error ?? message} />
      {current && (
        <div class="panel" role="group" aria-labelledby="titre-renouveler">
          <h2 id="titre-renouveler">{t.procuration.currentTitle(dateFr(current.until))}</h2>
          {renews === current.id ? (
            <p>{t.procuration.renewing}</p>
          ) : (
            <>
              <p>{t.procuration.renewHelp}</p>
              <button type="button" class="button secondary" onClick={() => renew(current)}>
                {t.procuration.renew}
              </button>
            </>
          )}
        </div>
      )}
      <Choices id="titre-quoi" title={t.procuration.whatTitle} options={ACTIONS} words={t.procuration.actions} chosen={actions} onToggle={(k) => setActions((s) => toggled(s, k))} />
      <Choices id="titre-papiers" title={t.procuration.papersTitle} options={CATEGORIES} words={t.procuration.categories} chosen={categories} onToggle={(k) => setCategories((s) => toggled(s, k))} />
      <fieldset class="kinds" aria-labelledby="titre-demarches">
        <h2 id="titre-demarches">{t.procuration.aidsTitle}</h2>
        <div class="holder-choices">
          <button type="button" class="button secondary" aria-pressed={allAids === true ? 'true' : 'false'} onClick={() => setAllAids(true)}>
            {allAids === true ? '✓ ' : ''}
            {t.procuration.allAids}
          </button>
          <button type="button" class="button secondary" aria-pressed={allAids === false ? 'true' : 'false'} onClick={() => setAllAids(false)}>
            {allAids === false ? '✓ ' : ''}
            {t.procuration.someAids}
          </button>
        </div>
        {allAids === false && (
          <div class="holder-choices">
            {catalogue.map((a) => (
              <button type="button" key={a.id} class="button secondary" aria-pressed={aids.has(a.id) ? 'true' : 'false'} onClick={() => setAids((s) => toggled(s, a.id))}>
                {aids.has(a.id) ? '✓ ' : ''}
                {a.name}
              </button>
            ))}
          </div>
        )}
      </fieldset>
      <fieldset class="kinds" aria-labelledby="titre-duree">
        <h2 id="titre-duree">{t.procuration.howLongTitle}</h2>
        <div class="holder-choices">
          {LENGTHS.map((l) => (
            <button type="button" key={l} class="button secondary" aria-pressed={length === l ? 'true' : 'false'} onClick={() => setLength(l)}>
              {length === l ? '✓ ' : ''}
              {t.procuration.lengths[l]}
            </button>
          ))}
        </div>
        {length && <p>{t.procuration.until(dateFr(untilFor(from, length)))}</p>}
      </fieldset>
      {!ready && <p class="muted">{t.procuration.chooseFirst}</p>}
      <ActionBar>
        <button
          type="button"
          class="button primary"
          disabled={!ready || busy}
          onClick={() => {
            setMessage(null);
            setStep('person');
          }}
        >
          {t.procuration.toSign}
        </button>
        <button type="button" class="button secondary" onClick={onDone}>
          {t.procuration.cancel}
        </button>
      </ActionBar>
    </section>
  );
}

/**
 * The agent's people; a tap opens one person's papers and requests, on the procuration they signed (the
 * home screen then works for them). A search looks through all their papers at once, within what each
 * allows; a paper found opens for its person.
 */
export function Caseload({ onActing, onOpenPaper, onBack }: { onActing: () => void; onOpenPaper: (documentId: string, procurationId: string, firstName: string) => void; onBack: () => void }) {
  const loaded = useLoaded<Person[]>(async () => (await kiosk.call('procuration.caseload', {})).people);
  const { busy, error, act } = useAct();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const people = loaded.value;
  if (!people) return <NotLoaded title={t.procuration.caseloadTitle} error={loaded.error} onBack={onBack} />;
  const actFor = (procurationId: string, then: () => void) =>
    void act(async () => {
      await kiosk.call('procuration.act', { procurationId });
      then();
      return null;
    });
  return (
    <section aria-labelledby="titre">
      <Title>{t.procuration.caseloadTitle}</Title>
      <Messages ok={null} warning={error} />
      {people.length > 0 && (
        <div class="search">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const q = query.trim();
              if (q) void act(async () => setHits((await kiosk.call('procuration.search', { query: q })).hits));
            }}
          >
            <KeyField id="recherche-personnes" label={t.procuration.searchLabel} value={query} onChange={setQuery} max={100} />
            <p class="muted">{t.procuration.searchHelp}</p>
            <div class="search-row">
              <button type="submit" class="button primary" disabled={busy || query.trim() === ''}>
                {t.vault.search}
              </button>
              {hits && (
                <button
                  type="button"
                  class="button secondary"
                  onClick={() => {
                    setHits(null);
                    setQuery('');
                  }}
                >
                  {t.vault.clear}
                </button>
              )}
            </div>
          </form>
          {hits && (
            <>
              <p role="status" aria-live="polite">
                {t.vault.searchResults(hits.length)}
              </p>
              <ul class="doc-list">
                {hits.map((h) => (
                  <li key={h.documentId}>
                    <button type="button" class="doc-item" disabled={busy} onClick={() => actFor(h.procurationId, () => onOpenPaper(h.documentId, h.procurationId, h.person.firstName))}>
                      <span class="doc-title">{h.title}</span>
                      <span class="doc-meta">{t.procuration.paperOf(`${h.person.firstName} ${h.person.lastName}`)}</span>
                      <span class="doc-meta">{t.vault.added(dateFr(h.updatedAt))}</span>
                      {h.snippet && <span class="doc-meta">{h.snippet}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {people.length === 0 ? (
        <p class="panel">{t.procuration.caseloadNone}</p>
      ) : (
        <ul class="plain procurations">
          {people.map((p) => (
            <li key={p.procurationId} class="procuration">
              <h2>
                {p.firstName} {p.lastName}
              </h2>
              <p class="doc-meta">{p.personIdentifier}</p>
              <p>{t.procuration.caseloadUntil(dateFr(p.until))}</p>
              <p>
                <strong>{t.procuration.can}</strong> {p.actions.map((a) => t.procuration.actionsOfPerson[a]).join(', ')}.
              </p>
              <p>
                <strong>{t.procuration.papers}</strong> {p.categories.map((c) => t.procuration.categories[c]).join(', ')}.
              </p>
              <div class="actions left">
                <button type="button" class="button primary" disabled={busy} onClick={() => actFor(p.procurationId, onActing)}>
                  {t.procuration.actFor(`${p.firstName} ${p.lastName}`)}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <ActionBar>
        <button type="button" class="button secondary" onClick={onBack}>
          {t.procuration.back}
        </button>
      </ActionBar>
    </section>
  );
}
