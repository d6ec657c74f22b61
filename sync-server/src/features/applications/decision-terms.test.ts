import { describe, expect, it } from 'vitest';
import { parseEurosFr, parseStartDate } from './decision-terms.ts';

describe('decision terms: the amount typed in French', () => {
  it('reads French and plain writings into cents', () => {
    expect(parseEurosFr('1 234,56')).toEqual({ ok: true, value: 123456 });
    expect(parseEurosFr('1\u202f234,56 €')).toEqual({ ok: true, value: 123456 });
    expect(parseEurosFr('1234.5')).toEqual({ ok: true, value: 123450 });
    expect(parseEurosFr(' 607,75 ')).toEqual({ ok: true, value: 60775 });
    expect(parseEurosFr('600 euros')).toEqual({ ok: true, value: 60000 });
    expect(parseEurosFr('')).toEqual({ ok: true, value: null });
  });

  it('refuses what is not a clear amount, in French', () => {
    for (const bad of ['-12', '12,345', 'douze', '1.234,56', '12 34', '1e3', '0', '0,00', '100 000', '607,75 $']) {
      const r = parseEurosFr(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^[A-ZÉ].*\.$/);
    }
  });
});

describe('decision terms: the start date', () => {
  it('reads a date field or a French date', () => {
    expect(parseStartDate('2026-05-01')).toEqual({ ok: true, value: '2026-05-01' });
    expect(parseStartDate('1/5/2026')).toEqual({ ok: true, value: '2026-05-01' });
    expect(parseStartDate('29/02/2028')).toEqual({ ok: true, value: '2028-02-29' });
    expect(parseStartDate(' ')).toEqual({ ok: true, value: null });
  });

  it('refuses days that do not exist, far years and other writings', () => {
    expect(parseStartDate('31/02/2026')).toMatchObject({ ok: false, error: 'Cette date n’existe pas. Vérifiez le jour et le mois.' });
    expect(parseStartDate('2026-13-01')).toMatchObject({ ok: false });
    expect(parseStartDate('01/05/1926')).toMatchObject({ ok: false, error: 'Cette date est trop loin. Vérifiez l’année.' });
    expect(parseStartDate('1er mai')).toMatchObject({ ok: false });
    expect(parseStartDate('2026-05-01T00:00')).toMatchObject({ ok: false });
  });
});
