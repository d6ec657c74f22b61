/**
 * The welcome letter, read back with pdf-lib: A4 pages, the text really in the content streams (not
 * only in the lines we say we drew), French accents encoded, big type, the places from the database.
 */
import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import type { PDFPage } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { readSeedFile, seedDatabase } from '../../edge/seed.ts';
import { CAMILLE, freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { officesForLetter } from '../institutions/index.ts';
import { generateWelcomeLetter, WELCOME_LETTER_MAX_PLACES, welcomeLetterFor } from './welcome-letter.ts';

/** WinAnsi bytes 0x80–0x9F that differ from Latin-1 (the ones French text uses). */
const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x85: '…', 0x8c: 'Œ', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—', 0x9c: 'œ' };

/** The text a page shows: every hex string drawn by Tj in its (Flate-decoded) content streams, with font sizes. */
function pageText(page: PDFPage): { text: string; sizes: number[] } {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => page.doc.context.lookup(r)) : [contents];
  let text = '';
  const sizes: number[] = [];
  for (const s of streams) {
    if (!(s instanceof PDFRawStream)) continue;
    const ops = new TextDecoder('latin1').decode(decodePDFRawStream(s).decode());
    for (const m of ops.matchAll(/\/\S+ ([\d.]+) Tf|<([0-9A-Fa-f]*)> Tj/g)) {
      if (m[1] !== undefined) sizes.push(Number(m[1]));
      else text += `${[...Buffer.from(m[2]!, 'hex')].map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join('')}\n`;
    }
  }
  return { text, sizes };
}

const PLACES = [
  { name: 'Mairie d’Exempleville', address: 'Place de l’Hôtel de Ville', postcode: '00100', city: 'Exempleville' },
  { name: 'Centre médico-social', address: '12 rue de la République', postcode: '00100', city: 'Exempleville' },
];

describe('welcome letter', () => {
  it('is two A4 pages whose content streams hold the identifier, the first name and French accents', async () => {
    const letter = await generateWelcomeLetter({
      person: { firstName: 'Françoise', lastName: 'Lefèvre', identifier: 'fac-k7qm-3xd2-9hrw' },
      places: PLACES,
      date: new Date('2026-11-28T10:00:00Z'),
    });
    const doc = await PDFDocument.load(letter.pdf);
    expect(doc.getPageCount()).toBe(2);
    for (const page of doc.getPages()) {
      expect(page.getWidth()).toBeCloseTo(595.28, 1);
      expect(page.getHeight()).toBeCloseTo(841.89, 1);
    }
    const [p1, p2] = doc.getPages().map(pageText);
    expect(p1!.text).toContain('FAC-K7QM-3XD2-9HRW\n');
    expect(p1!.text).toContain('FAC  K7QM  3XD2  9HRW');
    expect(p1!.text).toContain('Bonjour Françoise,');
    expect(p1!.text).toContain('28 novembre 2026');
    // é è à ç ’ as drawn, not replaced
    for (const word of ['numérique', 'protégés', 'À quoi sert', 'Voilà', 'l’écran', 'Françoise']) expect(p1!.text, word).toContain(word);
    expect(p2!.text).toContain('Après 3 codes faux');
    expect(p2!.text).toContain('Ne donnez ce code à personne. Jamais.');
    expect(p2!.text).toContain('Il arrive dans une autre lettre.');
    expect(p2!.text).toContain('Mairie d’Exempleville');
    expect(p2!.text).toContain('Place de l’Hôtel de Ville, 00100 Exempleville');
    expect(p1!.text).toContain('SMS ou par e-mail');
    expect(p1!.text).toContain('boîtier de la tablette');
    // big type everywhere (≥ 12 pt), the identifier bigger still
    const sizes = [...p1!.sizes, ...p2!.sizes];
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...p1!.sizes)).toBeGreaterThanOrEqual(28);
    // what we say we drew is what the streams hold
    expect(letter.pages[0]!.join('\n')).toContain('FAC-K7QM-3XD2-9HRW');
    for (const [i, lines] of letter.pages.entries()) for (const line of lines) expect([p1, p2][i]!.text).toContain(line);
    expect(doc.getTitle()).toBe('Votre carte Facilitateur - Françoise');
  });

  it('draws names the standard font cannot show without their accents (or with ?) rather than failing', async () => {
    const letter = await generateWelcomeLetter({ person: { firstName: 'Thị Ngọc', lastName: 'Nguyễn', identifier: CAMILLE.identifier }, places: [] });
    expect(letter.pages[0]).toContain('Bonjour Thi Ngoc,');
  });

  it('goes on a new page rather than past the margin when the places are long', async () => {
    const long = Array.from({ length: 4 }, (_, i) => ({
      name: `Maison départementale des personnes handicapées et de l’autonomie numéro ${i} du département`,
      address: 'Bâtiment C, troisième étage, 3 boulevard de l’Autonomie et de la Solidarité entre les générations',
      postcode: '00100',
      city: 'Exempleville-sur-Mer',
    }));
    const letter = await generateWelcomeLetter({ person: { firstName: 'Camille', lastName: 'Martin', identifier: CAMILLE.identifier }, places: long });
    const doc = await PDFDocument.load(letter.pdf);
    expect(letter.pages.length).toBe(3);
    expect(doc.getPageCount()).toBe(3);
    expect(letter.pages.flat()).toContain('C’est gratuit.');
    const all = doc.getPages().map((p) => pageText(p).text).join('');
    expect(all).toContain('C’est gratuit.');
  });

  it('refuses an identifier with a wrong check character', async () => {
    await expect(generateWelcomeLetter({ person: { firstName: 'A', lastName: 'B', identifier: 'FAC-K7QM-3XD2-9HRX' }, places: [] })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('welcome letter from the database', () => {
  let env: TestEnv;
  let storage: Storage;
  beforeAll(async () => {
    env = await freshEnv('sqlite', false);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  });
  afterAll(async () => {
    await storage.db.destroy();
    await env.cleanup();
  });

  it('uses the person and the seeded institutions, the town hall first', async () => {
    // the seed's offices are in no département (postcode 00100): no area, one office of each kind
    const chosen = await officesForLetter(storage.db, { area: null, near: null, max: WELCOME_LETTER_MAX_PLACES });
    const letter = await welcomeLetterFor(storage.db, CAMILLE.identifier.toLowerCase(), { places: chosen, portalUrl: 'portail.example' });
    const lines = letter.pages.flat();
    expect(lines).toContain('Bonjour Camille,');
    expect(lines).toContain('1. Allez sur le site portail.example');
    const places = lines.filter((l) => /^(Mairie|Centre|Caisse|Maison|Service)/.test(l));
    expect(places[0]).toBe('Mairie d\'Exempleville');
    expect(places).toHaveLength(4);
    await expect(welcomeLetterFor(storage.db, 'FAC-0000-0000-0000', { places: chosen })).rejects.toMatchObject({ code: 'unknown-person' });
  });
});
