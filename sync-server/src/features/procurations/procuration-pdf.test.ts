/**
 * The person's printed copy of a procuration, read back: one A4 page (pdf-lib), and what it says with
 * poppler's `pdftotext` — who allows whom, what, which papers and procedures, the dates in words, where
 * it was made, the reference and the signatures' fingerprint; a withdrawn one says it is over.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { procurationPdf } from './procuration-pdf.ts';
import type { ProcurationPdfInput } from './procuration-pdf.ts';
import { signaturesFingerprint } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-procuration-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function text(bytes: Uint8Array): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

const INPUT: ProcurationPdfInput = {
  id: '3f1c2a4e-8b7d-4c6a-9e2f-1a2b3c4d5e6f',
  person: 'Camille Martin',
  agent: 'Sophie Lefèvre',
  structure: 'CCAS de Lyon 3e',
  actions: ['regarder mes papiers', 'envoyer mes demandes sans moi'],
  categories: ['papiers d’identité', 'revenus'],
  aids: ['toutes mes démarches'],
  from: '2026-04-01',
  until: '2026-09-30',
  place: 'CCAS de Lyon 3e, 18 rue François Garcin',
  createdAt: '2026-04-01T12:05:00.000Z',
  renews: null,
  fingerprint: signaturesFingerprint('a'.repeat(86), 'b'.repeat(86)),
  ended: false,
};

describe('the printed copy of a procuration', () => {
  it('one A4 page, in plain words', async () => {
    const bytes = await procurationPdf(INPUT);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Procuration numérique — Camille Martin');
    const said = text(bytes);
    expect(said).toContain('Camille Martin permet à Sophie Lefèvre, de CCAS de Lyon 3e, d’agir pour elle ou pour lui');
    expect(said).toContain('regarder mes papiers');
    expect(said).toContain('envoyer mes demandes sans moi');
    expect(said).toContain('toutes mes démarches');
    expect(said).toContain('Du 1er avril 2026 au 30 septembre 2026, les deux jours compris.');
    expect(said).toContain('CCAS de Lyon 3e, 18 rue François Garcin, le 1er avril 2026 à 14 h 05.');
    expect(said).toContain(`Référence : ${INPUT.id}`);
    expect(said).toContain(`Empreinte des signatures : ${INPUT.fingerprint}`);
    expect(INPUT.fingerprint).toMatch(/^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/);
    expect(said).not.toContain('finie');
  });

  it('a procuration over says so at the top', async () => {
    expect(text(await procurationPdf({ ...INPUT, ended: true, renews: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }))).toMatch(/Cette procuration est finie.*Elle remplace la procuration aaaaaaaa/);
  });
});
