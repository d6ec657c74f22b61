/**
 * « La carte des lieux »: the institutions near the tablet, filtered by the paper the person looks for (who
 * gives it), by their requests under way (who handles each), or by the commune they live in (the offices that
 * serve it: where to go from home, found in the tablet's own table of communes), on the base map installed on the tablet —
 * or the plain plan when there is none, it cannot be read, or the screen cannot draw WebGL — with the list
 * beside it: name, address, how far and which way, opening hours today and the week, phone. The list is what
 * screen readers read; the map is one labelled picture. « Imprimer le plan » prints the places and a plan.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { InstitutionItem, MapInfo } from '../../../contract/schema.ts';
import { centreOf, placesFrom, servesCommune, weekGroups } from '../../../contract/map.ts';
import type { CommuneRef, LatLon, Placed } from '../../../contract/map.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { ActionBar, Title, errorText } from '../components/screen.tsx';
import { Messages } from '../components/messages.tsx';
import { Plan } from '../components/plan.tsx';
import { printedText } from './aids/common.tsx';
import { BaseMap, canDrawMap } from './map-view.tsx';
import { kindsSaid, placeLines, weekLine } from './map-lines.ts';
import type { Paper, Request } from './map-lines.ts';

type Filter = { by: 'all' } | { by: 'paper'; docType: string | null } | { by: 'requests' } | { by: 'commune'; commune: CommuneRef | null };

export function MapScreen({
  onBack,
  person,
  canPrint = true,
}: {
  onBack: () => void;
  /** the filter by requests reads the person's (none: an agent alone, or no card) */
  person: boolean;
  /** the kiosk's printer serves a session: not without a card */
  canPrint?: boolean;
}) {
  const [info, setInfo] = useState<MapInfo | null>(null);
  const [list, setList] = useState<InstitutionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>({ by: 'all' });
  const [requests, setRequests] = useState<Request[] | 'offline' | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [drawFailed, setDrawFailed] = useState(false);
  const [printing, setPrinting] = useState(false);
  const [printed, setPrinted] = useState<string | null>(null);
  const [printError, setPrintError] = useState<string | null>(null);
  const webgl = useMemo(() => canDrawMap(), []);

  useEffect(() => {
    kiosk.call('map.info', {}).then(setInfo, (e: unknown) => setError(errorText(e)));
    kiosk.call('institutions.list', {}).then((r) => setList(r.institutions), (e: unknown) => setError(errorText(e)));
  }, []);

  // the requests are read when asked for: who handles each aid comes from the catalogue (kept on the tablet)
  useEffect(() => {
    if (filter.by !== 'requests' || requests !== null || !person) return;
    Promise.all([kiosk.call('applications.list', {}), kiosk.call('aids.catalogue', {})]).then(
      ([mine, catalogue]) => {
        const byAid = new Map(catalogue.aids.map((a) => [a.id, a]));
        const ongoing = mine.dossiers.flatMap((d) => d.aids).filter((a) => !['accepted', 'refused', 'closed'].includes(a.state));
        const seen = new Set<string>();
        setRequests(
          ongoing.flatMap((a) => {
            const aid = byAid.get(a.aidId);
            if (!aid || seen.has(`${a.aidId} ${a.officeId}`)) return [];
            seen.add(`${a.aidId} ${a.officeId}`);
            return [{ aid: a.aidName, kind: aid.institutionKind, by: aid.institutionName, officeId: a.officeId }];
          }),
        );
      },
      () => setRequests('offline'),
    );
  }, [filter.by, person]);

  const place = info?.place ?? null;
  const here: LatLon | null = place ? { lat: place.lat, lon: place.lon } : null;
  const paper = filter.by === 'paper' ? (info?.papers.find((p) => p.docType === filter.docType) ?? null) : null;
  const kinds = useMemo((): Set<string> | null => {
    if (filter.by === 'paper') return paper ? new Set(paper.issuerKinds) : null;
    // a request sent names its office: that one, not every office of its kind
    if (filter.by === 'requests') return Array.isArray(requests) && requests.length > 0 ? new Set(requests.filter((r) => r.officeId === null).map((r) => r.kind)) : null;
    // a commune chosen: no kind as such, the offices serving it (below)
    if (filter.by === 'commune') return filter.commune ? new Set<string>() : null;
    return null;
  }, [filter, paper, requests]);
  const offices = useMemo(() => {
    if (filter.by === 'requests' && Array.isArray(requests)) return new Set(requests.flatMap((r) => (r.officeId === null ? [] : [r.officeId])));
    const commune = filter.by === 'commune' ? filter.commune : null;
    if (commune && list) return new Set(list.filter((p) => servesCommune(p, commune)).map((p) => p.id));
    return new Set<string>();
  }, [filter, requests, list]);
  const placed = useMemo(() => (list ? placesFrom(list, here, kinds, offices) : []), [list, here?.lat, here?.lon, kinds, offices]);
  const centre = here ?? (list ? centreOf(list) : null);
  const wantedCount = placed.filter((p) => p.wanted).length;
  const located = placed.filter((p) => typeof p.place.lat === 'number' && typeof p.place.lon === 'number');
  const hereLabel = place?.label ?? t.map.hereDefault;

  const base = info?.base;
  const mapNote =
    base?.state === 'broken' ? base.message : base?.state === 'none' ? t.map.noBaseMap : !webgl ? t.map.noWebgl : drawFailed ? t.map.baseMapFailed : null;
  const showBaseMap = base?.state === 'ready' && webgl && !drawFailed && centre !== null;

  async function print() {
    setPrinting(true);
    setPrinted(null);
    setPrintError(null);
    try {
      const r = await kiosk.call('map.print', {
        heading: paper
          ? t.map.printHeadingPaper(paper.title)
          : filter.by === 'requests' && kinds
            ? t.map.printHeadingRequests
            : filter.by === 'commune' && filter.commune
              ? t.map.printHeadingCommune(filter.commune.name)
              : t.map.printHeading,
        from: here ? { lat: here.lat, lon: here.lon, label: hereLabel } : null,
        places: placed.slice(0, 30).map((p, i) => ({
          n: i + 1,
          name: p.place.name,
          lat: p.place.lat ?? null,
          lon: p.place.lon ?? null,
          wanted: kinds !== null && p.wanted,
          lines: placeLines(p, Array.isArray(requests) ? requests : [], paper),
        })),
      });
      setPrinted(printedText(r));
    } catch (e) {
      setPrintError(errorText(e));
    } finally {
      setPrinting(false);
    }
  }

  return (
    <section aria-labelledby="titre" class="map-screen">
      <Title>{t.map.title}</Title>
      <p class="lead">{t.map.lead}</p>
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {(info === null || list === null) && !error && <p aria-busy="true">{t.map.loading}</p>}
      {info && list && (
        <>
          <Filters info={info} filter={filter} onFilter={(f) => (setFilter(f), setSelected(null))} person={person} />
          <FilterSaid filter={filter} paper={paper} requests={requests} wanted={wantedCount} />
          <div class="map-layout">
            <div class="map-side">
              {mapNote && <p class="muted map-note">{mapNote}</p>}
              {showBaseMap ? (
                <BaseMap
                  base={base}
                  places={placed}
                  here={here}
                  centre={centre}
                  selected={selected}
                  label={t.map.mapLabel(located.length, here ? t.map.hereMarker.toLowerCase() : null)}
                  onFailed={() => setDrawFailed(true)}
                />
              ) : (
                located.length > 0 && (
                  <Plan
                    places={located.map((p) => p.place)}
                    numbers={placed.map((p) => p.place)}
                    highlight={new Set(placed.filter((p) => p.wanted && kinds !== null).map((p) => p.place.id))}
                    here={here}
                  />
                )
              )}
              {showBaseMap && base.attribution && <p class="muted map-credit">{t.map.credit(base.attribution)}</p>}
            </div>
            <div class="map-list">
              <h2>{here ? t.map.listTitle : t.map.listTitleNoPlace}</h2>
              <ol class="map-places">
                {placed.map((p, i) => (
                  <PlaceItem
                    key={p.place.id}
                    n={i + 1}
                    placed={p}
                    lines={placeLines(p, Array.isArray(requests) ? requests : [], paper)}
                    strong={kinds !== null && p.wanted}
                    firstOther={kinds !== null && !p.wanted && (i === 0 || placed[i - 1]!.wanted)}
                    canShow={showBaseMap && typeof p.place.lat === 'number'}
                    selected={selected === p.place.id}
                    onShow={() => setSelected(p.place.id)}
                  />
                ))}
              </ol>
            </div>
          </div>
        </>
      )}
      <Messages ok={printed} warning={printError} />
      <ActionBar>
        {canPrint && list && placed.length > 0 && (
          <button type="button" class="button primary" disabled={printing} onClick={() => void print()}>
            {t.map.print}
          </button>
        )}
        <button type="button" class="button secondary" onClick={onBack}>
          {t.map.back}
        </button>
      </ActionBar>
    </section>
  );
}

