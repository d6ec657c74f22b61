// The communes' zones of the aide au logement, from the table the server and the kiosk load.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseName, searchCommunes, zoneOfCommune, zonesApl, ZonesAplSchema } from './zones.ts';

const FILE = new URL('../../../assets/aids/zones-apl.json', import.meta.url);
const raw = JSON.parse(readFileSync(FILE, 'utf8')) as unknown;
const table = zonesApl(raw);

describe('zones-apl table', () => {
  it('gives the zone the arrêté sets', () => {
    expect(zoneOfCommune(table, '75056')).toBe(1); // Paris
    expect(zoneOfCommune(table, '75113')).toBe(1); // Paris 13e arrondissement
    expect(zoneOfCommune(table, '92050')).toBe(1); // Nanterre: whole département
    expect(zoneOfCommune(table, '78646')).toBe(1); // Versailles
    expect(zoneOfCommune(table, '78003')).toBe(2); // Yvelines default
    expect(zoneOfCommune(table, '95008')).toBe(2); // Val-d'Oise exception
    expect(zoneOfCommune(table, '31555')).toBe(2); // Toulouse
    expect(zoneOfCommune(table, '13201')).toBe(2); // Marseille 1er, through Marseille
    expect(zoneOfCommune(table, '11069')).toBe(3); // Carcassonne
    expect(zoneOfCommune(table, '32013')).toBe(3); // Auch
    expect(zoneOfCommune(table, '2A004')).toBe(2); // Ajaccio
  });

  it('knows no zone for a code that is no commune', () => {
    expect(zoneOfCommune(table, '99999')).toBeNull();
    expect(zoneOfCommune(table, '31000')).toBeNull(); // Toulouse's postcode, not its INSEE code
  });

  it('refuses a broken table', () => {
    const t = raw as { zones: { '1': string[]; '2': string[] } };
    expect(ZonesAplSchema.safeParse({ ...t, zones: { '1': ['31555'], '2': ['31555'] } }).success).toBe(false);
    expect(ZonesAplSchema.safeParse({ ...t, communes: [] }).success).toBe(false);
    expect(ZonesAplSchema.safeParse({ ...t, zones: { '1': ['3155'], '2': [] } }).success).toBe(false);
  });

  it('finds communes by name, postcode or INSEE code', () => {
    expect(searchCommunes(table, 'toulouse')[0]).toMatchObject({ code: '31555', name: 'Toulouse' });
    expect(searchCommunes(table, 'St Étienne')[0]?.name).toBe('Saint-Étienne');
    expect(searchCommunes(table, '32000').map((c) => c.code)).toContain('32013');
    expect(searchCommunes(table, '31555')[0]?.code).toBe('31555');
    expect(searchCommunes(table, 'marseille', 5)).toHaveLength(5);
    expect(searchCommunes(table, 'x')).toEqual([]);
    expect(searchCommunes(table, 'zzzzqq')).toEqual([]);
  });

  it('normalises what a person types', () => {
    expect(normaliseName(' L’Haÿ-les-Roses ')).toBe('l hay les roses');
    expect(normaliseName('Ste-Foy')).toBe('sainte foy');
  });
});
