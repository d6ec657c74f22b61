import { describe, expect, it } from 'vitest';
import { placesFrom, weekGroups } from '../../../contract/map.ts';
import type { InstitutionItem } from '../../../contract/schema.ts';
import { kindsSaid, placeLines, weekLine } from './map-lines.ts';

const tablet = { lat: 45.764, lon: 4.8357 };
const caf: InstitutionItem = {
  id: 'caf',
  kind: 'caf',
  name: 'CAF',
  address: '5 avenue des Allocations',
  city: '00100 Exempleville',
  lat: 45.76,
  lon: 4.842,
  phone: '32 30',
  hours: [
    ...[1, 2, 3, 4, 5].map((day) => ({ day, opens: '08:30', closes: '12:00' })),
    ...[1, 2, 4].map((day) => ({ day, opens: '13:30', closes: '16:30' })),
  ],
  hoursNote: 'Sur rendez-vous le jeudi après-midi',
};
const placed = (i: InstitutionItem, kinds: Set<string> | null = null) => placesFrom([i], tablet, kinds)[0]!;
// Monday 7 December 2026, 10:15 and 12:30 in Paris
const mondayMorning = new Date('2026-12-07T09:15:00Z');
const mondayNoon = new Date('2026-12-07T11:30:00Z');
const saturday = new Date('2026-12-12T09:00:00Z');

describe('what the list says of a place', () => {
  it('where, how far, which way, on foot, today’s hours, the phone', () => {
    expect(placeLines(placed(caf), [], null, mondayMorning)).toEqual([
      '5 avenue des Allocations, 00100 Exempleville',
      'À 660 mètres vers le sud-est d’ici.',
      'Environ 15 minutes à pied.',
      'Ouvert maintenant, jusqu’à 12 h.',
      'Téléphone : 32 30',
    ]);
    expect(placeLines(placed(caf), [], null, mondayNoon)).toContain('Fermé maintenant. Ouvre aujourd’hui à 13 h 30.');
    expect(placeLines(placed(caf), [], null, saturday)).toContain('Fermé aujourd’hui.');
  });

  it('who it is for: the request it handles, the paper it gives', () => {
    const lines = placeLines(placed(caf, new Set(['caf'])), [{ aid: 'Prime d’activité', kind: 'caf', by: 'la CAF', officeId: null }], { docType: 'caf-certificate', title: 'Attestation de la CAF', issuerKinds: ['caf'] }, mondayMorning);
    expect(lines.slice(-2)).toEqual(['S’occupe de votre demande : Prime d’activité.', 'Donne : Attestation de la CAF.']);
  });

  it('a request sent names its office: that CAF handles it, another CAF does not', () => {
    const sent = [{ aid: 'RSA', kind: 'caf', by: 'la CAF', officeId: caf.id }];
    expect(placeLines(placed(caf), sent, null, mondayMorning)).toContain('S’occupe de votre demande : RSA.');
    expect(placeLines(placed({ ...caf, id: 'caf-autre' }), sent, null, mondayMorning).some((l) => l.startsWith('S’occupe'))).toBe(false);
  });

  it('a place where the tablet stands, far away, or with no position and no hours', () => {
    expect(placeLines(placed({ ...caf, lat: 45.7641, lon: 4.8357 }), [], null, mondayMorning)[1]).toBe('C’est ici : vous y êtes.');
    const far = placeLines(placed({ ...caf, lat: 45.8, lon: 4.9 }), [], null, mondayMorning);
    expect(far.slice(1, 3)).toEqual(['À 6,4 km vers le nord-est d’ici.', 'C’est loin à pied : prenez le bus, le tram ou la voiture.']);
    const bare: InstitutionItem = { id: 'x', kind: 'mairie', name: 'Mairie', address: 'Place', city: '00100 Exempleville' };
    expect(placeLines(placed(bare), [], null, mondayMorning)).toEqual(['Place, 00100 Exempleville', 'Adresse sans position sur la carte.', 'Horaires non connus : téléphonez avant d’y aller.']);
    // a note alone (no periods) is said as the directory writes it
    expect(placeLines(placed({ ...bare, hoursNote: 'Sur rendez-vous' }), [], null, mondayMorning)).toContain('Sur rendez-vous');
  });
});

describe('the week in plain French', () => {
  it('days with the same hours gathered, runs and pairs said as people say them', () => {
    expect(weekGroups(caf.hours!).map(weekLine)).toEqual([
      'Le lundi et le mardi : de 8 h 30 à 12 h et de 13 h 30 à 16 h 30',
      'Le mercredi : de 8 h 30 à 12 h',
      'Le jeudi : de 8 h 30 à 12 h et de 13 h 30 à 16 h 30',
      'Le vendredi : de 8 h 30 à 12 h',
    ]);
    const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' }));
    expect(weekGroups(weekdays).map(weekLine)).toEqual(['Du lundi au vendredi : de 9 h à 17 h']);
  });

  it('who gives a paper', () => {
    expect(kindsSaid(['mairie', 'prefecture', 'caf'])).toBe('la mairie ou la préfecture');
    expect(kindsSaid(['inconnu'])).toBe('un organisme');
  });
});
