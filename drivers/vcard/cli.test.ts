import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { loadCardState } from './state.ts';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vcard-cli-'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('card CLI', () => {
  it('prints usage and exits 2 on missing or unknown commands and bad arguments', async () => {
    expect(await main([])).toBe(2);
    expect(out.join('\n')).toContain('seed-demo');
    expect(await main(['frobnicate'])).toBe(2);
    expect(err.join('\n')).toContain('commande inconnue');
    expect(await main(['status', 'not-a-serial', '--dir', dir])).toBe(2);
    expect(await main(['issue', '--serial', '0A1B2C3D', '--pin', '1234', '--dir', dir])).toBe(2);
    expect(await main(['issue', '--serial', '0A1B2C3D', '--identifier', 'X', '--pin', '1234', '--bogus', '--dir', dir])).toBe(2);
    expect(await main(['block', '--dir', dir])).toBe(2);
    expect(await main(['help'])).toBe(0);
  });

  it('issues, shows the public status (no PIN) and blocks a card', async () => {
    expect(await main(['issue', '--serial', '0a1b2c3d', '--identifier', 'FAC-K7QM-3XD2-9HRW', '--pin', '9876', '--first-name', 'Camille', '--last-name', 'Martin', '--dir', dir])).toBe(0);
    expect(await main(['issue', '--serial', '0A1B2C3D', '--identifier', 'FAC-K7QM-3XD2-9HRW', '--pin', '1234', '--dir', dir])).toBe(1);
    expect(err.join('\n')).toContain('existe déjà');

    out = [];
    expect(await main(['status', '0A1B2C3D', '--dir', dir])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('FAC-K7QM-3XD2-9HRW');
    expect(text).toContain('Camille Martin');
    expect(text).not.toContain('9876');

    vi.stubEnv('FAC_CARDS_DIR', dir);
    expect(await main(['block', '0A1B2C3D'])).toBe(0);
    expect(loadCardState(join(dir, '0A1B2C3D.json')).counters.pw1).toBe(0);
    out = [];
    expect(await main(['status', '0A1B2C3D', '--json'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ serial: '0A1B2C3D', pinTriesLeft: 0 });

    expect(await main(['status', '0A1B2C3E'])).toBe(1);
    expect(err.join('\n')).toContain('carte introuvable');
  });

  it('remove without a simulator, and insert of an unknown card, fail with a clear message', async () => {
    vi.stubEnv('FAC_SIMULATOR_URL', `http://127.0.0.1:${await closedPort()}`);
    expect(await main(['remove'])).toBe(1);
    expect(err.join('\n')).toContain('aucun simulateur');
    expect(await main(['insert', 'Personne', '--dir', dir])).toBe(1);
    expect(err.join('\n')).toContain('aucune carte');
  });

  it('runs as `npm run card` (tsx entry point)', async () => {
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const run = promisify(execFile);
    await expect(run(tsx, ['drivers/vcard/cli.ts', 'status', 'XYZ'], { env: { ...process.env, FAC_CARDS_DIR: dir } })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('numéro de carte invalide'),
    });
    const ok = await run(tsx, ['drivers/vcard/cli.ts', 'help']);
    expect(ok.stdout).toContain('Cartes virtuelles');
  });
});
