import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTwoDDoc, issueSigner, makeAuthority, TEST_AUTHORITY, TEST_SIGNER, writeTrustStore } from '../../../tests/fixtures/twoddoc.ts';
import type { TestAuthority, TestSigner } from '../../../tests/fixtures/twoddoc.ts';
import { parseTwoDDoc } from './extract/twoddoc.ts';
import { emptyTrustStore, loadTwoDDocTrustStore, trustStoreFromEntries } from './twoddoc-trust.ts';
import { checkTwoDDocSignature, keyUsageOf } from './twoddoc-verify.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function storeOf(authorities: readonly TestAuthority[] = [TEST_AUTHORITY], signers: readonly TestSigner[] = [TEST_SIGNER]) {
  const dir = mkdtempSync(join(tmpdir(), 'twoddoc-trust-'));
  dirs.push(dir);
  const loaded = loadTwoDDocTrustStore(writeTrustStore(dir, authorities, signers));
  expect(loaded.problems).toEqual([]);
  return loaded.store;
}

const spec = {
  docType: '04',
  issueDate: null,
  signatureDate: '2024-07-31',
  fields: [['43', '1,5'], ['44', '2475A12345678'], ['45', '2023'], ['46', 'MARTIN CLAIRE'], ['41', '21540'], ['47', '3023217600053']] as const,
};

const check = (raw: string, store = storeOf()) => checkTwoDDocSignature(parseTwoDDoc(raw), store);

