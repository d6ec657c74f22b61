/**
 * The base map: MapLibre GL drawing the vector tiles of the archive installed on the tablet, asked of the
 * core one by one through `window.kiosk` (`map.tile`: the renderer has no file system and no network). Our
 * own calm, high-contrast style (roads, water, parks, buildings, no labels: no glyph files); the places are
 * numbered HTML markers, the same numbers as the list, which is what screen readers read — the map itself is
 * one picture (`role="img"`) with a label. MapLibre is loaded only when the map is shown; its worker is
 * served by the app itself (`map-worker.js`, copied by `scripts/build.ts`), so the CSP needs no `blob:`.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { LngLatBoundsLike, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type * as MapLibreModule from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { MapInfo } from '../../../contract/schema.ts';
import type { LatLon, Placed } from '../../../contract/map.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';

type Ready = Extract<MapInfo['base'], { state: 'ready' }>;

const PROTOCOL = 'kiosk-tiles';
type MapLibre = typeof MapLibreModule;
let maplibre: Promise<MapLibre> | null = null;

/** MapLibre, loaded once, with its worker URL and the tile protocol that asks the core. */
function loadMapLibre(): Promise<MapLibre> {
  maplibre ??= import('maplibre-gl').then((m) => {
    m.setWorkerUrl(new URL('map-worker.js', document.baseURI).href);
    m.addProtocol(PROTOCOL, async (params) => {
      const match = /^kiosk-tiles:\/\/(\d+)\/(\d+)\/(\d+)$/.exec(params.url);
      if (!match) throw new Error('bad tile address');
      const [z, x, y] = match.slice(1).map(Number) as [number, number, number];
      const r = await kiosk.call('map.tile', { z, x, y });
      // no tile there: an empty tile draws nothing (the background shows)
      return { data: r.bytes ? r.bytes.slice().buffer : new ArrayBuffer(0) };
    });
    return m;
  });
  return maplibre;
}

