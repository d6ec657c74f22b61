/**
 * The dossier PDF and the receipt, read back: pages and metadata with pdf-lib, the text with poppler's
 * `pdftotext` (what a reader or a search engine gets out of the file), where every word lies with
 * `pdftotext -bbox`. Without poppler-utils the text checks are skipped, saying why.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFString, StandardFonts, degrees } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { DOSSIER_PDF_JOB } from './dossier-pdf.ts';
import type { ReceiptInput } from './dossier-pdf.ts';
import { printDossier, printReceipt } from './printouts.ts';
import type { DossierPrintInput as DossierPdfInput } from './printouts.ts';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;

/** The real path: the pièces made ready for paper here, the PDF laid out in a pool thread. */
let pool: PdfPool;
async function dossierPdf(i: DossierPdfInput): Promise<Uint8Array> {
  const r = await printDossier(pool, i);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
async function receiptPdf(i: ReceiptInput): Promise<Uint8Array> {
  const r = await printReceipt(pool, i);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** pdftotext (Debian poppler-utils) reads the text back; `npm run setup` installs it, so the checks never skip. */
function requirePdftotext(): void {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('pdftotext is missing: run `npm run setup` (it installs the Debian package poppler-utils)');
  }
}

let dir: string;
let n = 0;
function file(bytes: Uint8Array): string {
  const path = join(dir, `f${n++}.pdf`);
  writeFileSync(path, bytes);
  return path;
}

/** The text of each page, whitespace collapsed (a wrapped sentence reads as one line). */
function pagesText(bytes: Uint8Array): string[] {
  const out = execFileSync('pdftotext', ['-enc', 'UTF-8', file(bytes), '-'], { encoding: 'utf8' });
  const pages = out.split('\f').map((p) => p.replace(/\s+/g, ' ').trim());
  if (pages.at(-1) === '') pages.pop();
  return pages;
}

interface Word {
  page: number;
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  pageWidth: number;
  pageHeight: number;
}
/** Every word with its box (top-left origin, points). */
function words(bytes: Uint8Array): Word[] {
  const html = execFileSync('pdftotext', ['-bbox', file(bytes), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out: Word[] = [];
  let page = -1;
  let pageWidth = 0;
  let pageHeight = 0;
  for (const m of html.matchAll(/<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g)) {
    if (m[1] !== undefined) {
      page += 1;
      pageWidth = Number(m[1]);
      pageHeight = Number(m[2]);
    } else {
      out.push({ page, text: m[7]!, xMin: Number(m[3]), yMin: Number(m[4]), xMax: Number(m[5]), yMax: Number(m[6]), pageWidth, pageHeight });
    }
  }
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, '');

let png: Uint8Array;
let jpeg: Uint8Array;
let webp: Uint8Array;
let twoPagePdf: Uint8Array;
let encryptedPdf: Uint8Array;

beforeAll(async () => {
  pool = new PdfPool({ size: 1, preload: [DOSSIER_PDF_JOB.module] });
  dir = mkdtempSync(join(tmpdir(), 'dossier-pdf-'));
  const image = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 190, b: 170 } } });
  png = new Uint8Array(await image(300, 420).png().toBuffer());
  jpeg = new Uint8Array(await image(640, 480).jpeg({ quality: 80 }).toBuffer());
  webp = new Uint8Array(await image(200, 280).webp().toBuffer());
  const src = await PDFDocument.create();
  const helvetica = await src.embedFont(StandardFonts.Helvetica);
  src.addPage([595.28, 841.89]).drawText('Avis impots page une', { x: 60, y: 760, size: 14, font: helvetica });
  // a landscape page stored as a rotated portrait one: its header must still be on its visible top
  const rotated = src.addPage([595.28, 841.89]);
  rotated.setRotation(degrees(90));
  rotated.drawText('Avis impots page deux', { x: 100, y: 100, size: 14, font: helvetica, rotate: degrees(90) });
  twoPagePdf = await src.save();
  // what pdf-lib sees of an encrypted file is the /Encrypt entry of its trailer
  const locked = await PDFDocument.create();
  locked.addPage();
  locked.context.trailerInfo.Encrypt = locked.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -4 });
  encryptedPdf = await locked.save({ useObjectStreams: false });
});
afterAll(async () => {
  await pool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SHA = 'ab12cd34ef56'.padEnd(64, '0').replace(/0{8}$/, '9f8e7d6c');
const SIG = 'MEUCIQ-_'.padEnd(86, 'x');

function input(over: Partial<DossierPdfInput> = {}): DossierPdfInput {
  return {
    receiptNumber: 'FAC-2026-7KQ2M9XD',
    person: { firstName: 'Camille', lastName: 'Durand', identifier: 'FAC-K7QM-3XD2-9HRW', birthDate: '2008-04-12' },
    situation: { housing: 'tenant', activity: ['salaried', 'job-seeker'], nationality: 'french', children: true, couple: false },
    aids: [
      { aidName: 'Revenu de solidarité active (RSA)', institutionName: 'CAF de Lyon', state: 'submitted' },
      { aidName: 'Complémentaire santé solidaire', institutionName: 'CPAM du Rhône', state: 'in-processing' },
    ],
    pieces: [
      { label: 'Pièce d’identité', status: 'present', document: { title: 'Carte d’identité', version: 2, bytes: png } },
      { label: 'Justificatif de domicile', status: 'expired', document: { title: 'Facture EDF', version: 1, bytes: jpeg } },
      { label: 'Avis d’imposition', status: 'present', document: { title: 'Avis 2025', version: 3, bytes: twoPagePdf } },
      { label: 'RIB', status: 'absent', document: null },
    ],
    signature: {
      mode: 'manual',
      ground: { kind: 'beneficiary-signature' },
      signerName: 'Camille Durand',
      signerIdentifier: 'FAC-K7QM-3XD2-9HRW',
      cardSerial: '0A1B2C3D',
      signedAt: '2026-02-27T14:04:00Z',
      manifestSha256: SHA,
      signature: SIG,
    },
    submittedAt: '2026-02-27T14:05:00Z',
    generatedAt: '2026-03-01T09:30:00Z',
    ...over,
  };
}

/** Files that cannot be shown, one of each kind of damage, then a good one. */
function damagedPieces(): DossierPdfInput['pieces'] {
  const text = (s: string) => new TextEncoder().encode(s);
  return [
    { label: 'Photo abîmée', status: 'present', document: { title: 'Scan', version: 1, bytes: text('not a jpeg at all') } },
    { label: 'PNG coupé', status: 'present', document: { title: 'Scan 2', version: 4, bytes: png.slice(0, 60) } },
    { label: 'PDF abîmé', status: 'present', document: { title: 'Relevé', version: 1, bytes: text('%PDF-1.7\n1 0 obj << /Type /Catalog') } },
    { label: 'JPEG sans image', status: 'present', document: { title: 'Vide', version: 1, bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]) } },
    { label: 'Vide', status: 'present', document: { title: 'Vide', version: 1, bytes: new Uint8Array() } },
    { label: 'PDF chiffré', status: 'present', document: { title: 'Relevé', version: 2, bytes: encryptedPdf } },
    { label: 'Pièce d’identité', status: 'present', document: { title: 'Carte', version: 1, bytes: jpeg } },
  ];
}

