/**
 * The kiosk's device identity and push ledger on a real SQLite database (no server): the private key is
 * sealed with the data key and survives a restart, a wrong key cannot open it, a revoked device never
 * reuses its key; settings pushes are kept with their version and older ones are not applied.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import { DeviceIdentity, EnrollmentError } from './device.ts';
import { PushLedger } from './push-ledger.ts';

describe('device identity', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-device-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its P-256 key sealed in the database, signs with it after a restart, and cannot be opened with another data key', async () => {
    const device = new DeviceIdentity(db, keyFileProvider(join(dir, 'data.key')));
    expect(device.info()).toEqual({ state: 'none', kioskId: null, name: null, institutionId: null, enrolledAt: null });
    // no server here: the key is saved (pending) before the request fails
    await expect(device.enroll('http://127.0.0.1:9', 'ABCD-EFGH-JKMN-PQRS')).rejects.toMatchObject({ code: 'offline' });
    expect(device.info().state).toBe('pending');
    const publicKey = device.publicKey!;
    const row = db.prepare('SELECT sealed_private_key FROM device').get() as { sealed_private_key: Buffer };
    expect(row.sealed_private_key.includes(Buffer.from('PRIVATE'))).toBe(false);
    expect(readFileSync(join(dir, 'outbox.sqlite')).includes(Buffer.from('BEGIN PRIVATE KEY'))).toBe(false);

    db.close();
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    const again = new DeviceIdentity(db, keyFileProvider(join(dir, 'data.key')));
    expect(again.publicKey).toBe(publicKey);
    const signature = Buffer.from(again.sign('bonjour'), 'base64url');
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64url'), format: 'der', type: 'spki' });
    expect(verify('sha256', Buffer.from('bonjour'), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);

    const wrongKey = { dataKey: () => randomBytes(32) };
    expect(() => new DeviceIdentity(db, wrongKey).sign('x')).toThrow(/authentication/);
  });

  it('checks the code before anything is sent, and a revoked device starts again with a new key', async () => {
    const device = new DeviceIdentity(db, keyFileProvider(join(dir, 'data.key')));
    for (const code of ['', 'ABCD', 'UUUU-UUUU-UUUU-UUUU', 'ABCD-EFGH-JKMN-PQRS-T']) {
      await expect(device.enroll('http://127.0.0.1:9', code)).rejects.toBeInstanceOf(EnrollmentError);
    }
    expect(device.info().state).toBe('none');
    await expect(device.enroll('http://127.0.0.1:9', 'abcd efgh jkmn pqrs')).rejects.toMatchObject({ code: 'offline' });
    const first = device.publicKey;
    db.prepare("UPDATE device SET state = 'enrolled', kiosk_id = 'borne-x'").run();
    device.markRevoked();
    expect(device.info()).toMatchObject({ state: 'revoked', kioskId: 'borne-x' });
    expect(device.kioskId).toBe('borne-x');
    await expect(device.enroll('http://127.0.0.1:9', 'ABCD-EFGH-JKMN-PQRS')).rejects.toMatchObject({ code: 'offline' });
    expect(device.publicKey).not.toBe(first);
    expect(device.info().state).toBe('pending');
  });
});

describe('push ledger', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-ledger-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('remembers the answer given to a push, applies newer settings only, and forgets old push ids', () => {
    const ledger = new PushLedger(db);
    const id = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
    expect(ledger.answered(id)).toBeNull();
    ledger.record(id, 'admin-command', { ok: false, error: { code: 'unknown', message: 'commande non gérée' } });
    expect(ledger.answered(id)).toEqual({ ok: false, error: { code: 'unknown', message: 'commande non gérée' } });

    expect(ledger.settings()).toEqual({ version: 0, settings: {} });
    expect(ledger.applySettings('11111111-1111-4111-8111-111111111111', { version: 2, settings: { idleTimeoutS: 90 } })).toBe('applied');
    expect(ledger.applySettings('22222222-2222-4222-8222-222222222222', { version: 1, settings: { idleTimeoutS: 30 } })).toBe('stale');
    expect(ledger.settings()).toEqual({ version: 2, settings: { idleTimeoutS: 90 } });
    expect(() => ledger.applySettings('33333333-3333-4333-8333-333333333333', { version: 3, settings: { idleTimeoutS: 1 } })).toThrow();
    expect(ledger.settings().version).toBe(2);

    expect(ledger.purge(new Date(Date.now() + 31 * 86_400_000))).toBe(3);
    expect(ledger.answered(id)).toBeNull();
  });
});
