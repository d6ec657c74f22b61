import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCardBox } from '../hid/box.ts';
import { next, until } from '../hid/test-helpers.ts';
import { main } from './cli.ts';
import { startSimulator } from './simulator.ts';
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
    expect(await main(['issue', '--serial', '0A1B2C3D', '--pin', '142536', '--dir', dir])).toBe(2);
    expect(await main(['issue', '--serial', '0A1B2C3D', '--identifier', 'X', '--pin', '142536', '--bogus', '--dir', dir])).toBe(2);
    expect(await main(['block', '--dir', dir])).toBe(2);
    expect(await main(['help'])).toBe(0);
  });

  it('issues, shows the public status (no PIN) and blocks a card', async () => {
    expect(await main(['issue', '--serial', '0a1b2c3d', '--identifier', 'FAC-K7QM-3XD2-9HRW', '--pin', '987654', '--first-name', 'Camille', '--last-name', 'Martin', '--dir', dir])).toBe(0);
    expect(await main(['issue', '--serial', '0A1B2C3D', '--identifier', 'FAC-K7QM-3XD2-9HRW', '--pin', '142536', '--dir', dir])).toBe(1);
    expect(err.join('\n')).toContain('existe déjà');

    out = [];
    expect(await main(['status', '0A1B2C3D', '--dir', dir])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('FAC-K7QM-3XD2-9HRW');
    expect(text).toContain('Camille Martin');
    expect(text).not.toContain('987654');

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
    err = [];
    expect(await main(['box'])).toBe(1);
    expect(await main(['button'])).toBe(1);
    expect(err.join('\n')).toContain('aucun simulateur lancé');
  });

  it('refuses bad slots, ports and flags with exit code 2', async () => {
    expect(await main(['remove', '--slot', '2'])).toBe(2);
    expect(err.join('\n')).toContain('emplacement invalide');
    expect(await main(['insert', 'Camille', '--slot', 'x', '--dir', dir])).toBe(2);
    expect(await main(['simulator', '--box-port', '70000', '--dir', dir])).toBe(2);
    expect(await main(['simulator', '--port', '-1', '--dir', dir])).toBe(2);
    expect(await main(['box', 'extra'])).toBe(2);
    expect(await main(['remove', '--force=yes'])).toBe(2);
  });

  it('box and button talk to a running simulator (HID side, no reader needed)', async () => {
    const sim = await startSimulator({ cardsDir: dir, port: 0, host: '127.0.0.1' });
    const box = openCardBox(sim.boxUrl, { retryMinMs: 10, retryMaxMs: 50 });
    try {
      vi.stubEnv('FAC_SIMULATOR_URL', sim.url);
      const connected = next(box, 'connected');
      box.start();
      await connected;
      await box.setIndicator('error');
      await box.setLatch(true, 0);
      await until(() => sim.box.latched(0) && sim.box.led().pattern === 'blink', 5000, 'device state');

      expect(await main(['box'])).toBe(0);
      const text = out.join('\n');
      expect(text).toContain('error — rgb(255,0,0) blink 500 ms');
      expect(text).toContain('0: verrouillé / locked, 1: libre / unlocked');
      expect(text).toContain('Emplacement / slot 1 (Virtual PCD 00 01) : vide / empty');
      out = [];
      expect(await main(['box', '--json'])).toBe(0);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ box: { plugged: true, hosts: 1, led: { indicator: 'error' } }, slots: [{ locked: true }, { locked: false }] });

      const pressed = next(box, 'button');
      expect(await main(['button'])).toBe(0);
      await pressed;
      // Removing from an empty (even locked) slot is harmless.
      expect(await main(['remove', '--slot', '0'])).toBe(0);
    } finally {
      await box.close();
      await sim.close();
    }
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
