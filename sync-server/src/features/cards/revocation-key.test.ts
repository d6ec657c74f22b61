/**
 * The server's revocation-signing key on disk: issued where the CA is, written into the server's
 * folder (the CA certificate and one 0600 file, nothing secret of the CA), read back and checked; every
 * way it can be wrong is refused with its own code; a rotation replaces it in one step.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromPem, toPem } from '../../../protocol/card-certificate.ts';
import { verifyRevocationList } from '../../../protocol/revocation-signer.ts';
import { createPlatformCa, exportPrivateKeyPem, generateSigningKey, issueRevocationSignerCertificate } from './ca.ts';
import { CA_FILES, caDir, initCa, issuanceSecretsIn, loadCa, loadCaCertificate } from './ca-store.ts';
import type { LoadedCa } from './ca-store.ts';
import { issueRevocationKey, loadRevocationKey, REVOCATION_KEY_FILE, revocationKeyPath } from './revocation-key.ts';
import { signRevocationList } from './revocations.ts';

const DAY = 86_400_000;
let root: string;
let station: string;
let server: string;
let ca: LoadedCa;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'fac-revocation-key-'));
  station = join(root, 'issuance-station');
  server = join(root, 'server');
  ca = await initCa(station);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('revocation-signing key', () => {
  it('gives the server the CA certificate and its own key (0600), nothing of the CA’s secrets', async () => {
    const issued = await issueRevocationKey(ca, server);
    expect(issued.path).toBe(revocationKeyPath(server));
    expect(readdirSync(caDir(server)).sort()).toEqual([CA_FILES.certificate, REVOCATION_KEY_FILE]);
    expect(statSync(issued.path).mode & 0o777).toBe(0o600);
    expect(issuanceSecretsIn(server)).toEqual([]);
    expect(issuanceSecretsIn(station)).toHaveLength(2);
    expect(readFileSync(join(caDir(server), CA_FILES.certificate), 'utf8')).toBe(readFileSync(join(caDir(station), CA_FILES.certificate), 'utf8'));
    // what the file holds: the certificate, then the key; neither the CA key nor the admin secret
    const pem = readFileSync(issued.path, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(pem).not.toContain((await exportPrivateKeyPem(ca.privateKey)).split('\n')[1]);
    expect(Math.round((issued.notAfter.getTime() - issued.notBefore.getTime()) / DAY)).toBe(365);

    // the server reads it back with no CA key: a signer whose lists a kiosk accepts
    expect(await loadCa(server)).toBeNull();
    const pinned = loadCaCertificate(server)!;
    expect(pinned.fingerprint).toBe(ca.fingerprint);
    const key = (await loadRevocationKey(server, pinned.certificate))!;
    expect(key).toMatchObject({ kind: 'revocation-key', fingerprint: issued.fingerprint, certificateSerial: issued.certificateSerial });
    const list = await signRevocationList(key, { version: 1, issuedAt: new Date().toISOString(), revoked: [] });
    expect(verifyRevocationList(list, { caCertificate: ca.certificate, now: new Date() })).toMatchObject({ ok: true, signer: { kind: 'revocation-key' } });
  });

  it('is absent (null) until issued; its validity is bounded (1 to 731 days, never beyond the CA)', async () => {
    expect(await loadRevocationKey(server, ca.certificate)).toBeNull();
    await expect(issueRevocationKey(ca, server, { validityDays: 0 })).rejects.toThrow(TypeError);
    await expect(issueRevocationKey(ca, server, { validityDays: 732 })).rejects.toThrow(TypeError);
    expect(existsSync(caDir(server))).toBe(false);
    const shortCa = await initCa(join(root, 'short'), { validityYears: 1 });
    const issued = await issueRevocationKey(shortCa, join(root, 'short-server'), { validityDays: 731 });
    expect(issued.notAfter.getTime()).toBeLessThanOrEqual(shortCa.notAfter.getTime());
  });

  it('rotates: a new key replaces the old in one step, the server loads the new one, no stray files', async () => {
    const first = await issueRevocationKey(ca, server);
    const second = await issueRevocationKey(ca, server, { validityDays: 90 });
    expect(second.replaced).toBe(first.fingerprint);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(readdirSync(caDir(server)).sort()).toEqual([CA_FILES.certificate, REVOCATION_KEY_FILE]);
    expect((await loadRevocationKey(server, ca.certificate))!.fingerprint).toBe(second.fingerprint);
  });

  it('refuses to install a key into a server folder that trusts another CA', async () => {
    const other = await initCa(join(root, 'other-station'));
    await issueRevocationKey(other, server);
    const before = readFileSync(revocationKeyPath(server), 'utf8');
    await expect(issueRevocationKey(ca, server)).rejects.toMatchObject({ code: 'other-ca' });
    expect(readFileSync(revocationKeyPath(server), 'utf8')).toBe(before);
  });

  it('refuses, with its own code, a key file that is readable by others, unreadable, not its certificate’s, foreign, for another purpose, expired', async () => {
    await issueRevocationKey(ca, server);
    const path = revocationKeyPath(server);
    const good = readFileSync(path, 'utf8');
    const [certPem, keyPem] = [toPem(fromPem(good)), good.slice(good.indexOf('-----BEGIN PRIVATE KEY-----'))];
    const put = (text: string) => writeFileSync(path, text, { mode: 0o600 });

    chmodSync(path, 0o640);
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'insecure' });
    chmodSync(path, 0o600);

    put('garbage\n');
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'unreadable' });
    put(certPem);
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'unreadable' });

    // another key under this certificate
    const stranger = await generateSigningKey();
    put(`${certPem}${await exportPrivateKeyPem(stranger.privateKey)}`);
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'mismatch' });

    // a certificate from another CA (same name), for the right key
    const otherCa = await createPlatformCa({ commonName: 'Facilitateur - autorité des cartes', notAfter: new Date(Date.now() + 3650 * DAY) });
    const now = new Date();
    const foreign = await issueRevocationSignerCertificate({ ca: otherCa, publicKey: stranger.publicKey, notBefore: now, notAfter: new Date(now.getTime() + DAY) });
    put(`${toPem(foreign)}${await exportPrivateKeyPem(stranger.privateKey)}`);
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'foreign' });

    // the CA certificate itself with the CA key: right key, wrong purpose (the server must never hold it)
    put(`${toPem(ca.certificate)}${await exportPrivateKeyPem(ca.privateKey)}`);
    await expect(loadRevocationKey(server, ca.certificate)).rejects.toMatchObject({ code: 'wrong-purpose' });

    // expired: loaded a year and a day later
    put(`${certPem}${keyPem}`);
    await expect(loadRevocationKey(server, ca.certificate, new Date(Date.now() + 366 * DAY))).rejects.toMatchObject({ code: 'expired' });
    expect((await loadRevocationKey(server, ca.certificate))!.kind).toBe('revocation-key');
  });

  it('reads the CA certificate alone (a server’s folder), refuses one that is not a CA certificate', async () => {
    expect(loadCaCertificate(server)).toBeNull();
    mkdirSync(caDir(server), { recursive: true });
    writeFileSync(join(caDir(server), CA_FILES.certificate), 'not a certificate');
    expect(() => loadCaCertificate(server)).toThrow(expect.objectContaining({ code: 'unreadable' }));
  });
});
