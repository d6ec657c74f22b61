/**
 * The `card` CLI over real pcscd: inserting in the foreground until Ctrl-C, and driving a running
 * simulator (insert by first name, remove, the latch refusing a removal). Reader slot 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';
import { openCardBox, type CardPresentEvent } from '../hid/box.ts';
import { until } from '../hid/test-helpers.ts';
import { OpenPgpCard } from '../pcsc/openpgp.ts';
import { ReaderManager } from '../pcsc/reader-manager.ts';
import { issueVirtualCard } from './issue.ts';
import { vpcdReaderName, waitForEvent } from './test-helpers.ts';

const READER = vpcdReaderName(1);

let dir: string;
let manager: ReaderManager;
let children: ChildProcess[];

function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // node itself with the tsx loader (not the tsx wrapper), so signals reach the CLI process directly.
  const child = spawn(process.execPath, ['--import', 'tsx', 'drivers/vcard/cli.ts', ...args], {
    env: { ...process.env, FAC_CARDS_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function waitForOutput(output: () => string, re: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(output());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${re} in output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function identifierInReader(): Promise<string> {
  const conn = await manager.connect(READER);
  try {
    return await (await OpenPgpCard.select(conn)).readLoginData();
  } finally {
    await conn.disconnect();
  }
}

beforeEach(async () => {
  await ensurePcscd();
  dir = mkdtempSync(join(tmpdir(), 'vcard-clihw-'));
  await issueVirtualCard({ dir, serial: '0A1B2C3D', identifier: 'FAC-K7QM-3XD2-9HRW', pin: '142536', holder: { firstName: 'Camille', lastName: 'Martin' } });
  children = [];
  manager = new ReaderManager({ readerFilter: (n) => n === READER });
  const added = waitForEvent(manager, 'reader-added');
  manager.start();
  await added;
});

afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await manager.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('card CLI over pcscd', () => {
  it('insert without a simulator holds the card in the reader until Ctrl-C', async () => {
    const inserted = waitForEvent(manager, 'card-inserted', () => true, 20_000);
    const run = cli(['insert', 'camille', '--slot', '1', '--dir', dir], { FAC_SIMULATOR_URL: `http://127.0.0.1:${await closedPort()}` });
    await inserted;
    await waitForOutput(run.output, /insérée dans le lecteur 1/);
    expect(await identifierInReader()).toBe('FAC-K7QM-3XD2-9HRW');

    const removed = waitForEvent(manager, 'card-removed');
    run.child.kill('SIGINT');
    expect(await bounded(run.exited, 10_000, 'cli exit')).toBe(0);
    await removed;
  });

  it('insert and remove talk to a running simulator', async () => {
    const sim = cli(['simulator', '--port', '0', '--box-port', '0', '--slot', '1', '--dir', dir]);
    const [, url] = await waitForOutput(sim.output, /Simulateur de boîtier : (http:\/\/127\.0\.0\.1:\d+)/);
    const env = { FAC_SIMULATOR_URL: url! };

    const inserted = waitForEvent(manager, 'card-inserted', () => true, 20_000);
    const ins = cli(['insert', 'Camille', '--dir', dir], env);
    expect(await bounded(ins.exited, 20_000, 'insert exit'), ins.output()).toBe(0);
    expect(ins.output()).toContain('insérée dans le simulateur');
    await inserted;
    expect(await identifierInReader()).toBe('FAC-K7QM-3XD2-9HRW');

    const removed = waitForEvent(manager, 'card-removed');
    const rem = cli(['remove'], env);
    expect(await bounded(rem.exited, 20_000, 'remove exit'), rem.output()).toBe(0);
    await removed;

    sim.child.kill('SIGINT');
    expect(await bounded(sim.exited, 10_000, 'simulator exit')).toBe(0);
  });

  it('remove refuses while the box holds the card, --force yanks it out; box prints the state', async () => {
    const sim = cli(['simulator', '--port', '0', '--box-port', '0', '--dir', dir]);
    const [, url] = await waitForOutput(sim.output, /Simulateur de boîtier : (http:\/\/127\.0\.0\.1:\d+)/);
    const [, boxUrl] = await waitForOutput(sim.output, /virtual HID box: (tcp:\/\/127\.0\.0\.1:\d+)/);
    const env = { FAC_SIMULATOR_URL: url! };
    const box = openCardBox(boxUrl!, { retryMinMs: 20, retryMaxMs: 100 });
    try {
      const connected = waitForEvent(box, 'connected');
      box.start();
      await connected;

      const inserted = waitForEvent(manager, 'card-inserted', () => true, 20_000);
      const present = waitForEvent<CardPresentEvent>(box, 'card-present', (e) => e.slot === 1 && e.present);
      const ins = cli(['insert', 'Camille', '--slot', '1', '--dir', dir], env);
      expect(await bounded(ins.exited, 20_000, 'insert exit'), ins.output()).toBe(0);
      expect(ins.output()).toContain('emplacement second / slot 1');
      await Promise.all([inserted, present]);

      // In this order over one TCP link: once the latch is reported, the LED command was applied too.
      await box.setIndicator('ok');
      await box.setLatch(true, 1);
      await until(() => box.latched(1) === true, 5000, 'latch reported');
      const shown = cli(['box'], env);
      expect(await bounded(shown.exited, 20_000, 'box exit'), shown.output()).toBe(0);
      expect(shown.output()).toContain('1: verrouillé / locked');
      expect(shown.output()).toContain('ok — rgb(0,200,60) steady');
      expect(shown.output()).toContain('Camille Martin 0A1B2C3D');

      const refused = cli(['remove', '--slot', '1'], env);
      expect(await bounded(refused.exited, 20_000, 'remove exit'), refused.output()).toBe(1);
      expect(refused.output()).toContain('le boîtier est verrouillé');
      expect(manager.cardPresent(READER)).toBe(true);

      const removed = waitForEvent(manager, 'card-removed');
      const forced = cli(['remove', '--slot', '1', '--force'], env);
      expect(await bounded(forced.exited, 20_000, 'forced remove exit'), forced.output()).toBe(0);
      expect(forced.output()).toContain('arrachée');
      await removed;
      expect(box.cardPresent(1)).toBe(false);
    } finally {
      await box.close();
    }
    sim.child.kill('SIGINT');
    expect(await bounded(sim.exited, 10_000, 'simulator exit')).toBe(0);
  });
});
