/** The OCR command line, run as a child process the way `npm run ocr -- FILE…` runs it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { renderRib } from '../../../tests/fixtures/documents.ts';

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

it('prints one JSON line per file, errors included, and exits non-zero when one failed', async () => {
  const { png, expected } = await renderRib({ seed: 21, font: 'Liberation Sans' });
  const good = join(dir, 'rib.png');
  const bad = join(dir, 'notes.txt');
  writeFileSync(good, png);
  writeFileSync(bad, 'pas une image\n');
  const missing = join(dir, 'absent.jpg');

  const { code, stdout, stderr } = await run([good, bad, missing]);
  expect(stderr).toBe('');
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  expect(lines).toHaveLength(3);

  const ok = Ok.parse(lines[0]);
  expect(ok.file).toBe(good);
  expect(ok.type).toBe('rib');
  expect(ok.fields.iban?.value).toBe(expected.fields.iban);
  expect(ok.fields.bic?.value).toBe(expected.fields.bic);
  expect(ok.text).toContain('IBAN');

  expect(Failed.parse(lines[1])).toMatchObject({ file: bad, error: { code: 'bad-image' } });
  expect(Failed.parse(lines[2])).toMatchObject({ file: missing, error: { code: 'file-error' } });
  expect(code).toBe(1);
}, 90_000);

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
