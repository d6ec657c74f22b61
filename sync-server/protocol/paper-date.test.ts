import { describe, expect, it } from 'vitest';
import { addMonths, askedDateFields, paperAgeProblem, paperDateAsk, paperDateOf, paperDateWords } from './paper-date.ts';
import { expiryOf } from './vault.ts';

describe('a paper’s own date', () => {
  it('dates a payslip by its pay period, never by the day it was photographed', () => {
    expect(paperDateOf('payslip', { periodStart: '2023-06-01', periodEnd: '2023-06-30', netPay: '1520.10' })).toBe('2023-06-30');
    // only the start read: the end of that month (a leap February)
    expect(paperDateOf('payslip', { periodStart: '2024-02-01' })).toBe('2024-02-29');
    expect(paperDateOf('payslip', { netPay: '1520.10' })).toBeNull();
  });

  it('dates a CAF attestation by its printed date, else the month it covers', () => {
    expect(paperDateOf('caf-certificate', { period: '2025-03' })).toBe('2025-03-31');
    expect(paperDateOf('caf-certificate', { period: '2025-03', date: '2025-04-02' })).toBe('2025-04-02');
  });

  it('dates a tax notice by its printed date, else from the September after the income year', () => {
    expect(paperDateOf('tax-notice', { incomeYear: '2024' })).toBe('2025-09-01');
    expect(paperDateOf('tax-notice', { incomeYear: '2024', issueDate: '2025-08-12' })).toBe('2025-08-12');
  });

  it('takes the printed date of other papers; a RIB and an unknown paper have none; a date that is not in the calendar is no date', () => {
    expect(paperDateOf('proof-of-address', { date: '2024-11-05' })).toBe('2024-11-05');
    expect(paperDateOf('identity-card', { issueDate: '2015-03-01', expiryDate: '2030-02-28' })).toBe('2015-03-01');
    expect(paperDateOf('rib', { date: '2024-11-05' })).toBeNull();
    expect(paperDateOf('other', { date: '2024-11-05' })).toBeNull();
    expect(paperDateOf('proof-of-address', { date: '2024-02-30' })).toBeNull();
    expect(paperDateOf('proof-of-address', { date: '05/11/2024' })).toBeNull();
  });
});

describe('the one rule of a paper’s age', () => {
  const today = '2025-07-15';
  it('finds a 2023 payslip photographed today too old, and a proof of address of May recent enough', () => {
    const payslip = { issuedOn: '2023-06-30', capturedAt: '2025-07-15T09:00:00Z' };
    const address = { issuedOn: '2025-05-02', capturedAt: '2025-07-15T09:00:00Z' };
    expect(paperAgeProblem(payslip, 3, today)).toBe('too-old');
    expect(paperAgeProblem(address, 3, today)).toBeNull();
    // the vault's badge says the same as the checklist, for the same papers
    expect(expiryOf({ docType: 'payslip', ...payslip }, today)).toBe('too-old');
    expect(expiryOf({ docType: 'proof-of-address', ...address }, today)).toBe('valid');
  });

  it('counts months to the day, clamped at the end of a month', () => {
    expect(paperAgeProblem({ issuedOn: '2025-04-15' }, 3, today)).toBeNull(); // 15 July: exactly 3 months
    expect(paperAgeProblem({ issuedOn: '2025-04-14' }, 3, today)).toBe('too-old');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
  });

  it('puts an end of validity first, and needs no date when no age is asked', () => {
    expect(paperAgeProblem({ issuedOn: '2025-07-01', expiresOn: '2025-07-14' }, 3, today)).toBe('expired');
    expect(paperAgeProblem({ issuedOn: '2001-01-01' }, undefined, today)).toBeNull();
    expect(paperAgeProblem({}, 3, today)).toBe('too-old');
  });
});

