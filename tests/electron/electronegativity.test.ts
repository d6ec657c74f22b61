/**
 * @doyensec/electronegativity over the kiosk's Electron code (kiosk/main, kiosk/preload, kiosk/renderer/src;
 * the sources that ship, not their unit tests nor build output). Every finding is fixed or explained in
 * build/electronegativity-allowlist.json; an unlisted finding fails, and so does a stale entry. Findings the
 * scanner raises only because it cannot follow a function call are proved safe by a witness scan of that
 * function's actual output.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APP_CSP } from '../../kiosk/main/app-protocol.ts';
import { windowOptions } from '../../kiosk/main/policy.ts';

const REPO = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const SCANNED = ['kiosk/main', 'kiosk/preload', 'kiosk/renderer/src'];

const Finding = z.object({
  id: z.string(),
  file: z.string(),
  location: z.object({ line: z.number(), column: z.number() }),
  sample: z.string().optional(),
  description: z.unknown(),
  severity: z.object({ name: z.string() }),
  confidence: z.object({ name: z.string() }),
});
type Finding = z.infer<typeof Finding>;
const Result = z.object({ errors: z.array(z.object({ file: z.string(), message: z.string(), tolerable: z.boolean() })), issues: z.array(Finding) });

const Entry = z.object({
  id: z.string().regex(/^[A-Z_]+$/),
  file: z.string().min(1),
  sample: z.string().min(1),
  reason: z.string().min(40),
  witness: z.boolean().optional(),
});
type Entry = z.infer<typeof Entry>;
const Allowlist = z.object({
  excludedChecks: z.array(z.object({ check: z.string().min(1), reason: z.string().min(40) })),
  findings: z.array(Entry),
  witnessFindings: z.array(Entry),
});
const allowlist = Allowlist.parse(JSON.parse(readFileSync(join(REPO, 'build/electronegativity-allowlist.json'), 'utf8')));

const RunFn = z.custom<(options: Record<string, unknown>) => Promise<unknown>>((f) => typeof f === 'function');
const mod: unknown = require('@doyensec/electronegativity');
const run = RunFn.parse(typeof mod === 'function' ? mod : (mod as { default?: unknown }).default);
const electronVersion = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(REPO, 'node_modules/electron/package.json'), 'utf8'))).version;

async function scan(input: string): Promise<{ errors: z.infer<typeof Result>['errors']; findings: Finding[] }> {
  const r = Result.parse(
    await run({
      input,
      isRelative: true,
      electronVersionOverride: electronVersion,
      excludeFromScan: allowlist.excludedChecks.map((c) => c.check),
    }),
  );
  return { errors: r.errors, findings: r.issues };
}

const matches = (a: Entry, f: Finding) => a.id === f.id && a.file === f.file && (f.sample ?? '').includes(a.sample);
const describeFinding = (f: Finding) => `${f.id} ${f.file}:${f.location.line} (${f.severity.name}/${f.confidence.name}) ${f.sample ?? ''}`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fac-electronegativity-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('electronegativity over the Electron code', () => {
  let findings: Finding[];

  beforeAll(async () => {
    const tree = join(work, 'app');
    for (const dir of SCANNED) {
      cpSync(join(REPO, dir), join(tree, dir), {
        recursive: true,
        filter: (src) => !/(^|\/)(dist|node_modules)(\/|$)/.test(src.slice(REPO.length)) && !/\.test\.tsx?$/.test(src),
      });
    }
    const r = await scan(tree);
    expect(r.errors.filter((e) => !e.tolerable), 'files the scanner could not parse').toEqual([]);
    findings = r.findings;
  }, 120_000);

  it('finds nothing but the reviewed allow-list', () => {
    const unlisted = findings.filter((f) => !allowlist.findings.some((a) => matches(a, f)));
    expect(unlisted.map(describeFinding), 'fix these, or add them to build/electronegativity-allowlist.json with a reason').toEqual([]);
  });

  it('has no stale allow-list entry', () => {
    const stale = allowlist.findings.filter((a) => !findings.some((f) => matches(a, f)));
    expect(stale.map((a) => `${a.id} ${a.file}`), 'remove these from build/electronegativity-allowlist.json').toEqual([]);
  });
});

describe('witness: the policies as the scanner would want them written', () => {
  let findings: Finding[];

  beforeAll(async () => {
    const tree = join(work, 'witness');
    mkdirSync(tree, { recursive: true });
    // the real window options and CSP, as literals the scanner can read
    writeFileSync(
      join(tree, 'main.js'),
      [
        "const { BrowserWindow, session } = require('electron');",
        `const win = new BrowserWindow(${JSON.stringify(windowOptions('/app/preload.cjs', false), null, 2)});`,
        'session.defaultSession.setPermissionRequestHandler((wc, permission, callback) => callback(false));',
        "win.webContents.on('will-navigate', (event) => event.preventDefault());",
        "win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));",
        '',
      ].join('\n'),
    );
    writeFileSync(join(tree, 'index.html'), `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${APP_CSP}"></head><body></body></html>\n`);
    findings = (await scan(tree)).findings;
  }, 120_000);

  it('the window options of policy.windowOptions() raise none of the allow-listed checks', () => {
    const witnessed = allowlist.findings.filter((a) => a.witness).map((a) => a.id);
    expect(witnessed.length).toBeGreaterThan(0);
    expect(findings.filter((f) => witnessed.includes(f.id)).map(describeFinding)).toEqual([]);
  });

  it('raises nothing else than its reviewed findings (and every one of them)', () => {
    expect(findings.filter((f) => !allowlist.witnessFindings.some((a) => matches(a, f))).map(describeFinding)).toEqual([]);
    expect(allowlist.witnessFindings.filter((a) => !findings.some((f) => matches(a, f))).map((a) => a.id)).toEqual([]);
    // the CSP is judged "maybe weak" (FIRM), never "weak" (CERTAIN)
    expect(findings.filter((f) => f.id === 'CSP_GLOBAL_CHECK').map((f) => `${f.severity.name}/${f.confidence.name}`)).toEqual(['LOW/FIRM']);
  });

  it('the witness scan can fail: the same window with contextIsolation off is reported', async () => {
    const tree = join(work, 'witness-bad');
    mkdirSync(tree, { recursive: true });
    const options = windowOptions('/app/preload.cjs', false);
    writeFileSync(join(tree, 'main.js'), `const { BrowserWindow } = require('electron');\nnew BrowserWindow(${JSON.stringify({ ...options, webPreferences: { ...options.webPreferences, contextIsolation: false, sandbox: false } })});\n`);
    const ids = (await scan(tree)).findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']));
  }, 120_000);
});