function Filters({ info, filter, onFilter, person }: { info: MapInfo; filter: Filter; onFilter: (f: Filter) => void; person: boolean }) {
  return (
    <div class="map-filters">
      <div class="segmented" role="group" aria-label={t.map.show}>
        <button type="button" aria-pressed={filter.by === 'all'} onClick={() => onFilter({ by: 'all' })}>
          {t.map.all}
        </button>
        {info.papers.length > 0 && (
          <button type="button" aria-pressed={filter.by === 'paper'} onClick={() => onFilter({ by: 'paper', docType: filter.by === 'paper' ? filter.docType : null })}>
            {t.map.paper}
          </button>
        )}
        {person && (
          <button type="button" aria-pressed={filter.by === 'requests'} onClick={() => onFilter({ by: 'requests' })}>
            {t.map.requests}
          </button>
        )}
        <button type="button" aria-pressed={filter.by === 'commune'} onClick={() => onFilter({ by: 'commune', commune: filter.by === 'commune' ? filter.commune : null })}>
          {t.map.commune}
        </button>
      </div>
      {filter.by === 'commune' && <CommuneChoice chosen={filter.commune} onChoose={(commune) => onFilter({ by: 'commune', commune })} />}
      {filter.by === 'paper' && (
        <div class="map-papers" role="group" aria-label={t.map.whichPaper}>
          <p class="map-question">{t.map.whichPaper}</p>
          {info.papers.map((p) => (
            <button key={p.docType} type="button" class="button secondary" aria-pressed={filter.docType === p.docType} onClick={() => onFilter({ by: 'paper', docType: p.docType })}>
              {p.title}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * « Pour ma commune »: the person types their commune's name or postcode; the tablet's own table of communes
 * answers (no server asked), and the one they touch is chosen. Chosen, it is said, with a way to change it.
 */
function CommuneChoice({ chosen, onChoose }: { chosen: CommuneRef | null; onChoose: (c: CommuneRef | null) => void }) {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<CommuneRef[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (chosen || q.length < 2) {
      setHits(null);
      return;
    }
    let gone = false;
    kiosk.call('aids.communes', { query: q }).then(
      (r) => !gone && (setHits(r.communes.slice(0, 6)), setProblem(null)),
      (e: unknown) => !gone && setProblem(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [query, chosen]);

  if (chosen) {
    return (
      <div class="map-commune">
        <p class="map-question">{t.map.communeChosen(t.map.communeOption(chosen.name, chosen.postcodes))}</p>
        <button type="button" class="button secondary" onClick={() => (setQuery(''), onChoose(null))}>
          {t.map.communeChange}
        </button>
      </div>
    );
  }
  return (
    <div class="map-commune">
      <label class="map-question" for="map-commune-query">
        {t.map.communeQuestion}
      </label>
      <input id="map-commune-query" type="text" inputMode="text" autoComplete="off" value={query} maxLength={60} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      {problem && <p class="message warning">{problem}</p>}
      {hits !== null && hits.length === 0 && <p class="muted">{t.map.communeUnknown}</p>}
      {hits !== null && hits.length > 0 && (
        <div class="map-papers" role="group" aria-label={t.map.communePick}>
          {hits.map((c) => (
            <button key={c.code} type="button" class="button secondary" onClick={() => onChoose(c)}>
              {t.map.communeOption(c.name, c.postcodes)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** What the filter did, in one or two sentences (read out when it changes). */
function FilterSaid({ filter, paper, requests, wanted }: { filter: Filter; paper: Paper | null; requests: Request[] | 'offline' | null; wanted: number }) {
  let said: string[] = [];
  if (filter.by === 'paper' && paper) said = [t.map.paperGivenBy(paper.title, kindsSaid(paper.issuerKinds))];
  if (filter.by === 'requests') {
    if (requests === 'offline') said = [t.map.requestsOffline];
    else if (Array.isArray(requests)) said = requests.length === 0 ? [t.map.noRequests] : [t.map.whichRequest, ...requests.map((r) => t.map.requestHandledBy(r.aid, r.by))];
  }
  if (filter.by === 'commune' && filter.commune && wanted > 0) said = [t.map.communeServed(filter.commune.name, wanted)];
  const none = (filter.by === 'paper' && paper) || (filter.by === 'requests' && Array.isArray(requests) && requests.length > 0) ? wanted === 0 : false;
  const noneForCommune = filter.by === 'commune' && filter.commune !== null && wanted === 0;
  return (
    <div class="map-said" role="status" aria-live="polite">
      {said.map((s) => (
        <p key={s}>{s}</p>
      ))}
      {none && <p class="message warning">{t.map.noneNear}</p>}
      {noneForCommune && filter.commune && <p class="message warning">{t.map.communeNone(filter.commune.name)}</p>}
    </div>
  );
}


function PlaceItem({
  n,
  placed,
  lines,
  strong,
  firstOther,
  canShow,
  selected,
  onShow,
}: {
  n: number;
  placed: Placed;
  lines: string[];
  strong: boolean;
  firstOther: boolean;
  canShow: boolean;
  selected: boolean;
  onShow: () => void;
}) {
  const p = placed.place;
  const week = p.hours ? weekGroups(p.hours) : [];
  return (
    <>
      {firstOther && (
        <li class="map-others" aria-hidden="true">
          {t.map.othersTitle}
        </li>
      )}
      <li value={n} class={`map-place${strong ? ' strong' : ''}${selected ? ' selected' : ''}`}>
        <span class="map-number" aria-hidden="true">
          {n}
        </span>
        <div>
          <h3 class="doc-title">{p.name}</h3>
          {lines.map((l) => (
            <p key={l} class="doc-meta">
              {l}
            </p>
          ))}
          {week.length > 0 && (
            <details class="map-week">
              <summary>{t.map.week}</summary>
              <ul>
                {week.map((g) => (
                  <li key={g.from}>
                    {weekLine(g)}
                  </li>
                ))}
              </ul>
              {p.hoursNote && <p>{p.hoursNote}</p>}
            </details>
          )}
          {canShow && (
            <button type="button" class="button secondary small" aria-pressed={selected} onClick={onShow}>
              {t.map.showOnMapShort}
              <span class="sr-only">{t.map.showOnMapOf(p.name)}</span>
            </button>
          )}
        </div>
      </li>
    </>
  );
}
