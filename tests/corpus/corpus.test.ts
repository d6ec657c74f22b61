/**
 * What is true of the independent corpus whatever the OCR reads: it is deterministic, its two parts are
 * disjoint, its variety is what the README says, and every expected value is present and passes the check
 * its real document has. No OCR here (see independent-accuracy.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { isValidIban, isValidNir, isValidRibKey, isValidTaxNumber, luhnValid, mrzCheck } from './checks.ts';
import { KINDS, PARTS, build, entries, render } from './corpus.ts';
import { VARIANTS } from './degrade.ts';
import { normalise } from './score.ts';

const all = PARTS.flatMap((p) => entries(p));

/** Check digits of a zone line at the given positions: [start, length, check position]. */
function zoneOk(line: string, spans: [number, number, number][]): boolean {
  return spans.every(([s, n, c]) => mrzCheck(line.slice(s, s + n)) === line[c]);
}

describe('independent corpus', () => {
  it('is the same bytes from the same seed, clean and degraded', async () => {
    for (const e of [all[0]!, all.find((x) => x.kind === 'passport' && x.variant === 'photo') ?? all[7]!, all[all.length - 1]!]) {
      const a = await render(e);
      const b = await render(e);
      expect(a.clean.equals(b.clean), e.id).toBe(true);
      expect(a.degraded.equals(b.degraded), e.id).toBe(true);
      expect(a.degraded.equals(a.clean)).toBe(false);
    }
  }, 60_000);

  it('has two disjoint parts covering every kind, layout, degradation and many faces', () => {
    const [tuning, heldOut] = PARTS.map((p) => entries(p));
    const seeds = new Set(tuning!.map((e) => e.seed));
    expect(heldOut!.some((e) => seeds.has(e.seed))).toBe(false);
    const fingerprints = new Set(tuning!.map((e) => JSON.stringify(build(e).fields)));
    expect(heldOut!.filter((e) => fingerprints.has(JSON.stringify(build(e).fields)))).toEqual([]);
    for (const part of [tuning!, heldOut!]) {
      expect(new Set(part.map((e) => e.kind)).size).toBe(KINDS.length);
      for (const kind of KINDS) expect(new Set(part.filter((e) => e.kind === kind).map((e) => e.layout)).size, kind).toBeGreaterThanOrEqual(5);
      expect(new Set(part.map((e) => e.variant)).size).toBe(VARIANTS.length);
    }
    expect(new Set(all.map((e) => e.font)).size).toBeGreaterThanOrEqual(8);
  });

  it('expects only non-empty values that pass their documents’ checks', () => {
    for (const e of all) {
      const b = build(e);
      const f = b.fields;
      for (const [k, v] of Object.entries(f)) expect(v.trim(), `${e.id} ${k}`).not.toBe('');
      expect(Object.keys(f).length, e.id).toBeGreaterThanOrEqual(2);
      const where = `${e.id}: ${JSON.stringify(f)}`;
      switch (e.kind) {
        case 'rib':
          expect(isValidIban(f.iban!) && isValidRibKey(f.iban!), where).toBe(true);
          expect(f.bic, where).toMatch(/^[A-Z]{4}FR[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/);
          break;
        case 'health-insurance':
          expect(isValidNir(f.nir!), where).toBe(true);
          break;
        case 'payslip':
          expect(f.siret, where).toMatch(/^\d{14}$/);
          expect(luhnValid(f.siret!) && luhnValid(f.siret!.slice(0, 9)), where).toBe(true);
          expect(f.periodStart! <= f.periodEnd!, where).toBe(true);
          break;
        case 'tax-notice':
          expect(isValidTaxNumber(f.taxNumber!), where).toBe(true);
          expect(f.noticeReference, where).toMatch(/^\d{4}[A-Z]\d{8}$/);
          break;
        case 'caf-certificate': {
          expect(f.allocataireNumber, where).toMatch(/^\d{7}$/);
          const rows = Object.entries(f).filter(([k]) => k.startsWith('amount_'));
          const cents = (v: string) => Math.round(Number(v) * 100);
          expect(rows.reduce((s, [, v]) => s + cents(v), 0), where).toBe(cents(f.total!));
          break;
        }
        case 'proof-of-address':
          expect(f.postcode, where).toMatch(/^\d{5}$/);
          expect(f.date, where).toMatch(/^\d{4}-\d\d-\d\d$/);
          break;
        default: {
          expect(f.birthDate, where).toMatch(/^\d{4}-\d\d-\d\d$/);
          expect(f.expiryDate, where).toMatch(/^\d{4}-\d\d-\d\d$/);
          if (b.side !== 'front') {
            const z = b.mrz!;
            if (e.kind === 'passport') {
              expect(z.map((l) => l.length)).toEqual([44, 44]);
              expect(zoneOk(z[1]!, [[0, 9, 9], [13, 6, 19], [21, 6, 27]]), where).toBe(true);
              // an empty personal number may carry a filler as its check digit (ICAO 9303 part 4)
              expect(z[1]!.slice(28, 43) === '<'.repeat(15) || zoneOk(z[1]!, [[28, 14, 42]]), where).toBe(true);
              expect(mrzCheck(z[1]!.slice(0, 10) + z[1]!.slice(13, 20) + z[1]!.slice(21, 43))).toBe(z[1]![43]);
            } else {
              expect(z.map((l) => l.length)).toEqual([30, 30, 30]);
              expect(zoneOk(z[0]!, [[5, 9, 14]]) && zoneOk(z[1]!, [[0, 6, 6], [8, 6, 14]]), where).toBe(true);
              expect(mrzCheck(z[0]!.slice(5, 30) + z[1]!.slice(0, 7) + z[1]!.slice(8, 15) + z[1]!.slice(18, 29))).toBe(z[1]![29]);
            }
          }
        }
      }
    }
  });

  it('normalises only spacing, grouping, case of names and civilities', () => {
    expect(normalise('iban', 'FR76 3000 4000')).toBe('FR7630004000');
    expect(normalise('holder', 'Mme  Hélène MARTIN')).toBe('HÉLÈNE MARTIN');
    expect(normalise('holder', 'M. ET MME DUPONT JEAN')).toBe('DUPONT JEAN');
    expect(normalise('holder', 'Hélène MARTIN')).not.toBe(normalise('holder', 'Helene MARTIN'));
    expect(normalise('givenNames', 'Hélène, Anne')).toBe(normalise('givenNames', 'HÉLÈNE ANNE'));
    expect(normalise('netPay', '1734.56')).toBe('1734.56');
  });
});