describe('dossierPdf: structure', () => {
  it('has a cover, the declared data, the list, a page per image, the PDF piece’s pages and the signature', async () => {
    const doc = await PDFDocument.load(await dossierPdf(input()), { updateMetadata: false });
    // cover + data + list + PNG + JPEG + 2 PDF pages + signature (the missing RIB has no page)
    expect(doc.getPageCount()).toBe(8);
    for (const i of [0, 1, 2, 3, 4, 7]) {
      expect(doc.getPage(i).getSize()).toEqual({ width: A4.width, height: A4.height });
    }
    // copied pages keep their content and rotation, with a header strip added on their visible top
    const [first, second] = [doc.getPage(5), doc.getPage(6)];
    expect(first.getRotation().angle).toBe(0);
    expect(first.getCropBox()).toMatchObject({ x: 0, y: 0, width: A4.width, height: A4.height + 22 });
    expect(second.getRotation().angle).toBe(90);
    expect(second.getCropBox()).toMatchObject({ x: -22, y: 0, width: A4.width + 22, height: A4.height });

    expect(doc.getTitle()).toBe('Demande d’aide — Revenu de solidarité active (RSA), Complémentaire santé solidaire — Camille Durand');
    expect(doc.getAuthor()).toBe('Facilitateur');
    expect(doc.getCreator()).toBe('Facilitateur');
    expect(doc.getProducer()).toBe('Facilitateur');
    expect(doc.getSubject()).toContain('FAC-2026-7KQ2M9XD');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-03-01T09:30:00.000Z');
    const lang = doc.catalog.lookup(PDFName.of('Lang'));
    expect(lang instanceof PDFString && lang.decodeText()).toBe('fr-FR');
  });

  it('does not fail on damaged pieces: one page each instead', async () => {
    const doc = await PDFDocument.load(await dossierPdf(input({ pieces: damagedPieces() })));
    expect(doc.getPageCount()).toBe(3 + 7 + 1);
  });

  it('embeds a WebP scan (pdf-lib has no WebP: converted on the way)', async () => {
    const pieces: DossierPdfInput['pieces'] = [{ label: 'Photo', status: 'present', document: { title: 'Photo', version: 1, bytes: webp } }];
    const doc = await PDFDocument.load(await dossierPdf(input({ pieces })));
    expect(doc.getPageCount()).toBe(5);
  });
});

