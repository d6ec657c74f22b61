/**
 * « Imprimer le plan »: an A4 page with a plain drawn plan (north up, the places as numbered dots, where the
 * person stands, a scale) and the list of the places with the lines the screen showed (address, distance,
 * hours, phone). Laid out with the server's PDF kit, like every printout of the kiosk; nothing of it is kept.
 */
import { dateFr } from '../../../sync-server/protocol/format.ts';
import { COLUMN, MARGIN, PageWriter, THEME, startPdf, wordmark } from '../../../sync-server/protocol/print/pdf-kit.ts';
import type { MapPrintRequest } from '../../contract/schema.ts';
import { distanceM } from '../../contract/map.ts';
import { MAP_WORDS } from '../words.ts';

const PLAN_HEIGHT = 300;
const PAD = 28;

export async function planPdf(req: MapPrintRequest, opts: { date?: Date } = {}): Promise<{ bytes: Uint8Array; lines: string[][] }> {
  const date = opts.date ?? new Date();
  const { pdf, fonts } = await startPdf({ title: MAP_WORDS.printTitle, date });
  const w = PageWriter.on(pdf, fonts, { onNewPage: wordmark });
  w.heading(req.heading, { size: 16 });
  if (req.from) w.text(MAP_WORDS.printFrom(req.from.label), { size: 11, color: THEME.muted });

  const located = req.places.filter((p): p is typeof p & { lat: number; lon: number } => p.lat !== null && p.lon !== null);
  const points = [...located.map((p) => ({ lat: p.lat, lon: p.lon })), ...(req.from ? [req.from] : [])];
  if (located.length > 0 && w.page) {
    drawPlan(w, req, located, points);
  } else {
    w.text(MAP_WORDS.printNoPlan, { size: 11, color: THEME.muted });
  }

  for (const p of req.places) {
    w.room(60);
    w.text(`${p.n}. ${p.name}`, { bold: true, size: p.wanted ? 13 : 12, color: p.wanted ? THEME.accent : THEME.ink, gap: 2 });
    for (const line of p.lines) w.text(line, { size: 11, indent: 14, gap: 1 });
    w.space(8);
  }
  w.text(MAP_WORDS.printDated(dateFr(date)), { size: 9, color: THEME.muted });
  return { bytes: await pdf.save(), lines: w.pages };
}

function drawPlan(w: PageWriter, req: MapPrintRequest, located: { n: number; lat: number; lon: number; wanted: boolean }[], points: { lat: number; lon: number }[]): void {
  w.room(PLAN_HEIGHT + 20);
  const page = w.page!;
  const top = w.y;
  const box = { x: MARGIN, y: top - PLAN_HEIGHT, width: COLUMN, height: PLAN_HEIGHT };
  page.drawRectangle({ ...box, color: THEME.paper, borderColor: THEME.muted, borderWidth: 1.5 });

  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  // equirectangular at the middle latitude: true to scale over a town
  const kx = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 0.002);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.002);
  const scale = Math.min((box.width - 2 * PAD) / spanX, (box.height - 2 * PAD) / spanY);
  const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
  const cy = (Math.min(...lats) + Math.max(...lats)) / 2;
  const x = (lon: number) => box.x + box.width / 2 + (lon - cx) * kx * scale;
  const y = (lat: number) => box.y + box.height / 2 + (lat - cy) * scale;

  // north, top right
  page.drawLine({ start: { x: box.x + box.width - 24, y: box.y + box.height - 44 }, end: { x: box.x + box.width - 24, y: box.y + box.height - 16 }, thickness: 2, color: THEME.ink });
  page.drawText(MAP_WORDS.printNorth, { x: box.x + box.width - 54, y: box.y + box.height - 58, size: 10, font: w.fonts.bold, color: THEME.ink });

  // a scale bar, bottom left: a round number of metres about a fifth of the plan's width
  const metresPerPoint = distanceM({ lat: cy, lon: cx }, { lat: cy, lon: cx + 1 / (kx * scale) * 100 }) / 100;
  const target = (box.width / 5) * metresPerPoint;
  const step = [50, 100, 200, 250, 500, 1000, 2000, 5000, 10000].find((s) => s >= target) ?? 10000;
  const bar = step / metresPerPoint;
  page.drawLine({ start: { x: box.x + 14, y: box.y + 14 }, end: { x: box.x + 14 + bar, y: box.y + 14 }, thickness: 3, color: THEME.ink });
  page.drawText(step >= 1000 ? `${step / 1000} km` : `${step} m`, { x: box.x + 14, y: box.y + 20, size: 9, font: w.fonts.regular, color: THEME.ink });

  if (req.from) {
    const fx = x(req.from.lon);
    const fy = y(req.from.lat);
    page.drawSquare({ x: fx - 7, y: fy - 7, size: 14, color: THEME.ink });
    page.drawText(MAP_WORDS.printYou, { x: fx + 10, y: fy - 4, size: 10, font: w.fonts.bold, color: THEME.ink });
  }
  for (const p of located) {
    const px = x(p.lon);
    const py = y(p.lat);
    page.drawCircle({ x: px, y: py, size: p.wanted ? 11 : 9, color: p.wanted ? THEME.accent : THEME.paper, borderColor: THEME.accent, borderWidth: 2 });
    const label = String(p.n);
    const size = p.wanted ? 11 : 9;
    const width = w.fonts.bold.widthOfTextAtSize(label, size);
    page.drawText(label, { x: px - width / 2, y: py - size / 3, size, font: w.fonts.bold, color: p.wanted ? THEME.paper : THEME.ink });
  }
  w.y = box.y - 8;
  w.text(MAP_WORDS.printHelp, { size: 10, color: THEME.muted, gap: 10 });
}
