import { afterEach, describe, expect, it } from 'vitest';
import { dateFr, dateTimeFr, decisionTermsFr } from './format.ts';

// spaces as Intl writes them in French (no-break, narrow no-break) read as ordinary ones here
const plain = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');

// the renderer has no Node types: the test runner's environment, to play another machine zone
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;

describe('kiosk format: Paris time, whatever the tablet’s clock', () => {
  const machineZone = env.TZ;
  afterEach(() => {
    if (machineZone === undefined) delete env.TZ;
    else env.TZ = machineZone;
  });

  it('moves to summer time on the last Sunday of March at 2 h (01:00 UTC)', () => {
    expect(dateTimeFr('2026-03-29T00:59:00Z')).toBe('29 mars 2026 à 1 h 59');
    expect(dateTimeFr('2026-03-29T01:00:00Z')).toBe('29 mars 2026 à 3 h 00');
    // late evening UTC is already the next day in Paris
    expect(dateTimeFr('2026-03-28T23:30:00Z')).toBe('29 mars 2026 à 0 h 30');
    expect(dateFr('2026-03-31T22:30:00Z')).toBe('1er avril 2026');
  });

  it('moves back to winter time on the last Sunday of October: 2 h 30 comes twice', () => {
    expect(dateTimeFr('2026-10-25T00:30:00Z')).toBe('25 octobre 2026 à 2 h 30');
    expect(dateTimeFr('2026-10-25T01:30:00Z')).toBe('25 octobre 2026 à 2 h 30');
    expect(dateTimeFr('2026-10-25T02:30:00Z')).toBe('25 octobre 2026 à 3 h 30');
  });

  it('does not follow the machine’s own zone', () => {
    env.TZ = 'UTC';
    const utc = dateTimeFr('2026-07-14T21:45:00Z');
    env.TZ = 'Pacific/Kiritimati';
    expect(dateTimeFr('2026-07-14T21:45:00Z')).toBe(utc);
    expect(utc).toBe('14 juillet 2026 à 23 h 45');
  });

  it('keeps a calendar date on its day, and shows what is not a date as it is', () => {
    env.TZ = 'Pacific/Kiritimati';
    expect(dateFr('2026-05-01')).toBe('1er mai 2026');
    expect(dateFr('1970-10-25')).toBe('25 octobre 1970');
    expect(dateFr('bientôt')).toBe('bientôt');
    expect(dateTimeFr('')).toBe('');
  });

  it('says what an acceptance grants', () => {
    expect(plain(decisionTermsFr(60775, '2026-05-01'))).toBe('Montant : 607,75 € par mois, à partir du 1er mai 2026');
    expect(plain(decisionTermsFr(123456, null))).toBe('Montant : 1 234,56 € par mois');
    expect(decisionTermsFr(null, '2026-06-15')).toBe('À partir du 15 juin 2026');
    expect(decisionTermsFr(null, null)).toBeNull();
  });
});
