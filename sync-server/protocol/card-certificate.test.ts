/**
 * The card certificate profile: issued by the platform CA (features/cards/ca.ts), read back, and refused
 * for every problem the kiosk must tell apart. Node's own X.509 parser (OpenSSL) reads what we issue,
 * as a second opinion.
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate as NodeX509 } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID_CARD_ROLE, OID_CARD_SIGNATURE_KEY, toPem } from './card-certificate.ts';
import { encodeOid } from './der.ts';
import { exportPrivateKeyPem } from '../src/features/cards/index.ts';
import type { PlatformCa } from '../src/features/cards/index.ts';
import { certificateBench, DAY, NOW, point, SUBJECT } from '../test-support/certificate-bench.ts';
import type { CardKeys, CertificateBench } from '../test-support/certificate-bench.ts';
import { verifyP256Signature } from '../../drivers/pcsc/ec.ts';

/** `openssl x509 -text` of a DER certificate: an independent reader of what we issue. */
function execOpenSsl(der: Uint8Array): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: der, encoding: 'utf8' });
}

let ca: PlatformCa;
let otherCa: PlatformCa;
let keys: CardKeys;
let good: Uint8Array;
let issue: CertificateBench['issue'];
let check: CertificateBench['check'];

beforeAll(async () => {
  ({ ca, otherCa, keys, good, issue, check } = await certificateBench());
});

