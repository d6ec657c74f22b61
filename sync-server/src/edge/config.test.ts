import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOBS_CONFIG } from '../kernel/blobs/blob-config.ts';
import { ConfigError, DEMO_STAFF_TOKEN, loadServerConfig, loadStorageConfig, REPO_ROOT } from './config.ts';

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
    });
  });

  it('reads every variable; DATABASE_URL selects PostgreSQL; relative paths resolve from cwd', () => {
    const c = loadServerConfig(
      {
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
    expect(problemsOf({ FAC_STAFF_TOKEN: TOKEN, FAC_SEED: 'nope.json' })).toEqual(['FAC_SEED: no such file: /srv/nope.json']);
    try {
      loadServerConfig({ FAC_STAFF_TOKEN: 'secret-ish' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/Invalid server configuration/);
      expect((err as Error).message).not.toContain('secret-ish');
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
