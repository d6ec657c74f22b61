/**
 * The plain plan of the places: each a numbered dot where it is, north up; no streets, no tiles. Where to get
 * a missing piece shows it, and the map of institutions when the tablet has no base map (or no WebGL).
 */
import type { InstitutionItem } from '../../../contract/schema.ts';
import { t } from '../texts.ts';

/** A plain plan: each place a numbered dot where it is, north up; no streets, no tiles. */
export function Plan({
  places,
  numbers,
  highlight,
  here = null,
}: {
  places: InstitutionItem[];
  numbers: InstitutionItem[];
  highlight: Set<string>;
  /** where the person stands (the tablet), drawn as a black square */
  here?: { lat: number; lon: number } | null;
}) {
  const W = 420;
  const H = 300;
  const pad = 30;
  const lats = [...places.map((p) => p.lat!), ...(here ? [here.lat] : [])];
  const lons = [...places.map((p) => p.lon!), ...(here ? [here.lon] : [])];
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 1e-6);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 1e-6);
  const scale = Math.min((W - 2 * pad) / spanX, (H - 2 * pad) / spanY);
  const x = (lon: number) => pad + (lon - Math.min(...lons)) * kx * scale + (W - 2 * pad - spanX * scale) / 2;
  const y = (lat: number) => pad + (Math.max(...lats) - lat) * scale + (H - 2 * pad - spanY * scale) / 2;
  return (
    <figure class="plan">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t.where.plan}>
        <title>{t.where.plan}</title>
        <rect x="1" y="1" width={W - 2} height={H - 2} rx="10" fill="#ffffff" stroke="#8a8a8a" stroke-width="2" />
        <text x={W - 16} y="26" text-anchor="end" font-size="16" fill="#3d3d3d">
          N ↑
        </text>
        {here && (
          <g>
            <rect x={x(here.lon) - 9} y={y(here.lat) - 9} width="18" height="18" fill="#1b1b1b" stroke="#ffffff" stroke-width="3" />
            <text x={x(here.lon) + 14} y={y(here.lat) + 6} font-size="15" font-weight="700" fill="#1b1b1b">
              {t.map.hereShort}
            </text>
          </g>
        )}
        {places.map((p) => {
          const on = highlight.has(p.id);
          return (
            <g key={p.id}>
              <circle cx={x(p.lon!)} cy={y(p.lat!)} r={on ? 16 : 12} fill={on ? '#0b5d61' : '#ffffff'} stroke="#07464a" stroke-width="3" />
              <text x={x(p.lon!)} y={y(p.lat!) + 6} text-anchor="middle" font-size="16" font-weight="700" fill={on ? '#ffffff' : '#1b1b1b'}>
                {numbers.indexOf(p) + 1}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">{t.where.planHelp}</figcaption>
    </figure>
  );
}