describe('dossierPdf: what it says (pdftotext)', () => {
  beforeAll(requirePdftotext);
  it('says who, what, when, which papers and how it was signed, in plain French', async () => {
    const pages = pagesText(await dossierPdf(input()));
    expect(pages).toHaveLength(8);
    const [cover, data, list, pngPage, jpegPage, pdf1, pdf2, signature] = pages as [string, string, string, string, string, string, string, string];

    for (const s of [
      'Demande d’aide',
      'Numéro de dépôt FAC-2026-7KQ2M9XD',
      'Revenu de solidarité active (RSA) Traitée par : CAF de Lyon État : Envoyée',
      'Complémentaire santé solidaire Traitée par : CPAM du Rhône État : En cours d’étude',
      'Nom Camille Durand',
      'Identifiant Facilitateur FAC-K7QM-3XD2-9HRW',
      'Date de naissance 12 avril 2008',
      'Envoyée le 27 février 2026 à 15 h 05',
      'Dossier imprimé le 1er mars 2026 à 10 h 30',
      'page 1 sur 8',
    ]) {
      expect(cover).toContain(s);
    }

    for (const s of ['Logement Locataire', 'Activités Salarié(e), Demandeur ou demandeuse d’emploi', 'Nationalité Française', 'Enfants à charge Oui', 'En couple Non']) {
      expect(data).toContain(s);
    }

    expect(list).toContain('4 papiers demandés : 2 fournis, 2 pas encore fournis.');
    expect(list).toContain('1. Pièce d’identité État : Fournie Document : « Carte d’identité », version 2');
    expect(list).toContain('2. Justificatif de domicile État : Périmée');
    expect(list).toContain('Document : « Facture EDF », version 1');
    expect(list).toContain('4. RIB État : Manquante');

    expect(pngPage).toContain('Pièce 1 sur 4 : Pièce d’identité');
    expect(pngPage).toContain('« Carte d’identité », version 2');
    expect(jpegPage).toContain('Pièce 2 sur 4 : Justificatif de domicile');
    expect(jpegPage).toContain('Périmée');
    expect(pdf1).toContain('Avis impots page une');
    expect(pdf1).toContain('Pièce 3 sur 4 : Avis d’imposition');
    expect(pdf1).toContain('(page 1 sur 2) — page 6 sur 8');
    expect(pdf2).toContain('Avis impots page deux');
    expect(pdf2).toContain('(page 2 sur 2) — page 7 sur 8');

    for (const s of [
      'Avec la carte Facilitateur de la personne',
      'Signataire Camille Durand — identifiant FAC-K7QM-3XD2-9HRW',
      'Numéro de la carte 0A1B2C3D',
      'Date de la signature 27 février 2026 à 15 h 04',
      'Mode d’envoi Envoi après confirmation',
      'a vérifié cette signature avec le certificat de la carte',
    ]) {
      expect(signature).toContain(s);
    }
    expect(squash(signature)).toContain(SHA);
    expect(squash(signature)).toContain(SIG);
  });

  it('puts the header strip of a rotated page on its visible top', async () => {
    const all = words(await dossierPdf(input()));
    // pdftotext places words as the page is displayed (turned by its /Rotate): the header reads on one
    // line along the top, inside the 22 pt strip, above the page's own content
    const page = all.filter((w) => w.page === 6);
    const header = page.filter((w) => w.yMax <= 22);
    expect(header.map((w) => w.text).join(' ')).toMatch(/^Pièce 3 sur 4 : Avis d’imposition .* page 7 sur 8$/);
    expect(new Set(header.map((w) => w.yMin)).size).toBe(1);
    expect(page.find((w) => w.text === 'impots')!.yMin).toBeGreaterThan(22);
  });

  it('keeps accents, apostrophes, guillemets and œ; replaces what the fonts cannot draw instead of failing', async () => {
    const pages = pagesText(
      await dossierPdf(
        input({
          person: { firstName: 'Zoë', lastName: 'L’Haÿ-Œuvray', identifier: 'FAC-K7QM-3XD2-9HRW', birthDate: '2008-04-01' },
          aids: [{ aidName: 'Aide « cœur » — été', institutionName: 'Mairie de Łódź\u202Fnord', state: 'information-requested' }],
          pieces: [{ label: 'Attestation de l’hébergeur 🏠 ✓\tà jour', status: 'arriving', document: null }],
        }),
      ),
    );
    expect(pages[0]).toContain('Zoë L’Haÿ-Œuvray');
    expect(pages[0]).toContain('Date de naissance 1er avril 2008');
    expect(pages[0]).toContain('Aide « cœur » — été');
    expect(pages[0]).toContain('Traitée par : Mairie de Lódz nord');
    expect(pages[0]).toContain('État : Le service pose une question');
    expect(pages[2]).toContain('1. Attestation de l’hébergeur ? ? à jour');
    expect(pages[2]).toContain('État : En route');
  });

  it('wraps long texts and carries them onto further pages, never past the margins', async () => {
    const longLabel = `${'Attestation très détaillée délivrée par l’organisme compétent '.repeat(60)}${'X'.repeat(300)} fin-du-libellé`;
    const aids = Array.from({ length: 12 }, (_, i) => ({
      aidName: `Aide numéro ${i + 1} avec un nom vraiment très long pour voir comment il passe à la ligne sur la page de garde`,
      institutionName: 'Caisse d’allocations familiales du département, antenne du quartier nord, guichet du mardi',
      state: 'collecting-pieces' as const,
    }));
    const pieces: DossierPdfInput['pieces'] = [
      { label: longLabel, status: 'present', document: { title: 'Image', version: 1, bytes: png } },
      ...Array.from({ length: 30 }, (_, i) => ({ label: `Papier ${i + 1}`, status: 'absent' as const, document: null })),
    ];
    const bytes = await dossierPdf(input({ aids, pieces, signature: { ...input().signature!, signature: 'Z'.repeat(400) } }));
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(3 + 1 + 1 + 2); // cover and list overflow

    const text = pagesText(bytes).join(' ');
    expect(text).toContain('fin-du-libellé');
    expect(text).toContain('Aide numéro 12');
    expect(text).toContain('31. Papier 30');
    expect(squash(text)).toContain('X'.repeat(300));
    expect(squash(text)).toContain('Z'.repeat(400));

    const all = words(bytes);
    expect(all.length).toBeGreaterThan(500);
    for (const w of all) {
      expect(w.xMin, w.text).toBeGreaterThanOrEqual(MARGIN - 0.5);
      expect(w.xMax, w.text).toBeLessThanOrEqual(w.pageWidth - MARGIN + 0.5);
      expect(w.yMin, w.text).toBeGreaterThanOrEqual(MARGIN - 14);
      expect(w.yMax, w.text).toBeLessThanOrEqual(w.pageHeight - 20);
    }
  });

  it('gives a damaged piece a page saying so, and still builds the rest of the dossier', async () => {
    const pages = pagesText(await dossierPdf(input({ pieces: damagedPieces() })));
    expect(pages).toHaveLength(3 + 7 + 1);
    for (const i of [3, 4, 5, 6, 7, 8]) expect(pages[i]).toContain('Ce papier ne peut pas être montré ici.');
    expect(pages[3]).toContain('Pièce 1 sur 7 : Photo abîmée');
    expect(pages[3]).toContain('ni une image ni un PDF lisible');
    expect(pages[4]).toContain('Cette image est abîmée');
    expect(pages[4]).toContain('« Scan 2 », version 4');
    expect(pages[5]).toContain('Ce PDF est abîmé');
    expect(pages[8]).toContain('protégé par un mot de passe');
    expect(pages[9]).toContain('Pièce 7 sur 7 : Pièce d’identité');
    expect(pages[9]).not.toContain('ne peut pas être montré');
  });

  it('says "Non signée" for a dossier not yet signed nor sent', async () => {
    const pages = pagesText(await dossierPdf(input({ signature: null, receiptNumber: null, submittedAt: null })));
    expect(pages[0]).toContain('Pas encore de numéro de dépôt');
    expect(pages[0]).toContain('Envoyée le Pas encore envoyée');
    expect(pages.at(-1)).toContain('Non signée');
    expect(pages.at(-1)).not.toContain('a vérifié cette signature');
  });

  it('shows an agent’s signature on a procuration: who, of which structure, for whom; and the automatic mode', async () => {
    const signature = {
      ...input().signature!,
      mode: 'automatic' as const,
      ground: { kind: 'procuration' as const, procurationId: '8f0c6a52-4d0e-4c1b-9a57-1f1b6c2f9e11' },
      onProcuration: { agent: 'Nadia Benali', structure: 'CMS Villeurbanne', person: 'Camille Durand' },
      signerName: 'Nadia Benali',
      signerIdentifier: 'FAC-AG3N-T7XP-2MQD',
    };
    const last = pagesText(await dossierPdf(input({ signature, submittedAt: null }))).at(-1)!;
    expect(last).toContain('Par Nadia Benali (CMS Villeurbanne), avec la procuration de Camille Durand');
    expect(last).toContain('Nadia Benali — identifiant FAC-AG3N-T7XP-2MQD');
    expect(last).toContain('Mode d’envoi Envoi automatique à l’arrivée du dernier papier');
    expect(last).toContain('sera envoyée automatiquement dès que le dernier papier arrivera');
  });
});

