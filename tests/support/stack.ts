/**
 * The whole system, in-process and on loopback, for end-to-end tests and benchmarks: the real
 * sync-server (SQLite in a temp folder, seeded with the demo data), the demo cards issued as virtual
 * OpenPGP cards (inserted through vpcd + pcscd), the kiosk core and its browser host.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../../drivers/vcard/simulator.ts';
import type { SimulatorHandle } from '../../drivers/vcard/simulator.ts';
import { loadKioskConfig } from '../../kiosk/core/config.ts';
import { createKioskCore } from '../../kiosk/core/kiosk-core.ts';
import { enrollDataDir } from '../../kiosk/core/sync/device.ts';
import type { KioskCore } from '../../kiosk/core/kiosk-core.ts';
import { createLogger } from '../../kiosk/core/log.ts';
import { BRIDGE_FILE, RENDERER_DIR } from '../../kiosk/host/paths.ts';
import { startBrowserHost } from '../../kiosk/host/server.ts';
import type { BrowserHost } from '../../kiosk/host/server.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { CA_FILES, caDir, initCa, issueRevocationKey } from '../../sync-server/src/features/cards/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer, StartOptions } from '../../sync-server/src/edge/server.ts';
import { makeTestCard } from './cards.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const DEMO_SEED = join(REPO, 'assets/seed/demo.json');
export const STAFF_TOKEN = 'test-staff-token-0123456789';
/** The seeded demo kiosk, enrolled by `startStack` as staff and the kiosk would do it. */
export const STACK_KIOSK_ID = 'borne-cms-centre-1';

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
  /** the virtual card-holder box (two slots, switches, LED, latch), as in the demo */
  box: SimulatorHandle;
  persons: DemoPerson[];
  person(firstName: string): DemoPerson;
  /** a demo person's card put in the box (slot 0 = main, 1 = second); resolves once pcscd polled it */
  insert(firstName: string, slot?: 0 | 1): Promise<void>;
  /** takes the card out; `force` pulls it through a closed latch */
  remove(slot?: 0 | 1, opts?: { force?: boolean }): Promise<void>;
  staffGet(path: string): Promise<Response>;
  staffPost(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface StackOptions {
  logLevel?: string;
  idleTimeoutS?: number;
  idleWarningS?: number;
  /** false: the kiosk starts as on its first day, not linked to the server (the enrollment screen) */
  enrolled?: boolean;
  /** the address the kiosk syncs with, from the server's (a proxy in between, say); the server's by default */
  syncUrl?: (serverUrl: string) => string | Promise<string>;
  /** the agents' structures, for the server's procurations (none is known otherwise) */
  structureOf?: StartOptions['structureOf'];
  /** the kiosk's 2D-Doc trust store folder (the shipped, empty one by default) */
  twoDDocTrustDir?: string;
  /** the base map archive (FAC_MAP_TILES; none by default) and where the tablet stands (FAC_MAP_PLACE) */
  mapTiles?: string;
  mapPlace?: string;
}

/** The parts around a kiosk: sync-server, platform CA, the demo cards and the virtual box. */
export interface Backend {
  dir: string;
  server: RunningServer;
  box: SimulatorHandle;
  persons: DemoPerson[];
  person(firstName: string): DemoPerson;
  insert(firstName: string, slot?: 0 | 1): Promise<void>;
  remove(slot?: 0 | 1, opts?: { force?: boolean }): Promise<void>;
  /** a one-time enrollment code for the seeded kiosk, as staff would give it */
  enrollmentCode(): Promise<string>;
  /** the pinned CA certificate the kiosk is configured with */
  caCertPath: string;
  close(): Promise<void>;
}

/** Starts the sync-server (SQLite in `dir`, demo seed), the CA, the demo cards and the box simulator. */
export async function startBackend(dir: string, o: Pick<StackOptions, 'structureOf'> = {}): Promise<Backend> {
  // the platform CA on its issuance station; the server gets only the CA certificate and its own
  // revocation-signing key, as in production
  const ca = await initCa(join(dir, 'issuance'));
  await issueRevocationKey(ca, join(dir, 'server'));
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
    { logger: false, ...(o.structureOf ? { structureOf: o.structureOf } : {}) },
  );
  const persons = demoPersons();
  const cardsDir = join(dir, 'cards');
  for (const p of persons) {
    await makeTestCard(ca, cardsDir, { serial: p.card.serial, identifier: p.identifier, firstName: p.firstName, lastName: p.lastName, role: p.role, pin: p.card.pin });
  }
  const box = await startSimulator({ cardsDir, port: 0, boxPort: 0 });
  const person = (firstName: string) => {
    const p = persons.find((x) => x.firstName === firstName);
    if (!p) throw new Error(`no demo person named ${firstName}`);
    return p;
  };
  const simulator = async (path: string, body: unknown) => {
    const res = await fetch(`${box.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`box simulator ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    dir,
    server,
    box,
    persons,
    person,
    insert: (firstName, slot = 0) => simulator('/api/insert', { serial: person(firstName).card.serial, slot }),
    remove: (slot = 0, o = {}) => simulator('/api/remove', { slot, ...(o.force ? { force: true } : {}) }),
    enrollmentCode: async () => (await createEnrollment(server.db, server.dialect, { kioskId: STACK_KIOSK_ID, actor: { kind: 'staff', id: 'test-stack' } })).code,
    caCertPath: join(caDir(join(dir, 'server')), CA_FILES.certificate),
    async close() {
      // the virtual cards leave first: they answer pcscd from this very process
      await box.close();
      await server.close();
    },
  };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-stack-'));
  const level = opts.logLevel ?? process.env.FAC_TEST_LOG_LEVEL ?? 'silent';
  const backend = await startBackend(dir, opts.structureOf ? { structureOf: opts.structureOf } : {});
  const { server, box, persons, person } = backend;
  // enrollment: staff create a one-time code for the seeded kiosk; the kiosk registers its device key
  if (opts.enrolled !== false) await enrollDataDir({ dataDir: join(dir, 'kiosk'), url: server.url, code: await backend.enrollmentCode() });
  const config = loadKioskConfig({
    FAC_KIOSK_DATA_DIR: join(dir, 'kiosk'),
    FAC_SYNC_URL: opts.syncUrl ? await opts.syncUrl(server.url) : server.url,
    FAC_KIOSK_ID: STACK_KIOSK_ID,
    FAC_HOST_PORT: '0',
    FAC_READER: 'Virtual PCD 00 00',
    FAC_READER_SECOND: 'Virtual PCD 00 01',
    FAC_BOX: box.boxUrl,
    FAC_CA_CERT: backend.caCertPath,
    FAC_LOG_LEVEL: level,
    ...(opts.idleTimeoutS ? { FAC_IDLE_TIMEOUT_S: String(opts.idleTimeoutS) } : {}),
    ...(opts.idleWarningS ? { FAC_IDLE_WARNING_S: String(opts.idleWarningS) } : {}),
    ...(opts.twoDDocTrustDir ? { FAC_TWODDOC_TRUST_DIR: opts.twoDDocTrustDir } : {}),
    ...(opts.mapTiles ? { FAC_MAP_TILES: opts.mapTiles } : {}),
    ...(opts.mapPlace ? { FAC_MAP_PLACE: opts.mapPlace } : {}),
  });
  const logger = createLogger('kiosk', level);
  const core = createKioskCore({ config, logger });
  const host = await startBrowserHost({ core, rendererDir: RENDERER_DIR, bridgeFile: BRIDGE_FILE, logger, port: 0 });
  return {
    dir,
    server,
    core,
    host,
    box,
    persons,
    person,
    insert: backend.insert,
    remove: backend.remove,
    staffGet: (path) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } }),
    staffPost: (path, body) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async close() {
      await host.close();
      // the virtual cards leave first: they answer pcscd from this very process, and the core's
      // disconnect (SCardDisconnect, a blocking call) would wait for a card that cannot answer
      await box.close();
      await core.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