describe('2D-Doc signature against the trust store', () => {
  it('is verified with the authority’s chain, named by its certificate', () => {
    const v = check(encodeTwoDDoc(spec));
    expect(v).toMatchObject({ status: 'verified', authority: TEST_AUTHORITY.name, checkedAt: '2024-07-31' });
    expect(v.detail).toMatch(/certificate TS01 of authority FR99/);
  });

  it('refuses a message changed after signing, and a changed signature', () => {
    expect(check(encodeTwoDDoc(spec, { tamper: true })).status).toBe('invalid-signature');
    expect(check(encodeTwoDDoc(spec, { tamperSignature: true })).status).toBe('invalid-signature');
  });

  it('cannot tell for an authority or a certificate this tablet does not have (not a fault of the paper)', () => {
    const other = makeAuthority('FR03');
    const signer = issueSigner(other, 'AV01');
    expect(check(encodeTwoDDoc(spec, { signer }))).toMatchObject({ status: 'unknown-authority', authority: null });
    expect(check(encodeTwoDDoc(spec, { signer })).detail).toMatch(/authority FR03 is not in/);
    const sibling = issueSigner(TEST_AUTHORITY, 'TS02');
    expect(check(encodeTwoDDoc(spec, { signer: sibling })).detail).toMatch(/certificate TS02 of authority FR99 is not in/);
    expect(checkTwoDDocSignature(parseTwoDDoc(encodeTwoDDoc(spec)), emptyTrustStore()).status).toBe('unknown-authority');
  });

  it('refuses a certificate expired, or not yet valid, on the signature date', () => {
    const expired = issueSigner(TEST_AUTHORITY, 'EX01', { notBefore: '2015-01-01', notAfter: '2020-12-31' });
    const store = storeOf([TEST_AUTHORITY], [expired]);
    expect(check(encodeTwoDDoc(spec, { signer: expired }), store)).toMatchObject({ status: 'certificate-expired', authority: TEST_AUTHORITY.name });
    // the same certificate held on the day it signed
    expect(check(encodeTwoDDoc({ ...spec, signatureDate: '2020-12-31' }, { signer: expired }), store).status).toBe('verified');
    const future = issueSigner(TEST_AUTHORITY, 'NY01', { notBefore: '2030-01-01' });
    expect(check(encodeTwoDDoc(spec, { signer: future }), storeOf([TEST_AUTHORITY], [future])).status).toBe('certificate-not-yet-valid');
    // the authority's own certificate counts too
    const oldCa = makeAuthority('FR98', { notBefore: '2001-01-01', notAfter: '2019-12-31' });
    const underOld = issueSigner(oldCa, 'OL01');
    expect(check(encodeTwoDDoc(spec, { signer: underOld }), storeOf([oldCa], [underOld])).status).toBe('certificate-expired');
  });

  it('does not trust a signer certificate issued by another authority, filed under this one', () => {
    const rogue = makeAuthority('FR99', { name: 'Autorité pirate' });
    const forged = issueSigner(rogue, 'TS01');
    // the store holds the real FR99 only; the forged certificate is filed as FR99/TS01 next to it
    const store = storeOf([TEST_AUTHORITY], [forged]);
    expect(check(encodeTwoDDoc(spec, { signer: forged }), store)).toMatchObject({ status: 'untrusted-certificate', authority: null });
    // with the genuine certificate also filed under that id, the genuine code still verifies
    const both = storeOf([TEST_AUTHORITY], [forged, TEST_SIGNER]);
    expect(check(encodeTwoDDoc(spec), both).status).toBe('verified');
    expect(check(encodeTwoDDoc(spec, { signer: forged }), both).status).toBe('invalid-signature');
  });

  it('refuses a certificate that may not sign, and a signature for another curve', () => {
    const noSign = issueSigner(TEST_AUTHORITY, 'KU01', { keyUsage: [2] });
    expect(keyUsageOf(new X509Certificate(Buffer.from(noSign.cert)))).toBe(0x20);
    expect(check(encodeTwoDDoc(spec, { signer: noSign }), storeOf([TEST_AUTHORITY], [noSign])).status).toBe('untrusted-certificate');
    // a P-384 certificate, but the code carries a 64-byte (P-256) signature made with another key
    const p384 = issueSigner(TEST_AUTHORITY, 'P384', { curve: 'P-384' });
    const wrong = { ...p384, curve: 'P-256' as const, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
    expect(check(encodeTwoDDoc(spec, { signer: wrong }), storeOf([TEST_AUTHORITY], [p384]))).toMatchObject({ status: 'invalid-signature' });
    expect(check(encodeTwoDDoc(spec, { signer: wrong }), storeOf([TEST_AUTHORITY], [p384])).detail).toMatch(/64-byte signature for a secp384r1 key/);
  });

  it('verifies P-384 and P-521 signers, with SHA-384 and SHA-512', () => {
    const ca = makeAuthority('FR05', { curve: 'P-384' });
    const p384 = issueSigner(ca, 'A384', { curve: 'P-384' });
    const p521 = issueSigner(ca, 'A521', { curve: 'P-521' });
    const store = storeOf([ca], [p384, p521]);
    expect(check(encodeTwoDDoc(spec, { signer: p384 }), store).status).toBe('verified');
    expect(check(encodeTwoDDoc(spec, { signer: p521 }), store).status).toBe('verified');
  });

  it('gives a typed refusal for a code without a signature', () => {
    const raw = encodeTwoDDoc(spec);
    expect(check(raw.slice(0, raw.indexOf('\x1f')))).toMatchObject({ status: 'malformed', detail: 'no signature in the code' });
  });
});

describe('2D-Doc trust store folder', () => {
  it('reads authorities and signers by file name, and survives a copy to a worker', () => {
    const store = storeOf();
    expect(store.size()).toEqual({ authorities: 1, signers: 1 });
    const copy = trustStoreFromEntries(store.toEntries());
    expect(copy.size()).toEqual({ authorities: 1, signers: 1 });
    expect(checkTwoDDocSignature(parseTwoDDoc(encodeTwoDDoc(spec)), copy).status).toBe('verified');
  });

  it('leaves out, and names, what is not a certificate or is filed wrongly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twoddoc-trust-'));
    dirs.push(dir);
    writeTrustStore(dir);
    writeFileSync(join(dir, 'ca', 'FR01.pem'), 'not a certificate');
    writeFileSync(join(dir, 'ca', 'ants-fr00.pem'), 'x');
    writeFileSync(join(dir, 'ca', 'FR02.der'), TEST_SIGNER.cert); // a signer is not an authority
    writeFileSync(join(dir, 'signers', 'FR99', 'ZZ99.der'), TEST_SIGNER.cert); // its name says TS01
    writeFileSync(join(dir, 'signers', 'FR99', 'BIG1.der'), Buffer.alloc(100_000));
    mkdirSync(join(dir, 'signers', 'nope'));
    writeFileSync(join(dir, 'signers', 'FR99', 'README.txt'), 'ignored');
    const { store, problems } = loadTwoDDocTrustStore(dir);
    expect(store.size()).toEqual({ authorities: 1, signers: 1 });
    expect(problems).toEqual([
      expect.stringMatching(/^ca\/FR01\.pem: not a certificate/),
      expect.stringMatching(/^ca\/FR02\.der: not a certification authority/),
      expect.stringMatching(/^ca\/ants-fr00\.pem: the file name must be/),
      expect.stringMatching(/^signers\/FR99\/BIG1\.der: 100000 bytes/),
      expect.stringMatching(/^signers\/FR99\/ZZ99\.der: its subject's common name does not carry ZZ99/),
      expect.stringMatching(/^signers\/nope: the folder name must be/),
    ]);
  });

  it('is empty, and says so, when the folder is missing', () => {
    const r = loadTwoDDocTrustStore(join(tmpdir(), 'no-such-twoddoc-store'));
    expect(r.store.size()).toEqual({ authorities: 0, signers: 0 });
    expect(r.problems[0]).toMatch(/no such folder/);
  });
});
