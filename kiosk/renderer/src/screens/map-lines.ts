/**
 * The map's lines in words (`texts.ts`), kept apart from the screen so they are tested alone: what the list
 * says of a place (address, how far and which way, walking time, today's hours, phone…), which the printed
 * plan repeats, and a week's hours in plain French.
 */
import type { MapInfo } from '../../../contract/schema.ts';
import { distanceParts, parisNow, todayState, walkingMinutes } from '../../../contract/map.ts';
import type { Placed, weekGroups } from '../../../contract/map.ts';
import { t } from '../texts.ts';

/** A request under way: its aid and who handles it (the office it was sent to, once sent; else the kind). */
export type Request = { aid: string; kind: string; by: string; officeId: string | null };
export type Paper = MapInfo['papers'][number];

/** Past this, walking is not the way: the list says to take the bus or a car. */
const FAR_WALK_M = 2500;
/** Closer than this, the place is where the tablet stands. */
const HERE_M = 40;

/** Who gives a paper, as people say it (two at most: « la mairie ou la préfecture »). */
export const kindsSaid = (kinds: string[]) => kinds.map((k) => t.map.kinds[k]).filter((k): k is string => k !== undefined).slice(0, 2).join(t.map.or) || t.map.kinds.autre!;

/** One group of days and its periods: « Du lundi au vendredi : de 8 h 30 à 12 h et de 13 h 30 à 16 h 30 ». */
export function weekLine(g: ReturnType<typeof weekGroups>[number]): string {
  return `${t.map.dayRun(t.map.days[g.from]!, t.map.days[g.to]!, g.to > g.from + 1)} : ${g.slots.map((s) => t.map.slot(t.map.time(s.opens), t.map.time(s.closes))).join(t.map.and)}`;
}

/** A place's lines, as the list shows them and the printout repeats them. */
export function placeLines(p: Placed, requests: Request[], paper: Paper | null, now = new Date()): string[] {
  const place = p.place;
  const lines = [`${place.address}, ${place.city}`];
  if (p.metres !== null && p.metres < HERE_M) {
    lines.push(t.map.hereAlready);
  } else if (p.metres !== null && p.direction !== null) {
    const d = distanceParts(p.metres);
    lines.push(t.map.away(t.map.metres(d.value, d.unit), t.map.direction[p.direction]));
    lines.push(p.metres > FAR_WALK_M ? t.map.farWalk : t.map.walk(walkingMinutes(p.metres)));
  } else if (typeof place.lat !== 'number') {
    lines.push(t.map.noPosition);
  }
  const today = todayState(place.hours, parisNow(now));
  lines.push(
    today.state === 'open'
      ? t.map.openUntil(t.map.time(today.until))
      : today.state === 'later'
        ? t.map.opensLater(t.map.time(today.opens))
        : today.state === 'closed-now'
          ? t.map.closedNow
          : today.state === 'closed-today'
            ? t.map.closedToday
            : t.map.noHours,
  );
  if (place.hoursNote && !place.hours?.length) lines.push(place.hoursNote);
  if (place.phone) lines.push(t.map.phone(place.phone));
  if (place.email) lines.push(t.map.email(place.email));
  if (place.website) lines.push(t.map.website(place.website));
  const handles = requests.filter((r) => (r.officeId !== null ? r.officeId === place.id : r.kind === place.kind)).map((r) => r.aid);
  if (handles.length > 0) lines.push(t.map.handles(handles.join(', ')));
  if (paper && place.kind !== undefined && paper.issuerKinds.includes(place.kind)) lines.push(t.map.gives(paper.title));
  return lines;
}
