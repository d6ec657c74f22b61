/** The CA on disk: created once with private files, read back and checked; refused when broken. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatformCa, exportPrivateKeyPem } from './ca.ts';
import { CA_FILES, caDir, initCa, loadCa } from './ca-store.ts';
import { cardholderNameBytes, checkPersonName, checkPin } from './card-data.ts';
import { derivePw3 } from './pw3.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fac-ca-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const file = (name: string) => join(caDir(dataDir), name);

describe('CA store', () => {
  it('has no CA until one is created, then reads back the same one', async () => {
    expect(await loadCa(dataDir)).toBeNull();
    const created = await initCa(dataDir, { commonName: 'AC de test', validityYears: 5 });
    expect(statSync(file(CA_FILES.privateKey)).mode & 0o777).toBe(0o600);
    expect(statSync(file(CA_FILES.pw3Secret)).mode & 0o777).toBe(0o600);
    expect(statSync(caDir(dataDir)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file(CA_FILES.certificate), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const loaded = await loadCa(dataDir);
    expect(loaded).not.toBeNull();
    expect(loaded!.fingerprint).toBe(created.fingerprint);
    expect(loaded!.subject).toBe('CN=AC de test, O=Facilitateur');
    expect(Buffer.from(loaded!.pw3Secret).equals(Buffer.from(created.pw3Secret))).toBe(true);
    expect(loaded!.notAfter.getUTCFullYear() - new Date().getUTCFullYear()).toBe(5);
  });

  it('never overwrites a CA; an empty folder is fine', async () => {
    mkdirSync(caDir(dataDir));
    const first = await initCa(dataDir);
    const before = readFileSync(file(CA_FILES.privateKey), 'utf8');
    await expect(initCa(dataDir)).rejects.toMatchObject({ code: 'exists' });
    expect(readFileSync(file(CA_FILES.privateKey), 'utf8')).toBe(before);
    expect((await loadCa(dataDir))!.fingerprint).toBe(first.fingerprint);
  });

  it('refuses an incomplete CA, a key readable by others, a key of another CA, a broken certificate', async () => {
    await initCa(dataDir);
    chmodSync(file(CA_FILES.privateKey), 0o644);
    await expect(loadCa(dataDir)).rejects.toMatchObject({ code: 'insecure' });
    chmodSync(file(CA_FILES.privateKey), 0o600);

    const other = await createPlatformCa({ commonName: 'other', notAfter: new Date(Date.now() + 1e10) });
    const ownKey = readFileSync(file(CA_FILES.privateKey), 'utf8');
    writeFileSync(file(CA_FILES.privateKey), await exportPrivateKeyPem(other.privateKey));
    await expect(loadCa(dataDir)).rejects.toMatchObject({ code: 'mismatch' });
    writeFileSync(file(CA_FILES.privateKey), ownKey);

    const cert = readFileSync(file(CA_FILES.certificate), 'utf8');
    writeFileSync(file(CA_FILES.certificate), cert.replace(/[A-Za-z]{8}\n/, 'AAAAAAAA\n'));
    await expect(loadCa(dataDir)).rejects.toMatchObject({ code: 'unreadable' });
    writeFileSync(file(CA_FILES.certificate), cert);

    writeFileSync(file(CA_FILES.pw3Secret), 'not hex\n', { mode: 0o600 });
    await expect(loadCa(dataDir)).rejects.toMatchObject({ code: 'unreadable' });

    unlinkSync(file(CA_FILES.pw3Secret));
    await expect(loadCa(dataDir)).rejects.toMatchObject({ code: 'incomplete' });
    expect(existsSync(file(CA_FILES.certificate))).toBe(true);
  });
});

describe('derived admin PIN', () => {
  const secret = new Uint8Array(32).fill(7);
  it('is 8 digits, the same for the same card, different for another card or another secret', () => {
    const a = derivePw3(secret, '0A1B2C3D');
    expect(a).toMatch(/^\d{8}$/);
    expect(derivePw3(secret, '0a1b2c3d')).toBe(a);
    expect(derivePw3(secret, '0A1B2C3E')).not.toBe(a);
    expect(derivePw3(new Uint8Array(32).fill(8), '0A1B2C3D')).not.toBe(a);
    expect(() => derivePw3(new Uint8Array(4), '0A1B2C3D')).toThrow(RangeError);
  });
});

describe('card data', () => {
  const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  it('writes the OpenPGP name as Surname<<Given<names in Latin-1, at most 39 bytes', () => {
    expect(text(cardholderNameBytes('Camille', 'Martin'))).toBe('Martin<<Camille');
    expect(text(cardholderNameBytes('Jean  Pierre', 'Lefèvre'))).toBe('Lefèvre<<Jean<Pierre');
    expect(cardholderNameBytes('Élodie', 'Lefèvre')[0]).toBe(0x4c);
    expect(text(cardholderNameBytes('Thị', 'Nguyễn'))).toBe('Nguyen<<Thi');
    expect(text(cardholderNameBytes('A<B', 'C'))).toBe('C<<A<B');
    const long = cardholderNameBytes('Marie-Christine Alexandrine Josephine', 'de la Fontaine-Montgolfier');
    expect(long.length).toBeLessThanOrEqual(39);
    expect(text(long)).toMatch(/^de<la<Fontaine-Montgolfier<<Marie/);
  });

  it('accepts PINs of 6 to 8 digits only (the OpenPGP PW1), telling staff in French, and names of printable characters', () => {
    for (const ok of ['123456', '1234567', '12345678']) expect(() => checkPin(ok)).not.toThrow();
    for (const bad of ['1234', '12345', '123456789', '12a456', '', ' 123456']) {
      expect(() => checkPin(bad), bad).toThrow(/Le code doit avoir 6 à 8 chiffres/);
      expect(() => checkPin(bad), bad).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
    expect(checkPersonName('  Anne   Marie ', 'first name')).toBe('Anne Marie');
    for (const bad of ['', '   ', 'a\nb', 'x'.repeat(101)]) expect(() => checkPersonName(bad, 'first name')).toThrow();
  });
});
