import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import type { KeyProvider } from '../storage/keys.ts';
import { CardLosses, lossOf } from './losses.ts';

describe('what a session lost (pure)', () => {
  it('is nothing when every paper was saved', () => {
    expect(lossOf({ reason: 'pulled', unsaved: [], queued: ['rib'] })).toBeNull();
  });

  it('names the papers being checked as lost and those in the outbox as kept', () => {
    expect(lossOf({ reason: 'pulled', unsaved: ['rib'], queued: ['identity-card', 'payslip'] })).toEqual({
      reason: 'pulled',
      lost: ['rib'],
      kept: ['identity-card', 'payslip'],
    });
  });
});

describe('the notices kept for a card', () => {
  let dir: string;
  let db: Db;
  let keys: KeyProvider;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-losses-'));
    keys = keyFileProvider(join(dir, 'data.key'));
    db = openKioskDb(join(dir, 'outbox.sqlite'), keys);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells a card its notice once, and no other card', () => {
    const losses = new CardLosses(db, keys);
    losses.record('0A1B2C3D', lossOf({ reason: 'pulled', unsaved: ['rib'], queued: [] }));
    losses.record('0A1B2C3E', lossOf({ reason: 'idle', unsaved: ['payslip', 'tax-notice'], queued: ['rib'] }));
    const first = losses.take('0A1B2C3D');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ reason: 'pulled', lost: ['rib'], kept: [] });
    expect(losses.take('0A1B2C3D')).toEqual([]);
    expect(losses.take('0A1B2C3E')).toMatchObject([{ reason: 'idle', lost: ['payslip', 'tax-notice'], kept: ['rib'] }]);
  });

  it('keeps neither the card serial nor the paper types in clear on disk', () => {
    const losses = new CardLosses(db, keys);
    losses.record('0A1B2C3D', lossOf({ reason: 'pulled', unsaved: ['residence-permit'], queued: [] }));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const row = db.prepare('SELECT card_key, sealed FROM card_notices').get() as { card_key: string; sealed: Buffer };
    expect(row.card_key).not.toContain('0A1B2C3D');
    expect(row.sealed.toString('latin1')).not.toContain('residence');
    const file = readFileSync(join(dir, 'outbox.sqlite')).toString('latin1');
    expect(file).not.toContain('0A1B2C3D');
    expect(file).not.toContain('residence-permit');
  });

  it('drops a notice that was changed on disk without telling it', () => {
    const losses = new CardLosses(db, keys);
    losses.record('0A1B2C3D', lossOf({ reason: 'pulled', unsaved: ['rib'], queued: [] }));
    const { id, sealed } = db.prepare('SELECT id, sealed FROM card_notices').get() as { id: string; sealed: Buffer };
    sealed[sealed.length - 1]! ^= 0xff;
    db.prepare('UPDATE card_notices SET sealed = ? WHERE id = ?').run(sealed, id);
    expect(losses.take('0A1B2C3D')).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM card_notices').get()).toEqual({ n: 0 });
  });

  it('does not open with another data key', () => {
    new CardLosses(db, keys).record('0A1B2C3D', lossOf({ reason: 'pulled', unsaved: ['rib'], queued: [] }));
    const other = keyFileProvider(join(dir, 'other.key'));
    expect(new CardLosses(db, other).take('0A1B2C3D')).toEqual([]);
    // the row is still there for the right key (another key does not even find it)
    expect(new CardLosses(db, keys).take('0A1B2C3D')).toHaveLength(1);
  });
});
