/**
 * The whole system, in-process and on loopback, for end-to-end tests and benchmarks: the real
 * sync-server (SQLite in a temp folder, seeded with the demo data), the demo cards issued as virtual
 * OpenPGP cards (inserted through vpcd + pcscd), the kiosk core and its browser host.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cardFile } from '../../drivers/vcard/state.ts';
import { issueVirtualCard } from '../../drivers/vcard/issue.ts';
import { VirtualCard } from '../../drivers/vcard/vpcd-client.ts';
import { loadKioskConfig } from '../../kiosk/core/config.ts';
import { createKioskCore } from '../../kiosk/core/kiosk-core.ts';
import type { KioskCore } from '../../kiosk/core/kiosk-core.ts';
import { createLogger } from '../../kiosk/core/log.ts';
import { BRIDGE_FILE, RENDERER_DIR } from '../../kiosk/host/paths.ts';
import { startBrowserHost } from '../../kiosk/host/server.ts';
import type { BrowserHost } from '../../kiosk/host/server.ts';
import { startServer } from '../../sync-server/src/server.ts';
import type { RunningServer } from '../../sync-server/src/server.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const DEMO_SEED = join(REPO, 'assets/seed/demo.json');
export const STAFF_TOKEN = 'test-staff-token-0123456789';

export interface DemoPerson {
  identifier: string;
  firstName: string;
  lastName: string;
  role: 'beneficiary' | 'agent';
  card: { serial: string; pin: string };
}

export function demoPersons(): DemoPerson[] {
  return (JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { persons: DemoPerson[] }).persons;
}

export interface Stack {
  dir: string;
  server: RunningServer;
  core: KioskCore;
  host: BrowserHost;
  persons: DemoPerson[];
  /** a demo person's virtual card, in reader slot 0 (the card-holder box) */
  card(firstName: string): VirtualCard;
  staffGet(path: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startStack(opts: { logLevel?: string; withHost?: boolean } = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-stack-'));
  const level = opts.logLevel ?? process.env.FAC_TEST_LOG_LEVEL ?? 'silent';
  const server = await startServer(
    {
      mode: 'test',
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'server'),
      database: { kind: 'sqlite', file: join(dir, 'server', 'facilitateur.sqlite') },
      staffToken: STAFF_TOKEN,
      logLevel: 'silent',
      seedPath: DEMO_SEED,
    },
    { logger: false },
  );
  const persons = demoPersons();
  const cardsDir = join(dir, 'cards');
  for (const p of persons) {
    await issueVirtualCard({
      dir: cardsDir,
      serial: p.card.serial,
      identifier: p.identifier,
      pin: p.card.pin,
      holder: { firstName: p.firstName, lastName: p.lastName },
    });
  }
  const config = loadKioskConfig({
    FAC_KIOSK_DATA_DIR: join(dir, 'kiosk'),
    FAC_SYNC_URL: server.url,
    FAC_HOST_PORT: '0',
    FAC_READER: 'Virtual PCD 00 00',
    FAC_LOG_LEVEL: level,
  });
  const logger = createLogger('kiosk', level);
  const core = createKioskCore({ config, logger });
  const host = await startBrowserHost({ core, rendererDir: RENDERER_DIR, bridgeFile: BRIDGE_FILE, logger, port: 0 });
  const cards = new Map<string, VirtualCard>();

  return {
    dir,
    server,
    core,
    host,
    persons,
    card(firstName) {
      const p = persons.find((x) => x.firstName === firstName);
      if (!p) throw new Error(`no demo person named ${firstName}`);
      let c = cards.get(p.card.serial);
      if (!c) {
        c = VirtualCard.fromFile(cardFile(cardsDir, p.card.serial), { slot: 0 });
        cards.set(p.card.serial, c);
      }
      return c;
    },
    staffGet: (path) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } }),
    async close() {
      for (const c of cards.values()) await c.remove().catch(() => undefined);
      await host.close();
      await core.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