describe('card certificate', () => {
  it('round-trips: the profile’s fields come back, and the certified keys are the card’s', async () => {
    const r = await check(good);
    if (!r.ok) throw new Error(`${r.problem}: ${r.detail}`);
    expect(r.info).toMatchObject({
      identifier: SUBJECT.identifier,
      firstName: 'Élodie Françoise',
      lastName: 'Lefèvre-Ça',
      role: 'agent',
      cardSerial: '0A1B2C40',
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 365 * DAY),
    });
    expect(r.info.certificateSerial).toMatch(/^[0-9a-f]{32}$/);
    expect(Buffer.from(r.info.authPublicKey).equals(Buffer.from(keys.autPoint))).toBe(true);
    expect(Buffer.from(r.info.signaturePublicKey).equals(Buffer.from(keys.sigPoint))).toBe(true);
    // a challenge signed with the card's authentication key verifies against the certificate
    const challenge = randomBytes(32);
    const signature = sign('sha256', challenge, { key: keys.aut, dsaEncoding: 'ieee-p1363' });
    expect(verifyP256Signature(r.info.authPublicKey, challenge, signature)).toBe(true);
  });

  it('is read the same way by OpenSSL: issuer, subject, key usage, our extensions', async () => {
    const node = new NodeX509(Buffer.from(good));
    expect(node.checkIssued(new NodeX509(Buffer.from(ca.certificate)))).toBe(true);
    expect(node.verify(new NodeX509(Buffer.from(ca.certificate)).publicKey)).toBe(true);
    expect(node.ca).toBe(false);
    expect(node.subject.split('\n')).toEqual(['CN=FAC-R9TD-4HWN-3GAK', 'GN=Élodie Françoise', 'SN=Lefèvre-Ça', 'serialNumber=0A1B2C40']);
    expect(node.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(good.length).toBeLessThan(1024); // fits the card's certificate DO with room to spare
    const text = execOpenSsl(good);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: ?\s+CA:FALSE/);
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain(`${OID_CARD_ROLE}: \n`);
    expect(text).toContain(`${OID_CARD_SIGNATURE_KEY}: \n`);
    expect(Buffer.from(good).includes(Buffer.concat([Buffer.from(encodeOid(OID_CARD_SIGNATURE_KEY)), Buffer.from([0x04, 0x43, 0x04, 0x41]), Buffer.from(keys.sigPoint)]))).toBe(true);
    const oidText = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: encodeOid(OID_CARD_ROLE), encoding: 'utf8' });
    expect(oidText).toContain(`OBJECT            :${OID_CARD_ROLE}`);
  });

  it('gives the beneficiary role back', async () => {
    const r = await check(await issue({ subject: { ...SUBJECT, role: 'beneficiary' } }));
    expect(r.ok && r.info.role).toBe('beneficiary');
  });

  it('is foreign when another CA issued it, even under the same name', async () => {
    const der = await issue({ ca: otherCa });
    expect(await check(der)).toMatchObject({ ok: false, problem: 'foreign' });
    // and our certificate is foreign to a kiosk pinned to another CA
    expect(await check(good, { caCertificate: otherCa.certificate })).toMatchObject({ ok: false, problem: 'foreign' });
  });

  it('is foreign when its signature or its signed content was tampered with', async () => {
    const sigTampered = Uint8Array.from(good);
    sigTampered[sigTampered.length - 3]! ^= 0x01;
    expect(await check(sigTampered)).toMatchObject({ ok: false, problem: 'foreign' });
    // "Lefèvre" → "Lefèvrf" inside the signed part: same length, still well-formed
    const text = Buffer.from(good);
    const at = text.indexOf(Buffer.from('Lef\u00e8vre', 'utf8'));
    expect(at).toBeGreaterThan(0);
    const contentTampered = Uint8Array.from(good);
    contentTampered[at + Buffer.byteLength('Lef\u00e8vr')]! = 'f'.charCodeAt(0);
    expect(await check(contentTampered)).toMatchObject({ ok: false, problem: 'foreign' });
  });

  it('is not yet valid before notBefore, expired after notAfter', async () => {
    expect(await check(good, { now: new Date(NOW.getTime() - 2 * DAY) })).toMatchObject({ ok: false, problem: 'not-yet-valid' });
    expect(await check(good, { now: new Date(NOW.getTime() + 366 * DAY) })).toMatchObject({ ok: false, problem: 'expired' });
    expect((await check(good, { now: new Date(NOW.getTime() + 364 * DAY) })).ok).toBe(true);
  });

  it('is revoked when the revocation list names its card', async () => {
    expect(await check(good, { revoked: ['0A1B2C40'] })).toMatchObject({ ok: false, problem: 'revoked' });
    expect((await check(good, { revoked: ['0A1B2C3D'] })).ok).toBe(true);
  });

  it('is wrong-card when read from another card (a copied certificate)', async () => {
    const r = await check(good, { cardSerial: '0A1B2C3D' });
    expect(r).toMatchObject({ ok: false, problem: 'wrong-card' });
    expect(r.ok === false && r.detail).toContain('0A1B2C40');
    expect((await check(good, { cardSerial: '0a1b2c40' })).ok).toBe(true);
  });

  it('is malformed when it is not DER: garbage, empty, truncated, trailing bytes, PEM text', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['garbage', randomBytes(300)],
      ['empty', new Uint8Array(0)],
      ['truncated', good.subarray(0, good.length - 20)],
      ['header only', good.subarray(0, 4)],
      ['trailing bytes', Uint8Array.from([...good, 0, 0])],
      ['PEM text', new TextEncoder().encode(toPem(good))],
      ['hex text', new TextEncoder().encode(Buffer.from(good).toString('hex'))],
      ['a SEQUENCE that is not a certificate', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)],
    ];
    for (const [what, der] of cases) {
      expect(await check(der), what).toMatchObject({ ok: false, problem: 'malformed' });
    }
  });

  describe('issued by OpenSSL with our CA key (an independent encoder)', () => {
    let dir: string;
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'card-cert-'));
      writeFileSync(join(dir, 'ca.pem'), toPem(ca.certificate));
      writeFileSync(join(dir, 'ca.key'), await exportPrivateKeyPem(ca.privateKey), { mode: 0o600 });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** A certificate for `keyPem` signed by our CA, with these extension lines, checked now. */
    function opensslCertificate(keyPem: string, extensions: string[]): Uint8Array {
      writeFileSync(join(dir, 'subject.key'), keyPem);
      writeFileSync(join(dir, 'ext.cnf'), `[v3]\n${extensions.join('\n')}\n`);
      openssl('req', '-new', '-key', 'subject.key', '-subj', '/CN=FAC-R9TD-4HWN-3GAK/GN=Sophie/SN=Lef\u00e8vre/serialNumber=0A1B2C40', '-utf8', '-out', 'subject.csr');
      openssl('x509', '-req', '-in', 'subject.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x1234', '-days', '30', '-sha256', '-extfile', 'ext.cnf', '-extensions', 'v3', '-outform', 'DER', '-out', 'subject.der');
      return new Uint8Array(readFileSync(join(dir, 'subject.der')));
    }
    const profile = [
      'keyUsage = critical, digitalSignature',
      'basicConstraints = CA:FALSE',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
    ];
    const role = `${OID_CARD_ROLE} = DER:0A:01:02`;
    const sigKey = () => `${OID_CARD_SIGNATURE_KEY} = DER:04:41:${Buffer.from(keys.sigPoint).toString('hex').match(/../g)!.join(':')}`;
    const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }) as string;
    const checkNow = (der: Uint8Array) => check(der, { now: new Date() });

    it('accepts a certificate of our profile that OpenSSL issued', async () => {
      const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const r = await checkNow(opensslCertificate(pem(p256.privateKey), [...profile, role, sigKey()]));
      if (!r.ok) throw new Error(`${r.problem}: ${r.detail}`);
      expect(r.info).toMatchObject({ identifier: 'FAC-R9TD-4HWN-3GAK', firstName: 'Sophie', lastName: 'Lefèvre', role: 'agent', cardSerial: '0A1B2C40', certificateSerial: '1234' });
      expect(Buffer.from(r.info.authPublicKey).equals(Buffer.from(point(p256.publicKey)))).toBe(true);
    });

    it('is malformed with another key type: P-384, RSA', async () => {
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const r384 = await checkNow(opensslCertificate(pem(p384.privateKey), [...profile, role, sigKey()]));
      expect(r384).toMatchObject({ ok: false, problem: 'malformed' });
      expect(r384.ok === false && r384.detail).toMatch(/P-256/);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(await checkNow(opensslCertificate(pem(rsa.privateKey), [...profile, role, sigKey()]))).toMatchObject({ ok: false, problem: 'malformed' });
    });

    it('is malformed without the role or the signature key, as a CA, or with an unknown critical extension', async () => {
      const key = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
      const cases: Array<[string, string[], RegExp]> = [
        ['no role', [...profile, sigKey()], /role/],
        ['unknown role', [...profile, `${OID_CARD_ROLE} = DER:0A:01:07`, sigKey()], /role/],
        ['no signature key', [...profile, role], /signature key/],
        ['CA:TRUE', ['keyUsage = critical, digitalSignature', 'basicConstraints = critical, CA:TRUE', role, sigKey()], /CA/],
        ['keyCertSign', ['keyUsage = critical, digitalSignature, keyCertSign', 'basicConstraints = CA:FALSE', role, sigKey()], /sign certificates/],
        ['unknown critical extension', [...profile, role, sigKey(), '1.2.3.4 = critical, DER:05:00'], /critical/],
      ];
      for (const [what, lines, detail] of cases) {
        const r = await checkNow(opensslCertificate(key, lines));
        expect(r, what).toMatchObject({ ok: false, problem: 'malformed' });
        expect(r.ok === false && r.detail, what).toMatch(detail);
      }
    });
  });

  it('throws when the pinned CA itself is unreadable (configuration, not the card)', async () => {
    await expect(check(good, { caCertificate: Uint8Array.of(1, 2, 3) })).rejects.toThrow(TypeError);
  });
});
