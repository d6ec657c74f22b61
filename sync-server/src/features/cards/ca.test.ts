/**
 * The platform CA's private-key operations: the self-signed CA, reloading it from PEM and PKCS#8,
 * signing with it, and issuing card certificates (refused from bad input). The certificates it issues
 * are checked with the protocol's own check (protocol/card-certificate.ts); OpenSSL reads them too.
 */
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, describeCertificate, fromPem, toPem, verifyCaSignature } from '../../../protocol/card-certificate.ts';
import { exportPrivateKeyPem, importPrivateKeyPem, issueCardCertificate, loadPlatformCa, signWithCa } from './ca.ts';
import type { PlatformCa } from './ca.ts';
import { certificateBench, DAY, NOW, SUBJECT } from '../../../test-support/certificate-bench.ts';
import type { CardKeys, CertificateBench } from '../../../test-support/certificate-bench.ts';


let ca: PlatformCa;
let otherCa: PlatformCa;
let keys: CardKeys;
let good: Uint8Array;
let issue: CertificateBench['issue'];
let check: CertificateBench['check'];

beforeAll(async () => {
  ({ ca, otherCa, keys, good, issue, check } = await certificateBench());
});

describe('platform CA', () => {
  it('is a self-signed CA certificate that OpenSSL reads, with its fingerprint', async () => {
    const node = new NodeX509(Buffer.from(ca.certificate));
    expect(node.ca).toBe(true);
    expect(node.verify(node.publicKey)).toBe(true);
    expect(node.subject).toContain('CN=Facilitateur AC cartes');
    expect(ca.fingerprint).toBe(node.fingerprint256);
    expect(certificateFingerprint(ca.certificate)).toBe(createHash('sha256').update(ca.certificate).digest('hex').toUpperCase().match(/../g)!.join(':'));
    const summary = describeCertificate(ca.certificate);
    expect(summary).toMatchObject({ isCa: true, subject: ca.subject, fingerprint: ca.fingerprint });
    expect(summary.notAfter.getTime()).toBe(ca.notAfter.getTime() - (ca.notAfter.getTime() % 1000));
  });

  it('round-trips through PEM and PKCS#8, and refuses a key that is not the certificate’s', async () => {
    const pem = toPem(ca.certificate);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(Buffer.from(fromPem(pem)).equals(Buffer.from(ca.certificate))).toBe(true);
    const keyPem = await exportPrivateKeyPem(ca.privateKey);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = await loadPlatformCa({ certificate: fromPem(pem), privateKey: await importPrivateKeyPem(keyPem) });
    expect(loaded.fingerprint).toBe(ca.fingerprint);
    // a certificate issued with the reloaded key checks against the same CA
    const der = await issueCardCertificate({ ca: loaded, subject: SUBJECT, authPublicKey: keys.autPoint, signaturePublicKey: keys.sigPoint, notBefore: NOW, notAfter: new Date(NOW.getTime() + DAY) });
    expect((await check(der, { now: new Date(NOW.getTime() + 1000) })).ok).toBe(true);

    await expect(loadPlatformCa({ certificate: ca.certificate, privateKey: otherCa.privateKey })).rejects.toThrow(/does not match/);
    await expect(loadPlatformCa({ certificate: good, privateKey: ca.privateKey })).rejects.toThrow(/not a CA/);
    expect(() => fromPem('nothing here')).toThrow(TypeError);
  });

  it('signs bytes that verify against its certificate only', async () => {
    const data = new TextEncoder().encode('{"version":3}');
    const sig = await signWithCa(ca.privateKey, data);
    expect(sig).toHaveLength(64);
    expect(verifyCaSignature(ca.certificate, data, sig)).toBe(true);
    expect(verifyCaSignature(otherCa.certificate, data, sig)).toBe(false);
    expect(verifyCaSignature(ca.certificate, new TextEncoder().encode('{"version":4}'), sig)).toBe(false);
    const flipped = Uint8Array.from(sig);
    flipped[10]! ^= 1;
    expect(verifyCaSignature(ca.certificate, data, flipped)).toBe(false);
    expect(verifyCaSignature(ca.certificate, data, sig.subarray(0, 63))).toBe(false);
    expect(verifyCaSignature(Uint8Array.of(1, 2, 3), data, sig)).toBe(false);
  });
});

describe('card certificate issuance', () => {
  it('refuses to issue from bad input: off-curve key, bad identifier or serial, outliving the CA', async () => {
    const offCurve = Uint8Array.from(keys.autPoint);
    offCurve[64]! ^= 1;
    await expect(issue({ authPublicKey: offCurve })).rejects.toThrow(/not a point on P-256/);
    await expect(issue({ signaturePublicKey: keys.sigPoint.subarray(1) })).rejects.toThrow(/uncompressed/);
    await expect(issue({ subject: { ...SUBJECT, identifier: 'FAC-123' } })).rejects.toThrow(/identifier/);
    await expect(issue({ subject: { ...SUBJECT, cardSerial: '0a1b2c40' } })).rejects.toThrow(/serial/);
    await expect(issue({ subject: { ...SUBJECT, firstName: ' ' } })).rejects.toThrow(/first name/);
    await expect(issue({ notAfter: new Date(NOW.getTime() + 4000 * DAY) })).rejects.toThrow(/outlive/);
    await expect(issue({ notAfter: new Date(NOW.getTime() - 2 * DAY) })).rejects.toThrow(/notAfter/);
  });
});