describe('a paper’s date in words', () => {
  it('says it as people do', () => {
    expect(paperDateWords('payslip', '2025-06-30')).toBe('bulletin de juin 2025');
    expect(paperDateWords('caf-certificate', '2026-03-31')).toBe('attestation de mars 2026');
    expect(paperDateWords('tax-notice', '2025-09-01')).toBe('avis de 2025, revenus de 2024');
    expect(paperDateWords('identity-card', '2015-03-01')).toBe('délivré le 1er mars 2015');
    expect(paperDateWords('proof-of-address', '2024-11-05')).toBe('daté du 5 novembre 2024');
    expect(paperDateWords('proof-of-address', null)).toBeNull();
    expect(paperDateWords('proof-of-address', 'not a date')).toBeNull();
  });
});

describe('a paper’s date asked when it was not read', () => {
  const today = '2026-12-07';

  it('is asked only for papers that age, and only when the reading found none', () => {
    expect(paperDateAsk('payslip', { employee: 'M. DUPONT' })).toBe('month');
    expect(paperDateAsk('payslip', { periodEnd: '2026-11-30' })).toBeNull();
    expect(paperDateAsk('caf-certificate', {})).toBe('month');
    expect(paperDateAsk('caf-certificate', { period: '2026-10' })).toBeNull();
    expect(paperDateAsk('tax-notice', { referenceIncome: '12000' })).toBe('income-year');
    expect(paperDateAsk('tax-notice', { incomeYear: '2025' })).toBeNull();
    expect(paperDateAsk('proof-of-address', {})).toBe('day');
    expect(paperDateAsk('health-insurance', {})).toBe('day');
    // age by their end of validity, or not at all
    for (const t of ['identity-card', 'passport', 'residence-permit', 'rib', 'other'] as const) expect(paperDateAsk(t, {})).toBeNull();
  });

  it('gives the fields the reading would have given, so the paper is dated as if read', () => {
    const payslip = askedDateFields('payslip', '11/2026', today);
    expect(payslip).toEqual({ ok: true, fields: { periodStart: '2026-11-01', periodEnd: '2026-11-30' } });
    expect(paperDateOf('payslip', payslip.ok ? payslip.fields : {})).toBe('2026-11-30');
    expect(askedDateFields('payslip', '2/2024', today)).toEqual({ ok: true, fields: { periodStart: '2024-02-01', periodEnd: '2024-02-29' } });
    expect(askedDateFields('caf-certificate', '10/2026', today)).toEqual({ ok: true, fields: { period: '2026-10' } });
    const tax = askedDateFields('tax-notice', '2025', today);
    expect(tax).toEqual({ ok: true, fields: { incomeYear: '2025' } });
    expect(paperDateOf('tax-notice', tax.ok ? tax.fields : {})).toBe('2026-09-01');
    expect(askedDateFields('proof-of-address', '3/11/2026', today)).toEqual({ ok: true, fields: { date: '2026-11-03' } });
    expect(askedDateFields('health-insurance', '07/12/2026', today)).toEqual({ ok: true, fields: { date: '2026-12-07' } });
  });

  it('refuses what is not finished, not a date, in the future or before 1990', () => {
    expect(askedDateFields('payslip', '11/20', today)).toEqual({ ok: false, problem: 'incomplete' });
    expect(askedDateFields('payslip', '', today)).toEqual({ ok: false, problem: 'incomplete' });
    expect(askedDateFields('payslip', '13/2025', today)).toEqual({ ok: false, problem: 'not-a-date' });
    expect(askedDateFields('payslip', 'juin', today)).toEqual({ ok: false, problem: 'not-a-date' });
    expect(askedDateFields('payslip', '01/2027', today)).toEqual({ ok: false, problem: 'future' });
    expect(askedDateFields('proof-of-address', '31/02/2026', today)).toEqual({ ok: false, problem: 'not-a-date' });
    expect(askedDateFields('proof-of-address', '08/12/2026', today)).toEqual({ ok: false, problem: 'future' });
    expect(askedDateFields('proof-of-address', '12/05/1970', today)).toEqual({ ok: false, problem: 'too-old' });
    // a notice for this year's income comes next year
    expect(askedDateFields('tax-notice', '2026', today)).toEqual({ ok: false, problem: 'future' });
    expect(askedDateFields('rib', '01/2026', today)).toEqual({ ok: false, problem: 'not-a-date' });
  });
});
