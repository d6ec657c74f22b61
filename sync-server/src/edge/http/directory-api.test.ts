/**
 * The directory over real HTTP and the real kiosk socket, on both engines: staff import an annuaire file
 * (a dry run first, then by difference), add, change and remove local entries, search by commune or
 * postcode; bad tokens, bad bodies and bad files get typed French errors and change nothing; a kiosk's
 * `directory:sync` gets the whole directory, then the difference with the ids removed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySyncAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, connectKiosk, countRows, DIALECTS, freshEnv, STAFF_TOKEN } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';

const FIXTURES = join(import.meta.dirname, '../../../../tests/fixtures/annuaire');
const BASE = readFileSync(join(FIXTURES, 'base-donnees-locales.json'), 'utf8');
const CHANGED = readFileSync(join(FIXTURES, 'base-donnees-locales-modifiee.json'), 'utf8');
const ID = (n: number) => `6a1f0c52-3b7e-4d0a-9c1e-0f2b8e41a0${String(n).padStart(2, '0')}`;

describe.each(DIALECTS)('the directory API and sync (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let socket: Socket;

  const call = (method: string, path: string, body?: string, token = STAFF_TOKEN) =>
    fetch(`${server.url}/api/staff/directory${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
  const sync = async (cursor: string | null) => DirectorySyncAck.parse(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.directory, { cursor }));
  const tables = async () => ({ institutions: await countRows(server.db, 'institutions'), changes: await countRows(server.db, 'directory_changes'), journal: await countRows(server.db, 'audit_journal') });

  beforeAll(async () => {
    env = await freshEnv(dialect);
    server = await startServer(env.config, { logger: false });
    socket = await connectKiosk(server.url, await addKiosk(server.db));
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
    await env?.cleanup();
  });

  it('needs the staff token', async () => {
    const res = await call('POST', '/import', BASE, 'wrong-token');
    expect(res.status).toBe(401);
    expect(await countRows(server.db, 'directory_changes')).toBe(6);
  });

  it('imports a file after a dry run, and the kiosk follows by difference', async () => {
    const first = await sync(null);
    if (!first.ok) throw new Error('refused');
    expect(first).toMatchObject({ full: true, removed: [] });
    expect(first.institutions).toHaveLength(6);

    const before = await tables();
    const dry = await call('POST', '/import?dryRun=true', BASE);
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ ok: true, dryRun: true, added: 12, changed: 0, removed: 0, skipped: 1 });
    expect(await tables()).toEqual(before);

    const res = await call('POST', '/import', BASE);
    expect(await res.json()).toMatchObject({ ok: true, dryRun: false, added: 12, changed: 0, removed: 0, unchanged: 0, skipped: 1, warnings: [] });
    const diff = await sync(first.cursor);
    if (!diff.ok) throw new Error('refused');
    expect(diff.full).toBe(false);
    expect(diff.institutions).toHaveLength(12);
    expect(diff.institutions.find((i) => i.id === ID(3))).toMatchObject({ phone: '04 00 00 02 01', communes: ['69123', '69259', '69266'], source: 'annuaire' });

    const later = await call('POST', '/import', CHANGED);
    expect(await later.json()).toMatchObject({ ok: true, added: 1, changed: 1, removed: 1, unchanged: 10 });
    const next = await sync(diff.cursor);
    if (!next.ok) throw new Error('refused');
    expect(next.institutions.map((i) => i.id).sort()).toEqual([ID(14), ID(3)].sort());
    expect(next.removed).toEqual([ID(4)]);
    // a bad cursor is a typed refusal of the request, not a crash; an unknown one gets everything
    expect(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.directory, { cursor: 'x'.repeat(500) })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await sync('d1.123456789')).toMatchObject({ full: true });
  });

  it('refuses a bad file by entry, with nothing changed', async () => {
    const before = await tables();
    const notJson = await call('POST', '/import', '{ "service": [ { "nom": "Mairie" ');
    expect(notJson.status).toBe(422);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid', problems: [expect.stringContaining('pas du JSON lisible')] } });
    const file = JSON.parse(BASE) as { service: Record<string, unknown>[] };
    delete file.service[0]!.nom;
    (file.service[2]!.plage_ouverture as Record<string, unknown>[])[0]!.nom_jour_debut = 'Someday';
    const res = await call('POST', '/import', JSON.stringify(file, null, 2));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { message: string; problems: string[] } };
    expect(body.error.message).toBe('2 problèmes dans le fichier. Rien n’a été importé.');
    expect(body.error.problems).toEqual([expect.stringMatching(/^entrée n° 1, ligne 3, id .*001 : le nom « nom » manque$/), expect.stringContaining('jour inconnu « Someday »')]);
    expect(await tables()).toEqual(before);
  });

  it('adds, changes and removes local entries; refuses bad ones in French', async () => {
    const entry = { kind: 'cms', name: 'Centre médico-social de Vénissieux', address: '3 rue Gambetta', postcode: '69200', city: 'Vénissieux', lat: 45.7, lon: 4.88, communes: ['69259'], hours: [{ day: 2, opens: '09:00', closes: '12:00' }] };
    const added = await call('POST', '/', JSON.stringify({ id: 'cms-venissieux', ...entry }));
    expect(added.status, await added.clone().text()).toBe(201);
    expect(await added.json()).toMatchObject({ id: 'cms-venissieux', source: 'local', communes: ['69259'] });

    const before = await tables();
    for (const [body, what] of [
      ['{not json', 'Requête invalide'],
      [JSON.stringify({ ...entry, postcode: '692' }), 'postcode'],
      [JSON.stringify({ ...entry, hours: [{ day: 9, opens: '09:00', closes: '12:00' }] }), 'hours'],
      [JSON.stringify({ ...entry, lat: 95 }), 'lat'],
      [JSON.stringify({ ...entry, secret: 1 }), 'secret'],
    ] as const) {
      const res = await call('POST', '/', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(what);
    }
    expect(await tables()).toEqual(before);
    expect((await call('POST', '/', JSON.stringify({ id: 'cms-venissieux', ...entry }))).status).toBe(409);

    const changed = await call('PUT', '/cms-venissieux', JSON.stringify({ ...entry, phone: '04 00 00 12 01' }));
    expect(await changed.json()).toMatchObject({ changed: true, phone: '04 00 00 12 01' });
    expect((await call('PUT', `/${ID(3)}`, JSON.stringify(entry))).status).toBe(409);
    expect((await call('GET', '/cms-venissieux')).status).toBe(200);

    const search = await call('GET', '/?q=69200');
    const found = (await search.json()) as { communes: { code: string }[]; institutions: { id: string }[] };
    expect(found.communes.map((c) => c.code)).toEqual(['69259']);
    expect(found.institutions.map((i) => i.id)).toContain('cms-venissieux');
    expect(((await (await call('GET', '/?q=V%C3%A9nissieux&kind=cms')).json()) as { institutions: { id: string }[] }).institutions.map((i) => i.id)).toEqual(['cms-venissieux']);
    expect((await call('GET', '/?q=x')).status).toBe(400);

    const { cursor } = DirectorySyncAck.parse(await socket.timeout(10_000).emitWithAck(VAULT_EVENTS.directory, { cursor: null })) as { cursor: string };
    expect((await call('DELETE', '/cms-venissieux')).status).toBe(204);
    expect((await call('DELETE', '/cms-venissieux')).status).toBe(404);
    expect((await call('GET', '/cms-venissieux')).status).toBe(404);
    expect(await sync(cursor)).toMatchObject({ full: false, institutions: [], removed: ['cms-venissieux'] });
    const acts = await server.db.selectFrom('audit_journal').select(['action', 'actor_id']).where('action', 'like', 'directory.%').orderBy('seq').execute();
    expect(acts.map((a) => a.action)).toEqual(['directory.import', 'directory.import', 'directory.local.add', 'directory.local.change', 'directory.local.remove']);
    expect(new Set(acts.map((a) => a.actor_id))).toEqual(new Set(['staff-api']));
  });
});
