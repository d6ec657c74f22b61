/**
 * The map of institutions' pure reckoning, shared by the screen and its tests: how far and which way a place
 * is, which places a filter keeps and in what order, and what an office's opening periods say about a day.
 * No words here (the screen words them, `renderer/src/texts.ts`), no DOM, no Node.
 */
import { distanceM } from '../../sync-server/protocol/geo.ts';
import type { LatLon } from '../../sync-server/protocol/geo.ts';
import type { InstitutionItem } from './schema.ts';

export { distanceM } from '../../sync-server/protocol/geo.ts';
export type { LatLon } from '../../sync-server/protocol/geo.ts';

const rad = (d: number) => (d * Math.PI) / 180;

/** The eight directions people say, clockwise from north. */
export const DIRECTIONS = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Which way `to` lies from `from`, to the nearest eighth of a turn (the initial bearing). */
export function directionOf(from: LatLon, to: LatLon): Direction {
  const y = Math.sin(rad(to.lon - from.lon)) * Math.cos(rad(to.lat));
  const x = Math.cos(rad(from.lat)) * Math.sin(rad(to.lat)) - Math.sin(rad(from.lat)) * Math.cos(rad(to.lat)) * Math.cos(rad(to.lon - from.lon));
  const bearing = ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
  return DIRECTIONS[Math.round(bearing / 45) % 8]!;
}

/**
 * Minutes on foot for a distance as the crow flies: streets are never straight (×1.3) and people with a
 * pushchair or a cane walk slower than the usual 5 km/h (4 km/h here). Rounded up to 5 minutes past 10.
 */
export function walkingMinutes(metres: number): number {
  const minutes = Math.max(1, Math.ceil((metres * 1.3) / (4000 / 60)));
  return minutes <= 10 ? minutes : Math.ceil(minutes / 5) * 5;
}

/** A distance as it is said: « 80 m », « 450 m », « 1,2 km », « 12 km ». */
export function distanceParts(metres: number): { value: string; unit: 'm' | 'km' } {
  if (metres < 1000) return { value: String(Math.max(10, Math.round(metres / 10) * 10)), unit: 'm' };
  if (metres < 10_000) return { value: (Math.round(metres / 100) / 10).toFixed(1).replace('.', ','), unit: 'km' };
  return { value: String(Math.round(metres / 1000)), unit: 'km' };
}

export type Located = InstitutionItem & { lat: number; lon: number };
export const isLocated = (i: InstitutionItem): i is Located => typeof i.lat === 'number' && typeof i.lon === 'number';

/** The middle of the places the directory locates (where the map opens when the tablet's place is not set). */
export function centreOf(places: readonly InstitutionItem[]): LatLon | null {
  const located = places.filter(isLocated);
  if (located.length === 0) return null;
  return { lat: located.reduce((s, p) => s + p.lat, 0) / located.length, lon: located.reduce((s, p) => s + p.lon, 0) / located.length };
}

/** A place of the list: the institution, how far from where the person stands, and whether the filter asked for it. */
export interface Placed {
  place: InstitutionItem;
  /** null: the directory does not say where it is */
  metres: number | null;
  direction: Direction | null;
  wanted: boolean;
}

/** A commune as the tablet's table of communes gives it. */
export interface CommuneRef {
  code: string;
  name: string;
  postcodes: readonly string[];
  /** the commune an arrondissement belongs to */
  parent?: string | undefined;
}

/**
 * Does this office serve the commune (where the person lives)? An office that lists the communes it serves
 * (the annuaire's CAF, CPAM…) by that list — an arrondissement by its commune too; one that lists none (a
 * town hall, a local entry) when it stands in one of the commune's postcodes.
 */
export function servesCommune(place: InstitutionItem, c: CommuneRef): boolean {
  if (place.communes && place.communes.length > 0) return place.communes.includes(c.code) || (c.parent !== undefined && place.communes.includes(c.parent));
  const postcode = /^\s*(\d{5})\b/.exec(place.city)?.[1];
  return postcode !== undefined && c.postcodes.includes(postcode);
}

/**
 * The places in the order the list shows them: those of the wanted kinds first (all of them when no filter),
 * each group nearest first, the places with no position last. `kinds` null: no filter. `offices`: places wanted
 * by themselves whatever their kind (the office a request was sent to, where a kind would name every CAF).
 */
export function placesFrom(list: readonly InstitutionItem[], from: LatLon | null, kinds: ReadonlySet<string> | null, offices: ReadonlySet<string> = new Set()): Placed[] {
  const placed = list.map((place): Placed => {
    const here = from && isLocated(place) ? from : null;
    return {
      place,
      metres: here ? distanceM(here, place as Located) : null,
      direction: here ? directionOf(here, place as Located) : null,
      wanted: kinds === null || (place.kind !== undefined && kinds.has(place.kind)) || offices.has(place.id),
    };
  });
  const rank = (p: Placed) => (p.wanted ? 0 : 2) + (p.metres === null ? 1 : 0);
  return placed.sort((a, b) => rank(a) - rank(b) || (a.metres ?? 0) - (b.metres ?? 0) || a.place.name.localeCompare(b.place.name, 'fr'));
}

export type OpeningSlot = NonNullable<InstitutionItem['hours']>[number];

/** The day of the week as the directory numbers it (1 = lundi … 7 = dimanche) and the time « HH:MM », on the Paris clock. */
export function parisNow(now: Date): { day: number; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { day, time: `${get('hour')}:${get('minute')}` };
}

/** A day's periods, in order (« 08:30–12:00 », « 13:30–16:30 »). */
export function slotsOn(hours: readonly OpeningSlot[], day: number): OpeningSlot[] {
  return hours.filter((s) => s.day === day && s.opens < s.closes).sort((a, b) => a.opens.localeCompare(b.opens));
}

/**
 * Where an office stands at this moment of the day: open until a time, closed now but opening later today,
 * or closed for the rest of the day. `unknown`: the directory gives no hours.
 */
export type TodayState =
  | { state: 'unknown' }
  | { state: 'open'; until: string }
  | { state: 'later'; opens: string }
  | { state: 'closed-today' }
  | { state: 'closed-now' };

export function todayState(hours: readonly OpeningSlot[] | undefined, now: { day: number; time: string }): TodayState {
  if (!hours || hours.length === 0) return { state: 'unknown' };
  const today = slotsOn(hours, now.day);
  if (today.length === 0) return { state: 'closed-today' };
  const open = today.find((s) => s.opens <= now.time && now.time < s.closes);
  if (open) return { state: 'open', until: open.closes };
  const next = today.find((s) => s.opens > now.time);
  return next ? { state: 'later', opens: next.opens } : { state: 'closed-now' };
}

/**
 * The week, with the days that share the same periods gathered (« du lundi au vendredi », « le samedi »):
 * each group is a run of consecutive days. Days with no period are left out.
 */
export function weekGroups(hours: readonly OpeningSlot[]): { from: number; to: number; slots: OpeningSlot[] }[] {
  const key = (day: number) =>
    slotsOn(hours, day)
      .map((s) => `${s.opens}-${s.closes}`)
      .join(',');
  const groups: { from: number; to: number; slots: OpeningSlot[] }[] = [];
  for (let day = 1; day <= 7; day++) {
    const slots = slotsOn(hours, day);
    if (slots.length === 0) continue;
    const last = groups.at(-1);
    if (last && last.to === day - 1 && key(last.from) === key(day)) last.to = day;
    else groups.push({ from: day, to: day, slots });
  }
  return groups;
}
