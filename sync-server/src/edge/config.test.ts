import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOBS_CONFIG } from '../kernel/blobs/blob-config.ts';
import { ConfigError, DEMO_STAFF_TOKEN, loadServerConfig, loadStorageConfig, REPO_ROOT } from './config.ts';
import { DEMO_SEED_PATH } from './demo-data.ts';
import { STAFF_TOKEN } from '../../test-support/test-env.ts';

const TOKEN = 'a-staff-token-of-some-length';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadServerConfig(env, '/srv');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServerConfig', () => {
  it('has defaults: loopback, port 7390, SQLite in .data/server under the repo root', () => {
    const c = loadServerConfig({ FAC_STAFF_TOKEN: TOKEN });
    expect(c).toEqual({
      mode: 'production',
      host: '127.0.0.1',
      port: 7390,
      dataDir: join(REPO_ROOT, '.data', 'server'),
      database: { kind: 'sqlite', file: join(REPO_ROOT, '.data', 'server', 'facilitateur.sqlite') },
      staffToken: TOKEN,
      logLevel: 'info',
      seedPath: null,
      blobs: DEFAULT_BLOBS_CONFIG,
      trustProxy: [],
      audit: { publicKey: null, verifyIntervalMs: 3_600_000 },
    });
  });

  it('reads the audit settings: a pinned checkpoint key, the verification period in minutes; refuses what they are not', () => {
    const key = 'A'.repeat(43);
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_AUDIT_PUBLIC_KEY: key, FAC_AUDIT_VERIFY_MINUTES: '0' }).audit).toEqual({ publicKey: key, verifyIntervalMs: 0 });
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_AUDIT_VERIFY_MINUTES: '15' }).audit.verifyIntervalMs).toBe(15 * 60_000);
    expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_AUDIT_PUBLIC_KEY: 'short', FAC_AUDIT_VERIFY_MINUTES: '-1' }).map((p) => p.split(':')[0])).toEqual(['FAC_AUDIT_PUBLIC_KEY', 'FAC_AUDIT_VERIFY_MINUTES']);
  });

  it('reads every variable; DATABASE_URL selects PostgreSQL; relative paths resolve from cwd', () => {
    const c = loadServerConfig(
      {
        FAC_MODE: 'demo',
        FAC_SERVER_HOST: '0.0.0.0',
        FAC_SERVER_PORT: '0',
        FAC_DATA_DIR: 'data',
        DATABASE_URL: 'postgres://fac@db.example:5432/fac',
        FAC_STAFF_TOKEN: TOKEN,
        FAC_LOG_LEVEL: 'debug',
        FAC_SEED: join(REPO_ROOT, 'assets', 'seed', 'demo.json'),
      },
      '/srv',
    );
    expect(c.mode).toBe('demo');
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(0);
    expect(c.dataDir).toBe('/srv/data');
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://fac@db.example:5432/fac' });
    expect(c.logLevel).toBe('debug');
    expect(c.seedPath).toBe(join(REPO_ROOT, 'assets', 'seed', 'demo.json'));
  });

  it('reads the trusted proxies (addresses, ranges, proxy-addr names) and refuses anything else, naming it', () => {
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_TRUST_PROXY: ' 10.0.0.1, 10.1.0.0/16 ,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16', 'fd00::/8', 'loopback']);
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_TRUST_PROXY: '' }).trustProxy).toEqual([]);
    const problems = problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_TRUST_PROXY: '10.0.0.0/33,proxy.example,1.2.3.4/8/1,true' });
    expect(problems).toEqual([
      'FAC_TRUST_PROXY: not an address, a CIDR range or loopback/linklocal/uniquelocal: 10.0.0.0/33',
      'FAC_TRUST_PROXY: not an address, a CIDR range or loopback/linklocal/uniquelocal: proxy.example',
      'FAC_TRUST_PROXY: not an address, a CIDR range or loopback/linklocal/uniquelocal: 1.2.3.4/8/1',
      'FAC_TRUST_PROXY: not an address, a CIDR range or loopback/linklocal/uniquelocal: true',
    ]);
  });

  it('reads how long an upload may stay silent before it stops counting (minutes), and refuses a bad value', () => {
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN }).blobs.uploadStaleMs).toBe(5 * 60_000);
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_BLOB_UPLOAD_STALE_MINUTES: '2' }).blobs.uploadStaleMs).toBe(120_000);
    expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_BLOB_UPLOAD_STALE_MINUTES: '0.5' }).blobs.uploadStaleMs).toBe(30_000);
    for (const bad of ['0', 'abc', '-1', '100000']) {
      expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_BLOB_UPLOAD_STALE_MINUTES: bad })).toEqual([expect.stringMatching(/^FAC_BLOB_UPLOAD_STALE_MINUTES: expected a number/)]);
    }
  });

  it('treats empty variables as unset', () => {
    const c = loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, DATABASE_URL: '', FAC_SERVER_PORT: ' ' });
    expect(c.database.kind).toBe('sqlite');
    expect(c.port).toBe(7390);
  });

  it('requires a staff token in production, and allows the demo default in demo and test modes', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^FAC_STAFF_TOKEN: required/)]);
    expect(loadServerConfig({ FAC_MODE: 'demo' }).staffToken).toBe(DEMO_STAFF_TOKEN);
    expect(loadServerConfig({ FAC_MODE: 'test' }).staffToken).toBe(DEMO_STAFF_TOKEN);
    expect(loadServerConfig({ FAC_MODE: 'demo', FAC_STAFF_TOKEN: TOKEN }).staffToken).toBe(TOKEN);
  });

  it('refuses demo settings in production: every secret the repository publishes as the staff token, and FAC_SEED', () => {
    const seed = JSON.parse(readFileSync(DEMO_SEED_PATH, 'utf8')) as { kiosks: { token: string }[]; consoleAccounts: { password: string }[] };
    const published = [DEMO_STAFF_TOKEN, STAFF_TOKEN, ...seed.kiosks.map((k) => k.token), ...seed.consoleAccounts.map((a) => a.password), 'my-token-CHANGE_ME-later'];
    expect(published.length).toBeGreaterThanOrEqual(5);
    for (const token of published) {
      expect(problemsOf({ FAC_STAFF_TOKEN: token }), token).toEqual([
        'FAC_STAFF_TOKEN: this token is published in the repository (documentation, demo or test data): choose a secret one for production',
      ]);
      // outside production, the demo token and the others are fine
      expect(loadServerConfig({ FAC_MODE: 'demo', FAC_STAFF_TOKEN: token }).staffToken).toBe(token);
    }
    expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_SEED: DEMO_SEED_PATH })).toEqual(['FAC_SEED: loading demo data is refused in production (unset FAC_SEED, or set FAC_MODE=demo)']);
    expect(problemsOf({ FAC_MODE: 'production', FAC_STAFF_TOKEN: DEMO_STAFF_TOKEN, FAC_SEED: DEMO_SEED_PATH }).map((p) => p.split(':')[0])).toEqual(['FAC_STAFF_TOKEN', 'FAC_SEED']);
    expect(loadServerConfig({ FAC_MODE: 'demo', FAC_SEED: DEMO_SEED_PATH }).seedPath).toBe(DEMO_SEED_PATH);
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      FAC_SERVER_PORT: '99999',
      DATABASE_URL: 'mysql://x',
      FAC_LOG_LEVEL: 'loud',
      FAC_STAFF_TOKEN: 'short',
      FAC_MODE: 'staging',
    });
    const vars = problems.map((p) => p.split(':')[0]).sort();
    expect(vars).toEqual(['DATABASE_URL', 'FAC_LOG_LEVEL', 'FAC_MODE', 'FAC_SERVER_PORT', 'FAC_STAFF_TOKEN']);
  });

  it('rejects a non-numeric port, a missing seed file, and never echoes the token', () => {
    expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_SERVER_PORT: 'http' })).toEqual([expect.stringMatching(/^FAC_SERVER_PORT: /)]);
    expect(problemsOf({ FAC_MODE: 'demo', FAC_SEED: 'nope.json' })).toEqual(['FAC_SEED: no such file: /srv/nope.json']);
    try {
      loadServerConfig({ FAC_STAFF_TOKEN: 'secret-ish' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/Invalid server configuration/);
      expect((err as Error).message).not.toContain('secret-ish');
    }
  });

  it('refuses a production data folder that holds the CA key or the card admin secret, naming each file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-config-'));
    try {
      mkdirSync(join(dir, 'ca'));
      for (const f of ['ca.key.pem', 'pw3.secret']) writeFileSync(join(dir, 'ca', f), 'x', { mode: 0o600 });
      expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_DATA_DIR: dir })).toEqual([
        expect.stringMatching(new RegExp(`^FAC_DATA_DIR: ${join(dir, 'ca', 'ca.key.pem')} is the platform CA’s private key: a production server must not hold it`)),
        expect.stringMatching(new RegExp(`^FAC_DATA_DIR: ${join(dir, 'ca', 'pw3.secret')} is the card admin secret`)),
      ]);
      // with the other problems, all at once
      expect(problemsOf({ FAC_DATA_DIR: dir })).toHaveLength(3);
      // demo and test: the machine is the issuance station too (the server warns at start)
      expect(loadServerConfig({ FAC_MODE: 'demo', FAC_DATA_DIR: dir }).dataDir).toBe(dir);
      expect(loadServerConfig({ FAC_MODE: 'test', FAC_DATA_DIR: dir }).dataDir).toBe(dir);
      // what a server holds (the CA certificate, its revocation-signing key) is no problem
      unlinkSync(join(dir, 'ca', 'ca.key.pem'));
      expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_DATA_DIR: dir })).toEqual([expect.stringMatching(/pw3\.secret/)]);
      unlinkSync(join(dir, 'ca', 'pw3.secret'));
      writeFileSync(join(dir, 'ca', 'ca.cert.pem'), 'x');
      writeFileSync(join(dir, 'ca', 'revocation-key.pem'), 'x', { mode: 0o600 });
      expect(loadServerConfig({ FAC_STAFF_TOKEN: TOKEN, FAC_DATA_DIR: dir }).mode).toBe('production');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadStorageConfig (staff commands)', () => {
  it('needs no staff token, takes the data folder from the flag first, and DATABASE_URL for PostgreSQL', () => {
    expect(loadStorageConfig({}, '/srv')).toEqual({ dataDir: join(REPO_ROOT, '.data', 'server'), database: { kind: 'sqlite', file: join(REPO_ROOT, '.data', 'server', 'facilitateur.sqlite') }, blobs: DEFAULT_BLOBS_CONFIG });
    expect(loadStorageConfig({ FAC_DATA_DIR: 'data' }, '/srv').dataDir).toBe('/srv/data');
    expect(loadStorageConfig({ FAC_DATA_DIR: 'data' }, '/srv', '/elsewhere')).toEqual({ dataDir: '/elsewhere', database: { kind: 'sqlite', file: '/elsewhere/facilitateur.sqlite' }, blobs: DEFAULT_BLOBS_CONFIG });
    expect(loadStorageConfig({ DATABASE_URL: 'postgres://u@h/db' }, '/srv').database).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(() => loadStorageConfig({ DATABASE_URL: 'mysql://x' }, '/srv')).toThrow(ConfigError);
  });
});