/** Whether this screen can draw WebGL at all (no GPU and no software rendering: the plain plan). */
export function canDrawMap(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** Calm colours on the kiosk's warm paper; roads white with a dark edge, wider as they matter more. */
function style(base: Ready): StyleSpecification {
  const source = 'base';
  const road = (width: number[]) => ['interpolate', ['exponential', 1.6], ['zoom'], 12, width[0]!, 16, width[1]!, 19, width[2]!] as unknown as number;
  const roadFilter = (cls: string[]) => ['in', ['get', 'class'], ['literal', cls]] as unknown as boolean;
  const major = ['motorway', 'trunk', 'primary', 'secondary', 'tertiary'];
  const minor = ['minor', 'service', 'residential', 'street', 'living_street', 'unclassified', 'pedestrian'];
  return {
    version: 8,
    sources: { [source]: { type: 'vector', tiles: [`${PROTOCOL}://{z}/{x}/{y}`], minzoom: base.minZoom, maxzoom: base.maxZoom, bounds: base.bounds } },
    layers: [
      { id: 'fond', type: 'background', paint: { 'background-color': '#f6f3ec' } },
      { id: 'parcs', type: 'fill', source, 'source-layer': 'park', paint: { 'fill-color': '#d3e8c8' } },
      { id: 'verdure', type: 'fill', source, 'source-layer': 'landcover', filter: ['in', ['get', 'class'], ['literal', ['grass', 'wood', 'park']]], paint: { 'fill-color': '#d3e8c8' } },
      { id: 'eau', type: 'fill', source, 'source-layer': 'water', paint: { 'fill-color': '#a9cde6' } },
      { id: 'batiments', type: 'fill', source, 'source-layer': 'building', minzoom: 14, paint: { 'fill-color': '#ddd6ca', 'fill-outline-color': '#a59d90' } },
      { id: 'rues-bord', type: 'line', source, 'source-layer': 'transportation', filter: roadFilter(minor), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#77706a', 'line-width': road([1.5, 6, 18]) } },
      { id: 'rues', type: 'line', source, 'source-layer': 'transportation', filter: roadFilter(minor), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': road([0.5, 4, 14]) } },
      { id: 'axes-bord', type: 'line', source, 'source-layer': 'transportation', filter: roadFilter(major), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#3d3d3d', 'line-width': road([2.5, 10, 28]) } },
      { id: 'axes', type: 'line', source, 'source-layer': 'transportation', filter: roadFilter(major), layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#fff4d6', 'line-width': road([1.5, 7, 22]) } },
    ],
  };
}

function markerElement(text: string, kind: 'wanted' | 'other' | 'here' | 'selected'): HTMLElement {
  const el = document.createElement('div');
  el.className = `map-marker ${kind}`;
  el.textContent = text;
  el.setAttribute('aria-hidden', 'true');
  return el;
}

export function BaseMap({
  base,
  places,
  here,
  centre,
  selected,
  label,
  onFailed,
}: {
  base: Ready;
  /** what the picture shows, for screen readers */
  label: string;
  /** the places in list order (their number is their rank + 1) */
  places: Placed[];
  /** where the person stands, when the tablet's place is known */
  here: LatLon | null;
  centre: LatLon;
  selected: string | null;
  /** the map cannot be drawn (WebGL lost, MapLibre's failure): the screen shows the plain plan */
  onFailed: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const markers = useRef<{ remove(): void }[]>([]);
  const failed = useRef(onFailed);
  failed.current = onFailed;

  useEffect(() => {
    let cancelled = false;
    loadMapLibre().then(
      (m) => {
        if (cancelled || !box.current) return;
        try {
          const bounds: LngLatBoundsLike = [
            [base.bounds[0], base.bounds[1]],
            [base.bounds[2], base.bounds[3]],
          ];
          const created = new m.Map({
            container: box.current,
            style: style(base),
            center: [centre.lon, centre.lat],
            zoom: Math.min(Math.max(15, base.minZoom), base.maxZoom + 2),
            minZoom: base.minZoom,
            maxZoom: Math.min(base.maxZoom + 3, 19),
            maxBounds: bounds,
            // a picture, moved with the big buttons: no gestures to learn, nothing to get lost in
            interactive: false,
            attributionControl: false,
            fadeDuration: 0,
            renderWorldCopies: false,
          });
          created.getCanvas().setAttribute('aria-hidden', 'true');
          created.getCanvas().removeAttribute('tabindex');
          let loaded = false;
          created.on('load', () => {
            loaded = true;
            box.current?.setAttribute('data-map-ready', 'true');
          });
          created.on('error', (e) => {
            // a tile the core cannot read leaves a hole; the map failing to start is the plain plan
            if (!loaded && !/tile/i.test(e.error?.message ?? '')) failed.current();
          });
          created.on('idle', () => box.current?.setAttribute('data-map-idle', 'true'));
          map.current = created;
        } catch {
          failed.current();
        }
      },
      () => failed.current(),
    );
    return () => {
      cancelled = true;
      markers.current.forEach((mk) => mk.remove());
      map.current?.remove();
      map.current = null;
    };
  }, []);

  // the markers follow the list (filter, selection); the view fits the wanted places and where the person stands
  useEffect(() => {
    let cancelled = false;
    void loadMapLibre().then((m) => {
      const current = map.current;
      if (cancelled || !current) return;
      markers.current.forEach((mk) => mk.remove());
      markers.current = [];
      const add = (el: HTMLElement, at: LatLon) => markers.current.push(new m.Marker({ element: el }).setLngLat([at.lon, at.lat]).addTo(current));
      if (here) add(markerElement('', 'here'), here);
      places.forEach((p, i) => {
        if (p.metres === null && !(typeof p.place.lat === 'number' && typeof p.place.lon === 'number')) return;
        const kind = p.place.id === selected ? 'selected' : p.wanted ? 'wanted' : 'other';
        add(markerElement(String(i + 1), kind), { lat: p.place.lat!, lon: p.place.lon! });
      });
      const chosen = places.find((p) => p.place.id === selected);
      if (chosen && typeof chosen.place.lat === 'number' && typeof chosen.place.lon === 'number') {
        current.easeTo({ center: [chosen.place.lon, chosen.place.lat], zoom: Math.max(current.getZoom(), 16), duration: 0 });
        return;
      }
      const shown = places.filter((p) => p.wanted && typeof p.place.lat === 'number' && typeof p.place.lon === 'number').slice(0, 5);
      const points = [...shown.map((p) => [p.place.lon!, p.place.lat!] as [number, number]), ...(here ? [[here.lon, here.lat] as [number, number]] : [])];
      if (points.length >= 2) {
        const lons = points.map((p) => p[0]);
        const lats = points.map((p) => p[1]);
        current.fitBounds(
          [
            [Math.min(...lons), Math.min(...lats)],
            [Math.max(...lons), Math.max(...lats)],
          ],
          { padding: 60, maxZoom: 17, duration: 0 },
        );
      } else if (points.length === 1) {
        current.jumpTo({ center: points[0]!, zoom: 16 });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [places, selected, here]);

  const zoom = (by: number) => map.current?.easeTo({ zoom: map.current.getZoom() + by, duration: 0 });
  return (
    <div class="base-map">
      <div ref={box} class="base-map-canvas" role="img" aria-label={label} />
      <div class="map-zoom">
        <button type="button" class="button secondary" onClick={() => zoom(1)}>
          {t.map.closer}
        </button>
        <button type="button" class="button secondary" onClick={() => zoom(-1)}>
          {t.map.farther}
        </button>
      </div>
    </div>
  );
}
