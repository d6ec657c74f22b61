/**
 * A kiosk's copy of the directory cut to its area, over real HTTP and the real kiosk socket, on both
 * engines: the kiosk of an office in the Rhône gets the Rhône's offices; staff set another area through
 * the staff API and its next answer is that area whole; a malformed area (400) and one too large for an
 * answer (422) are refused with nothing written; a kiosk whose area is too large gets a typed refusal,
 * and the server's log says which kiosk, which area and how many offices.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySyncAck, InstitutionsAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import { DIRECTORY_SYNC_MAX, importAnnuaire } from '../../features/institutions/index.ts';
import { readKioskSettings } from '../../features/fleet/index.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, connectKiosk, DIALECTS, freshEnv, STAFF_TOKEN } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { crowdHauteCorse } from '../../../test-support/directory.ts';

const BASE = readFileSync(join(import.meta.dirname, '../../../../tests/fixtures/annuaire/base-donnees-locales.json'), 'utf8');
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;
const RHONE = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(ID).sort();
const ISERE = [10, 11, 12].map(ID).sort();

describe.each(DIALECTS)('a kiosk’s directory by area over the socket (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let socket: Socket;
  let kioskId: string;
  const logged: Record<string, unknown>[] = [];

  const sync = async (cursor: string | null) => DirectorySyncAck.parse(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.directory, { cursor }));
  const ids = (ack: DirectorySyncAck) => (ack.ok ? ack.institutions.map((i) => i.id).sort() : []);
  const putSettings = (body: unknown) =>
    fetch(`${server.url}/api/staff/kiosks/${kioskId}/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    env = await freshEnv(dialect);
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    server = await startServer(env.config, { logger });
    expect(await importAnnuaire(server.db, server.dialect, BASE, { actor: { kind: 'staff', id: 'test' } })).toMatchObject({ ok: true });
    const kiosk = await addKiosk(server.db);
    kioskId = kiosk.kioskId;
    // the kiosk stands in the CAF of Lyon
    await server.db.updateTable('kiosks').set({ institution_id: ID(3) }).where('id', '=', kioskId).execute();
    socket = await connectKiosk(server.url, kiosk);
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
    await env?.cleanup();
  });

  it('gives the kiosk of an office in the Rhône the Rhône’s offices, then another area whole once staff set it', async () => {
    const first = await sync(null);
    expect(first).toMatchObject({ ok: true, full: true });
    expect(ids(first)).toEqual(RHONE);

    const res = await putSettings({ directoryArea: ['38'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: 1, settings: { directoryArea: ['38'] } });
    const next = await sync(first.ok ? first.cursor : null);
    expect(next).toMatchObject({ ok: true, full: true });
    expect(ids(next)).toEqual(ISERE);
    expect(await sync(next.ok ? next.cursor : null)).toMatchObject({ ok: true, full: false, institutions: [], removed: [] });
    // asked online, the list is the same area's
    const online = InstitutionsAck.parse(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.institutions, {}));
    expect(online.ok && online.institutions.map((i) => i.id).sort()).toEqual(ISERE);
  });

  it('refuses a malformed area and one too large for an answer, writing nothing', async () => {
    for (const bad of [['20'], ['69', '69'], [], Array.from({ length: 11 }, (_, i) => String(i + 10))]) {
      const res = await putSettings({ directoryArea: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid', message: expect.stringContaining('directoryArea') } });
    }
    await crowdHauteCorse(server.db);
    const res = await putSettings({ directoryArea: ['2B'] });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'too_large', message: expect.stringContaining(`compte ${DIRECTORY_SYNC_MAX + 1} lieux`) } });
    expect((await readKioskSettings(server.db, kioskId))?.settings).toEqual({ directoryArea: ['38'] });
  });

  it('refuses, in a typed answer and a line of the server’s log, a kiosk whose area has grown too large', async () => {
    // the area set above is still small: a kiosk with none and no office gets the whole directory, now too large
    await server.db.updateTable('kiosks').set({ institution_id: null, settings: '{}' }).where('id', '=', kioskId).execute();
    const ack = await sync(null);
    expect(ack).toMatchObject({ ok: false, error: { code: 'too-large', message: expect.stringContaining(`une borne en garde ${DIRECTORY_SYNC_MAX} au plus`) } });
    expect(InstitutionsAck.parse(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.institutions, {}))).toMatchObject({ ok: false, error: { code: 'too-large' } });
    const line = logged.find((l) => typeof l.msg === 'string' && l.msg.startsWith('directory:'));
    expect(line).toMatchObject({ level: 50, kioskId, area: null, areaFrom: 'none', offices: DIRECTORY_SYNC_MAX + 1 + 12 + 6, max: DIRECTORY_SYNC_MAX });
    await server.db.deleteFrom('institutions').where('id', 'like', 'haute-corse-%').execute();
    expect(await sync(null)).toMatchObject({ ok: true, full: true });
  });
});
