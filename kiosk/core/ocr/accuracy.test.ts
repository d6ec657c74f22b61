/**
 * Field accuracy of the OCR pool (real tesseract.js, real zxing-wasm, one warm worker) on the generated
 * corpus of tests/fixtures/corpus.ts: every document type, clean and degraded. Prints a table per type.
 * Fails below 95 % exact fields on the clean images (the document type counts as one field); degraded
 * images are reported, not held to it. Also: deliberately wrong check digits are flagged, and 2D-Doc data
 * comes through the pool with its signature checked against a trust store holding the test authority
 * (verified; refused when altered; not checkable for an authority the store lacks; malformed codes said),
 * and compared with the printed text, without any network access.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPayslip, renderTaxNotice } from '../../../tests/fixtures/admin.ts';
import type { CorpusCase } from '../../../tests/fixtures/corpus.ts';
import { cleanCorpus, degradedCorpus } from '../../../tests/fixtures/corpus.ts';
import { renderIdentityCard, renderPassport } from '../../../tests/fixtures/identity.ts';
import { base32, dataMatrixPng, issueSigner, makeAuthority, TEST_AUTHORITY, writeTrustStore } from '../../../tests/fixtures/twoddoc.ts';
import { createOcrPool, loadTwoDDocTrustStore } from './index.ts';
import type { OcrPool, OcrResult } from './index.ts';

let cacheDir: string;
let pool: OcrPool;

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'ocr-accuracy-'));
  const trustDir = join(cacheDir, 'trust');
  mkdirSync(trustDir);
  const trust = loadTwoDDocTrustStore(writeTrustStore(trustDir));
  expect(trust.problems).toEqual([]);
  pool = createOcrPool({ cacheDir, jobTimeoutMs: 60_000, twoDDocTrust: trust.store });
  await pool.ready();
}, 90_000);

afterAll(async () => {
  await pool?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

interface Score {
  docs: number;
  typeOk: number;
  fields: number;
  exact: number;
  ms: number;
}

interface Run {
  byType: Map<string, Score>;
  misses: string[];
  total: Score;
  /** documents whose recognised text shows the SPÉCIMEN marking */
  marked: number;
}

const THRESHOLD = 0.95;
/** A type far below the overall rate means its extractor is broken, even if the others carry the average. */
const TYPE_FLOOR = 0.8;