const receipt = (over: Partial<ReceiptInput> = {}): ReceiptInput => ({
  receiptNumber: 'FAC-2026-7KQ2M9XD',
  person: { firstName: 'Camille', lastName: 'Durand', identifier: 'FAC-K7QM-3XD2-9HRW' },
  aids: [
    { aidName: 'Revenu de solidarité active (RSA)', institutionName: 'CAF de Lyon' },
    { aidName: 'Complémentaire santé solidaire', institutionName: 'CPAM du Rhône' },
  ],
  mode: 'manual',
  signedAt: '2026-02-27T14:04:00Z',
  submittedAt: '2026-02-27T14:05:00Z',
  piecesGiven: 4,
  piecesMissing: 0,
  manifestSha256: SHA,
  ...over,
});

describe('receiptPdf', () => {
  beforeAll(requirePdftotext);
  it('is one A4 page with its metadata', async () => {
    const doc = await PDFDocument.load(await receiptPdf(receipt()), { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: A4.width, height: A4.height });
    expect(doc.getTitle()).toBe('Récépissé de dépôt FAC-2026-7KQ2M9XD — Camille Durand');
    expect(doc.getAuthor()).toBe('Facilitateur');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-02-27T14:05:00.000Z');
  });

  it('sent after confirmation: number in large type, who, what, when, papers, hash, the FALC sentence', async () => {
    const bytes = await receiptPdf(receipt({ piecesGiven: 3, piecesMissing: 1 }));
    const [text] = pagesText(bytes) as [string];
    for (const s of [
      'Récépissé de dépôt',
      'FAC-2026-7KQ2M9XD',
      'Demande faite par Camille Durand — identifiant FAC-K7QM-3XD2-9HRW',
      '• Revenu de solidarité active (RSA) — CAF de Lyon',
      '• Complémentaire santé solidaire — CPAM du Rhône',
      'Signée le 27 février 2026 à 15 h 04',
      'Envoyée le 27 février 2026 à 15 h 05',
      '3 papiers donnés, 1 papier manquant',
      'Code de contrôle ab12 cd34 ef56',
      'Gardez ce papier. Il prouve que vous avez fait votre demande.',
    ]) {
      expect(text).toContain(s);
    }
    expect(squash(text)).toContain(SHA);
    expect(text).not.toMatch(/Marianne|République française/);
    expect(text).not.toContain('Envoyée par');
    const number = words(bytes).find((w) => w.text === 'FAC-2026-7KQ2M9XD')!;
    expect(number.yMax - number.yMin).toBeGreaterThan(24);
  });

  it('sent by an agent on the person’s procuration: says who sent it, of which structure, on whose procuration', async () => {
    const [text] = pagesText(await receiptPdf(receipt({ sentBy: { agent: 'Nadia Benali', structure: 'CMS Villeurbanne', person: 'Camille Durand' } }))) as [string];
    expect(text).toContain('Demande faite par Camille Durand — identifiant FAC-K7QM-3XD2-9HRW');
    expect(text).toContain('Envoyée par Nadia Benali (CMS Villeurbanne), avec la procuration de Camille Durand');
  });

  it('signed for automatic sending: says it will leave when the last paper arrives', async () => {
    const [text] = pagesText(await receiptPdf(receipt({ mode: 'automatic', submittedAt: null, piecesGiven: 2, piecesMissing: 2 }))) as [string];
    expect(text).toContain('sera envoyée automatiquement dès que le dernier papier arrivera');
    expect(text).not.toContain('Envoyée le');
    expect(text).toContain('2 papiers donnés, 2 papiers manquants');
  });
});
