/**
 * `npm run bench`: runs the benchmarks and writes bench/reports/latest.json and latest.md (and a
 * dated copy). Figures are reported, never asserted (DESIGN.md §8). `--only card,ocr,outbox,sync,vault,agents,aids,estimate,revocations,events,directory` and
 * `--runs N` narrow it down.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensurePcscd } from '../scripts/lib/pcscd.ts';
import { withinBudget } from './stats.ts';
import type { BenchResult } from './stats.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = new Set((arg('only') ?? 'card,ocr,outbox,sync,vault,agents,aids,estimate,revocations,events,directory').split(','));
const runs = Number(arg('runs') ?? 20);
const reportDir = join(import.meta.dirname, 'reports');
mkdirSync(reportDir, { recursive: true });

const results: BenchResult[] = [];
// each bench is loaded only when asked for: they pull in different parts of the system
if (only.has('outbox')) {
  const { benchOutbox } = await import('./outbox.ts');
  results.push(...(await benchOutbox(Math.max(runs, 30))));
}
if (only.has('card')) {
  await ensurePcscd();
  const { benchCard } = await import('./card.ts');
  results.push(...(await benchCard(runs)));
}
if (only.has('sync')) {
  const { benchSync } = await import('./sync.ts');
  results.push(...(await benchSync()));
}
if (only.has('vault')) {
  const { benchVault } = await import('./vault.ts');
  results.push(...(await benchVault()));
}
if (only.has('agents')) {
  const { benchAgents } = await import('./agents.ts');
  results.push(...(await benchAgents(Math.max(5, Math.round(runs / 2)))));
}
if (only.has('aids')) {
  const { benchAids } = await import('./aids.ts');
  results.push(...(await benchAids(runs * 2)));
}
if (only.has('estimate')) {
  const { benchEstimate } = await import('./estimate.ts');
  results.push(...benchEstimate(runs * 10));
}
if (only.has('revocations')) {
  const { benchRevocations } = await import('./revocations.ts');
  results.push(...(await benchRevocations(Math.max(5, Math.round(runs / 2)))));
}
if (only.has('directory')) {
  const { benchDirectory } = await import('./directory.ts');
  results.push(...(await benchDirectory(runs)));
}
if (only.has('events')) {
  const { benchEvents } = await import('./events.ts');
  results.push(...(await benchEvents(runs * 10)));
}
if (only.has('ocr')) {
  const { benchOcr } = await import('./ocr.ts');
  results.push(...(await benchOcr({ runs: Math.max(5, Math.round(runs / 2)), workDir: reportDir })));
}

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const at = new Date().toISOString();
const report = { at, machine, results };
writeFileSync(join(reportDir, 'latest.json'), JSON.stringify(report, null, 2));

const lines = [
  `# Benchmarks — ${at}`,
  '',
  `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, Node ${machine.node}.`,
  '',
  '| what | p50 ms | p95 ms | budget | within | reference (p50 / p95 ms) | ratio |',
  '|---|---:|---:|---|---|---|---:|',
  ...results.map((r) => {
    const ok = withinBudget(r);
    const ref = r.reference ? `${r.reference.name}: ${r.reference.p50} / ${r.reference.p95}` : '';
    return `| ${r.name} | ${r.p50} | ${r.p95} | ${r.budget?.text ?? ''} | ${ok === null ? '' : ok ? 'yes' : '**no**'} | ${ref} | ${r.ratio ?? ''} |`;
  }),
  '',
  ...results.flatMap((r) => (r.notes.length ? [`- ${r.name}: ${r.notes.join('; ')}`] : [])),
  '',
];
const md = lines.join('\n');
writeFileSync(join(reportDir, 'latest.md'), md);
writeFileSync(join(reportDir, `${at.replace(/[:.]/g, '-')}.md`), md);
console.log(md);
process.exit(0);
