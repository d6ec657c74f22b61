/** The OCR command line, run as a child process the way `npm run ocr -- FILE…` runs it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { z } from 'zod';
import { renderPayslip } from '../../../tests/fixtures/admin.ts';
import { renderRib } from '../../../tests/fixtures/documents.ts';
import { renderPassport } from '../../../tests/fixtures/identity.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'kiosk/core/ocr/cli.ts');

const Ok = z.strictObject({
  file: z.string(),
  type: z.string(),
  fields: z.record(z.string(), z.strictObject({ value: z.string(), confidence: z.number().min(0).max(1) })),
  text: z.string(),
});
const Failed = z.strictObject({ file: z.string(), error: z.strictObject({ code: z.string(), message: z.string() }) });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocr-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: ROOT, env: { ...process.env, OCR_CACHE_DIR: join(dir, 'cache') }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

it('prints one JSON line per file, for every type, errors included, and exits non-zero when one failed', async () => {
  const { png, expected } = await renderRib({ seed: 21, font: 'Liberation Sans' });
  const good = join(dir, 'rib.png');
  writeFileSync(good, png);
  const passportDoc = await renderPassport({ seed: 4 });
  const passport = join(dir, 'passport.png');
  writeFileSync(passport, passportDoc.png);
  const payslipDoc = await renderPayslip({ seed: 4, twoDDoc: true });
  const payslip = join(dir, 'payslip.png');
  writeFileSync(payslip, payslipDoc.png);
  const bad = join(dir, 'notes.txt');
  writeFileSync(bad, 'pas une image\n');
  // a real PDF: only photos are read, a PDF gets a clear refusal
  const pdfDoc = await PDFDocument.create();
  pdfDoc.addPage().drawText('RELEVE D IDENTITE BANCAIRE', { font: await pdfDoc.embedFont(StandardFonts.Helvetica) });
  const pdf = join(dir, 'scan.pdf');
  writeFileSync(pdf, await pdfDoc.save());
  const missing = join(dir, 'absent.jpg');

  const { code, stdout, stderr } = await run([good, passport, payslip, bad, pdf, missing]);
  expect(stderr).toBe('');
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  expect(lines).toHaveLength(6);

  const ok = Ok.parse(lines[0]);
  expect(ok.file).toBe(good);
  expect(ok.type).toBe('rib');
  expect(ok.fields.iban?.value).toBe(expected.fields.iban);
  expect(ok.fields.bic?.value).toBe(expected.fields.bic);
  expect(ok.text).toContain('IBAN');

  const p = Ok.parse(lines[1]);
  expect(p.type).toBe('passport');
  for (const [name, value] of Object.entries(passportDoc.expected.fields)) expect(p.fields[name]?.value, name).toBe(value);

  const slip = Ok.parse(lines[2]);
  expect(slip.type).toBe('payslip');
  expect(slip.fields.siret).toEqual({ value: payslipDoc.expected.fields.siret, confidence: 1 });

  expect(Failed.parse(lines[3])).toMatchObject({ file: bad, error: { code: 'bad-image' } });
  expect(Failed.parse(lines[4])).toMatchObject({ file: pdf, error: { code: 'bad-image', message: expect.stringMatching(/PDF.*photo/) } });
  expect(Failed.parse(lines[5])).toMatchObject({ file: missing, error: { code: 'file-error' } });
  expect(code).toBe(1);
}, 120_000);

it('exits 0 when every file was read, and 2 without files', async () => {
  const { png } = await renderRib({ seed: 22 });
  const good = join(dir, 'rib2.png');
  writeFileSync(good, png);
  const okRun = await run([good]);
  expect(okRun.code).toBe(0);
  expect(Ok.parse(JSON.parse(okRun.stdout.trim())).type).toBe('rib');
  const usage = await run([]);
  expect(usage.code).toBe(2);
  expect(usage.stdout).toBe('');
}, 90_000);
