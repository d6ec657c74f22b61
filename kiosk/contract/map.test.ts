import { describe, expect, it } from 'vitest';
import { centreOf, directionOf, distanceM, distanceParts, parisNow, placesFrom, servesCommune, todayState, walkingMinutes, weekGroups } from './map.ts';
import type { InstitutionItem } from './schema.ts';

const cms = { lat: 45.764, lon: 4.8357 };
const place = (id: string, kind: string, lat?: number, lon?: number): InstitutionItem => ({
  id,
  kind,
  name: id.toUpperCase(),
  address: '1 rue',
  city: '00100 Exempleville',
  ...(lat !== undefined && lon !== undefined ? { lat, lon } : {}),
});

describe('how far and which way', () => {
  it('measures distances on the ground and says them as people do', () => {
    // the CAF of the demo, 5 avenue des Allocations: about 700 m south-east of the CMS
    const caf = { lat: 45.76, lon: 4.842 };
    expect(distanceM(cms, caf)).toBeGreaterThan(640);
    expect(distanceM(cms, caf)).toBeLessThan(700);
    expect(directionOf(cms, caf)).toBe('se');
    expect(directionOf(cms, { lat: 45.77, lon: 4.8357 })).toBe('n');
    expect(directionOf(cms, { lat: 45.764, lon: 4.82 })).toBe('w');
    // one degree of latitude is 111 km
    expect(distanceM({ lat: 45, lon: 4 }, { lat: 46, lon: 4 })).toBeCloseTo(111_195, -2);
    expect(distanceParts(4)).toEqual({ value: '10', unit: 'm' });
    expect(distanceParts(456)).toEqual({ value: '460', unit: 'm' });
    expect(distanceParts(1234)).toEqual({ value: '1,2', unit: 'km' });
    expect(distanceParts(12_600)).toEqual({ value: '13', unit: 'km' });
  });

  it('gives a walking time with streets and a slow pace counted', () => {
    expect(walkingMinutes(20)).toBe(1);
    expect(walkingMinutes(300)).toBe(6);
    expect(walkingMinutes(700)).toBe(15);
    expect(walkingMinutes(2000)).toBe(40);
  });
});

describe('which places the list shows, in which order', () => {
  const list = [place('mairie', 'mairie', 45.7676, 4.8345), place('caf-loin', 'caf', 45.8, 4.9), place('caf', 'caf', 45.76, 4.842), place('caf-sans', 'caf'), place('cpam', 'cpam', 45.77, 4.84)];

  it('without a filter: nearest first, those with no position last', () => {
    expect(placesFrom(list, cms, null).map((p) => p.place.id)).toEqual(['mairie', 'caf', 'cpam', 'caf-loin', 'caf-sans']);
    expect(placesFrom(list, cms, null).every((p) => p.wanted)).toBe(true);
  });

  it('with a filter: the kinds asked for first (nearest first), then the others', () => {
    const r = placesFrom(list, cms, new Set(['caf']));
    expect(r.map((p) => [p.place.id, p.wanted])).toEqual([
      ['caf', true],
      ['caf-loin', true],
      ['caf-sans', true],
      ['mairie', false],
      ['cpam', false],
    ]);
    expect(r[0]!.direction).toBe('se');
    expect(r[2]!.metres).toBeNull();
  });

  it('an office serves a commune by the communes it lists (an arrondissement by its commune), else by its postcode', () => {
    const lyon3 = { code: '69383', name: 'Lyon 3e Arrondissement', postcodes: ['69003'], parent: '69123' };
    const listing = { ...place('caf-rhone', 'caf', 45.76, 4.85), communes: ['69123', '69266'] };
    expect(servesCommune(listing, lyon3)).toBe(true);
    expect(servesCommune(listing, { code: '75056', name: 'Paris', postcodes: ['75015'] })).toBe(false);
    const mairie = { ...place('mairie-lyon3', 'mairie', 45.76, 4.85), city: '69003 Lyon' };
    expect(servesCommune(mairie, lyon3)).toBe(true);
    expect(servesCommune({ ...mairie, city: '69100 Villeurbanne' }, lyon3)).toBe(false);
    // an office listing communes is not taken for one of its postcode's
    expect(servesCommune({ ...listing, city: '69003 Lyon', communes: ['69266'] }, lyon3)).toBe(false);
  });

  it('a request sent to one office wants that office, not every office of its kind', () => {
    const r = placesFrom(list, cms, new Set<string>(), new Set(['caf-loin']));
    expect(r.filter((p) => p.wanted).map((p) => p.place.id)).toEqual(['caf-loin']);
    expect(r[0]!.place.id).toBe('caf-loin');
  });

  it('without a place to measure from: by name, and the centre of what the directory locates', () => {
    expect(placesFrom(list, null, null).map((p) => p.place.id)).toEqual(['caf', 'caf-loin', 'caf-sans', 'cpam', 'mairie']);
    expect(centreOf([place('a', 'x', 45, 4), place('b', 'x', 46, 5), place('c', 'x')])).toEqual({ lat: 45.5, lon: 4.5 });
    expect(centreOf([place('c', 'x')])).toBeNull();
  });
});

describe('opening hours', () => {
  const hours = [
    { day: 1, opens: '08:30', closes: '12:00' },
    { day: 1, opens: '13:30', closes: '16:30' },
    { day: 2, opens: '13:30', closes: '16:30' },
    { day: 2, opens: '08:30', closes: '12:00' },
    { day: 3, opens: '08:30', closes: '12:00' },
    { day: 4, opens: '08:30', closes: '12:00' },
    { day: 4, opens: '13:30', closes: '16:30' },
    { day: 5, opens: '08:30', closes: '12:00' },
    { day: 5, opens: '13:30', closes: '16:30' },
  ];

  it('says where the office stands now', () => {
    expect(todayState(hours, { day: 1, time: '09:15' })).toEqual({ state: 'open', until: '12:00' });
    expect(todayState(hours, { day: 1, time: '12:00' })).toEqual({ state: 'later', opens: '13:30' });
    expect(todayState(hours, { day: 1, time: '07:00' })).toEqual({ state: 'later', opens: '08:30' });
    expect(todayState(hours, { day: 3, time: '14:00' })).toEqual({ state: 'closed-now' });
    expect(todayState(hours, { day: 6, time: '10:00' })).toEqual({ state: 'closed-today' });
    expect(todayState(undefined, { day: 1, time: '10:00' })).toEqual({ state: 'unknown' });
    expect(todayState([], { day: 1, time: '10:00' })).toEqual({ state: 'unknown' });
  });

  it('gathers the days that keep the same hours, in runs', () => {
    expect(weekGroups(hours).map((g) => [g.from, g.to, g.slots.map((s) => `${s.opens}-${s.closes}`).join(' ')])).toEqual([
      [1, 2, '08:30-12:00 13:30-16:30'],
      [3, 3, '08:30-12:00'],
      [4, 5, '08:30-12:00 13:30-16:30'],
    ]);
    expect(weekGroups([])).toEqual([]);
  });

  it('reads the day and the time on the Paris clock', () => {
    // a Sunday 23:30 in UTC is Monday 00:30 in Paris in winter
    expect(parisNow(new Date('2026-12-06T23:30:00Z'))).toEqual({ day: 1, time: '00:30' });
    expect(parisNow(new Date('2026-07-01T10:05:00Z'))).toEqual({ day: 3, time: '12:05' });
  });
});
