/**
 * The kiosk's copy of the directory, over the real sync-server on loopback (SQLite and PostgreSQL behind
 * it): filled when the sync connects, brought up to date by difference after the server imported a later
 * annuaire file, cut to its area once staff set one (the new area whole, the other offices dropped; an
 * area too large refused, the copy kept), and still answering `institutions.list` once the server is
 * stopped. A kiosk that never had a copy says, offline, that the list needs the connection.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskError } from '../../kiosk/contract/schema.ts';
import { DirectoryKeeper, DirectoryStore } from '../../kiosk/core/directory/directory.ts';
import type { DirectoryKeeperOptions } from '../../kiosk/core/directory/directory.ts';
import type { Acked, AckOf, EventName, RequestOf } from '../../sync-server/protocol/events.ts';
import { silentLogger } from '../../kiosk/core/log.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import { VAULT_WORDS } from '../../kiosk/core/words.ts';
import { createEnrollment, writeKioskSettings } from '../../sync-server/src/features/fleet/index.ts';
import { importAnnuaire } from '../../sync-server/src/features/institutions/index.ts';
import { VAULT_EVENTS } from '../../sync-server/protocol/vault.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, DIALECTS, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { crowdHauteCorse } from '../../sync-server/test-support/directory.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/annuaire');
const BASE = readFileSync(join(FIXTURES, 'base-donnees-locales.json'), 'utf8');
const CHANGED = readFileSync(join(FIXTURES, 'base-donnees-locales-modifiee.json'), 'utf8');
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;
const STAFF = { kind: 'staff' as const, id: 'kiosk-directory-test' };

describe.each(DIALECTS)('the kiosk’s copy of the directory (server on %s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let dir: string;
  let db: Db;
  let client: SyncClient;
  let store: DirectoryStore;
  let keeper: DirectoryKeeper;
  let serverStopped = false;
  /** whether each answer the kiosk applied was the whole directory */
  const answers: boolean[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    expect(await importAnnuaire(server.db, server.dialect, BASE, { actor: STAFF })).toMatchObject({ ok: true, added: 12 });
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-directory-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    const outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    const { code } = await createEnrollment(server.db, server.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
    client = new SyncClient({ url: server.url, outbox, logger: silentLogger, enrollmentCode: code, reconnectDelayMaxMs: 1000 });
    store = new DirectoryStore(db);
    const watched: DirectoryKeeperOptions['sync'] = {
      status: () => client.status(),
      onStatus: (listener) => client.onStatus(listener),
      request: async <E extends EventName>(event: E, payload: RequestOf<E>, timeoutMs: number): Promise<AckOf<E>> => {
        const ack = await client.request(event, payload, timeoutMs);
        const answered: Acked = ack;
        if (answered.ok && 'full' in answered) answers.push(answered.full === true);
        return ack;
      },
    };
    keeper = new DirectoryKeeper({ store, sync: watched, logger: silentLogger });
    // started before the sync connects: the copy comes when it does
    keeper.start();
    client.start();
  });

  afterAll(async () => {
    keeper?.stop();
    await client?.stop();
    if (!serverStopped) await server?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  it('fills the copy when the sync connects: the whole directory, with what the annuaire says', async () => {
    await until('the directory copied', () => store.cursor() !== null);
    expect(answers).toEqual([true]);
    const list = await keeper.institutions();
    expect(list).toHaveLength(18);
    const caf = list.find((i) => i.id === ID(3));
    expect(caf).toMatchObject({
      kind: 'caf',
      city: '69003 Lyon',
      lat: 45.758,
      lon: 4.859,
      phone: '04 00 00 02 01',
      website: 'https://caf-rhone.example',
      communes: ['69123', '69259', '69266'],
      hoursNote: 'Le jeudi matin, sur rendez-vous',
      source: 'annuaire',
    });
    expect(caf?.hours).toHaveLength(8);
    // the CCAS the annuaire gives no coordinates: no position, the rest is there
    const ccas = list.find((i) => i.id === ID(8));
    expect(ccas).toMatchObject({ kind: 'ccas', phone: '04 00 00 06 01' });
    expect(ccas && 'lat' in ccas).toBe(false);
    expect(list.find((i) => i.id === 'caf')).toMatchObject({ source: 'local', city: '00100 Exempleville' });
    // who reads what persons send, as the server said: the demo's CAF (its staff), not the annuaire's CAF (none)
    expect(list.find((i) => i.id === 'caf')?.receivesPapers).toBe(true);
    expect(caf?.receivesPapers).toBe(false);
  });

  it('learns who reads what persons send at each answer, the directory unchanged', async () => {
    const reader = await server.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-instructeur').executeTakeFirstOrThrow();
    await server.db
      .insertInto('staff_accounts')
      .values({ id: `${reader.id}-rhone`, login: 'rhone-accueil', display_name: 'Accueil CAF du Rhône', institution_id: ID(3), role: 'instructor', structure_id: null, password_hash: 'x', created_at: new Date().toISOString(), disabled_at: null })
      .execute();
    expect(await keeper.refresh()).toBe(true);
    expect((await keeper.institutions()).find((i) => i.id === ID(3))?.receivesPapers).toBe(true);
    await server.db.deleteFrom('staff_accounts').where('login', '=', 'rhone-accueil').execute();
    expect(await keeper.refresh()).toBe(true);
    expect((await keeper.institutions()).find((i) => i.id === ID(3))?.receivesPapers).toBe(false);
    // the next test counts the answers from the first one: these two were differences, not its concern
    answers.splice(1);
  });

  it('follows a later import by difference', async () => {
    expect(await importAnnuaire(server.db, server.dialect, CHANGED, { actor: STAFF })).toMatchObject({ ok: true, added: 1, changed: 1, removed: 1 });
    expect(await keeper.refresh()).toBe(true);
    expect(answers).toEqual([true, false]);
    const list = await keeper.institutions();
    expect(list).toHaveLength(18);
    expect(list.find((i) => i.id === ID(3))?.phone).toBe('04 00 00 02 99');
    expect(list.map((i) => i.id)).not.toContain(ID(4));
    expect(list.find((i) => i.id === ID(14))).toMatchObject({ kind: 'cpam', city: '38100 Grenoble' });
  });

  it('keeps only the offices of its area once staff set one: the whole new area, the others dropped', async () => {
    expect(await writeKioskSettings(server.db, server.dialect, DEMO_KIOSK_ID, { directoryArea: ['38'] })).not.toBeNull();
    expect(await keeper.refresh()).toBe(true);
    expect(answers).toEqual([true, false, true]);
    const list = await keeper.institutions();
    // the Isère's offices (the CPAM added by the later file too); Lyon's and the seed's made-up town dropped
    expect(list.map((i) => i.id).sort()).toEqual([ID(10), ID(11), ID(12), ID(14)].sort());
    expect(list.every((i) => i.city.startsWith('38'))).toBe(true);
    expect(store.count()).toBe(4);
    // the next exchange is by difference again
    expect(await keeper.refresh()).toBe(true);
    expect(answers).toEqual([true, false, true, false]);
  });

  it('keeps its copy when its area holds more offices than one answer carries (refused, not cut)', async () => {
    await crowdHauteCorse(server.db);
    await writeKioskSettings(server.db, server.dialect, DEMO_KIOSK_ID, { directoryArea: ['2B'] });
    const refused = await client.request(VAULT_EVENTS.directory, { cursor: store.cursor() }, 30_000);
    expect(refused).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(await keeper.refresh()).toBe(false);
    expect(store.count()).toBe(4);
    // a kiosk with no copy yet says, in its words, that the list is not there — not that it is offline
    const other = openKioskDb(join(dir, 'refused.sqlite'));
    try {
      const err = await new DirectoryKeeper({ store: new DirectoryStore(other), sync: client, logger: silentLogger }).institutions().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KioskError);
      expect(err).toMatchObject({ code: 'not-found', message: VAULT_WORDS.directoryUnavailable });
    } finally {
      other.close();
    }
    await server.db.deleteFrom('institutions').where('id', 'like', 'haute-corse-%').execute();
    await writeKioskSettings(server.db, server.dialect, DEMO_KIOSK_ID, { directoryArea: ['38'] });
  });

  it('answers from the copy once the server is stopped', async () => {
    const before = await keeper.institutions();
    await server.close();
    serverStopped = true;
    await until('the kiosk offline', () => !client.status().online);
    expect(await keeper.refresh()).toBe(false);
    expect(await keeper.institutions()).toEqual(before);

    // a kiosk that never had a copy says the list needs the connection
    const other = openKioskDb(join(dir, 'other.sqlite'));
    try {
      const lonely = new DirectoryKeeper({ store: new DirectoryStore(other), sync: client, logger: silentLogger });
      const err = await lonely.institutions().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KioskError);
      expect(err).toMatchObject({ code: 'offline', message: VAULT_WORDS.directoryOffline });
    } finally {
      other.close();
    }
  });
});
