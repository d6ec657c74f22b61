/**
 * The import rules of DESIGN.md §3 must fail the test command when broken: this builds a throw-away
 * tree with one violation per rule and runs the same dependency-cruiser configuration over it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
let dir: string;

function write(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

function cruise(...paths: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(join(repo, 'node_modules/.bin/depcruise'), ['--config', join(repo, '.dependency-cruiser.cjs'), ...paths], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fac-imports-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(repo, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
  write('kiosk/contract/schema.ts', "import { z } from 'zod';\nexport const A = z.string();\n");
  write('kiosk/core/ok.ts', "import { A } from '../contract/schema.ts';\nexport const B = A;\n");
  write('sync-server/protocol/p.ts', "import { z } from 'zod';\nexport const P = z.number();\n");
  // a protocol schema file that leads to a Node-only part of the protocol
  write('sync-server/protocol/card-certificate.ts', "import { createHash } from 'node:crypto';\nexport const C = createHash;\n");
  write('sync-server/protocol/leads.ts', "import { C } from './card-certificate.ts';\nexport const L = C;\n");
  write('sync-server/protocol/print/kit.ts', "import { PDFDocument } from 'pdf-lib';\nimport { P } from '../p.ts';\nexport const K = [PDFDocument, P];\n");
  write('sync-server/src/s.ts', "export const S = 1;\n");
  write('drivers/pcsc/card.ts', 'export const C = 1;\n');
  // the server's layers: kernel ← features (through their faces) ← edge
  write('sync-server/src/kernel/k.ts', 'export const K = 1;\n');
  write('sync-server/src/features/a/inner.ts', "import { K } from '../../kernel/k.ts';\nexport const AI = K;\n");
  write('sync-server/src/features/a/index.ts', "export { AI } from './inner.ts';\n");
  write('sync-server/src/features/b/inner.ts', "import { AI } from '../a/index.ts';\nexport const BI = AI;\n");
  write('sync-server/src/features/b/index.ts', "export { BI } from './inner.ts';\n");
  write('sync-server/src/edge/e.ts', "import { BI } from '../features/b/index.ts';\nexport const E = BI;\n");
  write('sync-server/test-support/t.ts', 'export const T = 1;\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import rules', () => {
  it('pass on a tree that keeps them', () => {
    write('kiosk/renderer/src/good.ts', "import { A } from '../../contract/schema.ts';\nexport const G = A;\n");
    write('kiosk/core/uses-protocol.ts', "import { P } from '../../sync-server/protocol/p.ts';\nexport const U = P;\n");
    // the contract reuses the protocol's schemas instead of copying them
    write('kiosk/contract/reuses.ts', "import { P } from '../../sync-server/protocol/p.ts';\nexport const R = P;\n");
    // the kiosk core prints with the PDF kit
    write('kiosk/core/prints.ts', "import { K } from '../../sync-server/protocol/print/kit.ts';\nexport const V = K;\n");
    const r = cruise('kiosk', 'drivers', 'sync-server');
    expect(r.out).toContain('no dependency violations');
    // a feature reaching into its own files is fine
    expect(r.out).not.toContain('server-feature-face');
    expect(r.code).toBe(0);
  });

  const cases: [string, string, string][] = [
    ['renderer-no-node', 'kiosk/renderer/src/bad.ts', "import { readFileSync } from 'node:fs';\nexport const X = readFileSync;\n"],
    ['renderer-only-contract', 'kiosk/renderer/src/bad.ts', "import { B } from '../../core/ok.ts';\nexport const X = B;\n"],
    ['drivers-stay-independent', 'drivers/pcsc/bad.ts', "import { B } from '../../kiosk/core/ok.ts';\nexport const X = B;\n"],
    ['core-no-electron', 'kiosk/core/bad.ts', "import { app } from 'electron';\nexport const X = app;\n"],
    ['renderer-no-native-packages', 'kiosk/renderer/src/bad.ts', "import Database from 'better-sqlite3';\nexport const X = Database;\n"],
    ['kiosk-uses-only-server-protocol', 'kiosk/core/bad.ts', "import { S } from '../../sync-server/src/s.ts';\nexport const X = S;\n"],
    ['server-not-kiosk', 'sync-server/src/bad.ts', "import { B } from '../../kiosk/core/ok.ts';\nexport const X = B;\n"],
    ['contract-is-pure', 'kiosk/contract/bad.ts', "import { B } from '../core/ok.ts';\nexport const X = B;\n"],
    ['contract-is-pure', 'kiosk/contract/bad.ts', "import { P } from '../../sync-server/protocol/p.test.ts';\nexport const X = P;\n"],
    ['contract-reaches-no-node-protocol', 'kiosk/contract/bad.ts', "import { L } from '../../sync-server/protocol/leads.ts';\nexport const X = L;\n"],
    ['contract-schemas-only', 'kiosk/contract/bad.ts', "import { K } from '../../sync-server/protocol/print/kit.ts';\nexport const X = K;\n"],
    ['protocol-is-pure', 'sync-server/protocol/bad.ts', "import { PDFDocument } from 'pdf-lib';\nexport const X = PDFDocument;\n"],
    ['protocol-print-is-pdf-lib-only', 'sync-server/protocol/print/bad.ts', "import { readFileSync } from 'node:fs';\nexport const X = readFileSync;\n"],
    ['server-kernel-below-features', 'sync-server/src/kernel/bad.ts', "import { AI } from '../features/a/index.ts';\nexport const X = AI;\n"],
    ['server-features-below-edge', 'sync-server/src/features/a/bad.ts', "import { E } from '../../edge/e.ts';\nexport const X = E;\n"],
    ['server-feature-face', 'sync-server/src/features/b/bad.ts', "import { AI } from '../a/inner.ts';\nexport const X = AI;\n"],
    ['server-edge-uses-faces', 'sync-server/src/edge/bad.ts', "import { AI } from '../features/a/inner.ts';\nexport const X = AI;\n"],
    ['server-src-no-test-support', 'sync-server/src/edge/bad.ts', "import { T } from '../../test-support/t.ts';\nexport const X = T;\n"],
    ['server-only-from-its-entry-points', 'tests/bad.ts', "import { AI } from '../sync-server/src/features/a/inner.ts';\nexport const X = AI;\n"],
    ['no-circular', 'kiosk/core/cycle-a.ts', "import { Y } from './cycle-b.ts';\nexport const X = 1 + Y;\n"],
  ];

  it('fail, naming each broken rule, when the tree breaks them', () => {
    cases.forEach(([, file, text], i) => write(file.replace('bad.ts', `bad-${i}.ts`), text));
    write('sync-server/protocol/p.test.ts', "export const P = 1;\n");
    write('kiosk/core/cycle-b.ts', "import { X } from './cycle-a.ts';\nexport const Y = 2;\nexport const Z = X;\n");
    const r = cruise('kiosk', 'drivers', 'sync-server', 'tests');
    expect(r.code).not.toBe(0);
    for (const [rule] of cases) expect(r.out, `rule ${rule} not reported`).toContain(`error ${rule}:`);
    // the contract may reuse the protocol's schema files, not its tests
    expect(r.out).toMatch(/error contract-is-pure: kiosk\/contract\/bad-\d+\.ts → sync-server\/protocol\/p\.test\.ts/);
  });
});
