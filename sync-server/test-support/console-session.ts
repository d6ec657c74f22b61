/**
 * The console for tests that drive it with Fastify inject: a fresh database (migrated, the demo seed in
 * it) with the console registered on it, and an account signed in through the real login form (its CSRF
 * cookie and token) — the session cookie, the CSRF token of the page landed on, get/post helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { registerConsole } from '../src/edge/console/routes.ts';
import { readSeedFile, seedDatabase } from '../src/edge/seed.ts';
import { LocalBlobStore } from '../src/kernel/blobs/blob-store.ts';
import { openDatabase } from '../src/kernel/storage/database.ts';
import type { Dialect, Storage } from '../src/kernel/storage/database.ts';
import { migrateToLatest } from '../src/kernel/storage/migrate.ts';
import { freshEnv, SEED_PATH } from './test-env.ts';
import type { TestEnv } from './test-env.ts';

export const DEMO_CONSOLE_PASSWORD = 'demo-console-1234';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export const cookiesOf = (res: LightMyRequestResponse): Map<string, string> => {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.split('=')[0]!, c.split(';')[0]!.split('=').slice(1).join('=')]));
};

export const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export interface ConsoleTestSession {
  cookie: string;
  /** the page landed on after signing in (`landing`), and its CSRF token (every page's logout form has it) */
  first: LightMyRequestResponse;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** a form POST, as the browser sends it; the CSRF token is the caller's to put in `body` */
  post(url: string, body: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function consoleLogin(app: FastifyInstance, login: string, o: { password?: string; landing?: string } = {}): Promise<ConsoleTestSession> {
  const page = await app.inject({ method: 'GET', url: '/console/connexion' });
  const res = await app.inject({
    method: 'POST',
    url: '/console/connexion',
    headers: { ...FORM, cookie: `fac_console_login=${cookiesOf(page).get('fac_console_login')}` },
    payload: new URLSearchParams({ csrf: csrfOf(page.body), login, password: o.password ?? DEMO_CONSOLE_PASSWORD }).toString(),
  });
  expect(res.statusCode, res.body).toBe(303);
  const cookie = `fac_console=${cookiesOf(res).get('fac_console')}`;
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
  const first = await get(o.landing ?? '/console');
  return {
    cookie,
    first,
    csrf: csrfOf(first.body),
    get,
    post: (url, body) => app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams(body).toString() }),
  };
}

export interface ConsoleTestApp {
  env: TestEnv;
  storage: Storage;
  app: FastifyInstance;
  blobStore: LocalBlobStore;
  close(): Promise<void>;
}

/** A fresh database of this engine with the demo seed, and the console on it (blobs in a temporary folder). */
export async function openConsoleApp(dialect: Dialect): Promise<ConsoleTestApp> {
  const env = await freshEnv(dialect);
  const storage = openDatabase(env.config.database);
  await migrateToLatest(storage.db, storage.dialect);
  await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  const blobDir = mkdtempSync(join(tmpdir(), 'fac-console-test-'));
  const blobStore = new LocalBlobStore(join(blobDir, 'blobs'));
  const app = Fastify({ logger: false });
  await registerConsole(app, { db: storage.db, dialect: storage.dialect, blobStore });
  await app.ready();
  return {
    env,
    storage,
    app,
    blobStore,
    close: async () => {
      await app.close();
      await storage.db.destroy();
      rmSync(blobDir, { recursive: true, force: true });
      await env.cleanup();
    },
  };
}
