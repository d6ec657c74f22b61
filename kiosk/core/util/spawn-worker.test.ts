import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnWorker } from './spawn-worker.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spawn-worker-'));
  // like the repository: .ts files are ES modules
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function firstMessage(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

it('runs a TypeScript worker (type annotations, .ts imports) with its workerData', async () => {
  writeFileSync(join(dir, 'double.ts'), 'export const double = (n: number): number => n * 2;\n');
  writeFileSync(
    join(dir, 'main.ts'),
    "import { parentPort, workerData } from 'node:worker_threads';\nimport { double } from './double.ts';\nconst input: { n: number } = workerData;\nparentPort!.postMessage(double(input.n));\n",
  );
  const w = spawnWorker(pathToFileURL(join(dir, 'main.ts')), { workerData: { n: 21 } });
  try {
    expect(await firstMessage(w)).toBe(42);
  } finally {
    await w.terminate();
  }
});

it('runs a compiled JavaScript worker directly', async () => {
  writeFileSync(join(dir, 'plain.mjs'), "import { parentPort, workerData } from 'node:worker_threads';\nparentPort.postMessage(workerData + '!');\n");
  const w = spawnWorker(pathToFileURL(join(dir, 'plain.mjs')), { workerData: 'ok' });
  try {
    expect(await firstMessage(w)).toBe('ok!');
  } finally {
    await w.terminate();
  }
});

it('reports a TypeScript worker that fails to load as an error event, not a silent hang', async () => {
  writeFileSync(join(dir, 'broken.ts'), "import { nothing } from './missing.ts';\nconsole.log(nothing);\n");
  const w = spawnWorker(pathToFileURL(join(dir, 'broken.ts')));
  await expect(firstMessage(w)).rejects.toThrow(/missing/);
  await w.terminate();
});

it('accepts only file: URLs', () => {
  expect(() => spawnWorker(new URL('https://example.org/w.js'))).toThrow(/file: URL/);
});
