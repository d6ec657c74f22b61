/**
 * Who may sign a revocation list, as a kiosk decides it offline: the certificate of the server's
 * revocation-signing key (issued by the platform CA, for that one purpose, valid), then the list's
 * signature. Forgeries are made the way an attacker would: OpenSSL (an independent encoder) signing with
 * keys of its own, or with ours for the wrong purpose; lists signed with node:crypto directly.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, KeyObject, sign, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID_REVOCATION_LIST_SIGNING, toPem } from './card-certificate.ts';
import { checkRevocationSignerCertificate, verifyRevocationList } from './revocation-signer.ts';
import { RevocationList, revocationSigningPayload } from './revocation.ts';
import type { UnsignedRevocationList } from './revocation.ts';
import { createPlatformCa, exportPrivateKeyPem, issueCardCertificate, issueRevocationSignerCertificate } from '../src/features/cards/index.ts';
import type { PlatformCa } from '../src/features/cards/index.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const BODY: UnsignedRevocationList = {
  version: 4,
  issuedAt: NOW.toISOString(),
  revoked: [{ cardSerial: '0A1B2C3D', reason: 'stolen', at: '2026-02-20T09:00:00.000Z' }],
};

interface Key {
  privateKey: KeyObject;
  point: Uint8Array;
  pem: string;
}

function p256(): Key {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  return {
    privateKey: pair.privateKey,
    point: Uint8Array.from([0x04, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]),
    pem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
}

/** A list as anyone holding `key` can make it: the signed payload includes the certificate it carries. */
function signedList(key: KeyObject, certificate: Uint8Array | null, body: UnsignedRevocationList = BODY): RevocationList {
  const unsigned = { ...body, ...(certificate ? { signerCertificate: Buffer.from(certificate).toString('base64url') } : {}) };
  const signature = sign('sha256', revocationSigningPayload(unsigned), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return RevocationList.parse({ ...unsigned, signature });
}

let ca: PlatformCa;
let otherCa: PlatformCa;
let subKey: Key;
let subCert: Uint8Array;
let dir: string;

const check = (der: Uint8Array, now = NOW, caCertificate = ca.certificate) => checkRevocationSignerCertificate(der, { caCertificate, now });
const verifyList = (list: RevocationList, now = NOW, caCertificate = ca.certificate) => verifyRevocationList(list, { caCertificate, now });
const issueSigner = (o: { key?: Key; from?: PlatformCa; notBefore?: Date; notAfter?: Date } = {}) =>
  issueRevocationSignerCertificate({
    ca: o.from ?? ca,
    publicKey: (o.key ?? subKey).point,
    notBefore: o.notBefore ?? new Date(NOW.getTime() - DAY),
    notAfter: o.notAfter ?? new Date(NOW.getTime() + 365 * DAY),
  });

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A certificate for `key` made by OpenSSL: signed by our CA key (`ca.key`), or self-signed under our CA's name. */
function opensslCertificate(key: Key, extensions: string[], o: { selfSigned?: boolean } = {}): Uint8Array {
  writeFileSync(join(dir, 'subject.key'), key.pem);
  writeFileSync(join(dir, 'ext.cnf'), `[v3]\n${extensions.join('\n')}\n`);
  if (o.selfSigned) {
    // the attacker's own "CA" under the platform CA's very name
    openssl('req', '-new', '-x509', '-key', 'subject.key', '-subj', '/CN=Facilitateur AC cartes/O=Facilitateur', '-utf8', '-days', '30', '-sha256', '-config', 'ext.cnf', '-extensions', 'v3', '-outform', 'DER', '-out', 'subject.der');
  } else {
    openssl('req', '-new', '-key', 'subject.key', '-subj', '/CN=signature des listes/O=Facilitateur', '-out', 'subject.csr');
    openssl('x509', '-req', '-in', 'subject.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x5678', '-days', '30', '-sha256', '-extfile', 'ext.cnf', '-extensions', 'v3', '-outform', 'DER', '-out', 'subject.der');
  }
  return new Uint8Array(readFileSync(join(dir, 'subject.der')));
}

const PROFILE = ['keyUsage = critical, digitalSignature', 'basicConstraints = critical, CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'];
const PURPOSE = `extendedKeyUsage = critical, ${OID_REVOCATION_LIST_SIGNING}`;

beforeAll(async () => {
  ca = await createPlatformCa({ commonName: 'Facilitateur AC cartes', notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) });
  otherCa = await createPlatformCa({ commonName: 'Facilitateur AC cartes', notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) });
  subKey = p256();
  subCert = await issueSigner();
  dir = mkdtempSync(join(tmpdir(), 'revocation-signer-'));
  writeFileSync(join(dir, 'ca.pem'), toPem(ca.certificate));
  writeFileSync(join(dir, 'ca.key'), await exportPrivateKeyPem(ca.privateKey), { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('revocation-signing certificate', () => {
  it('is accepted when the CA issued it for that purpose; OpenSSL reads the same profile', () => {
    const r = check(subCert);
    if (!r.ok) throw new Error(`${r.problem}: ${r.detail}`);
    expect(Buffer.from(r.info.publicKey).equals(Buffer.from(subKey.point))).toBe(true);
    expect(r.info.notAfter).toEqual(new Date(NOW.getTime() + 365 * DAY));
    const node = new NodeX509(Buffer.from(subCert));
    expect(node.checkIssued(new NodeX509(Buffer.from(ca.certificate)))).toBe(true);
    expect(node.ca).toBe(false);
    expect(node.fingerprint256).toBe(r.info.fingerprint);
    const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: subCert, encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(new RegExp(`X509v3 Extended Key Usage: critical\\s+${OID_REVOCATION_LIST_SIGNING.replaceAll('.', '\\.')}\\n`));
  });

  it('is accepted when OpenSSL issued it with our CA key and our purpose (an independent encoder)', () => {
    const key = p256();
    const r = check(opensslCertificate(key, [...PROFILE, PURPOSE]), new Date());
    if (!r.ok) throw new Error(`${r.problem}: ${r.detail}`);
    expect(r.info.certificateSerial).toBe('5678');
  });

  it('is foreign when self-signed under the CA’s name, or issued by another CA', async () => {
    const selfSigned = check(opensslCertificate(p256(), [...PROFILE, PURPOSE], { selfSigned: true }), new Date());
    expect(selfSigned).toMatchObject({ ok: false, problem: 'foreign' });
    expect(check(await issueSigner({ from: otherCa }))).toMatchObject({ ok: false, problem: 'foreign' });
    const elsewhere = await createPlatformCa({ commonName: 'Une autre AC', notAfter: new Date(NOW.getTime() + 3650 * DAY), notBefore: new Date(NOW.getTime() - DAY) });
    expect(check(await issueSigner({ from: elsewhere }))).toMatchObject({ ok: false, problem: 'foreign', detail: expect.stringMatching(/name/) });
    // and ours is foreign to a kiosk pinned to another CA
    expect(check(subCert, NOW, otherCa.certificate)).toMatchObject({ ok: false, problem: 'foreign' });
  });

  it('is expired after notAfter, not yet valid before notBefore', async () => {
    expect(check(subCert, new Date(NOW.getTime() + 366 * DAY))).toMatchObject({ ok: false, problem: 'expired' });
    expect(check(subCert, new Date(NOW.getTime() - 2 * DAY))).toMatchObject({ ok: false, problem: 'not-yet-valid' });
    const old = await issueSigner({ notBefore: new Date(NOW.getTime() - 400 * DAY), notAfter: new Date(NOW.getTime() - 35 * DAY) });
    // (the CA itself was not valid then, but the window is the certificate's)
    expect(check(old)).toMatchObject({ ok: false, problem: 'expired' });
  });

  it('is for the wrong purpose: no purpose, another purpose, ours among others, a card, a CA, a key that signs certificates', async () => {
    const key = p256();
    const cases: Array<[string, Uint8Array]> = [
      ['no extendedKeyUsage', opensslCertificate(key, PROFILE)],
      ['TLS server', opensslCertificate(key, [...PROFILE, 'extendedKeyUsage = critical, serverAuth'])],
      ['ours and TLS client', opensslCertificate(key, [...PROFILE, `extendedKeyUsage = critical, clientAuth, ${OID_REVOCATION_LIST_SIGNING}`])],
      ['any purpose', opensslCertificate(key, [...PROFILE, 'extendedKeyUsage = anyExtendedKeyUsage'])],
      ['CA:TRUE', opensslCertificate(key, ['keyUsage = critical, digitalSignature', 'basicConstraints = critical, CA:TRUE', PURPOSE])],
      ['keyCertSign', opensslCertificate(key, ['keyUsage = critical, digitalSignature, keyCertSign', 'basicConstraints = critical, CA:FALSE', PURPOSE])],
      ['no digitalSignature', opensslCertificate(key, ['keyUsage = critical, keyAgreement', 'basicConstraints = critical, CA:FALSE', PURPOSE])],
      ['the CA certificate itself', ca.certificate],
      [
        'a card certificate',
        await issueCardCertificate({
          ca,
          subject: { identifier: 'FAC-R9TD-4HWN-3GAK', firstName: 'Sophie', lastName: 'Lefèvre', role: 'agent', cardSerial: '0A1B2C40' },
          authPublicKey: key.point,
          signaturePublicKey: p256().point,
          notBefore: new Date(NOW.getTime() - DAY),
          notAfter: new Date(NOW.getTime() + 365 * DAY),
        }),
      ],
    ];
    for (const [what, der] of cases) {
      const now = what.startsWith('a card') || what.startsWith('the CA') ? NOW : new Date();
      expect(check(der, now), what).toMatchObject({ ok: false, problem: 'wrong-purpose' });
    }
  });

  it('is malformed when it is not DER, or carries an unknown critical extension', () => {
    for (const der of [new Uint8Array(0), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05), subCert.subarray(0, subCert.length - 1), new TextEncoder().encode(toPem(subCert))]) {
      expect(check(der)).toMatchObject({ ok: false, problem: 'malformed' });
    }
    expect(check(opensslCertificate(p256(), [...PROFILE, PURPOSE, '1.2.3.4 = critical, DER:05:00']), new Date())).toMatchObject({ ok: false, problem: 'malformed', detail: expect.stringMatching(/critical/) });
  });

  it('throws when the pinned CA itself is unreadable (configuration, not the list)', () => {
    expect(() => check(subCert, NOW, Uint8Array.of(1, 2, 3))).toThrow(TypeError);
  });
});

describe('revocation list check (the kiosk’s)', () => {
  it('accepts a list signed by the revocation-signing key, carrying its certificate', () => {
    expect(verifyList(signedList(subKey.privateKey, subCert))).toMatchObject({ ok: true, signer: { kind: 'revocation-key', info: { certificateSerial: expect.any(String) } } });
  });

  it('accepts a list signed by the CA key itself, without a certificate (issuance stations, lists from before)', () => {
    const list = signedList(KeyObject.from(ca.privateKey), null);
    expect(verifyList(list)).toEqual({ ok: true, signer: { kind: 'ca' } });
    expect(verifyList(list, NOW, otherCa.certificate)).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it('refuses a list signed by a card, with its (valid) card certificate', async () => {
    const card = p256();
    const certificate = await issueCardCertificate({
      ca,
      subject: { identifier: 'FAC-K7QM-3XD2-9HRW', firstName: 'Camille', lastName: 'Martin', role: 'beneficiary', cardSerial: '0A1B2C3D' },
      authPublicKey: card.point,
      signaturePublicKey: card.point,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 365 * DAY),
    });
    expect(verifyList(signedList(card.privateKey, certificate))).toMatchObject({ ok: false, problem: 'wrong-purpose' });
  });

  it('refuses lists whose signer is forged: self-signed, from another CA, expired, for another purpose', async () => {
    const forger = p256();
    const now = new Date();
    const today = { ...BODY, issuedAt: now.toISOString() };
    const selfSigned = opensslCertificate(forger, [...PROFILE, PURPOSE], { selfSigned: true });
    expect(verifyList(signedList(forger.privateKey, selfSigned, today), now)).toMatchObject({ ok: false, problem: 'foreign' });
    const fromOther = await issueSigner({ key: forger, from: otherCa });
    expect(verifyList(signedList(forger.privateKey, fromOther))).toMatchObject({ ok: false, problem: 'foreign' });
    const tls = opensslCertificate(forger, [...PROFILE, 'extendedKeyUsage = critical, serverAuth']);
    expect(verifyList(signedList(forger.privateKey, tls, today), now)).toMatchObject({ ok: false, problem: 'wrong-purpose' });
    const expired = await issueSigner({ key: forger, notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(verifyList(signedList(forger.privateKey, expired, { ...BODY, issuedAt: new Date(NOW.getTime() - 2 * DAY).toISOString() }))).toMatchObject({ ok: false, problem: 'expired' });
  });

  it('refuses a list dated outside its signer’s validity, even while the signer is valid', () => {
    const before = { ...BODY, issuedAt: new Date(NOW.getTime() - 2 * DAY).toISOString() };
    expect(verifyList(signedList(subKey.privateKey, subCert, before))).toMatchObject({ ok: false, problem: 'not-yet-valid' });
  });

  it('refuses a list whose signature is not its certificate’s key, or whose signed content changed', () => {
    expect(verifyList(signedList(p256().privateKey, subCert))).toMatchObject({ ok: false, problem: 'bad-signature' });
    const list = signedList(subKey.privateKey, subCert);
    expect(verifyList({ ...list, revoked: [] })).toMatchObject({ ok: false, problem: 'bad-signature' });
    expect(verifyList({ ...list, version: list.version + 100 })).toMatchObject({ ok: false, problem: 'bad-signature' });
    // the certificate dropped: then the CA must have signed
    const { signerCertificate: _dropped, ...bare } = list;
    expect(verifyList(bare)).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it('refuses a list whose certificate is not DER', () => {
    const list = signedList(subKey.privateKey, new TextEncoder().encode('not a certificate'));
    expect(verifyList(list)).toMatchObject({ ok: false, problem: 'malformed' });
  });
});