async function runCorpus(cases: readonly CorpusCase[]): Promise<Run> {
  const byType = new Map<string, Score>();
  const total: Score = { docs: 0, typeOk: 0, fields: 0, exact: 0, ms: 0 };
  const misses: string[] = [];
  let marked = 0;
  for (const c of cases) {
    const doc = await c.render();
    const t = performance.now();
    let r: OcrResult | null = null;
    try {
      r = await pool.analyse(doc.png);
    } catch (err) {
      misses.push(`${c.id}: no result (${String(err)})`);
    }
    const ms = performance.now() - t;
    if (r && /SP[ÉE]CIMEN/i.test(r.text)) marked++;
    const s = byType.get(c.docType) ?? { docs: 0, typeOk: 0, fields: 0, exact: 0, ms: 0 };
    const typeOk = r?.docType === doc.docType;
    if (!typeOk && r) misses.push(`${c.id}: type ${r.docType}, expected ${doc.docType}`);
    let exact = typeOk ? 1 : 0;
    const entries = Object.entries(doc.fields);
    for (const [name, want] of entries) {
      const got = r?.fields[name]?.value;
      if (got === want) exact++;
      else if (r) misses.push(`${c.id}: ${name} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
    for (const x of [s, total]) {
      x.docs++;
      x.typeOk += typeOk ? 1 : 0;
      x.fields += entries.length + 1;
      x.exact += exact;
      x.ms += ms;
    }
    byType.set(c.docType, s);
  }
  return { byType, misses, total, marked };
}

function pct(s: Score): number {
  return s.fields ? s.exact / s.fields : 0;
}

function table(title: string, run: Run): string {
  const row = (name: string, s: Score) =>
    `${name.padEnd(18)} ${String(s.docs).padStart(4)}  ${`${s.typeOk}/${s.docs}`.padStart(7)}  ${`${s.exact}/${s.fields}`.padStart(9)}  ${(pct(s) * 100).toFixed(1).padStart(6)} %  ${String(Math.round(s.ms / s.docs)).padStart(6)} ms`;
  const lines = [
    title,
    `${'type'.padEnd(18)} ${'docs'.padStart(4)}  ${'type ok'.padStart(7)}  ${'exact'.padStart(9)}  ${'rate'.padStart(8)}  ${'mean'.padStart(9)}`,
    ...[...run.byType.entries()].map(([t, s]) => row(t, s)),
    row('all', run.total),
  ];
  if (run.misses.length) lines.push('misses:', ...run.misses.map((m) => `  ${m}`));
  return lines.join('\n');
}

describe('field accuracy on the generated corpus', () => {
  it(`clean images: at least ${THRESHOLD * 100} % of fields exact`, async () => {
    const run = await runCorpus(cleanCorpus());
    console.info(table('OCR field accuracy, clean corpus (exact match; the document type counts as a field)', run));
    expect(run.total.docs).toBeGreaterThanOrEqual(25);
    // every generated document is visibly fictitious
    expect(run.marked).toBe(run.total.docs);
    expect(run.byType.size).toBe(9); // every type the OCR extracts: the RIB and the eight of issue #4
    for (const [type, s] of run.byType) expect(pct(s), `${type} below the per-type floor`).toBeGreaterThanOrEqual(TYPE_FLOOR);
    expect(pct(run.total)).toBeGreaterThanOrEqual(THRESHOLD);
  }, 240_000);

  it('degraded images (rotation, noise, blur, perspective, JPEG): reported', async () => {
    const run = await runCorpus(degradedCorpus());
    console.info(table('OCR field accuracy, degraded corpus (reported, no threshold)', run));
    // Reported, not held to the threshold; but every image was processed into a typed result.
    expect(run.total.docs).toBe(degradedCorpus().length);
    expect(run.misses.filter((m) => m.includes('no result'))).toEqual([]);
  }, 240_000);
});

describe('check digits and 2D-Doc through the pool', () => {
  it('flags a deliberately wrong check digit in an identity card and a passport', async () => {
    const cardDoc = await renderIdentityCard({ seed: 3, broken: 'expiry' });
    const card = await pool.analyse(cardDoc.png);
    expect(card.docType).toBe('identity-card');
    expect(card.fields.expiryDate).toMatchObject({ value: cardDoc.expected.fields.expiryDate, valid: false, source: 'mrz' });
    expect(card.fields.expiryDate!.confidence).toBeLessThan(0.6);
    expect(card.fields.birthDate).toMatchObject({ value: cardDoc.expected.fields.birthDate, valid: true });

    const passportDoc = await renderPassport({ seed: 2, broken: 'document' });
    const passport = await pool.analyse(passportDoc.png);
    expect(passport.docType).toBe('passport');
    expect(passport.fields.documentNumber).toMatchObject({ valid: false });
    expect(passport.fields.documentNumber!.confidence).toBeLessThan(0.6);
  }, 60_000);

  it('prefers a verified 2D-Doc to the printed text: confidence 1, the authority named, no network', async () => {
    const doc = await renderPayslip({ seed: 8, twoDDoc: true });
    const r = await pool.analyse(doc.png);
    expect(r.docType).toBe('payslip');
    expect(r.twoDDoc).toBeDefined();
    expect(r.twoDDoc!.header).toMatchObject({ version: 4, caId: 'FR99', certId: 'TS01', docType: '06', country: 'FR' });
    expect(r.twoDDoc!.signature).toMatchObject({ present: true, verified: true });
    expect(r.twoDDocCheck).toMatchObject({ status: 'verified', caId: 'FR99', certId: 'TS01', authority: TEST_AUTHORITY.name });
    expect(r.twoDDoc!.mismatches).toEqual([]);
    expect(r.fields.siret).toMatchObject({ value: doc.expected.fields.siret, confidence: 1, valid: true, source: '2d-doc' });
    expect(r.fields.employee).toMatchObject({ value: doc.expected.fields.employee, confidence: 1, source: '2d-doc' });
    // what the code does not carry is still read from the print
    expect(r.fields.netPay).toMatchObject({ value: doc.expected.fields.netPay, source: 'ocr' });
    expect(r.timings.barcodeMs).toBeGreaterThan(0);
    expect(pool.stats().networkAttempts).toBe(0);
  }, 60_000);

  it('verifies a tax notice’s code and finds the print saying the same: name, reference income, year, numéro fiscal', async () => {
    const doc = await renderTaxNotice({ seed: 11, twoDDoc: true });
    const r = await pool.analyse(doc.png);
    expect(r.docType).toBe('tax-notice');
    expect(r.twoDDocCheck?.status).toBe('verified');
    const agreement = Object.fromEntries(r.twoDDocCheck!.fields.map((f) => [f.name, f.agreement]));
    expect(agreement).toMatchObject({ holder: 'agrees', referenceIncome: 'agrees', incomeYear: 'agrees', taxNumber: 'agrees' });
    expect(r.fields.referenceIncome).toMatchObject({ value: doc.expected.fields.referenceIncome, confidence: 1, source: '2d-doc' });
  }, 60_000);

  it('says where a forged print disagrees with the verified code, and keeps the code’s value', async () => {
    const doc = await renderTaxNotice({ seed: 12, twoDDoc: true, forgePrintedIncome: 9_990 });
    const r = await pool.analyse(doc.png);
    expect(r.twoDDocCheck?.status).toBe('verified');
    expect(r.twoDDocCheck!.fields.find((f) => f.name === 'referenceIncome')?.agreement).toBe('disagrees');
    expect(r.twoDDoc?.mismatches).toEqual(['referenceIncome']);
    expect(r.fields.referenceIncome).toMatchObject({ value: doc.expected.fields.referenceIncome, source: '2d-doc' });
  }, 60_000);

  it('refuses a code altered after signing: its data is not used, the print is read', async () => {
    const doc = await renderTaxNotice({ seed: 13, twoDDoc: true, tamperTwoDDoc: true });
    const r = await pool.analyse(doc.png);
    expect(r.twoDDoc?.signature.verified).toBe(false);
    expect(r.twoDDocCheck).toMatchObject({ status: 'invalid-signature', caId: 'FR99' });
    expect(r.fields.referenceIncome).toMatchObject({ value: doc.expected.fields.referenceIncome, source: 'ocr' });
    expect(r.fields.holder?.source).toBe('ocr');
    expect(Object.values(r.fields).every((f) => f.source !== '2d-doc')).toBe(true);
  }, 60_000);

  it('cannot check a code of an authority the tablet does not hold: read, and said so, calmly', async () => {
    const signer = issueSigner(makeAuthority('FR03'), 'AV01');
    const doc = await renderPayslip({ seed: 9, twoDDoc: true, twoDDocSigner: signer });
    const r = await pool.analyse(doc.png);
    expect(r.twoDDocCheck).toMatchObject({ status: 'unknown-authority', caId: 'FR03', certId: 'AV01', authority: null });
    expect(r.twoDDoc?.signature.reason).toMatch(/authority FR03 is not in this kiosk's 2D-Doc trust store/);
    expect(r.fields.siret).toMatchObject({ value: doc.expected.fields.siret, source: '2d-doc' });
  }, 60_000);

  it('says a DataMatrix that claims to be a 2D-Doc but does not parse is malformed, and reads the print', async () => {
    const doc = await renderPayslip({ seed: 14 });
    // a P-256 signature cut short: base32 of 40 bytes instead of 64
    const hostile = `DC04FR99TS01FFFF1FB60601FR50${doc.expected.fields.siret}\x1f${base32(new Uint8Array(40).fill(7))}`;
    const code = await dataMatrixPng(hostile, 4);
    const png = await sharp(doc.png).composite([{ input: code.png, left: 1240, top: 300 }]).png().toBuffer();
    const r = await pool.analyse(png);
    expect(r.twoDDoc).toBeUndefined();
    expect(r.twoDDocCheck).toMatchObject({ status: 'malformed', caId: null, fields: [] });
    expect(r.docType).toBe('payslip');
    expect(r.fields.siret).toMatchObject({ value: doc.expected.fields.siret, source: 'ocr' });
  }, 60_000);

  it('reads the printed text when the DataMatrix on the page is not a 2D-Doc', async () => {
    const doc = await renderPayslip({ seed: 10 });
    const code = await dataMatrixPng('https://example.org/suivi/colis/42', 4);
    const png = await sharp(doc.png).composite([{ input: code.png, left: 1240, top: 300 }]).png().toBuffer();
    const r = await pool.analyse(png);
    expect(r.twoDDoc).toBeUndefined();
    expect(r.docType).toBe('payslip');
    expect(r.fields.siret).toMatchObject({ value: doc.expected.fields.siret, source: 'ocr' });
    expect(pool.stats().networkAttempts).toBe(0);
  }, 60_000);
});
