// Runs the CLI as a child process, as `npm run simulate -- FILE` does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const cli = 'sync-server/src/features/aids/simulate/cli.ts';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('simulate CLI', () => {
  it('prints the estimate of the sample file as JSON', () => {
    const { code, stdout, stderr } = run('assets/aids/examples/single-hosted.json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      month: string;
      estimate: boolean;
      results: { aid: string; eligible: unknown; monthlyAmount: number | null; estimate: boolean }[];
      scales: { id: string; value: number | null; from: string; source: string }[];
    };
    expect(out.month).toBe('2025-06');
    expect(out.estimate).toBe(true);
    expect(out.results.map((r) => r.aid)).toEqual(['rsa', 'prime-activite', 'aah', 'css', 'aides-logement', 'allocations-familiales', 'asf', 'ars', 'cheque-energie', 'bourse-lycee', 'pch', 'cmi', 'demande-mdph']);
    // single person without resources, hosted free, June 2025: 646,52 − 77,58 = 568,94 €
    expect(out.results[0]).toMatchObject({ aid: 'rsa', eligible: true, monthlyAmount: 568.94, estimate: true });
    // and it says which scales it used, with their text
    expect(out.scales).toContainEqual(expect.objectContaining({ id: 'rsa.montant-forfaitaire', value: 646.52, from: '2025-04-01', source: expect.stringContaining('2025-293') as unknown }));
  });

  it('refuses a bad situation with French errors and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ month: '2025-06', residesInFrance: true, couple: false, adults: [{ age: 35, income: { '2025-05': { earnings: -5 } } }], housing: { status: 'hosted-free' }, benefits: {}, extra: 1 }),
    );
    const { code, stdout, stderr } = run(file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('n’est pas valable');
    expect(stderr).toContain('le montant ne peut pas être négatif');
    expect(stderr).toContain('champ inconnu « extra »');
  });

  it('exit code 2 on invalid JSON, a missing file or no argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "couple": ');
    expect(run(file)).toMatchObject({ code: 2 });
    expect(run(file).stderr).toContain('pas du JSON valide');
    expect(run(join(dir, 'absent.json'))).toMatchObject({ code: 2 });
    const none = run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Utilisation');
  });
});
