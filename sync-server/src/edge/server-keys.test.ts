/**
 * What the server holds of the platform's keys, checked at start (DESIGN.md §6): in production it
 * refuses to start next to the CA key or the card admin secret, before it opens anything; in demo and
 * test it warns. A revocation-signing key that is there but wrong stops the start in every mode; one
 * that is missing only turns the revocation lists off; one that ends soon is announced. Logs never
 * carry a key.
 */
import { randomBytes } from 'node:crypto';
import { seedPersons } from '../features/persons/index.ts';
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem, initCa, issueRevocationKey, revocationKeyPath } from '../features/cards/index.ts';
import { freshEnv, STAFF_TOKEN, CAMILLE } from '../../test-support/test-env.ts';
import type { TestEnv } from '../../test-support/test-env.ts';
import { installTestPlatform } from '../../test-support/test-ca.ts';
import { ConfigError } from './config.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';

/** A pino logger writing JSON lines into `lines`. */
function capture(lines: string[]) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

/** Production refuses the published test token and the demo seed: these starts use a secret one and no seed. */
const PRODUCTION = { mode: 'production', staffToken: randomBytes(24).toString('base64url'), seedPath: null } as const;

describe('the platform keys at server start', () => {
  let env: TestEnv | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await env?.cleanup();
    env = undefined;
  });

  it('refuses to start in production next to the CA key or the card admin secret, naming them, before opening the database', async () => {
    env = await freshEnv('sqlite');
    await initCa(env.config.dataDir);
    const start = startServer({ ...env.config, mode: 'production', staffToken: STAFF_TOKEN }, { logger: false });
    const err = await start.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([expect.stringMatching(/ca\.key\.pem is the platform CA’s private key/), expect.stringMatching(/pw3\.secret is the card admin secret/)]);
    expect(existsSync(join(env.config.dataDir, 'facilitateur.sqlite'))).toBe(false);
  });

  it('starts in production with the CA certificate and its revocation-signing key only, and signs with that key', async () => {
    env = await freshEnv('sqlite');
    const platform = await installTestPlatform(env.config.dataDir);
    const lines: string[] = [];
    server = await startServer({ ...env.config, ...PRODUCTION }, { logger: capture(lines) });
    expect(server.revocationKey).toMatchObject({ fingerprint: platform.revocationKey.fingerprint });
    const res = await fetch(`${server.url}/api/staff/revocations`, { headers: { authorization: `Bearer ${PRODUCTION.staffToken}` } });
    expect(((await res.json()) as { signerCertificate?: string }).signerCertificate).toBe(Buffer.from(platform.revocationKey.certificate).toString('base64url'));
    expect(lines.some((l) => /revocation-signing key loaded/.test(l))).toBe(true);
    expect(lines.some((l) => /CA key or the card admin secret/.test(l))).toBe(false);
    // no key material in the logs
    const keyBody = readFileSync(revocationKeyPath(env.config.dataDir), 'utf8').split('-----BEGIN PRIVATE KEY-----\n')[1]!.split('\n')[0]!;
    expect(lines.join('\n')).not.toContain(keyBody);
    expect(lines.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('warns in test and demo modes when the CA key is in its data folder, without logging it', async () => {
    env = await freshEnv('sqlite');
    const ca = await initCa(env.config.dataDir);
    await issueRevocationKey(ca, env.config.dataDir);
    const lines: string[] = [];
    server = await startServer({ ...env.config, mode: 'demo' }, { logger: capture(lines) });
    const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string; files?: string[] }).find((l) => /CA key or the card admin secret/.test(l.msg));
    expect(warning).toMatchObject({ level: 40, files: [join(env.config.dataDir, 'ca', 'ca.key.pem'), join(env.config.dataDir, 'ca', 'pw3.secret')] });
    expect(lines.join('\n')).not.toContain((await exportPrivateKeyPem(ca.privateKey)).split('\n')[1]);
  });

  it('refuses a revocation-signing key that is there but wrong, in every mode: readable by others, another CA’s, without the CA certificate', async () => {
    env = await freshEnv('sqlite');
    await installTestPlatform(env.config.dataDir);
    const path = revocationKeyPath(env.config.dataDir);
    const refusal = async (mode: 'production' | 'test') =>
      startServer({ ...env!.config, mode, staffToken: STAFF_TOKEN }, { logger: false }).then(
        async (s) => {
          await s.close();
          throw new Error(`the server started in ${mode} mode`);
        },
        (e: unknown) => e,
      );

    chmodSync(path, 0o644);
    for (const mode of ['production', 'test'] as const) {
      const e = await refusal(mode);
      expect(e, mode).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems[0]).toMatch(/readable by other users/);
    }
    chmodSync(path, 0o600);

    // a key another CA certified: the kiosks would refuse every list it signs
    const other = await initCa(join(env.config.dataDir, 'other-station'));
    const good = readFileSync(path, 'utf8');
    await issueRevocationKey(other, join(env.config.dataDir, 'other-server'));
    writeFileSync(path, readFileSync(revocationKeyPath(join(env.config.dataDir, 'other-server')), 'utf8'), { mode: 0o600 });
    expect(((await refusal('production')) as ConfigError).problems[0]).toMatch(/foreign/);
    writeFileSync(path, good, { mode: 0o600 });

    // the key without the certificate to check it against, then with one that is not a certificate
    const caCert = join(env.config.dataDir, 'ca', 'ca.cert.pem');
    const pem = readFileSync(caCert, 'utf8');
    unlinkSync(caCert);
    expect(((await refusal('test')) as ConfigError).problems[0]).toMatch(/not the CA certificate/);
    writeFileSync(caCert, 'not a certificate');
    expect(((await refusal('production')) as ConfigError).problems[0]).toMatch(/cannot be used/);
    writeFileSync(caCert, pem);
  });

  it('runs without a revocation-signing key (blocks, but publishes no list), and announces a key that ends within 30 days', async () => {
    env = await freshEnv('sqlite');
    const ca = await initCa(join(env.config.dataDir, 'issuance-station'));
    const lines: string[] = [];
    // the CA certificate alone
    await issueRevocationKey(ca, env.config.dataDir);
    unlinkSync(revocationKeyPath(env.config.dataDir));
    server = await startServer({ ...env.config, ...PRODUCTION }, { logger: capture(lines) });
    expect(server.revocationKey).toBeNull();
    expect(lines.some((l) => /no revocation-signing key/.test(l))).toBe(true);
    // a person with a card (no demo seed in production)
    await seedPersons(server.db, [{ identifier: CAMILLE.identifier, firstName: 'Camille', lastName: 'Martin', birthDate: '2009-03-14', role: 'beneficiary', card: { serial: CAMILLE.card } }], new Date().toISOString());
    const r = await fetch(`${server.url}/api/staff/cards/${CAMILLE.card}/block`, { method: 'POST', headers: { authorization: `Bearer ${PRODUCTION.staffToken}` } });
    expect(await r.json()).toEqual({ serial: CAMILLE.card, status: 'blocked', changed: true, revocationsVersion: null });
    await server.close();
    server = undefined;

    // a key that ends in 10 days: the server says so at start, and signs meanwhile
    await issueRevocationKey(ca, env.config.dataDir, { validityDays: 10 });
    lines.length = 0;
    server = await startServer({ ...env.config, ...PRODUCTION }, { logger: capture(lines) });
    const soon = lines.map((l) => JSON.parse(l) as { level: number; msg: string; days?: number }).find((l) => /expires soon/.test(l.msg));
    expect(soon).toMatchObject({ level: 40, days: 9 });
    const list = await fetch(`${server.url}/api/staff/revocations`, { headers: { authorization: `Bearer ${PRODUCTION.staffToken}` } });
    expect(((await list.json()) as { revoked: { cardSerial: string }[] }).revoked.map((x) => x.cardSerial)).toEqual([CAMILLE.card]);
  });
});
