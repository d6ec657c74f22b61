import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { MapPrintRequest } from '../../contract/schema.ts';
import { loadKioskConfig } from '../config.ts';
import { silentLogger } from '../log.ts';
import { MAP_WORDS } from '../words.ts';
import { papersFromCatalogue } from './papers.ts';
import { planPdf } from './plan-pdf.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-map-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('where to get a paper (the aid checklists installed on the tablet)', () => {
  it('names the offices that give each paper, private issuers left out', () => {
    const papers = papersFromCatalogue(resolve(import.meta.dirname, '../../../assets/aids/catalogue.json'), silentLogger);
    const of = (d: string) => papers.find((p) => p.docType === d);
    expect(of('identity-card')).toMatchObject({ title: 'Carte d’identité', issuerKinds: ['mairie', 'etat'] });
    expect(of('residence-permit')?.issuerKinds[0]).toBe('prefecture');
    expect(of('tax-notice')?.issuerKinds[0]).toBe('impots');
    // no checklist asks for it: the vault's classification says who gives it
    expect(of('caf-certificate')?.issuerKinds).toEqual(['caf']);
    // a bank, an employer, a supplier are not offices on a map
    expect(of('rib')).toBeUndefined();
    expect(of('payslip')).toBeUndefined();
    expect(of('other')).toBeUndefined();
  });

  it('a catalogue that cannot be read leaves the vault classification alone', () => {
    const bad = join(dir, 'catalogue.json');
    writeFileSync(bad, '{"aids": [{"checklist": "pas une liste"}]}');
    const papers = papersFromCatalogue(bad, silentLogger);
    expect(papers.find((p) => p.docType === 'caf-certificate')?.issuerKinds).toEqual(['caf']);
    expect(papersFromCatalogue(join(dir, 'absent.json'), silentLogger).length).toBeGreaterThan(0);
  });
});

describe('« Imprimer le plan »', () => {
  const request = MapPrintRequest.parse({
    heading: 'Où trouver : Attestation de la CAF',
    from: { lat: 45.764, lon: 4.8357, label: 'Tablette du CMS' },
    places: [
      { n: 1, name: 'Caisse d’allocations familiales (CAF)', lat: 45.76, lon: 4.842, wanted: true, lines: ['5 avenue des Allocations, 00100 Exempleville', 'À 670 m vers le sud-est'] },
      { n: 2, name: 'Mairie d’Exempleville', lat: 45.7676, lon: 4.8345, wanted: false, lines: ['Place de l’Hôtel de Ville'] },
      { n: 3, name: 'Sans adresse connue', lat: null, lon: null, wanted: false, lines: [] },
    ],
  });

  it('an A4 page: the plan, the places with their lines, the date', async () => {
    const { bytes, lines } = await planPdf(request, { date: new Date('2026-12-07T10:00:00Z') });
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe(MAP_WORDS.printTitle);
    const text = lines.flat();
    expect(text).toEqual(
      expect.arrayContaining([
        'Facilitateur',
        'Où trouver : Attestation de la CAF',
        'Vous êtes ici : Tablette du CMS',
        MAP_WORDS.printHelp,
        '1. Caisse d’allocations familiales (CAF)',
        'À 670 m vers le sud-est',
        '3. Sans adresse connue',
        'Imprimé le 7 décembre 2026',
      ]),
    );
  });

  it('what the fonts cannot draw (an emoji, a control character, another script) does not stop the printout', async () => {
    const odd = { ...request, heading: 'Où aller 🗺️ \u0007 مرحبا', places: [{ ...request.places[0]!, name: 'CAF \u200b✓', lines: ['☎ 32 30', 'tab\there'] }] };
    const { bytes } = await planPdf(MapPrintRequest.parse(odd));
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
  });

  it('places with no position: the list alone, said so', async () => {
    const { lines } = await planPdf({ ...request, from: null, places: [request.places[2]!] });
    expect(lines.flat()).toContain(MAP_WORDS.printNoPlan);
  });

  it('many places run onto more pages; bad requests are refused by the contract', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...request.places[0]!, n: i + 1, lines: ['une ligne', 'une autre', 'et une troisième'] }));
    const { bytes } = await planPdf({ ...request, places: many });
    expect((await PDFDocument.load(bytes)).getPageCount()).toBeGreaterThan(1);
    expect(MapPrintRequest.safeParse({ ...request, places: [] }).success).toBe(false);
    expect(MapPrintRequest.safeParse({ ...request, places: [...many, many[0]] }).success).toBe(false);
    expect(MapPrintRequest.safeParse({ ...request, heading: ' ' }).success).toBe(false);
    expect(MapPrintRequest.safeParse({ ...request, from: { lat: 95, lon: 0, label: 'x' } }).success).toBe(false);
  });
});

describe('the tablet’s place and its base map in the configuration', () => {
  it('reads FAC_MAP_PLACE and FAC_MAP_TILES, refuses a place out of range', () => {
    const c = loadKioskConfig({ FAC_MAP_PLACE: '45.764, 4.8357, CMS du centre-ville', FAC_MAP_TILES: '/opt/carte/ville.pmtiles' });
    expect(c.mapPlace).toEqual({ lat: 45.764, lon: 4.8357, label: 'CMS du centre-ville' });
    expect(c.mapTiles).toBe('/opt/carte/ville.pmtiles');
    const d = loadKioskConfig({});
    expect(d.mapPlace).toBeNull();
    expect(d.mapTiles).toBeNull();
    expect(() => loadKioskConfig({ FAC_MAP_PLACE: '95,4' })).toThrow(/FAC_MAP_PLACE/);
    expect(() => loadKioskConfig({ FAC_MAP_PLACE: 'centre-ville' })).toThrow(/latitude,longitude/);
  });
});
