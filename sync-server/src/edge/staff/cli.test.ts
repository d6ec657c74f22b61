/**
 * The staff commands that need no card reader, run in-process against a real database (SQLite and
 * PostgreSQL): the CA, the server's revocation-signing key, listing and blocking cards, the revocation
 * list, the welcome letter, and the exit codes for bad usage and failures. Issuance over a reader is in cards/issue-card.hw.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyCaSignature } from '../../../protocol/card-certificate.ts';
import { verifyRevocationList } from '../../../protocol/revocation-signer.ts';
import { RevocationList, revocationSigningPayload } from '../../../protocol/revocation.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { readSeedFile, seedDatabase } from '../seed.ts';
import { CAMILLE, DIALECTS, freshEnv, SEED_PATH, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { loadCa } from '../../features/cards/index.ts';
import { main } from './cli.ts';

describe.each(DIALECTS)('staff commands on %s', (dialect) => {
  let env: TestEnv;
  let out: string[];
  let err: string[];
  const savedUrl = process.env.DATABASE_URL;
  const savedDir = process.env.FAC_DATA_DIR;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    const storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    await storage.db.destroy();
    delete process.env.FAC_DATA_DIR;
    if (env.config.database.kind === 'postgres') process.env.DATABASE_URL = env.config.database.url;
    else delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    if (savedDir !== undefined) process.env.FAC_DATA_DIR = savedDir;
    await env?.cleanup();
  });
  afterEach(() => vi.restoreAllMocks());

  async function run(...argv: string[]): Promise<number> {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      return await main([...argv, '--data', env.config.dataDir]);
    } finally {
      write.mockRestore();
    }
  }

  it('creates the CA once, with private key files, and shows it with its SHA-256 fingerprint', async () => {
    expect(await run('ca', 'init')).toBe(0);
    expect(out.join('\n')).toContain('Autorité de certification créée');
    const ca = await loadCa(env.config.dataDir);
    expect(statSync(join(env.config.dataDir, 'ca', 'ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(await run('ca', 'init')).toBe(1);
    expect(err.join('\n')).toMatch(/une AC existe déjà/);
    expect((await loadCa(env.config.dataDir))!.fingerprint).toBe(ca!.fingerprint);

    expect(await run('ca', 'show')).toBe(0);
    const shown = out.join('\n');
    const openssl = execFileSync('openssl', ['x509', '-in', join(env.config.dataDir, 'ca', 'ca.cert.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(shown).toContain(openssl.trim().split('=')[1]!);
    expect(shown).toMatch(/Valide jusqu'au \/ until/);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(await run('ca', 'show', '--pem')).toBe(0);
    expect(out.join('')).toBe(readFileSync(join(env.config.dataDir, 'ca', 'ca.cert.pem'), 'utf8'));
  });

  it('lists the cards, blocks one and publishes a signed list that `revocations` prints', async () => {
    expect(await run('card', 'list')).toBe(0);
    expect(out).toHaveLength(4);
    expect(out.find((l) => l.startsWith(CAMILLE.card))).toMatch(/FAC-K7QM-3XD2-9HRW {2}Camille Martin .* active .*sans certificat/);

    expect(await run('card', 'block', '--serial', YANIS.card.toLowerCase(), '--reason', 'stolen')).toBe(0);
    expect(out.join('\n')).toMatch(/Carte 0A1B2C3E bloquée \(stolen\)/);
    expect(out.join('\n')).toMatch(/Liste de révocation publiée : version 1, 1 carte/);
    expect(await run('card', 'block', '--serial', YANIS.card)).toBe(0);
    expect(out.join('\n')).toMatch(/déjà bloquée/);

    expect(await run('revocations', '--json')).toBe(0);
    const list = RevocationList.parse(JSON.parse(out.join('\n')));
    expect(list.revoked).toEqual([{ cardSerial: YANIS.card, reason: 'stolen', at: expect.any(String) }]);
    const ca = (await loadCa(env.config.dataDir))!;
    expect(verifyCaSignature(ca.certificate, revocationSigningPayload(list), Buffer.from(list.signature, 'base64url'))).toBe(true);

    expect(await run('card', 'list', '--identifier', YANIS.identifier, '--json')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject([{ serial: YANIS.card, status: 'blocked', revocationReason: 'stolen' }]);
  });

  it('gives a server its revocation-signing key where the CA is; a block then publishes a list signed by that key', async () => {
    const ca = (await loadCa(env.config.dataDir))!;
    const serverDir = join(env.config.dataDir, 'a-server');
    expect(await run('ca', 'revocation-key', 'issue', '--server-data', serverDir, '--days', '90')).toBe(0);
    expect(out.join('\n')).toMatch(/Clé de signature des listes de révocation écrite : .*revocation-key\.pem/);
    expect(readdirSync(join(serverDir, 'ca')).sort()).toEqual(['ca.cert.pem', 'revocation-key.pem']);
    expect(statSync(join(serverDir, 'ca', 'revocation-key.pem')).mode & 0o777).toBe(0o600);
    expect(out.join('\n')).not.toContain('PRIVATE KEY');

    for (const argv of [['ca', 'revocation-key', 'issue', '--days', '0'], ['ca', 'revocation-key', 'issue', '--days', 'many'], ['ca', 'revocation-key', 'make']]) {
      expect(await run(...argv), argv.join(' ')).toBe(2);
    }
    // where there is no CA key (a server's folder): refused, nothing written
    expect(await run('ca', 'revocation-key', 'issue', '--ca', join(serverDir, 'ca'), '--server-data', join(env.config.dataDir, 'b-server'))).toBe(1);
    expect(err.join('\n')).toMatch(/pas d’autorité de certification/);
    expect(existsSync(join(env.config.dataDir, 'b-server'))).toBe(false);

    // this test's folder is both the issuance station and the server (as in the demo)
    expect(await run('ca', 'revocation-key', 'issue')).toBe(0);
    expect(await run('card', 'block', '--serial', CAMILLE.card, '--reason', 'lost')).toBe(0);
    expect(out.join('\n')).toMatch(/Liste de révocation publiée : version 2, 2 carte\(s\), signée par clé de signature/);
    expect(await run('revocations', '--json')).toBe(0);
    const list = RevocationList.parse(JSON.parse(out.join('\n')));
    expect(list.signerCertificate).toBeDefined();
    expect(verifyRevocationList(list, { caCertificate: ca.certificate, now: new Date() })).toMatchObject({ ok: true, signer: { kind: 'revocation-key' } });

    expect(await run('ca', 'show')).toBe(0);
    expect(out.join('\n')).toMatch(/Clé de signature des listes de révocation \/ revocation-signing key/);
    // a server's folder shows its CA certificate and key without any CA key
    expect(await run('ca', 'show', '--ca', join(serverDir, 'ca'))).toBe(0);
    expect(out.join('\n')).toContain(ca.fingerprint);
  });

  it('keeps the CA wherever the issuance station says (--ca), apart from the data folder', async () => {
    const elsewhere = join(env.config.dataDir, 'usb-key', 'ca');
    expect(await run('ca', 'init', '--ca', elsewhere), err.join('\n')).toBe(0);
    expect(readdirSync(elsewhere).sort()).toEqual(['ca.cert.pem', 'ca.key.pem', 'pw3.secret']);
    expect(await run('ca', 'show', '--ca', elsewhere)).toBe(0);
    expect(out.join('\n')).toContain(elsewhere);
    // the data folder's revocation-signing key is the other CA's: said, not hidden
    expect(out.join('\n')).toMatch(/Clé de signature des listes de révocation inutilisable \(foreign\)/);
  });

  it('writes the welcome letter of a person, printing only the identifier', async () => {
    const path = join(env.config.dataDir, 'lettre.pdf');
    expect(await run('letter', '--identifier', CAMILLE.identifier, '--out', path)).toBe(0);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    expect(out.join('\n')).toContain(path);
    expect(await run('letter', '--identifier', 'FAC-0000-0000-0000', '--out', path)).toBe(1);
    expect(err.join('\n')).toMatch(/personne inconnue/);
  });

  it('exits 2 on bad usage and 1 on failures, with French then English messages', async () => {
    const usage: string[][] = [
      ['nothing'],
      ['card', 'fly'],
      ['card', 'issue', '--pin', '142536', '--identifier', CAMILLE.identifier],
      ['card', 'issue', '--reader', 'PCD', '--pin', '142536', '--identifier', CAMILLE.identifier, '--first-name', 'A'],
      ['card', 'issue', '--reader', 'PCD', '--pin', '142536', '--first-name', 'A'],
      ['card', 'issue', '--reader', 'PCD', '--pin', '142536', '--identifier', CAMILLE.identifier, '--role', 'boss'],
      ['card', 'block', '--serial', 'XYZ'],
      ['card', 'block', '--serial', CAMILLE.card, '--reason', 'replaced'],
      ['card', 'block', '--serial', CAMILLE.card, '--colour', 'red'],
      ['card', 'unblock', '--reader', 'PCD'],
      ['card', 'issue', '--reader', 'PCD', '--pin', '142536', '--identifier', CAMILLE.identifier, '--wait', '0'],
    ];
    for (const argv of usage) {
      expect(await run(...argv), argv.join(' ')).toBe(2);
      expect(err.join('\n'), argv.join(' ')).toMatch(/^Erreur/);
    }
    expect(await run('card', 'block', '--serial', '0B0B0B0B')).toBe(1);
    expect(err.join('\n')).toMatch(/carte inconnue \/ unknown card/);
    expect(await run('card', 'list', '--identifier', 'FAC-K7QM-3XD2-9HRX')).toBe(1);
  });

  it('refuses a card PIN that is not 6 to 8 digits at once, in French, without waiting for a card or printing it', async () => {
    const started = Date.now();
    for (const argv of [
      ['card', 'issue', '--reader', 'No Such Reader', '--wait', '5', '--identifier', CAMILLE.identifier, '--pin', '4826'],
      ['card', 'replace', '--serial', CAMILLE.card, '--reader', 'No Such Reader', '--wait', '5', '--pin', '48261'],
      ['card', 'unblock', '--reader', 'No Such Reader', '--wait', '5', '--new-pin', '482619375'],
    ]) {
      err.length = 0;
      expect(await run(...argv), argv.join(' ')).toBe(1);
      expect(err.join('\n')).toMatch(/donnée invalide \/ invalid input — Le code doit avoir 6 à 8 chiffres/);
      expect(err.join('\n')).not.toMatch(/pas de carte dans le lecteur/);
      expect([...out, ...err].join('\n')).not.toMatch(/4826/);
    }
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('waits for a card a bounded time, then fails without printing the PIN', async () => {
    expect(await run('card', 'issue', '--reader', 'No Such Reader', '--wait', '1', '--identifier', CAMILLE.identifier, '--pin', '975310')).toBe(1);
    expect(err.join('\n')).toMatch(/pas de carte dans le lecteur/);
    expect([...out, ...err].join('\n')).not.toContain('975310');
  });
});
