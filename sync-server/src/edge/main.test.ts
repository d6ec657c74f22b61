/** `npm run server` as a real process: starts, serves, stops cleanly on SIGTERM; bad config exits non-zero. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { disableConsoleAccount } from '../features/accounts/index.ts';
import { revokeKiosk } from '../features/fleet/index.ts';
import { openDatabase } from '../kernel/storage/database.ts';
import { migrateToLatest } from '../kernel/storage/migrate.ts';
import { REPO_ROOT } from './config.ts';
import { DEMO_STAFF_TOKEN } from './demo-data.ts';
import { readSeedFile, seedDatabase } from './seed.ts';
import { DEMO_KIOSK_ID, SEED_PATH } from '../../test-support/test-env.ts';

const MAIN = join(REPO_ROOT, 'sync-server', 'src', 'edge', 'main.ts');

/** A production staff token nobody published. */
const SECRET_TOKEN = 'prod-0c2b7e5d9a14f3e8b6d1c47a';

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('main', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fac-main-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with FAC_* variables, prints its URL, and exits 0 on SIGTERM', async () => {
    const p = run({ FAC_MODE: 'demo', FAC_DATA_DIR: dataDir, FAC_SERVER_PORT: '0', FAC_SEED: SEED_PATH, FAC_LOG_LEVEL: 'silent', FAC_TRUST_PROXY: '127.0.0.1' });
    try {
      const deadline = Date.now() + 20_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline && p.child.exitCode === null) {
        url = /listening on (http:\/\/\S+)/.exec(p.out())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, p.err()).toBeDefined();
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ ok: true, db: 'sqlite' });
      // FAC_TRUST_PROXY: a TLS proxy on this address says the client came over https → Secure cookies
      const viaProxy = await fetch(`${url}/console/connexion`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(viaProxy.headers.get('set-cookie')).toMatch(/^fac_console_login=[^;]+;.*; Secure/);
      const direct = await fetch(`${url}/console/connexion`);
      expect(direct.headers.get('set-cookie')).not.toMatch(/Secure/);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('exits 2 in production when its data folder holds the CA key, naming the file and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-main-ca-'));
    try {
      mkdirSync(join(dir, 'ca'));
      writeFileSync(join(dir, 'ca', 'ca.key.pem'), 'x', { mode: 0o600 });
      const p = run({ FAC_DATA_DIR: dir, FAC_SERVER_PORT: '0', FAC_STAFF_TOKEN: 'a-staff-token-of-some-length' });
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(`${join(dir, 'ca', 'ca.key.pem')} is the platform CA’s private key`);
      expect(p.err()).toMatch(/ca revocation-key issue/);
      expect(p.out()).not.toMatch(/listening/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero listing what is wrong with the configuration', async () => {
    const p = run({ FAC_SERVER_PORT: 'abc', FAC_DATA_DIR: dataDir });
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toMatch(/Invalid server configuration/);
    expect(p.err()).toMatch(/FAC_SERVER_PORT/);
    expect(p.err()).toMatch(/FAC_STAFF_TOKEN/);
  });

  /** Waits for the URL it prints, or its exit; returns the URL (undefined when it exited). */
  async function listening(p: ReturnType<typeof run>): Promise<string | undefined> {
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline && p.child.exitCode === null) {
      url = /listening on (http:\/\/\S+)/.exec(p.out())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    return url;
  }

  it('refuses demo settings in production, naming each, with exit code 2: the published staff token, FAC_SEED', async () => {
    const p = run({ FAC_MODE: 'production', FAC_STAFF_TOKEN: DEMO_STAFF_TOKEN, FAC_SEED: SEED_PATH, FAC_DATA_DIR: dataDir, FAC_SERVER_PORT: '0' });
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/Invalid server configuration/);
    expect(p.err()).toMatch(/FAC_STAFF_TOKEN: this token is published in the repository/);
    expect(p.err()).toMatch(/FAC_SEED: loading demo data is refused in production/);
    // the token itself is not repeated
    expect(p.err()).not.toContain(DEMO_STAFF_TOKEN);
    // the demo kiosk's published token is no staff token either; production is the default mode
    const kioskToken = run({ FAC_STAFF_TOKEN: 'demo-kiosk-token-change-me-0001', FAC_DATA_DIR: dataDir, FAC_SERVER_PORT: '0' });
    expect(await kioskToken.exited).toBe(2);
    expect(kioskToken.err()).toMatch(/FAC_STAFF_TOKEN: this token is published/);
  });

  it('refuses to start in production on a database holding the demo seed’s accounts and kiosk with their published secrets (exit 2), and starts once they are disabled and revoked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-main-prod-'));
    try {
      const storage = openDatabase({ kind: 'sqlite', file: join(dir, 'facilitateur.sqlite') });
      await migrateToLatest(storage.db, storage.dialect);
      await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
      await storage.db.destroy();

      const env = { FAC_MODE: 'production', FAC_STAFF_TOKEN: SECRET_TOKEN, FAC_DATA_DIR: dir, FAC_SERVER_PORT: '0', FAC_LOG_LEVEL: 'silent' };
      const refused = run(env);
      expect(await refused.exited).toBe(2);
      expect(refused.out()).not.toMatch(/listening on/);
      expect(refused.err()).toMatch(/Invalid server configuration/);
      expect(refused.err()).toMatch(/console account "caf-chef" is the demo seed's, with its published password/);
      expect(refused.err()).toMatch(/console account "mdph-chef" is the demo seed's/);
      // the structure admin's demo account too
      expect(refused.err()).toMatch(/console account "cms-admin" is the demo seed's/);
      // and the CAF's other roles'
      expect(refused.err()).toMatch(/console account "caf-instructeur" is the demo seed's/);
      expect(refused.err()).toMatch(new RegExp(`kiosk "${DEMO_KIOSK_ID}" is the demo seed's, with its published token`));
      expect(refused.err()).not.toContain('demo-console-1234');

      // what the messages say to do
      const again = openDatabase({ kind: 'sqlite', file: join(dir, 'facilitateur.sqlite') });
      await disableConsoleAccount(again.db, again.dialect, 'caf-chef');
      await disableConsoleAccount(again.db, again.dialect, 'mdph-chef');
      await disableConsoleAccount(again.db, again.dialect, 'cms-admin');
      for (const login of ['caf-instructeur', 'caf-depot', 'caf-admin', 'cpam-accueil', 'mairie-accueil', 'sip-accueil', 'cms-accueil']) await disableConsoleAccount(again.db, again.dialect, login);
      await revokeKiosk(again.db, again.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
      await again.db.destroy();

      const started = run(env);
      try {
        const url = await listening(started);
        expect(url, started.err()).toBeDefined();
        expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true });
        started.child.kill('SIGTERM');
        expect(await started.exited).toBe(0);
      } finally {
        if (started.child.exitCode === null) started.child.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
